"""A real HTTP server on 127.0.0.1 that speaks OpenReview, arXiv and Semantic Scholar.

Started by the fetch tests (random port, one thread per connection), backed by the real
ICLR records of ``tests/data`` (shapes in :mod:`tests.apishapes`). One server answers all
three services under path prefixes; :attr:`ApiServer.env` gives the ``DIGEST_*_URL``
variables that point digest at it.

======================================  ==============================================
path                                    speaks
======================================  ==============================================
``/openreview-v2/notes``                 GET ``ids=a,b`` or ``id=a``, ``details=replies``
``/openreview-v2/notes`` (paged)        GET ``invitation=``, ``limit`` (at most 1000),
                                         ``offset``, ``sort=number:asc``: a venue year's
                                         submissions (``digest venue fetch``)
``/openreview-v2/notes/search``          POST ``{"ids": [...]}`` (openreview-py's
                                         ``get_notes_by_ids``)
``/openreview-v2/login``                 POST ``{"id", "password"}`` -> ``{"token"}``
``/openreview-v1/...``                   the same for API v1 (``details=directReplies``)
``/arxiv/api/query``                     GET ``id_list``, ``max_results`` (Atom, legacy or
                                         current format)
``/s2/graph/v1/paper/batch``             POST ``{"ids": [...]}``, ``fields=`` (list with
                                         nulls)
======================================  ==============================================

Which API serves a paper: its year is in ``v2_years`` -> v2, else v1 (as ICLR 2017-2023).

Faults are queued per service (``openreview``, ``login``, ``arxiv``, ``s2``) with
:meth:`ApiServer.fault` and consumed in order, one per request:

``429``        status 429, with ``Retry-After`` (seconds, or an HTTP date when
               ``retry_after`` is given as ``"date:<seconds>"``) and the service's
               recorded 429 body
``500``        status 500 with the API's error shape
``503``        status 503
``slow``       sleep ``delay`` seconds before answering (beyond the client's timeout)
``truncate``   promise the whole body in ``Content-Length``, send half, close
``html``       200 with an HTML page (the wrong content type)
``garbled``    200 with the right content type and half the body
``challenge``  403 ``ChallengeRequiredError`` (body shape assumed: none was recorded)
``block``      403 with an HTML page (a proxy's browser check in front of the API)
``ok``         answer as usual (to aim the next fault at a later request)
``shape``      200 with JSON of the wrong shape (``{"items": []}``, no ``notes`` list)
``forbidden``  403 with the service's JSON error shape, ``"Forbidden"`` (body assumed: S2's
               ``{"message": ...}`` of its 429 and 5xx answers, APIS.md section 3)

:attr:`ApiServer.counts` counts requests per ``(service, path)``; :attr:`ApiServer.log`
keeps each request's service, path, ids and arrival time (``time.monotonic``).
"""

from __future__ import annotations

import functools
import json
import re
import socket
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import apishapes as shapes

from scripts.corpus import iter_records

DATA = Path(__file__).parent / "data"
FIXTURES = Path(__file__).parent / "fixtures" / "api"
ARXIV_ID = re.compile(r"^(?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$")
CHALLENGE = {
    "name": "ChallengeRequiredError",
    "message": "Please complete the challenge to continue",
    "status": 403,
    "details": {"challengeUrl": "https://openreview.net/challenge"},
}


@functools.cache
def _load(year: int) -> tuple[dict, ...]:
    return tuple(record for _, record in iter_records(DATA / f"iclr{year}.jsonl.gz"))


def load_year(year: int) -> list[dict]:
    """The corpus records of one ICLR year, in file order (copies: tests may edit them)."""
    return [dict(record) for record in _load(year)]


class FakeClock:
    """A clock for :class:`digest.metadata.http.Fetcher` that never waits: ``sleep`` advances
    ``now`` at once and is recorded in :attr:`sleeps`."""

    def __init__(self, start: float = 1000.0, unix: float = 1_800_000_000.0):
        self.t = start
        self.unix0 = unix - start
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds

    def time(self) -> float:
        return self.unix0 + self.t


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: str | None = None
    delay: float = 0.0


