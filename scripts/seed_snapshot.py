#!/usr/bin/env python3
"""Fill the metadata snapshot from the bundled ICLR corpus, without touching the network.

The example site's editions name OpenReview papers (``paper: openreview:<forum id>``). This
script collects those ids from every ``content/editions/*.yaml``, looks them up in the corpus
files (``iclr<year>.jsonl`` or ``.jsonl.gz``) and writes one record per paper into
``content/snapshot/`` through :class:`digest.metadata.store.Store`, exactly as ``digest fetch`` would.

Usage, from the repository root::

    python scripts/seed_snapshot.py --corpus tests/data --content content

Run it again after adding entries to an edition: unchanged records are left alone (the store
only rewrites a file whose bytes change), and a record that has a title is never replaced by
one without. Papers other than ``openreview:`` ones are skipped (the corpus has none).

The edition files are read with PyYAML only to pick out ``entries[].paper``; checking them is
``digest check``'s job, not this script's.

Exit status: 0 when every paper was found, 1 when some were not (they are listed, and the
found ones are written anyway), 2 for unusable arguments or unreadable files.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository, for scripts.corpus

from digest.core.errors import DigestError  # noqa: E402
from digest.core.models import PaperMeta  # noqa: E402
from digest.metadata.store import Store  # noqa: E402
from scripts.corpus import CORPUS_FETCHED_AT, iter_records, parse_line  # noqa: E402

PREFIX = "openreview:"


class SeedError(Exception):
    """An argument or input file this script cannot use; the message says which and why."""


def edition_papers(editions: Path) -> tuple[dict[str, list[str]], int]:
    """OpenReview forum ids named by the editions, as ``{forum id: [edition file names]}``,
    and how many other references (arxiv:, doi:, pasted links ...) were skipped."""
    found: dict[str, list[str]] = {}
    skipped = 0
    for path in sorted(editions.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise SeedError(f"{path}: error: cannot read the edition ({exc})") from None
        entries = data.get("entries") if isinstance(data, dict) else None
        for entry in entries if isinstance(entries, list) else ():
            paper = entry.get("paper") if isinstance(entry, dict) else None
            if isinstance(paper, str) and paper.strip().startswith(PREFIX):
                forum = paper.strip()[len(PREFIX) :].strip()
                found.setdefault(forum, []).append(path.name)
            elif paper is not None:
                skipped += 1
    return found, skipped


def corpus_files(corpus: Path) -> list[Path]:
    """The corpus files in a folder, or the one file given."""
    if corpus.is_file():
        return [corpus]
    if not corpus.is_dir():
        raise SeedError(f"{corpus}: error: no such file or folder (pass the corpus folder with --corpus)")
    files = sorted(corpus.glob("*.jsonl")) + sorted(corpus.glob("*.jsonl.gz"))
    if not files:
        raise SeedError(f"{corpus}: error: no .jsonl or .jsonl.gz corpus files here")
    return files


def find_records(files: list[Path], wanted: set[str], fetched_at: str) -> dict[str, PaperMeta]:
    """Parse the corpus lines whose forum id is wanted (others are only decoded)."""
    found: dict[str, PaperMeta] = {}
    for path in files:
        for number, record in iter_records(path):
            forum = record.get("forum") if isinstance(record, dict) else None
            if forum in wanted and forum not in found:
                found[forum] = parse_line(path, number, record, fetched_at)
    return found


def seed(corpus: Path, content: Path, fetched_at: str = CORPUS_FETCHED_AT) -> tuple[int, int, list[str]]:
    """Write the snapshot records for every edition paper.

    Returns (papers named by the editions, records now in the snapshot, ids not in the corpus).
    """
    editions = content / "editions"
    if not editions.is_dir():
        raise SeedError(f"{editions}: error: no editions folder (pass the site's content/ with --content)")
    papers, skipped = edition_papers(editions)
    if skipped:
        what = (
            "reference that is not an openreview: one"
            if skipped == 1
            else "references that are not openreview: ones"
        )
        print(f"skipped {skipped} {what} (the corpus has only OpenReview papers)", file=sys.stderr)
    records = find_records(corpus_files(corpus), set(papers), fetched_at)
    store = Store(content / "snapshot")
    store.clean()
    written = 0
    for forum in sorted(records):
        if store.put(records[forum]):
            written += 1
        else:
            print(
                f"kept the stored record of openreview:{forum} (the corpus one has no title)", file=sys.stderr
            )
    missing = sorted(set(papers) - set(records))
    for forum in missing:
        where = ", ".join(sorted(set(papers[forum])))
        print(f"not in the corpus: openreview:{forum} (named in {where})", file=sys.stderr)
    return len(papers), written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write content/snapshot/ records for the papers the editions name, from the bundled corpus.",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path("tests/data"),
        help="folder of iclr<year>.jsonl[.gz] files, or one such file (default: tests/data)",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=Path("content"),
        help="the site's content folder, holding editions/ and snapshot/ (default: content)",
    )
    parser.add_argument(
        "--fetched-at",
        default=CORPUS_FETCHED_AT,
        help=f"timestamp stored in each record (default: the corpus snapshot date, {CORPUS_FETCHED_AT})",
    )
    args = parser.parse_args(argv)
    try:
        total, written, missing = seed(args.corpus, args.content, args.fetched_at)
    except (DigestError, SeedError) as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"{written} of {total} papers in {args.content / 'snapshot'}; {len(missing)} not in the corpus")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
