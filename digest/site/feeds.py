"""RSS 2.0, Atom and JSON Feed 1.1 feeds (feedgen is used here and nowhere else), and the OPML list.

Per language: ``{lang}/feed.xml`` (RSS), ``{lang}/atom.xml`` (Atom) and ``{lang}/feed.json``
(JSON Feed 1.1, https://www.jsonfeed.org/version/1.1/, written with the standard library's
json: feedgen does not write it) with one item per edition carrying the whole article, ``{lang}/category/{key}/feed.xml`` (RSS) with one
item per entry, and ``{lang}/tag/{tag}/feed.xml`` and ``atom.xml`` (RSS, Atom) with one item per entry with the tag. Item HTML is rendered beforehand (by :mod:`digest.site.render`, with absolute
links) and passed in, as is the plain text of a category's description (Markdown, which a
channel description cannot carry), so this module only assembles feeds.

Deterministic by construction:

- every date comes from the content: an item is dated at its edition's date, 00:00 UTC,
  and a feed at its newest item (feedgen would stamp the wall clock otherwise); a feed
  with no item yet (a category nothing is filed under) at the language's newest edition,
  and on a site with no edition at all, at the first day of ``feeds.id_date``;
- items are appended newest first (feedgen prepends unless told otherwise);
- a feed carries the newest items only (``feeds.editions`` and ``feeds.entries`` in
  site.yaml, 10 and 50 by default): feeds announce what is new, the site keeps the
  archive, and a reader should not have to download megabytes at every poll;
- text (titles, summaries, category names) goes in without the control characters XML
  cannot carry (:func:`digest.core.text.printable`); item HTML comes from the renderer, which
  already dropped them;
- item ids are ``tag:`` URIs built from the site's host, the date ``feeds.id_date`` (2018
  unless site.yaml says otherwise), the language, the edition slug and the paper reference
  (:func:`edition_id`, :func:`entry_id`); never from titles, text, the build time or the
  URL scheme, so they never change once published.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from html import escape as html_escape
from typing import Any
from urllib.parse import quote

from feedgen.feed import FeedGenerator

from digest.core import layout
from digest.core.ids import PaperRef
from digest.core.languages import LANGUAGES
from digest.core.models import Category, Site
from digest.core.text import printable
from digest.site import i18n
from digest.site.merge import Article, Heading, Item, localized
from digest.site.merge import summary as entry_summary

GENERATOR = "digest"
#: The ``version`` of every JSON Feed digest writes.
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
#: How wide (in columns, a Chinese character two) a category feed item's summary may be.
SUMMARY_WIDTH = 240
#: What a tag: URI's specific part may hold besides letters, digits and ``_.-~`` (RFC 4151).
_TAG_SAFE = ";/?:@&=+$,!*'()%#"


def tag(site: Site, specific: str) -> str:
    """A ``tag:`` URI of the site: its host and ``feeds.id_date``, then the base URL's path
    and ``specific``. The date is fixed for the life of the site: changing it changes every
    id, which makes feed readers show every item again."""
    host, prefix = layout.tag_authority(site.base_url)
    return f"tag:{host},{site.feeds.id_date}:{prefix}{specific}"


def edition_id(site: Site, lang: str, edition_slug: str) -> str:
    """The permanent id of an edition's item in a language's feeds."""
    return tag(site, f"{lang}/{edition_slug}")


def entry_id(site: Site, lang: str, edition_slug: str, ref: PaperRef) -> str:
    """The permanent id of an entry's item in a language's category feed.

    Characters a tag: URI cannot hold (a DOI may have ``<``, ``[`` or non-ASCII letters)
    are percent-encoded; every other reference keeps its id exactly as before.
    """
    return f"{edition_id(site, lang, edition_slug)}/{quote(str(ref), safe=_TAG_SAFE)}"


def _stamp(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


def _channel(site: Site, lang: str, title: str, description: str, page: str, self_path: str,
             newest: date, feed_id: str) -> FeedGenerator:
    title, description = printable(title), printable(description)
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.subtitle(description or title)
    fg.description(description or title)
    fg.link(href=layout.absolute(site.base_url, self_path), rel="self")
    fg.link(href=layout.absolute(site.base_url, page), rel="alternate")  # last one: RSS <link>
    fg.language(LANGUAGES.get(lang, lang))
    fg.author({"name": printable(site.author or localized(site.title, lang, site.languages))})
    fg.generator(GENERATOR)
    fg.updated(_stamp(newest))
    fg.lastBuildDate(_stamp(newest))
    fg.pubDate(_stamp(newest))
    return fg


def _item(fg: FeedGenerator, item_id: str, title: str, link: str, day: date, summary: str, html: str,
          categories: Sequence[str] = (), title_lang: str = "") -> None:
    """``title_lang``: the title's language tag when it is not the feed's (Atom says so, RSS cannot)."""
    title, summary = printable(title), printable(summary)
    fe = fg.add_entry(order="append")
    fe.id(item_id)
    fe.guid(item_id, permalink=False)
    fe.title(title)
    if title_lang:
        fe.register_extension("title_lang", _TitleLang, atom=True, rss=False)
        fe.title_lang.lang = title_lang
    fe.link(href=link, rel="alternate")
    fe.published(_stamp(day))
    fe.updated(_stamp(day))
    fe.pubDate(_stamp(day))
    if summary:
        fe.description(html_escape(summary, quote=False))  # RSS <description> is read as HTML
        fe.summary(summary)  # Atom <summary> is a text construct: plain text
    fe.content(html, type="html")
    for term in categories:
        fe.category(term=printable(term))


class _TitleLang:
    """feedgen entry extension: ``xml:lang`` on an Atom entry's ``<title>`` (feedgen has no
    setting for it), for a title in another language than the feed's (an edition titled in
    English only, in a Chinese feed)."""

    lang = ""

    def extend_atom(self, entry: Any) -> Any:  # an lxml element, as feedgen passes it
        entry.find("title").set("{http://www.w3.org/XML/1998/namespace}lang", self.lang)
        return entry

    def extend_rss(self, item: Any) -> Any:
        return item


def _serialise(fg: FeedGenerator, kind: str) -> bytes:
    data = fg.atom_str(pretty=True) if kind == "atom" else fg.rss_str(pretty=True)
    return data if data.endswith(b"\n") else data + b"\n"


def _newest(days: Sequence[date], otherwise: date) -> date:
    return max(days) if days else otherwise


def _first_day(site: Site) -> date:
    """The first day of ``feeds.id_date`` (2018 -> 2018-01-01): the date of the feeds of a
    site with no edition yet, which have no newer date to carry (Atom requires one)."""
    parts = [int(part) for part in site.feeds.id_date.split("-")]
    return date(*parts, *[1] * (3 - len(parts)))


def newest_editions(site: Site, articles: Sequence[Article]) -> tuple[Article, ...]:
    """What a language's edition feeds carry: the newest ``site.feeds.editions``, newest first."""
    return tuple(sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)[:site.feeds.editions])


