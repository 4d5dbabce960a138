"""Everything language-specific: Babel formatting and the UI translations.

Babel is used here and nowhere else. A site language code (``en``, ``zh``) maps to a Babel
locale (:data:`LOCALES`: ``zh-Hant`` uses ``zh_Hant``); dates, numbers and lists are formatted by that locale's CLDR
rules, so a Chinese page says ``2018年1月5日`` and an English one ``January 5, 2018``.

UI strings live in gettext catalogs kept as text in the repository,
``digest/locales/<locale>/LC_MESSAGES/messages.po``. They are read with Babel and compiled
in memory at build time (no ``.mo`` files are committed). To refresh them after changing a
template (see ``babel.cfg``)::

    pybabel extract -F babel.cfg -k N_ --no-location --sort-output -o digest/locales/messages.pot .
    pybabel update -i digest/locales/messages.pot -d digest/locales --no-wrap --ignore-obsolete

then fill in the new ``msgstr`` lines of ``zh_Hans`` and ``zh_Hant`` (``en`` can stay empty:
an empty translation falls back to the English source text). ``pybabel extract`` writes a
generic header: keep the committed one of ``messages.pot``.
"""

from __future__ import annotations

import gettext
from collections.abc import Sequence
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.lists import format_list as _babel_list
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal as _babel_decimal
from babel.support import Translations

from digest.errors import BuildError

#: Site language code -> Babel/gettext locale of its catalog and formats.
LOCALES: dict[str, str] = {"en": "en", "zh": "zh_Hans", "zh-Hant": "zh_Hant"}
LOCALE_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
#: How many authors are named before the list is cut short with "et al.".
AUTHORS_SHOWN = 3


def N_(message: str) -> str:
    """Mark a string for extraction without translating it here (translated where shown)."""
    return message


def locale_of(lang: str) -> str:
    """The Babel locale name for a site language code."""
    try:
        return LOCALES[lang]
    except KeyError:
        raise BuildError(f"no locale for language '{lang}' (known: {', '.join(sorted(LOCALES))})") from None


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(locale_of(lang))


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The UI catalog of a language, read from its .po file and compiled in memory."""
    path = LOCALE_DIR / locale_of(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=locale_of(lang), domain=DOMAIN)
    except FileNotFoundError:
        raise BuildError(f"{path.name}: no translation catalog for '{lang}' (expected {path})") from None
    except (OSError, ValueError) as exc:
        raise BuildError(f"{path}: cannot read the translation catalog ({exc})") from None
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)


def gettext_for(lang: str, message: str) -> str:
    return translations(lang).gettext(message)


def ngettext_for(lang: str, singular: str, plural: str, n: int) -> str:
    return translations(lang).ngettext(singular, plural, n)


def format_date(value: date, lang: str, style: str = "long") -> str:
    """A calendar date in the language's own style (``long``, ``medium`` or ``short``)."""
    return _babel_date(value, format=style, locale=_locale(lang))


def format_number(value: int | float, lang: str) -> str:
    """An integer or decimal with the language's grouping and decimal signs."""
    return _babel_decimal(value, locale=_locale(lang))


def format_mean(values: Sequence[int | float], lang: str) -> str:
    """The mean of ``values`` with one decimal (``5.7``); empty input gives ``""``."""
    if not values:
        return ""
    mean = sum(values) / len(values)
    return _babel_decimal(mean, format="0.0", locale=_locale(lang))


def format_list(items: Sequence[str], lang: str) -> str:
    """``a, b, and c`` in English, ``a、b和c`` in Chinese."""
    return _babel_list(list(items), locale=_locale(lang)) if items else ""


def format_authors(names: Sequence[str], lang: str, shown: int = AUTHORS_SHOWN) -> str:
    """Author names joined by the language's separator (``, `` or ``、``), cut to the first
    ``shown`` plus "et al." (``等``) past ``shown + 1``: four authors are all named (cutting
    one saves nothing); five become three and "et al.".
    """
    names = [n for n in names if n]
    _ = translations(lang).gettext
    separator = _(", ")
    if len(names) <= shown + 1:
        return separator.join(names)
    return _("%(names)s et al.") % {"names": separator.join(names[:shown])}


def language_name(lang: str, languages: Sequence[str] = ()) -> str:
    """The language's name in itself, for the language switcher (``English``, ``中文``).

    When another of ``languages`` shares the base language (Simplified and Traditional
    Chinese), the script is named too: ``中文 (简体)``.
    """
    loc = _locale(lang)
    same_base = [other for other in languages if other != lang and _locale(other).language == loc.language]
    name = (loc.display_name if same_base else loc.language_name) or lang
    return name[:1].upper() + name[1:]


def language_in(lang: str, page_lang: str) -> str:
    """The name of ``lang`` written in ``page_lang`` (``Chinese`` on English pages, ``英语`` on Chinese ones)."""
    target = _locale(lang)
    names = _locale(page_lang).languages
    name = names.get(str(target), "") or names.get(target.language, "") or lang
    return name
