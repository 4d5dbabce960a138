"""The build pipeline: curated content + snapshot -> output/, in the order docs/architecture.md lists.

::

    load_project(root)           curated YAML, validated (every problem at once)
    snapshot records             content/snapshot/, read offline; missing ones warn
    merge per language           curator over fetched, provenance per field
    render every channel         pages, feeds, assets (digest.site.channels), each file to a
                                 staging folder beside output/ as it renders
    Staging.commit()             atomic swap of the whole output folder

Deleting the output an earlier build replaced starts first and runs in the background.

Nothing is written to output/ itself before every file has rendered, so a template
error, a bad image or a content error leaves the previous output untouched (and the
staging folder is removed). Rendered files are not kept in memory: a build of thousands
of pages holds one page at a time per language.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from digest.checks.snapshot import snapshot_problems
from digest.content.project import Project, load_project
from digest.core import layout
from digest.core.errors import BuildError, ContentError, Loc, Problem, summary
from digest.core.ids import PaperRef
from digest.core.models import Edition, Fallback, PaperMeta, fields_of
from digest.metadata.store import site_store
from digest.output.staging import Staging, start_cleanup
from digest.output.system import map_keys, trim_memory
from digest.site import hant as convert
from digest.site.channels import CHANNELS, Kind, Output, Produced, Rendering
from digest.site.images import image_size
from digest.site.merge import FellBack, apply_fallback, fell_back, merge
from digest.site.render import Asset, Renderer

TEMPLATES_DIR = "templates"
#: From this many entries on, a site is big: its languages are shared with a forked worker
#: (where fork is available, see digest.output.system) and OpenCC is let go once zh-Hant is derived.
PARALLEL_ENTRIES = 400
#: The theme shipped inside the package (templates and static/); a site's own templates/ folder
#: overrides it file by file.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent / TEMPLATES_DIR


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
FIELD_NAMES = {f.name: f.metadata["nouns"] for f in fields_of(Fallback)}


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
        with Staging(out_dir, cleanup=cleanup) as staging:
            produced = render_into(staging, project, editions, metas, root, fallbacks=fallbacks)
            report = staging.commit()
    finally:
        cleanup.wait()
    return BuildReport(
        out_dir=Path(out_dir),
        editions=len(editions),
        entries=sum(len(e.entries) for e in editions),
        pages=produced.count(Kind.PAGE),
        feeds=produced.count(Kind.FEED),
        files=report.files,
        written=report.written,
        unchanged=report.linked,
        warnings=tuple(sorted(warnings, key=Problem.sort_key)),
        fallbacks=tuple(fallbacks),
    )


def render_site(project: Project, editions: Sequence[Edition], metas: Mapping[PaperRef, PaperMeta],
                root: Path, parallel: bool | None = None,
                fallbacks: list[FellBack] | None = None) -> dict[str, bytes]:
    """Every output file in memory (what :func:`build` writes): ``{path: bytes}``.
    Texts shown in another language than their page's are added to ``fallbacks``."""
    files = _Files()
    render_into(files, project, editions, metas, root, parallel, fallbacks)
    return files.files


def render_into(out: Sink, project: Project, editions: Sequence[Edition], metas: Mapping[PaperRef, PaperMeta],
                root: Path, parallel: bool | None = None, fallbacks: list[FellBack] | None = None) -> Produced:
    """Every file of every channel (:data:`digest.site.channels.CHANNELS`), given to ``out`` as it
    renders: first each language's files, then the files made once per site. Returns what was
    produced (files per kind, the pages).

    Each language renders into a child of ``out`` (:meth:`digest.output.staging.Staging.child`); on a
    big site (``parallel=None`` decides by size) some of them in a forked worker
    (:func:`digest.output.system.map_keys`).
    Derived languages (Traditional Chinese) are converted here, once, from the zh texts.
    Texts shown in another language than their page's are added to ``fallbacks``.
    """
    site = convert.for_site(project.site, project.site)
    categories = convert.for_site(site, project.categories)
    editions = convert.for_site(site, tuple(editions))
    big = sum(len(e.entries) for e in editions) >= PARALLEL_ENTRIES
    if big:  # converting is done: the dictionaries (tens of megabytes) are not worth keeping, or forking
        convert.release()
        trim_memory()
    if parallel is None:
        parallel = big
    own = Path(root).resolve() / TEMPLATES_DIR
    templates = [folder for folder in dict.fromkeys((own, DEFAULT_TEMPLATES)) if folder.is_dir()]
    static = {name: data for folder in reversed(templates) for name, data in _read_static(folder / "static").items()}
    assets, figures = _read_figures(root, editions)
    renderer = Renderer(templates, site, categories, assets,
                        {name: hashlib.sha256(data).hexdigest()[:10] for name, data in static.items()})
    rendering = Rendering(site, tuple(categories), renderer, static, figures)
    sinks = {lang: out.child() for lang in site.languages}  # made here, before any fork

    def language(lang: str) -> Any:
        sink, produced = sinks[lang], Produced()
        merged = merge(editions, categories, metas, lang, site.languages)
        fell = fell_back(merged, site.fallback)
        articles = apply_fallback(merged, site.fallback)
        del merged
        for n, produce in enumerate(c.language for c in CHANNELS if c.language is not None):
            if n:
                trim_memory()  # what the last channel freed (the feeds: the largest files) goes back first
            _add_all(sink, produce(rendering, lang, articles), produced)
        renderer.forget()
        return sink.part(), fell, produced

    produced = Produced()
    for part, fell, theirs in map_keys(language, site.languages, parallel):
        out.absorb(part)
        produced.absorb(theirs)
        if fallbacks is not None:
            fallbacks += fell
    for channel in CHANNELS:
        if channel.site is not None:
            _add_all(out, channel.site(rendering, produced), produced)
    return produced


def _add_all(sink: Sink, files: Iterable[Output], produced: Produced) -> None:
    """Give ``sink`` each file as it comes, keeping none of them (``produced`` notes it)."""
    for output in files:
        sink.add(output.path, output.data)
        produced.note(output)
        del output  # not held while the next file renders


class Sink(Protocol):
    """Where :func:`render_into` puts files: a :class:`~digest.output.staging.Staging`, or :class:`_Files`."""

    def add(self, path: str, data: bytes) -> None: ...
    def child(self) -> Sink: ...
    def part(self) -> Any: ...
    def absorb(self, part: Any) -> None: ...


class _Files:
    """A sink that keeps the files in memory (for :func:`render_site`)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def child(self) -> _Files:
        return _Files()

    def part(self) -> dict[str, bytes]:
        return self.files

    def absorb(self, part: dict[str, bytes]) -> None:
        self.files.update(part)


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

