"""Fetch metadata for paper references and keep the snapshot: what to ask, what to write.

:func:`fetch` is the stage ``fetch(refs, store, fetcher) -> report`` of the pipeline. The
asking is :mod:`digest.metadata.lookup`'s: every service at once, one thread each, in the
largest batches each documents, a reference passed on from one service to the next when an
answer links it (a DOI to its arXiv id, an arXiv preprint to its OpenReview forum). This
module decides which references to ask about, and writes each record as soon as every
service it went to has answered or failed, so a run that is killed keeps every record it
had finished (each write is atomic; at most the batches in flight are lost). Temporary
files a killed writer left behind are removed first.

Which references are asked about: those without a record, those whose record is damaged,
and those whose record says a source did not answer last time (``missing``); with
``refresh``, all of them.

The parts are combined by :mod:`digest.metadata.sources.combine` (its docstring has the order
that settles conflicts). A source that failed this time speaks through what the stored
record holds from it (:func:`~digest.metadata.sources.combine.stand_ins`), so a refresh
during an outage neither erases its fields nor lets a source it outranks replace them.
Every record written names the sources that answered (``answered``) and those that did not
(``missing``). A paper no source could describe leaves its record alone, and
:class:`~digest.metadata.store.Store` refuses to replace a titled record with an untitled one.

A failed source never stops the others: OpenReview's login challenge fails the OpenReview
part of every paper with one message, while arXiv and Semantic Scholar go on.
"""

from __future__ import annotations

import dataclasses
import queue
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from digest.core.errors import StoreError
from digest.core.files import atomic_write
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.http import Fetcher
from digest.metadata.lookup import Answers, Lookup
from digest.metadata.sources.combine import combine, same_content, stand_ins
from digest.metadata.store import Store, encode
from digest.metadata.venues import Venues, shipped

#: ``progress(stage, done, total)``; stage is a source's name (``s2``, ``arxiv``, ``openreview``)
#: or ``write``.
Progress = Callable[[str, int, int], None]
#: ``events(source, kind, text, seconds)``: ``retry`` (``seconds`` until the next attempt),
#: ``down`` (a service given up for the run, ``text`` says why), and ``tick`` (source "",
#: about four times a second while the run waits for answers: a display redraws countdowns).
Events = Callable[[str, str, str, float], None]
#: Fields whose change a refresh reports before writing.
WATCHED = ("title", "decision", "ratings", "code_url")
#: Seconds between ``tick`` events.
TICK = 0.25


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
    skipped: list[PaperRef] = field(default_factory=list)  # already in the snapshot, complete
    retried: list[PaperRef] = field(default_factory=list)  # in the snapshot, but a source had not answered
    completed: list[PaperRef] = field(default_factory=list)  # of those, now complete
    repaired: list[PaperRef] = field(default_factory=list)  # damaged records fetched again
    changes: list[Change] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: Per source family, the records written without it (it did not answer).
    lacking: dict[str, list[PaperRef]] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)  # by this fetcher, per request kind
    cleaned: int = 0  # temporary files of an earlier, killed run removed
    interrupted: bool = False  # stopped by Ctrl-C; what was written is kept

    @property
    def ok(self) -> bool:
        return not self.failures and not self.interrupted


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
    events: Events | None = None,
) -> FetchReport:
    """Fill the snapshot with records for ``refs``; with ``refresh``, fetch all again.

    ``conferences`` gives the conference of references whose edition says it (``ICLR 2021``),
    ``years`` a year of the profiles' default conference; with ``venues`` (the shipped
    profiles by default) they pick the OpenReview API and read decision labels.
    ``on_changes`` is called with the watched changes of each group of records before that
    group is written. Progress and events are called from the calling thread only. Returns a
    :class:`FetchReport` (Ctrl-C ends the run early with ``interrupted`` set); raises only
    :class:`StoreError` when the snapshot cannot be written.
    """
    venues = venues or shipped()
    said = {ref: (venues.default_conference, year) for ref, year in (years or {}).items()}
    for ref, text in (conferences or {}).items():
        found = venues.said(text)
        if found:
            said[ref] = found
    report = FetchReport(asked=sorted(set(refs)))
    fetcher.down.clear()  # "not asked again in this run": a new run asks every service again
    report.cleaned = store.clean()
    old: dict[PaperRef, PaperMeta | None] = {}
    damaged: dict[PaperRef, str] = {}
    for ref in report.asked:
        try:
            old[ref] = store.get(ref)
        except StoreError as exc:
            old[ref] = None
            damaged[ref] = str(exc)
    stored = {r for r in report.asked if old[r] is not None}
    report.retried = [r for r in report.asked if not refresh and r in stored and old[r].missing]  # type: ignore[union-attr]
    todo = [r for r in report.asked if refresh or r not in stored or r in set(report.retried)]
    asked_for = set(todo)
    report.skipped = [r for r in report.asked if r not in asked_for]

    writer = _Writer(store, report, old, damaged, fetched_at or utc_now(), on_changes)
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    lookup = Lookup(fetcher, writer.fetched_at, said, venues,
                    settled=lambda ref: inbox.put(("settled", ref)),
                    progress=lambda *args: inbox.put(("progress", args)))
    hook = fetcher.on_event
    fetcher.on_event = lambda *args: inbox.put(("event", args))
    try:
        lookup.start(todo)
        left = len(todo)
        while left:
            try:
                items = [inbox.get(timeout=TICK)]
            except queue.Empty:
                if events:
                    events("", "tick", "", 0.0)
                continue
            while True:
                try:
                    items.append(inbox.get_nowait())
                except queue.Empty:
                    break
            settled = []
            for kind, payload in items:
                if kind == "settled":
                    settled.append(payload)
                elif kind == "progress" and progress:
                    progress(*payload)
                elif kind == "event" and events:
                    events(*payload)
            left -= len(settled)
            if settled:
                with lookup.lock:
                    answers = {ref: lookup.merged(ref) for ref in settled}
                writer.write(answers)
                if progress:  # records kept (written or already as they are), of all asked for
                    progress("write", len(report.written) + len(report.unchanged), len(todo))
    except KeyboardInterrupt:
        report.interrupted = True
    finally:
        fetcher.on_event = hook
    for ref, problem in damaged.items():
        if ref not in report.repaired:
            report.failures.append(Failure(ref, "snapshot", problem))
    for name in ("written", "unchanged", "completed", "repaired"):
        getattr(report, name).sort()
    # the services answer in an order of their own: the report does not depend on it
    report.failures.sort(key=lambda f: (f.source, f.reason, f.ref is not None, str(f.ref)))
    report.changes.sort(key=lambda c: (str(c.ref), WATCHED.index(c.field)))
    report.lacking = {fam: sorted(refs) for fam, refs in sorted(writer.lacking.items())}
    report.requests = dict(sorted(fetcher.requests.items()))
    return report


