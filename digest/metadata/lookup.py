"""Ask every service about a set of paper references at once, one thread per service.

:class:`Lookup` is the asking half of the fetch stage (:mod:`digest.metadata.fetch` keeps the
snapshot). Each registered source gets a worker thread with an inbox of the ids it is to be
asked about. The ids known at the start go at once, in batches of the source's
``batch_size``; ids another service's answers send on go as soon as they fill a batch, the
rest once nothing more can arrive. So every service is asked ``ceil(n / batch)`` times for
n ids of one kind (the ids learned later may add one request), while the services run side
by side, each at its own pace (the :class:`~digest.metadata.http.Fetcher` paces each one
separately).

What one service answers can send a reference on to another:

- **Semantic Scholar** (and any source registered with ``schemes``) is asked about the
  references of its schemes; the arXiv id it gives a ``doi:`` or ``s2:`` reference sends
  that reference to arXiv;
- **arXiv** is asked about ``arxiv:`` references and those arXiv ids; a comment, journal
  reference or abstract that links an OpenReview forum sends the reference to OpenReview;
- **OpenReview** is asked about ``openreview:`` references and those forums, each first on
  the API of its venue profile (:mod:`digest.metadata.venues`: the conference its edition
  names, else what its arXiv comment says), then on the other API for ids the first did not
  know.

So a worker's inbox closes when the workers that feed it are done (:data:`FEEDS`).

The same paper may be named twice in one run, as ``arxiv:1710.10571`` and as
``openreview:Hk6kPgZA-``: when arXiv's answer for the one links the forum of the other, the
two are tied (:meth:`Lookup.merged`): the arXiv reference gets its venue's record (decision,
ratings) through the forum it was sent to, and the OpenReview reference waits for the arXiv
one and takes what arXiv and Semantic Scholar said of it (arXiv id, citations). So while
arXiv is being asked, OpenReview references do not settle. Without such a link no
service's ids tie a preprint to its forum, and the two stay apart.

A
reference is *settled* when every service it was sent to has answered or failed; the
``settled`` callback gets it then (from a worker thread), with everything the services said
in :attr:`Lookup.answers`. ``progress(service, answered, total)`` follows each service (ids
that failed are not counted as answered). A service given up for the run (see :mod:`digest.metadata.http`)
fails the rest of its inbox at once, without requests; the others go on.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from digest.core.errors import FetchError, LoginRequired, ParseError
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.http import Fetcher, ServiceError
from digest.metadata.sources import arxiv, openreview
from digest.metadata.sources.registry import SOURCES, Source
from digest.metadata.venues import Venues

#: Which workers send ids on to which: a worker's inbox closes when all of its feeders are done.
FEEDS = {"arxiv": ("s2",), "openreview": ("arxiv",)}


@dataclass
class Answers:
    """What the services said about one reference in this run."""

    parts: dict[str, PaperMeta] = field(default_factory=dict)  # family -> its record
    answered: set[str] = field(default_factory=set)  # families that answered (found or not)
    failed: dict[str, str] = field(default_factory=dict)  # families that did not: the reason
    notes: list[tuple[str, str]] = field(default_factory=list)  # (family, reason): answered, but not usable


@dataclass(frozen=True)
class _Result:
    meta: PaperMeta | None
    reason: str | None = None
    answered: bool = True


class _Inbox:
    """Ids waiting for one worker, in arrival order; closed when no more can arrive. The ids
    there when :meth:`release` is called may go without waiting for a full batch."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.closed = False
        self.ready = 0
        self.cond = threading.Condition()

    def release(self) -> None:
        with self.cond:
            self.ready = len(self.items)
            self.cond.notify()

    def put(self, item: str) -> None:
        with self.cond:
            self.items.append(item)
            self.cond.notify()

    def close(self) -> None:
        with self.cond:
            self.closed = True
            self.cond.notify()

    def take(self, size: int) -> list[str] | None:
        """A full batch as soon as there is one; the rest once closed; None when done."""
        with self.cond:
            while len(self.items) < size and not self.closed and not self.ready:
                self.cond.wait()
            if not self.items:
                return None
            batch, self.items = self.items[:size], self.items[size:]
            self.ready = max(0, self.ready - len(batch))
            return batch


