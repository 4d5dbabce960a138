"""``digest venue fetch`` against the local API server: paging at the API's maximum, the values
served, both API shapes, the faults ``digest fetch`` survives, and a record that is written whole
or not at all."""

from __future__ import annotations

import json
import random
import shutil
import statistics
import tomllib
from collections import Counter
from fractions import Fraction
from importlib import resources
from io import StringIO
from pathlib import Path

import pytest
from apiserver import ApiServer, FakeClock, load_year, make_fetcher

from digest.cli import main
from digest.commands.venue import run_venue_fetch
from digest.core.errors import ParseError
from digest.core.models import VenuePaper
from digest.metadata.http import RetryPolicy
from digest.metadata.sources import openreview_venue as OV
from digest.metadata.venuerecords import VenueStore
from digest.metadata.venues import from_data
from digest.stats import venue as V

ROOT = Path(__file__).resolve().parent.parent
Y2021 = load_year(2021)
DAY = "2026-12-03"
#: The corpus's status words as tiers, written out here rather than read through digest.
TIERS = {"Oral": "oral", "Spotlight": "spotlight", "Poster": "poster", "Reject": "reject",
         "Withdraw": "withdrawn", "Desk Reject": "desk-reject", "Talk": "oral", "Workshop": "workshop"}
BLIND = "ICLR.cc/2021/Conference/-/Blind_Submission"
WITHDRAWN = "ICLR.cc/2021/Conference/-/Withdrawn_Submission"
DESK = "ICLR.cc/2021/Conference/-/Desk_Rejected_Submission"


def v2_venues():
    """The shipped profiles with ICLR 2021 moved to API v2 (a test profile: the served 2021
    papers come in v2's shape, one ``/-/Submission`` invitation for all of them)."""
    data = tomllib.loads(resources.files("digest.metadata").joinpath("venues.toml").read_text(encoding="utf-8"))
    for venue in data["venue"]:
        if venue["year"] == 2021:
            venue["api"] = "v2"
            venue["invitations"] = {"submission": "ICLR.cc/2021/Conference/-/Submission"}
    return from_data(data)


@pytest.fixture
def site(tmp_path):
    """The example site (content/ copied, its venue records among it)."""
    root = tmp_path / "site"
    shutil.copytree(ROOT / "content", root / "content")
    return root


def record_path(site: Path, year: int = 2021) -> Path:
    return site / "content" / "snapshot" / "venues" / f"iclr-{year}.json"


def fetch(site, srv, clock=None, **kwargs):
    out, err = StringIO(), StringIO()
    fetcher = make_fetcher(srv, clock=clock, timeout=kwargs.pop("timeout", 5.0), rng=random.Random(1),
                           retry=kwargs.pop("retry", RetryPolicy()))
    status = run_venue_fetch(site, "ICLR", kwargs.pop("year", 2021), out, err, fetcher=fetcher,
                             fetched_at=kwargs.pop("fetched_at", DAY), **kwargs)
    fetcher.close()
    return status, out.getvalue(), err.getvalue()


def pages_seen(srv):
    return [(e.query.get("invitation"), e.query.get("limit"), e.query.get("offset")) for e in srv.log]


def expected_papers(records):
    """What the record must say of each served paper, from the corpus records themselves."""
    out = {}
    for r in records:
        confidences = r["confidences"]
        if confidences is not None and not all(1 <= c <= 5 for c in confidences):
            confidences = None
        out[r["forum"]] = (TIERS.get(r["decision"], "pending"), tuple(r["ratings"]),
                           None if confidences is None else tuple(confidences), tuple(r["keywords"] or ()))
    return out


def assert_record_is(site, records, source):
    record = VenueStore(site / "content" / "snapshot").get("ICLR", 2021)
    assert (record.source, record.fetched_at, record.scale) == (source, DAY, tuple(range(1, 11)))
    got = {p.id: (p.decision, p.ratings, p.confidences, p.keywords) for p in record.papers}
    assert got == expected_papers(records)
    assert [p.id for p in record.papers] == sorted(got)
    return record


# --------------------------------------------------------------------------- v1 and v2


@pytest.mark.gate
def test_v1_venue_is_paged_at_1000_and_holds_what_was_served(site):
    with ApiServer(Y2021) as srv:
        status, out, err = fetch(site, srv)
        seen = pages_seen(srv)
        assert {e.path for e in srv.log} == {"/openreview-v1/notes"}
        assert {e.query.get("details") for e in srv.log} == {"directReplies"}
        assert {e.query.get("sort") for e in srv.log} == {"number:asc"}
    assert status == 0, err
    withdrawn = sum(r["decision"] == "Withdraw" for r in Y2021)
    desk = sum(r["decision"] == "Desk Reject" for r in Y2021)
    blind = len(Y2021) - withdrawn - desk
    assert blind > 2000 and withdrawn and desk  # more than two pages of the main invitation
    assert seen == [(BLIND, "1000", "0"), (BLIND, "1000", "1000"), (BLIND, "1000", "2000"),
                    (WITHDRAWN, "1000", "0"), (DESK, "1000", "0")]
    record = assert_record_is(site, Y2021, "openreview-v1")
    assert len(record.papers) == len(Y2021) == 3014
    assert "ICLR 2021: 3014 papers in 5 pages, content/snapshot/venues/iclr-2021.json written" in out
    assert f"OpenReview: 3 pages, {blind} papers ({BLIND})" in err


