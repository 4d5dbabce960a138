"""The reference schemes, declared once: what an ``openreview:``, ``arxiv:``, ``doi:`` or ``s2:``
value looks like, its canonical form, the links it can be pasted as, and what messages say.

:mod:`digest.core.ids` parses with these, :mod:`digest.content.schema` writes their JSON
Schema pattern, the validator's examples and the snapshot's folders come from here. A new
scheme is one more :class:`Scheme` in :data:`SCHEMES`. Patterns are written in the part of
regular-expression syntax that Python and JSON Schema (ECMA 262) share.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote


def _same(value: str) -> str:
    return value


@dataclass(frozen=True)
class Scheme:
    """One reference scheme. ``value`` is the grammar of the part after ``name:``."""

    name: str
    #: The value's grammar (matched whole), after ``clean``.
    value: str
    #: The canonical page of a reference, with ``{value}``.
    page: str
    #: What messages write for the value: ``openreview:<forum id>``.
    placeholder: str
    #: ``(message, hint)`` for a value that does not match, with ``{value}`` (as written) or
    #: ``{cleaned}`` (after ``clean``).
    invalid: tuple[str, str]
    #: Applied before matching (``unquote`` for DOIs, lower case for Semantic Scholar ids).
    clean: Callable[[str], str] = _same
    #: Applied after matching: the canonical value.
    canonical: Callable[[str], str] = _same
    #: A value accepted without its ``name:`` prefix (matched whole), or None.
    bare: str | None = None
    #: Hosts of pasted links (``www.`` is dropped first); the first is the one messages name.
    hosts: tuple[str, ...] = ()
    #: Whether messages list the first host among the sites to paste from.
    named_host: bool = True
    #: The value in a pasted link: ``(path, query) -> value`` (None: not a paper's link).
    from_link: Callable[[str, Mapping[str, list[str]]], str | None] | None = None
    #: ``(message, hint)`` for a link of these hosts that is not a paper's, with ``{raw}``.
    not_a_paper: tuple[str, str] = ("'{raw}' is not a link to a paper", "paste the paper's own link")
    #: JSON Schema: what follows ``https?://(www\\.)?`` in a pasted link of this scheme.
    link_pattern: str = ""
    #: A hint for a bare value that looks like one of this scheme's (``{raw}``), or None.
    unprefixed: str | None = None
    #: The version suffix a value may pin (arXiv), removed by ``PaperRef.unversioned``.
    version: str | None = None
    #: A reference written in messages and examples.
    example: str = ""

    def parse(self, value: str) -> str | None:
        """The canonical value of ``value``, or None when it is not one of this scheme's."""
        cleaned = self.clean(value)
        return self.canonical(cleaned) if _compile(self.value).fullmatch(cleaned) else None

    def parse_bare(self, text: str) -> str | None:
        """The canonical value of ``text`` written without ``name:``, or None."""
        if self.bare is None or not _compile(self.bare).fullmatch(text):
            return None
        return self.canonical(text)

    def looks_unprefixed(self, text: str) -> bool:
        return self.unprefixed is not None and _compile(self.value).fullmatch(text) is not None

    def unversioned(self, value: str) -> str:
        return re.sub(f"(?:{self.version})$", "", value) if self.version else value


@functools.cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern})")


def _openreview_link(path: str, query: Mapping[str, list[str]]) -> str | None:
    ids = query.get("id")
    return ids[0] if ids and path.rstrip("/") in ("/forum", "/pdf", "/attachment", "/notes") else None


def _arxiv_link(path: str, query: Mapping[str, list[str]]) -> str | None:
    m = re.match(r"^/(?:abs|pdf|html|format)/(.+?)(?:\.pdf)?/?$", path)
    return m.group(1) if m else None


_ARXIV_NEW = r"\d{4}\.\d{4,5}"
_ARXIV_OLD = r"[a-z\-]+(\.[A-Z]{2})?/\d{7}"
_ARXIV_VERSION = r"v[1-9]\d*"

