"""Traditional Chinese derived from the Simplified content with OpenCC.

OpenCC is used here and nowhere else. A derived language (:data:`digest.models.DERIVED`)
such as ``zh-Hant`` has no text of its own in the curated files: every localized field
gets it by converting the field's ``zh`` text with the OpenCC profile set in
``site.yaml`` (``chinese_conversion``, Taiwan phrases by default). A curator who writes a
``zh-Hant`` key in a field overrides the conversion for that field.

Conversion happens once, on the Simplified source, when the project is loaded for a build
(:func:`derive_project`); text that is already derived or written by the curator is never
converted again, so 算法 becomes 演算法 and never 演演算法.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, TypeVar

import opencc

from digest.errors import BuildError
from digest.models import DERIVED, Localized

#: OpenCC profiles a site may choose, from Simplified Chinese (the site's ``zh``).
PROFILES: dict[str, str] = {
    "s2t": "Traditional characters (OpenCC standard), no phrase changes",
    "s2tw": "Traditional characters, Taiwan standard",
    "s2twp": "Traditional characters, Taiwan standard, with Taiwan phrases (软件 -> 軟體)",
    "s2hk": "Traditional characters, Hong Kong standard",
}

T = TypeVar("T")
Converter = Callable[[str], str]


@cache
def converter(profile: str) -> Converter:
    """The conversion function of an OpenCC profile (one of :data:`PROFILES`)."""
    if profile not in PROFILES:
        known = ", ".join(sorted(PROFILES))
        raise BuildError(f"content/site.yaml: chinese_conversion: unknown OpenCC profile '{profile}' "
                         f"(use one of {known})")
    return opencc.OpenCC(f"{profile}.json").convert


def release() -> None:
    """Let go of the loaded OpenCC dictionaries (tens of megabytes); the next
    :func:`converter` call loads them again."""
    converter.cache_clear()


def derive_texts(texts: Localized, languages: tuple[str, ...], convert: Converter) -> dict[str, str]:
    """``texts`` with each derived language of ``languages`` filled in from its source.

    A text the curator wrote for the derived language wins; otherwise the source text is
    converted. Only source texts are converted, so the result is the same when called again.
    """
    out = dict(texts)
    for lang in languages:
        source = DERIVED.get(lang)
        if source is None or out.get(lang) or not texts.get(source):
            continue
        out[lang] = convert(texts[source])
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
        current = getattr(value, f.name)
        if kind in ("ltext", "lmarkdown") and isinstance(current, Mapping):
            changes[f.name] = derive_texts(current, languages, convert)
        elif kind in ("object", "list"):
            changes[f.name] = derive(current, languages, convert)
    return dataclasses.replace(value, **changes)


def for_site(site: Any, value: T) -> T:
    """``value`` (editions, categories, the site) with the site's derived languages filled in."""
    if not any(lang in DERIVED for lang in site.languages):
        return value
    return derive(value, tuple(site.languages), converter(site.chinese_conversion))


def derive_project(project: T) -> T:
    """The loaded project with derived languages filled in (unchanged when the site has none)."""
    site = project.site  # type: ignore[attr-defined]
    return dataclasses.replace(
        project,  # type: ignore[type-var]
        site=for_site(site, site),
        categories=for_site(site, project.categories),  # type: ignore[attr-defined]
        editions=for_site(site, project.editions),  # type: ignore[attr-defined]
    )
