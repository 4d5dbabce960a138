"""``digest build``: the site into output/ (or ``--out``), optionally fetching first.

A rebuild that would change nothing is found before anything heavy is imported
(:func:`digest.incremental.check`), so it costs little more than starting Python.
"""

from __future__ import annotations

import argparse
import time
from typing import TextIO

from digest.commands.common import as_of


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    start = time.perf_counter()
    day = as_of(args.as_of)  # a bad date is refused before anything is fetched
    if args.fetch:
        from digest.commands import fetch

        if fetch.run(argparse.Namespace(root=args.root, refresh=False), out, err):
            print("digest build: some papers could not be fetched (see above); building from the snapshot as it is",
                  file=err)
    out_dir = args.out if args.out is not None else args.root / "output"
    from digest.report import Timings

    timings = Timings()
    report, checked = None, None
    if not args.no_cache:
        from digest.incremental import check

        with timings.stage("check for changes"):
            checked = check(args.root, out_dir, args.drafts, day)
        if checked.report is not None:
            report = checked.report.unchanged_in(out_dir)
    if report is None:
        from digest.pipeline import build

        report = build(args.root, out_dir, drafts=args.drafts, as_of=day, cache=not args.no_cache,
                       timings=timings, checked=checked)
    for problem in report.warnings:
        print(problem, file=err)
    print(report.summary(), file=out)
    if args.timings:
        print("digest build: time by stage", file=out)
        for line in timings.lines(time.perf_counter() - start):
            print(line, file=out)
    return 0
