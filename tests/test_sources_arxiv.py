"""arXiv Atom parsing against recorded feeds, legacy (to Oct 2025) and current (Nov 2025 on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.core.errors import ParseError
from digest.metadata.sources import arxiv

FIX = Path(__file__).parent / "fixtures" / "api"


def feed(name: str) -> bytes:
    return (FIX / name).read_bytes()


def test_single_entry_current_format():
    entries = arxiv.parse_feed(feed("arxiv-query-single.xml"), "t")
    assert list(entries) == ["1605.08386v1"]
    meta = entries["1605.08386v1"]
    assert meta.title == "Heat-bath random walks with Markov bases"
    assert meta.authors == ("Caprice Stanley", "Tobias Windisch")
    assert meta.abstract.startswith("Graphs on lattice points are studied")
    assert meta.pdf_url == "https://arxiv.org/pdf/1605.08386v1"
    assert meta.arxiv_id == "1605.08386" and meta.year == 2016
    assert meta.code_url is None and meta.openreview_id is None


def test_id_list_with_a_missing_id_and_utf8_names():
    entries = arxiv.parse_feed(feed("arxiv-query-idlist.xml"), "t")
    found = arxiv.match(["0808.05394", "1707.08567"], entries)
    assert list(found) == ["1707.08567"]  # the unknown id is dropped by the current API
    meta = found["1707.08567"]
    assert len(meta.authors) == 34 and "Dirk Wübben" in meta.authors
    assert str(meta.ref) == "arxiv:1707.08567"


def test_legacy_missing_ids_are_empty_entries_and_text_is_unwrapped():
    legacy = arxiv.parse_feed(feed("arxiv-legacy-idlist-missing.xml"), "t")
    current = arxiv.parse_feed(feed("arxiv-2025-11-idlist-missing.xml"), "t")
    assert list(legacy) == list(current) == ["2201.13452v1"]  # three empty legacy entries skipped
    old, new = legacy["2201.13452v1"], current["2201.13452v1"]
    assert (
        old.title
        == new.title
        == ("Asymptotic Analysis for a Nonlinear Reaction-Diffusion System Modeling an Infectious Disease")
    )
    assert old.abstract == new.abstract  # hard-wrapped and indented in the legacy feed
    assert old.pdf_url == "http://arxiv.org/pdf/2201.13452v1"
    assert new.pdf_url == "https://arxiv.org/pdf/2201.13452v1"  # that recording's links have no title
    ids = ["2201.13455", "2201.13452", "2201.13453", "2201.13454"]
    assert list(arxiv.match(ids, legacy)) == ["2201.13452"]


def test_old_style_id_and_journal_ref():
    meta = arxiv.parse_feed(feed("arxiv-query-journalref-affiliation.xml"), "t")["astro-ph/0601001v1"]
    assert meta.arxiv_id == "astro-ph/0601001"
    assert meta.venue == "ActaAstron.56:1-50,2006"  # the journal reference, as written
    assert not meta.abstract.startswith(" ")


def test_dois_and_legacy_search_page():
    meta = arxiv.parse_feed(feed("arxiv-search-with-doi.xml"), "t")["2202.12139v1"]
    assert meta.doi == "10.1109/icstw55395.2022.00035"
    legacy = arxiv.parse_feed(feed("arxiv-legacy-search.xml"), "t")
    assert legacy["1706.01836v2"].doi == "10.1063/1.4996038"
    assert "\n" not in legacy["hep-ph/9411242v1"].title


def test_empty_result_and_error_feed():
    assert arxiv.parse_feed(feed("arxiv-empty.xml"), "t") == {}
    error = feed("arxiv-error.xml")
    assert arxiv.parse_feed(error, "t") == {}  # the Error entry is not a paper
    assert arxiv.parse_errors(error) == ["incorrect id format for abc"]
    assert arxiv.bad_ids(arxiv.parse_errors(error)) == ["abc"]


def test_versions_pinned_or_not():
    entries = arxiv.parse_feed(feed("arxiv-query-single.xml"), "t")
    assert list(arxiv.match(["1605.08386v1"], entries)) == ["1605.08386v1"]
    assert arxiv.match(["1605.08386v2"], entries) == {}
    assert list(arxiv.match(["1605.08386"], entries)) == ["1605.08386"]


def test_comment_links_forum_venue_and_code():
    """The recorded single-entry feed with only its comment replaced by what ICLR authors write."""
    body = feed("arxiv-query-single.xml").replace(
        b"<arxiv:comment>20 pages, 3 figures</arxiv:comment>",
        b"<arxiv:comment>Published as a conference paper at ICLR 2021. Reviews: "
        b"https://openreview.net/forum?id=YicbFdNTTy ; code: https://github.com/google-research/vision_transformer"
        b"</arxiv:comment>",
    )
    meta = arxiv.parse_feed(body, "t")["1605.08386v1"]
    assert meta.openreview_id == "YicbFdNTTy"
    assert meta.forum_url == "https://openreview.net/forum?id=YicbFdNTTy"
    assert meta.venue == "ICLR 2021"
    assert meta.code_url == "https://github.com/google-research/vision_transformer"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"Rate exceeded.", "not an Atom feed"),
        (b"<html><body>busy</body></html>", "an HTML page instead of an Atom feed"),
            (b"<!DOCTYPE html><html><body>busy</body></html>", "an HTML page instead of an Atom feed"),
        (b"", "empty body"),
        (b'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY x "y">]><feed/>', "DTD or entities"),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>http://', "not an Atom feed"),
    ],
)
def test_unusable_bodies(body, message):
    with pytest.raises(ParseError, match=message):
        arxiv.parse_feed(body, "t")


def test_query_request_sets_max_results():
    req = arxiv.query_request("https://export.arxiv.org/api/query", ["1605.08386", "1707.08567v2"])
    assert req.method == "GET" and req.url == "https://export.arxiv.org/api/query"
    assert dict(req.params) == {"id_list": "1605.08386,1707.08567v2", "start": "0", "max_results": "2"}
