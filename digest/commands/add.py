"""``digest add EDITION REF…``: papers appended to an edition, every other byte left as it was."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import TextIO

from digest.commands.common import site_languages
from digest.core.errors import DigestError


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content.edit import NewEntry, append_entries, parse_refs
    from digest.metadata.store import site_store

    edition = Path(args.edition)
    if edition.suffix not in (".yaml", ".yml"):
        edition = args.root / "content" / "editions" / f"{args.edition}.yaml"
    if not edition.is_file():
        raise DigestError(f"no edition file {edition} (create it with: digest new {Path(args.edition).stem})")
    rel = str(edition.relative_to(args.root)) if edition.resolve().is_relative_to(args.root.resolve()) else str(edition)
    languages = site_languages(args.root)
    refs = parse_refs(args.refs)
    tags = tuple(t.strip() for t in (args.tags or "").split(",") if t.strip())
    _check_category_and_tags(args.root, args.category, tags)
    category = args.category or "<<category>>"
    entries = [NewEntry(ref, category, tags) for ref in refs]
    skipped = append_entries(edition, rel, entries, languages)
    store = site_store(args.root)
    for ref in refs:
        if ref in skipped:
            print(f"{rel}: warning: {ref} is already in this edition; not added again", file=err)
            continue
        meta = store.get(ref.unversioned) or store.get(ref)
        if meta is None:
            print(f"added {ref}: not in the snapshot yet (run digest fetch to get its title)", file=out)
        else:
            outcome = ", ".join(x for x in (meta.venue, meta.decision) if x)
            print(f"added {ref}: {meta.title}" + (f" ({outcome})" if outcome else ""), file=out)
    if not args.category and len(skipped) < len(refs):
        print(f"{rel}: set each new entry's category (the <<category>> placeholders)", file=err)
    return 1 if skipped and len(skipped) == len(refs) else 0


def _check_category_and_tags(root: Path, category: str | None, tags: tuple[str, ...]) -> None:
    from digest.content.project import load_categories
    from digest.core.kinds import SLUG

    keys = [c.key for c in load_categories(root)]
    if category is not None and category not in keys:
        close = difflib.get_close_matches(category, keys, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "the keys are in content/categories.yaml"
        raise DigestError(f"--category: unknown category '{category}' ({hint})")
    for tag in tags:
        if not SLUG.match(tag):
            raise DigestError(f"--tags: '{tag}' is not a valid tag (use lower-case letters, digits and hyphens, as in large-batch)")
