"""The only writer of output/: a whole new tree, swapped in at once.

A build opens a :class:`Staging` for ``out_dir`` and adds files to it as they render; the
new tree grows in a folder beside the output and replaces it only at :meth:`Staging.commit`.
``out_dir`` is never half-written:

1. Leftovers of an earlier, interrupted run are dealt with first (:func:`digest.output.swap.recover`),
   under the output's lock (:mod:`digest.output.lock`) held until the commit, so two builds
   never write beside the same output at the same time; a build that has to wait says so.
2. Files are written in a sibling folder, ``.<name>.new-*`` (``*`` a random suffix), in the
   same parent (so renames stay on one file system). A file whose bytes equal the file at the same path in
   the current output is hard-linked from it instead of written again. The folder is made
   only when the first file differs from the current output: while every file is the
   same, only their paths are kept, and a build whose output is byte-identical leaves
   ``out_dir`` alone (a no-op).
3. The two folders are swapped in one step, and the previous tree is kept as the spare
   (:mod:`digest.output.swap`).

When a spare is there, the new tree is made from it instead of from an empty folder: its
folders are already made, and a file that is a hard link to the current output's (the
same inode) is already right. Every other file in it is replaced by the one this build
gives, and whatever it holds that this build does not give is removed before the swap, so
the tree swapped in is the same as one made from nothing.

Forked worker processes write into staging folders of their own (:meth:`Staging.child`,
also ``.<name>.new-*``) and hand back only paths (:meth:`Staging.part`): the files they
wrote, moved into the parent's folder (:meth:`Staging.absorb`), and the files the current
output already has, which the parent links.

Any failure before the swap removes the new folders and leaves ``out_dir`` as it was; a
killed build leaves ``.<name>.new-*`` folders that the next one removes. A folder
without digest's marker file (:data:`~digest.output.swap.MARKER`) is never replaced.
:func:`write_output` does all of it for files already in memory.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.core.errors import BuildError
from digest.output.lock import BuildLock, Notify
from digest.output.swap import (
    MARKER,
    MARKER_TEXT,
    Cleanup,
    check_replaceable,
    recover,
    start_cleanup,
    swap,
    take_spare,
    to_spare,
    umask,
)


@dataclass(frozen=True)
class WriteReport:
    """What a write did: files in the new output, how many were written and how many
    were unchanged (hard-linked from the previous output)."""

    files: int
    written: int
    linked: int


def write_output(files: Mapping[str, bytes], out_dir: Path, *, exchange: bool = True,
                 cleanup: Cleanup | None = None) -> WriteReport:
    """Replace ``out_dir`` with exactly ``files`` (output-relative POSIX paths -> bytes).

    ``cleanup`` is the handle of a :func:`start_cleanup` begun earlier (it is waited for
    before the swap); without one, earlier trash is deleted meanwhile. ``exchange=False``
    skips renameat2 and uses the two-rename swap (for tests, and chosen automatically where
    renameat2 is missing).
    """
    for path in files:
        _check_path(path)
    with Staging(out_dir, exchange=exchange, cleanup=cleanup) as staging:
        for rel in sorted(files):
            staging.add(rel, files[rel])
        return staging.commit()


@dataclass(frozen=True)
class Part:
    """What a child :class:`Staging` wrote, for its parent to :meth:`~Staging.absorb`:
    its folder (None when every file equals the current output's), the paths it was
    given in order, those of them the current output has as they are (not in the folder),
    and how many it wrote and linked."""

    folder: str | None
    paths: tuple[str, ...]
    kept: tuple[str, ...]
    written: int
    linked: int


class Staging:
    """A new output, written file by file beside ``out_dir`` and swapped in by :meth:`commit`.

    Use it as a context manager: leaving the ``with`` block without a commit (an error, an
    interrupt) removes everything written, the children's folders included, and releases
    the lock. Files are bytes; their order does not matter, each path is given once.
    ``notify`` says what the lock has to say (waiting for another build, taking over a lock
    a dead one left); standard error when not given.
    """

    def __init__(self, out_dir: Path, *, exchange: bool = True, cleanup: Cleanup | None = None,
                 notify: Notify | None = None):
        self.out_dir = Path(out_dir).absolute()
        self._exchange = exchange
        self._cleanup = cleanup
        self._own_cleanup = False
        self._notify = notify
        self._lock: BuildLock | None = None
        self._old: Path | None = None  # the current output, to link unchanged files from
        self._folder: Path | None = None  # made on the first file that differs from _old's
        self._name: Path | None = None  # where a child makes its folder (chosen by the parent)
        self._pending: list[str] = []  # paths equal to _old's, to link once the folder exists
        self._made: set[str] = set()  # folders made below _folder
        #: the files of the spare tree (rel -> inode) this build has not yet settled; None
        #: when _folder was made empty
        self._spare: dict[str, int] | None = None
        self._spare_folders: list[str] = []  # the spare's folders, to remove those left empty
        self.paths: list[str] = []  # every file of the new output, in the order given
        self._seen: set[str] = set()
        self._children: list[Path] = []
        self._open = False
        self.written = self.linked = 0

    # -- opening and closing

    def __enter__(self) -> Staging:
        parent = self.out_dir.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BuildError(f"{parent}: cannot create the output's parent folder ({exc.strerror})") from None
        self._lock = BuildLock(self.out_dir, self._notify)
        self._lock.acquire()
        try:
            if self._cleanup is None:
                self._cleanup, self._own_cleanup = start_cleanup(self.out_dir), True
            try:
                recover(self.out_dir)
            except OSError as exc:
                raise BuildError(f"{self.out_dir}: cannot clean up after an earlier build ({exc})") from None
            check_replaceable(self.out_dir)
        except BaseException:
            self._release()
            raise
        self._old = self.out_dir if self.out_dir.is_dir() else None
        self._open = True
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        try:
            if self._open:
                self.discard()
        finally:
            self._release()

    def _release(self) -> None:
        if self._own_cleanup:
            self._cleanup.wait()  # type: ignore[union-attr]
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def discard(self) -> None:
        """Remove what was written (this staging's folder and its children's)."""
        self._open = False
        for folder in [self._folder, *self._children]:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
        self._folder = None

    # -- adding files

    def add(self, rel: str, data: bytes) -> None:
        """Put one file in the new output."""
        self._claim(rel)
        try:
            same = _same(self._old, rel, data)
            if same and self._deferred():
                self._pending.append(rel)
                self.linked += 1
                return
            self._materialize()
            if same and self._link(rel):
                self.linked += 1
                return
            _write_file(self._target(rel), data)
            self.written += 1
        except OSError as exc:
            raise self._failed(exc) from None

    def keep(self, rel: str) -> None:
        """Put in the new output the file the current output has at ``rel``, as it is (the
        caller knows it is right: see :mod:`digest.incremental`)."""
        if self._old is None:
            raise BuildError(f"{self.out_dir}: no current output to keep '{rel}' from")
        self._claim(rel)
        try:
            if self._deferred():
                self._pending.append(rel)
            else:
                self._link_or_copy(rel)
            self.linked += 1
        except OSError as exc:
            raise self._failed(exc) from None

    def read(self, rel: str) -> bytes:
        """The bytes of a file this build has given (written, or kept from the current output):
        what a step that runs over the finished tree before the swap reads (the search index)."""
        if rel not in self._seen:
            raise BuildError(f"'{rel}' is not a file of this build")
        try:
            with open(f"{self._folder or self._old}/{rel}", "rb") as fh:
                return fh.read()
        except OSError as exc:
            raise self._failed(exc) from None

    def _deferred(self) -> bool:
        """Whether a file the current output has goes to the pending list rather than into
        the folder: until the folder is made, and always in a child (its parent links them)."""
        return self._folder is None or self._name is not None

    def _claim(self, rel: str) -> None:
        _check_path(rel)
        if rel in self._seen:
            raise BuildError(f"refusing to write '{rel}' twice: two parts of the site have the same output path")
        self._seen.add(rel)
        self.paths.append(rel)

    def _failed(self, exc: OSError) -> BuildError:
        return BuildError(f"{self.out_dir}: cannot write the site ({exc.strerror or exc}); "
                          "the previous output is unchanged")

    def _materialize(self) -> None:
        """Make the staging folder (once), with the marker and the files kept pending."""
        if self._folder is not None:
            return
        parent = self.out_dir.parent
        try:
            if self._name is not None:
                os.mkdir(self._name)
                self._folder = self._name
                os.chmod(self._folder, 0o777 & ~umask())
                return  # a child's kept files are linked by its parent
            spare = take_spare(self.out_dir)
            if spare is not None:
                self._folder = spare
                self._adopt(spare)
            else:
                self._folder = Path(tempfile.mkdtemp(prefix=f".{self.out_dir.name}.new-", dir=parent))
                _write_file(self._folder / MARKER, MARKER_TEXT)
                os.chmod(self._folder, 0o777 & ~umask())  # mkdtemp makes it 0700; a web server must read it
        except OSError as exc:
            raise BuildError(f"{parent}: cannot create a folder beside the output ({exc.strerror})") from None
        pending, self._pending = self._pending, []
        for rel in pending:
            self._link_or_copy(rel)

    def _adopt(self, spare: Path) -> None:
        """Start from the spare tree: its folders are made; its files are settled one by
        one (:meth:`_link`, :meth:`_target`) and the rest removed at the commit."""
        files, folders = _tree(spare)
        same_disk = self._old is not None and os.stat(spare).st_dev == os.stat(self._old).st_dev
        self._spare = files if same_disk else dict.fromkeys(files, -1)  # -1: no inode matches
        self._spare_folders = folders
        self._made = set(folders)
        if self._spare.pop(MARKER, None) is not None:
            os.unlink(spare / MARKER)
        _write_file(spare / MARKER, MARKER_TEXT)

    def _target(self, rel: str) -> str:
        """Where ``rel`` goes below the folder, its parent folders made and nothing there."""
        folder = rel.rpartition("/")[0]
        if folder and folder not in self._made:
            self._mkdirs(folder)
        path = f"{self._folder}/{rel}"
        if self._spare is not None:
            if self._spare.pop(rel, None) is not None:
                os.unlink(path)
            elif rel in self._made:  # the spare has a folder where this file goes
                shutil.rmtree(path)
                self._made = {f for f in self._made if f != rel and not f.startswith(f"{rel}/")}
                self._spare = {f: i for f, i in self._spare.items() if not f.startswith(f"{rel}/")}
        return path

    def _mkdirs(self, folder: str) -> None:
        parent = folder.rpartition("/")[0]
        if parent and parent not in self._made:
            self._mkdirs(parent)
        path = f"{self._folder}/{folder}"
        if self._spare is not None and self._spare.pop(folder, None) is not None:
            os.unlink(path)  # the spare has a file where this folder goes
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise
        self._made.add(folder)

    def _link(self, rel: str) -> bool:
        """Hard-link ``rel`` from the current output; False where links are refused."""
        if self._spare is not None:
            inode = self._spare.get(rel)
            if inode is not None and inode == _inode(f"{self._old}/{rel}"):
                del self._spare[rel]  # the spare's file is the current output's
                return True
        try:
            os.link(f"{self._old}/{rel}", self._target(rel))
        except OSError:
            return False  # another file system or no hard links
        return True

    def _link_or_copy(self, rel: str) -> None:
        """``rel`` as the current output has it: linked, or copied where links are refused."""
        if not self._link(rel):
            shutil.copyfile(f"{self._old}/{rel}", self._target(rel))

    # -- worker processes

    def child(self) -> Staging:
        """A staging for a forked worker: same current output, a folder of its own (named
        here, made by the worker when it needs one). Call it before forking."""
        twin = Staging(self.out_dir, exchange=self._exchange)
        twin._old, twin._open = self._old, True
        twin._name = self.out_dir.parent / f".{self.out_dir.name}.new-{secrets.token_hex(6)}"
        self._children.append(twin._name)
        return twin

    def part(self) -> Part:
        """What this child staging holds, to send to the parent."""
        return Part(str(self._folder) if self._folder else None, tuple(self.paths), tuple(self._pending),
                    self.written, self.linked)

    def absorb(self, part: Part) -> None:
        """Take in a child's files: those it wrote are moved into this folder, those the
        current output has are linked from it."""
        for rel in part.paths:
            self._claim(rel)
        self.written += part.written
        self.linked += part.linked
        if part.folder is None and self._folder is None:
            self._pending.extend(part.kept)
            return
        try:
            self._materialize()
            if part.folder is not None:
                if self._spare is None:
                    _move_tree(Path(part.folder), self._folder)  # type: ignore[arg-type]
                else:
                    self._move_files(Path(part.folder))
            for rel in part.kept:
                self._link_or_copy(rel)
        except OSError as exc:
            raise self._failed(exc) from None

    def _move_files(self, src: Path) -> None:
        """Move each file below ``src`` to its place in this folder, over what the spare has there."""
        files, _folders = _tree(src)
        for rel in files:
            os.replace(f"{src}/{rel}", self._target(rel))
        shutil.rmtree(src)

    def _drop_stale(self) -> None:
        """Remove what the spare holds that this build did not give: its files, then its
        folders left empty (a tree made from nothing has no empty folder)."""
        if self._spare is None:
            return
        for rel in self._spare:
            os.unlink(f"{self._folder}/{rel}")
        self._spare = {}
        for folder in sorted(self._spare_folders, key=lambda f: f.count("/"), reverse=True):
            with contextlib.suppress(OSError):  # not empty: a file of this build is below it
                os.rmdir(f"{self._folder}/{folder}")
                self._made.discard(folder)

    # -- the swap

    def commit(self) -> WriteReport:
        """Swap the new output in (or leave ``out_dir`` alone when it already holds exactly
        these files) and close."""
        if self._cleanup is not None:
            self._cleanup.wait()
        files = len(self.paths)
        if self._folder is None and self._old is not None and (self._old / MARKER).is_file() \
                and _count_files(self._old) == files + 1:
            # every file was the current output's, byte for byte, and it has no other
            self.discard()
            return WriteReport(files=files, written=0, linked=files)
        try:
            self._materialize()
            self._drop_stale()
            previous = swap(self._folder, self.out_dir, self._exchange)  # type: ignore[arg-type]
        except OSError as exc:
            raise self._failed(exc) from None
        self._folder = None  # it is the output now
        self.discard()  # children's folders, emptied by absorb
        if previous is not None:
            to_spare(previous, self.out_dir)
        return WriteReport(files=files, written=self.written, linked=self.linked)


def _check_path(path: str) -> None:
    if path == MARKER:
        raise BuildError(f"refusing to write '{path}': the name is reserved for digest's own marker")
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in path:
        raise BuildError(f"refusing to write '{path}': not a plain path inside the output folder")


def _count_files(folder: Path) -> int:
    """How many files (anything but folders) are below ``folder``."""
    return sum(len(names) for _folder, _dirs, names in os.walk(folder))


def _tree(folder: Path) -> tuple[dict[str, int], list[str]]:
    """Below ``folder``: every entry that is not a folder (relative path -> inode) and every
    folder (symbolic links are not followed: a link is an entry like a file)."""
    files: dict[str, int] = {}
    folders: list[str] = []

    def walk(path: str, rel: str) -> None:
        with os.scandir(path) as entries:
            for entry in entries:
                name = f"{rel}{entry.name}"
                if entry.is_dir(follow_symlinks=False):
                    folders.append(name)
                    walk(entry.path, f"{name}/")
                else:
                    files[name] = entry.inode()

    walk(str(folder), "")
    return files, folders


def _inode(path: str) -> int | None:
    try:
        return os.lstat(path).st_ino
    except OSError:
        return None


def _move_tree(src: Path, dst: Path) -> None:
    """Move everything below ``src`` to the same place below ``dst``, then remove ``src``:
    one rename per entry that ``dst`` does not have yet, folders merged."""
    with os.scandir(src) as entries:
        for entry in entries:
            target = dst / entry.name
            if not os.path.lexists(target):
                os.rename(entry.path, target)
            elif entry.is_dir(follow_symlinks=False) and target.is_dir() and not target.is_symlink():
                _move_tree(Path(entry.path), target)
            else:  # a file where another part has a folder, or the reverse
                raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), str(target))
    os.rmdir(src)


def _write_file(path: Path | str, data: bytes) -> None:
    """Create ``path`` with ``data`` (os-level calls: about twice as fast as open() here)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def _same(old: Path | None, rel: str, data: bytes) -> bool:
    """True when the current output ``old`` has ``rel`` with exactly ``data``."""
    if old is None:
        return False
    try:
        fd = os.open(f"{old}/{rel}", os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False  # missing, or a symbolic link
    try:
        if os.fstat(fd).st_size != len(data):
            return False
        with open(fd, "rb", closefd=False) as fh:
            return fh.read() == data
    except OSError:
        return False
    finally:
        os.close(fd)
