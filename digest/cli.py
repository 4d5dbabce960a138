"""The ``digest`` command: argument parsing, messages and exit codes, a few lines per command.

Exit status: 0 success (warnings allowed), 1 a problem in the input or a failed fetch or
build (every problem printed, then a count), 2 a usage error (argparse), 130 interrupted.
Problems go to standard error; results to standard output.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

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
    from digest.lint import check_project

    if args.fix:
        _fix(args.root, out, err)
    project, problems = check_project(args.root)
    for problem in problems:
        print(problem, file=err)
    if any(p.severity == "error" for p in problems):
        print(f"digest check: {summary(problems)}", file=err)
        return 1
    entries = sum(len(e.entries) for e in project.editions)
    counted = f"{_count(len(project.editions), 'edition')}, {_count(entries, 'entry', 'entries')}"
    print(f"digest check: {counted}: {summary(problems)}", file=out)
    return 0


def _fix(root: Path, out: TextIO, err: TextIO) -> None:
    from digest.content import load_project
    from digest.fix import fix_texts

    report = fix_texts(load_project(root))
    for rel, paths in sorted(report.fixed.items()):
        print(f"fixed {rel}: {', '.join(paths)}", file=out)
    for problem in report.refused:
        print(problem, file=err)


def cmd_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.schema_files import write_schemas

    for path in write_schemas(args.root, args.out):
        print(f"wrote {path}", file=out)
    return 0


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.build import build

    as_of = _as_of(args.as_of)  # a bad date is refused before anything is fetched
    if args.fetch:
        if cmd_fetch(argparse.Namespace(root=args.root, refresh=False), out, err):
            print("digest build: some papers could not be fetched (see above); building from the snapshot as it is",
                  file=err)
    out_dir = args.out if args.out is not None else args.root / "output"
    report = build(args.root, out_dir, drafts=args.drafts, as_of=as_of)
    for problem in report.warnings:
        print(problem, file=err)
    print(report.summary(), file=out)
    return 0


def cmd_fetch(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.fetch_command import run_fetch

    return run_fetch(args.root, refresh=args.refresh, out=out, err=err)


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.serve import run_serve

    return run_serve(args.root, args.port, args.drafts, out, err)


def cmd_new(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from datetime import date

    from digest.edit import create_edition
    from digest.errors import DigestError
    from digest.validate import SLUG

    if not SLUG.match(args.slug):
        raise DigestError(f"'{args.slug}' is not a valid edition name (use lower-case letters, digits and hyphens, as in iclr2026-week1)")
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise DigestError(f"--date: '{args.date}' is not a date (write it as YYYY-MM-DD)") from None
    languages = _site_languages(args.root)
    path = create_edition(args.root, args.slug, day, args.conference, languages)
    print(f"wrote {path.relative_to(args.root) if path.is_relative_to(args.root) else path}: "
          f"replace the <<placeholders>>, then add papers with: digest add {args.slug} <reference or URL>", file=out)
    return 0


def _site_languages(root: Path) -> tuple[str, ...]:
    """The languages of the site at ``root``; refuses a folder that is not a digest site."""
    from digest.content import SITE_FILE, load_site
    from digest.errors import DigestError

    if not (root / SITE_FILE).is_file():
        raise DigestError(f"{root / SITE_FILE} not found: run digest from the site's folder, or pass --root")
    return load_site(root).languages


def _check_category_and_tags(root: Path, category: str | None, tags: tuple[str, ...]) -> None:
    import difflib

    from digest.content import load_categories
    from digest.errors import DigestError
    from digest.validate import SLUG

    keys = [c.key for c in load_categories(root)]
    if category is not None and category not in keys:
        close = difflib.get_close_matches(category, keys, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "the keys are in content/categories.yaml"
        raise DigestError(f"--category: unknown category '{category}' ({hint})")
    for tag in tags:
        if not SLUG.match(tag):
            raise DigestError(f"--tags: '{tag}' is not a valid tag (use lower-case letters, digits and hyphens, as in large-batch)")


def cmd_add(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.edit import NewEntry, append_entries, parse_refs
    from digest.errors import DigestError
    from digest.store import site_store

    edition = Path(args.edition)
    if edition.suffix not in (".yaml", ".yml"):
        edition = args.root / "content" / "editions" / f"{args.edition}.yaml"
    if not edition.is_file():
        raise DigestError(f"no edition file {edition} (create it with: digest new {Path(args.edition).stem})")
    rel = str(edition.relative_to(args.root)) if edition.resolve().is_relative_to(args.root.resolve()) else str(edition)
    languages = _site_languages(args.root)
    refs = parse_refs(args.refs)
    tags = tuple(t.strip() for t in (args.tags or "").split(",") if t.strip())
    _check_category_and_tags(args.root, args.category, tags)
    category = args.category or "<<category>>"
    entries = [NewEntry(ref, category, tags) for ref in refs]
    skipped = append_entries(edition, rel, entries, languages)
    store = site_store(args.root)
    for ref in refs:
        if ref in skipped:
            print(f"{rel}: warning: {ref} is already in this edition; not added again", file=err)
            continue
        meta = store.get(ref.unversioned) or store.get(ref)
        if meta is None:
            print(f"added {ref}: not in the snapshot yet (run digest fetch to get its title)", file=out)
        else:
            outcome = ", ".join(x for x in (meta.venue, meta.decision) if x)
            print(f"added {ref}: {meta.title}" + (f" ({outcome})" if outcome else ""), file=out)
    if not args.category and len(skipped) < len(refs):
        print(f"{rel}: set each new entry's category (the <<category>> placeholders)", file=err)
    return 1 if skipped and len(skipped) == len(refs) else 0


def cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content import load_project
    from digest.status import as_json, as_table, edition_status
    from digest.store import site_store

    as_of = _as_of(args.as_of)
    try:
        project = load_project(args.root)
    except ContentError as exc:
        # drafts are where unfinished text lives: show the rest, and say what was left out
        project = load_project(args.root, drafts=False)
        files = sorted({p.loc.file for p in exc.problems if p.severity == "error"})
        print(f"digest status: left out drafts with problems ({', '.join(files)}); run digest check", file=err)
    refs = {e.paper for ed in project.editions for e in ed.entries}
    metas = site_store(args.root).load_for(refs)
    statuses = edition_status(project, metas, as_of)
    out.write(as_json(statuses, as_of) if args.json else as_table(statuses, project.site.languages))
    return 0


def _as_of(text: str | None):
    """The ``--as-of`` date: the one given, or today (it decides which editions are out, never what pages say)."""
    from datetime import date

    from digest.errors import DigestError

    try:
        return date.fromisoformat(text) if text else date.today()
    except ValueError:
        raise DigestError(f"--as-of: '{text}' is not a date (write it as YYYY-MM-DD)") from None


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

    p = command("check", cmd_check, "Check every curated file, offline; print every problem, write nothing.")
    p.add_argument("--fix", action="store_true",
                   help="apply the Chinese copy-editing changes and remove control characters in the files first")

    p = command("schema", cmd_schema, "Write the JSON Schema of site, category and edition files.")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: <root>/schema)")

    p = command("build", cmd_build, "Build the site into output/ from content/ and the metadata snapshot.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/output)")
    p.add_argument("--drafts", action="store_true", help="include editions marked draft: true")
    p.add_argument("--fetch", action="store_true", help="fetch missing metadata first (uses the network)")
    p.add_argument("--as-of", default=None,
                   help="leave out editions dated after this day, YYYY-MM-DD (default: today)")

    p = command("serve", cmd_serve, "Preview the site on 127.0.0.1, rebuilding and reloading as files change.")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    p.add_argument("--drafts", action="store_true", help="include editions marked draft: true (shown with a banner)")

    p = command("new", cmd_new, "Write a new edition file with placeholders to fill in.")
    p.add_argument("slug", help="the edition's name, used in its URL (such as iclr2026-week1)")
    p.add_argument("--date", default=None, help="publication date, YYYY-MM-DD (default: today)")
    p.add_argument("--conference", default="ICLR", help="the conference covered (default: ICLR)")

    p = command("add", cmd_add, "Append papers to an edition, leaving the rest of the file exactly as it was.")
    p.add_argument("edition", help="the edition's name (file name without .yaml) or its path")
    p.add_argument("refs", nargs="+", metavar="REF", help="paper references or pasted URLs")
    p.add_argument("--category", default=None, help="category key for the new entries")
    p.add_argument("--tags", default=None, help="comma-separated tags for the new entries")

    p = command("status", cmd_status, "Show each edition's progress: entries, translations, missing records, drafts.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--as-of", default=None, help="the date that decides what is scheduled, YYYY-MM-DD (default: today)")

    p = command("fetch", cmd_fetch, "Fetch missing paper metadata into the snapshot (uses the network).")
    p.add_argument("--refresh", action="store_true", help="fetch every record again and print what changed")
    return parser


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
