"""The build pipeline: curated content + snapshot -> output/, in the order DESIGN.md lists.

::

    load_project(root)           curated YAML, validated (every problem at once)
    snapshot records             content/snapshot/, read offline; missing ones warn
    merge per language           curator over fetched, provenance per field
    render pages and feeds       all in memory, nothing written yet
    write_output(files, out)     atomic swap of the whole output folder

Deleting the output an earlier build replaced starts first and runs in the background.

Everything is rendered before anything is written, so a template error, a bad image or
a content error leaves the previous output untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digest import convert, feeds, layout
from digest.checks import snapshot_problems
from digest.content import Project, load_project
from digest.errors import BuildError, ContentError, Loc, Problem, summary
from digest.ids import PaperRef
from digest.images import image_size
from digest.merge import FellBack, apply_fallback, by_category, fell_back, merge
from digest.models import Edition, PaperMeta
from digest.parallel import map_files
from digest.render import Asset, Renderer
from digest.store import site_store
from digest.write import start_cleanup, write_output

TEMPLATES_DIR = "templates"
#: From this many entries on, languages render in parallel processes (where fork is available).
PARALLEL_ENTRIES = 400
#: Templates shipped with digest; a site's own templates/ folder overrides them file by file.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / TEMPLATES_DIR


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    out_dir: Path
    editions: int
    entries: int
    pages: int
    feeds: int
    files: int
    written: int
    unchanged: int
    warnings: tuple[Problem, ...] = ()
    #: texts shown (or left out) in another language than their page's
    fallbacks: tuple[FellBack, ...] = ()

    def summary(self) -> str:
        text = (f"digest build: {self.editions} edition{'' if self.editions == 1 else 's'}, "
                f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}: {self.pages} pages and "
                f"{self.feeds} feeds in {self.out_dir} ({self.written} written, {self.unchanged} unchanged)")
        if self.warnings:
            text += f"; {summary(self.warnings)}"
        return "\n".join([text, *fallback_summary(self.fallbacks)])


#: How many places of a curator's untranslated text the summary names, per field.
NAMED_PLACES = 3
#: The fallback fields as the summary names them: singular, plural.
FIELD_NAMES = {"intro": ("introduction", "introductions"), "note": ("note", "notes"), "tldr": ("TL;DR", "TL;DRs"),
               "abstract": ("abstract", "abstracts"), "meta_review": ("meta-review", "meta-reviews"),
               "caption": ("caption", "captions")}


def fallback_summary(fallbacks: Sequence[FellBack]) -> list[str]:
    """One line per page language: which texts fell back, how many, into which language,
    and what the page did (``original``: shown, marked; ``omit``: left out). A curator's
    text still to translate names its first places (edition/paper); fetched text, which
    is English by nature, is only counted."""
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for f in fallbacks:
        groups.setdefault((f.page_lang, f.field, f.source, f.lang, f.action), []).append(f.where)
    lines = []
    for page_lang in dict.fromkeys(f.page_lang for f in fallbacks):
        parts = []
        for (lang, name, source, shown_lang, action), places in groups.items():
            if lang != page_lang:
                continue
            noun = FIELD_NAMES[name][len(places) != 1]
            if action == "original":
                part = f"{len(places)} {noun} ({source}) shown in {shown_lang}"
            else:
                part = f"{len(places)} {noun} ({source}) in {shown_lang} left out"
            if source == "curator":
                named = ", ".join(places[:NAMED_PLACES])
                more = len(places) - NAMED_PLACES
                part += f" ({named}{f' and {more} more' if more > 0 else ''})"
            parts.append(part)
        lines.append(f"  {page_lang} pages fell back: " + "; ".join(parts))
    return lines


def build(root: Path, out_dir: Path, drafts: bool = False, as_of: date | None = None) -> BuildReport:
    """Build the site under ``root`` into ``out_dir``. Drafts are left out unless ``drafts``;
    editions dated after ``as_of`` are left out until then (None: no date filter). The date
    decides only which editions are published, never what a page says."""
    root = Path(root)
    cleanup = start_cleanup(out_dir)  # earlier builds' replaced outputs go while we render
    try:
        project = load_project(root, drafts=drafts)
        editions = tuple(e for e in project.editions
                         if (drafts or not e.draft) and (as_of is None or e.date <= as_of))
        metas = _read_snapshot(root, editions)
        found = snapshot_problems(project, metas, editions)
        if any(p.severity == "error" for p in found):
            raise ContentError(found)
        warnings = [*project.warnings, *found]
        fallbacks: list[FellBack] = []
        files = render_site(project, editions, metas, root, fallbacks=fallbacks)
        report = write_output(files, out_dir, cleanup=cleanup)
    finally:
        cleanup.wait()
    return BuildReport(
        out_dir=Path(out_dir),
        editions=len(editions),
        entries=sum(len(e.entries) for e in editions),
        pages=sum(1 for path in files if path.endswith(".html")),
        feeds=sum(1 for path in files if path.endswith(".xml") and path != layout.SITEMAP),
        files=report.files,
        written=report.written,
        unchanged=report.linked,
        warnings=tuple(sorted(warnings, key=Problem.sort_key)),
        fallbacks=tuple(fallbacks),
    )


def render_site(project: Project, editions: Sequence[Edition], metas: Mapping[PaperRef, PaperMeta],
                root: Path, parallel: bool | None = None,
                fallbacks: list[FellBack] | None = None) -> dict[str, bytes]:
    """Every output file in memory: pages and feeds per language, sitemap, OPML, assets.

    Languages render side by side on a big site (``parallel=None`` decides by size).
    Derived languages (Traditional Chinese) are converted here, once, from the zh texts.
    Texts shown in another language than their page's are added to ``fallbacks``.
    """
    project = convert.derive_project(project)
    editions = convert.for_site(project.site, tuple(editions))
    site = project.site
    own = Path(root).resolve() / TEMPLATES_DIR
    templates = [folder for folder in dict.fromkeys((own, DEFAULT_TEMPLATES)) if folder.is_dir()]
    static = {name: data for folder in reversed(templates) for name, data in _read_static(folder / "static").items()}
    assets, asset_files = _read_figures(root, editions)
    renderer = Renderer(templates, site, project.categories, assets,
                        {name: hashlib.sha256(data).hexdigest()[:10] for name, data in static.items()})

    # merged here, before any worker forks, so the fallback report sees every language
    merged = {lang: merge(editions, project.categories, metas, lang, site.languages) for lang in site.languages}
    if fallbacks is not None:
        for lang in site.languages:
            fallbacks += fell_back(merged[lang], site.fallback)

    def language(lang: str) -> dict[str, bytes]:
        articles = apply_fallback(merged[lang], site.fallback)
        files = renderer.pages(lang, articles)
        files.update(feeds.edition_feeds(site, lang, articles, renderer.feed_edition_html))
        files.update(feeds.category_feeds(site, lang, project.categories, by_category(articles), articles,
                                          renderer.feed_entry_html, renderer.markdown_text))
        renderer.forget()
        return files

    if parallel is None:
        parallel = sum(len(e.entries) for e in editions) >= PARALLEL_ENTRIES
    files: dict[str, bytes] = {}
    for rendered in map_files(language, site.languages, parallel):
        files.update(rendered)
    files[layout.ROOT_INDEX] = renderer.root_index()
    files[layout.SITEMAP] = renderer.sitemap(editions)
    files[layout.OPML] = feeds.opml(site, project.categories)
    files.update({layout.static(name): data for name, data in static.items()})
    files.update(asset_files)
    return files


def _read_snapshot(root: Path, editions: Sequence[Edition]) -> dict[PaperRef, PaperMeta]:
    """The snapshot records of every paper the editions name (missing ones are absent)."""
    refs = {entry.paper for ed in editions for entry in ed.entries}
    return site_store(root).load_for(refs)


def _read_static(folder: Path) -> dict[str, bytes]:
    """Files of templates/static/ by name below it (copied to output/static/)."""
    if not folder.is_dir():
        return {}
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            try:
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
            except OSError as exc:
                raise BuildError(f"{path}: cannot read the file ({exc.strerror})") from None
    return files


def _read_figures(root: Path, editions: Sequence[Edition]) -> tuple[dict[str, Asset], dict[str, bytes]]:
    """Local figure files: where they are published, their pixel size, and their bytes."""
    assets: dict[str, Asset] = {}
    files: dict[str, bytes] = {}
    for ed in editions:
        for i, entry in enumerate(ed.entries):
            figure = entry.figure
            if figure is None or figure.src in assets or figure.src.startswith(("http://", "https://")):
                continue
            path = root / "content" / figure.src
            try:
                data = path.read_bytes()
            except OSError as exc:
                where = ed.locs.get(f"entries[{i}].figure.src") or entry.loc or ed.loc or Loc("")
                raise ContentError([Problem(where, f"entries[{i}].figure.src",
                                            f"cannot read image 'content/{figure.src}' ({exc.strerror})",
                                            "check the file name, or add the file")]) from None
            size = image_size(data)
            out = layout.image(figure.src)
            assets[figure.src] = Asset(out, *(size or (None, None)))
            files[out] = data
    return assets, files

