"""Write venue records (content/snapshot/venues/<conference>-<year>.json) from the ICLR corpus
files (one JSON object per line, as in the shared data folder's README): id, decision tier,
ratings, confidences and keywords of each submission, nothing else.

    python scripts/venues_from_corpus.py CORPUS.jsonl SNAPSHOT_DATE [--snapshot content/snapshot]

SNAPSHOT_DATE is the date of the data (the source's commit), printed with every statistic.
Decisions are the corpus's status words, read as tiers through the venue profiles' label
words; a word no rule knows (2018's ``Active``) is ``pending``. A paper whose confidences hold a
value off the confidence scale (2017's 0 for "not given", 13 papers) keeps its ratings and has
no confidences (null), so the rating x confidence grid leaves it out.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from digest.core.models import VenuePaper, VenueRecord
from digest.metadata.sources.openreview_venue import on_scale
from digest.metadata.store import SNAPSHOT_DIR
from digest.metadata.venuerecords import VenueStore
from digest.metadata.venues import shipped


def convert(lines, fetched_at: str) -> VenueRecord:
    venues = shipped()
    rows = [json.loads(line) for line in lines if line.strip()]
    conference, year = rows[0]["venue"], rows[0]["year"]
    profile = venues.profile(conference, year)
    papers = tuple(VenuePaper(r["forum"], venues.decision(r["decision"]) or "pending", tuple(r["ratings"]),
                              on_scale(r["confidences"]), tuple(r["keywords"] or ()))
                   for r in rows)
    return VenueRecord(conference, year, "corpus", fetched_at, profile.ratings if profile else (), papers)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("date")
    parser.add_argument("--snapshot", type=Path, default=Path(SNAPSHOT_DIR))
    args = parser.parse_args()
    record = convert(args.corpus.read_text(encoding="utf-8").splitlines(), args.date)
    VenueStore(args.snapshot).put(record)
    print(f"{record.slug}: {len(record.papers)} papers")


if __name__ == "__main__":
    main()
