"""Traditional Chinese (zh-Hant), derived once from the zh texts with OpenCC, with curator overrides."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import feedparser
import pytest

from digest.content.project import load_project
from digest.core.errors import BuildError, ContentError
from digest.core.ids import parse_ref
from digest.core.models import CHINESE_TERMS, Category, Edition, Entry
from digest.pipeline import build
from digest.site import hant as convert

BASE = Path(__file__).parent / "cases" / "base"
LANGS = ("en", "zh", "zh-Hant")

#: Simplified term -> what the default profile (s2twp, Taiwan phrases) and the default
#: terms (CHINESE_TERMS: 质量 is 品質, quality, not 質量, mass) make of it.
TERMS = {
    "算法": "演算法", "软件": "軟體", "数据": "資料", "信息": "資訊", "网络": "網路",
    "优化": "最佳化", "程序": "程式", "内存": "記憶體", "默认": "預設", "质量": "品質",
}
DEFAULT_TERMS = tuple(sorted(CHINESE_TERMS.items()))
#: What a second conversion would wrongly make of a first one (OpenCC s2twp is not idempotent on all text).
DOUBLED = ("演演算法",)
#: A curator's own zh-Hant text, kept verbatim: the simplified 编 proves it was never converted.
OVERRIDE = "编者自译：這是覆寫的文字"


class Counting:
    """The real converter, counting what it is asked to convert."""

    def __init__(self, profile: str = "s2twp"):
        self.real = convert.converter(profile, DEFAULT_TERMS)
        self.seen: list[str] = []

    def __call__(self, text: str, markdown: bool = False) -> str:
        self.seen.append(text)
        return self.real(text, markdown=markdown)


@pytest.mark.parametrize("simplified, traditional", TERMS.items())
def test_each_term_converts_once(simplified: str, traditional: str) -> None:
    count = Counting()
    texts = convert.derive_texts({"en": "x", "zh": f"{simplified}很重要"}, LANGS, count)
    assert texts["zh-Hant"] == f"{traditional}很重要"
    assert count.seen == [f"{simplified}很重要"]  # the zh text, once
    again = convert.derive_texts(texts, LANGS, count)  # deriving again converts nothing
    assert again == texts and len(count.seen) == 1
    assert not any(d in texts["zh-Hant"] for d in DOUBLED)


def test_curator_override_wins_and_is_never_converted() -> None:
    count = Counting()
    texts = convert.derive_texts({"zh": "算法", "zh-Hant": OVERRIDE}, LANGS, count)
    assert texts["zh-Hant"] == OVERRIDE and count.seen == []


def test_nothing_derived_without_a_source_or_without_the_language() -> None:
    count = Counting()
    assert convert.derive_texts({"en": "Only English"}, LANGS, count) == {"en": "Only English"}
    assert convert.derive_texts({"zh": "算法"}, ("en", "zh"), count) == {"zh": "算法"}
    assert count.seen == []


def test_model_objects_are_derived_field_by_field() -> None:
    entry = Entry(paper=parse_ref("openreview:ryQu7f-RZ"), category="optimization",
                  note={"en": "Note", "zh": "软件与算法"}, title={"zh": "数据"})
    cat = Category(key="optimization", name={"en": "Optimization", "zh": "优化"})
    count = Counting()
    derived = convert.derive((entry, cat), LANGS, count)
    assert derived[0].note["zh-Hant"] == "軟體與演算法"
    assert derived[0].title["zh-Hant"] == "資料"
    assert derived[1].name["zh-Hant"] == "最佳化"
    assert sorted(count.seen) == sorted(["软件与算法", "数据", "优化"])


def test_profile_is_set_in_the_site_config() -> None:
    assert convert.converter("s2t")("软件") == "軟件"  # characters only, no Taiwan phrases
    assert convert.converter("s2twp")("软件") == "軟體"
    with pytest.raises(BuildError, match="chinese_conversion: unknown OpenCC profile 's2xx'"):
        convert.converter("s2xx")


def project(tmp_path: Path, profile: str = "") -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    site = root / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "languages: [en, zh, zh-Hant]\n"
                    + (f"chinese_conversion: {profile}\n" if profile else ""), encoding="utf-8")
    terms = "、".join(TERMS)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "week.yaml").write_text(
        "date: 2018-02-10\nconference: ICLR 2018\n"
        "title: {en: Week one, zh: 第一周的算法}\n"
        "entries:\n"
        "  - paper: 'openreview:ryQu7f-RZ'\n    category: optimization\n"
        f"    note: {{en: A note, zh: '术语：{terms}。'}}\n"
        "  - paper: 'openreview:SkhQHMW0W'\n    category: optimization\n"
        f"    note: {{en: Another, zh: 算法, zh-Hant: '{OVERRIDE}'}}\n",
        encoding="utf-8")
    return root


def text_of(path: Path) -> str:
    return re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))


def test_zh_hant_keys_are_accepted_and_never_missing(tmp_path: Path) -> None:
    loaded = load_project(project(tmp_path))
    assert not [p for p in loaded.warnings if "zh-Hant" in str(p)]
    assert loaded.editions[0].entries[1].note["zh-Hant"] == OVERRIDE


def test_the_site_builds_a_third_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(project(tmp_path), out)
    page = out / "zh-Hant" / "week" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert '<html lang="zh-Hant"' in html
    shown = text_of(page)
    for traditional in TERMS.values():
        assert traditional in shown
    assert not any(d in shown for d in DOUBLED)
    assert OVERRIDE in shown  # the curator's own words, verbatim
    assert "第一週的演算法" in shown and "第一周的算法" in text_of(out / "zh" / "week" / "index.html")
    assert "2018年2月10日" in shown
    # every language links to the other two, page by page
    for lang in LANGS:
        own = (out / lang / "week" / "index.html").read_text(encoding="utf-8")
        links = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', own))
        assert links["zh-Hant"] == "https://digest.test/zh-Hant/week/"
        assert links["zh-Hans"] == "https://digest.test/zh/week/"
        assert links["en"] == "https://digest.test/en/week/"
    assert "https://digest.test/zh-Hant/week/" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_zh_hant_feeds_validate_with_their_language(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(project(tmp_path), out)
    rss = feedparser.parse((out / "zh-Hant" / "feed.xml").read_bytes())
    atom = feedparser.parse((out / "zh-Hant" / "atom.xml").read_bytes())
    for feed in (rss, atom):
        assert not feed.bozo, feed.get("bozo_exception")
        assert feed.feed.language == "zh-Hant"
        assert feed.entries[0].title == "第一週的演算法"
    jsonfeed = json.loads((out / "zh-Hant" / "feed.json").read_text(encoding="utf-8"))
    assert jsonfeed["language"] == "zh-Hant"
    assert jsonfeed["items"][0]["title"] == "第一週的演算法"
    assert jsonfeed["feed_url"].endswith("/zh-Hant/feed.json")


def test_a_wrong_profile_is_reported_where_it_is_written(tmp_path: Path) -> None:
    with pytest.raises(ContentError) as caught:
        build(project(tmp_path, profile="s2twx"), tmp_path / "out")
    assert [str(p) for p in caught.value.problems] == [
        "content/site.yaml:6:21: error: chinese_conversion: unknown value 's2twx' (did you mean 's2tw'?)"]
    assert not (tmp_path / "out").exists()
    with pytest.raises(BuildError, match="unknown OpenCC profile 'big5'"):
        convert.converter("big5")  # called on its own, the converter says so too


def test_profile_changes_the_phrases(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(project(tmp_path, profile="s2t"), out)
    shown = text_of(out / "zh-Hant" / "week" / "index.html")
    assert "算法" in shown and "演算法" not in shown and "軟件" in shown


def test_edition_objects_unchanged_without_a_derived_language() -> None:
    edition = Edition(date=date(2018, 1, 1), conference="ICLR", title={"zh": "算法"}, entries=())
    site = load_project(BASE).site
    assert convert.for_site(site, edition) is edition


# ----------------------------------------------------------------- what conversion leaves alone


def test_markdown_keeps_code_link_targets_and_tags_as_written() -> None:
    md = ("见[百度百科](https://baike.baidu.com/item/算法)与 `data/数据集.csv`，"
          "或 <https://example.org/数据> 和 https://example.org/a?b=1。\n\n"
          "```python\n数据 = load()  # 算法\n```\n\n"
          "[参考]: https://example.org/软件\n")
    out = convert.converter("s2twp")(md, markdown=True)
    assert out == ("見[百度百科](https://baike.baidu.com/item/算法)與 `data/数据集.csv`，"
                   "或 <https://example.org/数据> 和 https://example.org/a?b=1。\n\n"
                   "```python\n数据 = load()  # 算法\n```\n\n"
                   "[參考]: https://example.org/软件\n")


def test_plain_text_keeps_urls_but_converts_backticks() -> None:
    # plain text is not Markdown: only bare URLs are kept
    out = convert.converter("s2twp")("算法见 https://example.org/x 与`数据`")
    assert out == "演算法見 https://example.org/x 與`資料`"


def test_an_unclosed_backtick_does_not_hide_the_rest_of_the_text() -> None:
    out = convert.converter("s2twp")("一个`反引号\n\n之后的算法`", markdown=True)
    assert out == "一個`反引號\n\n之後的演算法`"


# ----------------------------------------------------------------- the site's terms


def test_site_terms_win_over_opencc_phrases() -> None:
    plain = convert.converter("s2twp")
    assert plain("超参数与损失函数的质量") == "超引數與損失函式的質量"  # what OpenCC alone gives
    ours = convert.converter("s2twp", DEFAULT_TERMS)
    assert ours("超参数与损失函数的质量") == "超參數與損失函數的品質"
    assert ours("图中标明了激活值") == "圖中標明了激活值"
    assert ours("明了") == "明瞭"  # the word itself keeps its Traditional form


def test_the_longest_term_wins_and_terms_are_not_converted_again() -> None:
    conv = convert.converter("s2twp", (("数据", "數據"), ("数据集", "資料集")))
    assert conv("数据集和数据") == "資料集和數據"
    # a term's Traditional form is final: OpenCC never sees it
    assert convert.converter("s2twp", (("算法", "算法"),))("算法") == "算法"


def test_terms_come_from_the_site_config(tmp_path: Path) -> None:
    root = project(tmp_path)
    site = root / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "chinese_terms:\n  算法: 算則\n", encoding="utf-8")
    out = tmp_path / "out"
    build(root, out)
    shown = text_of(out / "zh-Hant" / "week" / "index.html")
    assert "算則" in shown and "演算法" not in shown
    assert "質量" in shown  # setting the field replaced the default list


@pytest.mark.parametrize(("written", "message"), [
    ("chinese_terms: [参数]", "chinese_terms: expected a mapping of terms, found a list "
                              "(write one 'Simplified: Traditional' pair per line, such as 参数: 參數)"),
    ("chinese_terms: {参数: }", "chinese_terms.参数: has no Traditional form (write it after the colon, such as 参数: …)"),
    ("chinese_terms: {参数: 參數, 参数: 参数}", "chinese_terms.参数: duplicate term '参数' (first written on line 6)"),
])
def test_wrong_terms_are_reported(tmp_path: Path, written: str, message: str) -> None:
    root = project(tmp_path)
    site = root / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + written + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(root)
    assert any(message in str(p) for p in caught.value.problems), [str(p) for p in caught.value.problems]


# ----------------------------------------------------------------- quotation marks


def test_taiwan_and_hong_kong_quote_with_corner_brackets() -> None:
    text = "所谓“盈亏平衡点”，即‘收支相抵’的点；英文 don’t 与 ‘quoted’ 另说"
    assert convert.converter("s2twp")(text) == "所謂「盈虧平衡點」，即『收支相抵』的點；英文 don’t 與 『quoted』 另說"
    assert "「盈虧平衡點」" in convert.converter("s2hk")(text)
    assert "“盈亏平衡点”".translate(str.maketrans("亏点", "虧點")) in convert.converter("s2t")(text)


def test_quotes_inside_code_stay() -> None:
    assert convert.converter("s2twp")("用 `print(“x”)` 输出“x”", markdown=True) == "用 `print(“x”)` 輸出「x」"
