"""``digest build``: the site into output/ (or ``--out``), optionally fetching first."""

from __future__ import annotations

import argparse
from typing import TextIO

from digest.commands.common import as_of


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.commands import fetch
    from digest.pipeline import build

    day = as_of(args.as_of)  # a bad date is refused before anything is fetched
    if args.fetch:
        if fetch.run(argparse.Namespace(root=args.root, refresh=False), out, err):
            print("digest build: some papers could not be fetched (see above); building from the snapshot as it is",
                  file=err)
    out_dir = args.out if args.out is not None else args.root / "output"
    report = build(args.root, out_dir, drafts=args.drafts, as_of=day)
    for problem in report.warnings:
        print(problem, file=err)
    print(report.summary(), file=out)
    return 0
