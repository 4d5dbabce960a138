"""The ``digest`` command line: the arguments of every command, and dispatch.

Each command's work is in :mod:`digest.commands` (one module per command, imported only
when that command runs, so ``digest --help`` starts fast). Exit status: 0 success
(warnings allowed), 1 a problem in the input or a failed fetch or build (every problem
printed, then a count), 2 a usage error (argparse), 130 interrupted. Problems go to
standard error; results to standard output.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from digest.core.errors import ContentError, DigestError, summary
from digest.core.version import VERSION


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        command = importlib.import_module(f"digest.commands.{args.command}")
        return int(command.run(args, sys.stdout, sys.stderr) or 0)
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"digest {args.command}: {summary(exc.problems)}", file=sys.stderr)
        return 1
    except DigestError as exc:
        print(f"digest {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"digest {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`digest build | head -1`): nothing more to say
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's last flush does not fail again
        return 141


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build a bilingual conference paper roundup from curated YAML.",
    )
    parser.add_argument("--version", action="version", version=f"digest {VERSION}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--root", type=Path, default=Path("."), help="the site's folder, holding content/ (default: .)")
        return p

    p = sub.add_parser("init", help="Write a new site (content, schema, .gitignore, CI workflow) into an empty folder.",
                       description="Write a new site (content, schema, .gitignore, CI workflow) into an empty folder.")
    p.add_argument("dir", nargs="?", type=Path, default=Path("."), metavar="DIR",
                   help="the new site's folder, created when missing (default: .)")
    p.add_argument("--base-url", default="https://example.org/",
                   help="the address the site will be published at (default: https://example.org/, to change later)")

    p = command("check", "Check every curated file, offline; print every problem, write nothing.")
    p.add_argument("--fix", action="store_true",
                   help="apply the Chinese copy-editing changes and remove control characters in the files first")

    p = command("schema", "Write the JSON Schema of site, category and edition files.")
    p.add_argument("--out", type=Path, default=None, help="folder to write to (default: <root>/schema)")

    p = command("build", "Build the site into output/ from content/ and the metadata snapshot.")
    p.add_argument("--out", type=Path, default=None, help="output folder (default: <root>/output)")
    p.add_argument("--drafts", action="store_true", help="include editions marked draft: true")
    p.add_argument("--fetch", action="store_true", help="fetch missing metadata first (uses the network)")
    p.add_argument("--as-of", default=None,
                   help="leave out editions dated after this day, YYYY-MM-DD (default: today)")
    p.add_argument("--no-cache", action="store_true",
                   help="build everything from scratch, neither reading nor updating <root>/.digest-cache")
    p.add_argument("--timings", action="store_true", help="print where the time went, stage by stage")

    p = command("serve", "Preview the site on 127.0.0.1 (or --host), rebuilding and reloading as files change.")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0 or :: for every "
                        "network interface)")
    p.add_argument("--drafts", action="store_true", help="include editions marked draft: true (shown with a banner)")

    p = command("new", "Write a new edition file with placeholders to fill in.")
    p.add_argument("slug", help="the edition's name, used in its URL (such as iclr2026-week1)")
    p.add_argument("--date", default=None, help="publication date, YYYY-MM-DD (default: today)")
    p.add_argument("--conference", default="ICLR", help="the conference covered (default: ICLR)")

    p = command("add", "Append papers to an edition, leaving the rest of the file exactly as it was.")
    p.add_argument("edition", help="the edition's name (file name without .yaml) or its path")
    p.add_argument("refs", nargs="+", metavar="REF", help="paper references or pasted URLs")
    p.add_argument("--category", default=None, help="category key for the new entries")
    p.add_argument("--tags", default=None, help="comma-separated tags for the new entries")

    p = command("status", "Show each edition's progress: entries, translations, missing records, drafts.")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--as-of", default=None, help="the date that decides what is scheduled, YYYY-MM-DD (default: today)")

    p = command("export", "Write one edition as a file to paste or import elsewhere (WeChat, Zhihu, email, Markdown).")
    p.add_argument("channel", type=_export_name, metavar="CHANNEL",
                   help="the export to write, such as markdown or wechat (the README's digest export lists them all)")
    p.add_argument("edition", help="the edition's name (its slug, the file name without .yaml)")
    p.add_argument("--lang", default=None, help="the language to export, one of the site's (default: its first)")
    p.add_argument("--out", type=Path, default=None,
                   help="file to write, or - for standard output (default: <root>/exports/<edition>.<lang><suffix>)")
    p.add_argument("--esp", choices=("buttondown", "listmonk", "generic"), default="generic",
                   help="the email export's sender: buttondown, listmonk or generic (default: generic)")

    p = command("fetch", "Fetch missing paper metadata into the snapshot (uses the network).")
    p.add_argument("--refresh", action="store_true", help="fetch every record again and print what changed")
    p = command("translate", "Ask a translation provider for machine drafts of English texts the curator has "
                             "not translated; review and approve them.")
    p.add_argument("editions", nargs="*", metavar="EDITION", help="editions to translate (default: every edition)")
    p.add_argument("--fields", type=_translate_fields, default=("abstract", "tldr", "title", "meta_review"),
                   help="comma-separated fields to translate, of abstract,tldr,title,meta_review (default: all four)")
    p.add_argument("--to", choices=("zh",), default="zh", help="the language to translate into (default: zh)")
    p.add_argument("--review", default=None, metavar="EDITION",
                   help="list the edition's drafts not yet approved, and whether each is shown; ask nothing")
    p.add_argument("--approve", nargs=2, default=None, metavar=("REF", "FIELD"),
                   help="copy the draft of FIELD of paper REF into its edition file as the curator's text")
    p = sub.add_parser("venue", help="Venue records: every submission of a conference year, for statistics.",
                       description="Venue records: every submission of a conference year, for statistics.")
    venue = p.add_subparsers(dest="venue_command", metavar="SUBCOMMAND", required=True)
    p = venue.add_parser("fetch", help="Fetch a venue year's submissions from OpenReview into its venue record "
                                       "(uses the network).",
                         description="Fetch a venue year's submissions from OpenReview into its venue record "
                                     "(uses the network).")
    p.add_argument("venue", metavar="VENUE", help="the conference, as its venue profile names it (such as ICLR)")
    p.add_argument("year", type=int, metavar="YEAR", help="the conference year (such as 2018)")
    p.add_argument("--root", type=Path, default=Path("."), help="the site's folder, holding content/ (default: .)")
    return parser


def _translate_fields(text: str) -> tuple[str, ...]:
    from digest.commands.translate import fields_arg

    return fields_arg(text)


def _export_name(name: str) -> str:
    """The CHANNEL of ``digest export``, checked against the registry when that command is
    parsed (every other command starts without importing the exports)."""
    from digest.exports.channels import EXPORTS

    if name not in EXPORTS:
        raise argparse.ArgumentTypeError(f"invalid choice: {name!r} (choose from {', '.join(map(repr, EXPORTS))})")
    return name


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
