"""Everything ``digest check`` reports, in one list: load warnings, the snapshot checks, a stale
schema, and the checks of what curators wrote (:mod:`digest.checks.texts`)."""

from __future__ import annotations

from pathlib import Path

from digest.checks.snapshot import snapshot_problems
from digest.checks.texts import lint
from digest.content.project import Project, load_project
from digest.content.schema_files import stale_schema_problems
from digest.core.errors import Problem
from digest.metadata.store import site_store


def check_project(root: Path) -> tuple[Project, list[Problem]]:
    """What ``digest check`` reports: load errors raise ContentError; the rest is returned, sorted."""
    project = load_project(root)
    refs = {e.paper for ed in project.editions for e in ed.entries}
    metas = site_store(root).load_for(refs)
    problems = [*project.warnings, *snapshot_problems(project, metas), *stale_schema_problems(project), *lint(project)]
    return project, sorted(problems, key=Problem.sort_key)
