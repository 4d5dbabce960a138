"""The WeChat export: an HTML fragment to paste into the WeChat official-account editor.

Rendered from an edition's merged :class:`~digest.site.merge.Article` (never from the site's
pages), in four steps, each for a rule of the editor (docs/exports.md and
the research notes on publishing channels):

1. the edition as HTML with classes, block wrappers as ``<section>``, lists written as
   paragraphs with their own markers (the editor breaks nested lists);
2. :data:`WECHAT_CSS` inlined into ``style`` attributes (:mod:`digest.site.inline`);
3. an allow-list pass (:func:`digest.site.render.allow_list`): only :data:`TAGS`, only
   ``style`` (and ``href``/``src``/``alt``), only the style properties of :data:`STYLES`;
4. every link not on mp.weixin.qq.com made text with a numbered reference, the numbers
   listed at the end (one per URL, in order of first use); newlines and zero-width
   characters removed.

Pure: no I/O; the same article gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape, unescape

from digest.core.text import N_
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.text import REFERENCES, machine_mark, note_by
from digest.exports.urls import Addresses
from digest.site.i18n import BELOW_CUT, format_authors, format_date, gettext_for, tie_rule
from digest.site.inline import inline
from digest.site.merge import LINK_KINDS, Group, Item
from digest.site.render import allow_list, cited

#: The editor's content limit in characters, markup and styles included (draft API).
SIZE_LIMIT_CHARS = 20_000
#: The editor's content limit in bytes.
SIZE_LIMIT_BYTES = 1_000_000
#: The only host a WeChat article may link to.
WECHAT_HOST = "https://mp.weixin.qq.com/"
#: Tags the fragment may hold.
TAGS = frozenset({"section", "p", "h1", "h2", "h3", "strong", "em", "code", "sup", "span", "br",
                  "img", "a", "blockquote", "table", "thead", "tbody", "tr", "th", "td"})
#: Style properties the editor keeps (position, float, transform, font-family... are dropped).
STYLES = frozenset({
    "color", "background-color", "font-size", "font-weight", "font-style", "line-height",
    "letter-spacing", "text-align", "text-decoration", "text-indent",
    "margin", "margin-top", "margin-bottom", "margin-left", "margin-right",
    "padding", "padding-top", "padding-bottom", "padding-left", "padding-right",
    "border", "border-top", "border-bottom", "border-left", "border-right", "border-radius",
    "display", "width", "max-width", "height", "word-break", "white-space", "overflow", "overflow-x",
    "box-sizing", "vertical-align", "opacity",
})
#: Zero-width characters the editor turns into stray marks.
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")

#: The theme: dark grey ink, not black (the reader's dark mode cannot recolour black).
WECHAT_CSS = """
.edition { font-size: 16px; line-height: 1.75; color: #333333; letter-spacing: 0.5px; word-break: break-word; }
.title { font-size: 22px; font-weight: bold; margin: 0 0 8px; color: #222222; }
.date { font-size: 14px; color: #888888; margin: 0 0 16px; }
.byline { font-size: 14px; color: #666666; margin: -8px 0 16px; }
.tie-rule { font-size: 14px; color: #555555; padding: 8px 12px; border-left: 3px solid #bbbbbb; margin: 0 0 16px; }
.outro { margin: 32px 0 0; padding: 12px 0 0; border-top: 1px solid #dddddd; }
.outro p { margin: 0 0 10px; }
.category { font-size: 19px; font-weight: bold; margin: 32px 0 12px; padding: 0 0 4px;
            border-bottom: 2px solid #3f7fbf; color: #222222; }
.entry { margin: 0 0 24px; }
.paper { font-size: 17px; font-weight: bold; margin: 0 0 4px; color: #222222; }
.original { font-size: 14px; font-style: italic; color: #666666; margin: 0 0 4px; }
.authors { font-size: 14px; color: #888888; margin: 0 0 8px; }
.entry p, .intro p { margin: 0 0 10px; }
.bullet { margin: 0 0 6px; padding: 0 0 0 1em; text-indent: -1em; }
.award { font-size: 14px; font-weight: bold; color: #8f5f00; margin: 0 0 8px; }
.note-author { font-size: 14px; color: #888888; text-align: right; margin: 0 0 10px; }
.tldr { font-size: 15px; color: #555555; padding: 8px 12px; background-color: #f5f7fa;
        border-left: 3px solid #3f7fbf; margin: 0 0 10px; }
.machine { font-size: 13px; font-style: italic; color: #777777; }
img, .figure { display: block; max-width: 100%; height: auto; margin: 8px auto; }
.caption { font-size: 13px; color: #888888; text-align: center; margin: 0 0 10px; }
.links { font-size: 14px; color: #666666; margin: 0 0 8px; }
.ref { font-size: 12px; color: #3f7fbf; }
.references { margin: 32px 0 0; padding: 12px 0 0; border-top: 1px solid #dddddd; }
.references h2 { font-size: 16px; font-weight: bold; margin: 0 0 8px; color: #222222; }
.reference { font-size: 13px; color: #666666; margin: 0 0 4px; word-break: break-all; }
code { font-size: 14px; padding: 0 4px; background-color: #f2f2f2; border-radius: 3px; }
.code { font-size: 13px; line-height: 1.6; padding: 8px 12px; margin: 0 0 10px; background-color: #f6f8fa;
        border-radius: 4px; overflow-x: auto; white-space: nowrap; }
.code code { padding: 0; background-color: #f6f8fa; }
.table { max-width: 100%; overflow: auto; margin: 0 0 10px; }
th, td { font-size: 14px; padding: 4px 8px; border: 1px solid #dddddd; }
th { font-weight: bold; background-color: #f5f7fa; }
blockquote { margin: 0 0 10px; padding: 4px 12px; border-left: 3px solid #dddddd; color: #666666; }
"""

_ATTRIBUTES = {"*": {"style"}, "a": {"href"}, "img": {"src", "alt"}}
_ANCHOR = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_BARE_ANCHOR = re.compile(r"<a>(.*?)</a>", re.S)
_TITLE = re.compile(r'\btitle="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")


def render(context: ExportContext) -> Export:
    """The WeChat fragment of one edition in its language, with a warning when it is over the
    editor's size limits."""
    addresses = Addresses(context.edition_url(), "WeChat", keep=())
    html = fragment(context, addresses)
    return Export(html.encode("utf-8"), "text/html; charset=utf-8", ".wechat.html",
                  addresses.warnings + tuple(_size_warnings(html, context.lang)))


def fragment(context: ExportContext, addresses: Addresses | None = None) -> str:
    """The WeChat fragment as text; ``addresses`` makes every link and image absolute https
    and keeps what it changed or left out."""
    lang = context.lang
    addresses = addresses or Addresses(context.edition_url(), "WeChat", keep=())
    html = _edition(context)
    html = inline(html, WECHAT_CSS)
    html = _blocks_as_sections(html)
    html, urls = _references(html, addresses)
    html = _BARE_ANCHOR.sub(r"\1", html)  # a link the site's sanitiser left without an address: its words
    html = allow_list(html, TAGS, _ATTRIBUTES, STYLES, addresses=addresses)
    if urls:
        html = _with_references(html, urls, lang)
    html = ZERO_WIDTH.sub("", html)
    return re.sub(r"\s*\n\s*", " ", html).strip() + "\n"


def _t(lang: str, message: str) -> str:
    return gettext_for(lang, message)


def _edition(context: ExportContext) -> str:
    article, lang, renderer = context.article, context.lang, context.renderer
    out = ['<section class="edition">',
           f'<h1 class="title">{escape(article.title.value)}</h1>',
           f'<p class="date">{escape(format_date(article.date, lang))}</p>']
    if article.byline:
        out.append(f'<p class="byline">{escape(article.byline.value)}</p>')
    if article.intro:
        out.append(f'<section class="intro">{pasteable(renderer.markdown(article.intro.value))}</section>')
    for group in article.groups:
        out += _group_head(group, context)
        out += (_item(item, context) for item in group.items)
    if article.outro:
        out.append(f'<section class="outro">{pasteable(renderer.markdown(article.outro.value))}</section>')
    out.append("</section>")
    return "".join(out)


def _group_head(group: Group, context: ExportContext) -> list[str]:
    """What comes before a group's entries: a category's name, a section's heading and text,
    or a ranking's tie rule and the heading of the entries below its cut."""
    article, lang = context.article, context.lang
    if group.category is not None:
        name = group.category.name.get(lang) or next(iter(group.category.name.values()), group.category.key)
        return [f'<h2 class="category">{escape(name)}</h2>']
    if group.part is not None:
        out = [f'<h2 class="category">{escape(group.part.heading.value)}</h2>']
        if group.part.text:
            out.append(f'<section class="intro">{pasteable(context.renderer.markdown(group.part.text.value))}</section>')
        return out
    if group.cut:
        tie = article.tie
        rule = ([f'<p class="tie-rule">{escape(tie_rule(len(tie.items), tie.items[0].ratings.value, article.top or 0, tie.above, lang))}</p>']
                if tie is not None else [])
        return [*rule, f'<h2 class="category">{escape(_t(lang, BELOW_CUT))}</h2>']
    return []


def _item(item: Item, context: ExportContext) -> str:
    lang, renderer = context.lang, context.renderer
    title = context.article.number(item) + (item.local_title.value or item.title.value)
    out = ['<section class="entry">', f'<h3 class="paper">{escape(title)}</h3>']
    if item.local_title.value and item.local_title.value != item.title.value:
        out.append(f'<p class="original">{escape(item.title.value)}</p>')
    elif item.title_draft:
        out.append(f'<p class="original">{escape(item.title_draft.value)} '
                   f'<span class="machine">{escape(machine_mark(item.title_draft, lang))}</span></p>')
    if item.authors.value:
        out.append(f'<p class="authors">{escape(format_authors(item.authors.value, lang))}</p>')
    if item.award:
        out.append(f'<p class="award">{escape(item.award.value)}</p>')
    if item.note:
        out.append(pasteable(_cited(renderer.markdown(item.note.value), item, context)))
        if item.note_author:
            out.append(f'<p class="note-author">{escape(note_by(item, lang))}</p>')
    if item.tldr:
        mark = machine_mark(item.tldr, lang)
        mark = f'<span class="machine">{escape(mark)}</span> ' if mark else ""
        out.append(f'<p class="tldr"><strong>TL;DR</strong> {mark}{escape(item.tldr.value)}</p>')
    if item.figure is not None:
        url = context.figure_url(item.figure)
        out.append(f'<img class="figure" src="{escape(url)}" alt="{escape(item.figure.alt.value or title)}">')
        if item.figure.caption:
            out.append(f'<p class="caption">{escape(item.figure.caption.value)}</p>')
    links = []
    for link in item.links:
        name = _t(lang, N_("Code")) if link.kind == "code" else LINK_KINDS[link.kind]
        links.append(f'<a href="{escape(link.url)}" title="{escape(title)} · {escape(name)}">{escape(name)}</a>')
    if links:
        out.append(f'<p class="links">{" · ".join(links)}</p>')
    out.append("</section>")
    return "".join(out)


def _cited(html: str, item: Item, context: ExportContext) -> str:
    """A note's reference markers as links to their sources, which the numbering of every
    link (:func:`_references`) then numbers with the rest, one number per URL."""
    refs = {ref.number: ref for ref in context.article.references if ref.number in item.citations}

    def link(n: int) -> str | None:
        ref = refs.get(n)
        return None if ref is None else f'<a href="{escape(ref.url)}" title="{escape(ref.title.value)}"></a>'

    return cited(html, link)


_LIST = re.compile(r"</?(?:ul|ol)[^>]*>")
_ITEM = re.compile(r"<li[^>]*>")
_CODE_BLOCK = re.compile(r"<pre[^>]*>\s*<code[^>]*>(.*?)</code>\s*</pre>", re.S)
_TABLE = re.compile(r"<table\b.*?</table>", re.S)


def pasteable(html: str) -> str:
    """Rendered Markdown as the editor keeps it: lists as paragraphs with a bullet, nesting
    flattened (the editor splits and breaks list items); a code block's lines joined by
    ``<br>`` with its spaces kept as no-break spaces (the editor drops newlines in code); a
    table in a section that scrolls sideways on a phone."""
    html = _CODE_BLOCK.sub(_code_block, str(html))
    html = _TABLE.sub(lambda m: f'<section class="table">{m.group(0)}</section>', html)
    html = _LIST.sub("", html)
    html = _ITEM.sub('<p class="bullet">• ', html)
    return html.replace("</li>", "</p>")


def _code_block(match: re.Match[str]) -> str:
    lines = match.group(1).expandtabs(4).rstrip("\n").split("\n")
    kept = ("&nbsp;" * (len(line) - len(line.lstrip(" "))) + line.lstrip(" ") for line in lines)
    return f'<section class="code"><code>{"<br>".join(kept)}</code></section>'


_DIV = re.compile(r"<(/?)div\b")


def _blocks_as_sections(html: str) -> str:
    return _DIV.sub(r"<\1section", html)


def _references(html: str, addresses: Addresses) -> tuple[str, list[tuple[str, str]]]:
    """Links not on mp.weixin.qq.com made text with a ``[n]`` mark; the URLs (made absolute
    https by ``addresses``) in order of first use, each with its label (the link's title, else
    its text). A link ``addresses`` leaves out becomes its text alone."""
    urls: list[tuple[str, str]] = []
    numbers: dict[str, int] = {}

    def mark(match: re.Match[str]) -> str:
        url, rest, text = addresses(unescape(match.group(1))), match.group(2), match.group(3)
        if url is None:
            return text
        if url.startswith(WECHAT_HOST):
            return f'<a href="{escape(url)}"{rest}>{text}</a>'
        if url not in numbers:
            title = _TITLE.search(rest)
            label = unescape(title.group(1)) if title else unescape(_TAG.sub("", text)).strip()
            urls.append((url, "" if label == url else label))
            numbers[url] = len(urls)
        n = numbers[url]
        shown = "" if unescape(_TAG.sub("", text)).strip() == url else text
        return f'{shown}<sup style="font-size:12px;color:#3f7fbf">[{n}]</sup>'

    return _ANCHOR.sub(mark, html), urls


def _with_references(html: str, urls: Sequence[tuple[str, str]], lang: str) -> str:
    lines = "".join(
        f'<p style="font-size:13px;color:#666666;margin:0 0 4px;word-break:break-all">'
        f'[{n}] {escape(label) + ": " if label else ""}{escape(url)}</p>'
        for n, (url, label) in enumerate(urls, 1))
    block = (f'<section style="margin:32px 0 0;padding:12px 0 0;border-top:1px solid #dddddd">'
             f'<h2 style="font-size:16px;font-weight:bold;margin:0 0 8px;color:#222222">'
             f'{escape(_t(lang, REFERENCES))}</h2>{lines}</section>')
    assert html.endswith("</section>")
    return html[: -len("</section>")] + block + "</section>"


def _size_warnings(html: str, lang: str) -> list[str]:
    found = []
    if len(html) > SIZE_LIMIT_CHARS:
        found.append(f"the WeChat fragment has {len(html):,} characters, over the editor's limit of "
                     f"{SIZE_LIMIT_CHARS:,} (split the edition, or shorten notes)")
    size = len(html.encode("utf-8"))
    if size > SIZE_LIMIT_BYTES:
        found.append(f"the WeChat fragment has {size:,} bytes, over the editor's limit of {SIZE_LIMIT_BYTES:,}")
    return found


CHANNEL = ExportChannel("wechat", "an HTML fragment to paste into the WeChat official-account editor",
                        render, width=375)
