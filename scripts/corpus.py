"""The bundled ICLR corpus: JSON-lines records of real submissions, parsed into PaperMeta.

The corpus (``tests/data/iclr<year>.jsonl.gz``, described in ``tests/data/README.md``) holds
one JSON object per line with these 13 keys, always present and in this order::

    venue year forum title authors abstract keywords tldr decision ratings confidences
    arxiv_id pdf

``null`` means the source of that year lacks the field; ``[]`` means it has the field and
it is empty. ``decision`` is the source's status label (``Oral``, ``Talk``, ``Spotlight``,
``Top-5%``, ``Poster`` ...), not OpenReview's own decision string.

The corpus stands in for OpenReview where the network is not wanted: it seeds the example
site's snapshot, backs the local mock server of the fetch tests, and feeds the benchmarks.
Records are taken as they are: titles keep their case, author lists keep OpenReview's ``*``
equal-contribution marks, and the one broken record (2017, ``SJUdkecgx``: no title, authors
or abstract) parses into a record with those fields ``None``.

Nothing here looks at the clock: ``fetched_at`` is the date of the corpus snapshot
(:data:`CORPUS_FETCHED_AT`) or whatever the caller passes.

A line that is not a corpus record raises :class:`~digest.core.errors.FetchError` naming the file
and line, since the corpus plays the part of a service whose answer cannot be used.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from digest.core.errors import FetchError
from digest.core.ids import PaperRef, find_github_urls
from digest.core.models import PaperMeta

#: When the corpus was taken: the HEAD date of the paperlists snapshot it was built from.
CORPUS_FETCHED_AT = "2026-02-23T00:00:00Z"

#: The corpus's status labels, mapped onto :data:`digest.core.models.DECISIONS` (``Talk`` is ICLR
#: 2020's word for an oral, ``Top-5%`` and ``Top-25%`` are ICLR 2023's).
DECISION_LABELS: dict[str, str] = {
    "Oral": "oral",
    "Talk": "oral",
    "Top-5%": "oral",
    "Spotlight": "spotlight",
    "Top-25%": "spotlight",
    "Poster": "poster",
    "Workshop": "workshop",
    "Reject": "reject",
    "Withdraw": "withdrawn",
    "Desk Reject": "desk-reject",
    "Active": "pending",
}


class RecordError(FetchError):
    """One record does not have the corpus shape; the message says which field and why.

    :func:`iter_corpus` re-raises it as a plain :class:`FetchError` with ``file:line``.
    """


def normalise_decision(label: str) -> str:
    """The :data:`~digest.core.models.DECISIONS` value for a corpus status label.

    >>> normalise_decision("Talk")
    'oral'
    """
    try:
        return DECISION_LABELS[label]
    except KeyError:
        known = ", ".join(DECISION_LABELS)
        raise RecordError(f"decision: unknown label {label!r} (expected one of {known})") from None


def parse_record(record: Mapping[str, Any], fetched_at: str = CORPUS_FETCHED_AT) -> PaperMeta:
    """Turn one decoded corpus line into a :class:`PaperMeta` with ``source="corpus"``.

    Raises :class:`RecordError` when a field has the wrong type or the decision label is
    unknown. Missing optional values stay ``None`` (or an empty tuple for lists).
    """
    if not isinstance(record, Mapping):
        raise RecordError(f"expected a JSON object, found {type(record).__name__}")
    forum = _text(record, "forum", required=True)
    year = record.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise RecordError(f"year: expected an integer, found {year!r}")
    venue = _text(record, "venue") or "ICLR"
    label = _text(record, "decision")
    abstract = _text(record, "abstract")
    urls = find_github_urls(abstract or "")
    ref = PaperRef("openreview", forum)
    return PaperMeta(
        ref=ref,
        source="corpus",
        fetched_at=fetched_at,
        title=_text(record, "title"),
        authors=_strings(record, "authors"),
        abstract=abstract,
        keywords=_strings(record, "keywords") or (),
        tldr=_text(record, "tldr"),
        venue=f"{venue} {year}",
        year=year,
        decision=normalise_decision(label) if label is not None else None,
        decision_label=label,
        ratings=_ints(record, "ratings") or (),
        confidences=_ints(record, "confidences"),
        openreview_id=forum,
        arxiv_id=_text(record, "arxiv_id"),
        forum_url=ref.url,
        pdf_url=_text(record, "pdf") or f"https://openreview.net/pdf?id={forum}",
        code_url=urls[0] if urls else None,
    )


def iter_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Each line of a ``.jsonl`` or ``.jsonl.gz`` file as ``(line number, decoded object)``.

    Blank lines are skipped. A file that cannot be read or a line that is not JSON raises
    :class:`FetchError` with ``file:line`` in the message.
    """
    path = Path(path)
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line)
                except ValueError as exc:
                    raise FetchError(
                        f"{path}:{number}: error: not a JSON line ({exc}) "
                        "(the corpus file is damaged: restore it from version control)"
                    ) from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise FetchError(f"{path}: error: cannot read the corpus file ({reason})") from None


def iter_corpus(path: Path, fetched_at: str = CORPUS_FETCHED_AT) -> Iterator[PaperMeta]:
    """Every record of a corpus file (``.jsonl`` or ``.jsonl.gz``) as a :class:`PaperMeta`.

    A record of the wrong shape raises :class:`FetchError` naming the file, line and field.
    """
    for number, record in iter_records(path):
        yield parse_line(path, number, record, fetched_at)


def parse_line(path: Path, number: int, record: Any, fetched_at: str = CORPUS_FETCHED_AT) -> PaperMeta:
    """:func:`parse_record`, with a shape error reported as ``file:line`` :class:`FetchError`."""
    try:
        return parse_record(record, fetched_at)
    except RecordError as exc:
        raise FetchError(f"{path}:{number}: error: {exc} (not a corpus record)") from None


# --------------------------------------------------------------------------- field readers


def _text(record: Mapping[str, Any], key: str, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            raise RecordError(f"{key}: missing")
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key}: expected a string, found {type(value).__name__}")
    if required and not value.strip():
        raise RecordError(f"{key}: empty")
    return value


def _strings(record: Mapping[str, Any], key: str) -> tuple[str, ...] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RecordError(f"{key}: expected a list of strings, found {value!r}")
    return tuple(value)


def _ints(record: Mapping[str, Any], key: str) -> tuple[int, ...] | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise RecordError(f"{key}: expected a list of integers, found {value!r}")
    return tuple(value)
