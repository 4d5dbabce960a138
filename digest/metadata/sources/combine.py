"""Combine what several sources said about one paper into one record (pure).

A paper may be described by OpenReview (its forum), arXiv and Semantic Scholar at once:
an ``arxiv:`` reference whose arXiv comment links an OpenReview forum, a ``doi:`` reference
whose Semantic Scholar record names an arXiv id, and so on. When they disagree, the first
source in the field's order below that has a value wins (the order follows from each source's
``rank`` and ``precedence`` in :mod:`digest.metadata.sources.registry`); the curator's own words (title,
code link, ...) are applied later, at merge time, and beat all of these.

===========================================================  ===============================
field                                                        order
===========================================================  ===============================
title, authors, abstract, keywords, decision, decision_label  OpenReview, arXiv, Semantic
ratings, confidences, meta_review, openreview_id, forum_url  Scholar (the venue's own record
                                                             is the one of record)
venue, year                                                  OpenReview, Semantic Scholar,
                                                             arXiv (arXiv's year is the
                                                             preprint's, not the venue's)
tldr                                                         OpenReview (the authors' TL;DR),
                                                             Semantic Scholar (generated)
arxiv_id, doi                                                arXiv, Semantic Scholar,
                                                             OpenReview
pdf_url                                                      OpenReview, arXiv, Semantic
                                                             Scholar (open-access copy)
code_url                                                     OpenReview, arXiv (GitHub links
                                                             the authors wrote; never guessed)
citation_count                                               Semantic Scholar
===========================================================  ===============================

The combined record's ``source`` is the first family present in the order OpenReview,
arXiv, Semantic Scholar; ``field_sources`` names the source of every field that came from
another one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.sources.registry import family, order, primary_order

#: Fields that say where and when a record came from rather than what the paper is.
BOOKKEEPING = ("ref", "source", "fetched_at", "field_sources", "answered", "missing")


def combine(ref: PaperRef, parts: Mapping[str, PaperMeta], fetched_at: str) -> PaperMeta | None:
    """One record for ``ref`` from the records each family returned (``None`` if none did)."""
    present = [fam for fam in primary_order() if fam in parts]
    if not present:
        return None
    primary = parts[present[0]]
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    for f in dataclasses.fields(PaperMeta):
        if f.name in BOOKKEEPING:
            continue
        for fam in order(f.name):
            meta = parts.get(fam)
            if meta is None:
                continue
            val = getattr(meta, f.name)
            if val is not None and val != "":  # an empty tuple is an answer too
                values[f.name] = val
                if meta.source != primary.source:
                    sources[f.name] = meta.source
                break
    return PaperMeta(
        ref=ref,
        source=primary.source,
        fetched_at=fetched_at,
        field_sources=dict(sorted(sources.items())),
        **values,  # type: ignore[arg-type]
    )


def stand_ins(old: PaperMeta | None, answered: set[str]) -> dict[str, PaperMeta]:
    """What ``old`` holds from each family that did not answer this time, as that family's part.

    A source that failed (timeout, 5xx, login, a service given up for the run) must neither
    erase what it told us before nor be outranked by a source it beats: passing these parts
    to :func:`combine` with the answers (``{**stand_ins(old, answered), **parts}``) settles
    every field by the usual order, the failed source speaking through its old values. Each
    part has only the fields that came from its family; the others are None.
    """
    if old is None:
        return {}
    by_family: dict[str, dict[str, object]] = {}
    source_of: dict[str, str] = {}
    for f in dataclasses.fields(PaperMeta):
        if f.name in BOOKKEEPING:
            continue
        came_from = old.field_sources.get(f.name, old.source)
        fam = family(came_from)
        val = getattr(old, f.name)
        if fam in answered or val is None or val == "":  # an empty tuple is an answer (as in combine)
            continue
        by_family.setdefault(fam, {})[f.name] = val
        source_of.setdefault(fam, came_from)
    blank = {f.name: None for f in dataclasses.fields(PaperMeta) if f.name not in BOOKKEEPING}
    return {
        fam: PaperMeta(ref=old.ref, source=source_of[fam], fetched_at=old.fetched_at,
                       **{**blank, **values})  # type: ignore[arg-type]
        for fam, values in by_family.items()
    }


def same_content(a: PaperMeta, b: PaperMeta) -> bool:
    """True when two records differ at most in ``fetched_at``."""
    return dataclasses.replace(a, fetched_at="") == dataclasses.replace(b, fetched_at="")
