"""The example site, built from content/, against its golden copy; and every link in it resolves.

Regenerate the golden copy after an intended change with ``python -m tests.golden --update``
and review the diff of tests/golden/site/.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import feedparser
import pytest

from digest.content.project import load_project
from digest.core.languages import LANGUAGES

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden" / "site"
BASE = "https://digest.example.org/"


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def example(example_out: Path) -> dict[str, bytes]:
    """The example site's files, from the build the whole session shares (see conftest.py)."""
    return files_of(example_out)


def test_example_matches_the_golden_copy(example: dict[str, bytes]) -> None:
    golden = files_of(GOLDEN)
    hint = "(if the change is intended: python -m tests.golden --update, then review the diff)"
    assert sorted(example) == sorted(golden), f"files added or removed {hint}"
    for path in sorted(golden):
        if example[path] != golden[path]:
            try:
                diff = "\n".join(list(difflib.unified_diff(
                    golden[path].decode().splitlines(), example[path].decode().splitlines(),
                    f"golden/{path}", f"built/{path}", lineterm=""))[:40])
            except UnicodeDecodeError:
                diff = "(binary file)"
            pytest.fail(f"{path} differs from the golden copy {hint}\n{diff}")


def test_example_has_both_languages_and_every_page(example: dict[str, bytes]) -> None:
    project = load_project(REPO)
    for lang in project.site.languages:
        assert f"{lang}/index.html" in example and f"{lang}/feed.xml" in example and f"{lang}/atom.xml" in example
        for edition in project.editions:
            if edition.draft:
                continue
            assert f"{lang}/{edition.slug}/index.html" in example
            for entry in edition.entries:
                assert f"{lang}/{edition.slug}/{entry.paper.slug}/index.html" in example
        for category in project.categories:
            assert f"{lang}/category/{category.key}/index.html" in example
            assert f"{lang}/category/{category.key}/feed.xml" in example


@pytest.mark.gate
def test_example_feeds_parse_cleanly(example: dict[str, bytes]) -> None:
    project = load_project(REPO)
    published = [e for e in project.editions if not e.draft]
    for path, data in example.items():
        if path.endswith(".xml") and path != "sitemap.xml":
            feed = feedparser.parse(data)
            assert feed.bozo == 0, (path, feed.get("bozo_exception"))
            if path.endswith(("/feed.xml", "/atom.xml")) and path.count("/") == 1:
                assert len(feed.entries) == len(published)
                dates = [e.published_parsed for e in feed.entries]
                assert dates == sorted(dates, reverse=True)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"])
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(values[name])


def _target(page: str, link: str) -> tuple[str, str] | None:
    """(output path, fragment) a link points to, or None when it leaves the site."""
    if link.startswith(BASE):
        url = link
    elif urlsplit(link).scheme:
        return None
    else:
        url = urljoin(BASE + page, link)
    parts = urlsplit(url)
    if not url.startswith(BASE):
        return None
    path = unquote(parts.path)[len(urlsplit(BASE).path):]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return posixpath.normpath(path), parts.fragment


def test_every_internal_link_and_asset_resolves(example: dict[str, bytes]) -> None:
    parsed: dict[str, _Links] = {}
    for path, data in example.items():
        if path.endswith(".html"):
            parser = _Links()
            parser.feed(data.decode("utf-8"))
            parsed[path] = parser
    broken = []
    checked = 0
    for page, parser in parsed.items():
        for link in parser.links:
            target = _target(page, link)
            if target is None:
                continue
            path, fragment = target
            checked += 1
            if path not in example:
                broken.append(f"{page}: {link} -> {path} (missing)")
            elif fragment and path in parsed and fragment not in parsed[path].ids:
                broken.append(f"{page}: {link} -> #{fragment} (no such id)")
    for path, data in example.items():  # absolute links in feeds, sitemap and OPML
        if path.endswith((".xml", ".opml", ".json")):
            for url in {u.decode() for u in re.findall(rb'https://digest\.example\.org/[^"<\s&\\]*', data)}:
                target = _target("", url)
                checked += 1
                if target and target[0] not in example:
                    broken.append(f"{path}: {url} (missing)")
    assert checked > 1000
    assert broken == []


def test_every_page_has_language_alternates(example: dict[str, bytes]) -> None:
    for path, data in example.items():
        if path.endswith(".html") and path != "index.html":
            html = data.decode()
            lang = path.split("/", 1)[0]
            assert f'<html lang="{LANGUAGES[lang]}">' in html, path
            assert all(f'hreflang="{tag}"' in html for tag in ("en", "zh-Hans", "zh-Hant")), path
            assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html, path
