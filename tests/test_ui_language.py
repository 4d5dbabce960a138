"""Every piece of UI text is in the page's language: no English on Chinese pages, no CJK on English ones.

Curated and fetched content may be in any language, so to see the UI alone the site is built
from synthetic content written in the script under test: all Chinese (curated and fetched)
to check the Chinese pages, all Latin to check the English ones. Whatever English then shows
on a Chinese page (or CJK on an English page) came from the templates or the code.

Every text node is walked, and the attributes a reader sees or hears (``title``, ``alt``,
``aria-label``), except inside an element marked with a ``lang`` other than the page's (the
language switcher names each language in itself: that is a run of another language).

Allowed on Chinese pages (:data:`PROPER_NAMES`): product and format names that have no
Chinese form in use (RSS, Atom, JSON Feed, OPML, PDF, DOI, arXiv, OpenReview, Semantic Scholar).

Beyond the language pages: the root page (a chooser in every language, each option tagged
with its own), the meta description, and the feeds' own texts (titles, descriptions,
summaries and categories; the items' HTML is the pages' fragments).

A third site is written half in each language (a category named in English only, an edition
titled in one language, notes in the other), so every fallback path runs: there, every run
of English on a Chinese page, or of Chinese on an English page, must sit inside an element
tagged with its language, except in the few places markup cannot tag (a ``<title>``, a
``title`` attribute mixing UI words and a name, an RSS text), which may hold a fallen-back
name or title but never a UI word, nor a meta description or a feed summary in the other
language.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from digest.core.languages import LANGUAGES
from digest.pipeline import build
from digest.site import hant as convert
from digest.site import search

BASE = Path(__file__).parent / "cases" / "base"
PROPER_NAMES = frozenset({"RSS", "Atom", "JSON", "Feed", "OPML", "PDF", "DOI", "arXiv", "OpenReview", "Semantic", "Scholar"})
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z’']*")
CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff01-\uff60\u3000-\u303f]")
VISIBLE_ATTRIBUTES = ("title", "alt", "aria-label")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

#: Curated and fetched words per script; every text field of the synthetic site uses them.
WORDS = {"zh": ("论文", "模型", "训练", "网络", "梯度", "压缩"), "en": ("paper", "model", "training", "gradient")}


def say(script: str, n: int) -> str:
    words = WORDS[script]
    sep = "" if script == "zh" else " "
    return sep.join(words[i % len(words)] for i in range(n))


def synthetic(tmp_path: Path, script: str) -> Path:
    """A site whose curated and fetched text is all in ``script`` ("zh" or "en")."""
    root = tmp_path / f"site-{script}"
    shutil.copytree(BASE, root)
    content = root / "content"

    def lt(n: int) -> str:
        text = say(script, n)
        return json.dumps({"en": text, "zh": text}, ensure_ascii=False)

    (content / "site.yaml").write_text(
        f"title: {lt(2)}\ndescription: {lt(5)}\nbase_url: https://digest.test/\n"
        f"languages: [en, zh, zh-Hant]\nauthor: {say(script, 2)}\n", encoding="utf-8")
    (content / "categories.yaml").write_text(
        f"categories:\n  - key: optimization\n    name: {lt(2)}\n    description: {lt(6)}\n"
        f"  - key: model-compression\n    name: {lt(3)}\n", encoding="utf-8")
    (content / "editions").mkdir()
    figure = f"    figure: {{src: images/ratings.png, alt: {lt(3)}, caption: {lt(4)}}}\n"
    (content / "editions" / "one.yaml").write_text(
        f"date: 2018-02-10\nconference: {say(script, 2)}\ntitle: {lt(3)}\nintro: {lt(12)}\nseries: s1\n"
        "entries:\n"
        f"  - paper: 'openreview:ryQu7f-RZ'\n    category: optimization\n    tags: ['2018', '42']\n    highlight: true\n"
        f"    note: {lt(20)}\n    title: {lt(4)}\n    abstract: {lt(30)}\n    meta_review: {lt(10)}\n"
        f"    code: https://example.org/code\n{figure}"
        f"  - paper: 'openreview:SkhQHMW0W'\n    category: model-compression\n    note: {lt(8)}\n",
        encoding="utf-8")
    for path in (content / "snapshot").rglob("*.json"):
        record = json.loads(path.read_text(encoding="utf-8"))
        record.update(title=say(script, 5), authors=[say(script, 1), say(script, 2), say(script, 3)],
                      abstract=say(script, 40), tldr=say(script, 9), venue=say(script, 2),
                      keywords=[], arxiv_id="1904.09237")
        path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return root


def mixed(tmp_path: Path) -> Path:
    """A site whose curator wrote each text in one language only, English or Chinese, so that
    every text falls back somewhere; fetched text is English. Curated English uses
    ``WORDS["en"]`` only, so any other English word on a Chinese page is the UI's."""
    root = synthetic(tmp_path, "en")
    content = root / "content"

    def en(n: int) -> str:
        return json.dumps({"en": say("en", n)})

    def zh(n: int) -> str:
        return json.dumps({"zh": say("zh", n)}, ensure_ascii=False)

    (content / "site.yaml").write_text(
        f"title: {{en: {say('en', 2)}, zh: {say('zh', 2)}}}\ndescription: {en(5)}\nbase_url: https://digest.test/\n"
        f"languages: [en, zh, zh-Hant]\nauthor: {say('en', 2)}\n"
        "policies: {missing_translation: ignore, missing_metadata: ignore, repeated_paper: ignore}\n",
        encoding="utf-8")
    (content / "categories.yaml").write_text(
        f"categories:\n  - key: optimization\n    name: {en(2)}\n    description: {zh(6)}\n"
        f"  - key: model-compression\n    name: {zh(3)}\n    description: {en(6)}\n", encoding="utf-8")
    figure = f"    figure: {{src: images/ratings.png, alt: {en(3)}, caption: {zh(4)}}}\n"
    (content / "editions" / "one.yaml").write_text(
        f"date: 2018-02-10\nconference: '2018'\ntitle: {en(3)}\nintro: {zh(12)}\n"
        "entries:\n"
        f"  - paper: 'openreview:ryQu7f-RZ'\n    category: optimization\n    tags: ['2018']\n"
        f"    note: {en(20)}\n    abstract: {zh(30)}\n    meta_review: {en(10)}\n{figure}"
        f"  - paper: 'openreview:SkhQHMW0W'\n    category: model-compression\n    note: {zh(8)}\n"
        f"    title: {zh(4)}\n",
        encoding="utf-8")
    (content / "editions" / "two.yaml").write_text(
        f"date: 2018-03-10\nconference: '2018'\ntitle: {zh(3)}\nintro: {en(12)}\n"
        "entries:\n"
        f"  - paper: 'arxiv:1710.10571'\n    category: optimization\n    note: {zh(8)}\n    title: {en(4)}\n"
        f"  - paper: 'openreview:ryQu7f-RZ'\n    category: model-compression\n    note: {{en: {say('en', 9)}, zh: {say('zh', 9)}}}\n",
        encoding="utf-8")
    return root


