"""Semantic Scholar parsing against recorded Graph API answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.core.errors import ParseError
from digest.core.ids import PaperRef
from digest.metadata.sources import s2

FIX = Path(__file__).parent / "fixtures" / "api"
ASKED = [  # the request body recorded with s2-batch.json
    "CorpusId:211530585",
    "CorpusId:470667",
    "10.2139/ssrn.2250500",
    "0f40b1f08821e22e859c6050916cec3667778613",
]


def test_batch_answer_with_null_for_the_unknown_id():
    found = s2.parse_batch((FIX / "s2-batch.json").read_bytes(), ASKED, "t", "application/json")
    assert list(found) == ASKED
    assert found["CorpusId:211530585"] is None
    meta = found["CorpusId:470667"]
    assert meta.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert meta.authors == ("Marianne Bertrand", "E. Duflo", "S. Mullainathan")
    assert meta.doi == "10.2139/ssrn.288970" and meta.year == 2001
    assert meta.venue is None  # "" in the answer
    assert meta.pdf_url == "http://papers.nber.org/papers/w8841.pdf"
    assert meta.citation_count == 10670 and str(meta.ref) == "s2:470667"
    assert found["10.2139/ssrn.2250500"].doi == "10.2139/ssrn.2250500"


def test_open_access_pdf_with_empty_url_and_arxiv_id():
    meta = s2.paper_to_meta(json.loads((FIX / "s2-paper.json").read_text()), "t")
    assert meta.pdf_url is None  # {"url": "", "status": null, "license": null}
    assert meta.arxiv_id == "2312.07559"
    assert meta.doi == "10.48550/arxiv.2312.07559"
    assert meta.venue == "arXiv.org" and meta.citation_count == 111
    hybrid = s2.paper_to_meta(json.loads((FIX / "s2-paper-oa-hybrid.json").read_text()), "t")
    assert hybrid.pdf_url and hybrid.pdf_url.endswith(".pdf")


def test_tldr_and_null_open_access():
    meta = s2.paper_to_meta(json.loads((FIX / "s2-paper-full-fields-subset.json").read_text()), "t")
    assert meta.tldr.startswith("If the meaning of the words")
    assert meta.pdf_url is None  # openAccessPdf: null
    assert meta.title == "Computing Machinery and Intelligence"


def test_partial_fields_answer():
    answer = (FIX / "s2-batch-authors.json").read_bytes()
    found = s2.parse_batch(answer, ["a", "b", "c"], "t")
    assert found["b"].authors[0] == "E. Duflo" and found["b"].title is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"data": []}', "something other than a list"),
        (b"[null]", "1 items for 4 ids"),
        (b"[1, null, null, null]", "neither an object nor null"),
        (b"<html>Bad gateway</html>", "JSON that cannot be read"),
    ],
)
def test_unusable_answers(body, message):
    with pytest.raises(ParseError, match=message):
        s2.parse_batch(body, ASKED, "t")


def test_error_bodies():
    assert (
        s2.error_message((FIX / "s2-400.json").read_bytes())
        == "Unrecognized or unsupported fields: [unknown]"
    )
    assert s2.error_message((FIX / "s2-404.json").read_bytes()) == "Paper with id 0 not found"
    doi = s2.error_message((FIX / "s2-404-doi.json").read_bytes())
    assert doi == "Paper with id DOI:10.1101/2024.04.01.587366 not found"
    assert s2.error_message((FIX / "s2-429.json").read_bytes()).startswith("Too Many Requests")
    assert s2.error_message(b"<html>") == ""


def test_ids_and_request():
    assert s2.paper_id(PaperRef("arxiv", "1710.10571v2")) == "ARXIV:1710.10571"
    assert s2.paper_id(PaperRef("doi", "10.1145/3292500")) == "DOI:10.1145/3292500"
    assert s2.paper_id(PaperRef("s2", "470667")) == "CorpusId:470667"
    sha = "0f40b1f08821e22e859c6050916cec3667778613"
    assert s2.paper_id(PaperRef("s2", sha)) == sha
    req = s2.batch_request(
        "https://api.semanticscholar.org/graph/v1", ["ARXIV:1", "DOI:2"], api_key="k3y-s3cret"
    )
    assert req.method == "POST" and req.url.endswith("/graph/v1/paper/batch")
    assert dict(req.params)["fields"] == s2.FIELDS and req.json == {"ids": ["ARXIV:1", "DOI:2"]}
    assert ("x-api-key", "k3y-s3cret") in req.headers and "k3y-s3cret" not in repr(req)
    for needed in ("tldr", "externalIds", "openAccessPdf", "venue", "year", "citationCount"):
        assert needed in s2.FIELDS.split(",")
    with pytest.raises(ValueError):
        s2.batch_request("u", ["x"] * 501)
