"""Curated YAML -> models, with every problem located and reported at once.

``load_project(root)`` reads ``content/site.yaml``, ``content/categories.yaml`` and every
``content/editions/*.yaml``, checks them against the declarations in :mod:`digest.models`
and returns a :class:`Project`, or raises one :class:`~digest.errors.ContentError` carrying
every problem of the run (errors and warnings, each with file, line, column and field path).

Checking is driven by each field's ``kind`` (see :mod:`digest.models`); the same kinds give
the JSON Schema in :mod:`digest.schema`, so the two cannot drift apart. See
:mod:`digest.yamlload` for why files are read with PyYAML's C composer.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from digest import yamlload as Y
from digest.errors import ContentError, Loc, Problem
from digest.models import LANGUAGES, Categories, Category, Edition, Site
from digest.validate import CATEGORIES_FILE, SLUG, Validator

SITE_FILE = "content/site.yaml"
EDITIONS_DIR = "content/editions"


@dataclass(frozen=True)
class Project:
    """Everything curated, validated: the input of every later stage."""

    root: Path
    site: Site
    categories: tuple[Category, ...]
    editions: tuple[Edition, ...]
    warnings: tuple[Problem, ...] = ()

    def category(self, key: str) -> Category:
        for cat in self.categories:
            if cat.key == key:
                return cat
        raise KeyError(key)


def load_project(root: Path) -> Project:
    """Load and validate all curated files under ``root``; raise ContentError listing every error."""
    root = Path(root)
    problems: list[Problem] = []

    site_doc = Y.read(root / SITE_FILE, SITE_FILE)
    problems += site_doc.problems
    site = None
    if site_doc.root is not None:
        ctx = Validator(root, SITE_FILE, problems, languages=tuple(LANGUAGES), categories=())
        site = ctx.build(site_doc.root, Site, "")
    languages = site.languages if site else tuple(LANGUAGES)
    policies = site.policies if site else None

    cat_doc = Y.read(root / CATEGORIES_FILE, CATEGORIES_FILE)
    problems += cat_doc.problems
    categories: tuple[Category, ...] = ()
    if cat_doc.root is not None:
        ctx = Validator(root, CATEGORIES_FILE, problems, languages=languages, categories=(), policies=policies)
        cats = ctx.build(cat_doc.root, Categories, "")
        if cats is not None:
            categories = cats.categories
            ctx.unique(cat_doc.root, "categories", "key", "category")
    cat_keys = tuple(c.key for c in categories)

    editions: list[Edition] = []
    edition_dir = root / EDITIONS_DIR
    paths = sorted(edition_dir.glob("*.yaml")) + sorted(edition_dir.glob("*.yml")) if edition_dir.is_dir() else []
    for path in sorted(paths):
        rel = f"{EDITIONS_DIR}/{path.name}"
        doc = Y.read(path, rel)
        problems += doc.problems
        if doc.root is None:
            continue
        ctx = Validator(root, rel, problems, languages=languages, categories=cat_keys, policies=policies,
                   check_categories=cat_doc.root is not None)
        edition = ctx.build(doc.root, Edition, "")
        if edition is None:
            continue
        stem = path.stem
        slug = edition.slug or stem
        if not edition.slug and not SLUG.match(stem):
            problems.append(Problem(Loc(rel), "", f"file name '{path.name}' does not make a valid edition slug",
                                    "rename it with lower-case letters, digits and hyphens, or set slug:"))
            continue
        edition = dataclasses.replace(edition, slug=slug, loc=Loc(rel, 1, 1), locs=ctx.locs)
        editions.append(edition)

    problems += _cross_edition(editions)
    errors = [p for p in problems if p.severity == "error"]
    if errors or site is None:
        raise ContentError(problems)
    editions.sort(key=lambda e: (e.date, e.slug), reverse=True)
    warnings = tuple(sorted((p for p in problems if p.severity == "warning"), key=Problem.sort_key))
    return Project(root, site, categories, tuple(editions), warnings)


def _cross_edition(editions: list[Edition]) -> list[Problem]:
    problems: list[Problem] = []
    seen_slugs: dict[str, Edition] = {}
    for ed in editions:
        if ed.slug in seen_slugs:
            problems.append(Problem(ed.locs.get("slug", ed.loc), "slug",
                                    f"'{ed.slug}' is also the slug of {seen_slugs[ed.slug].loc.file}",
                                    "give each edition its own slug"))
        else:
            seen_slugs[ed.slug] = ed
    return problems
