"""Fetch metadata for paper references and keep the snapshot: routing, batching, merging.

:func:`fetch` is the stage ``fetch(refs, store, fetcher) -> report`` of the pipeline. It
asks each service once per batch, in three phases, so that a reference learns everything
the sources can link to it while every service still gets the fewest requests:

1. **Semantic Scholar** (``POST /paper/batch``, 500 ids) for ``arxiv:``, ``doi:`` and
   ``s2:`` references: TL;DR, citation count, open-access PDF, and the arXiv id of a DOI.
2. **arXiv** (``id_list``, 100 ids) for ``arxiv:`` references and arXiv ids learned in 1.
   An arXiv comment, journal reference or abstract that links an OpenReview forum ties the
   paper to that forum.
3. **OpenReview** (notes by id, 100 ids) for ``openreview:`` references and forums learned
   in 2. Each id goes first to the API of its venue profile (:mod:`digest.metadata.venues`:
   ICLR 2017 to 2023 on v1, other years on v2): the conference its edition names
   (``conferences``, or a bare year in ``years``), else what its arXiv comment says ("ICLR
   2021"); ids the first API does not know are asked of the other one. With the venue
   known, n papers cost ceil(n / 100) requests.

The parts are combined by :mod:`digest.metadata.sources.combine` (its docstring has the order that
settles conflicts). Nothing is written until every phase is over, and then only records
that are new or changed; a paper no source could describe leaves its record alone, a
source that failed this time leaves the fields it gave before, and :class:`~digest.metadata.store.Store`
refuses to replace a titled record with an untitled one. Each write is atomic.

A failed source never stops the others: OpenReview's login challenge fails the OpenReview
part of every paper with one message, while arXiv and Semantic Scholar go on.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from digest.core.errors import FetchError, LoginRequired, ParseError, StoreError
from digest.core.files import atomic_write
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.http import Fetcher, ServiceError
from digest.metadata.sources import arxiv, openreview
from digest.metadata.sources.base import batches
from digest.metadata.sources.combine import combine, keep_unanswered, same_content
from digest.metadata.sources.registry import SOURCES, Source
from digest.metadata.store import Store, encode
from digest.metadata.venues import Venues, shipped

#: ``progress(stage, done, total)``; stage is a source's name (``s2``, ``arxiv``, ``openreview``)
#: or ``write``.
Progress = Callable[[str, int, int], None]
#: Fields whose change a refresh reports before writing.
WATCHED = ("title", "decision", "ratings", "code_url")


@dataclass(frozen=True)
class Change:
    """One watched field of one record, before and after a refresh."""

    ref: PaperRef
    field: str
    old: object
    new: object

    def __str__(self) -> str:
        if self.field == "code_url" and not self.old:
            return f"{self.ref}: new code link: {self.new}"
        return f"{self.ref}: {self.field}: {_show(self.old)} -> {_show(self.new)}"


@dataclass(frozen=True)
class Failure:
    """What could not be fetched: which paper (None for a whole service), where, and why."""

    ref: PaperRef | None
    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.ref}: {self.source}: {self.reason}" if self.ref else f"{self.source}: {self.reason}"


@dataclass
class FetchReport:
    """The outcome of a :func:`fetch`: what was written, what changed, what failed."""

    asked: list[PaperRef] = field(default_factory=list)
    written: list[PaperRef] = field(default_factory=list)
    unchanged: list[PaperRef] = field(default_factory=list)
    skipped: list[PaperRef] = field(default_factory=list)  # already in the snapshot
    repaired: list[PaperRef] = field(default_factory=list)  # damaged records fetched again
    changes: list[Change] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    requests: dict[str, int] = field(default_factory=dict)  # by this fetcher, per request kind

    @property
    def ok(self) -> bool:
        return not self.failures


def utc_now() -> str:
    """The time stamp of a fetch, ISO 8601 UTC to the second (only kept as ``fetched_at``)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def fetch(
    refs: Iterable[PaperRef],
    store: Store,
    fetcher: Fetcher,
    refresh: bool = False,
    progress: Progress | None = None,
    *,
    years: Mapping[PaperRef, int] | None = None,
    conferences: Mapping[PaperRef, str] | None = None,
    venues: Venues | None = None,
    fetched_at: str | None = None,
    on_changes: Callable[[list[Change]], None] | None = None,
) -> FetchReport:
    """Fill the snapshot with records for ``refs``; with ``refresh``, fetch all again.

    ``conferences`` gives the conference of references whose edition says it (``ICLR 2021``),
    ``years`` a year of the profiles' default conference; with ``venues`` (the shipped
    profiles by default) they pick the OpenReview API and read decision labels. ``on_changes`` is called with every watched change before anything is
    written. Returns a :class:`FetchReport`; raises only :class:`StoreError` when the
    snapshot cannot be written.
    """
    venues = venues or shipped()
    said = {ref: (venues.default_conference, year) for ref, year in (years or {}).items()}
    for ref, text in (conferences or {}).items():
        found = venues.said(text)
        if found:
            said[ref] = found
    run = _Run(fetcher, fetched_at or utc_now(), progress or (lambda *_: None), said, venues)
    report = FetchReport(asked=sorted(set(refs)))
    old: dict[PaperRef, PaperMeta | None] = {}
    damaged: dict[PaperRef, str] = {}
    for ref in report.asked:
        try:
            old[ref] = store.get(ref)
        except StoreError as exc:
            old[ref] = None
            damaged[ref] = str(exc)
    todo = [r for r in report.asked if refresh or old[r] is None]
    asked_for = set(todo)
    report.skipped = [r for r in report.asked if r not in asked_for]

    for source in SOURCES.values():
        _PHASES.get(source.name, _Run.lookup)(run, source, todo)

    planned: list[PaperMeta] = []
    failed = {f.ref for f in run.failures}
    for ref in todo:
        new = combine(ref, run.parts[ref], run.fetched_at)
        if new is None:
            if ref not in failed:
                run.failures.append(Failure(ref, ref.scheme, "no source knows this paper"))
            continue
        before = old.get(ref)
        new = keep_unanswered(new, before, run.answered[ref])
        if before is not None and before.title and not new.title:
            run.failures.append(
                Failure(ref, new.source, "the answer has no title; the stored record was kept")
            )
            continue
        if before is not None and same_content(new, before):
            report.unchanged.append(ref)
            continue
        if before is not None:
            report.changes += _changes(before, new)
        planned.append(new)
    if on_changes and report.changes:
        on_changes(report.changes)
    for i, meta in enumerate(planned, start=1):
        if meta.ref in damaged:
            atomic_write(store.path_for(meta.ref), encode(meta))  # replaces the damaged file whole
            report.repaired.append(meta.ref)
            report.written.append(meta.ref)
        elif store.put(meta):
            report.written.append(meta.ref)
        else:  # the store's own guard; the check above should have caught it
            run.failures.append(Failure(meta.ref, meta.source, "the stored record was kept"))
        run.progress("write", i, len(planned))
    for ref, problem in damaged.items():
        if ref not in report.repaired:
            run.failures.append(Failure(ref, "snapshot", problem))
    report.failures = run.failures
    report.requests = dict(sorted(fetcher.requests.items()))
    return report


