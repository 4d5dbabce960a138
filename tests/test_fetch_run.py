"""digest.metadata.fetch.fetch against the local API server: batching, routing, cross-source links,
partial failures, refresh, and what the snapshot keeps."""

from __future__ import annotations

import dataclasses
import logging
import math

import pytest
from apiserver import ApiServer, load_year, make_fetcher

from digest.core.ids import PaperRef
from digest.metadata.fetch import fetch
from digest.metadata.http import RetryPolicy
from digest.metadata.store import Store
from scripts.corpus import parse_record

Y2021 = load_year(2021)
STAMP = "2026-11-01T00:00:00Z"
#: Fields a fetched OpenReview record must share with the corpus record it was served from.
SAME = [
    f.name
    for f in dataclasses.fields(parse_record(Y2021[0]))
    if f.name not in ("ref", "source", "fetched_at", "decision_label", "field_sources", "answered", "missing")
]
#: What an arXiv reference's record takes from its forum (the ids and links are its own).
FROM_FORUM = [
    "title",
    "authors",
    "abstract",
    "keywords",
    "venue",
    "year",
    "decision",
    "ratings",
    "confidences",
]


def orefs(records):
    return [PaperRef("openreview", r["forum"]) for r in records]


def run(srv, refs, store, **kwargs):
    fetcher = kwargs.pop("fetcher", None) or make_fetcher(srv, env=kwargs.pop("env", None))
    return fetch(refs, store, fetcher, fetched_at=kwargs.pop("fetched_at", STAMP), **kwargs)


def assert_matches_corpus(meta, record, names=SAME):
    expected = parse_record(record)
    for name in names:
        assert getattr(meta, name) == getattr(expected, name), (record["forum"], name)


# --------------------------------------------------------------------------- minimum requests


@pytest.mark.gate
def test_3000_iclr2021_forums_take_the_minimum_number_of_requests(tmp_path):
    records = Y2021[:3000]
    refs = orefs(records)
    with ApiServer(records) as srv:
        report = run(srv, refs, Store(tmp_path), years={r: 2021 for r in refs})
        assert dict(srv.counts) == {("openreview", "/openreview-v1/notes"): math.ceil(3000 / 1000)}
    assert report.ok and len(report.written) == 3000
    assert report.requests == {"openreview-v1 notes": 3}
    store = Store(tmp_path)
    for record in records[::37]:
        assert_matches_corpus(store.get(PaperRef("openreview", record["forum"])), record)


@pytest.mark.gate
def test_1000_arxiv_refs_take_the_minimum_per_source_and_link_their_forums(tmp_path):
    records = Y2021[:1000]
    with ApiServer(records) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        report = run(srv, refs, Store(tmp_path))
        assert srv.count("s2") == 2  # 500 ids per batch
        assert srv.count("arxiv") == 1  # 2,000 ids per query
        assert srv.count("openreview", "/openreview-v1/notes") == 1  # "ICLR 2021" in the comment
        assert srv.count("openreview") == 1
    assert report.ok and len(report.written) == 1000
    meta = Store(tmp_path).get(refs[1])
    assert meta.source == "openreview-v1" and meta.openreview_id == records[1]["forum"]
    assert_matches_corpus(meta, records[1], FROM_FORUM)
    assert meta.arxiv_id == refs[1].value and meta.citation_count == 0
    assert meta.field_sources == {"arxiv_id": "arxiv", "citation_count": "s2", "doi": "s2"}


def test_forums_without_a_year_try_v2_first_then_v1(tmp_path):
    records = Y2021[:250]
    with ApiServer(records) as srv:
        report = run(srv, orefs(records), Store(tmp_path))
        assert srv.count("openreview", "/openreview-v2/notes") == 1  # 1,000 ids a request
        assert srv.count("openreview", "/openreview-v1/notes") == 1
    assert report.ok and len(report.written) == 250


def test_a_forum_on_the_other_api_is_found_there(tmp_path):
    records = Y2021[:150]
    refs = orefs(records)
    with ApiServer(records, v2_years=frozenset({2021})) as srv:  # as if 2021 had moved to v2
        report = run(srv, refs, Store(tmp_path), years={r: 2021 for r in refs})
        assert srv.count("openreview", "/openreview-v1/notes") == 1
        assert srv.count("openreview", "/openreview-v2/notes") == 1
    assert report.ok
    meta = Store(tmp_path).get(refs[0])
    assert meta.source == "openreview-v2"
    assert_matches_corpus(meta, records[0])


