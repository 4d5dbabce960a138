"""Every address in an export made one a reader's editor or mail client can follow.

A page on the site can use a relative link (``../papers/x/``) or an ``http`` image: the
browser resolves it against the page. A pasted WeChat article, a Zhihu document or an email
has no page to resolve against, and WeChat, Zhihu and the mail clients take https images only.
So every link and image of an export is made absolute against the edition's address,
``http`` becomes ``https`` (with a warning: the curator should check the address works), and
unsafe characters are percent-encoded. An address that cannot be made https (``ftp:``,
``data:``, ``javascript:``) is dropped with a warning naming it: the text around it stays.
"""

from __future__ import annotations

import re
from html import escape, unescape
from urllib.parse import quote, unquote, urljoin, urlsplit

#: A Markdown link or image with an inline destination: <...>, or a bare one, which CommonMark
#: lets hold balanced parentheses (``https://en.wikipedia.org/wiki/Adam_(optimizer)``).
_LINK = re.compile(r"(!?\[(?:\\.|[^\]\\])*\]\()(<[^>\n]*>|(?:[^()\s\\]|\\.|\((?:[^()\s\\]|\\.)*\))+)"
                   r"((?:\s+\"[^\"]*\")?\))")
#: What may stay unencoded in a URL (RFC 3986 reserved and unreserved characters, and %), less the
#: parentheses, which would end a Markdown link destination.
URL_SAFE = "%:/?#[]@!$&'*+,;=-._~"


def absolute_https(url: str, base: str) -> tuple[str, bool]:
    """``url`` made absolute (against ``base``), https, with unsafe characters percent-encoded;
    and whether it was ``http`` before."""
    url = urljoin(base, url.strip())
    was_http = urlsplit(url).scheme == "http"
    if was_http:
        url = "https" + url[len("http"):]
    return quote(url, safe=URL_SAFE), was_http


class Addresses:
    """The address fixer of one export: call it with an address as written, get the address to
    write (``None``: drop it). Addresses are made absolute, and ``https`` unless ``https`` is
    false (the markdown export, whose readers follow http); those starting with one of ``keep``
    pass as they are. What it changed or dropped is in :attr:`warnings`, one sentence per
    address, in order of first use."""

    def __init__(self, base: str, channel: str, keep: tuple[str, ...] = ("mailto:",), https: bool = True):
        self.base = base
        self.channel = channel
        self.keep = keep
        self.https = https
        self._warnings: dict[str, None] = {}

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(self._warnings)

    def warn(self, sentence: str) -> None:
        """Add a warning of the export's own (once)."""
        self._warnings[sentence] = None

    def __call__(self, url: str) -> str | None:
        url = url.strip()
        if url.startswith(self.keep):
            return url
        scheme = urlsplit(url).scheme.lower()
        if scheme and scheme not in ("http", "https"):
            self._warnings[f"{url}: {self.channel} takes http and https addresses only; left out (the text stays)"] = None
            return None
        if not self.https:
            return quote(urljoin(self.base, url), safe=URL_SAFE)
        fixed, was_http = absolute_https(url, self.base)
        if was_http:
            self._warnings[f"{url}: {self.channel} needs https; exported as {fixed} (check that it works)"] = None
        return fixed


def fix_links(markdown: str, addresses: Addresses, angled: bool = True) -> str:
    """Every Markdown link and image destination as ``addresses`` gives it; a link it leaves out
    becomes its text, an image its alt text. A destination written ``<...>`` keeps its angle
    brackets when ``angled`` (Zhihu's importer reads bare ones only: there it is false)."""

    def one(match: re.Match[str]) -> str:
        target = match.group(2)
        bracketed = target.startswith("<")
        fixed = addresses(target[1:-1] if bracketed else target)
        if fixed is None:
            return match.group(1)[2:-2] if match.group(1).startswith("!") else match.group(1)[1:-2]
        if bracketed and angled:
            fixed = f"<{fixed}>"
        return match.group(1) + fixed + match.group(3)

    return _LINK.sub(one, markdown)


_IMG = re.compile(r"<img\b[^>]*>")
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


def images_checked(html: str, addresses: Addresses) -> str:
    """Sanitised export HTML with every image readable where it is pasted or sent: an image
    whose address was left out (a ``data:`` URL...) becomes its alt text; one with no alt text
    gets its file's name as one, with a warning (a template's image, since digest's own always
    have one)."""
    def one(match: re.Match[str]) -> str:
        found = dict(_ATTRIBUTE.findall(match.group(0)))
        if not found.get("src"):
            return found.get("alt", "")
        if "alt" not in found:
            name = unquote(urlsplit(unescape(found["src"])).path.rstrip("/").rsplit("/", 1)[-1]) or "image"
            addresses.warn(f"{found['src']}: an image without alt text in the {addresses.channel} export; exported "
                           f"with its file name, {name!r}, as its alt text (give it alt text in the template)")
            return match.group(0).replace("<img", f'<img alt="{escape(name)}"', 1)
        return match.group(0)

    return _IMG.sub(one, html)
