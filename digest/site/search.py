"""Site search: Pagefind's extended build indexes the built pages, one index per page language.

Pagefind reads finished HTML. Its *extended* build segments Chinese into words when it
indexes (the standard build indexes only whitespace-separated words, so a word inside a
Chinese sentence would never be found); it is the optional extra ``digest[search]``, pinned
to the version whose recall the search gate measured. Without it the site is built as before
and the build says how to turn search on (:func:`off_reason`).

What a page gives the index is in the templates: ``data-pagefind-body`` on the article and
on a paper's entry, ``data-pagefind-filter`` for conference, year, category, decision and tag,
``data-pagefind-ignore`` on what is not text to find (contents lists). Pagefind makes one index
per ``<html lang>``, so each language's search page finds only that language's pages.

:func:`index` runs the indexer over pages given as bytes, in a private temporary folder, and
returns the bundle's files for the build to put in its staging folder like any other file:
nothing is written to the output by Pagefind itself.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from digest.core import layout
from digest.core.errors import BuildError

#: The Pagefind release digest[search] pins (pyproject.toml); another one is refused, since
#: Chinese recall is what tests/test_search.py measured (1.5 segments queries with the browser's
#: Intl.Segmenter, which splits words the index keeps whole: the gate finds pages it misses).
PAGEFIND_VERSION = "1.4.0"
#: Pagefind's ready-made search interfaces, which the site does not use (its search page has a
#: script of its own, static/search.js): left out of the bundle.
UNUSED = ("pagefind-ui.", "pagefind-modular-ui.", "pagefind-component-ui.", "pagefind-highlight.")
#: How to turn search on, as the build says it.
INSTALL = "pip install 'digest[search]'"


@dataclass(frozen=True)
class Indexer:
    """The Pagefind executable a build runs, and its version."""

    executable: Path
    version: str


@cache
def indexer() -> Indexer | None:
    """The installed extended Pagefind at the pinned version, or None (see :func:`off_reason`)."""
    return _find()[0]


def off_reason() -> str:
    """Why search is off ("" when it is on), with how to turn it on: one line."""
    return _find()[1]


@cache
def _find() -> tuple[Indexer | None, str]:
    try:
        import pagefind_bin_extended
    except ImportError:
        return None, f"search is off: Pagefind's extended build is not installed ({INSTALL} turns it on)"
    try:
        executable = Path(pagefind_bin_extended.get_executable())
        answer = subprocess.run([str(executable), "--version"], capture_output=True, text=True, timeout=60,
                                check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"search is off: Pagefind's extended build does not run here ({exc}; {INSTALL} reinstalls it)"
    version = answer.stdout.split()[-1] if answer.stdout.split() else ""
    if version != PAGEFIND_VERSION:
        return None, (f"search is off: Pagefind {version or '(unknown version)'} is installed, digest needs "
                      f"{PAGEFIND_VERSION} ({INSTALL} installs it)")
    return Indexer(executable, version), ""


#: What marks the part of a page Pagefind indexes (on an edition's article, a paper's entry).
BODY = b"data-pagefind-body"


def indexed(pages: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """The pages Pagefind would index: once one page marks its body (:data:`BODY`), Pagefind
    leaves out every page that marks none, so only the marked ones are handed to it (on the
    ICLR 2021 roundup, 6,068 of 13,251 pages: tag, category and index pages repeat what those
    hold; Pagefind's time and memory fall by about a third). With no page marked (a site's own
    templates), every page is indexed whole, as Pagefind would. Unmarked pages are held only
    until the first marked one comes."""
    held: list[tuple[str, bytes]] | None = []
    for path, data in pages:
        if BODY in data:
            held = None
            yield path, data
        elif held is not None:
            held.append((path, data))
    if held:
        yield from held


def index(found: Indexer, pages: Iterable[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The search bundle for ``pages`` (output path, HTML bytes): ``(output path, bytes)`` of
    every file Pagefind makes but its ready-made interfaces (:data:`UNUSED`), below
    :data:`digest.core.layout.SEARCH_DIR`, sorted by path."""
    with tempfile.TemporaryDirectory(prefix="digest-search-") as tmp:
        site, bundle = Path(tmp, "site"), Path(tmp, "bundle")
        for path, data in indexed(pages):
            target = site / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        site.mkdir(exist_ok=True)
        command = [str(found.executable), "--site", str(site), "--output-path", str(bundle), "--silent"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, cwd=tmp, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise BuildError(f"search: Pagefind did not run ({exc}); the previous output is unchanged") from None
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise BuildError(f"search: Pagefind failed ({said[-1] if said else f'exit status {done.returncode}'}); "
                             "the previous output is unchanged")
        files = []
        for folder, _dirs, names in os.walk(bundle):
            for name in names:
                if name.startswith(UNUSED):
                    continue
                path = Path(folder, name)
                files.append((f"{layout.SEARCH_DIR}/{path.relative_to(bundle).as_posix()}", path.read_bytes()))
    return sorted(files)
