"""digest.metadata.http.Fetcher against the local API server: pacing, retries, faults, login, config.

Time is a FakeClock: pacing and backoff are checked by what the fetcher asked to sleep and
by the fake time at which each request left, never by waiting.
"""

from __future__ import annotations

import json
import random

import httpx
import pytest
from apiserver import ApiServer, FakeClock, load_year, make_fetcher

from digest.core.errors import LoginRequired, ParseError
from digest.core.models import Services
from digest.metadata.http import Fetcher, RetryPolicy, ServiceError, retry_after
from digest.metadata.sources import arxiv, openreview, s2
from digest.metadata.sources.base import Request, load_json

RECORDS = load_year(2021)[:400]


class TimedTransport(httpx.HTTPTransport):
    """The real transport, noting the fake time at which each request leaves."""

    def __init__(self, clock: FakeClock):
        super().__init__()
        self.clock = clock
        self.sent: list[tuple[str, float]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.url.path, self.clock.now()))
        return super().handle_request(request)


class MaxRandom(random.Random):
    """Full jitter at its upper bound, to see the exponential ceiling and the cap."""

    def uniform(self, a: float, b: float) -> float:
        return b


@pytest.fixture
def server():
    with ApiServer(RECORDS) as srv:
        yield srv


def arxiv_ids(srv: ApiServer, n: int) -> list[str]:
    return [srv.arxiv_by_forum[r["forum"]] for r in RECORDS[:n]]


def s2_ids(srv: ApiServer, n: int) -> list[str]:
    return [f"ARXIV:{a}" for a in arxiv_ids(srv, n)]


def call_s2(f: Fetcher, ids: list[str]):
    req = s2.batch_request(f.urls.semantic_scholar, ids, f.s2_key)
    return f.call(req, lambda r: s2.parse_batch(r.body, ids, "t", r.content_type))


def call_arxiv(f: Fetcher, ids: list[str]):
    return f.call(arxiv.query_request(f.urls.arxiv, ids), lambda r: arxiv.parse_feed(r.body, "t"))


def call_notes(f: Fetcher, ids: list[str], api: str = openreview.V1):
    base = f.urls.openreview_v1 if api == openreview.V1 else f.urls.openreview
    req = openreview.notes_request(base, ids, api, f.openreview_token())
    return f.call(req, lambda r: openreview.parse_notes(r.body, ids, api, "t", r.content_type))


def gaps(sent: list[tuple[str, float]], prefix: str) -> list[float]:
    times = [t for path, t in sent if path.startswith(prefix)]
    return [round(b - a, 6) for a, b in zip(times, times[1:], strict=False)]


# --------------------------------------------------------------------------- pacing


def test_each_service_is_paced_at_its_published_limit(server):
    clock = FakeClock()
    transport = TimedTransport(clock)
    f = make_fetcher(server, clock, transport=transport)
    ids = arxiv_ids(server, 40)
    for i in range(4):
        assert len(call_arxiv(f, ids[i * 10 : i * 10 + 10])) == 10
    for i in range(3):
        call_s2(f, s2_ids(server, 40)[i * 10 : i * 10 + 10])
    for i in range(3):
        call_notes(f, [r["forum"] for r in RECORDS[i * 5 : i * 5 + 5]])
    assert gaps(transport.sent, "/arxiv") == [3.0, 3.0, 3.0]
    assert gaps(transport.sent, "/s2") == [1.0, 1.0]
    assert gaps(transport.sent, "/openreview") == [1.0, 1.0]
    # services do not wait for each other: the first S2 request left right after arXiv's last
    first_s2 = next(t for p, t in transport.sent if p.startswith("/s2"))
    last_arxiv = [t for p, t in transport.sent if p.startswith("/arxiv")][-1]
    assert first_s2 == last_arxiv
    assert clock.t - 1000.0 == pytest.approx(9.0 + 2.0 + 2.0)


# --------------------------------------------------------------------------- retries


def test_429_with_retry_after_seconds_is_honoured(server):
    clock = FakeClock()
    transport = TimedTransport(clock)
    f = make_fetcher(server, clock, transport=transport)
    server.fault("s2", "429", retry_after="2")
    assert len(call_s2(f, s2_ids(server, 3))) == 3
    assert gaps(transport.sent, "/s2") == [2.0]
    assert f.backoffs == [("s2", 2.0)] and f.paced == []
    assert server.count("s2") == 2


def test_429_with_retry_after_http_date_is_honoured(server):
    clock = FakeClock()
    f = make_fetcher(server, clock)
    server.fault("arxiv", "429", retry_after="date:7")
    assert len(call_arxiv(f, arxiv_ids(server, 2))) == 2
    assert f.backoffs == [("arxiv", 7.0)] and f.paced == []  # 7 s > arXiv's 3 s pacing


