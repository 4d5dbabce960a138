"""``digest new SLUG``: a new edition file with placeholders to fill in."""

from __future__ import annotations

import argparse
from datetime import date
from typing import TextIO

from digest.commands.common import site_languages
from digest.core.errors import DigestError


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content.edit import create_edition
    from digest.core.kinds import SLUG

    if not SLUG.match(args.slug):
        raise DigestError(f"'{args.slug}' is not a valid edition name (use lower-case letters, digits and hyphens, as in iclr2026-week1)")
    try:
        day = date.fromisoformat(args.date) if args.date else date.today()
    except ValueError:
        raise DigestError(f"--date: '{args.date}' is not a date (write it as YYYY-MM-DD)") from None
    languages = site_languages(args.root)
    path = create_edition(args.root, args.slug, day, args.conference, languages)
    print(f"wrote {path.relative_to(args.root) if path.is_relative_to(args.root) else path}: "
          f"replace the <<placeholders>>, then add papers with: digest add {args.slug} <reference or URL>", file=out)
    return 0