def _changes(old: PaperMeta, new: PaperMeta) -> list[Change]:
    out = []
    for name in WATCHED:
        a, b = getattr(old, name), getattr(new, name)
        if a != b and not (name == "code_url" and not b):
            out.append(Change(new.ref, name, a, b))
    return out


def _show(value: object) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "(none)"
    if isinstance(value, str) and " " in value:
        return repr(value)
    return str(value)


class _Run:
    """The state of one fetch: records per reference and family, failures, progress."""

    def __init__(self, fetcher: Fetcher, fetched_at: str, progress: Progress,
                 said: Mapping[PaperRef, tuple[str, int]], venues: Venues):
        self.fetcher = fetcher
        self.fetched_at = fetched_at
        self.progress = progress
        self.said = said  # (conference, year) per reference, from its edition
        self.venues = venues
        self.parts: dict[PaperRef, dict[str, PaperMeta]] = defaultdict(dict)
        self.answered: dict[PaperRef, set[str]] = defaultdict(set)
        self.failures: list[Failure] = []

    def fail(self, refs: Iterable[PaperRef], source: str, reason: str) -> None:
        for ref in refs:
            self.failures.append(Failure(ref, source, reason))

    # ------------------------------------------------------------------ any source asked directly

    def lookup(self, source: Source, todo: list[PaperRef]) -> None:
        """Ask ``source`` about the references of its schemes, in batches (Semantic Scholar,
        and any source registered with ``schemes``, ``paper_id``, ``request`` and ``parse``)."""
        if not (source.schemes and source.paper_id and source.request and source.parse):
            return
        paper_id, request, parse, name = source.paper_id, source.request, source.parse, source.name
        wanted: dict[str, list[PaperRef]] = defaultdict(list)
        for ref in todo:
            if ref.scheme in source.schemes:
                wanted[paper_id(ref)].append(ref)
        ids = list(wanted)
        done = 0
        for batch in batches(ids, source.batch_size):
            req = request(self.fetcher.urls, batch, self.fetcher.secrets)
            try:
                found = self.fetcher.call(req, lambda r, b=batch: parse(r.body, b, self.fetched_at, r.content_type))
            except FetchError as exc:
                self.fail((r for i in batch for r in wanted[i]), name, str(exc))
            else:
                for pid, meta in found.items():
                    for ref in wanted[pid]:
                        self.answered[ref].add(name)
                        if meta is not None:
                            self.parts[ref][name] = meta
            done += len(batch)
            self.progress(name, done, len(ids))

    # ------------------------------------------------------------------ arXiv

    def arxiv(self, source: Source, todo: list[PaperRef]) -> None:
        wanted: dict[str, list[PaperRef]] = defaultdict(list)
        for ref in todo:
            if ref.scheme == "arxiv":
                wanted[ref.value].append(ref)
            elif ref.scheme in ("doi", "s2"):
                learned = self.parts[ref].get("s2")
                if learned is not None and learned.arxiv_id:
                    wanted[learned.arxiv_id].append(ref)
        ids = list(wanted)
        done = 0
        for batch in batches(ids, source.batch_size):
            pending = list(batch)
            while pending:
                req = source.request(self.fetcher.urls, pending, self.fetcher.secrets)
                try:
                    entries = self.fetcher.call(req, lambda r: arxiv.parse_feed(r.body, self.fetched_at))
                except ServiceError as exc:
                    bad = self._bad_arxiv_ids(exc, pending)
                    if bad:
                        for aid in bad:
                            self.fail(wanted[aid], "arxiv", f"arXiv: incorrect id format for {aid}")
                        pending = [a for a in pending if a not in bad]
                        continue
                    self.fail((r for a in pending for r in wanted[a]), "arxiv", str(exc))
                    break
                except FetchError as exc:
                    self.fail((r for a in pending for r in wanted[a]), "arxiv", str(exc))
                    break
                for aid, meta in arxiv.match(pending, entries).items():
                    for ref in wanted[aid]:
                        self.parts[ref]["arxiv"] = meta
                for aid in pending:
                    for ref in wanted[aid]:
                        self.answered[ref].add("arxiv")
                pending = []
            done += len(batch)
            self.progress("arxiv", done, len(ids))

    @staticmethod
    def _bad_arxiv_ids(exc: ServiceError, pending: list[str]) -> list[str]:
        if exc.status != 400 or not exc.body:
            return []
        try:
            named = arxiv.bad_ids(arxiv.parse_errors(exc.body))
        except ParseError:
            return []
        return [a for a in pending if a in named]

    # ------------------------------------------------------------------ OpenReview

    def openreview(self, source: Source, todo: list[PaperRef]) -> None:
        wanted: dict[str, list[PaperRef]] = defaultdict(list)
        venue: dict[str, tuple[str, int]] = {}  # the earliest venue said of each forum
        for ref in todo:
            forum = ref.value if ref.scheme == "openreview" else None
            if forum is None:
                linked = self.parts[ref].get("arxiv")
                forum = linked.openreview_id if linked is not None else None
            if forum:
                wanted[forum].append(ref)
                linked = self.parts[ref].get("arxiv")
                said = self.said.get(ref) or self.venues.said(linked.venue if linked else None)
                if said and (forum not in venue or said[1] < venue[forum][1]):
                    venue[forum] = said
        if not wanted:
            return
        ids = list(wanted)
        first_v1 = [f for f in ids if f in venue and self.venues.api(*venue[f]) == openreview.V1]
        v1_set = set(first_v1)
        first_v2 = [f for f in ids if f not in v1_set]
        state = _ORState(total=len(ids))
        try:
            token = self.fetcher.openreview_token()
            self._notes(openreview.V1, first_v1, token, state, wanted)
            self._notes(openreview.V2, first_v2, token, state, wanted)
            self._notes(openreview.V2, [f for f in first_v1 if f in state.missing], token, state, wanted)
            self._notes(openreview.V1, [f for f in first_v2 if f in state.missing], token, state, wanted)
        except LoginRequired as exc:
            rest = [f for f in ids if f not in state.found and f not in state.failed]
            self.fail((r for f in rest for r in wanted[f]), "openreview", str(exc))
            return
        for forum in ids:
            if forum in state.missing:
                for ref in wanted[forum]:
                    self.answered[ref].add("openreview")
                self.fail(
                    wanted[forum], "openreview", f"OpenReview has no forum {forum} (asked API v1 and v2)"
                )

    def _notes(
        self, api: str, ids: list[str], token: str | None, state: _ORState, wanted: dict[str, list[PaperRef]]
    ) -> None:
        base = self.fetcher.urls.openreview_v1 if api == openreview.V1 else self.fetcher.urls.openreview
        for batch in batches(ids, SOURCES["openreview"].batch_size):
            req = openreview.notes_request(base, batch, api, token)
            try:
                found = self.fetcher.call(
                    req,
                    lambda r, b=batch: openreview.parse_notes(
                        r.body, b, api, self.fetched_at, r.content_type, self.venues
                    ),
                )
            except LoginRequired:
                raise
            except FetchError as exc:
                state.failed.update(batch)
                state.missing.difference_update(batch)
                self.fail((r for f in batch for r in wanted[f]), "openreview", str(exc))
                continue
            for forum in batch:
                state.asked[forum] += 1
                if forum in found:
                    state.found.add(forum)
                    state.missing.discard(forum)
                    for ref in wanted[forum]:
                        self.answered[ref].add("openreview")
                        self.parts[ref]["openreview"] = found[forum]
                else:
                    state.missing.add(forum)
            self.progress("openreview", state.settled(), state.total)


#: Sources asked in a way of their own: arXiv (malformed ids dropped and the rest asked again)
#: and OpenReview (two APIs, the login). Every other source goes through :meth:`_Run.lookup`.
_PHASES = {"arxiv": _Run.arxiv, "openreview": _Run.openreview}


@dataclass
class _ORState:
    total: int
    found: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    asked: Counter[str] = field(default_factory=Counter)

    def settled(self) -> int:
        """Ids with a final answer: found, failed, or missing from both APIs."""
        return len(self.found) + len(self.failed) + sum(1 for f in self.missing if self.asked[f] >= 2)