def test_retry_after_values():
    assert retry_after("120", None, 0) == 120.0
    assert retry_after("Wed, 21 Oct 2026 07:28:10 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 0) == 10.0
    assert retry_after("Wed, 21 Oct 2026 07:28:00 GMT", None, 1_792_567_670.0) == 10.0
    assert retry_after("soon", None, 0) is None and retry_after(None, None, 0) is None


def test_backoff_is_exponential_with_full_jitter_and_a_cap(server):
    f = make_fetcher(server, rng=MaxRandom(), retry=RetryPolicy(attempts=6, base=1.0, cap=4.0))
    server.fault("s2", "503", times=5)
    call_s2(f, s2_ids(server, 2))
    assert [s for _, s in f.backoffs] == [1.0, 2.0, 4.0, 4.0, 4.0]
    seeded = make_fetcher(server, rng=random.Random(7))
    server.fault("s2", "503", times=2)
    call_s2(seeded, s2_ids(server, 2))
    r = random.Random(7)
    assert [s for _, s in seeded.backoffs] == [r.uniform(0, 1.0), r.uniform(0, 2.0)]


def test_a_service_that_keeps_failing_gives_up_after_the_attempts(server):
    f = make_fetcher(server)
    server.fault("s2", "503", times=10)
    with pytest.raises(ServiceError, match=r"Semantic Scholar: HTTP 503 \(gave up after 5 attempts; not asked again in this run\)") as err:
        call_s2(f, s2_ids(server, 2))
    assert err.value.status == 503
    assert server.count("s2") == 5


def test_a_retry_after_longer_than_the_limit_is_not_sat_out(server):
    f = make_fetcher(server)
    server.fault("openreview", "429", retry_after="3600")
    with pytest.raises(ServiceError, match="asks to wait 3600 s, longer than digest waits"):
        call_notes(f, [RECORDS[0]["forum"]])
    assert server.count("openreview") == 1 and f.backoffs == []


def test_other_4xx_answers_are_not_retried(server):
    f = make_fetcher(server)
    missing = Request("s2", "GET", f.urls.semantic_scholar + "/paper/nothing-here", label="s2 paper")
    with pytest.raises(ServiceError, match="HTTP 404: Not found") as err:
        f.call(missing, lambda r: r)
    assert err.value.status == 404
    too_many = Request("s2", "POST", f.urls.semantic_scholar + "/paper/batch", json={"ids": ["x"] * 501})
    with pytest.raises(ServiceError, match="HTTP 400: Cannot process more than 500") as err:
        f.call(too_many, lambda r: r)
    assert server.count("s2") == 2 and f.backoffs == []  # two requests, no retry


@pytest.mark.parametrize("kind", ["truncate", "html", "garbled", "503"])
@pytest.mark.parametrize("service", ["openreview", "arxiv", "s2"])
def test_faulty_answers_are_retried(server, service, kind):
    f = make_fetcher(server)
    server.fault(service, kind)
    if service == "openreview":
        found = call_notes(f, [r["forum"] for r in RECORDS[:3]])
    elif service == "arxiv":
        found = call_arxiv(f, arxiv_ids(server, 3))
    else:
        found = call_s2(f, s2_ids(server, 3))
    assert len(found) == 3 and all(found.values())
    assert server.count(service) == 2


def test_a_slow_answer_times_out_and_is_retried(server):
    f = make_fetcher(server, timeout=0.5)
    server.fault("arxiv", "slow", delay=1.5)
    assert len(call_arxiv(f, arxiv_ids(server, 2))) == 2
    assert server.count("arxiv") == 2


def test_explicit_timeouts_and_a_user_agent_naming_the_project(server):
    f = make_fetcher(server)
    assert f._client.timeout == httpx.Timeout(30.0, connect=10.0)
    call_s2(f, s2_ids(server, 1))
    assert server.log[-1].headers["User-Agent"].startswith("digest/")


# --------------------------------------------------------------------------- configuration


def test_environment_overrides_the_site_services(server):
    bogus = Services(
        openreview="http://192.0.2.1/v2",
        openreview_v1="http://192.0.2.1/v1",
        arxiv="http://192.0.2.1/q",
        semantic_scholar="http://192.0.2.1/s2",
    )
    f = Fetcher(bogus, env=server.env, clock=FakeClock())
    assert f.urls.arxiv == server.env["DIGEST_ARXIV_URL"]
    assert len(call_arxiv(f, arxiv_ids(server, 1))) == 1


def test_site_services_are_used_without_overrides(server):
    env = server.env
    site = Services(
        openreview=env["DIGEST_OPENREVIEW_URL"],
        openreview_v1=env["DIGEST_OPENREVIEW_V1_URL"],
        arxiv=env["DIGEST_ARXIV_URL"],
        semantic_scholar=env["DIGEST_S2_URL"] + "/",
    )
    f = Fetcher(site, env={}, clock=FakeClock())
    assert len(call_s2(f, s2_ids(server, 2))) == 2
    default = Fetcher(env={})
    assert default.urls.arxiv == "https://export.arxiv.org/api/query"
    assert default.urls.openreview == "https://api2.openreview.net"


# --------------------------------------------------------------------------- OpenReview login


CREDS = {"OPENREVIEW_USERNAME": "curator@example.org", "OPENREVIEW_PASSWORD": "correct horse"}


def test_login_gives_a_bearer_token_used_on_v1_and_v2():
    records = load_year(2021)[:3]
    with ApiServer(records, require_login=True) as srv:
        f = make_fetcher(srv, env=CREDS)
        assert len(call_notes(f, [r["forum"] for r in records])) == 3
        call_notes(f, [records[0]["forum"]], openreview.V2)
        assert srv.count("login") == 1
        notes = [e for e in srv.log if e.service == "openreview"]
        assert {e.authorization for e in notes} == {f"Bearer {srv.token}"}


def test_anonymous_callers_get_the_challenge_as_login_required():
    records = load_year(2021)[:2]
    with ApiServer(records, require_login=True) as srv:
        f = make_fetcher(srv)
        with pytest.raises(LoginRequired, match="^OpenReview needs a login: .*OPENREVIEW_USERNAME"):
            call_notes(f, [records[0]["forum"]])
        assert srv.count("openreview") == 1  # a challenge is not retried


def test_a_refused_login_names_the_variables_but_never_their_values():
    with ApiServer(load_year(2021)[:2], require_login=True, echo_credentials=True) as srv:
        env = {"OPENREVIEW_USERNAME": "curator@example.org", "OPENREVIEW_PASSWORD": "wrong-Pa55word"}
        f = make_fetcher(srv, env=env)
        with pytest.raises(LoginRequired) as err:
            call_notes(f, ["abcdefghij"])
        text = str(err.value)
        assert "check OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD" in text
        assert "wrong-Pa55word" not in text and "curator@example.org" not in text
        assert "[secret]" in text  # the server echoed them; the fetcher blanked them
        with pytest.raises(LoginRequired):  # the refusal is remembered: no second login
            f.openreview_token()
        assert srv.count("login") == 1


def test_scrub_hides_every_secret_form():
    f = Fetcher(env={**CREDS, "S2_API_KEY": "k/ey+1"})
    text = f.scrub("curator@example.org correct horse correct%20horse k/ey+1 k%2Fey%2B1")
    assert text == " ".join(["[secret]"] * 5)
    assert "correct horse" not in repr(f)


def test_the_s2_key_goes_in_its_header(server):
    f = make_fetcher(server, env={"S2_API_KEY": "s2-k3y"})
    call_s2(f, s2_ids(server, 1))
    assert server.log[-1].headers.get("x-api-key") == "s2-k3y"
    assert json.loads(json.dumps(f.requests)) == {"s2 batch": 1}


# --------------------------------------------------------------------------- messages


def test_an_html_block_page_is_not_called_a_login_challenge():
    records = load_year(2021)[:2]
    with ApiServer(records) as srv:
        f = make_fetcher(srv)
        srv.fault("openreview", "block")
        with pytest.raises(ServiceError) as err:
            call_notes(f, [records[0]["forum"]])
    text = str(err.value)
    assert "needs a login" not in text and "OPENREVIEW_USERNAME" not in text
    assert text.startswith("OpenReview: HTTP 403 with an HTML page instead of the API's answer")


@pytest.mark.parametrize("key", [None, "s2-k3y"])
def test_an_s2_refusal_speaks_of_the_key_only_when_one_was_sent(server, key):
    f = make_fetcher(server, env={"S2_API_KEY": key} if key else {"S2_API_KEY": ""})
    server.fault("s2", "forbidden")
    with pytest.raises(ServiceError) as err:
        call_s2(f, s2_ids(server, 1))
    text = str(err.value)
    if key:
        assert text == "Semantic Scholar: HTTP 403: Forbidden (Semantic Scholar refuses an unknown key: check S2_API_KEY)"
    else:
        assert "check S2_API_KEY" not in text and "no S2_API_KEY is set" in text


def test_a_json_syntax_message_says_at_once():
    with pytest.raises(ParseError) as err:
        load_json(b'{"title": "unterminated', "Semantic Scholar")
    assert str(err.value) == (
        "Semantic Scholar answered with JSON that cannot be read (Unterminated string starting at byte 10)"
    )
