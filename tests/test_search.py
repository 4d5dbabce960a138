"""Search gate: the example site built with digest[search], queried in Chromium through Pagefind's own JavaScript.

- recall 1.0 against substring ground truth: for every query, every page of the search
  page's language whose indexed text (inside ``data-pagefind-body``, outside
  ``data-pagefind-ignore``) holds the query, case aside, is among the results; the queries
  are words inside sentences in Simplified Chinese, Traditional Chinese and English;
- each language's search page loads that language's index only, and finds pages of that
  language only;
- the search page works as a reader uses it (type, press Enter) under its own
  Content-Security-Policy, with no console error;
- two builds give byte-identical search bundles.

The site is served on 127.0.0.1 to Debian's Chromium driven by Playwright (as in
tests/test_browser.py); the pages' policies stay in force.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from conftest import CHROMIUM, REPO, require_file, tree

from digest.core import layout
from digest.core.languages import LANGUAGES as BCP47
from digest.pipeline import build
from digest.site import search

pytestmark = pytest.mark.gate

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio"]

#: Per page language: words that occur inside sentences of the example content (a note, a
#: translated abstract, a TL;DR), not only in titles. A word is a word: 自编码器 is not here,
#: since the content has it as a substring only across words (来自 编码器), which no segmenter
#: should find.
QUERIES = {
    "zh": ["蒸馏", "量化", "剪枝", "压缩", "强化学习", "生成对抗网络", "注意力", "梯度", "对抗样本", "变分",
           "编码器", "鲁棒", "损失", "卷积", "评审", "优化器", "翻译", "探索", "曲率"],
    "zh-Hant": ["蒸餾", "壓縮", "強化學習", "對抗", "網路", "訓練", "資料", "審稿人", "翻譯", "曲率", "剪枝",
                "注意力"],
    "en": ["distillation", "quantization", "pruning", "reinforcement", "adversarial", "attention", "gradient",
           "generalization", "explore", "transformer"],
}
HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}


class _Indexed(HTMLParser):
    """A page's text as Pagefind is asked to index it, and the part of it inside headings."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[bool, bool, bool]] = []  # (in the body, ignored, in a heading)
        self.text: list[str] = []
        self.sentences: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        names = {name for name, _value in attrs}
        body, ignored, heading = self.stack[-1] if self.stack else (False, False, False)
        self.stack.append((body or "data-pagefind-body" in names, ignored or "data-pagefind-ignore" in names,
                           heading or tag in HEADINGS))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1][0] and not self.stack[-1][1]:
            self.text.append(data)
            if not self.stack[-1][2]:
                self.sentences.append(data)


def indexed(html: str) -> tuple[str, str]:
    """(all the indexed text, the part outside headings), lowercased."""
    parser = _Indexed()
    parser.feed(html)
    return " ".join(parser.text).lower(), " ".join(parser.sentences).lower()


def _built(out: Path) -> Path:
    if search.indexer() is None:
        pytest.fail(f"{search.off_reason()}; run scripts/test, which installs it", pytrace=False)
    build(REPO, out, cache=False)
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _built(tmp_path_factory.mktemp("search-site") / "output")


