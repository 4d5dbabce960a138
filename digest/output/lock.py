"""The lock that keeps two builds from writing beside the same output at the same time.

A build holds ``.<name>.lock`` beside its output (``.output.lock`` for ``output/``) from
before it looks at what earlier builds left until after its swap:

- it is a POSIX record lock (``fcntl.lockf``): the kernel releases it when the process that
  took it ends, however it ends (``kill -9`` included), and never passes it on to a forked
  child, so a render worker cannot keep it;
- the file holds the holder's process id, so a build that finds the lock taken says, once,
  on standard error, which process it waits for, and then waits;
- the holder removes the file as it lets go; a file still there when the lock is free was
  left by a build that died holding it (a kill, a power cut): the next build says so and
  takes it over;
- record locks belong to a process, not to a thread, so within one process a thread lock
  per file comes first (a preview's builds, tests);
- on a file system without locks, builds go on without one (as they always did there).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path

#: Where a lock's messages go when the caller names no other place.
Notify = Callable[[str], None]


def path_for(out_dir: Path) -> Path:
    """The lock file of the output folder ``out_dir``: ``.<name>.lock`` beside it."""
    out_dir = Path(out_dir).absolute()
    return out_dir.parent / f".{out_dir.name}.lock"


def to_stderr(text: str) -> None:
    """The default :data:`Notify`: one line on standard error."""
    print(f"digest: {text}", file=sys.stderr, flush=True)


class BuildLock:
    """The lock of one output folder: :meth:`acquire` (waiting as long as it takes, and
    saying so), then :meth:`release`."""

    def __init__(self, out_dir: Path, notify: Notify | None = None):
        self.out_dir = Path(out_dir).absolute()
        self.path = path_for(self.out_dir)
        self._notify = notify or to_stderr
        self._fd: int | None = None
        self._thread_lock = _thread_lock(self.path)
        self._held = False

    def acquire(self) -> None:
        if not self._thread_lock.acquire(blocking=False):
            self._notify(f"waiting for another build in this process to finish with {self.out_dir}")
            self._thread_lock.acquire()
        self._held = True
        try:
            self._fd = self._take()
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        """Remove the lock file and let go (nothing happens when it is not held)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.path)  # while still locked: a waiter then sees the file is not the one it locked
            os.close(self._fd)
            self._fd = None
        if self._held:
            self._held = False
            self._thread_lock.release()

    def _take(self) -> int | None:
        """The descriptor of the locked file (None where the file system has no locks)."""
        waited = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
            try:
                try:
                    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if not waited:
                        self._notify(self._waiting(fd))
                        waited = True
                    fcntl.lockf(fd, fcntl.LOCK_EX)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EINTR):
                    os.close(fd)
                    raise
                _without_locks(fd, self.path)  # ENOLCK, EOPNOTSUPP, EINVAL ...: no locks on this file system
                return None
            except BaseException:
                os.close(fd)
                raise
            if not _is_at(fd, self.path):
                os.close(fd)  # its holder removed it as it let go: lock the one there now
                continue
            left = _holder(fd)
            if left is not None and left != os.getpid():
                self._notify(f"{self.path} was left by build process {left}, which ended without releasing it "
                             "(killed?); taking the lock over")
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return fd

    def _waiting(self, fd: int) -> str:
        holder = _holder(fd)
        who = f"another build (process {holder})" if holder is not None else "another build"
        return (f"waiting for {who} to finish with {self.out_dir} (it holds {self.path}; "
                "stop that process if it hangs)")


_THREAD_LOCKS: dict[Path, threading.Lock] = {}
_GUARD = threading.Lock()


def _thread_lock(path: Path) -> threading.Lock:
    with _GUARD:
        return _THREAD_LOCKS.setdefault(path, threading.Lock())


def _holder(fd: int) -> int | None:
    """The process id written in the lock file, if any."""
    try:
        text = os.pread(fd, 64, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _is_at(fd: int, path: Path) -> bool:
    """True when ``path`` is still the file open as ``fd``."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (mine.st_dev, mine.st_ino)


def _without_locks(fd: int, path: Path) -> None:
    """Close ``fd`` and leave no lock file behind where locks cannot be had."""
    with contextlib.suppress(OSError):
        if os.fstat(fd).st_size == 0 and _is_at(fd, path):
            os.unlink(path)
    os.close(fd)
