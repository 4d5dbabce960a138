"""Traditional Chinese derived from the Simplified content with OpenCC.

OpenCC is used here and nowhere else. A derived language (:data:`digest.core.languages.DERIVED`)
such as ``zh-Hant`` has no text of its own in the curated files: every localized field
gets it by converting the field's ``zh`` text with the OpenCC profile set in
``site.yaml`` (``chinese_conversion``, Taiwan phrases by default). A curator who writes a
``zh-Hant`` key in a field overrides the conversion for that field.

Conversion happens once, on the Simplified source, when the project is loaded for a build
(:func:`for_site`, from :func:`digest.pipeline.render_into`); text that is already derived or written by the curator is never
converted again, so 算法 becomes 演算法 and never 演演算法.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

import opencc

from digest.core.errors import BuildError
from digest.core.languages import DERIVED
from digest.core.models import CHINESE_CONVERSIONS, Localized

T = TypeVar("T")

#: Profiles whose regional standard (Taiwan, Hong Kong) quotes with corner brackets.
CORNER_QUOTES = frozenset({"s2tw", "s2twp", "s2hk"})

#: Parts of Markdown that are not prose and are never converted: fenced code, code spans,
#: link destinations (inline, and after a reference label, which is converted like the
#: references to it), HTML tags and autolinks, bare URLs.
_MARKDOWN_KEEP = re.compile(
    r"^[ ]{0,3}(`{3,}|~{3,})[^\n]*\n.*?^[ ]{0,3}\1[ \t]*$"
    r"|(?<!`)(`+)(?!`)(?:(?!\n[ \t]*\n).)+?(?<!`)\2(?!`)"
    r"|\]\([^)\n]*\)"
    r"|(?<=\]:)[ \t]*[^\s][^\n]*"
    r"|<[^<>\n]+>"
    r"|https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+",
    re.M | re.S,
)
#: In plain text, only bare URLs are kept as written.
_TEXT_KEEP = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
#: Stand-ins OpenCC passes through untouched (private-use characters around a number).
_SLOT = re.compile("\ue000(\\d+)\ue001")
_DOUBLE_QUOTED = re.compile("\u201c([^\u201c\u201d\n]*)\u201d")
_SINGLE_QUOTED = re.compile("(?<![A-Za-z])\u2018([^\u2018\u2019\n]*)\u2019(?![A-Za-z])")


class Converter:
    """Simplified -> Traditional Chinese with one OpenCC profile, the site's terms, and
    the region's quotation marks. Markdown keeps its code, link targets and tags as written.
    """

    def __init__(self, profile: str, terms: tuple[tuple[str, str], ...] = ()):
        if profile not in CHINESE_CONVERSIONS:
            known = ", ".join(CHINESE_CONVERSIONS)
            raise BuildError(f"content/site.yaml: chinese_conversion: unknown OpenCC profile '{profile}' "
                             f"(use one of {known})")
        self.profile = profile
        self.opencc = opencc.OpenCC(f"{profile}.json").convert
        self.terms = dict(terms)
        ordered = sorted(self.terms, key=len, reverse=True)  # the longest term wins
        self._terms = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        self.corner_quotes = profile in CORNER_QUOTES

    def __call__(self, text: str, markdown: bool = False) -> str:
        kept: list[str] = []

        def keep(value: str) -> str:
            kept.append(value)
            return f"\ue000{len(kept) - 1}\ue001"

        text = (_MARKDOWN_KEEP if markdown else _TEXT_KEEP).sub(lambda m: keep(m.group(0)), text)
        if self._terms is not None:
            text = self._terms.sub(lambda m: keep(self.terms[m.group(0)]), text)
        text = self.opencc(text)
        if self.corner_quotes:
            text = _SINGLE_QUOTED.sub("\u300e\\1\u300f", _DOUBLE_QUOTED.sub("\u300c\\1\u300d", text))
        return _SLOT.sub(lambda m: kept[int(m.group(1))], text)


@cache
def converter(profile: str, terms: tuple[tuple[str, str], ...] = ()) -> Converter:
    """The converter of an OpenCC profile (one of :data:`~digest.core.models.CHINESE_CONVERSIONS`;
    ``digest check`` reports any other) and the site's own terms (Simplified -> Traditional)."""
    return Converter(profile, terms)


def release() -> None:
    """Let go of the loaded OpenCC dictionaries (tens of megabytes); the next
    :func:`converter` call loads them again."""
    converter.cache_clear()


def derive_texts(texts: Localized, languages: tuple[str, ...], convert: Converter,
                 markdown: bool = False) -> dict[str, str]:
    """``texts`` with each derived language of ``languages`` filled in from its source.

    A text the curator wrote for the derived language wins; otherwise the source text is
    converted. Only source texts are converted, so the result is the same when called again.
    """
    out = dict(texts)
    for lang in languages:
        source = DERIVED.get(lang)
        if source is None or out.get(lang) or not texts.get(source):
            continue
        out[lang] = convert(texts[source], markdown=markdown)
    return out


def derive(value: T, languages: tuple[str, ...], convert: Converter) -> T:
    """A model object (or tuple of them) with every localized field derived, recursively."""
    if isinstance(value, tuple):
        return tuple(derive(v, languages, convert) for v in value)  # type: ignore[return-value]
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return value
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        kind = f.metadata.get("kind")
        if kind is None:
            continue
        current = getattr(value, f.name)
        if kind.localized and isinstance(current, Mapping):
            changes[f.name] = derive_texts(current, languages, convert, markdown=kind.markdown)
        elif kind.model is not None:
            changes[f.name] = derive(current, languages, convert)
    return dataclasses.replace(value, **changes)


def derives(site: Any) -> bool:
    """True when the site has a language derived from another (zh-Hant from zh)."""
    return any(lang in DERIVED for lang in site.languages)


def for_site(site: Any, value: T) -> T:
    """``value`` (editions, categories, the site) with the site's derived languages filled in."""
    if not derives(site):
        return value
    terms = tuple(sorted(site.chinese_terms.items()))
    return derive(value, tuple(site.languages), converter(site.chinese_conversion, terms))
