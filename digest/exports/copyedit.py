"""Chinese curator text copy-edited for an export, as ``digest check --fix`` would write it.

Every text of an :class:`~digest.site.merge.Article` that the curator wrote in Chinese (``zh``
or a ``zh-Hant`` override or derivation) goes through :func:`digest.checks.texts.corrected`, the
same linter and house rules ``digest check`` reports and ``--fix`` applies; Markdown texts are
corrected Markdown-aware. English text and fetched text are left exactly as they are.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from digest.checks.texts import CHINESE, corrected
from digest.content.validate import PLACEHOLDER
from digest.site.merge import Article, FigureView, Item, Section, Shown


def copyedited(article: Article) -> Article:
    """``article`` with every Chinese curator text copy-edited."""
    sections = tuple(Section(s.category, tuple(_item(item) for item in s.items)) for s in article.sections)
    return replace(article, title=_shown(article.title), intro=_shown(article.intro), sections=sections)


def _item(item: Item) -> Item:
    changes: dict[str, Any] = {f.name: _shown(getattr(item, f.name)) for f in fields(item)
                               if isinstance(getattr(item, f.name), Shown)}
    if item.figure is not None:
        changes["figure"] = FigureView(item.figure.src, _shown(item.figure.alt), _shown(item.figure.caption))
    return replace(item, **changes)


def _shown(shown: Shown[Any]) -> Shown[Any]:
    if shown.source != "curator" or shown.lang not in CHINESE or not isinstance(shown.value, str) or not shown.value:
        return shown
    if PLACEHOLDER.search(shown.value):  # a draft's placeholder is not judged, as in digest check
        return shown
    return replace(shown, value=corrected(shown.value, shown.markdown))
