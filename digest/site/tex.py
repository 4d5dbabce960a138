"""TeX between dollar signs as MathML (latex2mathml is used here and nowhere else).

Where math is, in text a curator or a paper wrote, and what it becomes; the sanitiser and
the Markdown around it are :mod:`digest.site.render`'s.

What counts as math (Pandoc's rule, which keeps prices as they are):

- ``$…$`` inline and ``$$…$$`` displayed; the opening ``$`` has no space after it, the
  closing one no space before it and no digit after it, so ``costs $5 and $10`` is text;
- ``\\$`` is a dollar sign, never a delimiter;
- a ``$`` that no other closes stays as it is.

Math that latex2mathml cannot convert, or converts into something that is not MathML (an
unknown command kept as a name, a fraction without its denominator), gives ``None``: the
caller prints the source text instead, so no text is ever lost.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from xml.sax.saxutils import quoteattr

from latex2mathml.converter import convert

#: One match per escaped dollar (``escaped``), displayed math (``display``) or inline math (``inline``).
PATTERN = re.compile(
    r"(?P<escaped>\\\$)"
    r"|\$\$(?P<display>(?:[^$\\]|\\.)+?)\$\$"
    r"|\$(?!\s)(?P<inline>(?:[^$\\]|\\.)+?)(?<!\s)\$(?!\d)",
    re.S,
)

_NS = "{http://www.w3.org/1998/Math/MathML}"
#: How many children a MathML element must have (the elements latex2mathml makes of a
#: command with arguments: a command missing one gives fewer).
_ARITY = {"mfrac": 2, "mroot": 2, "msub": 2, "msup": 2, "mover": 2, "munder": 2, "msubsup": 3, "munderover": 3}


def dollar(match: re.Match[str]) -> bool:
    """Whether the match is an escaped dollar sign (printed as ``$``), not math."""
    return match.group("escaped") is not None


def to_mathml(match: re.Match[str]) -> str | None:
    """The MathML of a match of :data:`PATTERN` that is math, or ``None`` when it does not convert."""
    display = match.group("display") is not None
    return mathml(match.group("display") if display else match.group("inline"), display)


@lru_cache(maxsize=4096)
def mathml(source: str, display: bool = False) -> str | None:
    """``source`` (TeX, without its dollars) as a ``<math>`` element, or ``None``. The element
    carries its source as ``alttext``: what a screen reader may say, and what plain text
    made of the page (a feed's or a page's description) shows in its place."""
    try:
        html = convert(source, display="block" if display else "inline")
        tree = ET.fromstring(html)
    except Exception:  # latex2mathml raises its own errors and Python's (IndexError, KeyError) on bad TeX
        return None
    for element in tree.iter():
        name = element.tag.removeprefix(_NS)
        if name in _ARITY and len(element) != _ARITY[name]:
            return None
        if name != "mtext" and "\\" in (element.text or ""):
            return None  # an unknown command, kept as a name
    return html.replace("<math ", f"<math alttext={quoteattr(source)} ", 1)
