"""``digest fetch [--refresh]``: what the command does, as one function the CLI calls.

:func:`run_fetch` loads the curated project, collects every paper reference of every
edition (drafts included), fetches the missing records (all of them with ``refresh``) into
``content/snapshot/`` and reports:

- on standard output: the progress of each service (:mod:`digest.commands.progress`: live
  lines on a terminal, plain lines otherwise); with ``--refresh``, each change of title,
  decision, ratings or code link *before* the record is written; then a one-line summary
  and the number of requests per service;
- on standard error: every failure, grouped by service and reason, naming the papers, and
  which sources the records written lack.

Exit status 0 when every paper was fetched or already present, 1 when some could not be
(what was fetched is kept, and a plain ``digest fetch`` asks again what is missing), 130
after Ctrl-C (every record finished by then is kept). Problems in the curated files raise
:class:`~digest.core.errors.ContentError`, which the CLI prints.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from pathlib import Path
from typing import TextIO

from digest.commands.progress import FetchDisplay
from digest.content.project import load_references
from digest.core.ids import PaperRef
from digest.metadata.fetch import Change, FetchReport, fetch
from digest.metadata.http import Fetcher
from digest.metadata.sources.registry import display
from digest.metadata.store import site_store
from digest.metadata.venues import shipped

#: Papers named per failure group before "and N more".
NAMED = 8


def collect_refs(papers: list[tuple[PaperRef, str]]) -> tuple[list[PaperRef], dict[PaperRef, int]]:
    """Every paper of every edition, and the conference year its edition names (the
    ``conference: ICLR 2021`` line)."""
    refs = sorted(dict.fromkeys(ref for ref, _ in papers))
    return refs, {ref: said[1] for ref, said in _said(papers).items()}


def conferences_of(papers: list[tuple[PaperRef, str]]) -> dict[PaperRef, str]:
    """The conference each paper's earliest edition names, which picks its venue profile
    (and so the OpenReview API to ask first)."""
    return {ref: f"{name} {year}" for ref, (name, year) in _said(papers).items()}


def _said(papers: list[tuple[PaperRef, str]]) -> dict[PaperRef, tuple[str, int]]:
    venues = shipped()
    out: dict[PaperRef, tuple[str, int]] = {}
    for ref, conference in papers:
        said = venues.said(conference)
        if said and (ref not in out or said[1] < out[ref][1]):
            out[ref] = said
    return out


def run_fetch(
    project_root: Path,
    refresh: bool,
    out: TextIO,
    err: TextIO,
    *,
    fetcher: Fetcher | None = None,
    fetched_at: str | None = None,
) -> int:
    """Fetch the project's paper records; returns the exit status (see the module doc).

    ``fetcher`` defaults to one for the real network, configured from the site's
    ``services`` and the environment; tests pass one bound to a local server.
    """
    site, papers = load_references(Path(project_root))
    refs, _ = collect_refs(papers)
    store = site_store(project_root)
    bar = FetchDisplay(out)
    own = fetcher is None
    fetcher = fetcher or Fetcher(site.services)
    try:
        report = fetch(
            refs,
            store,
            fetcher,
            refresh=refresh,
            progress=bar.update,
            events=bar.event,
            conferences=conferences_of(papers),
            fetched_at=fetched_at,
            on_changes=lambda changes: _print_changes(changes, bar),
        )
    finally:
        bar.finish()
        if own:
            fetcher.close()
    _print_summary(report, refresh, out)
    _print_failures(report, err)
    if report.interrupted:
        print("digest fetch: interrupted; every record finished so far is kept", file=err)
        return 130
    return 0 if report.ok else 1


def _print_changes(changes: list[Change], bar: FetchDisplay) -> None:
    for change in changes:
        bar.print(f"changed {change}")


def _print_summary(report: FetchReport, refresh: bool, out: TextIO) -> None:
    parts = [f"{len(report.written)} written"]
    if refresh:
        parts.append(f"{len(report.unchanged)} unchanged")
    if report.skipped:
        parts.append(f"{len(report.skipped)} already in the snapshot")
    if report.retried:
        parts.append(f"{len(report.completed)} of {len(report.retried)} incomplete records completed")
    if report.repaired:
        parts.append(f"{len(report.repaired)} damaged records replaced")
    failed = len({f.ref for f in report.failures if f.ref is not None})
    if failed:
        parts.append(f"{failed} with problems")
    print(f"digest fetch: {len(report.asked)} papers: {', '.join(parts)}", file=out)
    if report.requests:
        made = ", ".join(f"{label} {n}" for label, n in report.requests.items())
        print(f"digest fetch: requests: {made}", file=out)


def _print_failures(report: FetchReport, err: TextIO) -> None:
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for failure in report.failures:
        groups[(failure.source, failure.reason)].append(str(failure.ref) if failure.ref else "")
    for (source, reason), refs in groups.items():
        named = [r for r in refs if r]
        shown = ", ".join(named[:NAMED])
        if len(named) > NAMED:
            shown += f" and {len(named) - NAMED} more"
        count = f"{len(named)} paper" + ("" if len(named) == 1 else "s")
        print(f"digest fetch: error: {source}: {reason} ({count}: {shown})", file=err)
    for source, refs in report.lacking.items():
        count = f"{len(refs)} record" + ("" if len(refs) == 1 else "s")
        print(f"digest fetch: {count} written without {display(source)} (it did not answer)", file=err)
    if report.failures:
        print(
            "digest fetch: what was fetched is kept; run digest fetch again to retry the rest",
            file=err,
        )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return run_fetch(args.root, refresh=args.refresh, out=out, err=err)
