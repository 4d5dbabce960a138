"""Writing the JSON Schema files, and noticing when the committed ones are out of date."""

from __future__ import annotations

from pathlib import Path

from digest.content.project import Project, load_categories
from digest.content.schema import render, schemas
from digest.core.errors import DigestError, Loc, Problem
from digest.core.files import atomic_write

SCHEMA_DIR = "schema"


def _wanted(categories: tuple[str, ...]) -> dict[str, bytes]:
    return {f"{name}.schema.json": render(body) for name, body in schemas(categories).items()}


def _categories_of(root: Path) -> tuple[str, ...]:
    """The category keys of categories.yaml alone: an unfinished edition must not drop them."""
    try:
        return tuple(c.key for c in load_categories(root))
    except DigestError:  # schemas can still be written for a site whose categories do not load
        return ()


def write_schemas(root: Path, out: Path | None = None) -> list[Path]:
    """Write every schema file (with the project's category keys when it loads)."""
    folder = out if out is not None else Path(root) / SCHEMA_DIR
    written = []
    for name, data in _wanted(_categories_of(Path(root))).items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            atomic_write(path, data)
        written.append(path)
    return written


def stale_schema_problems(project: Project) -> list[Problem]:
    """A warning per schema file that differs from what ``digest schema`` would write."""
    folder = project.root / SCHEMA_DIR
    if not folder.is_dir():
        return []
    problems = []
    for name, data in _wanted(tuple(c.key for c in project.categories)).items():
        path = folder / name
        if not path.exists() or path.read_bytes() != data:
            problems.append(Problem(Loc(f"{SCHEMA_DIR}/{name}"), "", "out of date with the content model or categories",
                                    "run digest schema", severity="warning"))
    return problems
