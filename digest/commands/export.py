"""``digest export CHANNEL EDITION``: one edition in one language as the file a channel of
:data:`digest.exports.registry.EXPORTS` makes, on standard output or written atomically to
``--out``. Warnings (the build's, and the channel's own) go to standard error."""

from __future__ import annotations

import argparse
from typing import TextIO

from digest.core.errors import DigestError
from digest.core.files import atomic_write
from digest.exports.registry import EXPORTS, export
from digest.pipeline import merged_edition


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    channel = EXPORTS.get(args.channel)
    if channel is None:
        raise DigestError(f"no export {args.channel!r} (the exports: {', '.join(EXPORTS)})")
    lang = args.lang
    if lang is None:
        from digest.commands.common import site_languages

        lang = site_languages(args.root)[0]
    renderer, article, warnings = merged_edition(args.root, args.edition, lang)
    exported = export(channel, renderer, article)
    for problem in warnings:
        print(problem, file=err)
    for warning in exported.warnings:
        print(f"digest export: warning: {warning}", file=err)
    if args.out is None:
        out.write(exported.text)
    else:
        atomic_write(args.out, exported.text.encode("utf-8"))
        print(f"digest export: {channel.name} of {args.edition} ({lang}) written to {args.out}", file=err)
    return 0
