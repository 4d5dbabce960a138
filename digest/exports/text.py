"""Markdown text for the Markdown-based exports: curator Markdown as written, fetched plain
text escaped so a Markdown reader shows it as it is."""

from __future__ import annotations

import re

from digest.core.text import N_
from digest.site.i18n import gettext_for, message_parts
from digest.site.merge import Article, Item, Shown
from digest.site.render import markdown_escaped

#: The heading of an export's references list (the links WeChat numbers, the notes' references).
REFERENCES = N_("References")
#: The line under a note that names who wrote it (the same words as the site's pages).
NOTE_BY = N_("Note by %(author)s")
#: The mark before a machine-drafted translation (the same words as the site's pages).
MACHINE = N_("Machine translation, not reviewed")


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


def machine_mark(shown: Shown, lang: str) -> str:
    """The mark of a machine draft (``fallback: machine``) in ``lang`` as plain text; "" for any
    other text. An export writes it before the draft: its format has no other way to say it."""
    return gettext_for(lang, MACHINE) if shown.source == "machine" else ""


def note_by(item: Item, lang: str) -> str:
    """"Note by <author>" in ``lang``, as plain text ("" when the note names no author)."""
    if not item.note_author:
        return ""
    return "".join(text for text, _ in message_parts(gettext_for(lang, NOTE_BY), {"author": item.note_author.value}))


def reference_lines(article: Article) -> list[tuple[int, str, str]]:
    """The article's references as (number, title, URL), the title "" when it is the URL."""
    return [(ref.number, "" if ref.title.value == ref.url else ref.title.value, ref.url) for ref in article.references]
