"""The email export: a newsletter edition for an email service provider (ESP).

Rendered from an edition's merged :class:`~digest.site.merge.Article`:

- ``listmonk`` and ``generic``: HTML for every mail client (a centred 600 px table layout,
  :data:`EMAIL_CSS` inlined, no ``<style>``, ``@media``, ``<svg>``, ``data:`` URLs,
  ``position`` or CSS variables, every URL absolute https, every image with alt text), and a
  plain-text alternative from the same model (:func:`text`);
- ``buttondown``: Markdown without front matter (:func:`markdown`), which Buttondown
  renders in its own editor.

The sender's unsubscribe placeholder (:data:`UNSUBSCRIBE`) ends every part; ``generic``
has none (the sending tool adds its own). An edition over Gmail's clipping size warns.
Pure: no I/O; the same article gives the same bytes.
"""

from __future__ import annotations

from html import escape

from digest.core.models import Category
from digest.core.text import N_
from digest.exports import markdown as markdown_export
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.text import REFERENCES, machine_mark, note_by, reference_lines
from digest.exports.urls import Addresses
from digest.site.i18n import BELOW_CUT, format_authors, format_date, gettext_for, tie_rule
from digest.site.inline import inline
from digest.site.merge import LINK_KINDS, Article, Group, Item
from digest.site.render import allow_list

#: The senders an email export is written for.
ESPS = ("buttondown", "listmonk", "generic")
#: Each sender's unsubscribe link placeholder (the sender fills it in per subscriber).
UNSUBSCRIBE = {"buttondown": "{{ unsubscribe_url }}", "listmonk": "{{ UnsubscribeURL }}", "generic": ""}
#: What the default file name of each sender's export ends with (the text part: ``.txt`` for
#: ``.html``), so a listmonk and a generic export of one edition do not overwrite each other.
SUFFIXES = {"buttondown": ".email.md", "listmonk": ".listmonk.email.html", "generic": ".email.html"}
#: The unsubscribe link's text.
UNSUBSCRIBE_TEXT = N_("Unsubscribe")
#: Gmail clips a message body over this many bytes.
GMAIL_CLIP_BYTES = 102 * 1024
#: The column width mail clients are designed for.
WIDTH = 600
_PAD = 24

#: Tags the email may hold (no thead or tbody: the HTML parser would add a tbody to the layout
#: tables, and mail clients need neither).
TAGS = frozenset({"table", "tr", "th", "td", "h1", "h2", "h3", "p", "a", "strong", "em",
                  "code", "pre", "img", "br", "span", "sup", "blockquote", "ul", "ol", "li"})
_ATTRIBUTES = {"*": {"style"}, "table": {"role", "width", "align", "cellpadding", "cellspacing", "border"},
               "td": {"align", "valign", "width"}, "th": {"align", "valign", "width"}, "a": {"href"},
               "img": {"src", "alt", "width"}}
#: Style properties the export may keep (no position, no variables, nothing mail clients drop).
STYLES = frozenset({
    "color", "background-color", "font-family", "font-size", "font-weight", "font-style", "line-height",
    "text-align", "text-decoration", "margin", "margin-top", "margin-bottom", "padding", "padding-top",
    "padding-bottom", "padding-left", "padding-right", "border", "border-top", "border-bottom", "border-left",
    "display", "width", "max-width", "height", "word-break", "white-space",
})

