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

#: Code in curator Markdown (fenced blocks, then code spans): what is inside is the reader's text.
CODE = re.compile(r"^(```|~~~).*?^\1[ \t]*$|`+[^`]*?`+", re.M | re.S)
#: TeX in text: $$display$$ or $inline$ (a $ not escaped, the inline form not spanning a blank line).
TEX = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)", re.S)
#: The elements of HTML (a tag of another name, such as <T> in a formula written without $,
#: is left as the curator wrote it).
HTML_ELEMENTS = frozenset("""
a abbr address area article aside audio b base bdi bdo blockquote body br button canvas caption
cite code col colgroup data datalist dd del details dfn dialog div dl dt em embed fieldset
figcaption figure font footer form h1 h2 h3 h4 h5 h6 head header hgroup hr html i iframe img
input ins kbd label legend li link main map mark math menu meta meter nav noscript object ol
optgroup option output p picture pre progress q rp rt ruby s samp script search section select
slot small source span strike strong style sub summary sup svg table tbody td template textarea
tfoot th thead time title tr track u ul var video wbr center marquee applet frame frameset
""".split())
#: An element whose content is not text a reader sees (it goes with its tags).
_HIDDEN = re.compile(r"<(script|style|iframe|object|template|noscript|textarea|title)\b[^>]*>.*?</\1\s*>",
                     re.I | re.S)
#: An HTML tag or comment in Markdown (an autolink such as <https://...> is neither).
_HTML = re.compile(r"<!--.*?-->|</?([A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*)?/?>", re.S)


def without_html(markdown: str) -> str:
    """Curator Markdown without the HTML written in it (outside code): a tag goes and the text
    it holds stays; a script or style goes whole. The pages' sanitiser does the same to the
    HTML, but a Markdown export's reader (Zhihu's importer, Buttondown, a blog) would run it
    as written."""
    out: list[str] = []
    pos = 0
    for start, end in _kept_spans(markdown):
        out += [_untagged(markdown[pos:start]), markdown[start:end]]
        pos = end
    out.append(_untagged(markdown[pos:]))
    return "".join(out)


def _kept_spans(markdown: str) -> list[tuple[int, int]]:
    """Where code and TeX are (in order, not overlapping): a < in them is the reader's."""
    spans = sorted(m.span() for m in CODE.finditer(markdown))
    for match in TEX.finditer(markdown):
        if not any(start <= match.start() < end for start, end in spans):
            spans.append(match.span())
    spans.sort()
    kept: list[tuple[int, int]] = []
    for start, end in spans:
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
        else:
            kept.append((start, end))
    return kept


def _untagged(text: str) -> str:
    def tag(match: re.Match[str]) -> str:
        name = match.group(1)
        return "" if name is None or name.lower() in HTML_ELEMENTS else match.group(0)

    return _HTML.sub(tag, _HIDDEN.sub("", text))


def block(shown: Shown) -> str:
    """A text as Markdown paragraphs: the curator's Markdown as written (trimmed, without
    HTML: :func:`without_html`), fetched text escaped, one paragraph per blank-line-separated
    part."""
    value = str(shown.value or "").strip()
    if shown.markdown:
        return without_html(value).strip()
    return "\n\n".join(markdown_escaped(part).rstrip() for part in re.split(r"\n\s*\n", value) if part.strip())


def inline(shown: Shown) -> str:
    """A text on one line (a title): the curator's Markdown with its line breaks made spaces
    and without HTML, fetched text escaped."""
    value = str(shown.value or "")
    return " ".join(without_html(value).split()) if shown.markdown else markdown_escaped(value).rstrip()


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
