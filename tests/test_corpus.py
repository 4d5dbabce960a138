"""The corpus parser against real lines of the bundled ICLR corpus (tests/data)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from digest.core.errors import DigestError, FetchError
from digest.core.ids import PaperRef
from digest.core.models import DECISIONS, PaperMeta
from digest.metadata.store import Store
from scripts.corpus import (
    CORPUS_FETCHED_AT,
    DECISION_LABELS,
    RecordError,
    iter_corpus,
    iter_records,
    normalise_decision,
    parse_record,
)

DATA = Path(__file__).parent / "data"
YEARS = (2017, 2018, 2020, 2021)

# A verbatim line of iclr2017.jsonl: the source's one broken record (no title, authors or
# abstract; its TL;DR is cut off after "We propose:").
BROKEN_2017 = (
    '{"venue":"ICLR","year":2017,"forum":"SJUdkecgx","title":null,"authors":null,'
    '"abstract":null,"keywords":[],"tldr":"We propose:","decision":"Reject",'
    '"ratings":[4,7,7],"confidences":[4,3,3],"arxiv_id":null,"pdf":null}'
)


def raw_line(year: int, forum: str) -> str:
    """The exact line of the corpus file of ``year`` whose forum is ``forum``."""
    needle = f'"forum":"{forum}"'
    with gzip.open(DATA / f"iclr{year}.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            if needle in line:
                return line
    raise AssertionError(f"{forum} is not in iclr{year}")


def record(year: int, forum: str) -> PaperMeta:
    return parse_record(json.loads(raw_line(year, forum)))


# --------------------------------------------------------------------------- single records


def test_2018_oral_with_pdf_and_confidences():
    meta = record(2018, "ryQu7f-RZ")
    assert meta.ref == PaperRef("openreview", "ryQu7f-RZ")
    assert meta.source == "corpus"
    assert meta.fetched_at == CORPUS_FETCHED_AT == "2026-02-23T00:00:00Z"
    assert meta.title == "On the Convergence of Adam and Beyond"
    assert meta.authors == ("Sashank J. Reddi", "Satyen Kale", "Sanjiv Kumar")
    assert meta.keywords == ("optimization", "deep learning", "adam", "rmsprop")
    assert meta.tldr.startswith("We investigate the convergence of popular optimization algorithms")
    assert meta.abstract.startswith("Several recently proposed stochastic optimization methods")
    assert meta.venue == "ICLR 2018"
    assert meta.year == 2018
    assert meta.decision == "oral"
    assert meta.decision_label == "Oral"
    assert meta.ratings == (8, 8, 9)
    assert meta.confidences == (4, 3, 5)
    assert meta.openreview_id == "ryQu7f-RZ"
    assert meta.forum_url == "https://openreview.net/forum?id=ryQu7f-RZ"
    assert meta.pdf_url == "https://openreview.net/pdf?id=ryQu7f-RZ"
    assert meta.code_url is None
    assert meta.arxiv_id is None
    assert meta.meta_review is None


def test_pdf_url_comes_from_the_record_when_it_has_one():
    line = json.loads(raw_line(2018, "SkhQHMW0W"))
    line["pdf"] = "https://openreview.net/pdf?id=SkhQHMW0W&version=final"
    assert parse_record(line).pdf_url == "https://openreview.net/pdf?id=SkhQHMW0W&version=final"


def test_2020_talk_is_an_oral_and_has_no_confidences():
    meta = record(2020, "BJgnXpVYwS")
    assert meta.decision == "oral"
    assert meta.decision_label == "Talk"
    assert meta.ratings == (8, 8, 8)
    assert meta.confidences is None
    assert meta.tldr is None
    assert meta.venue == "ICLR 2020"
    # 2020 records carry no PDF link; the OpenReview one is derived from the forum id.
    assert meta.pdf_url == "https://openreview.net/pdf?id=BJgnXpVYwS"


def test_authors_are_kept_exactly_as_given():
    meta = record(2020, "r1g87C4KwB")
    assert meta.authors[-2:] == ("Kyunghyun Cho*", "Krzysztof Geras*")
    assert record(2020, "SJeqs6EFvB").title.startswith("HOPPITY: LEARNING GRAPH TRANSFORMATIONS")


def test_empty_keywords_stay_an_empty_tuple():
    meta = record(2020, "H1gNOeHKPS")
    assert meta.keywords == ()
    assert meta.decision == "spotlight"
    assert meta.ratings == (3, 6, 6, 8)


def test_code_url_is_the_first_github_link_in_the_abstract():
    meta = record(2017, "BJrFC6ceg")
    assert "github.com/openai/pixel-cnn" in meta.abstract
    assert meta.code_url == "https://github.com/openai/pixel-cnn"


def test_abstract_without_github_link_has_no_code_url():
    assert record(2020, "BkluqlSFDS").code_url is None


def test_the_broken_2017_record_parses_with_its_gaps_kept():
    assert BROKEN_2017 == raw_line(2017, "SJUdkecgx").rstrip("\n")
    meta = parse_record(json.loads(BROKEN_2017))
    assert meta.ref == PaperRef("openreview", "SJUdkecgx")
    assert meta.title is None
    assert meta.authors is None
    assert meta.abstract is None
    assert meta.keywords == ()
    assert meta.tldr == "We propose:"
    assert meta.decision == "reject"
    assert meta.ratings == (4, 7, 7)
    assert meta.confidences == (4, 3, 3)
    assert meta.code_url is None
    assert meta.forum_url == "https://openreview.net/forum?id=SJUdkecgx"


@pytest.mark.parametrize(
    ("year", "forum", "decision", "label"),
    [
        (2017, "S1OufnIlx", "workshop", "Workshop"),
        (2018, "HJoYD6gC-", "pending", "Active"),
        (2018, "BysrYlP0-", "withdrawn", "Withdraw"),
        (2020, "B1lL9grYDS", "desk-reject", "Desk Reject"),
        (2020, "B1e9Y2NYvS", "spotlight", "Spotlight"),
        (2021, "YicbFdNTTy", "oral", "Oral"),
    ],
)
def test_decisions_of_real_records(year, forum, decision, label):
    meta = record(year, forum)
    assert (meta.decision, meta.decision_label) == (decision, label)


def test_no_reviews_means_empty_ratings():
    meta = record(2018, "BysrYlP0-")
    assert meta.ratings == ()
    assert meta.confidences == ()


def test_fetched_at_is_whatever_the_caller_gives():
    line = json.loads(raw_line(2021, "YicbFdNTTy"))
    assert parse_record(line, fetched_at="2020-11-11T00:00:00Z").fetched_at == "2020-11-11T00:00:00Z"
    assert parse_record(line) == parse_record(line)


def test_every_corpus_label_maps_to_a_known_decision():
    assert set(DECISION_LABELS.values()) <= set(DECISIONS)
    assert normalise_decision("Top-5%") == "oral"
    assert normalise_decision("Top-25%") == "spotlight"
    with pytest.raises(RecordError, match="unknown label 'Accept \\(Poster\\)'"):
        normalise_decision("Accept (Poster)")


# --------------------------------------------------------------------------- whole files


@pytest.mark.parametrize("year", YEARS)
def test_whole_file_parses_and_counts_match_the_readme(year):
    expected = {
        2017: {"oral": 15, "poster": 183, "workshop": 47, "reject": 245},
        2018: {"oral": 23, "poster": 314, "workshop": 90, "reject": 496, "withdrawn": 69, "pending": 3},
        2020: {
            "oral": 48,
            "spotlight": 108,
            "poster": 531,
            "reject": 1526,
            "withdrawn": 369,
            "desk-reject": 12,
        },
        2021: {
            "oral": 53,
            "spotlight": 114,
            "poster": 693,
            "reject": 1756,
            "withdrawn": 381,
            "desk-reject": 17,
        },
    }[year]
    metas = list(iter_corpus(DATA / f"iclr{year}.jsonl.gz"))
    assert Counter(m.decision for m in metas) == expected
    assert len({m.ref for m in metas}) == len(metas)
    assert {m.year for m in metas} == {year}


def test_plain_jsonl_reads_like_gzip(tmp_path):
    lines = [raw_line(2017, "SJUdkecgx"), "\n", raw_line(2017, "BJrFC6ceg")]
    plain = tmp_path / "part.jsonl"
    plain.write_text("".join(lines), encoding="utf-8")
    packed = tmp_path / "part.jsonl.gz"
    with gzip.open(packed, "wt", encoding="utf-8") as fh:
        fh.write("".join(lines))
    assert list(iter_corpus(plain)) == list(iter_corpus(packed))
    assert [n for n, _ in iter_records(plain)] == [1, 3]


def test_records_survive_the_snapshot_store(tmp_path):
    store = Store(tmp_path / "snapshot")
    for forum in ("ryQu7f-RZ", "HJoYD6gC-"):
        meta = record(2018, forum)
        assert store.put(meta)
        assert store.get(meta.ref) == meta
    broken = parse_record(json.loads(BROKEN_2017))
    assert store.put(broken)
    assert store.get(broken.ref) == broken


# --------------------------------------------------------------------------- bad input


def test_a_line_that_is_not_json_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(BROKEN_2017 + "\n{not json\n", encoding="utf-8")
    metas = iter_corpus(path)
    assert next(metas).ref.value == "SJUdkecgx"
    with pytest.raises(FetchError) as info:
        next(metas)
    assert str(info.value).startswith(f"{path}:2: error: not a JSON line (")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"forum": None}, "forum: missing"),
        ({"forum": ""}, "forum: empty"),
        ({"year": "2017"}, "year: expected an integer, found '2017'"),
        ({"ratings": [4, "7"]}, "ratings: expected a list of integers, found [4, '7']"),
        ({"authors": "Ian Goodfellow"}, "authors: expected a list of strings, found 'Ian Goodfellow'"),
        ({"title": 17}, "title: expected a string, found int"),
        ({"decision": "Accept"}, "decision: unknown label 'Accept'"),
    ],
)
def test_a_record_of_the_wrong_shape_is_a_clear_error(tmp_path, change, message):
    bad = {**json.loads(BROKEN_2017), **change}
    path = tmp_path / "bad.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(bad) + "\n")
    with pytest.raises(FetchError) as info:
        list(iter_corpus(path))
    text = str(info.value)
    assert text.startswith(f"{path}:1: error: {message}")
    assert text.endswith("(not a corpus record)")


def test_a_line_that_is_not_an_object(tmp_path):
    path = tmp_path / "list.jsonl"
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(FetchError, match=r":1: error: expected a JSON object, found list"):
        list(iter_corpus(path))


def test_missing_and_truncated_files_are_fetch_errors(tmp_path):
    with pytest.raises(FetchError, match="cannot read the corpus file"):
        list(iter_corpus(tmp_path / "absent.jsonl.gz"))
    whole = (DATA / "iclr2017.jsonl.gz").read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(FetchError, match=f"{cut}: error: cannot read the corpus file"):
        list(iter_corpus(cut))


def test_record_errors_are_digest_errors():
    with pytest.raises(DigestError):
        parse_record({"forum": "x1234", "year": 2017, "decision": "Maybe"})


# --------------------------------------------------------------------------- seeding script


def test_seed_script_writes_records_and_reports_unknown_ids(tmp_path):
    root = Path(__file__).parent.parent
    editions = tmp_path / "content" / "editions"
    editions.mkdir(parents=True)
    (editions / "a.yaml").write_text(
        "date: 2018-02-10\nentries:\n"
        "  - paper: openreview:ryQu7f-RZ\n"
        "  - paper: openreview:SJUdkecgx\n"
        "  - paper: openreview:HkAwhYcxl\n"
        "  - paper: arxiv:1710.10571\n",
        encoding="utf-8",
    )
    command = [
        sys.executable,
        str(root / "scripts" / "seed_snapshot.py"),
        "--corpus",
        str(DATA),
        "--content",
        str(tmp_path / "content"),
    ]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    assert run.returncode == 1, run.stderr
    assert "not in the corpus: openreview:HkAwhYcxl (named in a.yaml)" in run.stderr
    assert "skipped 1 reference that is not an openreview: one" in run.stderr
    store = Store(tmp_path / "content" / "snapshot")
    assert [str(ref) for ref in store.refs()] == ["openreview:SJUdkecgx", "openreview:ryQu7f-RZ"]
    assert store.get(PaperRef("openreview", "ryQu7f-RZ")) == record(2018, "ryQu7f-RZ")
    before = {p.name: p.read_bytes() for p in (tmp_path / "content" / "snapshot" / "openreview").iterdir()}
    again = subprocess.run(command, capture_output=True, text=True, check=False)
    after = {p.name: p.read_bytes() for p in (tmp_path / "content" / "snapshot" / "openreview").iterdir()}
    assert again.returncode == 1 and before == after
