"""The email export: a newsletter edition for an email service provider (ESP).

Rendered from an edition's merged :class:`~digest.site.merge.Article` by the templates of
``digest/templates/export/email/`` (a site's own templates folder may replace any of them):

- ``listmonk`` and ``generic``: HTML for every mail client (``edition.html``: a centred 600 px
  table layout; ``theme.css`` inlined, then an allow-list pass, so no ``<style>``, ``@media``,
  ``<svg>``, ``data:`` URLs, ``position`` or CSS variables; every URL absolute https, every
  image with alt text; ``footer.html`` and ``page.html`` around it), and a plain-text
  alternative from the same model (``edition.txt``, :func:`text`);
- ``buttondown``: Markdown without front matter (:func:`markdown`), which Buttondown
  renders in its own editor.

The sender's unsubscribe placeholder (:data:`UNSUBSCRIBE`) ends every part; ``generic``
has none (the sending tool adds its own). An edition over Gmail's clipping size warns.
Pure: no I/O; the same article gives the same bytes.
"""

from __future__ import annotations

from digest.core.text import N_
from digest.exports import markdown as markdown_export
from digest.exports.held import Held
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.text import machine_mark, note_by, reference_lines
from digest.exports.urls import Addresses, images_checked
from digest.site.i18n import format_authors, gettext_for
from digest.site.inline import inline
from digest.site.merge import Item, Link
from digest.site.render import allow_list, formulas_as_tex

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
#: How the layout tables end: the footer row goes in before it.
_LAYOUT_END = "</table></td></tr></table>"

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


def _parts(context: ExportContext, addresses: Addresses) -> dict[str, object]:
    """What both parts' templates are given besides the article."""
    lang = context.lang

    def linkable(item: Item) -> list[tuple[Link, str]]:
        return [(link, url) for link in item.links if (url := addresses(link.url))]

    return {"authors": lambda names: format_authors(names, lang), "note_by": lambda item: note_by(item, lang),
            "machine_mark": lambda shown: machine_mark(shown, lang),
            "linkable": linkable, "references": reference_lines(context.article)}


def html(context: ExportContext, esp: str, addresses: Addresses | None = None) -> str:
    """The HTML part of the edition for ``esp`` (listmonk or generic); ``addresses`` makes
    every link and image absolute https and keeps what it changed or left out."""
    renderer = context.renderer
    addresses = addresses or Addresses(context.edition_url(), "email")
    held = Held()
    sizes = {"width": WIDTH, "column": WIDTH - 2 * _PAD}
    body = context.template("email/edition.html", edition_url=context.edition_url(), figure_url=context.figure_url,
                            rich=lambda shown: held.hold(formulas_as_tex(renderer.markdown(shown.value))),
                            note=lambda item: held.hold(formulas_as_tex(renderer.markdown(item.note.value))),
                            **sizes, **_parts(context, addresses))
    body = held.release(body)
    body = images_checked(allow_list(inline(body, context.template("email/theme.css", **sizes)), TAGS, _ATTRIBUTES,
                                     STYLES, addresses=addresses), addresses)
    if UNSUBSCRIBE[esp] and body.endswith(_LAYOUT_END):
        footer = held.release(context.template("email/footer.html", unsubscribe=UNSUBSCRIBE[esp]))
        body = body[: -len(_LAYOUT_END)] + footer + _LAYOUT_END
    return held.put_back(context.template("email/page.html", body=held.hold(body)))


def text(context: ExportContext, esp: str, addresses: Addresses | None = None) -> str:
    """The plain-text alternative of the edition: the same model as :func:`html`, each link of
    the curator's text written after its words, ``words (https://...)``."""
    renderer = context.renderer
    addresses = addresses or Addresses(context.edition_url(), "email")
    out = context.template("email/edition.txt", unsubscribe=UNSUBSCRIBE[esp],
                           plain=lambda shown: renderer.markdown_text(shown.value, addresses),
                           **_parts(context, addresses))
    return "\n".join(line.rstrip() for line in out.splitlines()).strip() + "\n"


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
