"""The example site in a real browser: Debian's Chromium driven by Playwright, served on 127.0.0.1.

Every page type (the root language chooser, a home page, an edition, a paper page, a
category page, a tag page, a conference year's paper index) in each language, at a desktop and a phone width:

- the page loads with no console error or warning, and asks nothing of any host but
  127.0.0.1 (every other request is recorded and refused);
- feed autodiscovery links point at feeds the server really has;
- the language switcher lands on the same page in the other language;
- every image loads, and nothing is wider than the phone screen;
- axe-core finds no serious or critical accessibility violation (light scheme: all rules;
  dark scheme: colour contrast);
- a full-page screenshot is kept in tests/artifacts/ for a person to look at.

axe-core is added to each page as an init script (through the DevTools protocol), so the
pages' Content-Security-Policy stays in force during the test. The browser is Debian's
Chromium; Playwright never downloads one. Missing tools make the tests fail with the
command that installs them (see tests/conftest.py).
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import ARTIFACTS, AXE_JS, CHROMIUM, REPO, require_file

from digest.content.project import load_project
from digest.core import layout
from digest.core.languages import LANGUAGES as BCP47
from digest.pipeline import DEFAULT_TEMPLATES

pytestmark = pytest.mark.gate

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--mute-audio",
]
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
SERIOUS = ("serious", "critical")


@dataclass(frozen=True)
class Page:
    """A page to visit: what kind it is, its language ('' for the root) and output path."""

    kind: str
    lang: str
    path: str

    @property
    def url_path(self) -> str:
        return "/" + layout.public(self.path)

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.lang}" if self.lang else self.kind


def _pages() -> list[Page]:
    """One page of each type per language, picked from the example content."""
    project = load_project(REPO)
    editions = sorted((e for e in project.editions if not e.draft), key=lambda e: (e.date, e.slug))
    def features(entry: object) -> tuple[bool, bool]:
        return (entry.figure is not None, entry.highlight)

    # The edition and the entry that show the most: a figure, a highlight badge.
    edition = max(editions, key=lambda e: (max(features(x) for x in e.entries), len(e.entries)))
    entry = max(edition.entries, key=features)
    counts = {c.key: sum(1 for ed in editions for e in ed.entries if e.category == c.key) for c in project.categories}
    category = max(project.categories, key=lambda c: counts[c.key])
    tag_counts = Counter(tag for ed in editions for e in ed.entries for tag in e.tags)
    tag = max(sorted(tag_counts), key=lambda t: tag_counts[t])  # the tag with the most entries
    pages = [Page("root", "", layout.ROOT_INDEX)]
    for lang in project.site.languages:
        pages += [
            Page("home", lang, layout.home(lang)),
            Page("edition", lang, layout.edition(lang, edition.slug)),
            Page("paper", lang, layout.paper(lang, edition.slug, entry.paper)),
            Page("category", lang, layout.category(lang, category.key)),
            Page("tag", lang, layout.tag(lang, tag)),
            Page("papers", lang, layout.paper_index(lang, layout.venue_slug(edition.conference))),
        ]
        # every other shape of edition: each layout, and an edition with venue statistics
        shapes = {e.layout: e for e in editions if e.layout != edition.layout and e.stats is None}
        with_stats = [e for e in editions if e.stats is not None]
        if with_stats:
            shapes["stats"] = with_stats[-1]
        pages += [Page(f"edition-{shape}", lang, layout.edition(lang, other.slug))
                  for shape, other in sorted(shapes.items()) if other.slug != edition.slug]
    return pages


PAGES = _pages()
LANGUAGES = load_project(REPO).site.languages


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def server(example_out: Path) -> Iterator[str]:
    """The built example site over HTTP on 127.0.0.1 (a free port); yields the base URL."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(example_out)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, through Playwright."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing; install it with: pip install -e '.[test]'", pytrace=False)
    require_file(CHROMIUM, "chromium")
    require_file(AXE_JS, "axe-core")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """A browser context at one width, recording console messages, errors and requests."""

    def __init__(self, browser: object, base: str, width: str):
        w, h = WIDTHS[width]
        self.base = base
        self.context = browser.new_context(viewport={"width": w, "height": h}, device_scale_factor=1,
                                           is_mobile=width == "phone", has_touch=width == "phone",
                                           service_workers="block")
        self.context.add_init_script(path=str(AXE_JS))
        self.outside: list[str] = []
        self.console: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))
        self.page.on("requestfailed", self._failed)

    def _route(self, route: object) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort("blockedbyclient")

    def _failed(self, request: object) -> None:
        # ERR_ABORTED: the test navigated on before a late request (the icon) finished.
        if request.failure != "net::ERR_ABORTED" and urlsplit(request.url).hostname == "127.0.0.1":
            self.console.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message: object) -> None:
        if message.type in ("error", "warning", "assert"):
            where = message.location.get("url", "")
            self.console.append(f"console {message.type}: {message.text} ({where})")

    def open(self, url_path: str) -> None:
        response = self.page.goto(self.base + url_path, wait_until="load")
        assert response is not None and response.status == 200, (url_path, response and response.status)

    def path(self) -> str:
        return urlsplit(self.page.url).path

    def close(self) -> None:
        self.context.close()