#: The theme: dark grey ink (never #000, which dark modes cannot recolour), system fonts.
EMAIL_CSS = """
.outer { background-color: #f4f4f4; }
.body { background-color: #ffffff; font-family: -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif;
        font-size: 16px; line-height: 1.6; color: #333333; }
.cell { padding: 0 24px 16px; }
.head { padding: 24px 24px 8px; }
.title { font-size: 24px; font-weight: bold; margin: 0 0 4px; color: #222222; }
.date { font-size: 14px; color: #777777; margin: 0; }
.byline { font-size: 14px; color: #555555; margin: 4px 0 0; }
.tie-rule { font-size: 14px; color: #555555; padding: 8px 12px; border-left: 3px solid #bbbbbb; }
.outro { border-top: 1px solid #eeeeee; padding-top: 16px; }
.category { font-size: 20px; font-weight: bold; margin: 16px 0 0; padding: 0 0 4px;
            border-bottom: 2px solid #3f7fbf; color: #222222; }
.paper { font-size: 17px; font-weight: bold; margin: 0 0 4px; color: #222222; }
.original { font-size: 14px; font-style: italic; color: #666666; margin: 0 0 4px; }
.authors { font-size: 14px; color: #777777; margin: 0 0 8px; }
p { margin: 0 0 10px; }
.award { font-size: 14px; font-weight: bold; color: #8f5f00; margin: 0 0 8px; }
.note-author { font-size: 14px; color: #777777; text-align: right; margin: 0 0 10px; }
.reference { font-size: 13px; color: #666666; margin: 0 0 4px; word-break: break-all; }
.tldr { font-size: 15px; color: #555555; padding: 8px 12px; background-color: #f5f7fa;
        border-left: 3px solid #3f7fbf; }
.machine { font-size: 13px; font-style: italic; color: #777777; }
.body { width: 100%; max-width: 600px; }
.cell table { border-collapse: collapse; margin: 0 0 10px; }
.cell th, .cell td { font-size: 14px; padding: 4px 8px; border: 1px solid #dddddd; text-align: left; }
.cell th { font-weight: bold; background-color: #f5f7fa; }
pre { font-size: 13px; line-height: 1.5; padding: 8px 12px; background-color: #f6f8fa; white-space: pre-wrap; word-break: break-all; }
.caption { font-size: 13px; color: #777777; text-align: center; }
.links { font-size: 14px; color: #666666; }
a { color: #2a6496; }
.footer { padding: 16px 24px 24px; font-size: 13px; color: #777777; border-top: 1px solid #eeeeee; }
"""
#: A figure fills the column and narrows with it on a phone (a percentage width, so the table
#: cell can shrink below the image's own width).
EMAIL_CSS += f".figure {{ display: block; width: 100%; max-width: {WIDTH - 2 * _PAD}px; height: auto; border: 0; }}\n"


def _t(lang: str, message: str) -> str:
    return gettext_for(lang, message)


def render(context: ExportContext) -> Export:
    """The edition for the sender named by the ``esp`` option: Markdown for Buttondown, else
    HTML with its plain-text alternative."""
    esp = context.options.get("esp", "generic")
    if esp == "buttondown":
        body = markdown(context)
        return Export(body.encode("utf-8"), "text/markdown; charset=utf-8", SUFFIXES[esp],
                      tuple(_size_warnings(body)))
    addresses = Addresses(context.edition_url(), "email")
    body = html(context, esp, addresses)
    plain = text(context, esp, addresses)
    return Export(body.encode("utf-8"), "text/html; charset=utf-8", SUFFIXES[esp],
                  addresses.warnings + tuple(_size_warnings(body)), text=plain.encode("utf-8"),
                  text_suffix=SUFFIXES[esp].removesuffix(".html") + ".txt")


def _link_name(kind: str, lang: str) -> str:
    return _t(lang, N_("Code")) if kind == "code" else LINK_KINDS[kind]


def _category_name(category: Category, lang: str) -> str:
    return category.name.get(lang) or next(iter(category.name.values()), category.key)


