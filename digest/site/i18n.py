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
import re
import unicodedata
from collections.abc import Mapping, Sequence
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
from babel.numbers import format_percent as _babel_percent
from babel.support import Translations

from digest.core.errors import BuildError
from digest.core.languages import LANGUAGES
from digest.core.text import HAN, N_

#: Site language code -> Babel/gettext locale of its catalog and formats (the BCP 47 tag, with ``_``).
LOCALES: dict[str, str] = {code: tag.replace("-", "_") for code, tag in LANGUAGES.items()}
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
#: How many authors are named before the list is cut short with "et al.".
AUTHORS_SHOWN = 3


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


def format_percent(value: float, lang: str) -> str:
    """A share (0.287) as a percentage with one decimal, as the language writes it (``28.7%``)."""
    return _babel_percent(value, format="#,##0.0%", locale=_locale(lang))


def format_decimal(value: float, lang: str, digits: int = 2) -> str:
    """A number with ``digits`` decimals (``5.36``), as the language writes it."""
    return _babel_decimal(value, format="#,##0." + "0" * digits if digits else "#,##0", locale=_locale(lang))


def format_mean(values: Sequence[int | float], lang: str) -> str:
    """The mean of ``values`` with one decimal (``5.7``); empty input gives ``""``."""
    if not values:
        return ""
    mean = sum(values) / len(values)
    return _babel_decimal(mean, format="0.0", locale=_locale(lang))


#: The heading of a ranking's entries after its cut (Edition.top).
BELOW_CUT = N_("Below the cut")
#: What a ranking by mean rating prints when entries with the same mean fall on both sides of
#: its cut (see :attr:`digest.site.merge.Article.tie`).
TIE_RULE = N_("Tie at the cut: %(tied)s papers share a mean rating of %(mean)s, and the top %(top)s has "
              "room for %(above)s of them. Ties are broken by the curator’s order: of papers with the "
              "same mean rating, the one written first in the edition ranks higher.")


def tie_rule(tied: int, ratings: Sequence[int], top: int, above: int, lang: str) -> str:
    """:data:`TIE_RULE` in ``lang``: ``tied`` entries share the mean of ``ratings``, ``above``
    of them are among the ``top`` numbered."""
    return gettext_for(lang, TIE_RULE) % {"tied": format_number(tied, lang), "mean": format_mean(ratings, lang),
                                          "top": format_number(top, lang), "above": format_number(above, lang)}


def format_list(items: Sequence[str], lang: str) -> str:
    """``a, b, and c`` in English, ``a、b 和 c`` in Chinese (CLDR's pattern, then a space
    between a Han character and a Latin letter or digit, see :func:`space_cjk_latin`)."""
    return "".join(text for text, _ in list_parts(items, lang))


#: A Han character next to a Latin letter or digit, in either order.
_HAN_THEN_LATIN = re.compile(rf"({HAN})([A-Za-z0-9\u00c0-\u024f])")
_LATIN_THEN_HAN = re.compile(rf"([A-Za-z0-9\u00c0-\u024f])({HAN})")


def space_cjk_latin(text: str) -> str:
    """``Bo Li和Cy Wu`` -> ``Bo Li 和 Cy Wu``: the space Chinese typesetting puts between Han
    characters and Latin letters or digits, for strings digest puts together itself."""
    return _LATIN_THEN_HAN.sub(r"\1 \2", _HAN_THEN_LATIN.sub(r"\1 \2", text))


def format_authors(names: Sequence[str], lang: str, shown: int = AUTHORS_SHOWN) -> str:
    """Author names as the language joins a list (``A, B, and C``; ``A、B 和 C``), cut to
    the first ``shown`` plus "et al." (``等``) past ``shown + 1``: four authors are all
    named (cutting one saves nothing); five become three and "et al.".
    """
    return "".join(text for text, _ in author_parts(names, lang, shown))


_SLOT = "\x00"


def _slots(n: int) -> list[str]:
    """Stand-ins for ``n`` values in a string still to be split by :func:`_pieces`."""
    return [f"{_SLOT}{i}{_SLOT}" for i in range(n)]


def author_parts(names: Sequence[str], lang: str, shown: int = AUTHORS_SHOWN) -> list[tuple[str, bool]]:
    """:func:`format_authors` in pieces: ``(text, True)`` for a name, ``(text, False)`` for
    the words and signs between them, so a page can tag each name with its own language.
    Joined, the pieces are exactly :func:`format_authors`'s text."""
    names = [n for n in names if n]
    if not names:
        return []
    slots = _slots(len(names))
    if len(names) <= shown + 1:
        joined = _babel_list(slots, locale=_locale(lang))
    else:
        separator = _locale(lang).list_patterns["standard"]["middle"].replace("{0}", "").replace("{1}", "")
        _ = translations(lang).gettext
        joined = _("%(names)s et al.") % {"names": separator.join(slots[:shown])}
    return _pieces(joined, names)