def test_doi_refs_go_through_s2_and_arxiv_to_their_forum(tmp_path):
    records = Y2021[:120]
    with ApiServer(records) as srv:
        refs = [PaperRef("doi", f"10.48550/arxiv.{srv.arxiv_by_forum[r['forum']]}") for r in records]
        report = run(srv, refs, Store(tmp_path))
        assert (srv.count("s2"), srv.count("arxiv"), srv.count("openreview")) == (1, 1, 1)
    assert report.ok
    meta = Store(tmp_path).get(refs[0])
    assert meta.openreview_id == records[0]["forum"] and meta.decision == parse_record(records[0]).decision


def test_an_arxiv_paper_without_forum_link_is_described_by_arxiv_and_s2(tmp_path):
    records = Y2021[:5]
    with ApiServer(records, arxiv_links_forum=False, arxiv_format="legacy") as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        report = run(srv, refs, Store(tmp_path))
        assert srv.count("openreview") == 0
    assert report.ok
    meta = Store(tmp_path).get(refs[0])
    assert meta.source == "arxiv" and meta.openreview_id is None and meta.decision is None
    assert meta.title == " ".join(records[0]["title"].split())
    assert meta.year == 2021 and meta.field_sources["year"] == "s2"  # not the preprint's 2020
    assert meta.venue == "International Conference on Learning Representations"


def test_missing_and_malformed_ids_are_named_and_the_rest_fetched(tmp_path):
    records = Y2021[:4]
    with ApiServer(records, arxiv_format="legacy") as srv:
        good = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        unknown = PaperRef("arxiv", "1901.99999")
        malformed = PaperRef("arxiv", "bad-id")  # not what parse_ref accepts: made by hand
        forum = PaperRef("openreview", "HkAwhYcxl")  # the slip in the 2017 roundup
        report = run(srv, [*good, unknown, malformed, forum], Store(tmp_path))
        assert srv.count("arxiv") == 2  # the 400 names bad-id; the batch is asked again without it
    assert set(report.written) == set(good)
    reasons = {str(f.ref): f.reason for f in report.failures}
    assert reasons["arxiv:bad-id"] == "arXiv: incorrect id format for bad-id"
    assert reasons["arxiv:1901.99999"] == "no source knows this paper"
    assert reasons["openreview:HkAwhYcxl"] == "OpenReview has no forum HkAwhYcxl (asked API v1 and v2)"


# --------------------------------------------------------------------------- failures


def test_a_partial_failure_keeps_what_succeeded_and_a_plain_rerun_completes_it(tmp_path):
    records = Y2021[:300]
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        srv.fault("s2", "503", times=5)  # every attempt of the one batch
        report = run(srv, refs, store)
        assert len(report.written) == 300  # arXiv and OpenReview answered
        assert sorted(f.ref for f in report.failures) == sorted(refs)
        assert {f.reason for f in report.failures} == {
            "Semantic Scholar: HTTP 503 (gave up after 5 attempts; not asked again in this run)"
        }
        assert report.lacking == {"s2": sorted(refs)}
        meta = store.get(refs[0])
        assert meta.missing == ("s2",) and meta.answered == ("arxiv", "openreview")
        assert meta.citation_count is None
        srv.counts.clear()
        again = run(srv, refs, store)  # a plain rerun: the records lack S2, so they are asked again
        assert srv.count("s2") == 1
    assert again.ok and again.retried == sorted(refs) and again.completed == sorted(refs)
    assert not again.skipped
    meta = store.get(refs[0])
    assert meta.missing == () and meta.answered == ("arxiv", "openreview", "s2")
    assert meta.citation_count == 0


def test_the_login_challenge_fails_openreview_only(tmp_path):
    records = Y2021[:6]
    with ApiServer(records, require_login=True) as srv:
        arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records[:3]]
        forums = orefs(records[3:])
        report = run(srv, arx + forums, Store(tmp_path))
        assert srv.count("openreview") == 1  # the first challenge stops OpenReview for this run
    assert sorted(report.written) == sorted(arx)  # arXiv and S2 still described these
    login = {f.reason for f in report.failures}
    assert len(login) == 1 and next(iter(login)).startswith("OpenReview needs a login")
    assert {f.ref for f in report.failures} == set(arx + forums)