@pytest.mark.gate
def test_v2_venue_in_the_wrapped_shape(site):
    venues = v2_venues()
    with ApiServer(Y2021, v2_years=frozenset({2021})) as srv:
        status, out, err = fetch(site, srv, venues=venues)
        seen = pages_seen(srv)
        assert {e.path for e in srv.log} == {"/openreview-v2/notes"}
        assert {e.query.get("details") for e in srv.log} == {"replies"}
    assert status == 0, err
    sub = "ICLR.cc/2021/Conference/-/Submission"
    assert seen == [(sub, "1000", str(n)) for n in (0, 1000, 2000, 3000)]
    assert_record_is(site, Y2021, "openreview-v2")


@pytest.mark.gate
def test_statistics_of_the_fetched_record_match_the_served_data(site):
    with ApiServer(Y2021) as srv:
        assert fetch(site, srv)[0] == 0
    record = VenueStore(site / "content" / "snapshot").get("ICLR", 2021)
    # computed here from the corpus records, without digest: desk rejects out, withdrawn in
    counted = [r for r in Y2021 if r["decision"] != "Desk Reject"]
    tiers = Counter(TIERS[r["decision"]] for r in counted)
    assert V.submissions(record).count == len(counted)
    assert V.acceptance(record).accepted.count == tiers["oral"] + tiers["spotlight"] + tiers["poster"]
    assert {s.key: s.count for s in V.acceptance(record).tiers} == dict(tiers)
    means = [Fraction(sum(r["ratings"]), len(r["ratings"])) for r in counted if r["ratings"]]
    summary = V.summary(record)
    assert (summary.papers, summary.reviews) == (len(means), sum(len(r["ratings"]) for r in counted))
    assert summary.mean == sum(means) / len(means) and summary.median == statistics.median(means)
    reviews = Counter(x for r in counted for x in r["ratings"])
    assert {int(b.low): b.count for b in V.review_histogram(record) if b.count} == dict(reviews)


@pytest.mark.gate
def test_the_same_answers_give_the_same_bytes_and_a_second_run_writes_nothing(site):
    with ApiServer(Y2021) as srv:
        assert fetch(site, srv)[0] == 0
        first = record_path(site).read_bytes()
        mtime = record_path(site).stat().st_mtime_ns
        status, out, _ = fetch(site, srv)
    assert status == 0 and "unchanged" in out
    assert record_path(site).read_bytes() == first and record_path(site).stat().st_mtime_ns == mtime


# --------------------------------------------------------------------------- faults


@pytest.mark.gate
def test_429_with_retry_after_then_500_then_success(site):
    clock = FakeClock()
    with ApiServer(Y2021) as srv:
        srv.fault("openreview", "ok")
        srv.fault("openreview", "429", retry_after="7")
        srv.fault("openreview", "500")
        status, _, err = fetch(site, srv, clock=clock)
        offsets = [e.query.get("offset") for e in srv.log]
        agents = {e.headers.get("User-Agent") for e in srv.log}
    assert status == 0, err
    assert offsets == ["0", "1000", "1000", "1000", "2000", "0", "0"]  # page 2 asked three times
    assert 7.0 in clock.sleeps  # Retry-After obeyed
    assert len(clock.sleeps) >= len(offsets) - 1  # OpenReview's pace (or a backoff) before every later request
    assert all(a.startswith("digest/") for a in agents)
    assert "OpenReview: HTTP 429; attempt 2 of 5; waiting 7 s" in err
    assert_record_is(site, Y2021, "openreview-v1")


@pytest.mark.gate
def test_a_page_that_times_out_is_asked_again(site):
    with ApiServer(Y2021) as srv:
        srv.fault("openreview", "ok")
        srv.fault("openreview", "slow", delay=3.0)
        status, _, err = fetch(site, srv, timeout=1.5)
        offsets = [e.query.get("offset") for e in srv.log]
    assert status == 0, err
    assert offsets[:3] == ["0", "1000", "1000"]
    assert_record_is(site, Y2021, "openreview-v1")


