"""The ``markdown`` export: the edition as plain CommonMark (a GitHub README, a blog, a forum)."""

from __future__ import annotations

from digest.exports import text
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.urls import Addresses, fix_links


def render(context: ExportContext) -> Export:
    """The edition as CommonMark; every link and image absolute (a README or a forum post has
    no page for a relative address to resolve against)."""
    base = context.edition_url()
    body = context.template("markdown/edition.md", edition_url=base,
                            figure_url=context.figure_url, block=text.block, inline=text.inline)
    addresses = Addresses(base, "Markdown", https=False)
    body = fix_links(tidy(body), addresses)
    return Export(body.encode("utf-8"), "text/markdown; charset=utf-8", ".md", warnings=addresses.warnings)


def tidy(body: str) -> str:
    """Runs of blank lines made one, trailing spaces dropped, one final newline."""
    lines = [line.rstrip() for line in body.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip("\n") + "\n"


CHANNEL = ExportChannel("markdown", "plain CommonMark of the edition, for a GitHub README, a blog or a forum",
                        render, width=720)
