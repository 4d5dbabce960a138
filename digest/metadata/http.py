"""The network boundary: one httpx client, pacing per service, retries, login, secrets.

This is the only module of digest that imports httpx; every httpx exception is translated
here into a :class:`~digest.core.errors.FetchError` (see :class:`ServiceError`). What to ask
and how to read the answers lives in :mod:`digest.metadata.sources`; which papers go to which
service, and what ends up in the snapshot, in :mod:`digest.metadata.fetch` (its :func:`fetch` is
the pipeline stage; it takes a :class:`Fetcher`).

Everything with a side effect is injected, so tests run against a local server without
real waiting:

- ``transport``: an ``httpx.BaseTransport`` (default: the real network);
- ``clock``: an object with ``now()`` (monotonic seconds), ``sleep(seconds)`` and ``time()``
  (Unix time, for ``Retry-After`` dates); :class:`SystemClock` by default;
- ``rng``: a ``random.Random`` for the backoff jitter;
- ``env``: the environment mapping credentials and base URL overrides are read from.

Pacing (each source's ``interval`` in :mod:`digest.metadata.sources.registry`, timed by
:mod:`digest.metadata.pacing`): arXiv asks for at most one request every 3 seconds on one
connection; Semantic Scholar gives keys 1 request per second; OpenReview publishes no limit,
so it gets 1 per second too. The interval is counted from the end of one request to the
start of the next. Each service's requests go one at a time; different services may be
asked at once (from one thread each: the fetch stage does so), on one connection each.

Retries (:class:`RetryPolicy`): 429, 5xx, timeouts, dropped connections and garbled bodies
(truncated, HTML instead of JSON) are tried again after an exponential backoff with full
jitter (``uniform(0, min(cap, base * 2**n))``), or after exactly what ``Retry-After`` says
(seconds or an HTTP date) when the answer has one. A wait longer than ``max_wait`` is not
sat out: the request fails with a message saying when to try again. Other 4xx answers are
never retried. A service that asked for such a wait, kept failing through every attempt,
or refused the login is given up for the rest of the run (:attr:`Fetcher.down`): its later
requests fail at once with the same reason, without being sent. Each retry and each
give-up is told to :attr:`Fetcher.on_event` as it happens (the progress display).

Secrets (each source's ``credentials``): ``OPENREVIEW_USERNAME``/``OPENREVIEW_PASSWORD``
(login, giving a bearer token) and ``S2_API_KEY`` (header ``x-api-key``) come only from the
environment. Every message this module produces passes through :meth:`Fetcher.scrub`, which
blanks them (and the token). Base URLs (each source's ``urls``) come from the site's
``services`` and are overridden by ``DIGEST_OPENREVIEW_URL``, ``DIGEST_OPENREVIEW_V1_URL``,
``DIGEST_ARXIV_URL`` and ``DIGEST_S2_URL``.
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from digest.core.errors import FetchError, LoginRequired, ParseError
from digest.core.models import Services
from digest.core.version import VERSION
from digest.metadata.pacing import Clock, Pacer, RetryPolicy, SystemClock, retry_after
from digest.metadata.sources import openreview
from digest.metadata.sources.base import Request
from digest.metadata.sources.registry import PROVIDERS, SOURCES, credentials, display

T = TypeVar("T")

USER_AGENT = f"digest/{VERSION} (bilingual conference paper roundups; python-httpx/{httpx.__version__})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The credential variables of the registered sources (for callers that clear them).
SECRET_ENV = credentials()


@dataclass(frozen=True)
class Response:
    """What came back: status, lower-cased headers, and the body bytes."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class ServiceError(FetchError):
    """A request failed for good. ``status`` is the last HTTP status (None when no answer
    came), ``body`` the last answer's bytes (for callers that read error bodies)."""

    def __init__(self, message: str, status: int | None = None, body: bytes = b""):
        super().__init__(message)
        self.status = status
        self.body = body


class ServiceURLs(dict[str, str]):
    """Base URLs in use, after the environment overrides: ``urls["arxiv"]`` or ``urls.arxiv``."""

    def __getattr__(self, key: str) -> str:
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None


def resolve_urls(services: Services, env: Mapping[str, str]) -> ServiceURLs:
    """Every source's base URLs: the ``DIGEST_*_URL`` environment variable, else the site's
    ``services``, else the source's default."""
    values = {}
    for source in SOURCES.values():
        for url in source.urls:
            values[url.key] = (env.get(url.env) or getattr(services, url.key, None) or url.default).rstrip("/")
    return ServiceURLs(values)


