"""Paper references: parse what curators write or paste, and normalise it.

The canonical form is ``scheme:value``:

=============  ==========================================  =========================
scheme         value                                       accepted pasted forms
=============  ==========================================  =========================
openreview     forum id (``ryQu7f-RZ``)                     openreview.net/forum?id=…,
                                                           /pdf?id=…, /attachment?id=…
arxiv          ``1710.10571`` or ``1710.10571v2`` (a        arxiv.org/abs/…, /pdf/…,
               version is kept only when written),          ``arXiv:1710.10571``, a
               old style ``cs/0601001``                     bare new-style id
doi            ``10.1234/abc`` (lower-cased: DOIs are       doi.org/…, dx.doi.org/…,
               case-insensitive)                           a bare ``10.…`` DOI
s2             Semantic Scholar corpus id (digits) or       semanticscholar.org/paper/…
               40-hex paper id
=============  ==========================================  =========================

Nothing here does I/O. Errors are :class:`RefError` with a message and a hint.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from digest.core.errors import DigestError

SCHEMES = ("openreview", "arxiv", "doi", "s2")

_OPENREVIEW_ID = re.compile(r"^[A-Za-z0-9_\-]{5,20}$")
_ARXIV_NEW = re.compile(r"^(\d{4}\.\d{4,5})(v[1-9]\d*)?$")
_ARXIV_OLD = re.compile(r"^([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v[1-9]\d*)?$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_S2 = re.compile(r"^(?:\d{1,12}|[0-9a-f]{40})$")
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
        return {
            "openreview": f"https://openreview.net/forum?id={self.value}",
            "arxiv": f"https://arxiv.org/abs/{self.value}",
            "doi": f"https://doi.org/{self.value}",
            "s2": f"https://www.semanticscholar.org/paper/{self.value}",
        }[self.scheme]

    @property
    def unversioned(self) -> PaperRef:
        """For arXiv, the reference without a pinned version; others unchanged."""
        if self.scheme == "arxiv":
            return PaperRef("arxiv", re.sub(r"v\d+$", "", self.value))
        return self


def parse_ref(text: str) -> PaperRef:
    """Parse a reference or a pasted URL into its canonical form.

    >>> str(parse_ref("https://openreview.net/forum?id=ryQu7f-RZ&noteId=abc"))
    'openreview:ryQu7f-RZ'
    >>> str(parse_ref("https://arxiv.org/pdf/1710.10571v2.pdf"))
    'arxiv:1710.10571v2'
    """
    raw = text.strip()
    if not raw:
        raise RefError("empty paper reference", "write openreview:<forum id>, arxiv:<id>, doi:<doi> or s2:<id>")
    if re.match(r"^[a-z]+://", raw, re.I) or raw.lower().startswith(("www.", "openreview.net", "arxiv.org", "doi.org")):
        return _parse_url(raw)
    scheme, sep, value = raw.partition(":")
    if sep and scheme.lower() in SCHEMES:
        return _checked(scheme.lower(), value.strip(), raw)
    if _ARXIV_NEW.match(raw):
        return PaperRef("arxiv", raw)
    if _DOI.match(raw):
        return PaperRef("doi", raw.lower())
    if sep:
        raise RefError(
            f"unknown reference scheme '{scheme}'",
            "use one of openreview:, arxiv:, doi:, s2: or paste the paper's URL",
        )
    if _OPENREVIEW_ID.match(raw):
        raise RefError(
            f"'{raw}' has no scheme",
            f"write openreview:{raw} if it is an OpenReview forum id",
        )
    raise RefError(
        f"'{raw}' is not a paper reference",
        "write openreview:<forum id>, arxiv:<id>, doi:<doi> or s2:<id>, or paste the paper's URL",
    )


def _checked(scheme: str, value: str, raw: str) -> PaperRef:
    if scheme == "openreview":
        if _OPENREVIEW_ID.match(value):
            return PaperRef(scheme, value)
        raise RefError(
            f"'{value}' is not an OpenReview forum id",
            "copy the id= part of the paper's openreview.net/forum link",
        )
    if scheme == "arxiv":
        m = _ARXIV_NEW.match(value) or _ARXIV_OLD.match(value)
        if m:
            return PaperRef(scheme, value)
        raise RefError(
            f"'{value}' is not an arXiv id",
            "write it as arxiv:1710.10571, or arxiv:1710.10571v2 to pin a version",
        )
    if scheme == "doi":
        value = unquote(value)
        if _DOI.match(value):
            return PaperRef(scheme, value.lower())
        raise RefError(f"'{value}' is not a DOI", "a DOI starts with 10. and has a slash, as in doi:10.1145/3292500")
    if _S2.match(value.lower()):
        return PaperRef(scheme, value.lower())
    raise RefError(
        f"'{value}' is not a Semantic Scholar id",
        "write the corpus id (digits) or the 40-character paper id",
    )


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
    path = unquote(parts.path)
    if host in ("openreview.net", "api.openreview.net", "api2.openreview.net"):
        ids = parse_qs(parts.query).get("id")
        if ids and path.rstrip("/") in ("/forum", "/pdf", "/attachment", "/notes"):
            return _checked("openreview", ids[0], raw)
        raise RefError(
            f"'{raw}' is not a link to an OpenReview paper",
            "paste the paper's link, as in https://openreview.net/forum?id=ryQu7f-RZ",
        )
    if host in ("arxiv.org", "export.arxiv.org"):
        m = re.match(r"^/(?:abs|pdf|html|format)/(.+?)(?:\.pdf)?/?$", path)
        if m:
            return _checked("arxiv", m.group(1), raw)
        raise RefError(
            f"'{raw}' is not a link to an arXiv paper",
            "paste the abstract page's link, as in https://arxiv.org/abs/1710.10571",
        )
    if host in ("doi.org", "dx.doi.org"):
        return _checked("doi", path.lstrip("/"), raw)
    if host in ("semanticscholar.org", "api.semanticscholar.org"):
        last = path.rstrip("/").rsplit("/", 1)[-1]
        return _checked("s2", last, raw)
    raise RefError(
        f"'{host or raw}' is not a site digest knows",
        "paste an openreview.net, arxiv.org or doi.org link, or write scheme:id",
    )


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
