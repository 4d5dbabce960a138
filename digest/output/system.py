"""What digest asks of the operating system beyond the standard library: the renameat2
exchange, a forked worker, and glibc's malloc_trim. Stage code calls these functions and
nothing below them; each falls back to plain behaviour where the system lacks the call.

- :func:`exchange` swaps two paths in one ``renameat2(RENAME_EXCHANGE)`` system call (via
  ctypes), so readers of the output see the old tree or the new one, never neither;
  :mod:`digest.output.swap` falls back to two renames where it returns False.
- :func:`map_keys` runs ``work(key)`` for every key, sharing the keys out between this
  process and at most ``workers`` children forked from it (so they share everything
  already loaded): with two processes, this one takes the first, third, ... key and the
  child the second, fourth, ... The children send back what ``work`` returned over a
  pipe, and the results come back in key order: the same as running ``work`` for every
  key in turn. What ``work`` returns should be small: a build's workers write their files
  themselves and return their paths (see :meth:`digest.output.staging.Staging.child`).
  Only where ``fork`` is dependable (Linux); elsewhere, or when asked, keys run in turn.
  A child's error comes back as a :class:`~digest.core.errors.BuildError` with its message.
  A child never outlives this process: it asks the kernel to kill it when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``, via ctypes), and where that is not offered it watches for
  the parent to change; it keeps no read end of any pipe, so an answer sent to a parent
  that is gone fails at once instead of waiting for a reader (see :func:`_child`).
- :func:`trim_memory` gives freed memory back to the system (``malloc_trim``).

Each child costs memory: it starts sharing this process's pages, but copies most of
them as it runs (reference counts are written to every object it touches), and holds a
language's rendering state of its own. :data:`WORKERS` keeps it to one child by default
(BENCHMARKS.md has what it costs and saves).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from digest.core.errors import BuildError, DigestError

T = TypeVar("T")
#: At most this many forked children, and no more than the CPUs allow.
WORKERS = 1


def can_fork() -> bool:
    """True where forked workers are safe and useful: Linux with more than one CPU."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1


def map_keys(work: Callable[[str], T], keys: Sequence[str], parallel: bool, workers: int = WORKERS) -> list[T]:
    """``[work(key) for key in keys]``, some keys in forked children when ``parallel``."""
    processes = min(len(keys), workers + 1, os.cpu_count() or 1)
    if not parallel or processes < 2 or not can_fork():
        return [_then_trim(work, key) for key in keys]
    ctx = multiprocessing.get_context("fork")
    trim_memory()
    children: list[_Child] = []
    parent = os.getpid()
    try:
        for n in range(1, processes):
            mine = list(keys[n::processes])
            receive, send = ctx.Pipe(duplex=False)
            readers = [receive, *(c.receive for c in children)]  # for the child to close
            process = ctx.Process(target=_child, args=(work, mine, send, parent, readers),
                                  name=f"digest-{'-'.join(mine)}", daemon=True)
            process.start()
            send.close()
            children.append(_Child(mine, process, receive))
        for child in children:  # threads only once every fork is done
            child.thread.start()
        results: dict[str, T] = {}
        for key in keys[0::processes]:
            results[key] = _then_trim(work, key)
        for child in children:
            results.update(zip(child.keys, child.results(), strict=True))
        return [results[key] for key in keys]
    finally:
        for child in children:
            child.close()


class _Child:
    """A forked worker, and a thread that takes its answer as soon as it is sent (an answer
    larger than the pipe's buffer would keep the worker alive until it is read)."""

    def __init__(self, keys: list[str], process: Any, receive: Any):
        self.keys, self.process, self.receive = keys, process, receive
        self.answer: tuple[str, Any] | None = None
        self.thread = threading.Thread(target=self._receive, name=f"{process.name}-answer", daemon=True)

    def _receive(self) -> None:
        try:
            self.answer = self.receive.recv()
        except (EOFError, OSError):
            self.answer = None

    def results(self) -> list[Any]:
        self.thread.join()
        if self.answer is None:
            self.process.join()
            raise BuildError(f"rendering {', '.join(repr(k) for k in self.keys)} failed: its worker process "
                             f"ended early (exit code {self.process.exitcode})")
        kind, value = self.answer
        if kind == "done":
            return value
        raise BuildError(value)

    def close(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        if self.thread.ident is not None:
            self.thread.join()  # the pipe is at its end now that the worker is gone
        self.receive.close()


def _then_trim(work: Callable[[str], T], key: str) -> T:
    """``work(key)``, then what it freed given back: the next key starts from less."""
    result = work(key)
    trim_memory()
    return result


def trim_memory() -> None:
    """Give the memory freed so far back to the system (glibc's ``malloc_trim``): the C
    library keeps freed blocks for reuse, and a process forked now would share them, a
    finished language would leave them to the next one."""
    with contextlib.suppress(OSError, AttributeError, TypeError):  # another C library, or none to load
        ctypes.CDLL(None).malloc_trim(0)


def _child(work: Callable[[str], Any], keys: list[str], send: Any, parent: int, readers: list[Any]) -> None:
    """In the child: run ``work`` for each key, then send ``("done", results)`` (or
    ``("error", message)`` at the first error).

    First it ties its life to ``parent``'s (:func:`_die_with`) and closes the read ends of
    the pipes it inherited (its own among them): with no reader left but the parent, a
    send after the parent died fails with a broken pipe, and the child ends.
    """
    _die_with(parent)
    for reader in readers:
        reader.close()
    try:
        results = [_then_trim(work, key) for key in keys]
    except DigestError as exc:
        answer: tuple[str, Any] = ("error", str(exc))
    except BaseException as exc:  # a bug: report it rather than hang the parent
        answer = ("error", f"{type(exc).__name__}: {exc}")
    else:
        answer = ("done", results)
    if os.getppid() != parent:
        os._exit(1)  # nobody to answer
    try:
        send.send(answer)
        send.close()
    except OSError:  # the parent is gone (a broken pipe): nothing to do but end
        os._exit(1)


#: Linux's prctl option that names the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1
#: How often a child looks at its parent where the kernel cannot tell it (seconds).
ORPHAN_POLL_SECONDS = 0.5


def _die_with(parent: int) -> None:
    """End this (forked) process when ``parent`` dies: on Linux the kernel sends SIGKILL
    (``PR_SET_PDEATHSIG``); elsewhere a thread looks every :data:`ORPHAN_POLL_SECONDS`.
    A parent that died before the request was made is seen here: this process then has
    another parent already, and ends at once."""
    if not _kill_when_parent_dies():
        threading.Thread(target=_watch_parent, args=(parent,), name="digest-orphan-watch", daemon=True).start()
    if os.getppid() != parent:
        os._exit(1)


def _kill_when_parent_dies() -> bool:
    """Ask the kernel to SIGKILL this process when its parent thread ends; False where it cannot."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        prctl.restype = ctypes.c_int
    except (OSError, AttributeError):
        return False
    return prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        threading.Event().wait(ORPHAN_POLL_SECONDS)
    os._exit(1)


# ---------------------------------------------------------------------- renameat2

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False when the system or
    the file system does not offer it (the caller then renames twice)."""
    func = _renameat2()
    if func is None:
        return False
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err))


def has_exchange() -> bool:
    """True where the C library has renameat2 (the file system may still refuse it)."""
    return _renameat2() is not None


_RENAMEAT2: list = []


def _renameat2() -> Any:
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
