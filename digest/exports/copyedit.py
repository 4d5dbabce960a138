"""The curators' Chinese text in an export, copy-edited the way ``digest check --fix`` writes
it into the curated files (:func:`digest.checks.texts.corrected`): spacing between Chinese
and Latin letters or digits, full-width punctuation. Only curator text in Chinese
(Simplified, and Traditional derived from it) is touched; English and fetched text stay
exactly as they are."""

from __future__ import annotations

import dataclasses
from typing import Any

from digest.checks.texts import CHINESE, corrected
from digest.site.merge import Article, Item, Section, Shown


def copyedited(article: Article) -> Article:
    sections = tuple(Section(s.category, tuple(_item(i) for i in s.items)) for s in article.sections)
    return dataclasses.replace(article, title=_shown(article.title), intro=_shown(article.intro), sections=sections)


def _item(item: Item) -> Item:
    changes = {f.name: _shown(getattr(item, f.name)) for f in dataclasses.fields(item)
               if isinstance(getattr(item, f.name), Shown)}
    return dataclasses.replace(item, **changes)


def _shown(shown: Shown[Any]) -> Shown[Any]:
    if shown.source != "curator" or shown.lang not in CHINESE or not isinstance(shown.value, str):
        return shown
    return dataclasses.replace(shown, value=corrected(shown.value, shown.markdown))