def test_a_bad_answer_never_replaces_a_good_record(tmp_path):
    records = Y2021[:3]
    refs = orefs(records)
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        run(srv, refs, store, years={r: 2021 for r in refs})
        before = {r: store.path_for(r).read_bytes() for r in refs}
        srv.fault("openreview", "garbled", times=5)
        failed = run(srv, refs, store, refresh=True, fetched_at="2026-12-01T00:00:00Z")
        assert len(failed.failures) == 3 and not failed.written
        srv.forums[records[0]["forum"]][0]["title"] = None  # the service now lost the title
        refused = run(srv, refs, store, refresh=True, years={r: 2021 for r in refs})
    assert {r: store.path_for(r).read_bytes() for r in refs} == before
    assert [str(f) for f in refused.failures] == [
        f"{refs[0]}: openreview-v1: the answer has no title; the stored record was kept"
    ]


def test_fields_from_a_source_that_failed_are_kept(tmp_path):
    records = Y2021[:2]
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        run(srv, refs, store)
        srv.fault("s2", "503", times=5)
        srv.forums[records[0]["forum"]][0]["ratings"] = [8, 8, 8, 8]
        report = run(srv, refs, store, refresh=True)
    meta = store.get(refs[0])
    assert meta.ratings == (8, 8, 8, 8)  # OpenReview answered
    assert meta.citation_count == 0 and meta.field_sources["citation_count"] == "s2"  # S2 did not
    assert {f.source for f in report.failures} == {"s2"}


def test_refresh_reports_changes_before_writing_and_leaves_unchanged_records_alone(tmp_path):
    records = Y2021[:4]
    refs = orefs(records)
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        run(srv, refs, store, years={r: 2021 for r in refs})
        untouched = store.path_for(refs[3]).read_bytes()
        rec = srv.forums[records[0]["forum"]][0]
        rec["decision"], rec["ratings"] = "Oral", [9, 9, 9, 9][: len(rec["ratings"])]
        srv.forums[records[1]["forum"]][0]["title"] = "A Better Title"
        srv.forums[records[2]["forum"]][0]["abstract"] = "Code: https://github.com/example/new-code"
        seen = []

        def before_write(changes):
            seen.extend(str(c) for c in changes)
            assert store.get(refs[1]).title == records[1]["title"]
            assert store.get(refs[0]).decision == parse_record(Y2021[0]).decision  # not written yet

        report = run(
            srv, refs, store, refresh=True, fetched_at="2026-12-01T00:00:00Z", on_changes=before_write
        )
    old0 = parse_record(Y2021[0])
    n = len(old0.ratings)
    assert seen == [
        f"{refs[0]}: decision: {old0.decision} -> oral",
        f"{refs[0]}: ratings: {', '.join(map(str, old0.ratings))} -> {', '.join(['9'] * n)}",
        f"{refs[1]}: title: {Y2021[1]['title']!r} -> 'A Better Title'",
        f"{refs[2]}: new code link: https://github.com/example/new-code",
    ]
    assert sorted(report.written) == sorted(refs[:3]) and report.unchanged == [refs[3]]
    assert store.path_for(refs[3]).read_bytes() == untouched  # fetched_at not bumped
    assert store.get(refs[0]).fetched_at == "2026-12-01T00:00:00Z"


def test_secrets_never_reach_records_messages_or_logs(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = {
        "OPENREVIEW_USERNAME": "curator@example.org",
        "OPENREVIEW_PASSWORD": "Pa55-w0rd-xyzzy",
        "S2_API_KEY": "s2-key-0123456789",
    }
    records = Y2021[:4]
    with ApiServer(records, require_login=True, echo_credentials=True, password="another") as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records[:2]] + orefs(records[2:])
        srv.fault("s2", "429", retry_after="1")
        report = run(srv, refs, Store(tmp_path), env=secrets)
        assert any(e.headers.get("x-api-key") == secrets["S2_API_KEY"] for e in srv.log)
    texts = [str(f) for f in report.failures] + [caplog.text]
    texts += [p.read_text() for p in tmp_path.rglob("*") if p.is_file()]
    assert report.failures and report.written
    for secret in secrets.values():
        assert all(secret not in text for text in texts), secret