def html(context: ExportContext, esp: str, addresses: Addresses | None = None) -> str:
    """The HTML part of the edition for ``esp`` (listmonk or generic); ``addresses`` makes
    every link and image absolute https and keeps what it changed or left out."""
    article, lang, renderer = context.article, context.lang, context.renderer
    addresses = addresses or Addresses(context.edition_url(), "email")
    rows = [f'<tr><td class="head"><h1 class="title">{escape(article.title.value)}</h1>'
            f'<p class="date">{escape(format_date(article.date, lang))}</p>'
            + (f'<p class="byline">{escape(article.byline.value)}</p>' if article.byline else "") + '</td></tr>']
    if article.intro:
        rows.append(f'<tr><td class="cell">{renderer.markdown(article.intro.value)}</td></tr>')
    for group in article.groups:
        head = _group_head(group, context)
        if group.part is not None and group.part.text:
            head += str(renderer.markdown(group.part.text.value))
        if head:
            rows.append(f'<tr><td class="cell">{head}</td></tr>')
        rows += (f'<tr><td class="cell">{_item(item, context, addresses)}</td></tr>' for item in group.items)
    if article.outro:
        rows.append(f'<tr><td class="cell outro">{renderer.markdown(article.outro.value)}</td></tr>')
    if article.references:
        lines = "".join(f'<p class="reference">[{n}] {escape(title) + ": " if title else ""}'
                        f'<a href="{escape(url)}">{escape(url)}</a></p>' for n, title, url in reference_lines(article))
        rows.append(f'<tr><td class="cell"><h2 class="category">{escape(_t(lang, REFERENCES))}</h2>{lines}</td></tr>')
    body = (f'<table role="presentation" class="outer" width="100%" cellpadding="0" cellspacing="0" border="0">'
            f'<tr><td align="center">'
            f'<table role="presentation" class="body" width="{WIDTH}" cellpadding="0" cellspacing="0" border="0">'
            f'{"".join(rows)}</table></td></tr></table>')
    body = allow_list(inline(body, EMAIL_CSS), TAGS, _ATTRIBUTES, STYLES, addresses=addresses)
    body = body.replace("</table></td></tr></table>", _footer(lang, esp) + "</table></td></tr></table>", 1) \
        if body.endswith("</table></td></tr></table>") else body
    body = "<!DOCTYPE html>\n" + f'<html lang="{escape(lang)}"><head><meta charset="utf-8">' \
        f'<meta name="viewport" content="width=device-width"><title>{escape(article.title.value)}</title></head>' \
        f'<body style="margin:0;padding:0;background-color:#f4f4f4">{body}</body></html>\n'
    return body


def _heading(group: Group, lang: str) -> str:
    """A group's heading: a category's name, a section's heading, a ranking's "below the cut"
    ("" for a numbered list, which has none)."""
    if group.category is not None:
        return _category_name(group.category, lang)
    if group.part is not None:
        return group.part.heading.value
    return _t(lang, BELOW_CUT) if group.cut else ""


def _tie(article: Article, lang: str) -> str:
    """A ranking's tie rule ("" when no tie crosses its cut)."""
    tie = article.tie
    return tie_rule(len(tie.items), tie.items[0].ratings.value, article.top or 0, tie.above, lang) if tie else ""


def _group_head(group: Group, context: ExportContext) -> str:
    heading, lang = _heading(group, context.lang), context.lang
    tie = _tie(context.article, lang) if group.cut else ""
    return (f'<p class="tie-rule">{escape(tie)}</p>' if tie else "") + \
        (f'<h2 class="category">{escape(heading)}</h2>' if heading else "")


def _footer(lang: str, esp: str) -> str:
    url = UNSUBSCRIBE[esp]
    if not url:
        return ""
    return (f'<tr><td style="padding:16px 24px 24px;font-size:13px;color:#777777;border-top:1px solid #eeeeee">'
            f'<a href="{url}" style="color:#777777">{escape(_t(lang, UNSUBSCRIBE_TEXT))}</a></td></tr>')


def _item(item: Item, context: ExportContext, addresses: Addresses) -> str:
    lang, renderer = context.lang, context.renderer
    title = context.article.number(item) + (item.local_title.value or item.title.value)
    out = [f'<h3 class="paper">{escape(title)}</h3>']
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
        out.append(str(renderer.markdown(item.note.value)))
        if item.note_author:
            out.append(f'<p class="note-author">{escape(note_by(item, lang))}</p>')
    if item.tldr:
        mark = machine_mark(item.tldr, lang)
        mark = f'<span class="machine">{escape(mark)}</span> ' if mark else ""
        out.append(f'<p class="tldr"><strong>TL;DR</strong> {mark}{escape(item.tldr.value)}</p>')
    if item.figure is not None:
        out.append(f'<img class="figure" width="{WIDTH - 2 * _PAD}" src="{escape(context.figure_url(item.figure))}"'
                   f' alt="{escape(item.figure.alt.value or title)}">')
        if item.figure.caption:
            out.append(f'<p class="caption">{escape(item.figure.caption.value)}</p>')
    links = [f'<a href="{escape(url)}">{escape(_link_name(link.kind, lang))}</a>'
             for link in item.links if (url := addresses(link.url))]
    if links:
        out.append(f'<p class="links">{" · ".join(links)}</p>')
    return "".join(out)


