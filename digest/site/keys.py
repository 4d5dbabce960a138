"""What each output depends on, as a key: the fingerprint of everything it is made from.

A build gives every file it can make again a key (:class:`Keys`): the site's key (digest's
code, the templates and static files, site.yaml and categories.yaml as loaded, the
figures' sizes; see :func:`site_key`) and the values the file is rendered from: the page's
template and path, and the merged :class:`~digest.site.merge.Article`,
:class:`~digest.site.merge.Heading` and :class:`~digest.site.merge.Item` values its
template is given, by value. Two builds that give a file the same key give it the same
bytes, so a rebuild renders only the files whose key changed (see :mod:`digest.incremental`).

A key is only as good as the values it covers: a template is given exactly the values in
its key (a page about one entry gets its edition's heading, not the whole article), and
every function a template can call is a function of the site's key and those values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from digest.core.cache import fingerprint
from digest.site.merge import Article, Heading, Item


class Keys:
    """Keys of one build's values, each merged value's fingerprint computed once (by
    identity: the values are frozen and kept alive here while the build runs)."""

    def __init__(self, site: str):
        self.site = site
        self._memo: dict[int, tuple[Any, str]] = {}

    def of(self, *values: Any) -> str:
        """The key of a file or fragment made from ``values`` under this site."""
        return fingerprint(self.site, *(self._part(v) for v in values))

    def _part(self, value: Any) -> Any:
        if isinstance(value, (Article, Heading, Item)):
            return self._value(value)
        if isinstance(value, Mapping):
            return tuple((k, self._part(v)) for k, v in value.items())
        if isinstance(value, (tuple, list)):
            return tuple(self._part(v) for v in value)
        return value

    def value(self, value: Article | Heading | Item) -> str:
        """The fingerprint of one merged value (what :meth:`of` uses for it)."""
        return self._value(value)

    def _value(self, value: Article | Heading | Item) -> str:
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        if isinstance(value, Article):  # by its own fields and its entries' keys: each entry is hashed once
            key = fingerprint(type(value).__name__, fingerprint(replace(value, sections=())),
                              tuple((s.category, tuple(self._value(i) for i in s.items)) for s in value.sections))
        else:
            key = fingerprint(value)
        self._memo[id(value)] = (value, key)
        return key

    def remember(self, value: Article | Heading | Item, key: str) -> None:
        """``value``'s key, known already (it was cached with it)."""
        self._memo[id(value)] = (value, key)

    def forget(self) -> None:
        self._memo.clear()


def site_key(*parts: Any) -> str:
    """The key every file of a build depends on (see :func:`digest.pipeline.render_into`)."""
    return fingerprint("site", *parts)
