"""Curated YAML -> models, with every problem located and reported at once.

``load_project(root)`` reads ``content/site.yaml``, ``content/categories.yaml`` and every
``content/editions/*.yaml``, checks them against the declarations in :mod:`digest.core.models`
and returns a :class:`Project`, or raises one :class:`~digest.core.errors.ContentError` carrying
every problem of the run (errors and warnings, each with file, line, column and field path).

Checking is driven by each field's ``kind`` (see :mod:`digest.core.models`); the same kinds give
the JSON Schema in :mod:`digest.content.schema`, so the two cannot drift apart. See
:mod:`digest.content.yamlload` for why files are read with PyYAML's C composer.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass
from pathlib import Path

from digest.content import yamlload as Y
from digest.content.layouts import layout_problems
from digest.content.validate import Validator, draft_hint
from digest.core.cache import Cache, fingerprint
from digest.core.errors import ContentError, Loc, Problem
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.kinds import CATEGORIES_FILE, SLUG
from digest.core.languages import DERIVED, LANGUAGES
from digest.core.models import (
    RESERVED_SLUGS,
    Categories,
    Category,
    Edition,
    Policies,
    Site,
)

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



def load_project(root: Path, drafts: bool = True, cache: Cache | None = None) -> Project:
    """Load and validate all curated files under ``root``; raise ContentError listing every error.

    With ``drafts=False`` edition files marked ``draft: true`` are left out before they are
    checked, so an unfinished draft never stops the build of the published editions.
    With a ``cache``, an edition file read and checked before (the same bytes, under the
    same site.yaml, categories and figure files) is taken from it, problems included.
    """
    root = Path(root)
    problems: list[Problem] = []

    site, site_problems = _load_site(root)
    problems += site_problems
    languages = site.languages if site else tuple(LANGUAGES)
    policies = site.policies if site else Policies()

    categories, cat_problems, written = _load_categories(root, languages, policies)
    problems += cat_problems
    have_categories = written is not None
    # when categories.yaml has errors, the keys written in it still tell which categories exist
    cat_keys = tuple(c.key for c in categories) or written or ()

    editions: list[Edition] = []
    paths = edition_files(root)
    # what an edition file's checks depend on besides its own bytes (figures must exist)
    context = (drafts, languages, policies, cat_keys, have_categories, _content_files(root)) if cache is not None else ()
    for path in sorted(paths):
        rel = f"{EDITIONS_DIR}/{path.name}"
        key = _edition_key(path, rel, context) if cache is not None else None
        loaded = cache.get(key) if cache is not None and key is not None else None
        if not isinstance(loaded, _Loaded):
            loaded = _load_edition(root, path, rel, drafts, languages, policies, cat_keys, have_categories, key or "")
            if cache is not None and key is not None:
                cache.put(key, loaded)
        problems += loaded.problems
        if loaded.edition is not None:
            editions.append(loaded.edition)

    problems += _cross_edition(editions)
    errors = [p for p in problems if p.severity == "error"]
    if errors or site is None:
        raise ContentError(problems)
    editions.sort(key=lambda e: (e.date, e.slug), reverse=True)
    warnings = tuple(sorted((p for p in problems if p.severity == "warning"), key=Problem.sort_key))
    return Project(root, site, categories, tuple(editions), warnings)


def edition_files(root: Path) -> list[Path]:
    """The edition files of the site at ``root``: ``content/editions/*.yaml`` and ``*.yml``,
    sorted, hidden ones left out (an editor's lock or backup file, such as ``.#w1.yaml``)."""
    folder = root / EDITIONS_DIR
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir()
                  if path.suffix in (".yaml", ".yml") and not path.name.startswith(".") and path.is_file())


@dataclass(frozen=True)
class _Loaded:
    """One edition file, read and checked: the edition (None when it has errors or is a
    draft left out) and its problems."""

    edition: Edition | None
    problems: tuple[Problem, ...]


def _load_edition(root: Path, path: Path, rel: str, drafts: bool, languages: tuple[str, ...], policies: Policies,
                  cat_keys: tuple[str, ...], have_categories: bool, source: str) -> _Loaded:
    doc = Y.read(path, rel)
    draft = _is_draft(doc.root) if doc.root is not None else _says_draft(path)
    if not drafts and draft:
        return _Loaded(None, ())
    problems = list(doc.problems)
    if doc.root is None:
        return _Loaded(None, tuple([*as_draft(problems), _left_out(rel)] if draft else problems))
    # in a draft, what would stop a published edition is a warning, and a placeholder is kept as text
    ctx = Validator(root, rel, problems, languages=languages, categories=cat_keys, policies=policies,
                    check_categories=have_categories, draft=draft)
    edition = ctx.build(doc.root, Edition, "")
    if Y.is_mapping(doc.root):
        ctx.unique(doc.root, "references", "n", "reference number")
    if edition is not None:
        before = len(problems)
        ctx.unique(doc.root, "sections", "key", "section")
        problems.extend(layout_problems(edition, ctx.locs, rel))
        if len(problems) > before:
            edition = None
    stem = path.stem
    if edition is not None and not edition.slug and not SLUG.match(stem):
        problems.append(Problem(Loc(rel), "", f"file name '{path.name}' does not make a valid edition slug",
                                "rename it with lower-case letters, digits and hyphens, or set slug:"))
        edition = None
    if draft:
        problems = as_draft(problems)
    if edition is None:
        return _Loaded(None, tuple([*problems, _left_out(rel)] if draft else problems))
    edition = dataclasses.replace(edition, slug=edition.slug or stem, loc=Loc(rel, 1, 1), locs=ctx.locs, source=source)
    return _Loaded(edition, tuple(problems))


def _left_out(rel: str) -> Problem:
    """What a build with ``--drafts`` says of a draft it cannot show."""
    return Problem(Loc(rel), "", "this draft is left out of builds with --drafts until the problems above are fixed",
                   "fix them to preview it", severity="warning")


def as_draft(problems: list[Problem]) -> list[Problem]:
    """The problems of a draft edition: every error a warning, saying so."""
    return [dataclasses.replace(p, severity="warning", hint=draft_hint(p.hint)) if p.severity == "error" else p
            for p in problems]


def _edition_key(path: Path, rel: str, context: tuple) -> str | None:
    """The cache key of an edition file's checked content (None when it cannot be read:
    reading it again reports why)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return fingerprint("edition", rel, data, context)


def _content_files(root: Path) -> tuple[str, ...]:
    """Every file below content/ but the editions and the snapshot (the figures an edition
    may name), by path."""
    content = root / "content"
    skip = {content / "editions", content / "snapshot"}
    found = []
    for folder, dirs, files in os.walk(content):
        if Path(folder) in skip:
            dirs[:] = []
            continue
        dirs.sort()
        found += [os.path.relpath(os.path.join(folder, name), content) for name in sorted(files)]
    return tuple(found)


def load_references(root: Path) -> tuple[Site, list[tuple[PaperRef, str]]]:
    """The site and every paper reference of every edition file, drafts included, with the
    ``conference`` its edition names, read leniently: an edition with other problems (an
    unfinished note, a placeholder) still gives its references, so ``digest fetch`` can run
    while the curator is writing. Only site.yaml must be valid; ``digest check`` reports the rest.
    """
    root = Path(root)
    site, problems = _load_site(root)
    if site is None or any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    found: list[tuple[PaperRef, str]] = []
    for path in edition_files(root):
        doc = Y.read(path, f"{EDITIONS_DIR}/{path.name}")
        if doc.root is None or not Y.is_mapping(doc.root):
            continue
        fields = {k.value: v for k, v in doc.root.value if Y.is_scalar(k)}
        conference = fields.get("conference")
        conference_text = conference.value if conference is not None and Y.is_scalar(conference) else ""
        entries = fields.get("entries")
        for item in entries.value if entries is not None and Y.is_sequence(entries) else []:
            if not Y.is_mapping(item):
                continue
            for k, v in item.value:
                if Y.is_scalar(k) and k.value == "paper" and Y.is_scalar(v) and not Y.plain_non_string(v):
                    try:
                        found.append((parse_ref(v.value), conference_text))
                    except RefError:
                        pass  # digest check reports it
    return site, found


def load_site(root: Path) -> Site:
    """site.yaml alone, checked; raises ContentError when it has errors or is missing."""
    site, problems = _load_site(Path(root))
    if site is None or any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return site


def load_categories(root: Path) -> tuple[Category, ...]:
    """categories.yaml alone (with the site's languages when site.yaml loads)."""
    site, _ = _load_site(Path(root))
    languages = site.languages if site else tuple(LANGUAGES)
    categories, problems, _ = _load_categories(Path(root), languages, site.policies if site else Policies())
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    return categories


def _load_categories(root: Path, languages: tuple[str, ...], policies: Policies
                     ) -> tuple[tuple[Category, ...], list[Problem], tuple[str, ...] | None]:
    """The categories (none when the file has errors), the problems, and every ``key`` as
    written, read leniently (None when there is no categories.yaml to read)."""
    doc = Y.read(root / CATEGORIES_FILE, CATEGORIES_FILE)
    problems = list(doc.problems)
    if doc.root is None:
        return (), problems, None
    ctx = Validator(root, CATEGORIES_FILE, problems, languages=languages, categories=(), policies=policies)
    cats = ctx.build(doc.root, Categories, "")
    ctx.unique(doc.root, "categories", "key", "category")
    return (cats.categories if cats is not None else ()), problems, _written_keys(doc.root)


def _written_keys(root: Y.Node) -> tuple[str, ...]:
    """The ``key`` of every category as written in categories.yaml's nodes."""
    keys: list[str] = []
    if not Y.is_mapping(root):
        return ()
    for k, v in root.value:
        if Y.is_scalar(k) and k.value == "categories" and Y.is_sequence(v):
            for item in v.value:
                if Y.is_mapping(item):
                    keys += [val.value for key, val in item.value
                             if Y.is_scalar(key) and key.value == "key" and Y.is_scalar(val)]
    return tuple(keys)


def _load_site(root: Path) -> tuple[Site | None, list[Problem]]:
    """site.yaml, checked under its own policies (a second pass when they differ from the defaults)."""
    doc = Y.read(root / SITE_FILE, SITE_FILE)
    if doc.root is None:
        return None, doc.problems
    # checked again under the site's own languages and policies when they are not the defaults
    languages, policies = tuple(LANGUAGES), Policies()
    for _ in range(2):
        problems = list(doc.problems)
        validator = Validator(root, SITE_FILE, problems, languages=languages, categories=(),
                              policies=policies)
        site = validator.build(doc.root, Site, "")
        if site is None or (site.languages, site.policies) == (languages, policies):
            break
        languages, policies = site.languages, site.policies
    if site is not None:
        problems += _site_rules(site, validator.locs)
        if any(p.severity == "error" for p in problems):
            site = None
    return site, problems


def _site_rules(site: Site, locs: dict[str, Loc]) -> list[Problem]:
    """Rules between the fields of site.yaml."""
    problems = []
    where = locs.get("languages", Loc(SITE_FILE, 1, 1))
    if len(set(site.languages)) != len(site.languages):
        twice = sorted({code for code in site.languages if site.languages.count(code) > 1})
        problems.append(Problem(where, "languages", f"{', '.join(twice)} listed more than once", "list each language once"))
    if site.default_language not in site.languages:
        problems.append(Problem(locs.get("default_language", where), "default_language",
                                f"'{site.default_language}' is not one of the site's languages ({', '.join(site.languages)})",
                                "add it to languages, or choose one of them"))
    for lang, source in DERIVED.items():
        if lang in site.languages and source not in site.languages:
            problems.append(Problem(
                where, "languages", f"{lang} is listed without {source}, so nothing is converted into it",
                f"add {source} to languages to derive {lang} from it, or write every {lang} text yourself",
                severity="warning"))
    return problems


def _is_draft(node: Y.Node) -> bool:
    if not Y.is_mapping(node):
        return False
    return any(Y.is_scalar(k) and k.value == "draft" and Y.is_scalar(v) and v.value.lower() == "true"
               for k, v in node.value)


#: ``draft: true`` on a line of its own at the top level, as a file that does not parse may still say.
_DRAFT_LINE = re.compile(rb"^draft:[ \t]*true[ \t]*(#.*)?\r?$", re.M)


def _says_draft(path: Path) -> bool:
    """Whether a file that cannot be parsed marks itself a draft (its problems are then warnings)."""
    try:
        return _DRAFT_LINE.search(path.read_bytes()) is not None
    except OSError:
        return False


def _cross_edition(editions: list[Edition]) -> list[Problem]:
    problems: list[Problem] = []
    seen_slugs: dict[str, Edition] = {}
    for ed in editions:
        if ed.slug in RESERVED_SLUGS:
            problems.append(Problem(ed.locs.get("slug", ed.loc), "slug", f"'{ed.slug}' is the name of the site's own folder",
                                    "rename the edition file, or set slug: to another name"))
        elif ed.slug in seen_slugs:
            problems.append(Problem(ed.locs.get("slug", ed.loc), "slug",
                                    f"'{ed.slug}' is also the slug of {seen_slugs[ed.slug].loc.file}",
                                    "give each edition its own slug"))
        else:
            seen_slugs[ed.slug] = ed
    return problems