def text(context: ExportContext, esp: str, addresses: Addresses | None = None) -> str:
    """The plain-text alternative of the edition: the same model as :func:`html`, each link of
    the curator's text written after its words, ``words (https://...)``."""
    article, lang, renderer = context.article, context.lang, context.renderer
    addresses = addresses or Addresses(context.edition_url(), "email")
    out = [article.title.value, format_date(article.date, lang), ""]
    if article.byline:
        out[2:2] = [article.byline.value]
    if article.intro:
        out += [renderer.markdown_text(article.intro.value, addresses), ""]
    for group in article.groups:
        if group.cut and article.tie:
            out += [_tie(article, lang), ""]
        name = _heading(group, lang)
        if name:
            out += [name, "=" * min(len(name) * 2, 60), ""]
        if group.part is not None and group.part.text:
            out += [renderer.markdown_text(group.part.text.value, addresses), ""]
        for item in group.items:
            title = article.number(item) + (item.local_title.value or item.title.value)
            out.append(f"* {title}")
            if item.local_title.value and item.local_title.value != item.title.value:
                out.append(f"  {item.title.value}")
            elif item.title_draft:
                out.append(f"  {item.title_draft.value} [{machine_mark(item.title_draft, lang)}]")
            if item.authors.value:
                out.append(f"  {format_authors(item.authors.value, lang)}")
            if item.award:
                out.append(f"  {item.award.value}")
            if item.note:
                out.append(f"  {renderer.markdown_text(item.note.value, addresses)}")
                if item.note_author:
                    out.append(f"  {note_by(item, lang)}")
            if item.tldr:
                mark = machine_mark(item.tldr, lang)
                out.append(f"  TL;DR {f'[{mark}] ' if mark else ''}{item.tldr.value}")
            out += [f"  {_link_name(link.kind, lang)}: {url}" for link in item.links if (url := addresses(link.url))]
            out.append("")
    if article.outro:
        out += [renderer.markdown_text(article.outro.value, addresses), ""]
    if article.references:
        out += [_t(lang, REFERENCES), ""]
        out += [f"[{n}] {title + ': ' if title else ''}{url}" for n, title, url in reference_lines(article)]
        out.append("")
    if UNSUBSCRIBE[esp]:
        out.append(f"{_t(lang, UNSUBSCRIBE_TEXT)}: {UNSUBSCRIBE[esp]}")
    return "\n".join(line.rstrip() for line in out).strip() + "\n"


def markdown(context: ExportContext) -> str:
    """The edition as Markdown for Buttondown: the markdown export's CommonMark (which has no
    front matter: Buttondown refuses a body that starts with one), then Buttondown's
    unsubscribe link."""
    body = markdown_export.render(context).data.decode("utf-8")
    return f"{body.rstrip()}\n\n[{_t(context.lang, UNSUBSCRIBE_TEXT)}]({UNSUBSCRIBE['buttondown']})\n"


def _size_warnings(body: str) -> list[str]:
    size = len(body.encode("utf-8"))
    if size > GMAIL_CLIP_BYTES:
        return [f"the email is {size:,} bytes, over Gmail's clipping limit of {GMAIL_CLIP_BYTES:,} "
                f"(Gmail hides the rest behind 'View entire message'; split the edition or shorten notes)"]
    return []


CHANNEL = ExportChannel("email", "a newsletter: 600 px HTML with a plain-text part (listmonk, generic), or "
                        "Markdown for Buttondown", render, width=600, options=("esp",),
                        choices={"esp": ("generic", *(esp for esp in ESPS if esp != "generic"))})
