"""Every export ``digest export`` knows, and how one is made.

An :class:`Export` is a name, the file suffix and media type of what it writes, and its
template (under ``templates/export/``), rendered from the edition merged for one language
(:class:`digest.site.merge.Article`, as its pages show it: derived languages converted,
the site's fallback applied), never from the site's HTML. The curators' Chinese text is
copy-edited first (:mod:`digest.exports.copyedit`), as ``digest check --fix`` would write it.

A new export is one more entry in :data:`EXPORTS` and one more template; a channel whose
output needs more than a template (CSS inlined and an allow-list pass for WeChat, say)
gives a ``finish`` function that takes the rendered text and returns the file's text and
its warnings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from digest.exports import zhihu
from digest.exports.copyedit import copyedited
from digest.site.merge import Article
from digest.site.render import Renderer

#: What a channel's ``finish`` returns: the file's text, and warnings for the curator.
Finished = tuple[str, tuple[str, ...]]


def _ends_trimmed(text: str) -> Finished:
    """Text from a template: no blank line at either end, one final newline."""
    return text.strip("\n") + "\n", ()


@dataclass(frozen=True)
class Export:
    name: str
    #: what the file is, in one line (``digest export --help``)
    description: str
    suffix: str
    media_type: str
    template: str
    finish: Callable[[str], Finished] = _ends_trimmed


#: Every export, by name.
EXPORTS: dict[str, Export] = {e.name: e for e in (
    Export("markdown", "plain CommonMark, for a GitHub README, a blog or a forum", ".md", "text/markdown",
           "export/markdown.md"),
    Export("zhihu", "Markdown for the Zhihu editor's import (导入文档): TeX as Zhihu's equation images, no tables",
           ".md", "text/markdown", "export/zhihu.md", zhihu.finish),
)}


@dataclass(frozen=True)
class Exported:
    text: str
    warnings: tuple[str, ...]


def export(channel: Export, renderer: Renderer, article: Article) -> Exported:
    """``article`` as the file ``channel`` makes of it."""
    return Exported(*channel.finish(renderer.export(channel.template, copyedited(article))))
