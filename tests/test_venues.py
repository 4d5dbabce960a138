"""Venue profiles (digest/metadata/venues.toml): ICLR 2017-2023 as data, checked against the
corpus and the reply classifier, and a made-up venue added from a dict is what the fetch stage
follows for its API and its decision labels."""

from __future__ import annotations

import tomllib
from importlib import resources

import httpx
import pytest
from apiserver import FakeClock, load_year

from digest.core.ids import PaperRef
from digest.metadata.fetch import fetch
from digest.metadata.http import Fetcher
from digest.metadata.sources import openreview_replies as R
from digest.metadata.store import Store
from digest.metadata.venues import VenueError, from_data, shipped

KIND = {"submission": "other", "review": "review", "meta_review": "meta", "decision": "decision",
        "withdrawn": "withdrawn", "desk_rejected": "desk-reject"}


def data() -> dict:
    return tomllib.loads(resources.files("digest.metadata").joinpath("venues.toml").read_text(encoding="utf-8"))


def test_iclr_2017_to_2023_are_profiles_on_api_v1():
    venues = shipped()
    assert [(p.name, p.api) for p in venues.profiles] == [(f"ICLR {y}", "v1") for y in range(2017, 2024)]
    assert venues.api("ICLR", 2024) == "v2" and venues.api("NeurIPS", 2022) == "v2"


@pytest.mark.parametrize("year", [2017, 2018, 2020, 2021])  # the years tests/data holds
def test_rating_scales_hold_every_rating_of_the_corpus(year):
    seen = {r for record in load_year(year) for r in record["ratings"]}
    assert seen == set(shipped().profile("ICLR", year).ratings)


def test_every_invitation_is_told_apart_as_its_profile_says():
    for profile in shipped().profiles:
        for kind, name in profile.invitations.items():
            assert R.kind({"invitation": name.format(number=12)}) == KIND[kind], (profile.name, name)


def test_the_profiles_labels_agree_with_the_label_words():
    venues = shipped()
    for profile in venues.profiles:
        for label, tier in profile.decisions.items():
            assert venues.decision(label) == tier, (profile.name, label)


@pytest.mark.parametrize(("change", "message"), [
    ({"api": "v3"}, "venue 1 (X 2030): api: 'v3' is not an OpenReview API (write one of v1, v2)"),
    ({"decisions": {"Accept": "great"}}, "venue 1 (X 2030): decisions: 'great' is not a tier"),
    ({"invitations": {"rebuttal": "X/-/R"}}, "venue 1 (X 2030): invitations: unknown kind 'rebuttal'"),
])
def test_bad_profiles_are_refused_with_what_to_write(change, message):
    with pytest.raises(VenueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        from_data({"venue": [{"conference": "X", "year": 2030, "api": "v1", **change}]})


FORUM = "TcXqVnH1sm"
GROUP = "TESTCONF.cc/2030/Conference"


def _v1_server(request: httpx.Request) -> httpx.Response:
    """A venue on API v1 only, whose decision note says "Accept (Plenary)"."""
    if not request.url.path.startswith("/v1/"):
        return httpx.Response(200, json={"notes": [], "count": 0})
    decision = {"id": "d1", "forum": FORUM, "replyto": FORUM, "invitation": f"{GROUP}/Paper1/-/Decision",
                "content": {"decision": "Accept (Plenary)"}}
    note = {"id": FORUM, "forum": FORUM, "invitation": f"{GROUP}/-/Blind_Submission",
            "content": {"title": "A paper of a made-up venue"}, "details": {"directReplies": [decision]}}
    return httpx.Response(200, json={"notes": [note], "count": 1})


def _fetch(tmp_path, venues):
    env = {"DIGEST_OPENREVIEW_URL": "http://or.test/v2", "DIGEST_OPENREVIEW_V1_URL": "http://or.test/v1"}
    fetcher = Fetcher(env=env, clock=FakeClock(), transport=httpx.MockTransport(_v1_server))
    ref = PaperRef("openreview", FORUM)
    report = fetch([ref], Store(tmp_path), fetcher, conferences={ref: "TESTCONF 2030"}, venues=venues,
                   fetched_at="2030-06-01T00:00:00Z")
    assert report.ok, report.failures
    return report, Store(tmp_path).get(ref)


def test_a_profile_added_as_data_picks_the_api_and_reads_the_labels(tmp_path):
    profile = {"conference": "TESTCONF", "year": 2030, "api": "v1", "decisions": {"Accept (Plenary)": "oral"}}
    venues = from_data({**data(), "venue": [*data()["venue"], profile]})
    report, meta = _fetch(tmp_path / "with", venues)
    assert report.requests == {"openreview-v1 notes": 1}  # its API first, and only
    assert (meta.decision, meta.decision_label, meta.venue) == ("oral", "Accept (Plenary)", "TESTCONF 2030")

    report, meta = _fetch(tmp_path / "without", shipped())
    assert report.requests == {"openreview-v2 notes": 1, "openreview-v1 notes": 1}  # v2 first, then v1
    assert meta.decision == "poster"  # the label words alone read "Accept ..." as a poster
