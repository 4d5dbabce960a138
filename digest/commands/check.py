"""``digest check [--fix]``: every curated file checked offline; problems printed, nothing written
(``--fix`` first rewrites the characters its copy-editing changes)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from digest.commands.common import count
from digest.core.errors import summary


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.checks.project import check_project

    if args.fix:
        _fix(args.root, out, err)
    project, problems = check_project(args.root)
    for problem in problems:
        print(problem, file=err)
    if any(p.severity == "error" for p in problems):
        print(f"digest check: {summary(problems)}", file=err)
        return 1
    entries = sum(len(e.entries) for e in project.editions)
    counted = f"{count(len(project.editions), 'edition')}, {count(entries, 'entry', 'entries')}"
    print(f"digest check: {counted}: {summary(problems)}", file=out)
    return 0


def _fix(root: Path, out: TextIO, err: TextIO) -> None:
    from digest.checks.fix import fix_texts
    from digest.content.project import load_project

    report = fix_texts(load_project(root))
    for rel, paths in sorted(report.fixed.items()):
        print(f"fixed {rel}: {', '.join(paths)}", file=out)
    for problem in report.refused:
        print(problem, file=err)