@dataclass
class Logged:
    service: str
    method: str
    path: str
    ids: tuple[str, ...]
    authorization: str
    headers: dict
    at: float = 0.0
    query: dict = field(default_factory=dict)  # the query parameters, each as its last value


class ApiServer:
    """The three services over the given corpus records (see the module docstring)."""

    def __init__(
        self,
        records: list[dict],
        *,
        v2_years: frozenset[int] = frozenset(),
        arxiv_format: str = "new",
        arxiv_links_forum: bool = True,
        require_login: bool = False,
        username: str = "curator@example.org",
        password: str = "correct horse",
        echo_credentials: bool = False,
        delay: float = 0.0,
    ):
        self.forums: dict[str, tuple[dict, int]] = {}
        self.arxiv: dict[str, tuple[dict, int]] = {}
        self.s2: dict[str, dict] = {}
        numbers: Counter[int] = Counter()
        for index, original in enumerate(records):
            record = dict(original)  # tests edit the served copy through self.forums
            numbers[record["year"]] += 1
            self.forums[record["forum"]] = (record, numbers[record["year"]])
            aid = shapes.mock_arxiv_id(record["year"], numbers[record["year"]] - 1)
            self.arxiv[aid] = (record, index)
            paper = shapes.s2_paper(record, index, aid)
            for key in (
                f"ARXIV:{aid}",
                f"CorpusId:{paper['externalIds']['CorpusId']}",
                paper["paperId"],
                f"DOI:{paper['externalIds']['DOI'].lower()}",
            ):
                self.s2[key.lower()] = paper
        for paper in json.loads((FIXTURES / "s2-batch.json").read_text()):
            if paper:  # the real records of the recorded batch answer
                ext = paper["externalIds"]
                for key in (f"CorpusId:{ext['CorpusId']}", paper["paperId"], f"DOI:{ext['DOI'].lower()}"):
                    self.s2[key.lower()] = paper
        self.arxiv_by_forum = {rec["forum"]: aid for aid, (rec, _) in self.arxiv.items()}
        self.v2_years = v2_years
        self.arxiv_format = arxiv_format
        self.arxiv_links_forum = arxiv_links_forum
        self.require_login = require_login
        self.username = username
        self.password = password
        self.token = "tok-" + "5f3a9c" * 4
        self.echo_credentials = echo_credentials
        self.delay = delay
        #: longest request target (path and query) the server takes; longer ones get 414, as nginx's
        #: default 8 KB header buffers refuse them (None: any length)
        self.max_target: int | None = None
        self.counts: Counter[tuple[str, str]] = Counter()
        self.log: list[Logged] = []
        self._faults: dict[str, deque[Fault]] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> ApiServer:
        handler = type("Handler", (_Handler,), {"api": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point digest at this server."""
        return {
            "DIGEST_OPENREVIEW_URL": f"{self.base}/openreview-v2",
            "DIGEST_OPENREVIEW_V1_URL": f"{self.base}/openreview-v1",
            "DIGEST_ARXIV_URL": f"{self.base}/arxiv/api/query",
            "DIGEST_S2_URL": f"{self.base}/s2/graph/v1",
        }

    # ------------------------------------------------------------------ faults and counts

    def fault(
        self, service: str, kind: str, times: int = 1, retry_after: str | None = None, delay: float = 0.0
    ) -> None:
        with self._lock:
            self._faults.setdefault(service, deque()).append(Fault(kind, times, retry_after, delay))

    def next_fault(self, service: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(service)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.popleft()
            return fault

    def count(self, service: str, path: str | None = None) -> int:
        return sum(n for (s, p), n in self.counts.items() if s == service and (path is None or p == path))

    def record(self, entry: Logged) -> None:
        with self._lock:
            self.counts[(entry.service, entry.path)] += 1
            self.log.append(entry)

    # ------------------------------------------------------------------ answers

    def notes(self, api: str, ids: list[str], details: str | None) -> bytes:
        notes = []
        for forum in ids:
            found = self.forums.get(forum)
            if found is None:
                continue
            record, number = found
            on_v2 = record["year"] in self.v2_years
            if api == "v2" and on_v2:
                notes.append(shapes.v2_note(record, number, details))
            elif api == "v1" and not on_v2:
                notes.append(shapes.v1_note(record, number, details))
        return json.dumps({"notes": notes, "count": len(notes)}).encode()

    def page(self, api: str, invitation: str, details: str | None, limit: int, offset: int) -> bytes:
        """One page of the submissions answering ``invitation`` on ``api``, in number order
        (the forum's position in its year), ``limit`` capped at 1000 as OpenReview caps it."""
        matching = []
        for record, number in self.forums.values():
            on_v2 = record["year"] in self.v2_years
            if (api == "v2") != on_v2:
                continue
            note = shapes.v2_note(record, number, details) if on_v2 else shapes.v1_note(record, number, details)
            invitations = note.get("invitations") or [note.get("invitation")]
            if invitation in invitations:
                matching.append(note)
        matching.sort(key=lambda n: (n["cdate"], n["number"]))
        limit = max(0, min(limit, 1000))
        notes = matching[offset : offset + limit]
        return json.dumps({"notes": notes, "count": len(matching)}).encode()

    def arxiv_query(self, query: str, ids: list[str], max_results: int) -> tuple[int, bytes]:
        legacy = self.arxiv_format == "legacy"
        for aid in ids:
            if not ARXIV_ID.match(aid):
                return 400, shapes.atom_error(aid)
        entries = []
        for aid in ids:
            found = self.arxiv.get(re.sub(r"v\d+$", "", aid))
            if found is not None:
                entries.append(
                    shapes.atom_entry(found[0], re.sub(r"v\d+$", "", aid), self.arxiv_links_forum, legacy)
                )
            elif legacy:
                entries.append(shapes.EMPTY_LEGACY_ENTRY)
        total = len(ids) if legacy else len(entries)
        return 200, shapes.atom_feed(query, entries[:max_results], total, max_results, legacy)

    def s2_batch(self, ids: list[str]) -> tuple[int, bytes]:
        if len(ids) > 500:
            return 400, json.dumps({"error": "Cannot process more than 500 paper ids at a time"}).encode()
        out = []
        for pid in ids:
            key = pid.lower()
            if key.startswith("10."):
                key = "doi:" + key
            out.append(self.s2.get(key))
        return 200, json.dumps(out).encode()


class _Handler(BaseHTTPRequestHandler):
    api: ApiServer
    protocol_version = "HTTP/1.1"
    _now: float = 0.0

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        pass

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self._now if timestamp is None else timestamp, usegmt=True)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # ------------------------------------------------------------------ dispatch

    def _handle(self, method: str) -> None:
        self._now = float(int(time.time()))
        limit = self.api.max_target
        if limit is not None and len(self.path) > limit:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            return self._send(414, b"<html><body><h1>414 Request-URI Too Large</h1></body></html>", "text/html")
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else {}
        path = parts.path
        api = self.api
        if path.startswith("/openreview-v1/") or path.startswith("/openreview-v2/"):
            service = "login" if path.endswith("/login") else "openreview"
        elif path.startswith("/arxiv/"):
            service = "arxiv"
        elif path.startswith("/s2/"):
            service = "s2"
        else:
            return self._send(404, b'{"error":"no such path"}')
        ids = self._ids(query, body)
        api.record(
            Logged(
                service, method, path, tuple(ids), self.headers.get("Authorization", ""), dict(self.headers),
                time.monotonic(), {k: v[-1] for k, v in query.items()},
            )
        )
        if api.delay:
            time.sleep(api.delay)
        fault = api.next_fault(service)
        if fault and fault.kind == "ok":
            fault = None
        if fault and fault.kind == "slow":
            time.sleep(fault.delay)
            fault = None
        status, payload, ctype = self._answer(service, method, path, query, body, ids)
        if fault is not None:
            return self._faulty(fault, service, payload, ctype)
        self._send(status, payload, ctype)

    @staticmethod
    def _ids(query: dict, body: dict) -> list[str]:
        for key in ("ids", "id", "id_list"):
            if key in query:
                return [i for v in query[key] for i in v.split(",") if i]
        if isinstance(body, dict) and isinstance(body.get("ids"), list):
            return [str(i) for i in body["ids"]]
        return []

    def _answer(self, service, method, path, query, body, ids) -> tuple[int, bytes, str]:
        api = self.api
        json_type = "application/json; charset=utf-8"
        if service == "login":
            if body.get("id") == api.username and body.get("password") == api.password:
                return (
                    200,
                    json.dumps({"token": api.token, "user": {"id": "~Test_Curator1"}}).encode(),
                    json_type,
                )
            message = "Invalid username or password"
            if api.echo_credentials:
                message += f" for {body.get('id')} / {body.get('password')}"
            err = {"name": "InvalidCredentialsError", "message": message, "status": 400, "details": {}}
            return 400, json.dumps(err).encode(), json_type
        if service == "openreview":
            if api.require_login and self.headers.get("Authorization") != f"Bearer {api.token}":
                return 403, json.dumps(CHALLENGE).encode(), json_type
            version = "v1" if path.startswith("/openreview-v1/") else "v2"
            details = (query.get("details") or [None])[0] or (
                body.get("details") if isinstance(body, dict) else None
            )
            if "invitation" in query and not ids:
                limit = int((query.get("limit") or ["1000"])[0])
                offset = int((query.get("offset") or ["0"])[0])
                return 200, api.page(version, query["invitation"][0], details, limit, offset), json_type
            return 200, api.notes(version, ids, details), json_type
        if service == "arxiv":
            text = urlsplit(self.path).query
            max_results = int((query.get("max_results") or ["10"])[0])
            status, payload = api.arxiv_query(text, ids, max_results)
            return status, payload, "application/atom+xml; charset=utf-8"
        if service == "s2":
            if method != "POST" or not path.endswith("/paper/batch"):
                return 404, b'{"error":"Not found"}', json_type
            status, payload = api.s2_batch(ids)
            return status, payload, json_type
        return 404, b"{}", json_type

    def _faulty(self, fault: Fault, service: str, payload: bytes, ctype: str) -> None:
        if fault.kind == "429":
            headers = {}
            if fault.retry_after:
                if fault.retry_after.startswith("date:"):
                    headers["Retry-After"] = formatdate(self._now + float(fault.retry_after[5:]), usegmt=True)
                else:
                    headers["Retry-After"] = fault.retry_after
            if service == "arxiv":
                return self._send(429, b"Rate exceeded.", "text/plain", headers)
            name = "openreview-429-ratelimit.json" if service in ("openreview", "login") else "s2-429.json"
            return self._send(429, (FIXTURES / name).read_bytes(), "application/json", headers)
        if fault.kind == "500":
            return self._send(500, b'{"name": "InternalServerError", "message": "Internal error", "status": 500}',
                              "application/json")
        if fault.kind == "503":
            return self._send(503, b"Service Unavailable", "text/plain")
        if fault.kind == "challenge":
            return self._send(403, json.dumps(CHALLENGE).encode(), "application/json")
        if fault.kind == "block":
            page = b"<!DOCTYPE html><html><body><h1>Checking your browser</h1>challenge</body></html>"
            return self._send(403, page, "text/html")
        if fault.kind == "forbidden":
            return self._send(403, b'{"message": "Forbidden"}', "application/json")
        if fault.kind == "shape":
            return self._send(200, b'{"items": []}', "application/json")
        if fault.kind == "html":
            return self._send(200, b"<html><body><h1>Checking your browser</h1></body></html>", "text/html")
        if fault.kind == "garbled":
            return self._send(200, payload[: len(payload) // 2], ctype)
        if fault.kind == "truncate":
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload[: len(payload) // 2])
            self.wfile.flush()
            self.close_connection = True
            return None
        raise ValueError(f"unknown fault {fault.kind!r}")

    def _send(
        self, status: int, payload: bytes, ctype: str = "application/json", headers: dict | None = None
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(payload)))
            for key, val in (headers or {}).items():
                self.send_header(key, val)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (a slow answer past its timeout)


def make_fetcher(server: ApiServer, clock: FakeClock | None = None, env: dict | None = None, **kwargs):
    """A :class:`digest.metadata.http.Fetcher` pointed at ``server`` through the ``DIGEST_*_URL``
    environment variables, with a :class:`FakeClock` (so nothing really waits)."""
    from digest.metadata.http import Fetcher

    environ = {**server.env, **(env or {})}
    return Fetcher(env=environ, clock=clock or FakeClock(), **kwargs)
