"""``digest translate [EDITION...] [--fields F,...] [--to zh]``, ``--review EDITION`` and
``--approve REF FIELD``: machine-drafted translations a curator reviews.

Translating: every English text of the chosen editions (all by default) in the chosen
fields that the curator has not translated is asked of the provider in ``site.yaml``'s
``translation`` (see :mod:`digest.metadata.translate`); the drafts go to ``content/drafts/``,
never into the curated files. A progress display runs while it asks (the one of ``digest
fetch``); then a summary of what was translated, skipped (and why) and failed (and why).
Exit status 0 when every text has a draft fit to show, 1 when some failed or were rejected
by a guard (what was translated is kept; a rerun asks only for the rest), 130 after Ctrl-C.

Reviewing: ``--review EDITION`` lists the edition's drafts not yet approved, each with
whether it is shown and the draft itself. ``--approve REF FIELD`` copies the draft of
``FIELD`` of the paper ``REF`` into the edition file as the curator's text (lines inserted,
every other byte kept): from then on the text is the curator's. The draft stays in
``content/drafts/``, so ``digest status`` counts the text as approved while it is still the
draft's words (and as the curator's once edited).
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from collections.abc import Mapping
from typing import TextIO

from digest.checks.drafts import guard
from digest.commands.common import count
from digest.commands.progress import FetchDisplay
from digest.content.edit import insert_translation
from digest.content.project import Project, load_project
from digest.core.errors import DigestError
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.models import TRANSLATABLE, Edition
from digest.metadata.drafts import curated, english_text, site_drafts, source_hash
from digest.metadata.http import Fetcher
from digest.metadata.prompt import prompt_for
from digest.metadata.store import site_store
from digest.metadata.translate import Job, translate

#: Jobs named per failure group before "and N more".
NAMED = 6


def fields_arg(text: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(name.strip() for name in text.split(",") if name.strip()))
    wrong = [name for name in names if name not in TRANSLATABLE]
    if wrong or not names:
        raise argparse.ArgumentTypeError(
            f"unknown field {', '.join(map(repr, wrong)) or repr(text)} (choose from {','.join(TRANSLATABLE)})")
    return names


def chosen(project: Project, slugs: list[str]) -> list[Edition]:
    by_slug = {ed.slug: ed for ed in project.editions}
    wrong = [slug for slug in slugs if slug not in by_slug]
    if wrong:
        raise DigestError(f"no edition {', '.join(wrong)} (editions: {', '.join(sorted(by_slug))})")
    return [by_slug[slug] for slug in slugs] if slugs else list(project.editions)


def jobs_of(project: Project, editions: list[Edition], fields: tuple[str, ...], lang: str
            ) -> tuple[list[Job], Mapping[str, int]]:
    """The texts to translate, and how many were left out, by reason."""
    metas = site_store(project.root).load_for({e.paper for ed in editions for e in ed.entries})
    jobs: dict[tuple[PaperRef, str], Job] = {}
    left: dict[str, int] = defaultdict(int)
    for ed in editions:
        for entry in ed.entries:
            meta = metas.get(entry.paper) or metas.get(entry.paper.unversioned)
            for name in fields:
                if (entry.paper, name) in jobs:
                    continue
                if curated(name, entry, lang):
                    left["the curator's own translation"] += 1
                    continue
                text = english_text(name, entry, meta)
                if text is None:
                    left["no English text in the snapshot"] += 1
                    continue
                jobs[(entry.paper, name)] = Job(entry.paper, name, lang, text)
    return list(jobs.values()), left


def provider_settings(project: Project, env: Mapping[str, str]) -> tuple[str, str | None]:
    """The base URL and the key; a :class:`DigestError` saying what to set when one is missing."""
    config = project.site.translation
    base = (env.get("DIGEST_TRANSLATION_URL") or config.base_url).rstrip("/")
    if not base or not config.model:
        raise DigestError("no translation provider: set translation.base_url and translation.model in "
                          "content/site.yaml (the README's digest translate shows OpenAI, DeepSeek and Ollama)")
    key = None
    if config.key_env:
        key = env.get(config.key_env) or None
        if key is None:
            raise DigestError(f"the variable {config.key_env} (translation.key_env) is not set "
                              "(export it with the provider's API key, or empty key_env for a server that needs none)")
    return base, key


def run_translate(args: argparse.Namespace, out: TextIO, err: TextIO, *, env: Mapping[str, str] | None = None,
                  fetcher: Fetcher | None = None) -> int:
    env = os.environ if env is None else env
    project = load_project(args.root)
    if args.review:
        return review(project, args.review, args.to, out)
    if args.approve:
        return approve(project, args.editions, args.approve, args.to, out)
    config = project.site.translation
    editions = chosen(project, args.editions)
    base, key = provider_settings(project, env)
    jobs, left = jobs_of(project, editions, args.fields, args.to)
    prompts = {name: prompt_for(name, config.terms) for name in args.fields}
    store = site_drafts(project.root)
    store.clean()
    own = fetcher is None
    fetcher = fetcher or Fetcher(project.site.services, timeout=float(config.timeout),
                                 intervals={"translation": float(config.interval)})
    fetcher.urls["translation"] = base
    if config.key_env:
        fetcher.secrets[config.key_env] = key
    bar = FetchDisplay(out)
    fetcher.on_event = bar.event
    try:
        outcome = translate(jobs, store, fetcher, config, prompts, key,
                            guard=lambda job, text: guard(job.text, text, job.lang),
                            progress=lambda done, total: bar.update("translation", done, total))
    finally:
        bar.finish()
        if own:
            fetcher.close()
    parts = [f"{len(outcome.done)} translated"]
    if outcome.skipped:
        parts.append(f"{len(outcome.skipped)} drafted already")
    parts += [f"{n} skipped: {why}" for why, n in sorted(left.items())]
    if outcome.rejected:
        parts.append(f"{len(outcome.rejected)} rejected by a guard")
    if outcome.failed:
        parts.append(f"{len(outcome.failed)} failed")
    total = len(jobs) + sum(left.values())
    print(f"digest translate: {count(total, 'text')}: {', '.join(parts)}", file=out)
    for job, why in outcome.rejected:
        print(f"digest translate: rejected: {job}: {why} (kept in {store.rel_for(job.ref)}, not shown)", file=err)
    groups: dict[str, list[str]] = defaultdict(list)
    for job, why in outcome.failed:
        groups[why].append(str(job))
    for why, named in groups.items():
        shown = ", ".join(named[:NAMED]) + (f" and {len(named) - NAMED} more" if len(named) > NAMED else "")
        print(f"digest translate: error: {why} ({count(len(named), 'text')}: {shown})", file=err)
    if outcome.failed or outcome.rejected:
        print("digest translate: what was translated is kept; run digest translate again to ask for the rest", file=err)
    if outcome.interrupted:
        print("digest translate: interrupted; every draft answered so far is kept", file=err)
        return 130
    return 0 if outcome.ok else 1


def _pending(project: Project, edition: Edition, lang: str):
    """(entry, field, draft, English text) of each draft of the edition not yet approved."""
    store = site_drafts(project.root)
    metas = site_store(project.root).load_for({e.paper for e in edition.entries})
    for entry in edition.entries:
        drafts = store.get(entry.paper)
        meta = metas.get(entry.paper) or metas.get(entry.paper.unversioned)
        for name in TRANSLATABLE:
            draft = drafts.get((name, lang))
            if draft is not None and not curated(name, entry, lang):
                yield entry, name, draft, english_text(name, entry, meta)


def review(project: Project, slug: str, lang: str, out: TextIO) -> int:
    (edition,) = chosen(project, [slug])
    found = list(_pending(project, edition, lang))
    for entry, name, draft, source in found:
        if source is None or draft.source != source_hash(source):
            state = "not shown: the English text has changed"
        else:
            reasons = guard(source, draft.text, lang)
            state = f"not shown: {'; '.join(reasons)}" if reasons else "shown, marked as a machine translation"
        print(f"{entry.paper} {name} ({draft.model}): {state}", file=out)
        for line in draft.text.splitlines():
            print(f"    {line}", file=out)
    print(f"digest translate: {edition.slug}: {count(len(found), 'draft')} not approved"
          + (f" (approve one with digest translate {edition.slug} --approve REF FIELD)" if found else ""), file=out)
    return 0


def approve(project: Project, slugs: list[str], what: list[str], lang: str, out: TextIO) -> int:
    text_ref, name = what
    try:
        ref = parse_ref(text_ref).unversioned
    except RefError as exc:
        raise DigestError(f"{text_ref}: {exc.message} ({exc.hint})") from None
    if name not in TRANSLATABLE:
        raise DigestError(f"cannot approve {name!r}: a draft is of one of {', '.join(TRANSLATABLE)}")
    holding = [ed for ed in chosen(project, slugs) if any(e.paper.unversioned == ref for e in ed.entries)]
    if not holding:
        raise DigestError(f"no edition has an entry for {ref}")
    if len(holding) > 1:
        raise DigestError(f"{ref} is in {', '.join(ed.slug for ed in holding)} (name the edition to write: "
                          f"digest translate {holding[0].slug} --approve {ref} {name})")
    edition = holding[0]
    entry = next(e for e in edition.entries if e.paper.unversioned == ref)
    store = site_drafts(project.root)
    draft = store.get(entry.paper).get((name, lang))
    if draft is None:
        raise DigestError(f"no {lang} draft of {name} for {ref} (run digest translate first)")
    rel = edition.loc.file
    if name == "meta_review":
        raise DigestError(f"{ref} meta_review: a meta-review draft stays a draft: an entry's meta_review is the "
                          f"curator's own summary, not the fetched meta-review (write a summary in {rel} yourself, "
                          "or keep the draft shown with fallback.meta_review: machine)")
    metas = site_store(project.root).load_for({entry.paper})
    source = english_text(name, entry, metas.get(entry.paper) or metas.get(entry.paper.unversioned))
    if source is None or draft.source != source_hash(source):
        raise DigestError(f"{ref} {name}: the English text has changed since this draft was made "
                          "(run digest translate to draft it again, then approve that)")
    reasons = guard(source, draft.text, lang)
    if reasons:
        raise DigestError(f"{ref} {name}: the draft fails a guard ({'; '.join(reasons)}), so it is not approved "
                          f"(write the translation in {rel} yourself, or run digest translate to ask again)")
    insert_translation(project.root / rel, rel, entry.paper, name, lang, draft.text)
    # the draft stays, so digest status can tell an approved text while it is still the draft's words
    print(f"digest translate: approved {ref} {name}: written to {rel} as the curator's text", file=out)
    return 0


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return run_translate(args, out, err)
