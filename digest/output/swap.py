"""Around the output folder: its marker, the swap, and what earlier builds left.

:mod:`digest.output.staging` builds a new output beside the current one; this module puts it in
place and cleans up:

- the swap is one ``renameat2(RENAME_EXCHANGE)`` system call on Linux
  (:func:`digest.output.system.exchange`), so readers see the old tree or the new one,
  never neither; elsewhere, or where the file
  system refuses it, two renames (output -> ``.<name>.old-*``, then new -> output; ``*`` is a random suffix),
  and :func:`recover` puts the old output back if a run died between them;
- the replaced tree is kept as ``.<name>.spare`` (:func:`to_spare`): the next build takes
  it (:func:`take_spare`) and brings it up to date instead of making a new tree, so a
  rebuild makes no folders and deletes none (most of its files are hard links to the
  output's own, and every one is checked, see :class:`digest.output.staging.Staging`);
- a tree nobody will use again is renamed ``.<name>.trash-*`` and deleted by the next build, in a
  child process while that build renders (:func:`start_cleanup`): deleting thousands of
  files is slow on some disks, and nobody has to wait for it;
- a digest output carries a marker file (:data:`MARKER`); a non-empty folder without one
  is never replaced (:func:`check_replaceable`).

The lock that keeps two builds apart is :mod:`digest.output.lock`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from digest.core.errors import BuildError
from digest.output import system

MARKER = ".digest-output"
MARKER_TEXT = b"This folder is written by digest build and replaced as a whole on every build.\n"


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
    """Start deleting the outputs earlier builds replaced (wait for it with ``.wait()``)."""
    return Cleanup(out_dir)


def _remove_all(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


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


def to_trash(previous: Path, out_dir: Path) -> None:
    """Rename the replaced output to a trash name, for the next build to delete."""
    trash = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.trash-", dir=out_dir.parent))
    try:
        os.rename(previous, trash)
    except OSError:
        os.rmdir(trash)
        shutil.rmtree(previous, ignore_errors=True)


def spare_path(out_dir: Path) -> Path:
    """Where the output a build replaced waits for the next build (:func:`to_spare`)."""
    return out_dir.parent / f".{out_dir.name}.spare"


def to_spare(previous: Path, out_dir: Path) -> None:
    """Keep the replaced output for the next build to start from (an older spare goes to
    the trash)."""
    spare = spare_path(out_dir)
    if os.path.lexists(spare):
        to_trash(spare, out_dir)
    try:
        os.rename(previous, spare)
    except OSError:
        to_trash(previous, out_dir)


def take_spare(out_dir: Path) -> Path | None:
    """The spare tree renamed as a new staging folder (``.<name>.new-*``, so a killed build's
    half-updated tree is removed by :func:`recover`), or None when there is none."""
    spare = spare_path(out_dir)
    if spare.is_symlink() or not spare.is_dir():
        return None
    taken = out_dir.parent / f".{out_dir.name}.new-{secrets.token_hex(6)}"
    try:
        os.rename(spare, taken)
    except OSError:
        return None
    return taken


def check_replaceable(out_dir: Path) -> None:
    """Refuse an output path that is not a folder, or a folder digest did not write."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise BuildError(f"{out_dir}: the output path exists and is not a folder (choose another --out)")
    if out_dir.is_dir() and not (out_dir / MARKER).is_file() and any(out_dir.iterdir()):
        raise BuildError(
            f"{out_dir}: the folder is not empty and was not written by digest "
            f"(no {MARKER} file); refusing to replace it (choose an empty or new folder with --out)"
        )


def umask() -> int:
    """The process's current umask."""
    current = os.umask(0)
    os.umask(current)
    return current


def swap(new: Path, out_dir: Path, exchange: bool) -> Path | None:
    """Put ``new`` in place of ``out_dir``; returns where the previous output now is (if any)."""
    if not out_dir.exists():
        os.rename(new, out_dir)
        return None
    if exchange and system.exchange(new, out_dir):
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

