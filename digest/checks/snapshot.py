"""Checks that need more than one file: curated entries against the metadata snapshot.

* an entry whose paper has no record in the snapshot (policy ``missing_metadata``);
* a title the curator wrote in English that does not match the fetched title of that
  reference: the usual sign of a wrong id (policy ``title_mismatch``);
* a paper already covered by an earlier edition (policy ``repeated_paper``).

Everything here is offline: the snapshot is read, never fetched.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Mapping, Sequence

from digest.content.project import Project
from digest.core.errors import Loc, Problem
from digest.core.ids import PaperRef
from digest.core.models import Edition, PaperMeta
from digest.site.merge import find_meta

#: Titles this similar (0..1, after normalising case, punctuation and spaces) count as the same.
TITLE_SIMILARITY = 0.8


def normalise_title(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def titles_match(a: str, b: str) -> bool:
    na, nb = normalise_title(a), normalise_title(b)
    return na == nb or difflib.SequenceMatcher(None, na, nb).ratio() >= TITLE_SIMILARITY


def identity(ref: PaperRef, meta: PaperMeta | None) -> PaperRef:
    """One key per paper, whatever reference names it: its OpenReview forum when the snapshot
    knows one, else its arXiv id, else the reference itself (unversioned)."""
    if meta is not None and meta.openreview_id:
        return PaperRef("openreview", meta.openreview_id)
    if meta is not None and meta.arxiv_id:
        return PaperRef("arxiv", meta.arxiv_id).unversioned
    return ref.unversioned


def snapshot_problems(project: Project, metas: Mapping[PaperRef, PaperMeta],
                      editions: Sequence[Edition] | None = None) -> list[Problem]:
    """Problems of ``editions`` (default: all) against the fetched records ``metas``."""
    policies = project.site.policies
    problems: list[Problem] = []

    def report(policy: str, loc: Loc, field: str, message: str, hint: str) -> None:
        level = getattr(policies, policy)
        if level != "ignore":
            problems.append(Problem(loc, field, message, hint, severity=level))

    first_seen: dict[PaperRef, tuple[str, str]] = {}
    for edition in sorted(project.editions if editions is None else editions, key=lambda e: (e.date, e.slug)):
        in_edition: dict[PaperRef, tuple[int, PaperRef]] = {}
        for i, entry in enumerate(edition.entries):
            path = f"entries[{i}]"
            meta = find_meta(metas, entry.paper)
            ref = identity(entry.paper, meta)
            where = edition.locs.get(f"{path}.paper", entry.loc)
            if ref in in_edition and in_edition[ref][1] != entry.paper.unversioned:
                j, other = in_edition[ref]
                problems.append(Problem(where, f"{path}.paper",
                                        f"{entry.paper} is the same paper as entries[{j}] ({other}), by the snapshot",
                                        "remove one of the two entries"))
            in_edition.setdefault(ref, (i, entry.paper.unversioned))
            if meta is None:
                report("missing_metadata", where, f"{path}.paper", f"{entry.paper} has no record in the metadata snapshot",
                       "run digest fetch, or check the reference; until then the entry shows the curator's fields only")
            elif meta.title and entry.title.get("en") and not titles_match(entry.title["en"], meta.title):
                report("title_mismatch", edition.locs.get(f"{path}.title.en", where), f"{path}.title.en",
                       f"'{entry.title['en']}' does not match the fetched title of {entry.paper}, '{meta.title}'",
                       "check the reference: it may point to another paper; or remove title.en to use the fetched one")
            if ref in first_seen and first_seen[ref][0] != edition.slug:
                slug, file = first_seen[ref]
                report("repeated_paper", where, f"{path}.paper", f"{entry.paper} is already covered in edition {slug} ({file})",
                       "keep it if the repeat is intended; set policies.repeated_paper to ignore to silence this")
            first_seen.setdefault(ref, (edition.slug, edition.loc.file))
    return problems