#: A language's edition feeds: (kind, path).
def edition_feed_paths(lang: str) -> tuple[tuple[str, str], ...]:
    return (("rss", layout.rss(lang)), ("atom", layout.atom(lang)), ("json", layout.json_feed(lang)))


#: How each kind of edition feed is named to readers (in OPML and autodiscovery titles).
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}


def edition_feed(site: Site, lang: str, kind: str, ordered: Sequence[Article],
                 html: Callable[[Article], str]) -> bytes:
    """``{lang}/feed.xml`` (``kind`` rss), ``{lang}/atom.xml`` (atom) or ``{lang}/feed.json``
    (json): one item per edition of ``ordered`` (see :func:`newest_editions`), in that order.
    ``html(article)`` gives the item's content (the whole article, absolute links)."""
    title = localized(site.title, lang, site.languages)
    description = localized(site.description, lang, site.languages)
    path = dict(edition_feed_paths(lang))[kind]
    if kind == "json":
        return _json_feed(site, lang, title, description, path, ordered, html)
    fg = _channel(site, lang, title, description, layout.home(lang), path,
                  _newest([a.date for a in ordered], _first_day(site)), tag(site, f"{lang}/"))
    for article in ordered:
        _item(fg, edition_id(site, lang, article.slug), article.title.value or article.slug,
              layout.absolute(site.base_url, layout.edition(lang, article.slug)), article.date,
              _edition_summary(article, lang, site), html(article),
              [localized(s.category.name, lang, site.languages) for s in article.sections],
              LANGUAGES.get(article.title.lang, article.title.lang) if article.title.foreign(lang) else "")
    return _serialise(fg, kind)