@pytest.fixture(scope="module")
def truth(site: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """Per language: output path -> its indexed text (every page Pagefind indexes)."""
    found: dict[str, dict[str, tuple[str, str]]] = {lang: {} for lang in QUERIES}
    for path in sorted(site.rglob("*.html")):
        rel = path.relative_to(site).as_posix()
        lang = rel.split("/")[0]
        text = indexed(path.read_text(encoding="utf-8"))
        if lang in found and text[0].strip():
            found[lang][rel] = text
    return found


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def server(site: Path) -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing; install it with: pip install -e '.[test]'", pytrace=False)
    require_file(CHROMIUM, "chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


class SearchPage:
    """One language's search page in a fresh browser context, its requests and console recorded."""

    def __init__(self, browser: object, base: str, lang: str, query: str = ""):
        self.context = browser.new_context(service_workers="block")
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.console: list[str] = []
        self.page.on("request", lambda request: self.requests.append(urlsplit(request.url).path))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
                     else None)
        self.page.on("pageerror", lambda exc: self.console.append(f"page error: {exc}"))
        url = f"{base}/{layout.public(layout.search(lang))}" + (f"?q={quote(query)}" if query else "")
        self.page.goto(url, wait_until="load")
        self.bundle = self.page.locator(".search-form").get_attribute("data-bundle")

    def query(self, words: str) -> list[str]:
        """The output paths of every page Pagefind's own search() finds for ``words``."""
        urls = self.page.evaluate(
            """async ([bundle, words]) => {
                const pagefind = await import(new URL(bundle, document.baseURI).href);
                const found = await pagefind.search(words);
                return (await Promise.all(found.results.map((r) => r.data()))).map((d) => d.url);
            }""", [self.bundle, words])
        return [u.lstrip("/") + ("index.html" if u.endswith("/") else "") for u in urls]

    def close(self) -> None:
        self.context.close()


def test_there_are_enough_queries_and_each_is_inside_a_sentence(truth: dict[str, dict[str, tuple[str, str]]]) -> None:
    assert sum(len(q) for q in QUERIES.values()) >= 30 and all(len(q) >= 10 for q in QUERIES.values())
    for lang, queries in QUERIES.items():
        for words in queries:
            assert any(words.lower() in sentences for _text, sentences in truth[lang].values()), (lang, words)


@pytest.mark.parametrize("lang", list(QUERIES))
def test_recall_is_one_in_the_pages_language(browser: object, server: str, lang: str,
                                             truth: dict[str, dict[str, tuple[str, str]]]) -> None:
    visit = SearchPage(browser, server, lang)
    try:
        missed = {}
        for words in QUERIES[lang]:
            expected = {path for path, (text, _sentences) in truth[lang].items() if words.lower() in text}
            found = visit.query(words)
            assert expected, (lang, words)
            assert all(path.startswith(f"{lang}/") for path in found), (words, found)  # its own language's pages only
            if expected - set(found):
                missed[words] = sorted(expected - set(found))
        assert missed == {}
        # the one index the page loaded is its language's
        index = BCP47[lang].lower()
        loaded = {p.rsplit("/", 1)[-1] for p in visit.requests if p.endswith((".pf_meta", ".pf_index"))}
        assert loaded and all(name.removeprefix("pagefind.").startswith(f"{index}_") for name in loaded), loaded
        assert visit.console == []
    finally:
        visit.close()


def test_a_reader_searches_from_the_form(browser: object, server: str) -> None:
    visit = SearchPage(browser, server, "zh-Hant")
    try:
        page = visit.page
        page.fill("#search-query", "蒸餾")
        page.press("#search-query", "Enter")
        page.locator(".search-results li a").first.wait_for(timeout=15000)
        links = [a.get_attribute("href") for a in page.locator(".search-results li a").all()]
        assert links and all(link.startswith("/zh-Hant/") for link in links)
        marks = [m.text_content() for m in page.locator(".search-results mark").all()]
        assert marks and all(m and m in "蒸餾" for m in marks)  # Pagefind marks the words it matched
        assert "q=%E8%92%B8%E9%A4%BE" in page.url
        status = page.locator(".search-status[role=status]").text_content()
        assert str(len(links)) in status
        assert visit.console == []
    finally:
        visit.close()
    # the query in the address is searched on arrival
    again = SearchPage(browser, server, "en", "distillation")
    try:
        again.page.locator(".search-results li a").first.wait_for(timeout=15000)
        assert again.page.input_value("#search-query") == "distillation"
        assert again.console == []
    finally:
        again.close()


def test_two_builds_give_byte_identical_search_files(site: Path, tmp_path: Path) -> None:
    again = _built(tmp_path / "output")
    first, second = tree(site / layout.SEARCH_DIR), tree(again / layout.SEARCH_DIR)
    assert len(first) > 10
    assert first == second
    assert {p: d for p, d in tree(site).items() if p.endswith("search/index.html")} == \
        {p: d for p, d in tree(again).items() if p.endswith("search/index.html")}
