"""OpenReview replies: which reply is a review, a meta-review or a decision, and what they say.

Split out of :mod:`digest.metadata.sources.openreview` (which documents the invitation names of each
ICLR year); pure functions over the decoded note dicts, v1 and v2 alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from digest.metadata.sources.base import first_int, nonblank
from digest.metadata.venues import shipped


def value(field: Any) -> Any:
    """A content field's value: v2 wraps it as ``{"value": x}``, v1 stores ``x`` itself."""
    if isinstance(field, dict) and "value" in field:
        return field["value"]
    return field


def decision_from_label(label: str | None) -> str | None:
    """Map a decision label to :data:`~digest.core.models.DECISIONS` by the label words of
    ``venues.toml``, or None if not recognised (a note's own profile is tried first by
    :func:`decision`'s ``tier``).

    >>> [decision_from_label(x) for x in ("Accept (Talk)", "Accept: notable-top-25%",
    ...  "Invite to Workshop Track", "Reject", "Accept (Poster)")]
    ['oral', 'spotlight', 'workshop', 'reject', 'poster']
    """
    return shipped().decision(label)


def invitations(note: Mapping[str, Any]) -> list[str]:
    names: list[str] = []
    inv = note.get("invitation")
    if isinstance(inv, str):
        names.append(inv)
    invs = note.get("invitations")
    if isinstance(invs, list):
        names.extend(i for i in invs if isinstance(i, str))
    return names


def kind(reply: Mapping[str, Any]) -> str:
    """``review``, ``meta``, ``decision``, ``withdrawn``, ``desk-reject`` or ``other``."""
    for inv in invitations(reply):
        tail = inv.lower()
        if re.search(r"official[_/]review$", tail):
            return "review"
        if re.search(r"meta[_/]?review$", tail):
            return "meta"
        if re.search(r"(decision|/acceptance)$", tail):
            return "decision"
        if re.search(r"desk[_/]?reject\w*$", tail):
            return "desk-reject"
        if re.search(r"withdraw\w*$", tail):
            return "withdrawn"
    return "other"


def replies_of(note: Mapping[str, Any]) -> list[dict] | None:
    """The note's replies, or None when the answer carried no reply details at all."""
    details = note.get("details")
    if not isinstance(details, dict):
        return None
    for key in ("directReplies", "replies"):
        found = details.get(key)
        if isinstance(found, list):
            return [r for r in found if isinstance(r, dict)]
    return None


def ordered(replies: list[dict]) -> list[dict]:
    def key(item: tuple[int, dict]) -> tuple:
        index, reply = item
        cdate = reply.get("cdate") if isinstance(reply.get("cdate"), (int, float)) else None
        return (cdate is None, cdate or 0, index)

    return [r for _, r in sorted(enumerate(replies), key=key)]


def reviews(replies: list[dict]) -> list[tuple[int, int | None]]:
    out = []
    for reply in ordered(replies):
        if kind(reply) != "review":
            continue
        content = reply.get("content") if isinstance(reply.get("content"), dict) else {}
        rating = first_int(value(content.get("rating")))
        if rating is None:
            rating = first_int(value(content.get("recommendation")))
        if rating is None:
            continue
        out.append((rating, first_int(value(content.get("confidence")))))
    return out


def status(note: Mapping[str, Any], content: Mapping[str, Any]) -> str | None:
    """What the submission note itself says: withdrawn, desk-reject, reject, accepted, pending."""
    for inv in invitations(note):
        tail = inv.lower()
        if tail.endswith("withdrawn_submission"):
            return "withdrawn"
        if tail.endswith("desk_rejected_submission"):
            return "desk-reject"
    venueid = value(content.get("venueid"))
    domain = note.get("domain")
    if isinstance(venueid, str) and venueid:
        low = venueid.lower()
        if low.endswith("/withdrawn_submission"):
            return "withdrawn"
        if low.endswith("/desk_rejected_submission"):
            return "desk-reject"
        if low.endswith("/rejected_submission"):
            return "reject"
        if low.endswith("/submission"):
            return "pending"
        if isinstance(domain, str) and venueid == domain:
            return "accepted"
    return None


def decision(
    status: str | None,
    replies: list[dict] | None,
    content: Mapping[str, Any],
    tier: Callable[[str | None], str | None] = decision_from_label,
) -> tuple[str | None, str | None]:
    """``(decision, label)``: the paper's own status wins for withdrawals, then the decision
    note, then a meta-review's recommendation (ICLR 2019), then the v2 venue string; ``tier``
    maps a label onto the tiers."""
    if status in ("withdrawn", "desk-reject"):
        return status, "Withdrawn Submission" if status == "withdrawn" else "Desk Rejected Submission"
    for wanted in ("withdrawn", "desk-reject"):
        for reply in replies or []:
            if kind(reply) == wanted:
                return wanted, None
    for wanted_kind, key in (("decision", "decision"), ("meta", "recommendation")):
        for reply in ordered(replies or []):
            if kind(reply) != wanted_kind:
                continue
            rc = reply.get("content") if isinstance(reply.get("content"), dict) else {}
            label = nonblank(value(rc.get(key)))
            if label:
                return tier(label), label
    if status == "accepted":
        venue = nonblank(value(content.get("venue")))
        return tier(venue) or "poster", venue
    if status == "reject":
        return "reject", nonblank(value(content.get("venue")))
    if status == "pending" or replies is not None:
        return "pending", None
    return None, None


def meta_review(replies: list[dict]) -> str | None:
    """The area chair's text: a meta-review's ``metareview*`` field, else a decision's comment."""
    for wanted_kind in ("meta", "decision"):
        for reply in ordered(replies):
            if kind(reply) != wanted_kind:
                continue
            rc = reply.get("content") if isinstance(reply.get("content"), dict) else {}
            for key in sorted(rc):
                if key.lower().startswith("metareview") or (wanted_kind == "decision" and key == "comment"):
                    found = nonblank(value(rc[key]))
                    if found:
                        return found
    return None
