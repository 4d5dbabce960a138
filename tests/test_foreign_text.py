"""Text in another language than its page or feed: tagged where markup can say so, kept out
where it cannot (meta descriptions, RSS summaries), and UI sentences joined and spaced as
the page's language writes them.

A small site whose curator left some names and titles in English only is built for real;
pages are parsed as HTML and feeds read with feedparser.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from test_feed_rules import feed_problems

from digest.pipeline import build
from digest.site import search

BASE = Path(__file__).parent / "cases" / "base"

ADAM = "openreview-ryQu7f-RZ"
DGC = "openreview-SkhQHMW0W"
MATH = "arxiv-1710.10571"
ADAM_TITLE = "On the Convergence of Adam and Beyond"
ADAM_TLDR = "We investigate the convergence of popular optimization algorithms"
NOTE_EN = "Only written in English so far."
#: A Chinese note longer than any summary: Markdown, several sentences.
NOTE_ZH = ("**梯度压缩**把分布式训练中 99.9% 的梯度交换省掉了。作者用动量修正、局部梯度裁剪和预热训练保住了精度，"
           "在图像分类、语音识别和语言模型上都没有损失。[代码](https://example.org/dgc)已经公开，值得一试。"
           "这一段再写得长一些，好让摘要不得不截断：带宽省下来之后，普通以太网上的多机训练也能接近线性加速。")

CATEGORIES = """\
categories:
  - key: optimization
    name: {en: Optimization, zh: 优化}
  - key: model-compression
    name: {en: Model compression, zh: 模型压缩}
  - key: other
    name: {en: Other}
"""

EDITION = f"""\
date: 2018-02-10
conference: ICLR 2018
title: {{en: Week one}}
entries:
  - paper: 'openreview:ryQu7f-RZ'
    category: optimization
    note: {{en: {NOTE_EN}}}
  - paper: 'openreview:SkhQHMW0W'
    category: model-compression
    title: {{zh: 深度梯度压缩}}
    note: {{en: Saves bandwidth., zh: '{NOTE_ZH}'}}
  - paper: 'arxiv:1710.10571'
    category: other
    title: {{en: A Paper With No Record, zh: 一篇没有记录的论文}}
"""


def site(tmp_path: Path, extra: str = "", author: str = "Jane Doe",
         description: str = "{en: A test digest., zh: 测试用的文摘。}") -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    content = root / "content"
    (content / "site.yaml").write_text(
        f"title: {{en: Test Digest, zh: 测试文摘}}\ndescription: {description}\nbase_url: https://digest.test/\n"
        f"languages: [en, zh, zh-Hant]\nauthor: {author}\n"
        f"policies: {{missing_translation: ignore, missing_metadata: ignore}}\n{extra}", encoding="utf-8")
    (content / "categories.yaml").write_text(CATEGORIES, encoding="utf-8")
    (content / "editions").mkdir()
    (content / "editions" / "week.yaml").write_text(EDITION, encoding="utf-8")
    build(root, root / "output")
    return root / "output"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return site(tmp_path_factory.mktemp("foreign"))


@pytest.fixture(scope="module")
def out_omit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """TL;DRs in another language left out, a site description in English only, a Chinese author."""
    return site(tmp_path_factory.mktemp("foreign-omit"), "fallback: {tldr: omit}\n", author="本站编辑部",
                description="{en: A test digest.}")


class Page(HTMLParser):
    """A page's text nodes, each with the language it is in (the nearest ``lang``), its
    element and that element's class; and its meta tags."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"})

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, str]] = []  # (tag, lang, class)
        self.texts: list[tuple[str, str, str]] = []  # (text, lang, tag)
        self.meta: dict[str, str] = {}
        self.elements: list[tuple[str, dict[str, str], list[str]]] = []  # (tag, attrs, texts inside)
        self.open: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and "name" in values:
            self.meta[values["name"]] = values.get("content", "")
        if tag in self.VOID:
            self.elements.append((tag, values, []))
            return
        lang = values.get("lang", self.stack[-1][1] if self.stack else "")
        self.stack.append((tag, lang, values.get("class", "")))
        inside: list[str] = []
        self.elements.append((tag, values, inside))
        self.open.append(inside)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            self.open.pop()
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.texts.append((data, self.stack[-1][1], self.stack[-1][0]))
        for inside in self.open:
            inside.append(data)

    def text_of(self, tag: str, cls: str) -> list[str]:
        """The whole text of each ``tag`` element of class ``cls``, white space made single."""
        return [" ".join("".join(inside).split()) for t, attrs, inside in self.elements
                if t == tag and cls in attrs.get("class", "").split()]

    def lang_of(self, text: str) -> set[str]:
        """The languages the text nodes holding ``text`` are tagged with (in <body>)."""
        return {lang for data, lang, tag in self.texts if text in data and tag != "title"}


