"""Rewrite the configuration reference in README.md from the content model.

The block between ``<!-- reference:start -->`` and ``<!-- reference:end -->`` is generated
from the field declarations in digest/models.py (see digest.content.schema.reference_markdown);
tests/test_docs.py fails when it is out of date. Run: python scripts/update_reference.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from digest.content.schema import reference_markdown

START, END = "<!-- reference:start -->", "<!-- reference:end -->"


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{reference_markdown()}\n{END}{tail}"


def main() -> int:
    readme = Path(__file__).resolve().parent.parent / "README.md"
    text = readme.read_text(encoding="utf-8")
    new = updated(text)
    if new != text:
        readme.write_text(new, encoding="utf-8")
        print(f"updated {readme.name}")
    else:
        print(f"{readme.name} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
