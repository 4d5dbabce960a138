"""UI translations and Babel formats: the catalogs match the templates, and nothing is left in English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import hanzidentifier
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from digest.core.models import DECISIONS
from digest.site import i18n

REPO = Path(__file__).resolve().parent.parent
METHODS = [("digest/**.py", "python"), ("digest/templates/**.html", "jinja2")]
OPTIONS = {"digest/templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extracted() -> set[str]:
    """Every UI string marked in the code and templates (what `pybabel extract -F babel.cfg` finds)."""
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(REPO), METHODS, OPTIONS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def catalog(locale: str):
    with (REPO / "digest/locales" / locale / "LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh, locale=locale)


def test_babel_cfg_names_the_same_sources() -> None:
    text = (REPO / "babel.cfg").read_text()
    assert "[python: digest/**.py]" in text and "[jinja2: digest/templates/**.html]" in text


def test_every_ui_string_is_in_both_catalogs_and_translated_into_chinese() -> None:
    wanted = extracted()
    assert {"Abstract", "Curator’s note", "%(num)s paper", "Oral", "%(names)s et al."} <= wanted
    for locale in ("en", "zh_Hans", "zh_Hant"):
        ids = {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog(locale) if m.id}
        assert wanted - ids == set(), f"{locale}: missing (run pybabel update, see digest/i18n.py)"
        assert ids - wanted == set(), f"{locale}: stale entries"
    untranslated = [(locale, m.id) for locale in ("zh_Hans", "zh_Hant") for m in catalog(locale) if m.id and not all(
        m.string if isinstance(m.string, tuple) else (m.string,))]
    assert untranslated == []
    # pybabel update's guesses are flagged fuzzy, and gettext does not use a fuzzy translation
    assert [(locale, m.id) for locale in ("en", "zh_Hans", "zh_Hant") for m in catalog(locale) if m.id and m.fuzzy] == []


@pytest.mark.parametrize(("locale", "script_ok"), [("zh_Hans", hanzidentifier.is_simplified),
                                                   ("zh_Hant", hanzidentifier.is_traditional)])
def test_each_chinese_catalog_is_written_in_its_own_script(locale: str, script_ok) -> None:
    """A Simplified character in the Traditional catalog (or the reverse) is a slip a reader sees at once."""
    wrong = []
    for message in catalog(locale):
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            if message.id and hanzidentifier.has_chinese(text) and not script_ok(text):
                wrong.append((message.id, text))
    assert wrong == []


#: Latin words a Chinese catalog may hold: names with no Chinese form in use (as in test_ui_language).
PROPER_NAMES = frozenset({"RSS", "Atom", "JSON", "Feed", "OPML", "PDF", "DOI", "arXiv", "OpenReview", "Semantic", "Scholar"})


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_hold_no_english_words(locale: str) -> None:
    """Every string, including those a small test site never shows (a Workshop badge, say)."""
    english = []
    for message in catalog(locale):
        if not message.id:
            continue  # the header
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            words = re.findall(r"[A-Za-z][A-Za-z’']*", re.sub(r"%\(\w+\)s|\{\w+\}", "", text))
            english += [(message.id, word) for word in words if word not in PROPER_NAMES]
    assert english == []


def test_translations_are_compiled_in_memory() -> None:
    zh = i18n.translations("zh")
    assert zh.gettext("Abstract") == "摘要"
    assert zh.ngettext("%(num)s paper", "%(num)s papers", 3) == "%(num)s 篇论文"
    en = i18n.translations("en")
    assert en.gettext("Abstract") == "Abstract"
    assert en.ngettext("%(num)s paper", "%(num)s papers", 1) == "%(num)s paper"
    assert en.ngettext("%(num)s paper", "%(num)s papers", 2) == "%(num)s papers"
    assert not list((REPO / "digest/locales").rglob("*.mo"))


def test_every_decision_badge_is_translated() -> None:
    for lang in ("zh", "zh-Hant"):
        catalog = i18n.translations(lang)
        untranslated = [label for label in DECISIONS.values() if catalog.gettext(label) == label]
        assert not untranslated, (lang, untranslated)


def test_dates_numbers_and_lists_per_language() -> None:
    assert i18n.format_date(date(2018, 1, 5), "zh") == "2018年1月5日"
    assert i18n.format_date(date(2018, 1, 5), "en") == "January 5, 2018"
    assert i18n.format_number(2594, "en") == "2,594"
    assert i18n.format_mean((8, 8, 1), "en") == "5.7"
    assert i18n.format_mean((), "en") == ""
    assert i18n.format_list(["A", "B", "C"], "en") == "A, B, and C"
    assert i18n.format_list(["A", "B", "C"], "zh") == "A、B 和 C"
    assert i18n.format_list(["优化", "生成"], "zh") == "优化和生成"
    assert i18n.format_list(["A", "B"], "zh-Hant") == "A 和 B"


def test_space_between_han_and_latin() -> None:
    assert i18n.space_cjk_latin("Bo Li和Cy Wu") == "Bo Li 和 Cy Wu"
    assert i18n.space_cjk_latin("第3篇、A") == "第 3 篇、A"
    assert i18n.space_cjk_latin("优化和生成") == "优化和生成"


def test_authors_are_shortened_past_a_few() -> None:
    four = ["A", "B", "C", "D"]
    assert i18n.format_authors(four, "en") == "A, B, C, and D"
    assert i18n.format_authors(["A", "B"], "en") == "A and B"
    assert i18n.format_authors(four, "zh") == "A、B、C 和 D"
    assert i18n.format_authors(four, "zh-Hant") == "A、B、C 和 D"
    assert i18n.format_authors([*four, "E"], "en") == "A, B, C et al."
    assert i18n.format_authors([*four, "E"], "zh") == "A、B、C 等"
    assert i18n.format_authors([], "zh") == ""


@pytest.mark.parametrize("lang", ["zh", "zh-Hant"])
def test_et_al_is_spaced_only_after_a_latin_name(lang: str) -> None:
    """The catalog writes 等 straight after the names; the space comes from the seam rule."""
    assert i18n.format_authors(["张三", "李四", "王五", "赵六", "钱七"], lang) == "张三、李四、王五等"
    assert i18n.format_authors(list("ABCDE"), lang) == "A、B、C 等"
    assert i18n.author_parts(list("ABCDE"), lang)[-1] == (" 等", False)
    assert i18n.translations(lang).gettext("%(names)s et al.") == "%(names)s等"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_no_chinese_catalog_string_spaces_a_placeholder_itself(locale: str) -> None:
    """A space beside a name or a title put in is right for Latin letters only: the code adds
    it where it belongs. Numbers (always digits) keep theirs."""
    spaced = [(m.id, name) for m in catalog(locale) if m.id
              for text in (m.string if isinstance(m.string, tuple) else (m.string,))
              for name in re.findall(r" %\((\w+)\)s|%\((\w+)\)s (?=[\u3400-\u9fff])", text)]
    assert [(mid, a or b) for mid, (a, b) in spaced if (a or b) not in ("num", "mean", "tied", "top", "above")] == []


def test_lists_in_pieces_for_markup() -> None:
    assert i18n.list_parts(["优化", "压缩", "Other"], "zh") == [
        ("优化", True), ("、", False), ("压缩", True), ("和 ", False), ("Other", True)]
    assert i18n.list_parts(["A", "B", "C"], "en") == [("A", True), (", ", False), ("B", True), (", and ", False),
                                                      ("C", True)]
    assert i18n.list_parts(["Only"], "zh") == [("Only", True)]
    assert i18n.list_parts([], "en") == []


@pytest.mark.parametrize(("author", "expected"), [
    ("Jane Doe", [("由 ", ""), ("Jane Doe", "author"), (" 发布。订阅：", ""), ("RSS", "feeds")]),
    ("本站编辑部", [("由", ""), ("本站编辑部", "author"), ("发布。订阅：", ""), ("RSS", "feeds")])])
def test_a_sentence_in_pieces_is_spaced_at_its_seams(author: str, expected: list) -> None:
    message = i18n.gettext_for("zh", "Published by %(author)s. Subscribe: %(feeds)s")
    parts = i18n.message_parts(message, {"author": author, "feeds": "RSS"})
    assert parts == expected
    assert i18n.message_parts("%(a)s和%(b)s", {"a": "A", "b": "乙"}) == [("A", "a"), (" 和", ""), ("乙", "b")]


def test_shortening_keeps_whole_sentences_or_words() -> None:
    english = "Adam fails on a simple convex problem. The fix keeps a long-term memory of past gradients, and more."
    assert i18n.shorten(english, 200) == english
    assert i18n.shorten(english, 60) == "Adam fails on a simple convex problem. …"
    assert i18n.shorten(english, 30) == "Adam fails on a simple convex…"
    assert i18n.shorten("  many\n\n spaces  ", 20) == "many spaces"
    chinese = "作者构造了一个简单的凸优化问题。证明 Adam 在上面无法收敛，问题出在指数滑动平均。"
    assert i18n.text_width("凸优化") == 6 and i18n.text_width("Adam") == 4
    assert i18n.shorten(chinese, 50) == "作者构造了一个简单的凸优化问题。…"
    assert i18n.shorten(chinese, 20) == "作者构造了一个简单…"
    # never inside a Latin word, and no comma left before the ellipsis
    assert i18n.shorten("问题出在 Adam 的指数滑动平均上，还有别的", 12) == "问题出在…"
    assert i18n.shorten("这是，一个长句子而且没有句号", 8) == "这是…"
    assert i18n.shorten("Supercalifragilistic", 10) == "Supercali…"  # one word: cut where it must
    for width in range(5, 80):
        assert i18n.text_width(i18n.shorten(chinese + english, width)) <= width


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
@pytest.mark.parametrize("names", [["Bo Li"], ["Bo Li", "Cy Wu"], ["张三", "Bo Li", "李四"], list("ABCD"), list("ABCDEFG")])
def test_author_pieces_join_to_the_plain_list(lang: str, names: list[str]) -> None:
    parts = i18n.author_parts(names, lang)
    assert "".join(text for text, _ in parts) == i18n.format_authors(names, lang)
    shown = [text for text, is_name in parts if is_name]
    assert shown == names[: len(shown)] and len(shown) in (len(names), i18n.AUTHORS_SHOWN)
    assert all(not is_name for text, is_name in parts if text not in names)


def test_language_names() -> None:
    assert i18n.language_name("zh", ("en", "zh")) == "中文"
    assert i18n.language_name("en", ("en", "zh")) == "English"
    both = ("en", "zh", "zh-Hant")
    assert i18n.language_name("zh", both) == "简体中文"
    assert i18n.language_name("zh-Hant", both) == "繁體中文"
    # a text is 英文原文, not CLDR's spoken 英语, in either Chinese
    assert i18n.language_in("en", "zh") == "英文"
    assert i18n.language_in("en", "zh-Hant") == "英文"
    assert i18n.language_in("zh", "en") == "Simplified Chinese"