def page(out: Path, path: str) -> Page:
    return Page((out / path / "index.html").read_text(encoding="utf-8"))


def feed(out: Path, path: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse((out / path).read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


# ----------------------------------------------------------------------------- 1. feed summaries


def test_a_category_feed_sums_an_entry_up_in_its_own_language(out: Path) -> None:
    dgc = feed(out, "zh/category/model-compression/feed.xml").entries[0]
    # the curator's Chinese note, as plain text, cut after a whole sentence
    assert dgc.summary.startswith("梯度压缩把分布式训练中 99.9% 的梯度交换省掉了。")
    assert dgc.summary.endswith("。…") and len(dgc.summary) < 130
    assert "**" not in dgc.summary and "<" not in dgc.summary and "example.org" not in dgc.summary
    # no Chinese note: the curator's Chinese title
    assert feed(out, "zh/category/other/feed.xml").entries[0].summary == "一篇没有记录的论文"
    # nothing written in Chinese: the English TL;DR, introduced as the English original
    adam = feed(out, "zh/category/optimization/feed.xml").entries[0]
    assert adam.summary.startswith(f"一句话总结（英文原文）：{ADAM_TLDR}")
    assert NOTE_EN not in adam.summary
    hant = feed(out, "zh-Hant/category/optimization/feed.xml").entries[0]
    assert hant.summary.startswith(f"一句話總結（英文原文）：{ADAM_TLDR}")
    # English feeds: the English note, else the TL;DR, else the title
    assert feed(out, "en/category/optimization/feed.xml").entries[0].summary == NOTE_EN
    assert feed(out, "en/category/other/feed.xml").entries[0].summary == "A Paper With No Record"


def test_a_tldr_the_site_leaves_out_is_no_summary_either(out_omit: Path) -> None:
    # no summary: the item's description is its HTML, where English carries lang="en"
    adam = feed(out_omit, "zh/category/optimization/feed.xml").entries[0]
    assert adam.summary.startswith('<article class="entry" id="openreview-ryQu7f-RZ">')
    assert ADAM_TLDR not in adam.summary and '<div class="text" lang="en">\n<p>' + NOTE_EN in adam.summary
    path = "zh/category/optimization/feed.xml"
    assert feed_problems(path, (out_omit / path).read_bytes(), "https://digest.test/") == []


def test_every_feed_keeps_to_the_validator_rules(out: Path, out_omit: Path) -> None:
    """Summaries cut short, tagged Atom titles: still what the feed validator accepts."""
    for site_out in (out, out_omit):
        for path in sorted(site_out.rglob("*.xml")):
            if path.name != "sitemap.xml":
                rel = path.relative_to(site_out).as_posix()
                assert feed_problems(rel, path.read_bytes(), "https://digest.test/") == [], rel
    assert feed(out_omit, "zh/category/other/feed.xml").entries[0].summary == "一篇没有记录的论文"


# ----------------------------------------------------------------------------- 2. meta description


def test_a_paper_page_describes_itself_in_its_own_language(out: Path, out_omit: Path) -> None:
    dgc = page(out, f"zh/week/{DGC}").meta["description"]
    assert dgc.startswith("梯度压缩把分布式训练中") and dgc.endswith("。…") and "**" not in dgc
    assert page(out, f"zh/week/{MATH}").meta["description"] == "一篇没有记录的论文"
    # nothing about the paper is written in Chinese: the site's description
    assert page(out, f"zh/week/{ADAM}").meta["description"] == "测试用的文摘。"
    assert page(out, f"zh-Hant/week/{ADAM}").meta["description"] == "測試用的文摘。"
    # English pages: the note, else the TL;DR, else the title
    assert page(out, f"en/week/{ADAM}").meta["description"] == NOTE_EN
    assert page(out, f"en/week/{MATH}").meta["description"] == "A Paper With No Record"
    # no description in the page's language at all: no meta description, rather than English
    assert "description" not in page(out_omit, f"zh/week/{ADAM}").meta
    assert "description" not in page(out_omit, "zh").meta
    assert page(out_omit, "en").meta["description"] == "A test digest."


def test_the_english_tldr_describes_an_english_page_without_a_note(out_omit: Path) -> None:
    assert page(out_omit, f"en/week/{ADAM}").meta["description"] == NOTE_EN
    assert page(out_omit, f"en/week/{DGC}").meta["description"] == "Saves bandwidth."


# ----------------------------------------------------------------------------- 3. lang attributes


ENGLISH_ONLY = ("Week one", "Other", ADAM_TITLE, "Jane Doe")


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_names_and_titles_in_another_language_carry_their_lang(out: Path, lang: str) -> None:
    pages = sorted((out / lang).rglob("index.html"))
    # ..., the paper index in its three orders, and the search page with digest[search]
    assert len(pages) == 1 + 1 + 3 + 3 + 3 + (search.indexer() is not None)
    seen = {text: 0 for text in ENGLISH_ONLY}
    for path in pages:
        parsed = Page(path.read_text(encoding="utf-8"))
        for text in ENGLISH_ONLY:
            langs = parsed.lang_of(text)
            assert langs <= {"en"}, (path.relative_to(out), text, langs)
            seen[text] += bool(langs)
    searching = search.indexer() is not None  # the search page's footer names the author too
    assert seen == {"Week one": 11, "Other": 7, ADAM_TITLE: 7, "Jane Doe": 11 + searching}  # 3 of each: the paper index
    # the places that used to miss it
    dgc = page(out, f"{lang}/week/{DGC}")
    assert any(ADAM_TITLE in text for text in dgc.text_of("a", "pager-prev"))
    assert dgc.lang_of(ADAM_TITLE) == {"en"}
    assert page(out, f"{lang}/category/other").lang_of("Other") == {"en"}


def test_feed_fragments_tag_names_and_titles_too(out: Path) -> None:
    item = feed(out, "zh/category/other/feed.xml").entries[0].content[0].value
    assert re.search(r'收录于《<a href="[^"]+" lang="en">Week one</a>》', item)
    article = feed(out, "zh/feed.xml").entries[0].content[0].value
    assert re.search(r'<h2 id="cat-other"><a href="[^"]+" lang="en">Other</a></h2>', article)


def test_an_atom_entry_title_in_another_language_says_so(out: Path) -> None:
    zh = feed(out, "zh/atom.xml")
    assert zh.feed.language == "zh-Hans"
    assert zh.entries[0].title == "Week one" and zh.entries[0].title_detail.language == "en"
    en = feed(out, "en/atom.xml")
    assert en.entries[0].title_detail.language == "en"
    assert "<title xml:lang" not in (out / "en/atom.xml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- 4. one TL;DR


def test_a_category_page_shows_the_tldr_as_the_article_does(out: Path) -> None:
    def tldr(path: str) -> str:
        html = (out / path / "index.html").read_text(encoding="utf-8")
        return re.search(r'<p class="tldr">.*?</p>', html, re.S).group(0)

    on_category = tldr("zh/category/optimization")
    assert '<span class="original">英文原文</span> <span lang="en">' + ADAM_TLDR in on_category
    assert on_category == tldr("zh/week") == tldr(f"zh/week/{ADAM}")


# ----------------------------------------------------------------------------- 5, 6. lists and spacing


def test_the_home_page_lists_categories_as_the_language_does(out: Path) -> None:
    assert page(out, "en").text_of("p", "edition-summary") == ["3 papers: Optimization, Model compression, and Other"]
    assert page(out, "zh").text_of("p", "edition-summary") == ["3 篇论文：优化、模型压缩和 Other"]
    assert page(out, "zh").lang_of("Other") == {"en"}


def test_the_footer_spaces_the_author_as_chinese_does(out: Path, out_omit: Path) -> None:
    assert page(out, "zh").text_of("footer", "site-footer")[0].startswith("由 Jane Doe 发布。订阅：RSS")
    html = (out / "zh" / "index.html").read_text(encoding="utf-8")
    assert '<p>由 <span lang="en">Jane Doe</span> 发布。订阅：<a ' in html
    assert page(out_omit, "zh").text_of("footer", "site-footer")[0].startswith("由本站编辑部发布。订阅：RSS")
    assert page(out_omit, "zh-Hant").text_of("footer", "site-footer")[0].startswith("由本站编辑部發布。訂閱：RSS")
    en = (out / "en" / "index.html").read_text(encoding="utf-8")
    assert "<p>Published by Jane Doe. Subscribe: <a " in en
