"""UI translations and Babel formats: the catalogs match the templates, and nothing is left in English."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import hanzidentifier
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from digest import i18n
from digest.models import DECISIONS
from digest.render import DECISION_LABELS

REPO = Path(__file__).resolve().parent.parent
METHODS = [("digest/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"trim_blocks": "True", "lstrip_blocks": "True"}}
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
    assert "[python: digest/**.py]" in text and "[jinja2: templates/**.html]" in text


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
PROPER_NAMES = frozenset({"RSS", "Atom", "OPML", "PDF", "DOI", "arXiv", "OpenReview", "Semantic", "Scholar"})


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_chinese_catalogs_hold_no_english_words(locale: str) -> None:
    """Every string, including those a small test site never shows (a Workshop badge, say)."""
    english = []
    for message in catalog(locale):
        if not message.id:
            continue  # the header
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            words = re.findall(r"[A-Za-z][A-Za-z’']*", re.sub(r"%\(\w+\)s", "", text))
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


def test_every_decision_has_a_badge_label() -> None:
    assert set(DECISION_LABELS) == set(DECISIONS)


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
