"""Markdown text for the Markdown-based exports: curator Markdown as written, fetched plain
text escaped so a Markdown reader shows it as it is."""

from __future__ import annotations

import re

from digest.site.merge import Shown
from digest.site.render import markdown_escaped


def block(shown: Shown) -> str:
    """A text as Markdown paragraphs: the curator's Markdown as written (trimmed), fetched text
    escaped, one paragraph per blank-line-separated part."""
    value = str(shown.value or "").strip()
    if shown.markdown:
        return value
    return "\n\n".join(markdown_escaped(part).rstrip() for part in re.split(r"\n\s*\n", value) if part.strip())


def inline(shown: Shown) -> str:
    """A text on one line (a title): the curator's Markdown with its line breaks made spaces,
    fetched text escaped."""
    value = str(shown.value or "")
    return " ".join(value.split()) if shown.markdown else markdown_escaped(value).rstrip()
