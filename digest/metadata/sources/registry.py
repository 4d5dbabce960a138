"""The metadata sources, declared once: each one's name, pace, credentials, base URLs, batch
size, request, parsing and the fields it is trusted for.

:mod:`digest.metadata.http` paces, authenticates and names services from here,
:mod:`digest.metadata.fetch` asks every source in :data:`SOURCES` order, and
:mod:`digest.metadata.sources.combine` settles conflicts by each source's precedence. A new
source is one :func:`register` call (a module of its own for the request and the parsing).

Translation providers (:data:`PROVIDERS`, :func:`register_provider`) are sources of the same
kind, declared the same way (name, pace, base URL, error messages), so the HTTP client paces,
retries and scrubs them as it does the metadata services. They are kept apart from
:data:`SOURCES` because the fetch stage starts a worker for every entry there and ranks it
for the fields of a paper record, and a provider answers neither; ``digest translate`` asks
them instead. A provider's key is named by the site (``translation.key_env``), so it is not
among the fixed ``credentials``: the client is told it when it is made.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.sources import arxiv, chat, openreview, s2
from digest.metadata.sources.base import Request

#: ``request(urls, ids, secrets)``: ``urls`` maps every URL setting's key to its base URL,
#: ``secrets`` every credential's variable to its value (None when unset).
BuildRequest = Callable[[Mapping[str, str], Sequence[str], Mapping[str, str | None]], Request]
#: ``parse(body, ids, fetched_at, content_type)``: a record (or None: not known) per asked id.
Parse = Callable[[bytes, Sequence[str], str, str], Mapping[str, PaperMeta | None]]


@dataclass(frozen=True)
class URLSetting:
    """A base URL: the site's ``services.<key>`` when the site model has it, else ``default``;
    the environment variable ``env`` overrides either."""

    key: str
    env: str
    default: str = ""


@dataclass(frozen=True, eq=False)
class Source:
    """One metadata service. ``name`` is its pacing bucket, its ``Request.source`` and the
    family of its records' ``source`` (``openreview`` for ``openreview-v1``)."""

    name: str
    display: str
    #: Seconds from the end of one request to the start of the next.
    interval: float
    urls: tuple[URLSetting, ...]
    batch_size: int
    #: Where it stands when sources disagree (lower wins), for every field not in ``precedence``.
    rank: int
    #: Per field, a rank other than ``rank``; None: never taken from this source.
    precedence: Mapping[str, int | None] = field(default_factory=dict)
    #: Environment variables holding its credentials (read from nowhere else; scrubbed).
    credentials: tuple[str, ...] = ()
    #: Hints added to a refusal, per HTTP status; ``anonymous_refusals`` when none of the
    #: source's credentials is set (a hint about a key that was never sent would mislead).
    refusals: Mapping[int, str] = field(default_factory=dict)
    anonymous_refusals: Mapping[int, str] = field(default_factory=dict)
    #: The ``message`` of an error body ("" when none).
    error_message: Callable[[bytes], str] = lambda body: ""
    #: For sources asked directly: the schemes of the references they look up, how they name
    #: a reference, the request for a batch of names and the parser of its answer.
    schemes: tuple[str, ...] = ()
    paper_id: Callable[[PaperRef], str] | None = None
    request: BuildRequest | None = None
    parse: Parse | None = None

    def rank_of(self, name: str) -> int | None:
        return self.precedence.get(name, self.rank)


#: Every source, in the order the fetch stage asks them (later ones learn from earlier ones).
SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    """Add ``source`` (after those already there); returns it."""
    SOURCES[source.name] = source
    return source


#: Translation providers, by name (see the module docstring).
PROVIDERS: dict[str, Source] = {}


def register_provider(source: Source) -> Source:
    """Add a translation provider; returns it."""
    PROVIDERS[source.name] = source
    return source


def credentials() -> tuple[str, ...]:
    """Every credential variable of every source."""
    return tuple(var for source in SOURCES.values() for var in source.credentials)


def family(source: str) -> str:
    """The registered source a record's ``source`` belongs to (``openreview-v1`` -> ``openreview``)."""
    for name in SOURCES:
        if source == name or source.startswith(name + "-"):
            return name
    return source


