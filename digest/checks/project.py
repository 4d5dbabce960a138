"""Everything ``digest check`` reports, in one list: load warnings, damaged snapshot records,
the snapshot checks, a stale schema, the checks of what curators wrote
(:mod:`digest.checks.texts`), the guards on machine drafts (:mod:`digest.checks.drafts`); and the part of it that stops ``digest build``.

One rule for both commands: what a policy makes an error stops ``digest check`` and
``digest build`` alike (:func:`build_problems` runs the same checks at the error level), and
a problem of a draft edition is a warning in both (:func:`drafts_as_warnings`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from digest.checks.drafts import draft_problems
from digest.checks.snapshot import snapshot_problems
from digest.checks.texts import Reporter, empty_categories, lint, project_files, read_source, source_problems
from digest.checks.venues import official_problems, read_venues
from digest.content.project import Project, load_project
from digest.content.schema_files import stale_schema_problems
from digest.content.validate import draft_hint
from digest.core.cache import Cache, fingerprint
from digest.core.errors import Problem
from digest.core.kinds import CATEGORIES_FILE
from digest.core.models import Categories
from digest.metadata.store import site_store


def check_project(root: Path) -> tuple[Project, list[Problem]]:
    """What ``digest check`` reports: load errors raise ContentError; the rest is returned, sorted."""
    project = load_project(root)
    refs = {e.paper for ed in project.editions for e in ed.entries}
    damaged: list[Problem] = []
    metas = site_store(root).load_for(refs, problems=damaged)
    venues = read_venues(root, project.editions, damaged)
    problems = [*project.warnings, *damaged, *snapshot_problems(project, metas), *stale_schema_problems(project),
                *lint(project), *draft_problems(project, metas), *official_problems(project.editions, venues)]
    return project, sorted(drafts_as_warnings(problems, project), key=Problem.sort_key)


def build_problems(project: Project, cache: Cache | None = None, libraries: str = "") -> list[Problem]:
    """The problems of the curated texts that their policies make errors: what stops a build
    as it stops ``digest check``. With a ``cache``, a file's problems found before (the same
    bytes, under the same policies and ``libraries``, the versions of what the checks use)
    are taken from it."""
    policies = project.site.policies
    report = Reporter(policies, ("error",))
    problems: list[Problem] = []
    for rel, model in project_files(project):
        key = None
        if cache is not None:
            try:
                key = fingerprint("text errors", rel, (project.root / rel).read_bytes(), policies, libraries)
            except OSError:
                key = None
        found = cache.get(key) if cache is not None and key is not None else None
        if not isinstance(found, tuple):
            source = read_source(project.root, rel, model)
            one = Reporter(policies, ("error",))
            if source is not None:
                source_problems(source, one)
            found = tuple(one.problems)
            if cache is not None and key is not None:
                cache.put(key, found)
        problems += found
    if report.wants("categories"):
        empty_categories(project, read_source(project.root, CATEGORIES_FILE, Categories), report)
    return drafts_as_warnings([*problems, *report.problems], project)


def drafts_as_warnings(problems: list[Problem], project: Project) -> list[Problem]:
    """``problems`` with every error in a draft edition's file a warning, saying so: a draft
    never stops a build or a check of what is published."""
    drafts = {edition.loc.file for edition in project.editions if edition.draft}
    return [dataclasses.replace(p, severity="warning", hint=draft_hint(p.hint))
            if p.severity == "error" and p.loc.file in drafts else p for p in problems]
