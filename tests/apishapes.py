"""Answer bodies of OpenReview (v1, v2), arXiv and Semantic Scholar, built from corpus records.

Used by :mod:`tests.apiserver`. The submission notes, Atom entries and S2 paper objects are
shaped after the recorded responses in ``tests/fixtures/api`` (field names, nesting,
``{"value": ...}`` wrapping in v2, ``null`` items in S2 batches, empty legacy arXiv
entries). Their *values* come from the real ICLR records of ``tests/data``.

What is synthesised, and why (nothing here was recorded):

- **Reply notes** (reviews, decisions, the 2019 meta-review). No production reply envelope
  was ever recorded for v2, and no raw v1 ``details=directReplies`` envelope either. Replies
  are built from the corpus ratings, confidences and decision, with each year's invitation
  names and each year's rating wording; review *text* is not in the corpus, so reviews carry
  a placeholder sentence and no meta-review text is invented.
- **Decision strings**: the corpus keeps a status word (``Poster``, ``Talk``, ``Top-5%``);
  :data:`DECISION_STRINGS` maps it back to OpenReview's words (``Accept (Poster)`` ...).
- **arXiv ids and Semantic Scholar ids**: the corpus has none, so :func:`mock_arxiv_id`
  numbers the papers (``2010.00001`` for the first 2021 record, and so on) and the
  Semantic Scholar corpus id is ``100000 + index``. A comment linking the OpenReview forum
  is put on the arXiv entry (real ICLR preprints often say "Published at ICLR 2021").
- ``citationCount`` is 0 (the corpus has no counts) and ``tldr`` is null.
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from xml.sax.saxutils import escape as _escape
from xml.sax.saxutils import quoteattr

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape(text: str) -> str:
    """XML-escaped text without the control characters XML 1.0 forbids (one 2021 abstract
    has a stray U+000F; arXiv's own feeds never carry them)."""
    return _escape(_NOT_XML.sub("", text))


DECISION_STRINGS = {
    "Oral": "Accept (Oral)",
    "Talk": "Accept (Talk)",
    "Spotlight": "Accept (Spotlight)",
    "Poster": "Accept (Poster)",
    "Top-5%": "Accept: notable-top-5%",
    "Top-25%": "Accept: notable-top-25%",
    "Workshop": "Invite to Workshop Track",
    "Reject": "Reject",
}
#: ICLR's 1-10 review scale (2017-2019, 2021) as the review forms word it.
RATING_WORDS = {
    10: "Top 5% of accepted papers, seminal paper",
    9: "Top 15% of accepted papers, strong accept",
    8: "Top 50% of accepted papers, clear accept",
    7: "Good paper, accept",
    6: "Marginally above acceptance threshold",
    5: "Marginally below acceptance threshold",
    4: "Ok but not good enough - rejection",
    3: "Clear rejection",
    2: "Strong rejection",
    1: "Trivial or wrong",
}
RATING_WORDS_2020 = {8: "Accept", 6: "Weak Accept", 3: "Weak Reject", 1: "Reject"}
CONFIDENCE_WORDS = {
    5: "The reviewer is absolutely certain that the evaluation is correct and very familiar with the relevant literature",
    4: "The reviewer is confident but not absolutely certain that the evaluation is correct",
    3: "The reviewer is fairly confident that the evaluation is correct",
    2: "The reviewer is willing to defend the evaluation, but it is quite likely that the reviewer did not understand central parts of the paper",
    1: "The reviewer's evaluation is an educated guess",
}
PLACEHOLDER_REVIEW = "(review text is not part of the test corpus)"


def mock_arxiv_id(year: int, index: int) -> str:
    """A made-up arXiv id for the ``index``-th record of ``year`` (preprints of October)."""
    return f"{(year - 1) % 100:02d}10.{index + 1:05d}"


def s2_corpus_id(index: int) -> int:
    return 100000 + index


def _cdate(year: int, number: int, offset: int = 0) -> int:
    return (year - 1970) * 31_557_600_000 + number * 1000 + offset


def _rating(year: int, value: int) -> str:
    words = RATING_WORDS_2020 if year == 2020 else RATING_WORDS
    return f"{value}: {words.get(value, 'Rating')}"


def _confidence(value: int) -> str:
    return f"{value}: {CONFIDENCE_WORDS.get(value, 'Confidence')}"


# --------------------------------------------------------------------------- OpenReview v1


def v1_note(record: dict, number: int, details: str | None) -> dict:
    """A v1 submission note (``content.title`` a plain string), with direct replies on request."""
    year, forum, label = record["year"], record["forum"], record["decision"]
    group = "ICLR.cc/2017/conference" if year == 2017 else f"ICLR.cc/{year}/Conference"
    kind = {"Withdraw": "Withdrawn_Submission", "Desk Reject": "Desk_Rejected_Submission"}.get(label)
    invitation = f"{group}/-/{kind or ('submission' if year == 2017 else 'Blind_Submission')}"
    content: dict = {}
    for key in ("title", "authors", "abstract"):
        if record[key] is not None:
            content[key] = record[key]
    content["keywords"] = list(record["keywords"])
    if record["tldr"] is not None:
        content["TL;DR"] = record["tldr"]
    content["pdf"] = f"/pdf/{hashlib.sha1(forum.encode()).hexdigest()}.pdf"
    note = {
        "id": forum,
        "original": None,
        "number": number,
        "cdate": _cdate(year, number),
        "tcdate": _cdate(year, number),
        "ddate": None,
        "content": content,
        "forum": forum,
        "referent": None,
        "invitation": invitation,
        "replyto": None,
        "readers": ["everyone"],
        "nonreaders": [],
        "signatures": [f"{group}/Paper{number}/Authors"],
        "writers": [f"{group}/Paper{number}/Authors"],
    }
    if details:
        replies = _v1_reviews(record, number, group) + _v1_decision(record, number, group)
        note["details"] = {"replyCount": len(replies), "directReplies": replies}
    return note


def _v1_reviews(record: dict, number: int, group: str) -> list[dict]:
    year = record["year"]
    out = []
    confidences = record["confidences"]
    for i, rating in enumerate(record["ratings"]):
        if year == 2017:
            inv = f"{group}/-/paper{number}/official/review"
        elif year <= 2019:
            inv = f"{group}/-/Paper{number}/Official_Review"
        else:
            inv = f"{group}/Paper{number}/-/Official_Review"
        content = {"title": f"Review {i + 1}", "review": PLACEHOLDER_REVIEW}
        content["recommendation" if year >= 2023 else "rating"] = _rating(year, rating)
        if confidences is not None:
            content["confidence"] = _confidence(confidences[i])
        out.append(
            _v1_reply(record, number, inv, content, i + 1, f"{group}/Paper{number}/AnonReviewer{i + 1}")
        )
    return out


def _v1_decision(record: dict, number: int, group: str) -> list[dict]:
    year, label = record["year"], record["decision"]
    text = DECISION_STRINGS.get(label)
    if text is None:  # Withdraw, Desk Reject, Active: no decision note
        return []
    if year == 2017:
        inv, content = (
            f"{group}/-/paper{number}/acceptance",
            {"title": "ICLR committee final decision", "decision": text},
        )
    elif year == 2018:
        inv, content = f"{group}/-/Acceptance_Decision", {"title": "Acceptance Decision", "decision": text}
    elif year == 2019:
        inv, content = (
            f"{group}/-/Paper{number}/Meta_Review",
            {"title": "Meta review", "recommendation": text},
        )
    else:
        inv, content = f"{group}/Paper{number}/-/Decision", {"title": "Paper Decision", "decision": text}
    return [_v1_reply(record, number, inv, content, 90, f"{group}/Program_Chairs")]


def _v1_reply(record: dict, number: int, invitation: str, content: dict, n: int, signature: str) -> dict:
    forum = record["forum"]
    return {
        "id": hashlib.sha1(f"{forum}/{invitation}/{n}".encode()).hexdigest()[:10],
        "original": None,
        "number": n,
        "cdate": _cdate(record["year"], number, n),
        "tcdate": _cdate(record["year"], number, n),
        "ddate": None,
        "content": content,
        "forum": forum,
        "referent": None,
        "invitation": invitation,
        "replyto": forum,
        "readers": ["everyone"],
        "nonreaders": [],
        "signatures": [signature],
        "writers": [signature],
        "details": {"replyCount": 0},
    }


# --------------------------------------------------------------------------- OpenReview v2


def v2_note(record: dict, number: int, details: str | None) -> dict:
    """A v2 submission note: every content field wrapped as ``{"value": ...}``."""
    year, forum, label = record["year"], record["forum"], record["decision"]
    domain = f"ICLR.cc/{year}/Conference"
    accepted = label in ("Oral", "Talk", "Spotlight", "Poster", "Top-5%", "Top-25%")
    venueid = {
        "Reject": f"{domain}/Rejected_Submission",
        "Withdraw": f"{domain}/Withdrawn_Submission",
        "Desk Reject": f"{domain}/Desk_Rejected_Submission",
        "Active": f"{domain}/Submission",
    }.get(label, domain)
    content: dict = {}
    for key in ("title", "authors", "abstract"):
        if record[key] is not None:
            content[key] = {"value": record[key]}
    content["keywords"] = {"value": list(record["keywords"])}
    if record["tldr"] is not None:
        content["TLDR"] = {"value": record["tldr"]}
    content["pdf"] = {"value": f"/pdf/{hashlib.sha1(forum.encode()).hexdigest()}.pdf"}
    content["venueid"] = {"value": venueid}
    content["venue"] = {"value": f"ICLR {year} {label.lower()}" if accepted else f"Submitted to ICLR {year}"}
    note = {
        "id": forum,
        "forum": forum,
        "number": number,
        "cdate": _cdate(year, number),
        "mdate": _cdate(year, number),
        "domain": domain,
        "invitations": [f"{domain}/-/Submission", f"{domain}/-/Post_Submission"],
        "content": content,
        "readers": ["everyone"],
        "replyto": None,
        "signatures": [f"{domain}/Submission{number}/Authors"],
        "writers": [domain, f"{domain}/Submission{number}/Authors"],
        "license": "CC BY 4.0",
    }
    if details:
        replies = []
        for i, rating in enumerate(record["ratings"]):
            rc = {"rating": {"value": rating}, "review": {"value": PLACEHOLDER_REVIEW}}
            if record["confidences"] is not None:
                rc["confidence"] = {"value": record["confidences"][i]}
            replies.append(_v2_reply(record, number, "Official_Review", rc, i + 1))
        if label in DECISION_STRINGS:
            replies.append(
                _v2_reply(record, number, "Decision", {"decision": {"value": DECISION_STRINGS[label]}}, 90)
            )
        note["details"] = {"replies": replies}
    return note


def _v2_reply(record: dict, number: int, name: str, content: dict, n: int) -> dict:
    domain = f"ICLR.cc/{record['year']}/Conference"
    return {
        "id": hashlib.sha1(f"{record['forum']}/{name}/{n}".encode()).hexdigest()[:10],
        "forum": record["forum"],
        "replyto": record["forum"],
        "number": n,
        "cdate": _cdate(record["year"], number, n),
        "domain": domain,
        "invitations": [f"{domain}/Submission{number}/-/{name}"],
        "parentInvitations": f"{domain}/-/{name}",
        "content": content,
        "readers": ["everyone"],
        "signatures": [f"{domain}/Submission{number}/Reviewer_{n}"],
        "version": 2,
    }


# --------------------------------------------------------------------------- arXiv


def atom_entry(record: dict, arxiv_id: str, link_forum: bool, legacy: bool) -> str:
    """One Atom ``<entry>`` in the legacy (hard-wrapped, http) or current format."""
    year = record["year"]
    title = record["title"] or ""
    summary = record["abstract"] or ""
    scheme = "http" if legacy else "https"
    if legacy:
        title = "\n  ".join(textwrap.wrap(title, 70)) or title
        summary = "  " + "\n".join(textwrap.wrap(summary, 78)) + "\n"
    comment = f"Published as a conference paper at ICLR {year}"
    if link_forum:
        comment += f"; reviews: https://openreview.net/forum?id={record['forum']}"
    authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in record["authors"] or [])
    ns = ' xmlns:arxiv="http://arxiv.org/schemas/atom"' if legacy else ""
    return (
        "<entry>"
        f"<id>http://arxiv.org/abs/{arxiv_id}v1</id>"
        f"<title>{escape(title)}</title>"
        f"<updated>{year - 1}-10-02T12:00:00Z</updated>"
        f'<link href="{scheme}://arxiv.org/abs/{arxiv_id}v1" rel="alternate" type="text/html"/>'
        f'<link href="{scheme}://arxiv.org/pdf/{arxiv_id}v1" rel="related" type="application/pdf" title="pdf"/>'
        f"<summary>{escape(summary)}</summary>"
        '<category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>'
        f"<published>{year - 1}-10-02T12:00:00Z</published>"
        f"<arxiv:comment{ns}>{escape(comment)}</arxiv:comment>"
        f'<arxiv:primary_category{ns} term="cs.LG"/>'
        f"{authors}"
        "</entry>"
    )