def _json_feed(site: Site, lang: str, title: str, description: str, path: str,
               ordered: Sequence[Article], html: Callable[[Article], str]) -> bytes:
    """The JSON Feed 1.1 twin of the RSS and Atom edition feeds: the same items, ids, links,
    dates and content. Keys in a fixed order, UTF-8 as is (not ``\\u`` escapes), a final newline."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": printable(title),
        "home_page_url": layout.absolute(site.base_url, layout.home(lang)),
        "feed_url": layout.absolute(site.base_url, path),
    }
    if description := printable(description):
        feed["description"] = description
    feed["language"] = LANGUAGES.get(lang, lang)
    feed["authors"] = [{"name": printable(site.author or title)}]
    items = []
    for article in ordered:
        item: dict[str, Any] = {
            "id": edition_id(site, lang, article.slug),
            "url": layout.absolute(site.base_url, layout.edition(lang, article.slug)),
            "title": printable(article.title.value or article.slug),
            "content_html": html(article),
        }
        if summary := printable(_edition_summary(article, lang, site)):
            item["summary"] = summary
        item["date_published"] = _stamp(article.date).isoformat()
        if tags := [printable(localized(s.category.name, lang, site.languages)) for s in article.sections]:
            item["tags"] = tags
        items.append(item)
    feed["items"] = items
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def category_items(site: Site, grouped: Mapping[str, Sequence[Item]], category: Category) -> tuple[Item, ...]:
    """What a category feed carries: the category's newest ``site.feeds.entries`` entries
    (``grouped``: entries by category, newest first, see :func:`digest.site.merge.by_category`)."""
    return tuple(grouped.get(category.key, ()))[:site.feeds.entries]


def empty_feed_date(site: Site, articles: Sequence[Article]) -> date:
    """The date of a category feed with no item: the language's newest edition."""
    return _newest([a.date for a in articles], _first_day(site))


def category_feed(site: Site, lang: str, category: Category, items: Sequence[Item],
                  headings: Mapping[str, Heading], empty_date: date,
                  html: Callable[[Item, Heading], str], text: Callable[[str], str]) -> bytes:
    """``{lang}/category/{key}/feed.xml``: one item per entry of ``items`` (see
    :func:`category_items`), in that order.

    ``headings`` maps an edition slug to its heading; ``html(item, heading)`` gives an
    item's content; ``text(markdown)`` the plain text of the category's description
    (Markdown), which is the channel's description; ``empty_date`` the feed's date when it
    has no item (:func:`empty_feed_date`).
    """
    site_title = localized(site.title, lang, site.languages)
    name = localized(category.name, lang, site.languages) or category.key
    path = layout.category_rss(lang, category.key)
    description = text(localized(category.description, lang, site.languages))
    fg = _channel(site, lang, f"{site_title} · {name}", description,
                  layout.category(lang, category.key), path, _newest([i.date for i in items], empty_date),
                  tag(site, f"{lang}/category/{category.key}"))
    for item in items:
        title = item.local_title.value or item.title.value
        _item(fg, entry_id(site, lang, item.edition, item.ref), title,
              layout.absolute(site.base_url, layout.paper(lang, item.edition, item.ref)), item.date,
              _entry_summary(item, lang, text), html(item, headings[item.edition]), [name])
    return _serialise(fg, "rss")


def tag_feed_paths(lang: str, name: str) -> tuple[tuple[str, str], ...]:
    """A tag's feeds: (kind, path)."""
    return (("rss", layout.tag_rss(lang, name)), ("atom", layout.tag_atom(lang, name)))


