"""``digest serve``: a live preview on 127.0.0.1 or ``--host`` (see :mod:`digest.preview`)."""

from __future__ import annotations

import argparse
from typing import TextIO


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.preview import run_serve

    return run_serve(args.root, args.port, args.drafts, out, err, host=args.host)
