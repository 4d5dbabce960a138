"""``digest export CHANNEL EDITION``: one edition as a file to paste or import elsewhere
(see :mod:`digest.exports`): to ``--out FILE``, or to standard output with ``--out -``,
else to ``<root>/exports/<edition>.<lang><suffix>``. A plain-text alternative, when the
channel makes one, goes beside the file. Warnings go to standard error and never stop it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from digest.core.files import atomic_write

#: Where exports go by default, relative to the site's folder.
EXPORTS_DIR = "exports"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    channel = EXPORTS[args.channel]
    options = {name: getattr(args, name) for name in channel.options}
    context = export_context(args.root, args.edition, args.lang, options)
    for problem in context.warnings:
        print(problem, file=err)
    result = channel.render(context)
    for warning in result.warnings:
        print(f"digest export: warning: {warning}", file=err)
    if args.out is not None and str(args.out) == "-":
        if out is sys.stdout:  # the bytes as they are, whatever the terminal's encoding
            out.flush()
            sys.stdout.buffer.write(result.data)
        else:
            out.write(result.data.decode("utf-8"))
        return 0
    name = f"{context.article.slug}.{context.lang}{result.suffix}"
    target = Path(args.out) if args.out is not None else args.root / EXPORTS_DIR / name
    if target.is_dir():  # a folder: the default name in it
        target = target / name
    alternative = _alternative(target, result.suffix, result.text_suffix) if result.text is not None else None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, result.data)
        if alternative is not None:
            atomic_write(alternative, result.text)
    except OSError as error:
        reason = error.strerror or str(error)
        print(f"digest export: error: --out: cannot write {error.filename or target}: {reason} "
              f"(give a file in a folder you can write to, or --out - for standard output)", file=err)
        return 1
    print(f"digest export: wrote {target}", file=out)
    if alternative is not None:
        print(f"digest export: wrote {alternative}", file=out)
    return 0


def _alternative(target: Path, suffix: str, text_suffix: str) -> Path:
    """Where the plain-text part of ``target`` goes: its name with ``text_suffix`` for
    ``suffix`` (``x.en.email.txt`` beside ``x.en.email.html``), else with ``.txt`` for its
    extension (``news.txt`` beside ``news.html``), never ``target`` itself."""
    if target.name.endswith(suffix):
        return target.with_name(target.name[: -len(suffix)] + text_suffix)
    other = target.with_suffix(".txt")
    return other if other != target else target.with_name(target.name + ".txt")
