"""Links in curated Markdown that are dangerous or will not work where the text is read.

Notes, intros, captions and the other Markdown fields are published on pages *and* in
feeds. The page builder's sanitiser keeps http, https and mailto links only, so a
``javascript:`` link never reaches a reader; but a curator should hear about it before
publishing (it is either a mistake or someone else's text pasted in), and a relative link
(``paper.pdf``, ``../2018-w03/``, ``#results``) resolves against whatever page or feed
reader shows it and breaks.

Links are found the ways a Markdown renderer or a browser would find them: inline links
and images ``[text](url)``, reference definitions ``[id]: url``, autolinks ``<url>``, and
``href``/``src`` attributes of raw HTML. Before judging a URL we undo what would hide its
scheme from a naive reader but not from a browser: HTML character references
(``&#106;avascript:``), Markdown backslash escapes (``javascript\\:``), tabs and line breaks
inside it, leading spaces and control characters, and letter case. Code spans and fenced
code blocks are not links and are skipped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

#: Schemes that run code or embed a document; policy ``dangerous_link``.
DANGEROUS_SCHEMES = ("javascript", "vbscript", "data")
#: Schemes the site's sanitiser keeps.
KEPT_SCHEMES = ("http", "https", "mailto")
#: Longest URL quoted in a message.
QUOTED = 60

_CODE = re.compile(r"^(```|~~~).*?(?:^\1[^\n]*$|\Z)|`+[^`]*?`+", re.S | re.M)
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?:\n[ \t]*)?(<[^>\n]*>|\S+)", re.M)
_AUTOLINK = re.compile(r"<([a-zA-Z][a-zA-Z0-9+.\-]{1,31}:[^<>\s]*)>")
_ATTRIBUTE = re.compile(r"""\b(?:href|src|action|formaction|xlink:href)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def links(text: str) -> Iterator[tuple[int, str]]:
    """``(index, url as written)`` of every link target in Markdown ``text``, in order."""
    blank = _CODE.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = []
    i = blank.find("](")
    while i != -1:
        start, url = _inline_target(blank, i + 2)
        if url:
            found.append((start, url))
        i = blank.find("](", i + 2)
    for pattern in (_REF_DEF, _AUTOLINK, _ATTRIBUTE):
        for m in pattern.finditer(blank):
            url, start = m.group(1), m.start(1)
            if url[:1] in "<\"'" and len(url) >= 2:
                url, start = url[1:-1], start + 1
            found.append((start, url))
    return iter(sorted(set(found)))


def _inline_target(text: str, i: int) -> tuple[int, str]:
    """The destination of an inline link whose ``(`` ends just before ``i``."""
    while i < len(text) and text[i] in " \t\n":
        i += 1
    if i < len(text) and text[i] == "<":
        end = text.find(">", i)
        return (i + 1, text[i + 1:end]) if end != -1 else (i, "")
    depth, j = 0, i
    while j < len(text) and text[j] not in " \t\n":
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return i, text[i:j]


def normalised(url: str) -> str:
    """The URL as a browser would read its scheme: references decoded, escapes and hidden whitespace gone."""
    url = html.unescape(_ESCAPED.sub(r"\1", url))
    url = url.strip("".join(chr(c) for c in range(0x21)))
    return re.sub(r"[\t\n\r]", "", url)


def judge(url: str) -> tuple[str, str, str] | None:
    """``(policy, message, hint)`` for a link that is dangerous or will not work, else None."""
    clean = normalised(url)
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", url.strip(" "))
    shown = shown if len(shown) <= QUOTED else shown[: QUOTED - 1] + "…"
    m = _SCHEME.match(clean)
    if m:
        scheme = m.group(1).lower()
        if scheme in DANGEROUS_SCHEMES:
            return ("dangerous_link", f"dangerous {scheme}: link '{shown}'",
                    "link to an https:// address; the page builder removes links like this one")
        if scheme in KEPT_SCHEMES:
            return None
        return ("relative_link", f"{scheme}: link '{shown}' is removed when the page is built",
                "only http, https and mailto links are kept: link to an https:// address")
    if not clean:
        return None
    return ("relative_link", f"relative link '{shown}' breaks in feed readers and on other pages",
            "write the full address, starting with https://")


_IMAGE = re.compile(r"!\[|<img\b", re.I)


def images(text: str) -> Iterator[int]:
    """The index of every image in Markdown ``text`` (``![alt](url)``, ``![alt][id]`` or an
    ``<img>`` tag), code skipped."""
    blank = _CODE.sub(lambda m: " " * len(m.group(0)), text)
    return (m.start() for m in _IMAGE.finditer(blank))


def link_problems(text: str) -> list[tuple[str, int, str, str]]:
    """``(policy, index, message, hint)`` for each dangerous or relative link in ``text``, and
    each image (pages, feeds and exports show an image's alt text, not the image)."""
    found = []
    for index, url in links(text):
        verdict = judge(url)
        if verdict is not None:
            policy, message, hint = verdict
            found.append((policy, index, message, hint))
    for index in images(text):
        found.append(("image_in_text", index, "an image in Markdown text is shown as its alt text only",
                      "give the entry a figure (figure: src, alt, caption) for the image, or remove it"))
    return sorted(found, key=lambda problem: problem[1])