EMPTY_LEGACY_ENTRY = (
    '<entry><arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="" '
    'scheme="http://arxiv.org/schemas/atom"/><category term="" scheme="http://arxiv.org/schemas/atom"/></entry>'
)


def atom_feed(query: str, entries: list[str], total: int, per_page: int, legacy: bool) -> bytes:
    if legacy:
        head = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f'<link href="http://arxiv.org/api/query?{escape(query)}" rel="self" type="application/atom+xml"/>'
            f'<title type="html">ArXiv Query: {escape(query)}</title>'
            "<id>http://arxiv.org/api/local</id><updated>2025-08-24T00:00:00-04:00</updated>"
            f'<opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{total}</opensearch:totalResults>'
            f'<opensearch:itemsPerPage xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">{per_page}</opensearch:itemsPerPage>'
        )
    else:
        head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
            f"<id>https://arxiv.org/api/local</id><title>arXiv Query: {escape(query)}</title>"
            "<updated>2026-04-12T22:10:19Z</updated>"
            f"<opensearch:itemsPerPage>{per_page}</opensearch:itemsPerPage>"
            f"<opensearch:totalResults>{total}</opensearch:totalResults>"
            "<opensearch:startIndex>0</opensearch:startIndex>"
        )
    return (head + "".join(entries) + "</feed>\n").encode("utf-8")


