"""What one build leaves for the next, so a rebuild costs what changed.

After a build has put its output in place, it records in the site's cache
(:class:`digest.core.cache.Cache`, a *target* per output folder and options) a
:class:`Record`: the fingerprint of every input file, the key of every file it wrote
(:mod:`digest.site.keys`) with the file's identity on disk (inode, size, modification
time), the identity of every folder of the output, and its report.

The next build into the same folder:

1. **does nothing** when the inputs are the same files byte for byte, the options and the
   editions published on the day asked for are the same, and the output is exactly as
   recorded (:func:`check`): no YAML is parsed, no template loaded, nothing written;
2. otherwise renders only the files whose key changed: a file is kept from the current
   output when its key is the recorded one and the file on disk is the one recorded
   (:func:`reusable`); any other file is rendered, and written only when its bytes differ.

A record is never trusted beyond what it can vouch for: an output file touched or
replaced since (another inode, size or time) is rendered again, a folder with a file added
or removed fails the no-op check, and inputs that changed while the build read them leave
no input fingerprint (the next build looks at every file's key).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from digest.core.cache import Cache, code_fingerprint, file_digest, fingerprint
from digest.output.swap import MARKER
from digest.site import search

#: The folders of a site whose files are inputs of its build (every file, hidden ones too:
#: more rebuilds than needed is the safe side).
INPUT_FOLDERS = ("content", "templates")

#: A file's identity on disk: inode, size, modification time in nanoseconds.
Identity = tuple[int, int, int]


@dataclass(frozen=True)
class Record:
    """What a complete build into one output folder did."""

    #: the fingerprint of every input file and of digest's code; "" when the inputs
    #: changed while the build read them
    inputs: str
    #: the days ``as_of`` may be for the same editions to be published: [first, last);
    #: None for a build of every edition (no ``as_of``)
    window: tuple[date, date] | None
    #: every file of the output: path -> (its key, "" for a file given as bytes; its identity)
    files: dict[str, tuple[str, Identity]]
    #: every folder of the output ("" for the output itself): path -> (inode, modification time)
    folders: dict[str, tuple[int, int]]
    #: what the build reported (given again by a build that finds nothing to do)
    report: Any


def target_name(out_dir: Path, drafts: bool) -> str:
    """The cache's name for builds into ``out_dir`` with these options."""
    return f"{Path(out_dir).absolute()}\0drafts={drafts}"


@cache
def code_and_libraries() -> str:
    """digest's code and the versions of Python and of the libraries digest requires
    (an upgraded Markdown or OpenCC may change a page)."""
    try:
        requirements = metadata.requires("digest") or []
    except metadata.PackageNotFoundError:  # a source tree that was never installed
        requirements = []
    versions = []
    for requirement in requirements:
        name = _NAME.match(requirement)
        if name is None or "extra ==" in requirement:
            continue
        try:
            versions.append((name.group(), metadata.version(name.group())))
        except metadata.PackageNotFoundError:
            versions.append((name.group(), ""))
    # the search extra, as the build finds it (installing or removing it changes the site)
    versions.append(("search", search.indexer().version if search.indexer() else search.off_reason()))
    return fingerprint(code_fingerprint(), sys.version, sorted(versions))


_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def input_fingerprint(root: Path) -> str:
    """Every input file of the site at ``root`` (path and bytes), and digest's code."""
    parts: list[tuple[str, str]] = []
    root = Path(root)
    for top in INPUT_FOLDERS:
        for rel, path in _files(root / top, top):
            if path is None:
                parts.append((rel, "a link to a folder above"))
                continue
            try:
                with open(path, "rb") as fh:
                    parts.append((rel, file_digest(fh.read())))
            except OSError:
                parts.append((rel, "unreadable"))
    return fingerprint(code_and_libraries(), tuple(parts))