def tag_feed(site: Site, lang: str, name: str, kind: str, items: Sequence[Item], headings: Mapping[str, Heading],
             html: Callable[[Item, Heading], str], text: Callable[[str], str]) -> bytes:
    """``{lang}/tag/{tag}/feed.xml`` (``kind`` rss) or ``atom.xml`` (atom): one item per entry
    with the tag, newest first, the newest ``site.feeds.entries`` (``items``, at least one: a
    tag exists because an entry has it), with the same ids as the category feeds' items."""
    site_title = localized(site.title, lang, site.languages)
    description = i18n.translations(lang).gettext("Papers tagged %(tag)s") % {"tag": f"#{name}"}
    fg = _channel(site, lang, f"{site_title} · #{name}", description, layout.tag(lang, name),
                  dict(tag_feed_paths(lang, name))[kind], _newest([i.date for i in items], _first_day(site)),
                  tag(site, f"{lang}/tag/{name}"))
    for item in items:
        _item(fg, entry_id(site, lang, item.edition, item.ref), item.local_title.value or item.title.value,
              layout.absolute(site.base_url, layout.paper(lang, item.edition, item.ref)), item.date,
              _entry_summary(item, lang, text), html(item, headings[item.edition]), [f"#{name}"])
    return _serialise(fg, kind)


def _edition_summary(article: Article, lang: str, site: Site) -> str:
    """One line for feed readers' lists: how many papers, and under which categories."""
    t = i18n.translations(lang)
    n = len(article.items)
    count = t.ngettext("%(num)s paper", "%(num)s papers", n) % {"num": i18n.format_number(n, lang)}
    names = [localized(s.category.name, lang, site.languages) for s in article.sections]
    return t.gettext("%(count)s: %(categories)s") % {"count": count, "categories": i18n.format_list(names, lang)}


def _entry_summary(item: Item, lang: str, text: Callable[[str], str]) -> str:
    """A category feed item's summary, short plain text that cannot say its language (RSS):
    the entry summed up in the feed's language (the curator's note, then the curator's title,
    see :func:`digest.site.merge.summary`), else the TL;DR in another language when the site shows
    it (``fallback.tldr: original``), introduced as the original; else nothing (a feed reader
    then shows the item's content)."""
    shown = entry_summary(item, lang)
    if shown:
        return i18n.shorten(text(shown.value) if shown.markdown else shown.value, SUMMARY_WIDTH)
    if not item.tldr:
        return ""
    t = i18n.translations(lang)
    mark = t.gettext("Original in %(language)s") % {"language": i18n.language_in(item.tldr.lang, lang)}
    line = t.gettext("%(label)s (%(mark)s): %(text)s") % {"label": t.gettext("TL;DR"), "mark": mark,
                                                           "text": item.tldr.value}
    return i18n.shorten(line, SUMMARY_WIDTH)


def opml(site: Site, categories: Sequence[Category], tags: Sequence[str] = ()) -> bytes:
    """feeds.opml: every feed of the site, grouped by language, for a feed reader to import
    (``tags``: the tags of the published entries, each with its RSS and Atom feeds)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = printable(" · ".join(localized(site.title, code, site.languages)
                                                             for code in site.languages))
    body = ET.SubElement(root, "body")
    for lang in site.languages:
        title = printable(localized(site.title, lang, site.languages))
        group = ET.SubElement(body, "outline", text=i18n.language_name(lang, site.languages),
                              title=i18n.language_name(lang, site.languages))
        home = layout.absolute(site.base_url, layout.home(lang))
        for kind, path in edition_feed_paths(lang):
            label = FEED_LABELS[kind]
            ET.SubElement(group, "outline", type="rss", text=f"{title} ({label})", title=f"{title} ({label})",
                          xmlUrl=layout.absolute(site.base_url, path), htmlUrl=home,
                          language=LANGUAGES.get(lang, lang))
        for category in categories:
            name = printable(localized(category.name, lang, site.languages)) or category.key
            ET.SubElement(group, "outline", type="rss", text=f"{title} · {name}", title=f"{title} · {name}",
                          xmlUrl=layout.absolute(site.base_url, layout.category_rss(lang, category.key)),
                          htmlUrl=layout.absolute(site.base_url, layout.category(lang, category.key)),
                          language=LANGUAGES.get(lang, lang))
        for name in tags:
            for kind, path in tag_feed_paths(lang, name):
                text = f"{title} · #{name} ({FEED_LABELS[kind]})"
                ET.SubElement(group, "outline", type="rss", text=text, title=text,
                              xmlUrl=layout.absolute(site.base_url, path),
                              htmlUrl=layout.absolute(site.base_url, layout.tag(lang, name)),
                              language=LANGUAGES.get(lang, lang))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
