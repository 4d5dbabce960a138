"""OpenReview, API v2 and API v1: build the requests, parse the notes (no I/O here).

Hosts: v2 ``https://api2.openreview.net``, v1 ``https://api.openreview.net`` (ICLR 2017 to
2023 were run on v1, 2024 on is v2; see ``Services`` and the env overrides in
:mod:`digest.metadata.http`).

Requests
    ``GET {base}/notes?ids=<id,id,...>&details=<replies>&limit=<n>``: one request per batch of
    up to :data:`BATCH_SIZE` forum ids. v1 asks for ``details=directReplies`` (as OpenReview's
    docs for API 1 venues do), v2 for ``details=replies`` (the v2 docs example). The ``ids``
    parameter is the one OpenReview's own web pages use to load several notes at once; no
    recorded response to a multi-id query with details exists (see
    ``tests/fixtures/api/README.md``), so the envelope ``{"notes": [...], "count": n}`` is
    assumed from the API's documented note list. The parser keeps only submission notes
    whose id was asked for, so a server that ignored ``ids`` could not slip other papers in.

    ``POST {base}/login`` with ``{"id": username, "password": password}`` answers
    ``{"token": "...", "user": {...}}`` (openreview-py's ``login_user``); the token goes in
    ``Authorization: Bearer``.

Shapes
    v1 ``content.title`` is a string; v2 wraps every field as ``content.title.value``. Both
    are read through :func:`value`. Replies come in ``details.directReplies`` (v1) or
    ``details.replies`` (v2). A v1 reply names its invitation in ``invitation``; a v2 reply
    in the list ``invitations``. ICLR renamed them from year to year, so replies are told
    apart by the end of the invitation id (case-insensitive; each year's names are in its venue
    profile, ``digest/metadata/venues.toml``):

    ========  =====================================================  =====================
    year      decision                                               reviews
    ========  =====================================================  =====================
    2017      ``ICLR.cc/2017/conference/-/paper12/acceptance``         ``…/paper12/official/review``
    2018      ``ICLR.cc/2018/Conference/-/Acceptance_Decision``        ``…/-/Paper12/Official_Review``
    2019      ``…/-/Paper12/Meta_Review`` (``recommendation``)         ``…/-/Paper12/Official_Review``
    2020-23   ``ICLR.cc/2020/Conference/Paper12/-/Decision``           ``…/Paper12/-/Official_Review``
    v2        ``{venue}/Submission12/-/Decision``                     ``…/-/Official_Review``
    ========  =====================================================  =====================

    Ratings are ``"8: Top 50% of accepted papers, clear accept"`` in v1 (ICLR 2023 calls the
    field ``recommendation``) and integers (``{"value": 8}``) in v2; the leading integer is
    kept either way. The decision label (``Accept (Poster)``, ``Invite to Workshop Track``,
    ``Accept: notable-top-5%`` ...) is mapped onto :data:`digest.core.models.DECISIONS` by
    :func:`decision_from_label`; a withdrawn or desk-rejected paper is told by its own
    invitation (v1 ``…/-/Withdrawn_Submission``) or ``content.venueid`` (v2).

Errors
    The API's error body is ``{"name", "message", "status", "details"}``. Anonymous callers
    now get 403 ``ChallengeRequiredError``; no body of it was ever recorded, so
    :func:`is_challenge` accepts that name or any JSON 403 whose message mentions a challenge.
    An HTML page with a 403 (a proxy's browser check in front of the API) is not that
    challenge, and logging in would not help: :func:`is_html` tells it apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from digest.core.errors import ParseError
from digest.core.ids import PaperRef, find_github_urls, is_http_url
from digest.core.models import PaperMeta
from digest.metadata.sources import openreview_replies as R
from digest.metadata.sources.base import Request, load_json, nonblank
from digest.metadata.sources.openreview_replies import decision_from_label, value  # noqa: F401 (re-exported)
from digest.metadata.venues import Venues, shipped

V1 = "v1"
V2 = "v2"
#: Forum ids per notes request: the largest page the API documents ("The limit parameter
#: can range between 0 and 1000 inclusive", tests/fixtures/api/APIS.md section 1.2, from openreview-py's
#: ``get_notes``). Each note comes with its replies, so an answer can run to tens of MB.
BATCH_SIZE = 1000
#: The public site, for forum and PDF links.
SITE = "https://openreview.net"
SERVICE = "OpenReview"


# --------------------------------------------------------------------------- requests


def notes_request(base: str, ids: Sequence[str], api: str, token: str | None = None) -> Request:
    """The request for the submission notes (with replies) of ``ids`` on API ``api``."""
    if api not in (V1, V2):
        raise ValueError(f"unknown OpenReview API {api!r}")
    params = (
        ("ids", ",".join(ids)),
        ("details", "directReplies" if api == V1 else "replies"),
        ("limit", str(len(ids))),
    )
    return Request(
        source="openreview",
        method="GET",
        url=base.rstrip("/") + "/notes",
        params=params,
        headers=_auth(token),
        ids=tuple(ids),
        label=f"openreview-{api} notes",
    )


def login_request(base: str, username: str, password: str) -> Request:
    """``POST /login``; the body holds the password, so it is kept out of ``repr``."""
    return Request(
        source="openreview",
        method="POST",
        url=base.rstrip("/") + "/login",
        json={"id": username, "password": password},
        headers=(("Accept", "application/json"),),
        label="openreview login",
    )


def _auth(token: str | None) -> tuple[tuple[str, str], ...]:
    headers = [("Accept", "application/json")]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    return tuple(headers)


# --------------------------------------------------------------------------- errors and login


def parse_login(body: bytes, content_type: str = "") -> str:
    """The bearer token of a login answer."""
    data = load_json(body, SERVICE, content_type)
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise ParseError("OpenReview's login answer has no token")
    return token


def error_of(body: bytes) -> tuple[str, str]:
    """``(name, message)`` of an OpenReview error body; empty strings when it has none.

    Never raises: an error page that is not JSON just has no name.
    """
    try:
        data = load_json(body, SERVICE)
    except ParseError:
        return "", ""
    if not isinstance(data, dict):
        return "", ""
    name = data.get("name")
    message = data.get("message")
    return (name if isinstance(name, str) else "", message if isinstance(message, str) else "")


def is_challenge(status: int, body: bytes) -> bool:
    """True for the 403 OpenReview gives anonymous callers it wants to challenge.

    The body shape is assumed (``{"name": "ChallengeRequiredError", ...}``, after the API's
    error schema): no recording of it exists, only reports in prose.
    """
    if status != 403 or is_html(body):
        return False
    name, message = error_of(body)
    return "challenge" in f"{name} {message}".lower()


def is_html(body: bytes, content_type: str = "") -> bool:
    """True for an HTML page (a proxy's challenge or block page), not an API answer."""
    ctype = content_type.split(";")[0].strip().lower()
    head = body[:512].lstrip().lower()
    return ctype in ("text/html", "application/xhtml+xml") or head.startswith((b"<!doctype html", b"<html"))


# --------------------------------------------------------------------------- notes


def parse_notes(
    body: bytes, ids: Sequence[str], api: str, fetched_at: str, content_type: str = "",
    venues: Venues | None = None,
) -> dict[str, PaperMeta]:
    """Records for the asked ``ids`` found in a notes answer, keyed by forum id (decision
    labels read through ``venues``, the shipped profiles by default).

    Ids absent from the answer are simply absent from the result (not found on this API).
    Raises :class:`ParseError` when the envelope is not ``{"notes": [...]}``.
    """
    data = load_json(body, SERVICE, content_type)
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise ParseError('OpenReview answered without a "notes" list')
    wanted = set(ids)
    out: dict[str, PaperMeta] = {}
    for note in data["notes"]:
        if not isinstance(note, dict):
            raise ParseError("OpenReview answered with a note that is not an object")
        nid = note.get("id")
        if nid in wanted and not note.get("replyto"):
            out[nid] = note_to_meta(note, api, fetched_at, venues)
    return out


def note_to_meta(note: Mapping[str, Any], api: str, fetched_at: str, venues: Venues | None = None) -> PaperMeta:
    """One submission note (with its replies, when the answer has them) as a record; its
    decision label is read through the profile of the note's venue."""
    content = note.get("content") if isinstance(note.get("content"), dict) else {}
    forum = str(note.get("forum") or note.get("id"))

    def text(*keys: str) -> str | None:
        for key in keys:
            found = nonblank(value(content.get(key)))
            if found:
                return found
        return None

    venue, year = venue_of(note)
    venues = venues or shipped()
    said = venues.said(venue)
    profile = venues.profile(*said) if said else None
    abstract = text("abstract")
    status = R.status(note, content)
    replies = R.replies_of(note)
    reviews = R.reviews(replies or [])
    decision, label = R.decision(status, replies, content, lambda lbl: venues.decision(lbl, profile))
    ratings = tuple(r for r, _ in reviews)
    confidences: tuple[int, ...] | None = None
    if all(c is not None for _, c in reviews):
        confidences = tuple(c for _, c in reviews)  # type: ignore[misc]
    ref = PaperRef("openreview", forum)
    return PaperMeta(
        ref=ref,
        source=f"openreview-{api}",
        fetched_at=fetched_at,
        title=text("title"),
        authors=_strings(value(content.get("authors"))),
        abstract=abstract,
        keywords=_strings(value(content.get("keywords"))) or (),
        tldr=text("TL;DR", "TLDR", "tldr"),
        venue=venue,
        year=year,
        decision=decision,
        decision_label=label,
        ratings=ratings,
        confidences=confidences,
        meta_review=R.meta_review(replies or []),
        openreview_id=forum,
        forum_url=ref.url,
        pdf_url=f"{SITE}/pdf?id={forum}" if value(content.get("pdf")) else None,
        code_url=code_link(content),
    )


def code_link(content: Mapping[str, Any]) -> str | None:
    """The paper's code: an explicit ``code`` field with an http(s) URL, else the first
    GitHub repository named in the abstract, else in any other text field. Never guessed."""
    for key in ("code", "Code", "code_link"):
        url = value(content.get(key))
        if isinstance(url, str) and is_http_url(url.strip()):
            return url.strip()
    abstract = value(content.get("abstract"))
    found = find_github_urls(abstract if isinstance(abstract, str) else "")
    if found:
        return found[0]
    for key in sorted(content):
        field = value(content[key])
        if key != "abstract" and isinstance(field, str):
            found = find_github_urls(field)
            if found:
                return found[0]
    return None


def venue_of(note: Mapping[str, Any]) -> tuple[str | None, int | None]:
    """``("ICLR 2021", 2021)`` from the note's venue group (v2 ``domain``, v1 invitation)."""
    group = note.get("domain") if isinstance(note.get("domain"), str) else ""
    if not group:
        for inv in R.invitations(note):
            group = inv.split("/-/")[0]
            break
    m = re.match(r"^([A-Za-z][A-Za-z0-9\-]*?)(?:\.cc)?/(\d{4})(?:/|$)", group or "")
    if not m:
        return None, None
    return f"{m.group(1)} {m.group(2)}", int(m.group(2))


def _strings(items: Any) -> tuple[str, ...] | None:
    if not isinstance(items, list):
        return None
    return tuple(x for x in items if isinstance(x, str))