class Fetcher:
    """Sends :class:`~digest.metadata.sources.base.Request` values: paced, retried, scrubbed."""

    def __init__(
        self,
        services: Services | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        intervals: Mapping[str, float] | None = None,
        retry: RetryPolicy | None = None,
        user_agent: str = USER_AGENT,
    ):
        env = os.environ if env is None else env
        self.urls = resolve_urls(services or Services(), env)
        self.clock: Clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.retry = retry or RetryPolicy()
        rates = {**{s.name: s.interval for s in (*SOURCES.values(), *PROVIDERS.values())}, **(intervals or {})}
        self.pacers = {name: Pacer(rates[name], self.clock) for name in rates}
        #: Every source's credentials: variable -> value (None when unset).
        self.secrets: dict[str, str | None] = {var: env.get(var) or None for var in credentials()}
        self._username = self.secrets["OPENREVIEW_USERNAME"]
        self._password = self.secrets["OPENREVIEW_PASSWORD"]
        self._token: str | None = None
        self._login_error: FetchError | None = None
        self.requests: Counter[str] = Counter()  # attempts per request label
        #: Services given up for this run, with the reason (see the module docstring).
        self.down: dict[str, str] = {}
        #: ``on_event(source, kind, text, seconds)``: kind ``retry`` (``seconds``: the wait
        #: before the next attempt) or ``down`` (given up for the run); None: nobody listens.
        self.on_event: Callable[[str, str, str, float], None] | None = None
        self._lock = threading.Lock()
        self.paced: list[tuple[str, float]] = []  # (source, seconds) waited for pacing
        self.backoffs: list[tuple[str, float]] = []  # (source, seconds) waited before a retry
        if timeout is None:
            limits = httpx.Timeout(30.0, connect=10.0)
        else:
            limits = httpx.Timeout(timeout)
        self._client = httpx.Client(
            transport=transport,
            timeout=limits,
            headers={"User-Agent": user_agent},
            follow_redirects=True,
            # one connection per service: each service is asked one request at a time
            limits=httpx.Limits(max_connections=len(SOURCES), max_keepalive_connections=len(SOURCES)),
        )

    def __repr__(self) -> str:
        return f"Fetcher(urls={self.urls!r}, login={'yes' if self._username else 'no'})"

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    # ------------------------------------------------------------------ secrets

    @property
    def s2_key(self) -> str | None:
        return self.secrets["S2_API_KEY"]

    @property
    def has_login(self) -> bool:
        return bool(self._username and self._password)

    def scrub(self, text: str) -> str:
        """``text`` with every credential and token replaced by ``[secret]``."""
        secrets = [s for s in (*self.secrets.values(), self._token) if s]
        for secret in sorted(secrets, key=len, reverse=True):
            for form in {secret, quote(secret, safe=""), quote(secret)}:
                text = text.replace(form, "[secret]")
        return text

    # ------------------------------------------------------------------ OpenReview login

    def openreview_token(self) -> str | None:
        """A bearer token when credentials are set (logging in once); None when they are not.

        Raises :class:`LoginRequired` when the login is refused. The token from the v2 host
        is used for v1 as well (both hosts share OpenReview's accounts).
        """
        if not self.has_login:
            return None
        if self._token:
            return self._token
        if self._login_error:
            raise self._login_error
        req = openreview.login_request(self.urls.openreview, self._username or "", self._password or "")
        try:
            self._token = self.call(req, lambda r: openreview.parse_login(r.body, r.content_type))
        except ServiceError as exc:
            name, message = openreview.error_of(exc.body)
            detail = f"HTTP {exc.status}" if exc.status else str(exc)
            if message:
                detail += f": {message}"
            self._login_error = LoginRequired(
                self.scrub(
                    f"OpenReview refused the login ({detail}) "
                    "(check OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD)"
                )
            )
            raise self._login_error from None
        return self._token

    def _refused(self, status: int, body: bytes, content_type: str = "") -> FetchError:
        """OpenReview's 401/403: the anonymous challenge, a login that does not suffice, or
        an HTML page from something in front of the API (which no login gets past)."""
        if openreview.is_html(body, content_type):
            return ServiceError(
                f"OpenReview: HTTP {status} with an HTML page instead of the API's answer (a "
                "browser check or block page in front of the API, not its login challenge) "
                "(try again later, or from another network)",
                status,
            )
        name, message = openreview.error_of(body)
        if openreview.is_challenge(status, body):
            what = f"{status} ChallengeRequiredError"
        else:
            what = f"{status} {name or 'Forbidden'}" + (f": {message}" if message else "")
        if self.has_login:
            return LoginRequired(
                self.scrub(
                    f"OpenReview refused the request even though digest logged in ({what}) "
                    "(check that the account can read the venue)"
                )
            )
        return LoginRequired(
            self.scrub(
                f"OpenReview needs a login: it answers anonymous requests with {what} "
                "(set OPENREVIEW_USERNAME and OPENREVIEW_PASSWORD in the environment and run again)"
            )
        )

    # ------------------------------------------------------------------ sending

    def call(self, req: Request, parse: Callable[[Response], T]) -> T:
        """Send ``req`` (paced, retried) and return ``parse(response)`` for a 2xx answer.

        Raises :class:`ServiceError` when the service keeps failing or answers with a 4xx
        that is not worth retrying, and :class:`LoginRequired` for OpenReview's 403.
        """
        service = display(req.source)
        if req.source in self.down:
            raise ServiceError(self.down[req.source])
        pacer = self.pacers[req.source]
        attempt = 0
        while True:
            attempt += 1
            slept = pacer.wait()
            if slept:
                self.paced.append((req.source, slept))
            with self._lock:
                self.requests[req.label or req.source] += 1
            status: int | None = None
            wait: float | None = None
            body = b""
            try:
                resp = self._send(req)
            except httpx.TimeoutException:
                problem = "no answer within the time limit"
            except httpx.TooManyRedirects:
                raise ServiceError(f"{service}: too many redirects at {req.url}") from None
            except httpx.RequestError as exc:
                problem = f"the connection failed ({type(exc).__name__}: {exc})"
            else:
                status, body = resp.status, resp.body
                if status in RETRY_STATUSES or 500 <= status < 600:
                    problem = f"HTTP {status}"
                    wait = retry_after(
                        resp.headers.get("retry-after"), resp.headers.get("date"), self.clock.time()
                    )
                elif 200 <= status < 300:
                    try:
                        return parse(resp)
                    except ParseError as exc:
                        problem = str(exc)
                else:
                    if (
                        req.source == "openreview"
                        and status in (401, 403)
                        and req.label != "openreview login"
                    ):
                        raise self.give_up(req.source, self._refused(status, body, resp.content_type))
                    raise ServiceError(self.scrub(self._refusal(req.source, resp)), status, self._scrubbed(body))
            finally:
                pacer.done()
            problem = self.scrub(problem)
            body = self._scrubbed(body)
            if attempt >= self.retry.attempts:
                raise self.give_up(req.source, ServiceError(
                    f"{service}: {problem} (gave up after {attempt} attempts; not asked again in this run)",
                    status,
                    body,
                ))
            if wait is not None and wait > self.retry.max_wait:
                raise self.give_up(req.source, ServiceError(
                    f"{service}: {problem}; it asks to wait {wait:.0f} s, longer than digest waits "
                    f"({self.retry.max_wait:.0f} s), so it is not asked again in this run "
                    "(run digest fetch again later)",
                    status,
                    body,
                ))
            if wait is None:
                wait = self.rng.uniform(0, min(self.retry.cap, self.retry.base * 2 ** (attempt - 1)))
            self.backoffs.append((req.source, wait))
            self._tell(req.source, "retry", f"{problem}; attempt {attempt + 1} of {self.retry.attempts}", wait)
            self.clock.sleep(wait)

    def give_up(self, source: str, exc: FetchError) -> FetchError:
        """Mark ``source`` down for the rest of the run with the reason ``exc`` gives."""
        self.down.setdefault(source, str(exc))
        self._tell(source, "down", str(exc), 0.0)
        return exc

    def _tell(self, source: str, kind: str, text: str, seconds: float) -> None:
        if self.on_event is not None:
            self.on_event(source, kind, text, seconds)

    def _send(self, req: Request) -> Response:
        headers = dict(req.headers)
        try:
            r = self._client.request(
                req.method,
                req.url,
                params=list(req.params) or None,
                json=req.json,
                headers=headers,
            )
        except httpx.InvalidURL as exc:
            raise ServiceError(f"invalid service URL {req.url!r} ({exc})") from None
        return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)

    def _scrubbed(self, body: bytes) -> bytes:
        """An answer body safe to keep on an exception (a server may echo credentials)."""
        if not body:
            return body
        text = body.decode("utf-8", "replace")
        clean = self.scrub(text)
        return body if clean == text else clean.encode("utf-8")

    def _refusal(self, name: str, resp: Response) -> str:
        source = SOURCES.get(name) or PROVIDERS.get(name)
        detail = source.error_message(resp.body) if source else ""
        text = f"{display(name)}: HTTP {resp.status}"
        text = f"{text}: {detail}" if detail else text
        hint = None
        if source is not None:
            keyed = any(self.secrets.get(var) for var in source.credentials)
            hint = (source.refusals if keyed or not source.credentials else source.anonymous_refusals).get(resp.status)
        return f"{text} ({hint})" if hint else text


__all__ = [
    "Clock",
    "Fetcher",
    "Pacer",
    "Response",
    "RetryPolicy",
    "ServiceError",
    "SystemClock",
    "resolve_urls",
    "retry_after",
]
