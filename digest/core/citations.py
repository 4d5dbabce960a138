"""Numbered references: the ``[n]`` markers curators write in notes, and the numbers an
article gives them.

A curator lists an edition's sources once (``references:``, each a number ``n`` and a URL)
and cites one in a note with its number in brackets, ``[2]``. An article numbers what its
notes cite again, densely (1, 2, 3 …) in the order of first use in page order, one number per
URL (two references with the same URL are one source). A marker is a number in brackets
that is not a Markdown link's text or label: ``[2](…)``, ``[2][…]`` and ``[2]:`` are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

#: A reference marker; group 1 is the number the curator wrote.
MARKER = re.compile(r"(?<![\]\\!\[])\[(\d{1,4})\](?![(\[:])")


def markers(text: str) -> Iterator[tuple[int, int]]:
    """(index in ``text``, number written) of every marker, in order."""
    for match in MARKER.finditer(text):
        yield match.start(), int(match.group(1))


def numbering(texts: Iterable[str], urls: Mapping[int, str]) -> dict[str, int]:
    """URL -> its number in the article, for the ``texts`` (notes in page order) that cite the
    references ``urls`` (curator's number -> URL). Markers without a reference are skipped
    (:mod:`digest.checks.texts` reports them)."""
    numbers: dict[str, int] = {}
    for text in texts:
        for _, written in markers(text):
            url = urls.get(written)
            if url is not None and url not in numbers:
                numbers[url] = len(numbers) + 1
    return numbers


def renumbered(text: str, urls: Mapping[int, str], numbers: Mapping[str, int]) -> tuple[str, tuple[int, ...]]:
    """``text`` with each marker of a known reference carrying its article number, and the
    numbers it cites (in order of first use); a marker without a reference is left as written."""
    cited: list[int] = []

    def number(match: re.Match[str]) -> str:
        url = urls.get(int(match.group(1)))
        if url is None or url not in numbers:
            return match.group(0)
        n = numbers[url]
        if n not in cited:
            cited.append(n)
        return f"[{n}]"

    return MARKER.sub(number, text), tuple(cited)
