"""The export registry: what an export channel is, what it is given and what it gives back.

An export turns one edition, merged for one language (:class:`digest.site.merge.Article`),
into a file a curator pastes or imports somewhere else (a WeChat draft, a Zhihu document, a
newsletter, a README). Each channel is an :class:`ExportChannel` listed once in
:data:`digest.exports.channels.EXPORTS`; ``digest export``, ``digest serve`` and the tests
find it there. A channel renders from the model, with its own templates under
``digest/templates/export/<channel>/`` (:meth:`ExportContext.template`), never by reading the
site's HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from digest.core import layout
from digest.core.errors import Problem
from digest.core.models import Category, Site
from digest.site.merge import Article, FigureView
from digest.site.render import Renderer


@dataclass(frozen=True)
class ExportContext:
    """What every export channel's renderer is given.

    ``article`` is the edition merged for ``lang`` with the site's fallback applied and its
    Chinese curator text copy-edited (:mod:`digest.exports.copyedit`); ``site`` and
    ``categories`` are as rendered (derived languages converted); ``options`` holds the
    command's channel options by name (``{"esp": "generic"}``), every one always present."""

    site: Site
    categories: tuple[Category, ...]
    article: Article
    lang: str
    renderer: Renderer
    options: Mapping[str, str] = field(default_factory=dict)
    #: what checking the edition found short of an error (printed by ``digest export``)
    warnings: tuple[Problem, ...] = ()

    def template(self, name: str, **context: Any) -> str:
        """Render ``export/<name>`` (such as ``markdown/edition.md``) in this language: the
        site's own template folder first, then digest's. ``.html`` templates autoescape; others
        do not. Every global and filter of the page templates is there (``text``, ``ltext``,
        ``url``, ``date``...), plus ``article``, ``lang`` and ``options``."""
        values = {"article": self.article, "lang": self.lang, "options": self.options, **context}
        return self.renderer.export(self.lang, f"export/{name}", values)

    def url(self, path: str) -> str:
        """The absolute address of a site path (``layout.edition(lang, slug)``...)."""
        return layout.absolute(self.site.base_url, path)

    def edition_url(self) -> str:
        """The address of this edition's page in this language."""
        return self.url(layout.edition(self.lang, self.article.slug))

    def figure_url(self, figure: FigureView) -> str:
        """A figure's absolute address: an https URL as written, or the published copy of a
        local figure under the site's base URL."""
        if figure.src.startswith(("http://", "https://")):
            return figure.src
        return self.url(layout.image(figure.src))


@dataclass(frozen=True)
class Export:
    """What a channel's renderer returns: the file, and what to say about it."""

    data: bytes
    #: the IANA media type, with charset for text (``text/markdown; charset=utf-8``)
    media_type: str
    #: what the default file name ends with (``.md``, ``.zhihu.md``, ``.wechat.html``)
    suffix: str
    #: plain sentences about the output (``the fragment has 23,400 characters, over ...``), printed
    #: by ``digest export`` as ``digest export: warning: <text>``; they never stop the export
    warnings: tuple[str, ...] = ()
    #: an optional plain-text alternative (an email's text part), written beside the file
    text: bytes | None = None
    #: what the alternative's file name ends with
    text_suffix: str = ".txt"


@dataclass(frozen=True)
class ExportChannel:
    """One export: its name (the command's CHANNEL), a one-line summary for ``--help`` and the
    README, its renderer, the width in CSS px its reader sees it at (``digest serve``
    previews it at that width), and the options of ``digest export`` it reads."""

    name: str
    summary: str
    render: Callable[[ExportContext], Export]
    width: int
    options: tuple[str, ...] = ()
    #: the values each option takes, its default first (``digest serve`` previews each one)
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
