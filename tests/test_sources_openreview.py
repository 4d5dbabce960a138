"""OpenReview parsers against the recorded notes in tests/fixtures/api (v1 and v2 shapes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.core.errors import ParseError
from digest.metadata.sources import openreview as orv

FIX = Path(__file__).parent / "fixtures" / "api"


def fixture(name: str):
    return json.loads((FIX / name).read_text(encoding="utf-8"))


def envelope(*notes: dict) -> bytes:
    """The ``{"notes": [...], "count": n}`` envelope of GET /notes (assumed: see the module doc)."""
    return json.dumps({"notes": list(notes), "count": len(notes)}).encode()


def crawled_submissions() -> list[dict]:
    """The v1 crawl, with the crawler's own ``notes`` array moved where the API puts replies
    (``details.directReplies``); nothing else is changed."""
    subs = fixture("openreview-v1-notes-with-replies.crawled.json")[0]["submissions"]
    out = []
    for sub in subs:
        note = {k: v for k, v in sub.items() if k not in ("notes", "revisions")}
        note["details"] = {"replyCount": len(sub["notes"]), "directReplies": sub["notes"]}
        out.append(note)
    return out


# --------------------------------------------------------------------------- v2


def test_v2_docs_example_reads_wrapped_values_and_integer_ratings():
    note = fixture("openreview-v2-note-with-replies.docs-example.json")
    found = orv.parse_notes(envelope(note), ["WEIzUBsDX6"], orv.V2, "2026-11-01T00:00:00Z")
    meta = found["WEIzUBsDX6"]
    assert meta.title == "Paper title 1"
    assert meta.authors == ("SomeFirstName User", "First Last", "Andrew Mc")
    assert meta.abstract == "This is an abstract 1"
    assert meta.keywords == ("machine learning", "nlp")
    assert meta.ratings == (10,) and meta.confidences == (5,)  # the Official_Comment is not a review
    assert meta.venue == "TC 2024" and meta.year == 2024
    assert meta.decision == "pending"  # venueid TC/2024/Conference/Submission: still under review
    assert meta.source == "openreview-v2" and meta.fetched_at == "2026-11-01T00:00:00Z"
    assert meta.forum_url == "https://openreview.net/forum?id=WEIzUBsDX6"
    assert meta.pdf_url == "https://openreview.net/pdf?id=WEIzUBsDX6"


def test_v2_decision_reply_and_venueid():
    note = fixture("openreview-v2-note-with-replies.docs-example.json")
    note["content"]["venueid"] = {"value": "TC/2024/Conference"}
    note["details"]["replies"].append(
        {
            "id": "dec1",
            "forum": "WEIzUBsDX6",
            "replyto": "WEIzUBsDX6",
            "invitations": ["TC/2024/Conference/Submission1/-/Decision"],
            "content": {"decision": {"value": "Accept (Oral)"}, "comment": {"value": "Clear accept."}},
        }
    )
    meta = orv.note_to_meta(note, orv.V2, "t")
    assert (meta.decision, meta.decision_label, meta.meta_review) == (
        "oral",
        "Accept (Oral)",
        "Clear accept.",
    )


@pytest.mark.parametrize(
    ("venueid", "decision"),
    [
        ("TC/2024/Conference/Rejected_Submission", "reject"),
        ("TC/2024/Conference/Withdrawn_Submission", "withdrawn"),
        ("TC/2024/Conference/Desk_Rejected_Submission", "desk-reject"),
        ("TC/2024/Conference", "poster"),
    ],
)
def test_v2_status_from_venueid(venueid, decision):
    note = fixture("openreview-v2-note-with-replies.docs-example.json")
    note["content"]["venueid"] = {"value": venueid}
    assert orv.note_to_meta(note, orv.V2, "t").decision == decision


# --------------------------------------------------------------------------- v1


def test_v1_crawled_notes_plain_strings_and_string_ratings():
    notes = crawled_submissions()
    found = orv.parse_notes(envelope(*notes), ["HkghWScuoQ", "r1eLk2mKiX"], orv.V1, "t")
    first = found["HkghWScuoQ"]
    assert first.title == "Targeted Dropout"
    assert first.authors[0] == "Aidan N. Gomez" and len(first.authors) == 5
    assert first.ratings == (4,) and first.confidences == (2,)
    assert (first.decision, first.decision_label) == ("poster", "accept")
    assert first.venue == "NIPS 2018" and first.year == 2018
    assert first.keywords == ()
    second = found["r1eLk2mKiX"]
    assert second.title == "Rethinking the Value of Network Pruning"
    assert second.ratings == (4, 4, 4) and second.confidences == (2, 2, 2)
    assert second.tldr.startswith("In network pruning, fine-tuning a pruned model")


def test_only_asked_submissions_are_kept():
    notes = crawled_submissions()
    reply = notes[0]["details"]["directReplies"][0]
    found = orv.parse_notes(envelope(*notes, reply), ["HkghWScuoQ", reply["id"]], orv.V1, "t")
    assert list(found) == ["HkghWScuoQ"]  # a reply is not a paper, r1eLk2mKiX was not asked


def _v1_with(review_content: dict, year: int) -> dict:
    group = f"ICLR.cc/{year}/Conference"
    return {
        "id": "B1xyzPaper",
        "forum": "B1xyzPaper",
        "invitation": f"{group}/-/Blind_Submission",
        "content": {"title": "A paper"},
        "details": {
            "directReplies": [
                {"id": "r1", "invitation": f"{group}/-/Paper7/Official_Review", "content": review_content}
            ]
        },
    }


def test_v1_iclr2019_review_content():
    meta = orv.note_to_meta(
        _v1_with(fixture("openreview-v1-review-content-iclr2019.json"), 2019), orv.V1, "t"
    )
    assert meta.ratings == (6,) and meta.confidences == (4,)
    assert meta.venue == "ICLR 2019"


def test_v1_iclr2020_review_has_no_confidence():
    meta = orv.note_to_meta(
        _v1_with(fixture("openreview-v1-review-content-iclr2020.json"), 2020), orv.V1, "t"
    )
    assert meta.ratings == (6,)  # "6: Weak Accept"
    assert meta.confidences is None  # the 2020 form asked for experience_assessment instead


def _reply(invitation: str, content: dict, cdate: int = 1) -> dict:
    return {"id": f"x{cdate}", "invitation": invitation, "content": content, "cdate": cdate}


@pytest.mark.parametrize(
    ("year", "review_inv", "decision_reply", "expected"),
    [
        (
            2017,
            "ICLR.cc/2017/conference/-/paper12/official/review",
            _reply(
                "ICLR.cc/2017/conference/-/paper12/acceptance", {"decision": "Invite to Workshop Track"}, 9
            ),
            "workshop",
        ),
        (
            2018,
            "ICLR.cc/2018/Conference/-/Paper12/Official_Review",
            _reply(
                "ICLR.cc/2018/Conference/-/Acceptance_Decision",
                {"decision": "Accept (Oral)", "comment": "AC"},
                9,
            ),
            "oral",
        ),
        (
            2019,
            "ICLR.cc/2019/Conference/-/Paper12/Official_Review",
            _reply(
                "ICLR.cc/2019/Conference/-/Paper12/Meta_Review",
                {"recommendation": "Accept (Poster)", "metareview": "MR"},
                9,
            ),
            "poster",
        ),
        (
            2020,
            "ICLR.cc/2020/Conference/Paper12/-/Official_Review",
            _reply("ICLR.cc/2020/Conference/Paper12/-/Decision", {"decision": "Accept (Talk)"}, 9),
            "oral",
        ),
        (
            2023,
            "ICLR.cc/2023/Conference/Paper12/-/Official_Review",
            _reply("ICLR.cc/2023/Conference/Paper12/-/Decision", {"decision": "Accept: notable-top-25%"}, 9),
            "spotlight",
        ),
    ],
)
def test_v1_invitation_names_of_each_year(year, review_inv, decision_reply, expected):
    key = "recommendation" if year == 2023 else "rating"
    reviews = [
        _reply(
            review_inv, {key: "8: Top 50% of accepted papers, clear accept", "confidence": "4: confident"}, 3
        ),
        _reply(review_inv, {key: "5: Marginally below acceptance threshold", "confidence": "2: willing"}, 2),
    ]
    group = "ICLR.cc/2017/conference" if year == 2017 else f"ICLR.cc/{year}/Conference"
    note = {
        "id": "P12",
        "forum": "P12",
        "invitation": f"{group}/-/Blind_Submission",
        "content": {"title": "T"},
        "details": {"directReplies": [decision_reply, *reviews]},
    }
    meta = orv.note_to_meta(note, orv.V1, "t")
    assert meta.decision == expected
    assert meta.ratings == (5, 8) and meta.confidences == (2, 4)  # in posting order (cdate)
    assert meta.year == year and meta.venue == f"ICLR {year}"


def test_v1_withdrawn_submission_invitation():
    note = {
        "id": "W1",
        "forum": "W1",
        "invitation": "ICLR.cc/2021/Conference/-/Withdrawn_Submission",
        "content": {"title": "T"},
        "details": {"directReplies": []},
    }
    meta = orv.note_to_meta(note, orv.V1, "t")
    assert (meta.decision, meta.ratings, meta.confidences) == ("withdrawn", (), ())


def test_without_reply_details_the_decision_is_unknown():
    note = crawled_submissions()[0]
    del note["details"]
    meta = orv.note_to_meta(note, orv.V1, "t")
    assert meta.decision is None and meta.ratings == () and meta.confidences == ()


@pytest.mark.parametrize(
    ("label", "decision"),
    [
        ("Accept (Oral)", "oral"),
        ("Accept (Talk)", "oral"),
        ("Accept: notable-top-5%", "oral"),
        ("Accept (Spotlight)", "spotlight"),
        ("Accept: notable-top-25%", "spotlight"),
        ("Accept (Poster)", "poster"),
        ("Accept: poster", "poster"),
        ("ICLR 2024 poster", "poster"),
        ("Invite to Workshop Track", "workshop"),
        ("Reject", "reject"),
        ("Desk Rejected Submission", "desk-reject"),
        ("Withdrawn Submission", "withdrawn"),
        ("Under discussion", None),
        ("", None),
    ],
)
def test_decision_labels(label, decision):
    assert orv.decision_from_label(label) == decision


def test_code_link_explicit_field_then_github_in_abstract():
    assert orv.code_link({"code": {"value": "https://gitlab.com/a/b"}}) == "https://gitlab.com/a/b"
    text = "We release code at https://github.com/automl/RobustDARTS."
    assert orv.code_link({"abstract": text}) == "https://github.com/automl/RobustDARTS"
    assert (
        orv.code_link({"abstract": "no code", "TL;DR": "see github.com/x/y"}) is None
    )  # no scheme: not a URL
    assert orv.code_link({"abstract": "none here"}) is None


# --------------------------------------------------------------------------- envelopes and errors


@pytest.mark.parametrize(
    ("body", "ctype", "message"),
    [
        (b'[{"id": "a"}]', "application/json", 'without a "notes" list'),
        (b'{"notes": [{"id": "a"', "application/json", "JSON that cannot be read"),
        (b"<html><body>Checking your browser</body></html>", "text/html", "HTML page instead of JSON"),
        (b"", "application/json", "empty body"),
        (b'{"notes": ["a"]}', "application/json", "not an object"),
    ],
)
def test_bad_envelopes_raise_parse_error(body, ctype, message):
    with pytest.raises(ParseError, match=message):
        orv.parse_notes(body, ["a"], orv.V1, "t", ctype)


def test_recorded_429_body_and_the_assumed_challenge():
    body = (FIX / "openreview-429-ratelimit.json").read_bytes()
    name, message = orv.error_of(body)
    assert name == "RateLimitError" and message.startswith("Too many requests")
    assert not orv.is_challenge(429, body)
    challenge = json.dumps({"name": "ChallengeRequiredError", "message": "m", "status": 403}).encode()
    assert orv.is_challenge(403, challenge)
    assert not orv.is_challenge(403, b'{"name": "ForbiddenError", "message": "not a reader"}')
    assert orv.error_of(b"<html>") == ("", "")


def test_requests_and_login():
    req = orv.notes_request("https://api.openreview.net/", ["a", "b"], orv.V1, token="T0K3N")
    assert req.url == "https://api.openreview.net/notes"
    assert dict(req.params) == {"ids": "a,b", "details": "directReplies", "limit": "2"}
    assert ("Authorization", "Bearer T0K3N") in req.headers
    assert "T0K3N" not in repr(req)
    v2 = orv.notes_request("https://api2.openreview.net", ["a"], orv.V2)
    assert dict(v2.params)["details"] == "replies" and all(k != "Authorization" for k, _ in v2.headers)
    login = orv.login_request("https://api2.openreview.net", "me@example.org", "s3cret-pw")
    assert login.method == "POST" and login.url.endswith("/login")
    assert login.json == {"id": "me@example.org", "password": "s3cret-pw"}
    assert "s3cret-pw" not in repr(login)
    assert orv.parse_login(b'{"token": "abc", "user": {"id": "~Me1"}}') == "abc"
    with pytest.raises(ParseError):
        orv.parse_login(b'{"user": {}}')
