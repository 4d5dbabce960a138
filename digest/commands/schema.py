"""``digest schema [--out DIR]``: the JSON Schema of the three curated file kinds."""

from __future__ import annotations

import argparse
from typing import TextIO


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content.schema_files import write_schemas

    for path in write_schemas(args.root, args.out):
        print(f"wrote {path}", file=out)
    return 0
