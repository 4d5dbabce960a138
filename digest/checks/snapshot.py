"""Checks that need more than one file: curated entries against the metadata snapshot.

* an entry whose paper has no record in the snapshot (policy ``missing_metadata``);
* a title the curator wrote in English that does not match the fetched title of that
  reference: the usual sign of a wrong id (policy ``title_mismatch``);
* a paper already covered by an earlier edition (policy ``repeated_paper``);
* two entries of one edition for the same paper: an error when the snapshot ties their
  references (an arXiv record naming its OpenReview forum), a warning when only their
  fetched titles are the same;
* a record with no title, where the curator wrote none either: its pages show the
  reference instead (policy ``missing_metadata``);
* a fetched text holding characters pages and feeds drop: control characters, bidi
  controls and other invisible format characters (policy ``control_characters``), once per
  record and field.

A record that is not what the model declares never gets here: reading it reports why
(:mod:`digest.metadata.record`).

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
from digest.core.text import UNPRINTABLE, named
from digest.metadata.store import site_store
from digest.site.merge import find_meta

#: The fetched texts pages and feeds show.
SHOWN_TEXTS = ("title", "authors", "abstract", "tldr", "venue", "decision_label", "meta_review", "keywords")

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
    store = site_store(project.root)
    judged: set[PaperRef] = set()
    for edition in sorted(project.editions if editions is None else editions, key=lambda e: (e.date, e.slug)):
        in_edition: dict[PaperRef, tuple[int, PaperRef]] = {}
        titled: dict[str, tuple[int, PaperRef, PaperRef]] = {}  # fetched title -> entry, reference, identity
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
            elif meta is not None and normalise_title(meta.title or ""):
                # No id ties them (an arXiv preprint's record rarely names its OpenReview forum):
                # the same fetched title under two references is very likely one paper.
                j, other, their = titled.get(normalise_title(meta.title or ""), (i, entry.paper, ref))
                if their != ref:
                    problems.append(Problem(where, f"{path}.paper",
                                            f"{entry.paper} has the same fetched title as entries[{j}] ({other}): "
                                            f"probably the same paper, '{meta.title}'",
                                            "remove one of the two entries, or keep both if they are different papers",
                                            severity="warning"))
                titled.setdefault(normalise_title(meta.title or ""), (i, entry.paper, ref))
            in_edition.setdefault(ref, (i, entry.paper.unversioned))
            if meta is None:
                # a record that is there but damaged: reading it already said what is wrong
                if not any(store.path_for(r).is_file() for r in (entry.paper, entry.paper.unversioned)):
                    report("missing_metadata", where, f"{path}.paper",
                           f"{entry.paper} has no record in the metadata snapshot",
                           "run digest fetch, or check the reference; until then the entry shows the curator's "
                           "fields only")
            elif not (meta.title or "").strip() and not entry.title.get("en", "").strip():
                report("missing_metadata", where, f"{path}.paper", f"the record of {entry.paper} has no title",
                       "its pages show the reference instead: write the title under title.en, "
                       "or run digest fetch --refresh")
            elif meta.title and entry.title.get("en") and not titles_match(entry.title["en"], meta.title):
                report("title_mismatch", edition.locs.get(f"{path}.title.en", where), f"{path}.title.en",
                       f"'{entry.title['en']}' does not match the fetched title of {entry.paper}, '{meta.title}'",
                       "check the reference: it may point to another paper; or remove title.en to use the fetched one")
            if ref in first_seen and first_seen[ref][0] != edition.slug:
                slug, file = first_seen[ref]
                report("repeated_paper", where, f"{path}.paper", f"{entry.paper} is already covered in edition {slug} ({file})",
                       "keep it if the repeat is intended; set policies.repeated_paper to ignore to silence this")
            first_seen.setdefault(ref, (edition.slug, edition.loc.file))
            if meta is not None and meta.ref not in judged:
                judged.add(meta.ref)
                stops = policies.control_characters == "error"
                for field, message in fetched_characters(meta):
                    report("control_characters", Loc(store.rel_for(meta.ref)), field, message,
                           "pages and feeds would show the text without them, but policies.control_characters "
                           "makes this an error: set it to warning, or run digest fetch --refresh once the "
                           "service has corrected it" if stops else
                           "nothing to do: pages and feeds show the text without them; "
                           "run digest fetch --refresh when the service has corrected it")
    return problems


def fetched_characters(meta: PaperMeta) -> list[tuple[str, str]]:
    """``(field, message)`` for each fetched text of ``meta`` holding characters pages drop."""
    found = []
    for name in SHOWN_TEXTS:
        value = getattr(meta, name)
        texts = [(name, value)] if isinstance(value, str) else [(f"{name}[{i}]", v) for i, v in enumerate(value or ())]
        for field, text in texts:
            chars = list(dict.fromkeys(UNPRINTABLE.findall(text)))
            if chars:
                found.append((field, f"fetched text holds {', '.join(named(c) for c in chars)}, which pages and "
                                     f"feeds drop"))
    return found