def _axe(page: object, **options: object) -> list[str]:
    """Serious and critical axe-core violations on the page, one line per rule."""
    result = page.evaluate("options => axe.run(document, options)", {"resultTypes": ["violations"], **options})
    return [
        f"{v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['html'][:160]} "
        f"[{len(v['nodes'])} element(s)]"
        for v in result["violations"] if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("target", PAGES, ids=lambda p: p.name)
def test_page_in_the_browser(browser: object, server: str, target: Page, width: str) -> None:
    visit = Visit(browser, server, width)
    try:
        visit.open(target.url_path)
        page = visit.page
        # Every image loads (lazy ones once scrolled to), then the screenshot shows them.
        for image in page.query_selector_all("img"):
            image.scroll_into_view_if_needed()
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        broken = page.evaluate("() => [...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
        assert broken == [], f"images that did not load: {broken}"
        page.evaluate("() => window.scrollTo(0, 0)")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{width}-{target.name}.png"), full_page=True)

        # Feed autodiscovery: at least one RSS feed, and every advertised feed exists.
        feeds = page.eval_on_selector_all(
            'head link[rel="alternate"][type="application/rss+xml"], head link[rel="alternate"][type="application/atom+xml"], '
            'head link[rel="alternate"][type="application/feed+json"]',
            "links => links.map(l => [l.type, l.href])")
        assert any(kind == "application/rss+xml" for kind, _ in feeds), "no RSS autodiscovery link"
        for kind, href in feeds:
            answer = page.request.get(href)
            assert answer.status == 200, (href, answer.status)
            if kind == "application/feed+json":
                assert json.loads(answer.body())["version"] == "https://jsonfeed.org/version/1.1", href
            else:
                assert (b"<rss" if kind.endswith("rss+xml") else b"<feed") in answer.body(), href

        # Nothing wider than the screen (no sideways scrolling on a phone).
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than the {width} viewport"

        violations = _axe(page)
        page.emulate_media(color_scheme="dark")
        violations += [f"dark scheme: {v}" for v in _axe(page, runOnly=["color-contrast"])]
        page.emulate_media(color_scheme="light")
        assert violations == [], "\n".join(violations)

        # The language switcher (the chooser on the root page) leads to the same page in each language.
        for lang in LANGUAGES:
            if lang == target.lang:
                continue
            visit.open(target.url_path)
            switch = ".chooser" if target.kind == "root" else ".lang-switch"
            with page.expect_navigation(wait_until="load"):
                page.click(f'{switch} a[hreflang="{BCP47[lang]}"]')
            expected = ("/" + layout.public(layout.home(lang)) if target.kind == "root"
                        else target.url_path.replace(f"/{target.lang}/", f"/{lang}/", 1))
            assert visit.path() == expected, f"the switcher on {target.url_path} led to {visit.path()}"
            assert page.get_attribute("html", "lang") == BCP47[lang]

        assert visit.outside == [], f"requests left 127.0.0.1: {visit.outside}"
        assert visit.console == [], "\n".join(visit.console)
    finally:
        visit.close()


def test_site_opened_from_the_file_system(browser: object, example_out: Path) -> None:
    """README: open output/index.html in a browser. The CSP must not block the stylesheet there."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        for target in (PAGES[0], PAGES[2]):
            page.goto((example_out / target.path).as_uri(), wait_until="load")
            styled = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
            assert styled not in ("rgba(0, 0, 0, 0)", "transparent"), f"{target.path}: the stylesheet did not apply"
        assert problems == []
    finally:
        context.close()


def test_the_guards_see_outside_requests_and_console_errors(browser: object, server: str) -> None:
    """The checks above can fail: a request to another host is refused and recorded, an error logged."""
    visit = Visit(browser, server, "desktop")
    try:
        visit.open("/")
        visit.page.set_content('<img src="https://example.invalid/x.png" alt="x">', wait_until="load")
        visit.page.evaluate("() => console.error('boom')")
        assert visit.outside == ["https://example.invalid/x.png"]
        assert any("boom" in line for line in visit.console)
    finally:
        visit.close()


def test_a_chinese_run_gets_the_faces_of_its_script(browser: object) -> None:
    """On a page in another language, a Traditional run gets TC faces and a Simplified one SC
    faces (the glyph forms differ), serif inside a serif heading, monospace in code."""
    css = (DEFAULT_TEMPLATES / "static" / "style.css").read_text(encoding="utf-8")
    page = browser.new_page()
    try:
        page.set_content(
            f"<!doctype html><html lang='en'><head><style>{css}</style></head><body>"
            "<p>Latin <span id='tc' lang='zh-Hant'>繁體</span> <span id='sc' lang='zh-Hans'>简体</span></p>"
            "<h1 class='entry-title' id='title' lang='zh-Hant'>標題</h1>"
            "<div class='article-head'><h1>Title <span id='inner' lang='zh-Hant'>標題</span></h1></div>"
            "<p lang='zh-Hant'><code id='code'>x = 1</code></p></body></html>")
        faces = {name: page.eval_on_selector(f"#{name}", "e => getComputedStyle(e).fontFamily")
                 for name in ("tc", "sc", "title", "inner", "code")}
    finally:
        page.close()
    assert "Noto Sans CJK TC" in faces["tc"] and "Noto Sans CJK SC" not in faces["tc"], faces
    assert "Noto Sans CJK SC" in faces["sc"] and "Noto Sans CJK TC" not in faces["sc"], faces
    for serif in ("title", "inner"):
        assert "Noto Serif CJK TC" in faces[serif] and "Sans" not in faces[serif].split(",")[0], faces
    assert "mono" in faces["code"].lower(), faces