class Lookup:
    """One run of asking (see the module docstring)."""

    def __init__(self, fetcher: Fetcher, fetched_at: str, said: Mapping[PaperRef, tuple[str, int]],
                 venues: Venues, settled: Callable[[PaperRef], None],
                 progress: Callable[[str, int, int], None]):
        self.fetcher = fetcher
        self.fetched_at = fetched_at
        self.said = said  # (conference, year) per reference, from its edition
        self.venues = venues
        self.settled = settled
        self.progress = progress
        self.answers: dict[PaperRef, Answers] = defaultdict(Answers)
        self.lock = threading.RLock()
        self._pending: dict[PaperRef, set[str]] = {}
        self._wanted: dict[str, dict[str, list[PaperRef]]] = {name: defaultdict(list) for name in SOURCES}
        self._results: dict[str, dict[str, _Result]] = {name: {} for name in SOURCES}
        self._queued: dict[str, set[str]] = {name: set() for name in SOURCES}
        self._done_ids: dict[str, int] = {name: 0 for name in SOURCES}
        self._venue: dict[str, tuple[str, int]] = {}  # the earliest venue said of each forum
        self._refs: set[PaperRef] = set()
        self._ties: dict[PaperRef, set[PaperRef]] = defaultdict(set)  # OpenReview ref -> same papers
        self._inbox = {name: _Inbox() for name in SOURCES}
        self._feeders = {name: {f for f in FEEDS.get(name, ()) if f in SOURCES} for name in SOURCES}
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ running

    def start(self, refs: Iterable[PaperRef]) -> None:
        """Send every reference to the services it is asked of directly, and start the workers."""
        refs = list(refs)
        self._refs = set(refs)
        tying = "arxiv" in SOURCES and any(ref.scheme != "openreview" for ref in refs)
        # Semantic Scholar names arXiv ids only for the references arXiv is not asked of
        # directly (DOIs, S2 ids): with none, arXiv does not wait for it
        if not any(ref.scheme not in ("arxiv", "openreview") for ref in refs):
            self._feeders["arxiv"].discard("s2")
        if not tying:
            self._feeders["openreview"].discard("arxiv")
        with self.lock:
            for ref in refs:
                self._pending[ref] = {"held"}  # released below, once every first route is made
                if tying and ref.scheme == "openreview":
                    self._pending[ref].add("ties")  # released when arXiv is done
            for ref in refs:
                for source in SOURCES.values():
                    if source.schemes and ref.scheme in source.schemes and source.paper_id:
                        self._route(source.name, source.paper_id(ref), ref)
                if ref.scheme == "arxiv":
                    self._route("arxiv", ref.value, ref)
                elif ref.scheme == "openreview":
                    self._route("openreview", ref.value, ref, self.said.get(ref))
            for ref in refs:
                self._settle("held", ref)
        for name, feeders in self._feeders.items():
            self._inbox[name].release()  # what is known now goes at once, every service side by side
            if not feeders:
                self._inbox[name].close()
        for name in SOURCES:
            work = _WORKERS.get(name, Lookup._lookup_worker)
            thread = threading.Thread(target=self._run_worker, args=(work, SOURCES[name]),
                                      name=f"digest-fetch-{name}", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _run_worker(self, work: Callable[[Lookup, Source], None], source: Source) -> None:
        try:
            work(self, source)
        except Exception as exc:  # noqa: BLE001 - a bug must not leave references unsettled
            reason = f"{source.display}: internal error ({type(exc).__name__}: {exc})"
            self._fail_rest(source.name, reason)
        finally:
            self._fail_rest(source.name, None)
            if source.name == "arxiv":
                with self.lock:
                    for ref in [r for r, pending in self._pending.items() if "ties" in pending]:
                        self._settle("ties", ref)
            for name, feeders in self._feeders.items():
                with self.lock:
                    last = source.name in feeders and len(feeders) == 1
                    feeders.discard(source.name)
                if last:
                    self._inbox[name].close()

    def _fail_rest(self, name: str, reason: str | None) -> None:
        """Settle every id of ``name`` still without a result (the worker has stopped)."""
        inbox = self._inbox[name]
        inbox.close()
        with inbox.cond:
            inbox.items = []
        with self.lock:
            open_ids = [i for i in self._wanted[name] if i not in self._results[name]]
        why = reason or self.fetcher.down.get(name) or f"{SOURCES[name].display}: no answer"
        for ident in open_ids:
            self._record(name, ident, _Result(None, why, answered=False))

    # ------------------------------------------------------------------ routing and results

    def _route(self, name: str, ident: str, ref: PaperRef, venue: tuple[str, int] | None = None) -> None:
        """Send ``ref`` to service ``name`` under the id ``ident`` (under the lock)."""
        with self.lock:
            self._pending.setdefault(ref, set()).add(name)
            refs = self._wanted[name][ident]
            if ref not in refs:
                refs.append(ref)
            if venue and (ident not in self._venue or venue[1] < self._venue[ident][1]):
                self._venue[ident] = venue
            if ident in self._results[name]:
                self._apply(name, ident, ref, self._results[name][ident])
            elif ident not in self._queued[name]:
                self._queued[name].add(ident)
                self._inbox[name].put(ident)

    def _record(self, name: str, ident: str, result: _Result) -> None:
        with self.lock:
            if ident in self._results[name]:
                return
            self._results[name][ident] = result
            for ref in list(self._wanted[name][ident]):
                self._apply(name, ident, ref, result)
            if result.answered:  # a failed id is never counted as done
                self._done_ids[name] += 1
            done, total = self._done_ids[name], len(self._wanted[name])
        self.progress(name, done, total)

    def _apply(self, name: str, ident: str, ref: PaperRef, result: _Result) -> None:
        got = self.answers[ref]
        if result.answered:
            got.answered.add(name)
            if result.meta is not None:
                got.parts[name] = result.meta
                self._send_on(name, result.meta, ref)
            if result.reason:
                got.notes.append((name, result.reason))
        else:
            got.failed[name] = result.reason or "no answer"
        self._settle(name, ref)

    def _send_on(self, name: str, meta: PaperMeta, ref: PaperRef) -> None:
        """What one service's record tells about where else to ask (see the module docstring)."""
        if name != "arxiv" and meta.arxiv_id and ref.scheme in ("doi", "s2") and "arxiv" in SOURCES:
            self._route("arxiv", meta.arxiv_id, ref)
        if name == "arxiv" and meta.openreview_id and "openreview" in SOURCES:
            said = self.said.get(ref) or self.venues.said(meta.venue)
            self._route("openreview", meta.openreview_id, ref, said)
            forum = PaperRef("openreview", meta.openreview_id)
            if forum in self._refs and forum != ref and ref not in self._ties[forum]:
                pending = self._pending.get(forum)
                if pending is not None:  # it waits for this reference to settle
                    self._ties[forum].add(ref)
                    pending.add(f"tie {ref}")

    def _settle(self, name: str, ref: PaperRef) -> None:
        pending = self._pending.get(ref)
        if pending is None or name not in pending:
            return
        pending.discard(name)
        if not pending:
            del self._pending[ref]
            self.settled(ref)
            for forum, tied in self._ties.items():
                if ref in tied:
                    self._settle(f"tie {ref}", forum)

    def merged(self, ref: PaperRef) -> Answers:
        """What was said of ``ref``, with what was said of the references tied to it (for
        sources it did not get an answer of its own from). Call it once ``ref`` is settled."""
        with self.lock:
            got = self.answers.get(ref) or Answers()
            tied = sorted(self._ties.get(ref, ()))
            if not tied:
                return got
            out = Answers(dict(got.parts), set(got.answered), dict(got.failed), list(got.notes))
            for other in tied:
                theirs = self.answers.get(other) or Answers()
                for fam, meta in theirs.parts.items():
                    out.parts.setdefault(fam, meta)
                out.answered |= theirs.answered
            return out

    # ------------------------------------------------------------------ workers

    def _lookup_worker(self, source: Source) -> None:
        """Semantic Scholar, and any source registered with ``schemes``, ``paper_id``,
        ``request`` and ``parse``."""
        if not (source.request and source.parse):
            return
        request, parse = source.request, source.parse
        while (batch := self._inbox[source.name].take(source.batch_size)) is not None:
            req = request(self.fetcher.urls, batch, self.fetcher.secrets)
            try:
                found = self.fetcher.call(req, lambda r, b=batch: parse(r.body, b, self.fetched_at, r.content_type))
            except FetchError as exc:
                for ident in batch:
                    self._record(source.name, ident, _Result(None, str(exc), answered=False))
                continue
            for ident in batch:
                self._record(source.name, ident, _Result(found.get(ident)))

    def _arxiv_worker(self, source: Source) -> None:
        while (batch := self._inbox["arxiv"].take(source.batch_size)) is not None:
            self._arxiv_batch(source, batch)

    def _arxiv_batch(self, source: Source, batch: list[str]) -> None:
        pending = list(batch)
        while pending:
            req = source.request(self.fetcher.urls, pending, self.fetcher.secrets)
            try:
                entries = self.fetcher.call(req, lambda r: arxiv.parse_feed(r.body, self.fetched_at))
            except ServiceError as exc:
                bad = self._bad_arxiv_ids(exc, pending)
                if bad:
                    for aid in bad:
                        self._record("arxiv", aid, _Result(None, f"arXiv: incorrect id format for {aid}"))
                    pending = [a for a in pending if a not in bad]
                    continue
                if exc.status == 414 and len(pending) > 1:  # the URL is too long for the server
                    half = len(pending) // 2
                    self._arxiv_batch(source, pending[:half])
                    pending = pending[half:]
                    continue
                for aid in pending:
                    self._record("arxiv", aid, _Result(None, str(exc), answered=False))
                return
            except FetchError as exc:
                for aid in pending:
                    self._record("arxiv", aid, _Result(None, str(exc), answered=False))
                return
            found = arxiv.match(pending, entries)
            for aid in pending:
                self._record("arxiv", aid, _Result(found.get(aid)))
            return

    @staticmethod
    def _bad_arxiv_ids(exc: ServiceError, pending: list[str]) -> list[str]:
        if exc.status != 400 or not exc.body:
            return []
        try:
            named = arxiv.bad_ids(arxiv.parse_errors(exc.body))
        except ParseError:
            return []
        return [a for a in pending if a in named]

    def _openreview_worker(self, source: Source) -> None:
        """First tries on each forum's own API, then the other API for the ids it did not know."""
        second: dict[str, list[str]] = {openreview.V1: [], openreview.V2: []}
        size = source.batch_size
        while (batch := self._inbox["openreview"].take(size)) is not None:
            with self.lock:
                venue = {f: self._venue.get(f) for f in batch}
            first_v1 = [f for f in batch if venue[f] and self.venues.api(*venue[f]) == openreview.V1]
            v1 = set(first_v1)
            for api, ids in ((openreview.V1, first_v1), (openreview.V2, [f for f in batch if f not in v1])):
                if ids:
                    other = openreview.V2 if api == openreview.V1 else openreview.V1
                    second[other] += self._notes(api, ids, last=False)
            for api, waiting in second.items():
                while len(waiting) >= size:
                    self._notes(api, waiting[:size], last=True)
                    del waiting[:size]
        for api, waiting in second.items():
            if waiting:
                self._notes(api, waiting, last=True)

    def _notes(self, api: str, ids: list[str], last: bool) -> list[str]:
        """Ask API ``api`` for ``ids``; returns the ids it does not know (for the other API)."""
        try:
            token = self.fetcher.openreview_token()
            base = self.fetcher.urls.openreview_v1 if api == openreview.V1 else self.fetcher.urls.openreview
            req = openreview.notes_request(base, ids, api, token)
            found = self.fetcher.call(
                req,
                lambda r: openreview.parse_notes(r.body, ids, api, self.fetched_at, r.content_type, self.venues),
            )
        except (LoginRequired, FetchError) as exc:
            if isinstance(exc, ServiceError) and exc.status in (414, 431) and len(ids) > 1:
                half = len(ids) // 2  # the URL (ids in its query) is too long for the server: ask in halves
                return self._notes(api, ids[:half], last) + self._notes(api, ids[half:], last)
            if isinstance(exc, LoginRequired) and "openreview" not in self.fetcher.down:
                self.fetcher.give_up("openreview", exc)  # a refused login: no use asking again
            for forum in ids:
                self._record("openreview", forum, _Result(None, str(exc), answered=False))
            return []
        unknown = []
        for forum in ids:
            if forum in found:
                self._record("openreview", forum, _Result(found[forum]))
            elif last:
                self._record("openreview", forum,
                             _Result(None, f"OpenReview has no forum {forum} (asked API v1 and v2)"))
            else:
                unknown.append(forum)
        return unknown


#: Sources asked in a way of their own: arXiv (malformed ids dropped and the rest asked again)
#: and OpenReview (two APIs, the login). Every other source goes through ``_lookup_worker``.
_WORKERS: dict[str, Callable[[Lookup, Source], None]] = {
    "arxiv": Lookup._arxiv_worker,
    "openreview": Lookup._openreview_worker,
}
