"""Combining the records of several sources: the documented order, and what is carried over."""

from __future__ import annotations

import dataclasses

from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.sources.combine import combine, same_content, stand_ins

REF = PaperRef("arxiv", "2010.11929")


def rec(source: str, **fields) -> PaperMeta:
    return PaperMeta(ref=REF, source=source, fetched_at="old", **fields)


def test_order_per_field_and_field_sources():
    parts = {
        "openreview": rec(
            "openreview-v1",
            title="OR title",
            venue="ICLR 2021",
            year=2021,
            ratings=(7, 7),
            decision="oral",
            tldr="authors' tldr",
            code_url="https://github.com/a/b",
            openreview_id="YicbFdNTTy",
            pdf_url="https://openreview.net/pdf?id=YicbFdNTTy",
        ),
        "arxiv": rec(
            "arxiv",
            title="arXiv title",
            year=2020,
            arxiv_id="2010.11929",
            pdf_url="https://arxiv.org/pdf/2010.11929v1",
            code_url="https://github.com/c/d",
        ),
        "s2": rec(
            "s2",
            title="S2 title",
            year=2021,
            tldr="generated",
            citation_count=9000,
            arxiv_id="2010.11929",
            doi="10.48550/arxiv.2010.11929",
            venue="ICLR (S2)",
        ),
    }
    meta = combine(REF, parts, "now")
    assert meta.ref == REF and meta.source == "openreview-v1" and meta.fetched_at == "now"
    assert (meta.title, meta.venue, meta.year, meta.ratings) == ("OR title", "ICLR 2021", 2021, (7, 7))
    assert meta.tldr == "authors' tldr" and meta.code_url == "https://github.com/a/b"
    assert meta.pdf_url == "https://openreview.net/pdf?id=YicbFdNTTy"
    assert meta.arxiv_id == "2010.11929" and meta.doi == "10.48550/arxiv.2010.11929"
    assert meta.citation_count == 9000
    assert meta.field_sources == {"arxiv_id": "arxiv", "citation_count": "s2", "doi": "s2"}


def test_without_openreview_arxiv_leads_and_s2_fills_in():
    parts = {
        "arxiv": rec("arxiv", title="arXiv title", year=2020, arxiv_id="2010.11929"),
        "s2": rec("s2", title="S2 title", year=2021, tldr="generated", venue="ICLR"),
    }
    meta = combine(REF, parts, "now")
    assert meta.source == "arxiv" and meta.title == "arXiv title"
    assert meta.year == 2021 and meta.venue == "ICLR"  # the venue's year, not the preprint's
    assert meta.tldr == "generated"
    assert meta.field_sources == {"tldr": "s2", "venue": "s2", "year": "s2"}
    assert combine(REF, {}, "now") is None


def test_an_empty_tuple_from_openreview_is_an_answer():
    parts = {"openreview": rec("openreview-v1", title="T", ratings=(), confidences=())}
    assert combine(REF, parts, "now").confidences == ()


def test_fields_of_a_silent_source_are_carried_over():
    old = rec(
        "arxiv",
        title="T",
        citation_count=12,
        tldr="gen",
        field_sources={"citation_count": "s2", "tldr": "s2"},
    )
    new = rec("arxiv", title="T2")
    kept = combine(REF, {**stand_ins(old, {"arxiv"}), "arxiv": new}, "now")  # S2 failed this time
    assert (kept.title, kept.citation_count, kept.tldr) == ("T2", 12, "gen")
    assert kept.field_sources == {"citation_count": "s2", "tldr": "s2"}
    gone = combine(REF, {**stand_ins(old, {"arxiv", "s2"}), "arxiv": new}, "now")  # S2 answered: no longer
    assert gone.citation_count is None
    assert stand_ins(None, set()) == {}


def test_a_failed_source_is_never_outranked_by_one_it_beats():
    """S2 gives the venue's year, arXiv the preprint's: with S2 down, the stored year stays;
    with arXiv down, S2's abstract and PDF never replace arXiv's."""
    old = rec("arxiv", title="T", abstract="arXiv abstract", pdf_url="https://arxiv.org/pdf/1",
              year=2021, citation_count=3, field_sources={"year": "s2", "citation_count": "s2"})
    arxiv_now = rec("arxiv", title="T", abstract="arXiv abstract", pdf_url="https://arxiv.org/pdf/1", year=2020)
    s2_now = rec("s2", title="T", abstract="S2 abstract", pdf_url="https://s2/pdf", year=2021, citation_count=4)
    s2_down = combine(REF, {**stand_ins(old, {"arxiv"}), "arxiv": arxiv_now}, "now")
    assert (s2_down.year, s2_down.field_sources["year"]) == (2021, "s2")
    arxiv_down = combine(REF, {**stand_ins(old, {"s2"}), "s2": s2_now}, "now")
    assert (arxiv_down.abstract, arxiv_down.pdf_url) == ("arXiv abstract", "https://arxiv.org/pdf/1")
    assert arxiv_down.source == "arxiv" and arxiv_down.citation_count == 4


def test_same_content_ignores_only_the_fetch_time():
    a = rec("arxiv", title="T")
    assert same_content(a, dataclasses.replace(a, fetched_at="later"))
    assert not same_content(a, dataclasses.replace(a, title="U"))
