"""OpenReview, a whole venue year: the paged submission list and its compact papers (no I/O).

Requests
    ``GET {base}/notes?invitation=<id>&details=<replies>&limit=1000&offset=<n>&sort=number:asc``:
    one page of a venue year's submissions with their replies. The invitation ids come from
    the year's venue profile (``digest/metadata/venues.toml``): its ``submission`` invitation
    (v1 ``…/-/Blind_Submission``, v2 ``…/-/Submission``), then, where the profile names them,
    ``withdrawn`` and ``desk_rejected`` (API v1 moves a withdrawn blind submission to an
    invitation of its own, so the submission list alone would miss it; on v2 a withdrawn paper
    keeps ``/-/Submission`` and says so in ``content.venueid``). ``limit`` is the API's maximum,
    1000 (tests/fixtures/api/APIS.md 1.2), ``offset`` pages as OpenReview's docs show
    (``get_notes(invitation=…, limit=…, offset=…)``). ``sort=number:asc`` is not in the docs'
    paging example: it is the API's documented ``sort`` parameter with a value third-party
    scripts send, added so consecutive offsets walk one fixed order. v1 asks for
    ``details=directReplies``, v2 for ``details=replies``, as the per-paper request does.

Answer
    ``{"notes": [...], "count": n}`` (the v2 spec's envelope; ``count`` is used only when an
    answer has it). A page is the last when it holds fewer notes than asked and ``count`` (if
    given) is reached.

Papers
    Each submission note becomes a :class:`~digest.core.models.VenuePaper` through the same reply
    reading as a paper record (:mod:`digest.metadata.sources.openreview_replies`): decision from
    the withdrawal or desk-rejection invitation, the decision note, the 2019 meta-review's
    recommendation or v2's ``content.venueid``; ratings and confidences from the official
    reviews (``"8: Top 50% …"`` -> 8); keywords from ``content.keywords``. Nothing else is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from digest.core.errors import ParseError
from digest.core.models import CONFIDENCE_SCALE, VenuePaper
from digest.metadata.sources import openreview_replies as R
from digest.metadata.sources.base import Request, load_json
from digest.metadata.venues import Profile, Venues

#: Notes per page: the API's maximum (APIS.md 1.2).
PAGE_SIZE = 1000
#: Invitation kinds of a profile whose notes are submissions, in the order they are paged.
LISTED = ("submission", "withdrawn", "desk_rejected")
SERVICE = "OpenReview"


class UnknownDecision(ParseError):
    """A decision label neither the venue profile nor the label words know."""


def listed_invitations(profile: Profile) -> tuple[str, ...]:
    """The invitations whose notes are the venue year's submissions (see the module doc)."""
    return tuple(profile.invitations[k] for k in LISTED if profile.invitations.get(k))


def page_request(base: str, invitation: str, api: str, offset: int, token: str | None = None,
                 limit: int = PAGE_SIZE) -> Request:
    """One page of the submissions of ``invitation`` from ``offset`` on."""
    headers = [("Accept", "application/json")]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    params = (
        ("invitation", invitation),
        ("details", "directReplies" if api == "v1" else "replies"),
        ("limit", str(limit)),
        ("offset", str(offset)),
        ("sort", "number:asc"),
    )
    return Request(source="openreview", method="GET", url=base.rstrip("/") + "/notes", params=params,
                   headers=tuple(headers), label=f"openreview-{api} venue pages")


def parse_page(body: bytes, content_type: str = "") -> tuple[list[dict], int | None]:
    """The notes of a page and the answer's ``count`` (None when absent); raises
    :class:`ParseError` for anything but ``{"notes": [object, ...]}``."""
    data = load_json(body, SERVICE, content_type)
    if not isinstance(data, dict) or not isinstance(data.get("notes"), list):
        raise ParseError('OpenReview answered without a "notes" list')
    notes = data["notes"]
    for note in notes:
        if not isinstance(note, dict) or not isinstance(note.get("id"), str) or not note["id"]:
            raise ParseError("OpenReview answered with a note that is not an object with an id")
    count = data.get("count")
    return notes, count if isinstance(count, int) and not isinstance(count, bool) else None


def venue_paper(note: Mapping[str, Any], profile: Profile, venues: Venues) -> VenuePaper:
    """One submission note (with its replies) as its venue record keeps it."""
    content = note.get("content") if isinstance(note.get("content"), dict) else {}
    replies = R.replies_of(note)
    if replies is None:  # without them every paper would look unreviewed and undecided
        raise ParseError(f"OpenReview answered without the replies of paper {note['id']} (no "
                         "details.directReplies or details.replies)")
    reviews = R.reviews(replies)
    tier, label = R.decision(R.status(note, content), replies, content,
                             lambda lbl: venues.decision(lbl, profile))
    if tier is None:
        raise UnknownDecision(f"OpenReview: paper {note['id']} has the decision {label!r}, which the "
                              f"{profile.name} profile does not know (add it to the year's decisions in "
                              "digest/metadata/venues.toml)")
    ratings = tuple(r for r, _ in reviews)
    keywords = R.value(content.get("keywords"))
    return VenuePaper(
        id=str(note["id"]),
        decision=tier,
        ratings=ratings,
        confidences=on_scale([c for _, c in reviews]),
        keywords=tuple(k for k in keywords if isinstance(k, str)) if isinstance(keywords, list) else (),
    )


def on_scale(values: list[int | None] | None) -> tuple[int, ...] | None:
    """A paper's confidences, or None when any is missing or off the confidence scale (so the
    rating x confidence grid leaves the paper out rather than guessing)."""
    low, high, _name = CONFIDENCE_SCALE
    if values is None or not all(v is not None and low <= v <= high for v in values):
        return None
    return tuple(values)  # type: ignore[arg-type]
