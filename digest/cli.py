"""The ``digest`` command: argument parsing, messages and exit codes, a few lines per command.

Exit status: 0 success (warnings allowed), 1 a problem in the input or a failed fetch or
build (every problem printed, then a count), 2 a usage error (argparse), 130 interrupted.
Problems go to standard error; results to standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence, TextIO

from digest.errors import ContentError, DigestError, Problem, summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args, sys.stdout, sys.stderr) or 0)
    except ContentError as exc:
        _report(exc.problems, sys.stderr, f"digest {args.command}")
        return 1
    except DigestError as exc:
        print(f"digest {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"digest {args.command}: interrupted", file=sys.stderr)
        return 130


def _report(problems: Sequence[Problem], err: TextIO, who: str) -> None:
    for problem in problems:
        print(problem, file=err)
    print(f"{who}: {summary(problems)}", file=err)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content import load_project
    from digest.schema_files import stale_schema_problems

    project = load_project(args.root)
    problems = list(project.warnings) + stale_schema_problems(project)
    for problem in problems:
        print(problem, file=err)
    entries = sum(len(e.entries) for e in project.editions)
    counted = f"{_count(len(project.editions), 'edition')}, {_count(entries, 'entry', 'entries')}"
    print(f"digest check: {counted}: {summary(problems)}", file=out)
    return 0


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.schema_files import write_schemas

    for path in write_schemas(args.root, args.out):
        print(f"wrote {path}", file=out)
    return 0


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.build import build

    if args.fetch:
        status = cmd_fetch(argparse.Namespace(root=args.root, refresh=False), out, err)
        if status:
            return status
    out_dir = args.out if args.out is not None else args.root / "output"
    report = build(args.root, out_dir, drafts=args.drafts)
    for problem in report.warnings:
        print(problem, file=err)
    print(report.summary(), file=out)
    return 0


def cmd_fetch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.fetch_command import run_fetch

    return run_fetch(args.root, refresh=args.refresh, out=out, err=err)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build a bilingual conference paper roundup from curated YAML.",
    )
    parser.add_argument("--version", action="version", version="digest 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--root", type=Path, default=Path("."), help="the site's folder, holding content/ (default: .)")
        p.set_defaults(func=func)
        return p

    command("check", cmd_check, "Check every curated file, offline; print every problem, write nothing.")

    p = command("schema", cmd_schema, "Write the JSON Schema of site, category and edition files.")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: <root>/schema)")

    p = command("build", cmd_build, "Build the site into output/ from content/ and the metadata snapshot.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/output)")
    p.add_argument("--drafts", action="store_true", help="include editions marked draft: true")
    p.add_argument("--fetch", action="store_true", help="fetch missing metadata first (uses the network)")

    p = command("fetch", cmd_fetch, "Fetch missing paper metadata into the snapshot (uses the network).")
    p.add_argument("--refresh", action="store_true", help="fetch every record again and print what changed")
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