def list_parts(items: Sequence[str], lang: str) -> list[tuple[str, bool]]:
    """:func:`format_list` in pieces, as :func:`author_parts` gives them: ``(text, True)``
    for an item, ``(text, False)`` for the words and signs between items (with the space
    between Han and Latin at each seam), so a page can put markup around each item."""
    items = list(items)
    if not items:
        return []
    return _pieces(_babel_list(_slots(len(items)), locale=_locale(lang)), items)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def message_parts(message: str, values: Mapping[str, str]) -> list[tuple[str, str]]:
    """A translated ``message`` with ``values`` (plain text) put in, in pieces: ``(text, "")``
    for the message's own words, ``(value, key)`` for each value, with the space between Han
    and Latin at each seam (``由%(author)s发布`` with a Latin name: ``由 Jo 发布``), so a page
    can put markup around a value (its language, a link) and keep the spacing right."""
    keys = _PLACEHOLDER.findall(message)
    slots = iter(_slots(len(keys)))
    joined = _PLACEHOLDER.sub(lambda m: next(slots), message)
    found = iter(keys)
    return [(text, next(found) if is_value else "") for text, is_value in _pieces(joined, [values[k] for k in keys])]


def _pieces(joined: str, names: Sequence[str]) -> list[tuple[str, bool]]:
    """``joined`` (with slots standing for ``names``) split into (text, is a name) pieces."""
    parts: list[tuple[str, bool]] = []
    for i, piece in enumerate(joined.split(_SLOT)):
        if i % 2:
            parts.append((names[int(piece)], True))
        elif piece:
            parts.append((piece, False))
    # the space between Han and Latin that space_cjk_latin gives a whole string, at each seam
    for i in range(len(parts) - 1):
        (left, left_name), (right, right_name) = parts[i], parts[i + 1]
        if not (left and right):
            continue
        seam = space_cjk_latin(left[-1] + right[0])
        if len(seam) == 3:
            if left_name:
                parts[i + 1] = (" " + right, right_name)
            else:
                parts[i] = (left + " ", left_name)
    return [(space_cjk_latin(text), is_name) for text, is_name in parts]


#: Sentence ends: Chinese full stops and marks anywhere, Latin ones before a space.
_SENTENCE_END = re.compile(r"[。！？]+[”」』）]*|[.!?]+[\"')\]]*(?=\s)")
#: Signs a shortened text should not end on before its ellipsis.
_TRAILING = " ,;:、，；：（(“‘「『-—"
#: A Latin letter or digit: a text is never cut between two of them (inside a word).
_WORDISH = re.compile(r"[A-Za-z0-9\u00c0-\u024f_'’]")
ELLIPSIS = "…"


def text_width(text: str) -> int:
    """How wide ``text`` shows: a wide (CJK) character counts two, any other one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, width: int) -> str:
    """``text`` as one line of at most ``width`` columns (:func:`text_width`), white space runs
    made one space. A longer text is cut after its last whole sentence that fits, when that
    keeps at least half of the width, else at the last word boundary (a space, or beside a
    Chinese character, never inside a Latin word), and ends with an ellipsis ``…``."""
    text = " ".join(text.split())
    # one pass over no more of the text than fits: ``upto[i]`` is the width of text[:i]
    room, upto, cut, total = width - text_width(ELLIPSIS), [0], None, 0
    for i, ch in enumerate(text):
        total += 2 if unicodedata.east_asian_width(ch) in "WF" else 1  # text_width(ch), inlined
        upto.append(total)
        if cut is None and total > room:
            cut = i
        if total > width:
            break
    else:
        return text  # it all fits
    head = text[:cut]
    # a sentence end at or before the cut (its look-ahead sees the character at the cut)
    sentences = [m.end() for m in _SENTENCE_END.finditer(text, 0, cut + 1) if m.end() <= cut]
    if sentences and upto[sentences[-1]] * 2 >= width:
        kept = head[:sentences[-1]]
        return kept + (ELLIPSIS if text_width(kept[-1]) == 2 else " " + ELLIPSIS)
    end = cut
    while end > 0 and _WORDISH.match(text[end - 1]) and _WORDISH.match(text[end]):
        end -= 1
    kept = head[:end].rstrip(_TRAILING) if end else head.rstrip(_TRAILING)
    return (kept or head) + ELLIPSIS


def language_name(lang: str, languages: Sequence[str] = ()) -> str:
    """The language's name in itself, for the language switcher (``English``, ``中文``).

    When another of ``languages`` shares the base language (Simplified and Traditional
    Chinese), the name that tells them apart is CLDR's own for the locale, in the locale:
    ``简体中文``, ``繁體中文`` (rather than the generic ``中文 (简体)``, whose ASCII
    parentheses read wrong in Chinese).
    """
    loc = _locale(lang)
    same_base = [other for other in languages if other != lang and _locale(other).language == loc.language]
    name = ""
    if same_base:
        name = loc.languages.get(str(loc), "") or loc.display_name or ""
    name = name or loc.language_name or lang
    return name[:1].upper() + name[1:]


#: Where CLDR's name of a language is its spoken name and writing calls it otherwise:
#: a text is 英文原文 in Simplified Chinese (CLDR: 英语), as it is in Traditional (英文).
WRITTEN_NAMES = {("en", "zh"): "英文"}


def language_in(lang: str, page_lang: str) -> str:
    """The name of ``lang``, as a language texts are written in, written in ``page_lang``
    (``Chinese`` on English pages, ``英文`` on Chinese ones)."""
    written = WRITTEN_NAMES.get((lang, page_lang))
    if written:
        return written
    target = _locale(lang)
    names = _locale(page_lang).languages
    return names.get(str(target), "") or names.get(target.language, "") or lang
