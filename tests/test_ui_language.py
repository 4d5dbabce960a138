"""Every piece of UI text is in the page's language: no English on Chinese pages, no CJK on English ones.

Curated and fetched content may be in any language, so to see the UI alone the site is built
from synthetic content written in the script under test: all Chinese (curated and fetched)
to check the Chinese pages, all Latin to check the English ones. Whatever English then shows
on a Chinese page (or CJK on an English page) came from the templates or the code.

Every text node is walked, and the attributes a reader sees or hears (``title``, ``alt``,
``aria-label``), except inside an element marked with a ``lang`` other than the page's (the
language switcher names each language in itself: that is a run of another language).

Allowed on Chinese pages (:data:`PROPER_NAMES`): product and format names that have no
Chinese form in use (RSS, Atom, OPML, PDF, DOI, arXiv, OpenReview, Semantic Scholar).
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.build import build
from digest.models import LANGUAGES

BASE = Path(__file__).parent / "cases" / "base"
PROPER_NAMES = frozenset({"RSS", "Atom", "OPML", "PDF", "DOI", "arXiv", "OpenReview", "Semantic", "Scholar"})
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


class Texts(HTMLParser):
    """The UI text of a page: text nodes and visible attributes not inside a foreign-language run."""

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.page_lang = page_lang
        self.stack: list[tuple[str, bool]] = []  # (tag, foreign)
        self.found: list[tuple[str, str]] = []  # (where, text)

    def foreign(self) -> bool:
        return any(f for _, f in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        foreign = "lang" in values and values["lang"] != self.page_lang and tag != "html"
        if not (foreign or self.foreign()):
            for name in VISIBLE_ATTRIBUTES:
                if values.get(name):
                    self.found.append((f"<{tag} {name}>", values[name]))
        if tag not in VOID:
            self.stack.append((tag, foreign))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not self.foreign():
            self.found.append((f"<{self.stack[-1][0] if self.stack else ''}>", data.strip()))


def ui_texts(path: Path, page_lang: str) -> list[tuple[str, str]]:
    parser = Texts(page_lang)
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = {}
    for script in ("zh", "en"):
        tmp = tmp_path_factory.mktemp(f"ui-{script}")
        build(synthetic(tmp, script), tmp / "out")
        out[script] = tmp / "out"
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
