"""Markdown text for the Markdown-based exports: curator Markdown as written, fetched plain
text escaped so a Markdown reader shows it as it is."""

from __future__ import annotations

import re

from digest.site.merge import Shown

#: Characters CommonMark may read as markup in plain text (its ASCII punctuation that starts
#: or ends an inline construct); each gets a backslash.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
#: At the start of a line: what would open a block (a list item, a heading, a quote, a rule).
_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])(?=\s|$)", re.M)


def escape(text: str, line_start: bool = True) -> str:
    """Plain text that a CommonMark reader shows as it is: markup characters escaped, lines
    joined by spaces (plain text has no line breaks of its own). ``line_start`` false: the text
    continues a line (what would open a block there is left as it is), its edge spaces kept."""
    escaped = _SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    if not line_start:
        return escaped
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped.lstrip())


def block(shown: Shown) -> str:
    """A text as Markdown paragraphs: the curator's Markdown as written (trimmed), fetched text
    escaped, one paragraph per blank-line-separated part."""
    value = str(shown.value or "").strip()
    if shown.markdown:
        return value
    return "\n\n".join(escape(part).rstrip() for part in re.split(r"\n\s*\n", value) if part.strip())


def inline(shown: Shown) -> str:
    """A text on one line (a title): the curator's Markdown with its line breaks made spaces,
    fetched text escaped."""
    value = str(shown.value or "")
    return " ".join(value.split()) if shown.markdown else escape(value).rstrip()
