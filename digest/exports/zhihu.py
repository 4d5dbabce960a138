"""What the Zhihu editor's Markdown import (导入 → 导入文档) needs beyond CommonMark.

Zhihu has no TeX: an equation is an image of ``https://www.zhihu.com/equation?tex=`` and
the TeX, URL-encoded, written as the ``<img … eeimg="1">`` tag its importer reads. Zhihu
breaks Markdown tables, so each row of one becomes a paragraph of its cells. Code (fenced
blocks and inline spans) is left exactly as it is.

A ``$`` opens a formula when the character after it is not a space, and closes one when the
character before it is not a space and the one after it is not a digit, so ``$5 and $10``
stays text; ``$$…$$`` is display math; ``\\$`` is a dollar sign.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import quote

EQUATION_URL = "https://www.zhihu.com/equation?tex="
_CODE = re.compile(r"(^```.*?^```[ \t]*$|^~~~.*?^~~~[ \t]*$|`+[^`\n]*`+)", re.M | re.S)
_MATH = re.compile(r"(?<![\\$])\$\$(?=\S)(.+?)(?<=\S)\$\$|(?<![\\$])\$(?=[^\s$])([^$\n]*?[^\s\\$])\$(?!\d)")
_ROW = re.compile(r"^\s*\|?(.*?)\|?\s*$")
_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def equation(tex: str) -> str:
    """The Zhihu import's image of one formula."""
    tex = tex.strip()
    return f'<img src="{EQUATION_URL}{quote(tex, safe="")}" alt="{escape(tex)}" class="ee_img tr_noresize" eeimg="1">'


def finish(text: str) -> tuple[str, tuple[str, ...]]:
    """The markdown export's text as Zhihu imports it (and no warnings)."""
    parts = _CODE.split(text)
    out = [part if n % 2 else _tables_as_paragraphs(_MATH.sub(lambda m: equation(m.group(1) or m.group(2)), part))
           for n, part in enumerate(parts)]
    return "".join(out).strip("\n") + "\n", ()


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", _ROW.match(line).group(1))]


def _tables_as_paragraphs(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if "|" in lines[i] and i + 1 < len(lines) and _DELIMITER.match(lines[i + 1]) and "-" in lines[i + 1]:
            rows = [_cells(lines[i])]
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                rows.append(_cells(lines[i]))
                i += 1
            for n, row in enumerate(rows):
                joined = " · ".join(cell for cell in row if cell)
                out += [f"**{joined}**" if n == 0 else joined, ""]
            if out and out[-1] == "" and i < len(lines) and lines[i] == "":
                out.pop()
            continue
        out.append(lines[i])
        i += 1
    return "\n".join(out)
