"""The ``zhihu`` export: Markdown for Zhihu's document import (导入 → 导入文档).

What Zhihu's importer needs (see README, "Exports"):

- ATX headings (``#``), never underlined ones;
- every link and image an absolute ``https`` URL with no spaces (Zhihu downloads images itself
  and breaks on spaces): a relative link is made absolute under the edition's address, ``http``
  becomes ``https`` (with a warning), spaces and other unsafe characters are percent-encoded;
- TeX (``$…$``, ``$$…$$``) as Zhihu's equation images,
  ``<img src="https://www.zhihu.com/equation?tex=…" alt="…" class="ee_img tr_noresize" eeimg="1">``;
- no tables: a table in curator Markdown becomes one paragraph per row, "header: cell".
"""

from __future__ import annotations

import re
from html import escape as html_escape
from urllib.parse import quote

from digest.exports.markdown import tidy
from digest.exports.registry import Export, ExportChannel, ExportContext
from digest.exports.text import CODE, TEX, without_html
from digest.exports.urls import Addresses, fix_links
from digest.site.merge import Shown
from digest.site.render import markdown_escaped

EQUATION = "https://www.zhihu.com/equation?tex="
_TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def equation(tex: str) -> str:
    """Zhihu's equation image for ``tex`` (as Markdown4Zhihu writes it for the importer)."""
    tex = tex.strip()
    return (f'<img src="{EQUATION}{quote(tex, safe="")}" alt="{html_escape(tex)}" '
            f'class="ee_img tr_noresize" eeimg="1">')


def with_equations(value: str, plain: bool) -> str:
    """``value`` with every TeX formula outside code made an equation image; what is around
    the formulas escaped first when ``plain`` (fetched text), else kept as the curator's Markdown."""
    out: list[str] = []
    pos = 0
    code = [m.span() for m in CODE.finditer(value)] if not plain else []
    for match in TEX.finditer(value):
        if any(start <= match.start() < end for start, end in code):
            continue
        before = value[pos:match.start()]
        out.append(markdown_escaped(before, line_start=not pos) if plain else before)
        tex = match.group(1) if match.group(1) is not None else match.group(2)
        out.append(f"\n\n{equation(tex)}\n\n" if match.group(1) is not None else equation(tex))
        pos = match.end()
    rest = value[pos:]
    out.append(markdown_escaped(rest, line_start=not pos) if plain else rest)
    return "".join(out)


def block(shown: Shown) -> str:
    value = str(shown.value or "").strip()
    if shown.markdown:
        return untabled(with_equations(without_html(value).strip(), plain=False))
    parts = [part for part in re.split(r"\n\s*\n", value) if part.strip()]
    return "\n\n".join(with_equations(" ".join(part.split()), plain=True).strip() for part in parts)


def inline(shown: Shown) -> str:
    value = str(shown.value or "")
    value = " ".join((without_html(value) if shown.markdown else value).split())
    return " ".join(with_equations(value, plain=not shown.markdown).split())


def untabled(markdown: str) -> str:
    """Every pipe table made one paragraph per body row: "header: cell; header: cell"."""
    lines = markdown.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines) and "|" in lines[i] and _TABLE_DELIMITER.match(lines[i + 1]) and "-" in lines[i + 1]:
            header = _cells(lines[i])
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                cells = _cells(lines[i])
                pairs = [f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=False) if c]
                out += ["; ".join(pairs), ""]
                i += 1
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)


def _cells(line: str) -> list[str]:
    line = line.strip()
    line = line[1:] if line.startswith("|") else line
    line = line[:-1] if line.endswith("|") and not line.endswith("\\|") else line
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", line)]


def render(context: ExportContext) -> Export:
    base = context.edition_url()
    body = context.template("zhihu/edition.md", edition_url=base, figure_url=context.figure_url,
                            block=block, inline=inline)
    addresses = Addresses(base, "Zhihu", keep=())
    body = fix_links(tidy(body), addresses, angled=False)
    return Export(body.encode("utf-8"), "text/markdown; charset=utf-8", ".zhihu.md", warnings=addresses.warnings)


CHANNEL = ExportChannel("zhihu", "Markdown for Zhihu's document import (导入文档): https links, TeX as equation "
                        "images, no tables", render, width=690)
