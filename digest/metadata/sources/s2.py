"""Semantic Scholar Graph API: build ``/paper/batch`` requests, parse the answers (no I/O).

Request: ``POST {base}/paper/batch?fields=<FIELDS>`` with ``{"ids": [...]}``, up to
:data:`BATCH_SIZE` (500, the documented maximum) ids per request. Ids are written
``ARXIV:<id>``, ``DOI:<doi>``, ``CorpusId:<n>`` or a 40-hex paper id (:func:`paper_id`).
An API key, when there is one, goes in the ``x-api-key`` header (kept out of ``repr``).

Answer: a JSON list aligned with the request, ``null`` for each id Semantic Scholar does not
know (fixture ``s2-batch.json``). ``openAccessPdf`` may be ``null`` or an object whose
``url`` is ``""`` (no PDF); both mean no PDF. ``tldr`` is ``{"model", "text"}`` or ``null``.
Errors are ``{"error": "..."}`` (400, 404) or ``{"message": "...", "code": "429"}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digest.core.errors import ParseError
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.sources.base import Request, load_json, nonblank

#: The documented maximum: "Can only process 500 paper ids at a time" (tests/fixtures/api/APIS.md section 3).
BATCH_SIZE = 500
SERVICE = "Semantic Scholar"
FIELDS = "title,authors,abstract,venue,year,externalIds,tldr,openAccessPdf,citationCount,url"


def paper_id(ref: PaperRef) -> str:
    """How Semantic Scholar names the paper of ``ref``.

    >>> paper_id(PaperRef("arxiv", "1710.10571v2")), paper_id(PaperRef("s2", "215416146"))
    ('ARXIV:1710.10571', 'CorpusId:215416146')
    """
    if ref.scheme == "arxiv":
        return "ARXIV:" + ref.unversioned.value
    if ref.scheme == "doi":
        return "DOI:" + ref.value
    if ref.scheme == "s2":
        return ref.value if len(ref.value) == 40 else "CorpusId:" + ref.value
    raise ValueError(f"Semantic Scholar cannot look up {ref}")


def batch_request(base: str, ids: Sequence[str], api_key: str | None = None) -> Request:
    """The batch request for ``ids`` (at most :data:`BATCH_SIZE`)."""
    if len(ids) > BATCH_SIZE:
        raise ValueError(f"Semantic Scholar takes at most {BATCH_SIZE} ids per batch")
    headers = [("Accept", "application/json")]
    if api_key:
        headers.append(("x-api-key", api_key))
    return Request(
        source="s2",
        method="POST",
        url=base.rstrip("/") + "/paper/batch",
        params=(("fields", FIELDS),),
        json={"ids": list(ids)},
        headers=tuple(headers),
        ids=tuple(ids),
        label="s2 batch",
    )


def error_message(body: bytes) -> str:
    """The ``error`` or ``message`` of an error body; empty when it has neither."""
    try:
        data = load_json(body, SERVICE)
    except ParseError:
        return ""
    if isinstance(data, dict):
        for key in ("error", "message"):
            if isinstance(data.get(key), str):
                return data[key]
    return ""


def parse_batch(
    body: bytes, ids: Sequence[str], fetched_at: str, content_type: str = ""
) -> dict[str, PaperMeta | None]:
    """Each asked id with its record, or ``None`` where Semantic Scholar answered ``null``.

    Raises :class:`ParseError` unless the answer is a list as long as the request.
    """
    data = load_json(body, SERVICE, content_type)
    if not isinstance(data, list):
        raise ParseError("Semantic Scholar answered a batch request with something other than a list")
    if len(data) != len(ids):
        raise ParseError(
            f"Semantic Scholar answered {len(data)} items for {len(ids)} ids (the answer is incomplete)"
        )
    out: dict[str, PaperMeta | None] = {}
    for asked, item in zip(ids, data, strict=True):
        if item is None:
            out[asked] = None
        elif isinstance(item, dict):
            out[asked] = paper_to_meta(item, fetched_at)
        else:
            raise ParseError("Semantic Scholar answered with an item that is neither an object nor null")
    return out


def paper_to_meta(paper: dict[str, Any], fetched_at: str) -> PaperMeta:
    """One paper object as a record (``ref`` is ``s2:<corpus id>``, or the paper id)."""
    ext = paper.get("externalIds") if isinstance(paper.get("externalIds"), dict) else {}
    corpus = ext.get("CorpusId", paper.get("corpusId"))
    ident = (
        str(corpus)
        if isinstance(corpus, (int, str)) and str(corpus).isdigit()
        else str(paper.get("paperId") or "")
    )
    authors = paper.get("authors")
    names = (
        tuple(a["name"] for a in authors if isinstance(a, dict) and isinstance(a.get("name"), str))
        if isinstance(authors, list)
        else None
    )
    tldr = paper.get("tldr")
    pdf = paper.get("openAccessPdf")
    pdf_url = nonblank(pdf.get("url")) if isinstance(pdf, dict) else None
    year = paper.get("year")
    count = paper.get("citationCount")
    doi = nonblank(ext.get("DOI"))
    return PaperMeta(
        ref=PaperRef("s2", ident.lower()),
        source="s2",
        fetched_at=fetched_at,
        title=nonblank(paper.get("title")),
        authors=names,
        abstract=nonblank(paper.get("abstract")),
        tldr=nonblank(tldr.get("text")) if isinstance(tldr, dict) else None,
        venue=nonblank(paper.get("venue")),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        arxiv_id=nonblank(ext.get("ArXiv")),
        doi=doi.lower() if doi else None,
        pdf_url=pdf_url,
        citation_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
    )