@pytest.mark.gate
@pytest.mark.parametrize(("kind", "says"), [
    ("garbled", "OpenReview answered with JSON that cannot be read"),
    ("shape", 'OpenReview answered without a "notes" list'),
])
def test_a_malformed_page_is_an_error_with_its_url_and_the_old_record_stays(site, kind, says):
    old = record_path(site).read_bytes()
    with ApiServer(Y2021) as srv:
        srv.fault("openreview", "ok")
        srv.fault("openreview", kind, times=5)
        status, out, err = fetch(site, srv)
        url = f"{srv.base}/openreview-v1/notes?invitation=ICLR.cc%2F2021%2FConference%2F-%2FBlind_Submission"
    assert status == 1 and out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"digest venue fetch: error: {url}&details=directReplies&limit=1000&offset=1000")
    assert says in line and "gave up after 5 attempts" in line
    assert line.endswith("(the old record is kept; run digest venue fetch ICLR 2021 again later)")
    assert "Traceback" not in err
    assert record_path(site).read_bytes() == old
    assert not list(record_path(site).parent.glob(".*.tmp"))


class InterruptingClock(FakeClock):
    """Ctrl-C during the pause before the third request."""

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        if len(self.sleeps) == 2:
            raise KeyboardInterrupt


@pytest.mark.gate
def test_an_interrupted_fetch_writes_nothing(site):
    old = record_path(site).read_bytes()
    with ApiServer(Y2021) as srv:
        status, out, err = fetch(site, srv, clock=InterruptingClock())
        assert srv.count("openreview") == 2
    assert status == 130 and out == ""
    assert err.strip().splitlines()[-1] == ("digest venue fetch: interrupted; nothing was written "
                                            "(the old record is kept; run digest venue fetch ICLR 2021 again)")
    assert record_path(site).read_bytes() == old
    assert not list(record_path(site).parent.glob(".*.tmp"))


def test_a_year_without_a_profile_is_refused(site, capsys):
    assert main(["venue", "fetch", "ICLR", "2031", "--root", str(site)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("digest venue fetch: error: no venue profile for ICLR 2031 (known: ICLR 2017,")
    assert "add a [[venue]] table to digest/metadata/venues.toml" in err


def test_the_command_line_fetches_through_the_environment(site, capsys, monkeypatch):
    records = load_year(2017)
    with ApiServer(records) as srv:
        for key, value in srv.env.items():
            monkeypatch.setenv(key, value)
        status = main(["venue", "fetch", "ICLR", "2017", "--root", str(site)])
        assert srv.count("openreview") == 1
    captured = capsys.readouterr()
    assert status == 0, captured.err
    assert "ICLR 2017: 490 papers in 1 page, content/snapshot/venues/iclr-2017.json written" in captured.out
    record = VenueStore(site / "content" / "snapshot").get("ICLR", 2017)
    assert record.source == "openreview-v1" and len(record.fetched_at) == 10
    assert {p.id: (p.decision, p.ratings) for p in record.papers} == {
        r["forum"]: (TIERS[r["decision"]], tuple(r["ratings"])) for r in records}


# --------------------------------------------------------------------------- one note, the login


def tc_2024():
    return from_data({"venue": [{"conference": "TC", "year": 2024, "api": "v2",
                                 "invitations": {"submission": "TC/2024/Conference/-/Submission"}}]})


def recorded_v2_note():
    return json.loads((ROOT / "tests" / "fixtures" / "api" / "openreview-v2-note-with-replies.docs-example.json")
                      .read_text(encoding="utf-8"))


def test_the_recorded_v2_note_is_read_as_a_venue_paper():
    venues = tc_2024()
    paper = OV.venue_paper(recorded_v2_note(), venues.profile("TC", 2024), venues)
    # the docs example: under review (venueid .../Submission), one review rated 10 with confidence 5
    assert paper == VenuePaper("WEIzUBsDX6", "pending", (10,), (5,), ("machine learning", "nlp"))
    assert not hasattr(paper, "abstract")


def test_a_decision_no_profile_knows_is_an_error_naming_the_paper():
    venues = tc_2024()
    note = recorded_v2_note()
    note["details"]["replies"].append({"invitations": ["TC/2024/Conference/Submission1/-/Decision"],
                                       "content": {"decision": {"value": "Revise and resubmit"}}})
    with pytest.raises(OV.UnknownDecision, match="paper WEIzUBsDX6 has the decision 'Revise and resubmit'"):
        OV.venue_paper(note, venues.profile("TC", 2024), venues)


def test_a_note_without_its_replies_is_an_error_not_an_unreviewed_paper():
    venues = tc_2024()
    note = recorded_v2_note()
    del note["details"]
    with pytest.raises(ParseError, match="without the replies of paper WEIzUBsDX6"):
        OV.venue_paper(note, venues.profile("TC", 2024), venues)


def test_a_refused_anonymous_fetch_says_to_log_in_and_keeps_the_old_record(site):
    old = record_path(site, 2017).read_bytes()
    with ApiServer(load_year(2017), require_login=True) as srv:
        status, out, err = fetch(site, srv, year=2017)
    assert status == 1 and out == ""
    line = err.strip().splitlines()[-1]
    assert line.startswith("digest venue fetch: error: ") and "OpenReview needs a login" in line
    assert record_path(site, 2017).read_bytes() == old
