"""``digest status``: how far each edition is, for the curator planning the week.

Per edition: entries, notes and abstracts written per language (counts and percent),
records missing from the snapshot, whether it is a draft, and whether its date is still
ahead of the as-of date (scheduled); and how the Chinese of its titles, abstracts, TL;DRs and
meta-reviews stands: the curator's own, approved machine drafts, machine drafts, the original. Also as JSON for scripts and CI dashboards.

A text counts as written when it holds no ``<<placeholder>>``; in a derived language
(zh-Hant) it counts when it is written in that language or in the one it is derived from.
Drafts are listed, placeholders and all; a draft digest cannot read at all (a YAML error,
an unknown field) is named on standard error.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TextIO

from digest.checks.drafts import guard
from digest.content.project import Project
from digest.content.validate import DRAFT_HINT, PLACEHOLDER
from digest.core.ids import PaperRef
from digest.core.languages import DERIVED
from digest.core.models import TRANSLATABLE, PaperMeta
from digest.metadata.drafts import curated, english_text, site_drafts, source_hash
from digest.site.merge import find_meta


@dataclass(frozen=True)
class EditionStatus:
    slug: str
    file: str
    date: str
    draft: bool
    scheduled: bool
    entries: int
    notes: dict[str, int]
    abstracts: dict[str, int]
    missing_records: list[str]
    #: The translatable texts (title, abstract, TL;DR, meta-review) of the edition's papers in
    #: Chinese: the curator's own, approved machine drafts (the curator's text is still the
    #: draft's words), machine drafts fit to show, and those shown in the English original.
    translations: dict[str, int] = field(default_factory=dict)

    def percent(self, counts: dict[str, int], lang: str) -> int:
        return round(100 * counts.get(lang, 0) / self.entries) if self.entries else 100


def translation_counts(edition, metas: dict[PaperRef, PaperMeta], drafts, lang: str = "zh") -> dict[str, int]:
    """How the Chinese of the edition's translatable texts stands (see :class:`EditionStatus`)."""
    counts = {"curator": 0, "approved": 0, "machine": 0, "original": 0}
    for entry in edition.entries:
        meta = find_meta(metas, entry.paper)
        found = drafts.get(entry.paper, {})
        for name in TRANSLATABLE:
            own, english = curated(name, entry, lang), english_text(name, entry, meta)
            draft = found.get((name, lang))
            if own is not None:
                approved = draft is not None and draft.text.strip() == own.strip()
                counts["approved" if approved else "curator"] += 1
            elif english is not None:
                fit = draft is not None and draft.source == source_hash(english) and not guard(english, draft.text, lang)
                counts["machine" if fit else "original"] += 1
    return counts


def edition_status(project: Project, metas: dict[PaperRef, PaperMeta], as_of: date) -> list[EditionStatus]:
    out = []
    chinese = "zh" in project.site.languages
    drafts = site_drafts(project.root).load() if chinese else {}
    languages = project.site.languages
    for ed in project.editions:
        notes = {lang: sum(1 for e in ed.entries if written(e.note, lang, languages)) for lang in languages}
        abstracts = {}
        for lang in languages:
            count = 0
            for e in ed.entries:
                meta = find_meta(metas, e.paper)
                # an abstract counts in a language when the curator wrote it, or, for English,
                # when the fetched (original) abstract is there
                if written(e.abstract, lang, languages) or (lang == "en" and meta is not None and meta.abstract):
                    count += 1
            abstracts[lang] = count
        missing = sorted(str(e.paper) for e in ed.entries if find_meta(metas, e.paper) is None)
        out.append(EditionStatus(ed.slug, ed.loc.file, ed.date.isoformat(), ed.draft, ed.date > as_of,
                                 len(ed.entries), notes, abstracts, missing,
                                 translation_counts(ed, metas, drafts) if chinese else {}))
    return out


def written(texts: Mapping[str, str], lang: str, languages: tuple[str, ...]) -> bool:
    """Whether a text is there for ``lang``: written in it, or, for a derived language, in its
    source (the build converts it); a text still holding a placeholder is not written."""
    def done(code: str) -> bool:
        return bool(texts.get(code, "").strip()) and not PLACEHOLDER.search(texts[code])

    source = DERIVED.get(lang)
    return done(lang) or (source is not None and source in languages and lang not in texts and done(source))


def as_json(statuses: list[EditionStatus], as_of: date) -> str:
    return json.dumps({"as_of": as_of.isoformat(), "editions": [asdict(s) for s in statuses]},
                      ensure_ascii=False, indent=2) + "\n"


def as_table(statuses: list[EditionStatus], languages: tuple[str, ...]) -> str:
    head = ["edition", "date", "state", "entries"] + [f"notes {lang}" for lang in languages] + \
           [f"abstracts {lang}" for lang in languages] + ["missing"]
    rows = [head]
    for s in statuses:
        state = "draft" if s.draft else ("scheduled" if s.scheduled else "published")
        rows.append([s.slug, s.date, state, str(s.entries)]
                    + [f"{s.percent(s.notes, lang)}%" for lang in languages]
                    + [f"{s.percent(s.abstracts, lang)}%" for lang in languages]
                    + [str(len(s.missing_records))])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i]) for i, cell in enumerate(r)).rstrip()
             for r in rows]
    for s in statuses:
        if s.translations:
            t = s.translations
            lines.append(f"{s.slug}: zh texts: {t['curator']} curator, {t['approved']} approved, "
                         f"{t['machine']} machine drafts, {t['original']} original")
    for s in statuses:
        for ref in s.missing_records:
            lines.append(f"{s.file}: {ref} has no record in the snapshot (run digest fetch)")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.commands.common import as_of
    from digest.content.project import load_project
    from digest.metadata.store import site_store

    day = as_of(args.as_of)
    project = load_project(args.root)  # a draft's problems are warnings: every readable draft is listed
    unread = sorted({p.loc.file for p in project.warnings if p.hint.endswith(DRAFT_HINT)}
                    - {ed.loc.file for ed in project.editions})
    if unread:
        print(f"digest status: left out drafts digest cannot read yet ({', '.join(unread)}); run digest check",
              file=err)
    refs = {e.paper for ed in project.editions for e in ed.entries}
    damaged: list = []
    metas = site_store(args.root).load_for(refs, problems=damaged)
    for file in sorted({p.loc.file for p in damaged}):
        print(f"digest status: {file} is damaged and counted as missing; run digest check", file=err)
    statuses = edition_status(project, metas, day)
    out.write(as_json(statuses, day) if args.json else as_table(statuses, project.site.languages))
    return 0
