"""The languages a site can be published in, declared once."""

from __future__ import annotations

#: Languages the site can be published in: code -> BCP 47 tag used in HTML and feeds (its
#: Babel locale is the same tag with ``_``, see :mod:`digest.site.i18n`).
LANGUAGES: dict[str, str] = {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant"}
#: Languages derived from another one's text (Traditional from Simplified Chinese, see
#: :mod:`digest.site.hant`): code -> the code of its source. Curators may still write them.
DERIVED: dict[str, str] = {"zh-Hant": "zh"}
#: Language codes curators are likely to write for a supported language.
ALIASES = {"cn": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh_cn": "zh", "chinese": "zh", "english": "en", "en-us": "en",
           "zh-hant": "zh-Hant", "zh_hant": "zh-Hant", "zh-tw": "zh-Hant", "zh_tw": "zh-Hant",
           "zh-hk": "zh-Hant", "tw": "zh-Hant"}


def language_hint(code: str, languages: tuple[str, ...]) -> str:
    """What to write instead of ``code``, a language that is not one of ``languages``."""
    alias = ALIASES.get(code.lower())
    if alias and alias in languages:
        return f"write {alias}"
    for derived, source in DERIVED.items():
        if code == source and derived in languages:
            return f"add {source} to languages in content/site.yaml to derive {derived} from it, or write the text under {derived}"
    return "this site's languages are " + ", ".join(languages)
