"""Output channels: each kind of output a build makes, registered with the files it produces.

A :class:`Channel` has a name and up to two producers:

- ``language(rendering, lang, articles)``: the files of one page language, from its merged
  articles (run in that language's process, a forked worker on a big site; each file is
  written as it comes and not kept);
- ``site(rendering, produced)``: the files made once, after every language, from what all
  channels produced (:class:`Produced`).

Every file is an :class:`Output` with its :class:`Kind`, and a page names the same page in
every language (``alternates``). The build's page and feed counts and the sitemap come
from these, so no list of pages is kept anywhere else. Channels run in the order of
:data:`CHANNELS`: feeds first (their edition feeds take the most memory, best made
while few entry fragments are cached), then pages, then assets.

A new export is one more entry. For a WeChat article per edition, say: its paths in
:mod:`digest.core.layout` (``layout.wechat(lang, slug)``), its template beside the others,
a producer ::

    def _wechat(rendering, lang, articles):
        for article in articles:
            yield Output(layout.wechat(lang, article.slug), rendering.renderer.wechat(article), Kind.EXPORT)

with ``EXPORT = "export"`` added to :class:`Kind`, and ``Channel("wechat", language=_wechat)``
added to :data:`CHANNELS`. The pipeline, the sitemap and the feeds need no change; the
build report counts the new kind once it names it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING

from digest.core import layout
from digest.core.models import Category, Site
from digest.site import feeds
from digest.site.keys import Keys
from digest.site.merge import Article, by_category, by_tag

if TYPE_CHECKING:
    from digest.site.render import Renderer


class Kind(StrEnum):
    """What a file is to the site."""

    PAGE = "page"  # an HTML page a reader visits
    FEED = "feed"  # an RSS or Atom feed
    INDEX = "index"  # a list of other files for machines: the sitemap, the OPML list of feeds
    ASSET = "asset"  # a file pages use: the stylesheet, a figure


#: A page in every language: ``((lang, path), ...)`` in the site's language order.
Alternates = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Output:
    """One file a channel produces: its bytes, or (``data`` None) a key and a way to render
    them, called only when the file's key is not the one the output already has."""

    path: str
    data: bytes | None
    kind: Kind
    #: for a page: the same page in every language (the sitemap lists them together); ()
    #: for a page the sitemap leaves out (the root language chooser) and for other kinds
    alternates: Alternates = ()
    #: for a page in the sitemap: the date of the edition it shows, if any
    lastmod: date | None = None
    #: what the bytes are made from (:mod:`digest.site.keys`); "" for a file given as bytes
    key: str = ""
    #: renders the bytes (for an output given by key)
    render: Callable[[], bytes] | None = None

    def bytes(self) -> bytes:
        """The file's bytes, rendered now if they were not given."""
        if self.data is not None:
            return self.data
        assert self.render is not None, f"{self.path}: an output needs bytes or a way to render them"
        return self.render()


@dataclass
class Produced:
    """What the channels produced: files per kind, and the pages' alternates in the order
    they were first produced (with their date), for the sitemap. Small, so a worker sends
    its own back to the parent."""

    kinds: Counter[str] = field(default_factory=Counter)
    pages: dict[Alternates, date | None] = field(default_factory=dict)
    #: every file given by key: path -> key (what the next build compares with)
    keys: dict[str, str] = field(default_factory=dict)
    #: keys of the cached values a worker process used (see digest.core.cache.Cache.sweep)
    used: set[str] = field(default_factory=set)
    #: keys of the values a worker process stored (dropped when the inputs changed meanwhile)
    written: set[str] = field(default_factory=set)

    def note(self, output: Output) -> None:
        self.kinds[output.kind] += 1
        if output.alternates:
            self.pages.setdefault(output.alternates, output.lastmod)
        if output.key:
            self.keys[output.path] = output.key

    def absorb(self, other: Produced) -> None:
        """Add what another language (or process) produced."""
        self.kinds.update(other.kinds)
        self.keys.update(other.keys)
        self.used |= other.used
        self.written |= other.written
        for alternates, lastmod in other.pages.items():
            self.pages.setdefault(alternates, lastmod)

    def count(self, kind: Kind) -> int:
        return self.kinds[kind]


