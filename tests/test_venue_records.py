"""Venue records: the compact file per conference year in the snapshot (digest.metadata.venuerecords)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.core.errors import DamagedRecords
from digest.core.models import VenuePaper, VenueRecord
from digest.metadata.venuerecords import VenueStore, decode, encode

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = ROOT / "content" / "snapshot"


def record(*papers: VenuePaper) -> VenueRecord:
    return VenueRecord("ICLR", 2021, "corpus", "2025-02-12", tuple(range(1, 11)), papers)


PAPERS = (VenuePaper("zz9ZKl_eRr", "poster", (6, 7), (4, 3), ("graphs",)),
          VenuePaper("Aa1Bb2Cc3D", "withdrawn", (3,), (5,), ()),
          VenuePaper("MmNnOoPpQq", "desk-reject", (), (), ("自监督",)))


def test_a_record_reads_back_as_written_sorted_by_id(tmp_path: Path) -> None:
    store = VenueStore(tmp_path)
    assert store.put(record(*PAPERS))
    path = tmp_path / "venues" / "iclr-2021.json"
    back = store.get("ICLR", 2021)
    assert back is not None
    assert [p.id for p in back.papers] == ["Aa1Bb2Cc3D", "MmNnOoPpQq", "zz9ZKl_eRr"]
    assert set(back.papers) == set(PAPERS)
    assert back.papers[0].withdrawn and back.papers[1].desk_rejected and not back.papers[2].withdrawn
    text = path.read_text(encoding="utf-8")
    # one paper a line, no abstracts or titles, Chinese kept as written
    assert text.count('{"id": ') == 3 and "自监督" in text and "title" not in text
    assert json.loads(text)["fetched_at"] == "2025-02-12"
    assert not list(path.parent.glob(".*.tmp"))


def test_the_same_record_gives_the_same_bytes_in_any_order() -> None:
    assert encode(record(*PAPERS)) == encode(record(*reversed(PAPERS)))


def test_a_record_without_papers_never_replaces_one_with_papers(tmp_path: Path) -> None:
    store = VenueStore(tmp_path)
    store.put(record(*PAPERS))
    before = (tmp_path / "venues" / "iclr-2021.json").read_bytes()
    assert store.put(record()) is False
    assert (tmp_path / "venues" / "iclr-2021.json").read_bytes() == before


def test_a_damaged_paper_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    data = encode(record(*PAPERS)).replace(b'"ratings": [6, 7]', b'"ratings": [6, 70]')
    found, problems = decode("snap/venues/iclr-2021.json", data)
    assert found is None
    line = data.decode().splitlines().index(next(x for x in data.decode().splitlines() if "zz9ZKl_eRr" in x)) + 1
    assert [str(p) for p in problems] == [
        f"snap/venues/iclr-2021.json:{line}:12: error: papers[2].ratings[1]: 70 is outside the rating scale "
        "(1 to 10) (restore it with git checkout, or run digest venue fetch again)"]


def test_confidences_must_match_ratings_and_ids_be_unique() -> None:
    bad = record(VenuePaper("Aa1Bb2Cc3D", "poster", (6, 7), (4,)), VenuePaper("Aa1Bb2Cc3D", "reject", (3,)))
    _found, problems = decode("v.json", encode(bad))
    assert sorted(p.field for p in problems) == ["papers[0].confidences", "papers[1].id"]


def test_a_damaged_record_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "venues" / "iclr-2021.json"
    path.parent.mkdir()
    path.write_bytes(encode(record(*PAPERS)).replace(b'"poster"', b'"accepted"'))
    with pytest.raises(DamagedRecords) as caught:
        VenueStore(tmp_path, "snap").get("ICLR", 2021)
    assert "papers[2].decision: 'accepted' is not one of oral, spotlight" in str(caught.value)


@pytest.mark.parametrize("year", [2017, 2018, 2020, 2021])
def test_the_committed_venue_records_read_and_are_written_as_digest_writes_them(year: int) -> None:
    store = VenueStore(SNAPSHOT)
    found = store.get("ICLR", year)
    assert found is not None and found.year == year and found.papers
    assert encode(found) == store.path_for("ICLR", year).read_bytes()