#: Meta tags whose content a reader sees (in search results, in a link preview).
VISIBLE_META = frozenset({"description", "og:title", "og:description", "twitter:title", "twitter:description"})


class Texts(HTMLParser):
    """The UI text of a page: text nodes, visible attributes and meta descriptions not inside a
    foreign-language run (``found``); and every one of them with the language it is tagged
    with, the nearest ``lang`` (``runs``: where, text, lang)."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool, str]] = []  # (tag, foreign, lang)
        self.found: list[tuple[str, str]] = []  # (where, text)
        self.runs: list[tuple[str, str, str]] = []  # (where, text, lang)

    def foreign(self) -> bool:
        return any(f for _, f, _ in self.stack)

    def lang(self) -> str:
        return self.stack[-1][2] if self.stack else self.page_lang

    def add(self, where: str, text: str, lang: str, foreign: bool) -> None:
        self.runs.append((where, text, lang))
        if not foreign:
            self.found.append((where, text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        foreign = "lang" in values and values["lang"] != self.page_lang and tag != "html"
        lang = values["lang"] if "lang" in values and tag != "html" else self.lang()
        for name in VISIBLE_ATTRIBUTES:
            if values.get(name):
                self.add(f"<{tag} {name}>", values[name], lang, foreign or self.foreign())
        meta = values.get("name") or values.get("property") or ""
        if tag == "meta" and meta in VISIBLE_META and values.get("content"):
            self.add(f"<meta {meta}>", values["content"], lang, foreign or self.foreign())
        if tag not in VOID:
            self.stack.append((tag, foreign, lang))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.add(f"<{self.stack[-1][0] if self.stack else ''}>", data.strip(), self.lang(), self.foreign())


def ui_texts(path: Path, page_lang: str) -> list[tuple[str, str]]:
    parser = Texts(page_lang)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


def runs(path: Path, page_lang: str) -> list[tuple[str, str, str]]:
    parser = Texts(page_lang)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.runs


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for script in ("zh", "en"):
        tmp = tmp_path_factory.mktemp(f"ui-{script}")
        build(synthetic(tmp, script), tmp / "out")
        out[script] = tmp / "out"
    tmp = tmp_path_factory.mktemp("ui-mixed")
    build(mixed(tmp), tmp / "out")
    out["mixed"] = tmp / "out"
    return out


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_chinese_pages_hold_no_english_ui_words(built: dict[str, Path], lang: str) -> None:
    pages = sorted((built["zh"] / lang).rglob("*.html"))
    assert len(pages) >= 5
    found = set()
    for page in pages:
        for where, text in ui_texts(page, LANGUAGES[lang]):
            for word in LATIN_WORD.findall(text):
                if word not in PROPER_NAMES:
                    found.add(f"{page.relative_to(built['zh']).parent}: {where} {word!r} in {text!r}")
    assert sorted(found) == []


#: A Han character (or a full-width mark) touching an ASCII colon or period, in either order.
HAN = r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff60]"
ASCII_STOP_BY_HAN = re.compile(rf"{HAN}[:.]|[:.]{HAN}")
#: Full-width punctuation followed by white space: Chinese puts no space after it.
SPACE_AFTER_FULL_WIDTH = re.compile(r"[，。：；！？、）]\s")


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_chinese_pages_punctuate_in_full_width(built: dict[str, Path], lang: str) -> None:
    """No ASCII ``:`` or ``.`` next to Chinese text, nor opening a text run (the end of a
    sentence after a link), and no space after a full-width mark anywhere on the page."""
    pages = sorted((built["zh"] / lang).rglob("*.html"))
    found = set()
    for page in pages:
        where_page = page.relative_to(built["zh"]).parent
        for where, text in ui_texts(page, LANGUAGES[lang]):
            if ASCII_STOP_BY_HAN.search(text) or text[:1] in (":", "."):
                found.add(f"{where_page}: {where} {text!r}")
        html = page.read_text(encoding="utf-8")
        for match in SPACE_AFTER_FULL_WIDTH.finditer(html):
            found.add(f"{where_page}: space after full-width mark in {html[match.start() - 12:match.end() + 12]!r}")
    assert sorted(found) == []


def test_the_punctuation_rules_see_mistakes() -> None:
    assert ASCII_STOP_BY_HAN.search("16 篇论文:") and ASCII_STOP_BY_HAN.search("发布.")
    assert not ASCII_STOP_BY_HAN.search("平均 5.7") and not ASCII_STOP_BY_HAN.search("订阅：")
    assert SPACE_AFTER_FULL_WIDTH.search("订阅： <a>") and SPACE_AFTER_FULL_WIDTH.search("发布。 订阅")
    assert not SPACE_AFTER_FULL_WIDTH.search("订阅：<a>")


def test_english_pages_hold_no_cjk(built: dict[str, Path]) -> None:
    pages = sorted((built["en"] / "en").rglob("*.html"))
    assert len(pages) >= 5
    found = set()
    for page in pages:
        for where, text in ui_texts(page, "en"):
            if CJK.search(text):
                found.add(f"{page.relative_to(built['en']).parent}: {where} {text!r}")
    assert sorted(found) == []


def test_the_walker_sees_ui_text_and_skips_foreign_runs() -> None:
    html = ('<html lang="zh-Hans"><body><p title="Hint">中文 <b>Menu</b></p>'
            '<nav><span lang="en">English</span></nav><img alt="图"></body></html>')
    parser = Texts("zh-Hans")
    parser.feed(html)
    assert parser.found == [("<p title>", "Hint"), ("<p>", "中文"), ("<b>", "Menu"), ("<img alt>", "图")]


# ----------------------------------------------------------------------------- the root page


@pytest.mark.parametrize("script", ["zh", "en", "mixed"])
def test_the_root_page_tags_each_option_with_its_language(built: dict[str, Path], script: str) -> None:
    """The chooser speaks every language at once: each option carries its own lang, and
    nothing but the <title> (which cannot be tagged) is outside them."""
    html = (built[script] / "index.html").read_text(encoding="utf-8")
    options = re.findall(r'<a class="chooser-option" href="[^"]+" hreflang="([^"]+)" lang="([^"]+)">', html)
    assert options == [(tag, tag) for tag in ("en", "zh-Hans", "zh-Hant")]
    untagged = Texts("none")  # every element with a lang is "foreign" to no language
    untagged.feed(html)
    assert [where for where, _ in untagged.found] == ["<title>"]
    if script == "mixed":  # a text missing in an option's language is tagged with its own
        assert wrong_script(runs(built[script] / "index.html", "en"), untaggable={"<title>"}) == []


# ----------------------------------------------------------------------------- feeds


def feed_texts(path: Path) -> list[tuple[str, str]]:
    """A feed's own texts (where, text): what a feed reader shows of it besides the items' HTML."""
    feed = feedparser.parse(path.read_bytes())
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    found = [(f"{path.name} {key}", feed.feed[key]) for key in ("title", "subtitle", "author") if feed.feed.get(key)]
    for entry in feed.entries:
        found.append((f"{path.name} item title", entry.title))
        if entry.get("summary") and not entry.summary.startswith("<"):
            found.append((f"{path.name} item summary", entry.summary))
        found += [(f"{path.name} item category", tag.term) for tag in entry.get("tags", [])]
    return found


def feeds_of(out: Path, lang: str) -> list[Path]:
    feeds = sorted((out / lang).rglob("*.xml"))
    assert {"feed.xml", "atom.xml"} <= {p.name for p in feeds} and len(feeds) >= 4
    return feeds


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_chinese_feeds_hold_no_english_ui_words(built: dict[str, Path], lang: str) -> None:
    found = set()
    for path in feeds_of(built["zh"], lang):
        for where, text in feed_texts(path):
            for word in LATIN_WORD.findall(text):
                if word not in PROPER_NAMES:
                    found.add(f"{path.relative_to(built['zh'])}: {where} {word!r} in {text!r}")
    assert sorted(found) == []


def test_english_feeds_hold_no_cjk(built: dict[str, Path]) -> None:
    found = set()
    for path in feeds_of(built["en"], "en"):
        for where, text in feed_texts(path):
            if CJK.search(text):
                found.add(f"{path.relative_to(built['en'])}: {where} {text!r}")
    assert sorted(found) == []


# ----------------------------------------------------------------------------- texts missing in a language


#: Where markup cannot tag a run of another language: these may hold a name or title that
#: fell back (curated words only), never a UI word. A meta description is not among them:
#: it holds the page's language only.
UNTAGGABLE = frozenset({"<title>", "<link title>", "<a title>"})
CURATED_EN = frozenset(WORDS["en"])
CURATED_ZH = frozenset("".join(WORDS["zh"]) + convert.converter("s2twp")("".join(WORDS["zh"])))


def wrong_script(found: list[tuple[str, str, str]], untaggable: frozenset[str] | set[str] = UNTAGGABLE) -> list[str]:
    """Runs whose text is not in the language they are tagged with: a Latin word (other than
    a product name) in a Chinese run, a CJK character in an English one. In an untaggable
    place, curated words of the other language are allowed."""
    wrong = []
    for where, text, lang in found:
        if lang.startswith("zh"):
            words = {w for w in LATIN_WORD.findall(text) if w not in PROPER_NAMES}
            if words and not (where in untaggable and words <= CURATED_EN):
                wrong.append(f"{where} [{lang}] {sorted(words)} in {text!r}")
        elif lang == "en":
            han = set(CJK.findall(text))
            if han and not (where in untaggable and han <= CURATED_ZH):
                wrong.append(f"{where} [{lang}] {text!r}")
        else:
            wrong.append(f"{where} [no language] {text!r}")
    return wrong


@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_every_text_in_another_language_is_tagged_with_it(built: dict[str, Path], lang: str) -> None:
    out = built["mixed"]
    pages = sorted((out / lang).rglob("*.html"))
    # ..., a tag page, the paper index in its three orders, and the search page with digest[search]
    assert len(pages) == 1 + 2 + 4 + 2 + 1 + 3 + (search.indexer() is not None)
    found, tagged = set(), set()
    for page in pages:
        page_runs = runs(page, LANGUAGES[lang])
        found.update(f"{page.relative_to(out).parent}: {problem}" for problem in wrong_script(page_runs))
        tagged.update(where for where, _, run_lang in page_runs if run_lang != LANGUAGES[lang])
    assert sorted(found) == []
    # the fallbacks did run: headings, links, notes; on Chinese pages the footer's author
    # and a figure's alt text too
    assert {"<h1>", "<a>", "<p>"} | ({"<span>", "<img alt>"} if lang != "en" else set()) <= tagged


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_chinese_feeds_say_what_is_english(built: dict[str, Path], lang: str) -> None:
    """RSS cannot tag a run: its texts may hold a fallen-back name or title, and a summary in
    English only as the marked original TL;DR. Atom tags an entry's English title."""
    out = built["mixed"]
    mark = {"zh": "一句话总结（英文原文）：", "zh-Hant": "一句話總結（英文原文）："}[lang]
    found = []
    for path in feeds_of(out, lang):
        for where, text in feed_texts(path):
            words = {w for w in LATIN_WORD.findall(text) if w not in PROPER_NAMES}
            if "category/" in str(path) and where.endswith("item summary") and words:
                ok = text.startswith(mark)
            else:
                ok = words <= CURATED_EN
            if not ok:
                found.append(f"{path.relative_to(out)}: {where} {text!r}")
    assert found == []
    atom = feedparser.parse((out / lang / "atom.xml").read_bytes())
    assert [e.title_detail.language for e in atom.entries] == [LANGUAGES[lang], "en"]
    assert atom.entries[1].title == say("en", 3)


def test_english_feeds_tag_a_chinese_title(built: dict[str, Path]) -> None:
    out = built["mixed"]
    for path in feeds_of(out, "en"):
        for where, text in feed_texts(path):
            summary = "category/" in str(path) and where.endswith("item summary")
            assert not CJK.search(text) or (not summary and set(CJK.findall(text)) <= CURATED_ZH), (path, where, text)
    atom = feedparser.parse((out / "en" / "atom.xml").read_bytes())
    assert [(e.title, e.title_detail.language) for e in atom.entries] == [(say("zh", 3), "zh-Hans"),
                                                                          (say("en", 3), "en")]
