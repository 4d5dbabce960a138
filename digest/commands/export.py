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
    result = channel.render(context)
    for warning in result.warnings:
        print(f"digest export: warning: {warning}", file=err)
    if args.out is not None and str(args.out) == "-":
        out.flush()
        sys.stdout.buffer.write(result.data) if out is sys.stdout else out.write(result.data.decode("utf-8"))
        return 0
    target = args.out if args.out is not None else (
        args.root / EXPORTS_DIR / f"{context.article.slug}.{context.lang}{result.suffix}")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, result.data)
    print(f"digest export: wrote {target}", file=out)
    if result.text is not None:
        alternative = target.with_name(target.name.removesuffix(result.suffix) + result.text_suffix)
        atomic_write(alternative, result.text)
        print(f"digest export: wrote {alternative}", file=out)
    return 0