@dataclass(frozen=True)
class Rendering:
    """What every channel is given: the site as rendered (derived languages converted)."""

    site: Site
    categories: tuple[Category, ...]
    renderer: Renderer
    keys: Keys
    #: templates/static/ files by name (published under static/)
    static: Mapping[str, bytes]
    #: local figure files by output path
    figures: Mapping[str, bytes]
    #: every tag of the published entries, in alphabetical order (each has a page and feeds)
    tags: tuple[str, ...] = ()


LanguageFiles = Callable[[Rendering, str, Sequence[Article]], Iterable[Output]]
SiteFiles = Callable[[Rendering, Produced], Iterable[Output]]


@dataclass(frozen=True)
class Channel:
    """A kind of output: its name, and what it produces per language and once per site."""

    name: str
    language: LanguageFiles | None = None
    site: SiteFiles | None = None


# ---------------------------------------------------------------------- the site's channels

def _feed_files(rendering: Rendering, lang: str, articles: Sequence[Article]) -> Iterator[Output]:
    """Per language: the edition feeds (RSS, Atom and JSON Feed), then one RSS feed per
    category, then an RSS and an Atom feed per tag."""
    site, renderer, keys = rendering.site, rendering.renderer, rendering.keys
    newest = feeds.newest_editions(site, articles)
    for kind, path in feeds.edition_feed_paths(lang):
        yield Output(path, None, Kind.FEED, key=keys.of("edition feed", kind, lang, newest),
                     render=partial(feeds.edition_feed, site, lang, kind, newest, renderer.feed_edition_html))
    grouped = by_category(articles)
    empty_date = feeds.empty_feed_date(site, articles)
    headings = {a.slug: a.heading for a in articles}
    for category in rendering.categories:
        items = feeds.category_items(site, grouped, category)
        shown = {item.edition: headings[item.edition] for item in items}
        yield Output(layout.category_rss(lang, category.key), None, Kind.FEED,
                     key=keys.of("category feed", lang, category, items, shown, empty_date),
                     render=partial(feeds.category_feed, site, lang, category, items, shown, empty_date,
                                    renderer.feed_entry_html, renderer.markdown_text))
    for tag, tagged in by_tag(articles).items():
        items = tagged[:site.feeds.entries]
        shown = {item.edition: headings[item.edition] for item in items}
        for kind, path in feeds.tag_feed_paths(lang, tag):
            yield Output(path, None, Kind.FEED, key=keys.of("tag feed", kind, lang, tag, items, shown),
                         render=partial(feeds.tag_feed, site, lang, tag, kind, items, shown,
                                        renderer.feed_entry_html, renderer.markdown_text))


def _feed_list(rendering: Rendering, produced: Produced) -> Iterator[Output]:
    yield Output(layout.OPML, feeds.opml(rendering.site, rendering.categories, rendering.tags), Kind.INDEX)


def _page_files(rendering: Rendering, lang: str, articles: Sequence[Article]) -> Iterable[Output]:
    return rendering.renderer.pages(lang, articles)


def _site_pages(rendering: Rendering, produced: Produced) -> Iterator[Output]:
    """The root language chooser, and the sitemap of every page produced."""
    renderer, keys = rendering.renderer, rendering.keys
    yield Output(layout.ROOT_INDEX, None, Kind.PAGE, key=keys.of("root"), render=renderer.root_index)
    pages = tuple(produced.pages.items())
    yield Output(layout.SITEMAP, None, Kind.INDEX, key=keys.of("sitemap", pages), render=partial(renderer.sitemap, pages))


def _asset_files(rendering: Rendering, produced: Produced) -> Iterator[Output]:
    for name, data in rendering.static.items():
        yield Output(layout.static(name), data, Kind.ASSET)
    for path, data in rendering.figures.items():
        yield Output(path, data, Kind.ASSET)


#: Every channel, in the order a build runs them.
CHANNELS: tuple[Channel, ...] = (
    Channel("feeds", language=_feed_files, site=_feed_list),
    Channel("pages", language=_page_files, site=_site_pages),
    Channel("assets", site=_asset_files),
)
