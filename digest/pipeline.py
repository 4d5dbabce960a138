"""The build pipeline: curated content + snapshot -> output/, in the order docs/architecture.md lists.

::

    load_project(root)           curated YAML, validated (every problem at once)
    snapshot records             content/snapshot/, read offline; missing ones warn
    merge per language           curator over fetched, provenance per field
    render every channel         pages, feeds, assets (digest.site.channels), each file to a
                                 staging folder beside output/ as it renders
    index search                 Pagefind over the pages just staged (digest.site.search,
                                 with digest[search]); kept as it is when no page changed
    Staging.commit()             atomic swap of the whole output folder

Deleting the output an earlier build replaced starts first and runs in the background.

Nothing is written to output/ itself before every file has rendered, so a template
error, a bad image or a content error leaves the previous output untouched (and the
staging folder is removed). Rendered files are not kept in memory: a build of thousands
of pages holds one page at a time per language.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from digest.checks.drafts import shown_drafts
from digest.checks.project import build_problems, drafts_as_warnings
from digest.checks.snapshot import snapshot_problems
from digest.checks.venues import read_venues
from digest.content.project import Project, load_project
from digest.core import layout
from digest.core.cache import Cache, file_digest, fingerprint
from digest.core.errors import BuildError, ContentError, Loc, Problem
from digest.core.ids import PaperRef
from digest.core.models import Category, Edition, PaperMeta, Site, VenueRecord
from digest.exports.copyedit import copyedited
from digest.exports.registry import ExportContext
from digest.incremental import (
    Check,
    check,
    code_and_libraries,
    input_fingerprint,
    published_window,
    record_build,
    reusable,
)
from digest.metadata.store import site_store
from digest.output.staging import Staging, start_cleanup
from digest.output.system import map_keys, trim_memory
from digest.report import BuildReport, Timings
from digest.site import hant as convert
from digest.site import search
from digest.site.channels import CHANNELS, Kind, Output, Produced, Rendering
from digest.site.images import image_size
from digest.site.keys import Keys, site_key
from digest.site.machine import machine_texts
from digest.site.merge import Article, FellBack, Machine, apply_fallback, fell_back, merge_edition
from digest.site.render import Asset, Renderer

TEMPLATES_DIR = "templates"
#: The search page's script (templates/static/): published only when the site has search.
SEARCH_SCRIPT = "search.js"
#: From this many entries on, a site is big: its languages are shared with a forked worker
#: (where fork is available, see digest.output.system) and OpenCC is let go once zh-Hant is derived.
PARALLEL_ENTRIES = 400
#: The theme shipped inside the package (templates and static/); a site's own templates/ folder
#: overrides it file by file.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent / TEMPLATES_DIR


def build(root: Path, out_dir: Path, drafts: bool = False, as_of: date | None = None, *,
          cache: bool = True, timings: Timings | None = None, checked: Check | None = None) -> BuildReport:
    """Build the site under ``root`` into ``out_dir``. Drafts are left out unless ``drafts``;
    editions dated after ``as_of`` are left out until then (None: no date filter). The date
    decides only which editions are published, never what a page says.

    With ``cache`` (the default) the build uses and updates the site's cache
    (``<root>/.digest-cache``, see :mod:`digest.incremental`): nothing is done when nothing
    changed, and only the files whose inputs changed are rendered; the output is the same
    as a cold build's, byte for byte. ``checked``: what :func:`digest.incremental.check`
    found just before, with the same arguments. ``timings`` collects where the time went.
    """
    root, out_dir = Path(root), Path(out_dir)
    timings = timings if timings is not None else Timings()
    if not cache:
        return _build(root, out_dir, drafts, as_of, None, Check(None, "", None), timings)
    if checked is None:
        with timings.stage("check for changes"):
            checked = check(root, out_dir, drafts, as_of)
    if isinstance(checked.report, BuildReport):
        return checked.report.unchanged_in(out_dir)
    store = Cache(root)
    try:
        return _build(root, out_dir, drafts, as_of, store, checked, timings)
    finally:
        store.close()


def _build(root: Path, out_dir: Path, drafts: bool, as_of: date | None, store: Cache | None, checked: Check,
           timings: Timings) -> BuildReport:
    cleanup = start_cleanup(out_dir)  # earlier builds' replaced outputs go while we render
    try:
        with timings.stage("load content"):
            project = load_project(root, drafts=drafts, cache=store)
        candidates = [e for e in project.editions if drafts or not e.draft]
        editions = tuple(e for e in candidates if as_of is None or e.date <= as_of)
        digests: dict[PaperRef, str] = {}
        with timings.stage("read snapshot"):
            damaged: list[Problem] = []
            metas = _read_snapshot(root, editions, store, digests, damaged)
            venues = read_venues(root, editions, damaged)
            found = drafts_as_warnings([*damaged, *snapshot_problems(project, metas, editions)], project)
            machine = machine_texts(project.site, shown_drafts(project, metas))
        with timings.stage("check texts"):  # what a policy makes an error stops a build as it stops digest check
            found += build_problems(project, store, code_and_libraries() if store is not None else "")
        if any(p.severity == "error" for p in found):
            raise ContentError(found)
        warnings = [*project.warnings, *found]
        fallbacks: list[FellBack] = []
        indexer = search.indexer()
        with Staging(out_dir, cleanup=cleanup) as staging:
            keep = reusable(checked.record, out_dir)  # under the lock: a build waited for may have changed it
            produced = render_into(staging, project, editions, metas, root, fallbacks=fallbacks, store=store,
                                   digests=digests, keep=keep, timings=timings, machine=machine, venues=venues,
                                   search=indexer is not None)
            if indexer is not None:
                with timings.stage("index search"):
                    index_search(staging, produced, indexer, store, keep)
            with timings.stage("swap output"):
                written = staging.commit()
            report = BuildReport(
                out_dir=out_dir,
                editions=len(editions),
                entries=sum(len(e.entries) for e in editions),
                pages=produced.count(Kind.PAGE),
                feeds=produced.count(Kind.FEED),
                files=written.files,
                written=written.written,
                unchanged=written.linked,
                warnings=tuple(sorted(warnings, key=Problem.sort_key)),
                fallbacks=tuple(fallbacks),
                search=search.off_reason(),
            )
            if store is not None:  # still under the output's lock: no other build in between
                with timings.stage("record build"):
                    same = input_fingerprint(root) == checked.inputs  # else a file changed while it was read
                    if not same:  # a value may have been made from other bytes than its key says
                        store.discard(store.written | produced.written)
                    record_build(store, out_dir, drafts, checked.inputs if same else "",
                                 published_window([e.date for e in candidates], as_of), staging.paths,
                                 produced.keys, report, time.time_ns())
                    store.sweep(store.used | produced.used)
    finally:
        cleanup.wait()
    return report


def merged_edition(root: Path, slug: str, lang: str, drafts: bool = True) -> tuple[Renderer, Article, list[Problem]]:
    """One edition merged for one page language as its pages show it (derived languages
    converted, the site's fallback applied), with a renderer of the site's templates: what
    an export is made from (:mod:`digest.exports`). Checked as a build checks it: a problem a
    build stops at raises :class:`ContentError`; the warnings are returned. A draft is found
    too unless ``drafts`` is false. The machine drafts fit to show are merged where the site's
    fallback says ``machine``, as on pages (``Shown.source == "machine"``: each export marks them)."""
    root = Path(root)
    project = load_project(root, drafts=drafts)
    found = [e for e in project.editions if e.slug == slug]
    if not found:
        known = ", ".join(sorted(e.slug for e in project.editions)) or "none yet"
        raise BuildError(f"no edition {slug!r} (the editions: {known})")
    if lang not in project.site.languages:
        raise BuildError(f"{lang!r} is not one of the site's languages ({', '.join(project.site.languages)})")
    damaged: list[Problem] = []
    metas = _read_snapshot(root, found, problems=damaged)
    venues = read_venues(root, found, damaged)
    problems = drafts_as_warnings([*damaged, *snapshot_problems(project, metas, found)], project)
    problems += build_problems(project, None, "")
    if any(p.severity == "error" for p in problems):
        raise ContentError(problems)
    templates = _template_folders(root)
    assets, _ = _read_figures(root, found)
    site = convert.for_site(project.site, project.site)
    categories = convert.for_site(site, project.categories)
    (edition,) = _derived(site, (found[0],), None, Keys(""))
    # the machine drafts the pages show (fallback: machine); each export writes their mark as words
    machine = machine_texts(project.site, shown_drafts(project, metas))
    venue = venues.get(edition.slug)
    article = apply_fallback((merge_edition(edition, categories, metas, lang, site.languages, machine,
                                            venue=venue[0] if venue else None),), site.fallback)[0]
    return Renderer(templates, site, categories, assets), article, [*project.warnings, *problems]


def render_site(project: Project, editions: Sequence[Edition], metas: Mapping[PaperRef, PaperMeta],
                root: Path, parallel: bool | None = None,
                fallbacks: list[FellBack] | None = None) -> dict[str, bytes]:
    """Every output file in memory (what :func:`build` writes): ``{path: bytes}``.
    Texts shown in another language than their page's are added to ``fallbacks``."""
    files = _Files()
    render_into(files, project, editions, metas, root, parallel, fallbacks)
    return files.files


def export_context(root: Path, slug: str, lang: str | None, options: Mapping[str, str] | None = None) -> ExportContext:
    """One edition (drafts too) merged for ``lang`` (None: the site's first language) as every export is given it
    (:class:`digest.exports.registry.ExportContext`): derived languages converted, the site's
    fallback applied, Chinese curator text copy-edited, checked as a build checks it
    (:func:`merged_edition`; its warnings in ``warnings``). An unknown edition or language is a
    :class:`BuildError` naming the ones there are."""
    lang = lang or load_project(root, drafts=True).site.languages[0]
    renderer, article, warnings = merged_edition(root, slug, lang)
    return ExportContext(renderer.site, renderer.categories, copyedited(article), lang, renderer, dict(options or {}),
                         tuple(warnings))


def render_into(out: Sink, project: Project, editions: Sequence[Edition], metas: Mapping[PaperRef, PaperMeta],
                root: Path, parallel: bool | None = None, fallbacks: list[FellBack] | None = None, *,
                store: Cache | None = None, digests: Mapping[PaperRef, str] | None = None,
                keep: Mapping[str, str] | None = None, timings: Timings | None = None,
                machine: Machine | None = None,
                venues: Mapping[str, tuple[VenueRecord, str]] | None = None,
                search: bool = False) -> Produced:
    """Every file of every channel (:data:`digest.site.channels.CHANNELS`), given to ``out`` as it
    renders: first each language's files, then the files made once per site. Returns what was
    produced (files per kind, the pages).

    Each language renders into a child of ``out`` (:meth:`digest.output.staging.Staging.child`); on a
    big site (``parallel=None`` decides by size) some of them in a forked worker
    (:func:`digest.output.system.map_keys`).
    Derived languages (Traditional Chinese) are converted here, once, from the zh texts.
    Texts shown in another language than their page's are added to ``fallbacks``. ``machine``
    holds the machine drafts to show (:func:`digest.site.machine.machine_texts`).

    Every file given by key (:mod:`digest.site.keys`) whose key is ``keep[path]`` is kept
    from the current output (``out.keep``) instead of rendered; ``store`` keeps, from one
    build to the next, each edition as derived and as merged per language (under its
    ``source`` and the fingerprints of its records, ``digests``) and the fragments pages share.
    ``search``: the site has search (the search pages and the script are made; the index is
    made afterwards, by :func:`index_search`).
    """
    timings = timings if timings is not None else Timings()
    keep = keep or {}
    if venues is None:
        venues = read_venues(root, editions)
    templates = _template_folders(root)
    static = {name: data for folder in reversed(templates) for name, data in _read_static(folder / "static").items()}
    assets, figures = _read_figures(root, editions)
    if not search:
        static.pop(SEARCH_SCRIPT, None)
    versions = {name: hashlib.sha256(data).hexdigest()[:10] for name, data in static.items()}
    keys = Keys(site_key(code_and_libraries(), _template_files(templates), project.site, project.categories,
                         assets, versions, search))
    site = convert.for_site(project.site, project.site)
    categories = convert.for_site(site, project.categories)
    with timings.stage("derive languages"):
        editions = _derived(site, tuple(editions), store, keys)
    big = sum(len(e.entries) for e in editions) >= PARALLEL_ENTRIES
    if big:  # converting is done: the dictionaries (tens of megabytes) are not worth keeping, or forking
        convert.release()
        trim_memory()
    if parallel is None:
        parallel = big
    renderer = Renderer(templates, site, categories, assets, versions, keys=keys, store=store, search=search)
    tags = tuple(sorted({tag for e in editions for entry in e.entries for tag in entry.tags}))
    rendering = Rendering(site, tuple(categories), renderer, keys, static, figures, tags)
    sinks = {lang: out.child() for lang in site.languages}  # made here, before any fork

    def language(lang: str) -> Any:
        sink, produced = sinks[lang], Produced()
        articles, fell = _merged(editions, categories, metas, lang, site, store, digests, keys, machine or {}, venues)
        for n, produce in enumerate(c.language for c in CHANNELS if c.language is not None):
            if n:
                trim_memory()  # what the last channel freed (the feeds: the largest files) goes back first
            _add_all(sink, produce(rendering, lang, articles), produced, keep)
        renderer.forget()
        if store is not None:
            produced.used |= store.used  # what a worker used, for the parent's sweep
            produced.written |= store.written
        return sink.part(), fell, produced

    produced = Produced()
    with timings.stage("render languages"):
        for part, fell, theirs in map_keys(language, site.languages, parallel):
            out.absorb(part)
            produced.absorb(theirs)
            if fallbacks is not None:
                fallbacks += fell
    with timings.stage("render site files"):
        for channel in CHANNELS:
            if channel.site is not None:
                _add_all(out, channel.site(rendering, produced), produced, keep)
    return produced


def index_search(staging: Staging, produced: Produced, indexer: search.Indexer, store: Cache | None,
                 keep: Mapping[str, str]) -> None:
    """The search bundle (:mod:`digest.site.search`) over every page ``staging`` holds, added to
    it: the last step before the swap, so the output swapped in is never half-indexed.

    The bundle's key is the keys of the pages it is made from: when none changed and the
    current output has every file of the bundle recorded under that key (the cache lists
    them), the bundle is kept as it is and Pagefind does not run."""
    pages = sorted({path for alternates in produced.pages for _lang, path in alternates})
    key = fingerprint("search", indexer.version, [(path, produced.keys.get(path, "")) for path in pages])
    listed = store.get_many([key]).get(key) if store is not None else None
    if isinstance(listed, tuple) and listed and all(keep.get(path) == key for path in listed):
        for path in listed:
            staging.keep(path)
            produced.note(Output(path, None, Kind.ASSET, key=key))
        return
    files = search.index(indexer, ((path, staging.read(path)) for path in pages))
    for path, data in files:
        staging.add(path, data)
        produced.note(Output(path, data, Kind.ASSET, key=key))
    if store is not None:
        store.put_many([(key, tuple(path for path, _data in files))])


def _add_all(sink: Sink, files: Iterable[Output], produced: Produced, keep: Mapping[str, str]) -> None:
    """Give ``sink`` each file as it comes, keeping none of them (``produced`` notes it): a
    file whose key is the one ``keep`` has for its path is kept from the current output."""
    for output in files:
        if output.key and keep.get(output.path) == output.key:
            sink.keep(output.path)
        else:
            sink.add(output.path, output.bytes())
        produced.note(output)
        del output  # not held while the next file renders


@dataclass(frozen=True)
class _Merged:
    """One edition merged for one language, as cached: the article (fallback applied), the
    texts that fell back, and its entries' keys."""

    article: Article
    fell: tuple[FellBack, ...]
    item_keys: tuple[str, ...]


def _derived(site: Site, editions: tuple[Edition, ...], store: Cache | None, keys: Keys) -> tuple[Edition, ...]:
    """The editions with the site's derived languages filled in (:mod:`digest.site.hant`),
    each taken from the cache when it was converted before."""
    if not convert.derives(site):
        return editions
    wanted = {i: keys.of("derived edition", e.source) for i, e in enumerate(editions) if e.source and store}
    found = store.get_many(wanted.values()) if store is not None else {}
    out, new = [], []
    for i, edition in enumerate(editions):
        done = found.get(wanted.get(i, ""))
        if not isinstance(done, Edition):
            done = convert.for_site(site, edition)
            if i in wanted:
                new.append((wanted[i], done))
        out.append(done)
    if store is not None:
        store.put_many(new)
    return tuple(out)


def _merged(editions: Sequence[Edition], categories: Sequence[Category], metas: Mapping[PaperRef, PaperMeta],
            lang: str, site: Site, store: Cache | None, digests: Mapping[PaperRef, str] | None,
            keys: Keys, machine: Machine | None = None, venues: Mapping[str, tuple[VenueRecord, str]] | None = None,
            ) -> tuple[tuple[Article, ...], list[FellBack]]:
    """Every edition merged for ``lang`` with the site's fallback applied, and the texts that
    fell back; an edition whose file and records are as before is taken from the cache."""
    def key(edition: Edition) -> str:
        if store is None or digests is None or not edition.source:
            return ""
        records = tuple((e.paper, digests.get(e.paper), digests.get(e.paper.unversioned)) for e in edition.entries)
        drafted = tuple(sorted(((e.paper, *k), v) for e in edition.entries
                               for k, v in (machine or {}).get(e.paper, {}).items() if k[1] == lang))
        venue = (venues or {}).get(edition.slug)
        return keys.of("merged edition", lang, edition.source, records, drafted, venue[1] if venue else "")

    wanted = [key(edition) for edition in editions]
    found = store.get_many(k for k in wanted if k) if store is not None else {}
    articles, fell, new = [], [], []
    for edition, k in zip(editions, wanted, strict=True):
        done = found.get(k) if k else None
        if isinstance(done, _Merged):
            for item, item_key in zip(done.article.items, done.item_keys, strict=True):
                keys.remember(item, item_key)
        else:
            venue = (venues or {}).get(edition.slug)
            merged = (merge_edition(edition, categories, metas, lang, site.languages, machine,
                                    venue=venue[0] if venue else None),)
            article = apply_fallback(merged, site.fallback)[0]
            done = _Merged(article, tuple(fell_back(merged, site.fallback)), tuple(keys.value(i) for i in article.items))
            if k:
                new.append((k, done))
        articles.append(done.article)
        fell += done.fell
    if store is not None:
        store.put_many(new)
    return tuple(articles), fell


def _template_folders(root: Path) -> list[Path]:
    """The template folders a site renders with: its own ``templates/`` first, then digest's."""
    own = Path(root).resolve() / TEMPLATES_DIR
    return [folder for folder in dict.fromkeys((own, DEFAULT_TEMPLATES)) if folder.is_dir()]


def _template_files(folders: Sequence[Path]) -> tuple[tuple[str, str], ...]:
    """Every template of the template folders (a site's own first) by name and content digest.
    The theme shipped with digest is part of its code (see :func:`digest.incremental.code_and_libraries`),
    and static files are in the site's key by their versions."""
    found = []
    for folder in folders:
        if folder == DEFAULT_TEMPLATES:
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.relative_to(folder).as_posix().startswith("static/"):
                try:
                    found.append((path.relative_to(folder).as_posix(), file_digest(path.read_bytes())))
                except OSError as exc:
                    raise BuildError(f"{path}: cannot read the file ({exc.strerror})") from None
    return tuple(found)


class Sink(Protocol):
    """Where :func:`render_into` puts files: a :class:`~digest.output.staging.Staging`, or :class:`_Files`."""

    def add(self, path: str, data: bytes) -> None: ...
    def keep(self, path: str) -> None: ...
    def child(self) -> Sink: ...
    def part(self) -> Any: ...
    def absorb(self, part: Any) -> None: ...


class _Files:
    """A sink that keeps the files in memory (for :func:`render_site`)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def add(self, path: str, data: bytes) -> None:
        self.files[path] = data

    def keep(self, path: str) -> None:
        raise BuildError(f"{path}: no earlier output to keep it from (files in memory are always rendered)")

    def child(self) -> _Files:
        return _Files()

    def part(self) -> dict[str, bytes]:
        return self.files

    def absorb(self, part: dict[str, bytes]) -> None:
        self.files.update(part)


def _read_snapshot(root: Path, editions: Sequence[Edition], store: Cache | None = None,
                   digests: dict[PaperRef, str] | None = None,
                   problems: list[Problem] | None = None) -> dict[PaperRef, PaperMeta]:
    """The snapshot records of every paper the editions name (missing ones are absent);
    with a ``store``, their fingerprints go to ``digests``; the problems of damaged records
    go to ``problems``."""
    refs = {entry.paper for ed in editions for entry in ed.entries}
    return site_store(root).load_for(refs, cache=store, digests=digests, problems=problems)


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

