"""Character classes every stage agrees on: Han characters, Latin letters, and what pages
and feeds cannot carry; and :func:`N_`, the mark of a UI string.

Each class is written once here; checks, merge, i18n and the Traditional Chinese
conversion build their patterns from these strings.
"""

from __future__ import annotations

import re
import unicodedata

#: Han characters: CJK Unified Ideographs and Extension A, compatibility ideographs, and the
#: supplementary planes' extensions (B to H). A regex character class, for building patterns.
HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
HAN_CHAR = re.compile(HAN)
#: Latin letters, basic ASCII only.
LATIN_CHAR = re.compile("[A-Za-z]")
#: Characters that HTML and XML cannot carry (C0/C1 controls but tab and newlines, noncharacters, lone surrogates).
CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff"
#: Invisible format characters that change how the text around them reads: the bidi
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and marks (U+200E,
#: U+200F, U+061C), which can make a title display as other words than it holds; the
#: zero-width space, word joiner and invisible operators (U+200B, U+2060-U+2064), the
#: deprecated format characters (U+206A-U+206F), U+180E and a byte order mark inside a text
#: (U+FEFF), which hide where one word ends; the line and paragraph separators (U+2028,
#: U+2029), which break a title or a feed's lines where no line ends, and the interlinear
#: annotation marks (U+FFF9-U+FFFB). Zero-width joiners and non-joiners (U+200C,
#: U+200D) and the soft hyphen are left alone: emoji and hyphenation need them.
INVISIBLE = "\u061c\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
#: What pages and feeds never carry: :data:`CONTROLS` and :data:`INVISIBLE`.
UNPRINTABLE = re.compile(f"[{CONTROLS}{INVISIBLE}]")


def printable(text: str) -> str:
    """``text`` without the characters pages and feeds never carry (:data:`UNPRINTABLE`).

    Fetched records sometimes hold them (a form feed in an abstract, a backspace in a title,
    a right-to-left override in an author's name); curated ones are reported by ``digest check``.
    """
    return UNPRINTABLE.sub("", text)


def visible(text: str) -> str:
    """``text`` with every character of :data:`UNPRINTABLE` written as an escape (``\\u202E``),
    for messages: a terminal would act on a control or a right-to-left override."""
    return UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04X}" if ord(m.group()) <= 0xFFFF
                           else f"\\U{ord(m.group()):08X}", text)


def named(char: str) -> str:
    """How a message names a character pages drop: ``U+0007``, or with its Unicode name when
    it has one that says more, ``U+202E (RIGHT-TO-LEFT OVERRIDE)``."""
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} ({name})" if name else code


def N_(message: str) -> str:
    """Mark a string for extraction (``pybabel extract -k N_``) without translating it here
    (translated where shown)."""
    return message