OPENREVIEW = Scheme(
    name="openreview",
    value=r"[A-Za-z0-9_\-]{5,20}",
    page="https://openreview.net/forum?id={value}",
    placeholder="<forum id>",
    invalid=("'{value}' is not an OpenReview forum id", "copy the id= part of the paper's openreview.net/forum link"),
    hosts=("openreview.net", "api.openreview.net", "api2.openreview.net"),
    from_link=_openreview_link,
    not_a_paper=(
        "'{raw}' is not a link to an OpenReview paper",
        "paste the paper's link, as in https://openreview.net/forum?id=ryQu7f-RZ",
    ),
    link_pattern=r"openreview\.net/(forum|pdf|attachment)\?(\S*&)?id=",
    unprefixed="write openreview:{raw} if it is an OpenReview forum id",
    example="openreview:ryQu7f-RZ",
)
ARXIV = Scheme(
    name="arxiv",
    value=f"({_ARXIV_NEW}|{_ARXIV_OLD})({_ARXIV_VERSION})?",
    page="https://arxiv.org/abs/{value}",
    placeholder="<id>",
    invalid=("'{value}' is not an arXiv id", "write it as arxiv:1710.10571, or arxiv:1710.10571v2 to pin a version"),
    bare=f"{_ARXIV_NEW}({_ARXIV_VERSION})?",
    hosts=("arxiv.org", "export.arxiv.org"),
    from_link=_arxiv_link,
    not_a_paper=(
        "'{raw}' is not a link to an arXiv paper",
        "paste the abstract page's link, as in https://arxiv.org/abs/1710.10571",
    ),
    link_pattern=r"(export\.)?arxiv\.org/(abs|pdf|html)/",
    version=r"v\d+",
    example="arxiv:1710.10571",
)
DOI = Scheme(
    name="doi",
    value=r"10\.\d{4,9}/\S+",
    page="https://doi.org/{value}",
    placeholder="<doi>",
    invalid=("'{cleaned}' is not a DOI", "a DOI starts with 10. and has a slash, as in doi:10.1145/3292500"),
    clean=unquote,
    canonical=str.lower,
    bare=r"10\.\d{4,9}/\S+",
    hosts=("doi.org", "dx.doi.org"),
    from_link=lambda path, query: path.lstrip("/"),
    link_pattern=r"(dx\.)?doi\.org/10\.",
    example="doi:10.1145/3292500",
)
S2 = Scheme(
    name="s2",
    value=r"(\d{1,12}|[0-9a-fA-F]{40})",
    page="https://www.semanticscholar.org/paper/{value}",
    placeholder="<id>",
    invalid=("'{value}' is not a Semantic Scholar id", "write the corpus id (digits) or the 40-character paper id"),
    clean=str.lower,
    hosts=("semanticscholar.org", "api.semanticscholar.org"),
    named_host=False,
    from_link=lambda path, query: path.rstrip("/").rsplit("/", 1)[-1],
    link_pattern=r"semanticscholar\.org/paper/",
    example="s2:215416146",
)

#: Every scheme, in the order messages list them; bare values are tried in this order too.
SCHEMES: dict[str, Scheme] = {s.name: s for s in (OPENREVIEW, ARXIV, DOI, S2)}


def scheme_for_host(host: str) -> Scheme | None:
    """The scheme whose links ``host`` serves (without ``www.``)."""
    for scheme in SCHEMES.values():
        if host in scheme.hosts:
            return scheme
    return None


def link_value(scheme: Scheme, path: str, query: str) -> str | None:
    """The value a pasted link of ``scheme`` names (the path already unquoted)."""
    assert scheme.from_link is not None
    return scheme.from_link(path, parse_qs(query))


def written_forms() -> str:
    """``openreview:<forum id>, arxiv:<id>, doi:<doi> or s2:<id>``."""
    return either([f"{s.name}:{s.placeholder}" for s in SCHEMES.values()])


def prefixes() -> str:
    """``openreview:, arxiv:, doi:, s2:``."""
    return ", ".join(f"{s.name}:" for s in SCHEMES.values())


def named_hosts() -> tuple[str, ...]:
    """The sites messages suggest pasting from: ``openreview.net``, ``arxiv.org``, ``doi.org``."""
    return tuple(s.hosts[0] for s in SCHEMES.values() if s.hosts and s.named_host)


def json_pattern() -> str:
    """The JSON Schema pattern of a reference field: any scheme's form, or a pasted link."""
    written = "|".join(f"{s.name}:{s.value}" for s in SCHEMES.values())
    links = "|".join(s.link_pattern for s in SCHEMES.values() if s.link_pattern)
    return rf"^({written}|https?://(www\.)?({links})\S+)$"


def either(items: Sequence[str]) -> str:
    """``a, b or c``."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"
