"""The WeChat export: an HTML fragment to paste into the WeChat official-account editor.

Rendered from an edition's merged :class:`~digest.site.merge.Article` (never from the site's
pages) by the templates of ``digest/templates/export/wechat/`` (a site's own templates folder
may replace any of them), then made what the editor keeps, each step for one of its rules
(README, "Exports", and the research notes on publishing channels):

1. ``edition.html``: the edition as HTML with the theme's classes, lists in curator text
   written as paragraphs with their own markers (the editor breaks nested lists), code
   blocks as lines, tables in a section that scrolls;
2. every link not on mp.weixin.qq.com made text with a numbered mark, the addresses listed
   at the end by ``references.html`` (one number per URL, in order of first use);
3. ``theme.css`` inlined into ``style`` attributes (:mod:`digest.site.inline`), block
   wrappers made ``<section>``;
4. an allow-list pass (:func:`digest.site.render.allow_list`): only :data:`TAGS`, only
   ``style`` (and ``href``/``src``/``alt``), only the style properties of :data:`STYLES`;
   newlines and zero-width characters removed.

Pure: no I/O; the same article gives the same bytes.
"""

from __future__ import annotations

import re
from html import escape, unescape

from digest.exports.held import Held
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.text import machine_mark, note_by
from digest.exports.urls import Addresses, images_checked
from digest.site.i18n import format_authors
from digest.site.inline import inline
from digest.site.merge import Item, Shown
from digest.site.render import allow_list, cited, formulas_as_tex

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

_ATTRIBUTES = {"*": {"style"}, "a": {"href"}, "img": {"src", "alt"}}
_ANCHOR = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)
_BARE_ANCHOR = re.compile(r"<a>(.*?)</a>", re.S)
_TITLE = re.compile(r'\btitle="([^"]*)"')
_TAG = re.compile(r"<[^>]+>")
#: Space between two blocks (paragraphs of a note): the editor may make it a paragraph of its own.
_BLOCK = r"(?:p|section|h[1-6]|table|blockquote)"
_BETWEEN_BLOCKS = re.compile(rf"(</{_BLOCK}>|<section\b[^>]*>)\s+(<{_BLOCK}\b|</section>)")


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
    addresses = addresses or Addresses(context.edition_url(), "WeChat", keep=())
    html, urls = _references(_edition(context), addresses)
    if urls:
        listed = Held().release(context.template("wechat/references.html", references=urls))
        closing = html.rstrip().rindex("</section>")
        html = html[:closing] + listed + html[closing:]
    html = _BARE_ANCHOR.sub(r"\1", html)  # a link the site's sanitiser left without an address: its words
    html = inline(html, context.template("wechat/theme.css"))
    html = _blocks_as_sections(html)
    html = images_checked(allow_list(html, TAGS, _ATTRIBUTES, STYLES, addresses=addresses), addresses)
    html = ZERO_WIDTH.sub("", html)
    html = _BETWEEN_BLOCKS.sub(r"\1\2", re.sub(r"\s*\n\s*", " ", html))
    return html.strip() + "\n"


def _edition(context: ExportContext) -> str:
    """The edition through ``export/wechat/edition.html``, curator text made pasteable."""
    renderer, held = context.renderer, Held()

    def rich(shown: Shown) -> str:
        return held.hold(pasteable(formulas_as_tex(renderer.markdown(shown.value))))

    def note(item: Item) -> str:
        return held.hold(pasteable(formulas_as_tex(_cited(renderer.markdown(item.note.value), item, context))))

    return held.release(context.template("wechat/edition.html", edition_url=context.edition_url(),
                                         figure_url=context.figure_url, rich=rich, note=note,
                                         authors=lambda names: format_authors(names, context.lang),
                                         note_by=lambda item: note_by(item, context.lang),
                                         machine_mark=lambda shown: machine_mark(shown, context.lang)))


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
        return f'{shown}<sup class="ref">[{n}]</sup>'

    return _ANCHOR.sub(mark, html), urls


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
