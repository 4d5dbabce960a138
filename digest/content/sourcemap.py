"""Where each character of a YAML scalar's value is written in its file.

``digest check`` points at the exact character a finding is about (the first wrong comma
of a note, the start of a bad link), and ``digest check --fix`` rewrites only the
characters that change. Both need to map an index into a scalar's *value* back to an
offset in the file's *text*. That mapping is simple for the styles curators write notes in:

* a plain scalar on one line: the value is the source text;
* a single- or double-quoted scalar on one line: the source between the quotes, where
  ``''`` (single) or an escape such as ``\\"`` or ``\\u00e9`` (double) stands for one character;
* a literal block scalar (``|``, ``|-``, ``|+``): each value line is a source line with the
  block's indentation removed.

Anything else (a plain or quoted scalar folded over several lines, a folded block ``>``,
a block with an explicit indentation indicator such as ``|2``) has no mapping here:
:func:`source_map` returns None, and callers fall back to the scalar's start and do not
rewrite it. Every mapping is verified by rebuilding the value from the source it claims;
if the rebuild differs, the answer is None, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.content import yamlload as Y
from digest.core.errors import Loc

_SIMPLE_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_BLOCK_HEADER = re.compile(r"\|[+-]?[ \t]*(?:#.*)?$")


@dataclass(frozen=True)
class SourceMap:
    """Offsets into the file's text (LF line ends) of each value character.

    ``spans[i]`` is the ``(start, end)`` slice of the source that writes value character
    ``i``, or None for a line break of a block scalar (which is not text on a line).
    ``style`` is the scalar's style: ``""`` plain, ``"'"``, ``'"'`` or ``"|"``.
    """

    style: str
    spans: tuple[tuple[int, int] | None, ...]
    start: int  # where the value's text starts (used for an insertion into an empty value)

    def offset_before(self, index: int) -> int | None:
        """The source offset at which text inserted before value character ``index`` goes."""
        if index < len(self.spans) and self.spans[index] is not None:
            return self.spans[index][0]
        if index > 0 and self.spans[index - 1] is not None:
            return self.spans[index - 1][1]
        return self.start if not self.spans else None


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line of ``text``."""
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def source_map(text: str, starts: list[int], node: Y.Node) -> SourceMap | None:
    """The map of ``node``'s value onto ``text`` (the file it was parsed from), or None."""
    s, e = node.start_mark, node.end_mark
    begin = starts[s.line] + s.column
    end = starts[e.line] + e.column if e.line < len(starts) else len(text)
    style = node.style or ""
    if style == "|":
        return _literal(text, starts, node)
    if s.line != e.line:
        return None
    if style == "":
        found = SourceMap("", tuple((i, i + 1) for i in range(begin, end)), begin)
        return found if text[begin:end] == node.value else None
    if style == "'":
        return _single(text, begin + 1, end - 1, node.value)
    if style == '"':
        return _double(text, begin + 1, end - 1, node.value)
    return None


def _single(text: str, begin: int, end: int, value: str) -> SourceMap | None:
    spans, i = [], begin
    while i < end:
        width = 2 if text.startswith("''", i) else 1
        spans.append((i, i + width))
        i += width
    rebuilt = "".join(text[a:b][0] for a, b in spans)
    return SourceMap("'", tuple(spans), begin) if rebuilt == value else None


def _double(text: str, begin: int, end: int, value: str) -> SourceMap | None:
    spans, chars, i = [], [], begin
    while i < end:
        ch = text[i]
        if ch != "\\":
            spans.append((i, i + 1))
            chars.append(ch)
            i += 1
            continue
        code = text[i + 1] if i + 1 < end else ""
        if code in _SIMPLE_ESCAPES:
            spans.append((i, i + 2))
            chars.append(_SIMPLE_ESCAPES[code])
            i += 2
        elif code in _HEX_ESCAPES:
            digits = text[i + 2:i + 2 + _HEX_ESCAPES[code]]
            try:
                chars.append(chr(int(digits, 16)))
            except ValueError:
                return None
            spans.append((i, i + 2 + len(digits)))
            i += 2 + len(digits)
        else:
            return None
    return SourceMap('"', tuple(spans), begin) if "".join(chars) == value else None


def _literal(text: str, starts: list[int], node: Y.Node) -> SourceMap | None:
    s = node.start_mark
    header_end = starts[s.line + 1] - 1 if s.line + 1 < len(starts) else len(text)
    if not _BLOCK_HEADER.match(text[starts[s.line] + s.column:header_end]):
        return None  # an explicit indentation indicator (|2): not mapped
    lines = node.value.split("\n")
    first = s.line + 1
    indent = None
    for k, line in enumerate(lines):
        if line and first + k < len(starts):
            source = _line(text, starts, first + k)
            indent = len(source) - len(source.lstrip(" "))
            break
    if indent is None:
        return SourceMap("|", tuple(None for _ in node.value), starts[first] if first < len(starts) else len(text))
    spans: list[tuple[int, int] | None] = []
    for k, line in enumerate(lines):
        if k:
            spans.append(None)  # the line break before this line
        if not line:
            continue
        if first + k >= len(starts):
            return None
        source = _line(text, starts, first + k)
        if source[:indent].strip(" ") or source[indent:] != line:
            return None
        base = starts[first + k] + indent
        spans.extend((base + j, base + j + 1) for j in range(len(line)))
    if len(spans) != len(node.value):
        return None
    return SourceMap("|", tuple(spans), starts[first] + indent if first < len(starts) else len(text))


def _line(text: str, starts: list[int], number: int) -> str:
    end = starts[number + 1] - 1 if number + 1 < len(starts) else len(text)
    return text[starts[number]:end]


def loc_at(rel: str, text_starts: list[int], node: Y.Node, smap: SourceMap | None, index: int) -> Loc:
    """The file position of value character ``index`` (the scalar's start when unmapped)."""
    if smap is not None and 0 <= index < len(smap.spans) and smap.spans[index] is not None:
        offset = smap.spans[index][0]
        line = _line_of(text_starts, offset)
        return Loc(rel, line + 1, offset - text_starts[line] + 1)
    return Loc(rel, node.start_mark.line + 1, node.start_mark.column + 1)


def _line_of(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo
