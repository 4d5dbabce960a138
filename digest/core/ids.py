"""Paper references: parse what curators write or paste, and normalise it.

The canonical form is ``scheme:value``; the schemes (``openreview``, ``arxiv``, ``doi``, ``s2``),
their grammar and the links they can be pasted as are declared in :mod:`digest.core.schemes`.

Nothing here does I/O. Errors are :class:`RefError` with a message and a hint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from digest.core.errors import DigestError
from digest.core.schemes import (
    SCHEMES,
    either,
    link_value,
    named_hosts,
    prefixes,
    scheme_for_host,
    written_forms,
)

_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")
_GITHUB = re.compile(r"https?://(?:www\.)?github\.com/[A-Za-z0-9_.\-]+/[A-Za-z0-9_.\-]+")


class RefError(DigestError):
    """A reference that cannot be understood; ``hint`` says what to write instead."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True, order=True)
class PaperRef:
    """A normalised paper reference, ``scheme:value``."""

    scheme: str
    value: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"

    @functools.cached_property
    def slug(self) -> str:
        """A file- and URL-safe name for this reference (used in paths), one per reference:
        letters, digits, ``.``, ``_`` and ``-`` stay; any other byte becomes ``~`` and two hex
        digits (``doi:10.1145/3292500`` -> ``doi-10.1145~2f3292500``), so no two references share one."""
        safe = _UNSAFE.sub(lambda m: "".join(f"~{b:02x}" for b in m.group(0).encode("utf-8")), self.value)
        return f"{self.scheme}-{safe}"

    @property
    def url(self) -> str:
        """The canonical human-facing page for this reference."""
        return SCHEMES[self.scheme].page.format(value=self.value)

    @property
    def unversioned(self) -> PaperRef:
        """The reference without a pinned version (arXiv); others unchanged."""
        scheme = SCHEMES.get(self.scheme)
        if scheme is None or scheme.version is None:
            return self
        return PaperRef(self.scheme, scheme.unversioned(self.value))


def parse_ref(text: str) -> PaperRef:
    """Parse a reference or a pasted URL into its canonical form.

    >>> str(parse_ref("https://openreview.net/forum?id=ryQu7f-RZ&noteId=abc"))
    'openreview:ryQu7f-RZ'
    >>> str(parse_ref("https://arxiv.org/pdf/1710.10571v2.pdf"))
    'arxiv:1710.10571v2'
    """
    raw = text.strip()
    if not raw:
        raise RefError("empty paper reference", f"write {written_forms()}")
    if re.match(r"^[a-z]+://", raw, re.I) or raw.lower().startswith(("www.", *named_hosts())):
        return _parse_url(raw)
    name, sep, value = raw.partition(":")
    if sep and name.lower() in SCHEMES:
        return _checked(name.lower(), value.strip())
    for scheme in SCHEMES.values():
        bare = scheme.parse_bare(raw)
        if bare is not None:
            return PaperRef(scheme.name, bare)
    if sep:
        raise RefError(f"unknown reference scheme '{name}'", f"use one of {prefixes()} or paste the paper's URL")
    for scheme in SCHEMES.values():
        if scheme.unprefixed and scheme.looks_unprefixed(raw):
            raise RefError(f"'{raw}' has no scheme", scheme.unprefixed.format(raw=raw))
    raise RefError(f"'{raw}' is not a paper reference", f"write {written_forms()}, or paste the paper's URL")


def _checked(name: str, value: str) -> PaperRef:
    scheme = SCHEMES[name]
    canonical = scheme.parse(value)
    if canonical is not None:
        return PaperRef(name, canonical)
    message, hint = scheme.invalid
    raise RefError(message.format(value=value, cleaned=scheme.clean(value)), hint)


def _parse_url(raw: str) -> PaperRef:
    if not re.match(r"^[a-z]+://", raw, re.I):
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError as exc:
        raise RefError(f"'{raw}' is not a valid URL ({exc})", "paste the address from the browser's address bar") from None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    scheme = scheme_for_host(host)
    if scheme is None:
        raise RefError(f"'{host or raw}' is not a site digest knows", f"paste an {either(named_hosts())} link, or write scheme:id")
    value = link_value(scheme, unquote(parts.path), parts.query)
    if value is None:
        message, hint = scheme.not_a_paper
        raise RefError(message.format(raw=raw), hint)
    return _checked(scheme.name, value)


def is_http_url(text: str) -> bool:
    """True for an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in text


def find_github_urls(text: str) -> list[str]:
    """GitHub repository URLs named in free text, in order, without duplicates."""
    seen: list[str] = []
    for m in _GITHUB.finditer(text or ""):
        url = m.group(0).rstrip(".,);]")
        if url.endswith(".git"):
            url = url[:-4]
        if url not in seen:
            seen.append(url)
    return seen