def atom_error(bad_id: str) -> bytes:
    """The HTTP 400 body arXiv sends for a malformed id (after ``arxiv-error.xml``)."""
    anchor = f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad_id}"
    return (
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">'
        "<id>https://arxiv.org/</id><title>arXiv Search Results</title><updated>2026-04-12T22:59:06Z</updated>"
        "<opensearch:itemsPerPage>1</opensearch:itemsPerPage><opensearch:totalResults>1</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>"
        f"<entry><id>{escape(anchor)}</id><title>Error</title><updated>2026-04-12T22:59:06Z</updated>"
        f'<link href={quoteattr(anchor)} rel="alternate" type="text/html"/>'
        f"<summary>incorrect id format for {escape(bad_id)}</summary>"
        "<author><name>arXiv api core</name></author></entry></feed>\n"
    ).encode()


# --------------------------------------------------------------------------- Semantic Scholar


def s2_paper(record: dict, index: int, arxiv_id: str) -> dict:
    """An S2 paper object with the batch request's fields, in the shape of ``s2-batch.json``."""
    pdf = (
        {"url": f"https://arxiv.org/pdf/{arxiv_id}", "status": "GREEN", "license": None}
        if index % 2
        else {"url": "", "status": None, "license": None}
    )
    return {
        "paperId": hashlib.sha1(record["forum"].encode()).hexdigest(),
        "externalIds": {
            "ArXiv": arxiv_id,
            "DOI": f"10.48550/arXiv.{arxiv_id}",
            "CorpusId": s2_corpus_id(index),
        },
        "url": f"https://www.semanticscholar.org/paper/{hashlib.sha1(record['forum'].encode()).hexdigest()}",
        "title": record["title"],
        "abstract": record["abstract"],
        "venue": "International Conference on Learning Representations",
        "year": record["year"],
        "citationCount": 0,
        "openAccessPdf": pdf,
        "tldr": None,
        "authors": [{"authorId": None, "name": a} for a in record["authors"] or []],
    }
