"""Character classes every stage agrees on: Han characters, Latin letters, and what pages
and feeds cannot carry; and :func:`N_`, the mark of a UI string.

Each class is written once here; checks, merge, i18n and the Traditional Chinese
conversion build their patterns from these strings.
"""

from __future__ import annotations

import re

#: Han characters: CJK Unified Ideographs and Extension A, compatibility ideographs, and the
#: supplementary planes' extensions (B to H). A regex character class, for building patterns.
HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
HAN_CHAR = re.compile(HAN)
#: Latin letters, basic ASCII only.
LATIN_CHAR = re.compile("[A-Za-z]")
#: Characters that HTML and XML cannot carry (C0/C1 controls but tab and newlines, noncharacters, lone surrogates).
UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` without control characters that pages and feeds cannot carry.

    Fetched records sometimes hold them (a form feed in an abstract, a backspace in a title).
    """
    return UNPRINTABLE.sub("", text)


def N_(message: str) -> str:
    """Mark a string for extraction (``pybabel extract -k N_``) without translating it here
    (translated where shown)."""
    return message
