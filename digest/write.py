"""The only writer of output/: a whole new tree, swapped in at once.

``write_output(files, out_dir)`` never leaves a half-written ``out_dir``:

1. Leftovers of an earlier, interrupted run are dealt with first (see :func:`recover`).
2. The new site is built in a sibling folder, ``.<name>.new-XXXX``, in the same parent
   (so renames stay on one file system). A file whose bytes equal the file at the same
   path in the current output is hard-linked from it instead of written again.
3. The two folders are swapped. On Linux this is one ``renameat2(RENAME_EXCHANGE)``
   system call (via ctypes): readers see the old tree or the new one, never neither.
   Elsewhere, or where the file system refuses it, two renames are used: output ->
   ``.<name>.old-XXXX``, then new -> output; if the process dies between them, the next
   run puts the old output back before doing anything else.
4. The previous tree is renamed ``.<name>.trash-XXXX`` and deleted by the next build,
   in a child process while that build renders (:func:`start_cleanup`): deleting
   thousands of files is slow on some disks, and nobody has to wait for it.

Any failure before the swap removes the new folder and leaves ``out_dir`` as it was.
A digest output carries a marker file (:data:`MARKER`); a non-empty folder without one
is never replaced, so a mistyped ``--out`` cannot throw away someone's files.
A lock on the parent folder keeps two builds from swapping at the same time.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.errors import BuildError

MARKER = ".digest-output"
MARKER_TEXT = b"This folder is written by digest build and replaced as a whole on every build.\n"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


@dataclass(frozen=True)
class WriteReport:
    """What a write did: files in the new output, how many were written and how many
    were unchanged (hard-linked from the previous output)."""

    files: int
    written: int
    linked: int


class Cleanup:
    """Earlier builds' discarded outputs (``.<name>.trash-*``), deleted by a child process.

    A separate process (not a thread) so the deletion runs on another core without
    competing with rendering for the interpreter lock.
    """

    def __init__(self, out_dir: Path):
        out_dir = Path(out_dir).absolute()
        trash = sorted(out_dir.parent.glob(f".{out_dir.name}.trash-*")) if out_dir.parent.is_dir() else []
        self._process: subprocess.Popen | None = None
        if trash:
            try:
                self._process = subprocess.Popen(
                    [sys.executable, "-c", _REMOVE_ALL, *map(str, trash)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            except OSError:
                _remove_all(trash)

    def wait(self) -> None:
        """Block until the deletion is over."""
        if self._process is not None:
            self._process.wait()
            self._process = None


_REMOVE_ALL = "import shutil, sys\nfor p in sys.argv[1:]:\n    shutil.rmtree(p, ignore_errors=True)\n"


def start_cleanup(out_dir: Path) -> Cleanup:
    """Start deleting the outputs earlier builds replaced; :func:`write_output` waits for it."""
    return Cleanup(out_dir)


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


def write_output(files: Mapping[str, bytes], out_dir: Path, *, exchange: bool = True,
                 cleanup: Cleanup | None = None) -> WriteReport:
    """Replace ``out_dir`` with exactly ``files`` (output-relative POSIX paths -> bytes).

    ``cleanup`` is the handle of a :func:`start_cleanup` begun earlier (it is waited for
    here); without one, earlier trash is deleted now. ``exchange=False`` skips renameat2
    and uses the two-rename swap (for tests, and chosen automatically where renameat2 is
    missing).
    """
    out_dir = Path(out_dir).absolute()
    _check_paths(files)
    parent = out_dir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BuildError(f"{parent}: cannot create the output's parent folder ({exc.strerror})") from None
    lock = _lock(parent)
    try:
        (cleanup or start_cleanup(out_dir)).wait()
        try:
            recover(out_dir)
        except OSError as exc:
            raise BuildError(f"{out_dir}: cannot clean up after an earlier build ({exc})") from None
        _check_replaceable(out_dir)
        if _already(out_dir, files):
            return WriteReport(files=len(files), written=0, linked=len(files))
        try:
            new = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=parent))
            os.chmod(new, 0o777 & ~_umask())  # mkdtemp makes it 0700; a web server must read it
        except OSError as exc:
            raise BuildError(f"{parent}: cannot create a folder beside the output ({exc.strerror})") from None
        try:
            report = _fill(new, files, out_dir if out_dir.is_dir() else None)
            previous = _swap(new, out_dir, exchange)
        except OSError as exc:
            shutil.rmtree(new, ignore_errors=True)
            raise BuildError(f"{out_dir}: cannot write the site ({exc.strerror or exc}); "
                             "the previous output is unchanged") from None
        except BaseException:
            shutil.rmtree(new, ignore_errors=True)
            raise
        if previous is not None:
            _discard(previous, out_dir)
        return report
    finally:
        os.close(lock)


def recover(out_dir: Path) -> None:
    """Clean up after an interrupted run: restore the previous output if a two-rename swap
    was cut in half, then remove leftover temporary folders."""
    parent = out_dir.parent
    olds = sorted(parent.glob(f".{out_dir.name}.old-*"))
    if not out_dir.exists() and olds:
        os.rename(olds[-1], out_dir)
        olds = olds[:-1]
    for leftover in [*olds, *parent.glob(f".{out_dir.name}.new-*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def _discard(previous: Path, out_dir: Path) -> None:
    """Rename the replaced output to a trash name, for the next build to delete."""
    trash = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.trash-", dir=out_dir.parent))
    try:
        os.rename(previous, trash)
    except OSError:
        os.rmdir(trash)
        shutil.rmtree(previous, ignore_errors=True)


def _lock(parent: Path) -> int:
    fd = os.open(parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:
        pass  # a file system without locks: carry on without one
    return fd


def _check_paths(files: Mapping[str, bytes]) -> None:
    for path in files:
        if path == MARKER:
            raise BuildError(f"refusing to write '{path}': the name is reserved for digest's own marker")
        parts = path.split("/")
        if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in path:
            raise BuildError(f"refusing to write '{path}': not a plain path inside the output folder")


def _check_replaceable(out_dir: Path) -> None:
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise BuildError(f"{out_dir}: the output path exists and is not a folder (choose another --out)")
    if out_dir.is_dir() and not (out_dir / MARKER).is_file() and any(out_dir.iterdir()):
        raise BuildError(
            f"{out_dir}: the folder is not empty and was not written by digest "
            f"(no {MARKER} file); refusing to replace it (choose an empty or new folder with --out)"
        )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _already(out_dir: Path, files: Mapping[str, bytes]) -> bool:
    """True when ``out_dir`` holds exactly ``files`` (and the marker), byte for byte: a no-op
    build then leaves the folder alone instead of building and swapping an identical tree."""
    if not (out_dir / MARKER).is_file():
        return False
    present = {p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if not p.is_dir()}
    if present != set(files) | {MARKER}:
        return False
    return all(_same(out_dir / rel, data) for rel, data in files.items())


def _fill(new: Path, files: Mapping[str, bytes], old: Path | None) -> WriteReport:
    """Write every file below ``new``; link the ones the old output already has byte for byte."""
    written = linked = 0
    made: set[Path] = {new}
    everything = dict(files)
    everything[MARKER] = MARKER_TEXT
    for rel in sorted(everything):
        data = everything[rel]
        target = new / rel
        folder = target.parent
        if folder not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(folder)
        counted = rel != MARKER
        if old is not None and _same(old / rel, data):
            try:
                os.link(old / rel, target)
                linked += counted
                continue
            except OSError:
                pass  # another file system or no hard links: write it
        _write_file(target, data)
        written += counted
    return WriteReport(files=len(files), written=written, linked=linked)


def _write_file(path: Path, data: bytes) -> None:
    """Create ``path`` with ``data`` (os-level calls: about twice as fast as open() here)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _same(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def _swap(new: Path, out_dir: Path, exchange: bool) -> Path | None:
    """Put ``new`` in place of ``out_dir``; returns where the previous output now is (if any)."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return None
    if exchange and _exchange(new, out_dir):
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(old)
    os.rename(out_dir, old)
    try:
        os.rename(new, out_dir)  # a crash just before this line is undone by recover()
    except OSError:
        os.rename(old, out_dir)
        raise
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when unavailable."""
    func = _renameat2()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err))


_RENAMEAT2: list = []


def _renameat2():
    if not _RENAMEAT2:
        func = None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            func = libc.renameat2
            func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            func.restype = ctypes.c_int
        except (OSError, AttributeError):
            func = None
        _RENAMEAT2.append(func)
    return _RENAMEAT2[0]
