"""Where every page, feed and asset lives in output/, and how pages link to each other.

One place decides the output layout, so pages, feeds and the sitemap cannot disagree::

    index.html                              language chooser
    {lang}/index.html                       editions, newest first
    {lang}/{edition}/index.html             the edition's article
    {lang}/{edition}/{paper}/index.html     one entry (its permalink)
    {lang}/category/{key}/index.html        a category across editions
    {lang}/feed.xml, {lang}/atom.xml        one item per edition (RSS, Atom)
    {lang}/feed.json                        the same items as a JSON Feed 1.1
    {lang}/category/{key}/feed.xml          one item per entry
    {lang}/tag/{tag}/index.html             a tag across editions, one row per paper
    {lang}/tag/{tag}/feed.xml, atom.xml     one item per entry with the tag (RSS, Atom)
    {lang}/papers/{venue}/index.html        a conference year's papers, by score
    {lang}/papers/{venue}/by-{sort}/index.html  the same papers in another order (by-decision, by-title)
    {lang}/search/index.html                the search page (with digest[search])
    pagefind/...                            the search bundle: one index per page language
    feeds.opml, sitemap.xml
    static/...                              stylesheet (from templates/static/)
    images/...                              figure files (from content/)

Paths here are output-relative POSIX paths (``en/2018-w03/index.html``). Links between
pages are relative (:func:`relative`), so the site works from any base path and from a
local folder; feeds and the sitemap use absolute URLs (:func:`absolute`). Pure functions,
no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from digest.core.ids import PaperRef

ROOT_INDEX = "index.html"
SITEMAP = "sitemap.xml"
OPML = "feeds.opml"
STATIC_DIR = "static"
IMAGES_DIR = "images"
CATEGORY_DIR = "category"
TAG_DIR = "tag"
PAPERS_DIR = "papers"
#: The search bundle Pagefind makes (digest.site.search), at the output's root.
SEARCH_DIR = "pagefind"
#: Names an edition slug may not take: they are folders of their own under {lang}/.


def home(lang: str) -> str:
    return f"{lang}/index.html"


def edition(lang: str, slug: str) -> str:
    return f"{lang}/{slug}/index.html"


def paper(lang: str, edition_slug: str, ref: PaperRef) -> str:
    return f"{lang}/{edition_slug}/{ref.slug}/index.html"


def category(lang: str, key: str) -> str:
    return f"{lang}/{CATEGORY_DIR}/{key}/index.html"


def search(lang: str) -> str:
    return f"{lang}/search/index.html"


def rss(lang: str) -> str:
    return f"{lang}/feed.xml"


def atom(lang: str) -> str:
    return f"{lang}/atom.xml"


def json_feed(lang: str) -> str:
    return f"{lang}/feed.json"


def category_rss(lang: str, key: str) -> str:
    return f"{lang}/{CATEGORY_DIR}/{key}/feed.xml"


def tag(lang: str, slug: str) -> str:
    """A tag's page (tags are slugs, see digest.core.kinds.TAGS: safe in a path as they are)."""
    return f"{lang}/{TAG_DIR}/{slug}/index.html"


def tag_rss(lang: str, slug: str) -> str:
    return f"{lang}/{TAG_DIR}/{slug}/feed.xml"


def tag_atom(lang: str, slug: str) -> str:
    return f"{lang}/{TAG_DIR}/{slug}/atom.xml"


def venue_slug(conference: str) -> str:
    """The URL name of a conference year as editions write it (``ICLR 2018`` -> ``iclr-2018``):
    lower-case ASCII letters and digits, runs of anything else one hyphen; ``unnamed`` when
    nothing is left (a conference written without a Latin letter or digit)."""
    return re.sub(r"[^a-z0-9]+", "-", conference.lower()).strip("-") or "unnamed"


def paper_index(lang: str, venue: str, sort: str = "") -> str:
    """A conference year's paper index (``venue``: its :func:`venue_slug`), in the order
    ``sort`` names under ``by-{sort}/`` ("": its first order, on the index's own page)."""
    return f"{lang}/{PAPERS_DIR}/{venue}/{'by-' + sort + '/' if sort else ''}index.html"


def static(name: str) -> str:
    return f"{STATIC_DIR}/{name}"


def image(src: str) -> str:
    """Output path of a figure file written below content/ as ``src``."""
    src = src.lstrip("/")
    return src if src.startswith(IMAGES_DIR + "/") else f"{IMAGES_DIR}/{src}"


def public(path: str) -> str:
    """The path as a URL path: ``a/index.html`` is served as ``a/``."""
    if path == "index.html":
        return ""
    if path.endswith("/index.html"):
        return path[: -len("index.html")]
    return path


def absolute(base_url: str, path: str) -> str:
    """Absolute URL of an output path under the site's base URL."""
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + public(path)


def root_prefix(page: str) -> str:
    """The relative path from the page at ``page`` up to the output root (``../../``)."""
    return "../" * page.count("/")


def relative(from_path: str, to_path: str) -> str:
    """A relative link from the page at ``from_path`` to ``to_path`` (both output paths).

    Always climbs to the output root and descends again (``../../en/x/``): one string
    concatenation per link, and the same link text for every page at the same depth.
    """
    link = root_prefix(from_path) + public(to_path)
    return link or "./"


def tag_authority(base_url: str) -> tuple[str, str]:
    """(host, path prefix) of the base URL, as used in feed ids: scheme-free by design."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    prefix = parts.path.strip("/")
    return host, (prefix + "/" if prefix else "")
