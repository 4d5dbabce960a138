"""arXiv's query API: build ``id_list`` requests, parse the Atom answers (no I/O here).

Request: ``GET {endpoint}?id_list=<id,id,...>&start=0&max_results=<n>`` for a batch of up to
:data:`BATCH_SIZE` ids. ``max_results`` must be set: it defaults to 10 even with
``id_list``. arXiv asks for one request every 3 seconds on one connection (its terms of
use); :mod:`digest.metadata.http` paces that.

Both answer formats are read (fixtures in ``tests/fixtures/api``):

- legacy (until October 2025): titles and summaries hard-wrapped, namespaces declared on
  each element, ``http://`` links, and a missing id comes back as an **empty** ``<entry>``;
- current (since November 2025): one-line text, ``https://`` links, missing ids dropped. In
  the first weeks ``<link>`` elements had no ``rel``/``title``, so the PDF link is found by
  ``title="pdf"`` or by ``/pdf/`` in its address.

What the authors wrote in the comment or journal reference links the preprint to a venue:
an OpenReview forum address gives ``openreview_id``, "ICLR 2021" (or "ICLR'21") gives
``venue``, and a GitHub repository gives ``code_url``.

A malformed id gets HTTP 400 with an Atom feed holding one ``Error`` entry
(``incorrect id format for abc``); :func:`parse_errors` reads it so the caller can drop the
bad id and ask again for the rest. Text is compared after whitespace is squashed.

The XML parser is the standard library's; a body that declares a DTD or entities is refused
before parsing (the API never sends one).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import replace

from digest.core.errors import ParseError
from digest.core.ids import PaperRef, find_github_urls
from digest.core.models import PaperMeta
from digest.core.schemes import OPENREVIEW
from digest.metadata.sources.base import Request, squash

#: Ids per request: the largest page the API documents ("The API's limit is 2000 results
#: per page", tests/fixtures/api/APIS.md section 2.1, from arxiv.py's ``Client.page_size``; no separate cap
#: on ``id_list`` is documented). 2,000 new-style ids make a URL of about 26 KB; a server
#: that refuses that with 414 gets the batch again in halves (:mod:`digest.metadata.fetch`).
BATCH_SIZE = 2000
SERVICE = "arXiv"
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ABS = re.compile(r"arxiv\.org/abs/(.+?)/?$")
_VERSION = re.compile(r"v(\d+)$")
_FORUM = re.compile(rf"openreview\.net/(?:forum|pdf)\?id=({OPENREVIEW.value})")
_BAD_ID = re.compile(r"incorrect id format for (\S+)")
_ICLR = re.compile(
    r"\b(?:ICLR|International Conference on Learning Representations)(?:\s*\(ICLR\))?\W{0,3}(20\d\d|'?\d\d)\b"
)


def query_request(endpoint: str, ids: Sequence[str]) -> Request:
    """The request for the entries of ``ids`` (with or without versions)."""
    params = (("id_list", ",".join(ids)), ("start", "0"), ("max_results", str(len(ids))))
    return Request(
        source="arxiv",
        method="GET",
        url=endpoint,
        params=params,
        headers=(("Accept", "application/atom+xml"),),
        ids=tuple(ids),
        label="arxiv query",
    )


def _root(body: bytes) -> ET.Element:
    head = body[:4096].lower()
    if b"<html" in head or b"<!doctype html" in head:
        raise ParseError(
            "arXiv answered with an HTML page instead of an Atom feed "
            "(an error or block page in front of the API)"
        )
    if b"<!doctype" in head or b"<!entity" in body.lower():
        raise ParseError("arXiv answered with an XML document that declares a DTD or entities (refused)")
    if not body.strip():
        raise ParseError("arXiv answered with an empty body")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        snippet = body[:40].decode("utf-8", "replace").strip()
        raise ParseError(
            f"arXiv answered with something that is not an Atom feed ({exc}; starts {snippet!r})"
        ) from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise ParseError(f"arXiv answered with XML that is not an Atom feed (root element {root.tag})")
    return root


def _text(el: ET.Element, path: str) -> str | None:
    found = el.find(path, NS)
    return squash(found.text) if found is not None and found.text else None


def _is_error(entry: ET.Element) -> bool:
    ident = _text(entry, "atom:id") or ""
    return "/api/errors" in ident or _text(entry, "atom:title") == "Error"


def parse_errors(body: bytes) -> list[str]:
    """The messages of the ``Error`` entries of a feed (empty when there are none)."""
    root = _root(body)
    return [_text(e, "atom:summary") or "error" for e in root.findall("atom:entry", NS) if _is_error(e)]


def bad_ids(messages: Sequence[str]) -> list[str]:
    """Ids named by ``incorrect id format for <id>`` messages."""
    out = []
    for message in messages:
        m = _BAD_ID.search(message)
        if m:
            out.append(m.group(1))
    return out


def parse_feed(body: bytes, fetched_at: str) -> dict[str, PaperMeta]:
    """Every real entry of a feed, keyed by its versioned short id (``1605.08386v1``).

    Empty legacy entries (missing ids) and ``Error`` entries are skipped. The records carry
    ``ref = arxiv:<unversioned id>``; :func:`match` re-keys them to what was asked for.
    """
    root = _root(body)
    out: dict[str, PaperMeta] = {}
    for entry in root.findall("atom:entry", NS):
        ident = _text(entry, "atom:id")
        if not ident or _is_error(entry):
            continue
        m = _ABS.search(ident)
        if not m:
            raise ParseError(f"arXiv answered with an entry id that is not an abstract link: {ident!r}")
        out[m.group(1)] = entry_to_meta(entry, m.group(1), fetched_at)
    return out


def unversioned(arxiv_id: str) -> str:
    return _VERSION.sub("", arxiv_id)


def match(asked: Sequence[str], entries: dict[str, PaperMeta]) -> dict[str, PaperMeta]:
    """Records for the asked ids: an unversioned id takes any version of that paper, a
    pinned one (``1710.10571v2``) only that version. Ids without an entry are left out."""
    by_base: dict[str, PaperMeta] = {}
    for key, meta in entries.items():
        by_base.setdefault(unversioned(key), meta)
    out: dict[str, PaperMeta] = {}
    for want in asked:
        meta = entries.get(want) if _VERSION.search(want) else by_base.get(want)
        if meta is not None:
            out[want] = replace(meta, ref=PaperRef("arxiv", want))
    return out


def entry_to_meta(entry: ET.Element, short_id: str, fetched_at: str) -> PaperMeta:
    """One Atom entry as a record."""
    title = _text(entry, "atom:title")
    summary = _text(entry, "atom:summary")
    comment = _text(entry, "arxiv:comment")
    journal = _text(entry, "arxiv:journal_ref")
    published = _text(entry, "atom:published") or ""
    authors = tuple(
        name for name in (_text(a, "atom:name") for a in entry.findall("atom:author", NS)) if name
    )
    pdf = None
    for link in entry.findall("atom:link", NS):
        href = link.get("href") or ""
        if link.get("title") == "pdf" or "/pdf/" in href:
            pdf = href
            break
    forum = None
    for text in (comment, journal, summary):
        m = _FORUM.search(text or "")
        if m:
            forum = m.group(1)
            break
    code = find_github_urls(comment or "") or find_github_urls(summary or "")
    year = int(published[:4]) if re.match(r"^\d{4}-", published) else None
    doi = _text(entry, "arxiv:doi")
    base_id = unversioned(short_id)
    venue = journal
    for text in (journal, comment):
        m = _ICLR.search(text or "")
        if m:
            digits = m.group(1).lstrip("'")
            venue = f"ICLR {digits if len(digits) == 4 else '20' + digits}"
            break
    return PaperMeta(
        ref=PaperRef("arxiv", base_id),
        source="arxiv",
        fetched_at=fetched_at,
        title=title,
        authors=authors or None,
        abstract=summary,
        year=year,
        venue=venue,
        openreview_id=forum,
        arxiv_id=base_id,
        doi=doi.lower() if doi else None,
        forum_url=PaperRef("openreview", forum).url if forum else None,
        pdf_url=pdf,
        code_url=code[0] if code else None,
    )
