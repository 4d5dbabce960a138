"""The ``markdown`` export: the edition as plain CommonMark (a GitHub README, a blog, a forum)."""

from __future__ import annotations

from digest.exports import text
from digest.exports.registry import Export, ExportChannel, ExportContext


def render(context: ExportContext) -> Export:
    body = context.template("markdown/edition.md", edition_url=context.edition_url(),
                            figure_url=context.figure_url, block=text.block, inline=text.inline)
    return Export(tidy(body).encode("utf-8"), "text/markdown; charset=utf-8", ".md")


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