def display(source: str) -> str:
    """``Semantic Scholar`` for ``s2``; an unknown name as it is."""
    found = SOURCES.get(family(source)) or PROVIDERS.get(source)
    return found.display if found else source


def order(name: str) -> tuple[str, ...]:
    """The sources a field is taken from, the one that wins first."""
    return _orders(tuple(SOURCES.values())).get(name, ())


def primary_order() -> tuple[str, ...]:
    """Sources by ``rank``: the first present names the combined record's ``source``."""
    return tuple(s.name for s in sorted(SOURCES.values(), key=lambda s: s.rank))


@functools.cache
def _orders(sources: tuple[Source, ...]) -> dict[str, tuple[str, ...]]:
    out = {}
    for name in PaperMeta.__dataclass_fields__:
        ranked = [(s.rank_of(name), i, s.name) for i, s in enumerate(sources) if s.rank_of(name) is not None]
        out[name] = tuple(n for _, _, n in sorted(ranked))  # type: ignore[type-var]
    return out


register(Source(
    name="s2",
    display="Semantic Scholar",
    interval=1.0,  # what a key is given (see http's docstring)
    urls=(URLSetting("semantic_scholar", "DIGEST_S2_URL"),),
    batch_size=s2.BATCH_SIZE,
    rank=2,
    precedence={"venue": 1, "year": 1, "arxiv_id": 1, "doi": 1, "code_url": None},
    credentials=("S2_API_KEY",),
    refusals={403: "Semantic Scholar refuses an unknown key: check S2_API_KEY"},
    # APIS.md section 3: 403 means a bad key (s2-folks FAQ); without a key the refusal is of
    # the anonymous pool or of this address
    anonymous_refusals={403: "no S2_API_KEY is set: Semantic Scholar refuses anonymous requests from "
                             "here; try again later, or set S2_API_KEY to a key of your own"},
    error_message=s2.error_message,
    schemes=("arxiv", "doi", "s2"),
    paper_id=s2.paper_id,
    request=lambda urls, ids, secrets: s2.batch_request(urls["semantic_scholar"], ids, secrets["S2_API_KEY"]),
    parse=s2.parse_batch,
))
register(Source(
    name="arxiv",
    display="arXiv",
    interval=3.0,  # arXiv's terms of use
    urls=(URLSetting("arxiv", "DIGEST_ARXIV_URL"),),
    batch_size=arxiv.BATCH_SIZE,
    rank=1,
    precedence={"venue": 2, "year": 2, "arxiv_id": 0, "doi": 0, "tldr": None, "citation_count": None},
    request=lambda urls, ids, secrets: arxiv.query_request(urls["arxiv"], ids),
))
register(Source(
    name="openreview",
    display="OpenReview",
    interval=1.0,  # no published limit
    urls=(URLSetting("openreview", "DIGEST_OPENREVIEW_URL"), URLSetting("openreview_v1", "DIGEST_OPENREVIEW_V1_URL")),
    batch_size=openreview.BATCH_SIZE,
    rank=0,
    precedence={"arxiv_id": 2, "doi": 2, "citation_count": None},
    credentials=("OPENREVIEW_USERNAME", "OPENREVIEW_PASSWORD"),
    error_message=lambda body: openreview.error_of(body)[1],
))
register_provider(Source(
    name=chat.SOURCE,
    display="Translation provider",
    interval=1.0,  # the site's translation.interval replaces it
    urls=(URLSetting("translation", "DIGEST_TRANSLATION_URL"),),
    batch_size=1,  # one text per request: a long abstract and its answer fill a request
    rank=99,
    precedence={name: None for name in PaperMeta.__dataclass_fields__},
    refusals={401: "the provider refuses the key: check the variable translation.key_env names",
              403: "the provider refuses the key or the model: check translation.key_env and translation.model",
              404: "no such model or address: check translation.base_url and translation.model"},
    anonymous_refusals={401: "no key was sent: set translation.key_env in content/site.yaml and that variable",
                        404: "no such model or address: check translation.base_url and translation.model"},
    error_message=chat.error_message,
))