class _Writer:
    """Turns what the services said of settled references into snapshot records, and writes them."""

    def __init__(self, store: Store, report: FetchReport, old: Mapping[PaperRef, PaperMeta | None],
                 damaged: Mapping[PaperRef, str], fetched_at: str,
                 on_changes: Callable[[list[Change]], None] | None):
        self.store = store
        self.report = report
        self.old = old
        self.damaged = damaged
        self.fetched_at = fetched_at
        self.on_changes = on_changes
        self.retried = set(report.retried)
        self.lacking: dict[str, list[PaperRef]] = defaultdict(list)

    def write(self, answers: Mapping[PaperRef, Answers]) -> None:
        planned: list[PaperMeta] = []
        changes: list[Change] = []
        for ref in sorted(answers):
            new = self._record(ref, answers[ref])
            if new is None:
                continue
            before = self.old.get(ref)
            if before is not None and same_content(new, before):
                self.report.unchanged.append(ref)
                continue
            if before is not None:
                changes += _changes(before, new)
            planned.append(new)
        if changes:
            self.report.changes += changes
            if self.on_changes:
                self.on_changes(changes)
        for meta in planned:
            ref = meta.ref
            if ref in self.damaged:
                atomic_write(self.store.path_for(ref), encode(meta))  # replaces the damaged file whole
                self.report.repaired.append(ref)
            elif not self.store.put(meta):  # the store's own guard; _record should have caught it
                self.report.failures.append(Failure(ref, meta.source, "the stored record was kept"))
                continue
            self.report.written.append(ref)
            if ref in self.retried and not meta.missing:
                self.report.completed.append(ref)
            for fam in meta.missing:
                self.lacking[fam].append(ref)

    def _record(self, ref: PaperRef, got: Answers) -> PaperMeta | None:
        """The record to keep for ``ref``, or None (its failures reported) to leave it alone."""
        failures = [Failure(ref, fam, why) for fam, why in sorted(got.failed.items())]
        failures += [Failure(ref, fam, why) for fam, why in got.notes]
        self.report.failures += failures
        before = self.old.get(ref)
        if not got.parts:
            if not failures:
                self.report.failures.append(Failure(ref, ref.scheme, "no source knows this paper"))
            return None
        new = combine(ref, {**stand_ins(before, got.answered), **got.parts}, self.fetched_at)
        assert new is not None  # there is at least one part
        new = dataclasses.replace(new, answered=tuple(sorted(got.answered)), missing=tuple(sorted(got.failed)))
        if before is not None and before.title and not new.title:
            self.report.failures.append(
                Failure(ref, new.source, "the answer has no title; the stored record was kept")
            )
            return None
        return new


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