def _files(folder: Path, rel: str,
           seen: frozenset[tuple[int, int]] = frozenset()) -> Iterator[tuple[str, str | None]]:
    """(relative path, path) of every file below ``folder``, sorted. Linked folders are
    followed (a site may link its figures in); a link back to a folder above it (a loop)
    is given with no path."""
    try:
        st = os.stat(folder)
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    here = (st.st_dev, st.st_ino)
    if here in seen:
        yield rel, None
        return
    for entry in entries:
        path = f"{rel}/{entry.name}"
        try:
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError:
            is_dir = False
        if is_dir:
            yield from _files(Path(entry.path), path, seen | {here})
        else:
            yield path, entry.path


def published_window(dates: list[date], as_of: date | None) -> tuple[date, date] | None:
    """The days ``as_of`` may be for the editions dated ``dates`` (drafts already left in or
    out) to be published as they are on ``as_of``."""
    if as_of is None:
        return None
    first = max((d for d in dates if d <= as_of), default=date.min)
    last = min((d for d in dates if d > as_of), default=date.max)
    return first, last


def in_window(window: tuple[date, date] | None, as_of: date | None) -> bool:
    if window is None or as_of is None:
        return window is None and as_of is None
    return window[0] <= as_of < window[1]


def identities(out_dir: Path, paths: Iterable[str]) -> tuple[dict[str, Identity], dict[str, tuple[int, int]]]:
    """The identity of each file of ``paths`` below ``out_dir`` and of every folder holding
    them (the output's own folder as "")."""
    base = str(Path(out_dir).absolute())
    files: dict[str, Identity] = {}
    folders: dict[str, tuple[int, int]] = {}
    for path in [*paths, MARKER]:
        identity = _identity(f"{base}/{path}")
        if identity is not None:
            files[path] = identity
        folder = path.rpartition("/")[0]
        while folder not in folders:
            st = os.lstat(f"{base}/{folder}" if folder else base)
            folders[folder] = (st.st_ino, st.st_mtime_ns)
            if not folder:
                break
            folder = folder.rpartition("/")[0]
    return files, folders


def _identity(path: str) -> Identity | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def reusable(record: Record | None, out_dir: Path) -> dict[str, str]:
    """The files of the current output a build may keep: path -> key, for every file
    given by key that is on disk as the record says."""
    if record is None:
        return {}
    base = str(Path(out_dir).absolute())
    return {path: key for path, (key, identity) in record.files.items()
            if key and _identity(f"{base}/{path}") == identity}


def intact(record: Record, out_dir: Path) -> bool:
    """True when the output is exactly as recorded: the same files, none changed, and no
    file added or removed in any folder."""
    base = str(Path(out_dir).absolute())
    for rel, identity in record.folders.items():
        st = _identity(f"{base}/{rel}" if rel else base)
        if st is None or (st[0], st[2]) != identity:
            return False
    return all(_identity(f"{base}/{path}") == identity for path, (_key, identity) in record.files.items())


@dataclass(frozen=True)
class Check:
    """What :func:`check` found: the report to give again when nothing is to be done (else
    None), the inputs' fingerprint and the target's record, for the build to go on with."""

    report: Any
    inputs: str
    record: Record | None


def check(root: Path, out_dir: Path, drafts: bool, as_of: date | None) -> Check:
    """Whether building again would change nothing (see the module's docstring). Reads no
    YAML; creates no cache."""
    cache = Cache(root)
    record = None
    if cache.path.is_file():
        try:
            found = cache.target(target_name(out_dir, drafts))
        finally:
            cache.close()
        record = found if isinstance(found, Record) else None
    inputs = input_fingerprint(root)
    if record is None or not record.inputs or record.inputs != inputs or not in_window(record.window, as_of) \
            or not intact(record, out_dir):
        return Check(None, inputs, record)
    return Check(record.report, inputs, record)


def record_build(cache: Cache, out_dir: Path, drafts: bool, inputs: str, window: tuple[date, date] | None,
                 paths: Iterable[str], keys: Mapping[str, str], report: Any, built: int) -> None:
    """Record a complete build whose output, the files ``paths``, is in place (their keys:
    ``keys``)."""
    files, folders = identities(out_dir, paths)
    record = Record(inputs, window, {path: (keys.get(path, ""), identity) for path, identity in files.items()},
                    folders, report)
    cache.set_target(target_name(out_dir, drafts), record, built)