@pytest.mark.parametrize("fmt", ["new", "legacy"])
def test_both_arxiv_formats_give_the_same_records(tmp_path, fmt):
    records = Y2021[:3]
    with ApiServer(records, arxiv_format=fmt, arxiv_links_forum=False) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        run(srv, refs, Store(tmp_path / fmt))
    meta = Store(tmp_path / fmt).get(refs[2])
    assert meta.title == " ".join(records[2]["title"].split())
    assert meta.abstract == " ".join(records[2]["abstract"].split())
    assert meta.pdf_url.endswith(f"/pdf/{refs[2].value}v1")


@pytest.mark.gate
def test_every_fault_at_once_loses_nothing(tmp_path):
    """1,000 arXiv papers while each service throws each fault once: all records arrive,
    each fault costs exactly one extra request."""
    records = Y2021[:1000]
    faults = [
        ("429", "2"),
        ("429", "date:5"),
        ("503", None),
        ("slow", None),
        ("truncate", None),
        ("html", None),
        ("garbled", None),
    ]
    with ApiServer(records) as srv:
        for service in ("s2", "arxiv", "openreview"):
            for kind, after in faults:
                srv.fault(service, kind, retry_after=after, delay=3.0)
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        # seven faults in a row hit the first batch of each service: allow eight attempts.
        # The timeout sits well below the slow fault's delay and well above what a real answer
        # of 500-1,000 records takes on a loaded machine (0.25 s once timed out a good answer).
        fetcher = make_fetcher(srv, timeout=1.5, retry=RetryPolicy(attempts=8))
        report = run(srv, refs, Store(tmp_path), fetcher=fetcher)
        assert (srv.count("s2"), srv.count("arxiv"), srv.count("openreview")) == (2 + 7, 1 + 7, 1 + 7)
    assert report.ok and len(report.written) == 1000
    waits = sorted(s for src, s in fetcher.backoffs if src == "s2")
    assert 2.0 in waits and 5.0 in waits
    assert_matches_corpus(Store(tmp_path).get(refs[999]), records[999], FROM_FORUM)


def test_a_damaged_record_is_fetched_again_and_replaced(tmp_path):
    records = Y2021[:2]
    refs = orefs(records)
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        run(srv, refs, store, years={r: 2021 for r in refs})
        store.path_for(refs[0]).write_text('{"ref": "openreview:x", "title": ')  # a hand edit gone wrong
        report = run(srv, refs, store, years={r: 2021 for r in refs})
    assert report.ok and report.repaired == [refs[0]] and report.skipped == [refs[1]]
    assert store.get(refs[0]).title == records[0]["title"]


def test_the_same_paper_under_arxiv_and_openreview_is_merged(tmp_path):
    """arxiv:A, whose arXiv comment links forum F, and openreview:F in one run: each record
    has what the other's sources said (the arXiv one the venue's decision and ratings, the
    OpenReview one its arXiv id and citations), and check tells them apart no more."""
    records = Y2021[:3]
    store = Store(tmp_path)
    with ApiServer(records) as srv:
        aid = srv.arxiv_by_forum[records[0]["forum"]]
        pair = [PaperRef("arxiv", aid), PaperRef("openreview", records[0]["forum"])]
        others = [PaperRef("openreview", r["forum"]) for r in records[1:]]
        report = run(srv, pair + others, store, years={r: 2021 for r in pair[1:] + others})
        assert srv.count("openreview") == 1  # the forum is asked once for both references
    assert report.ok and len(report.written) == 4
    by_arxiv, by_forum = store.get(pair[0]), store.get(pair[1])
    assert_matches_corpus(by_arxiv, records[0], FROM_FORUM)
    assert by_arxiv.openreview_id == records[0]["forum"]
    assert (by_forum.arxiv_id, by_forum.citation_count) == (aid, 0)
    assert by_forum.field_sources["arxiv_id"] == "arxiv" and by_forum.field_sources["citation_count"] == "s2"
    assert by_forum.answered == ("arxiv", "openreview", "s2")
    assert store.get(others[0]).arxiv_id is None  # no link, no merge
