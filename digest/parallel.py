"""Render languages side by side: one in this process, the others in forked children.

A big site spends most of its build rendering, and each language renders independently
of the others. :func:`map_files` runs ``work(key)`` for the first key here and for every
other key in a child process forked from this one (so it shares everything already
loaded), then collects each child's ``{path: bytes}`` over a pipe, file by file, in key
order. The result is the same as running ``work`` for every key in turn, byte for byte.

Only where ``fork`` is dependable (Linux); elsewhere, or when asked, keys run in turn.
A child's error comes back as a :class:`~digest.errors.BuildError` with its message.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from digest.errors import BuildError, DigestError

Files = dict[str, bytes]


def can_fork() -> bool:
    """True where forked workers are safe and useful: Linux with more than one CPU."""
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1


def map_files(work: Callable[[str], Files], keys: Sequence[str], parallel: bool) -> list[Files]:
    """``[work(key) for key in keys]``, the keys after the first in forked children when ``parallel``."""
    if not parallel or len(keys) < 2 or not can_fork():
        return [work(key) for key in keys]
    ctx = multiprocessing.get_context("fork")
    workers = []
    for key in keys[1:]:
        receive, send = ctx.Pipe(duplex=False)
        process = ctx.Process(target=_child, args=(work, key, send), name=f"digest-{key}", daemon=True)
        process.start()
        send.close()
        workers.append((key, process, receive))
    try:
        results = [work(keys[0])]
        for key, process, receive in workers:
            results.append(_collect(key, process, receive))
        return results
    finally:
        for _key, process, receive in workers:
            receive.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _child(work: Callable[[str], Files], key: str, send: Any) -> None:
    """In the child: run ``work`` and send the files, then ``done`` (or ``error`` and a message)."""
    try:
        files = work(key)
    except DigestError as exc:
        send.send(("error", str(exc)))
        return
    except BaseException as exc:  # a bug: report it rather than hang the parent
        send.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    for path, data in files.items():
        send.send(("file", path))
        send.send_bytes(data)
    send.send(("done", len(files)))
    send.close()


def _collect(key: str, process: Any, receive: Any) -> Files:
    files: Files = {}
    while True:
        try:
            kind, value = receive.recv()
        except EOFError:
            process.join()
            raise BuildError(f"rendering '{key}' failed: its worker process ended early "
                             f"(exit code {process.exitcode})") from None
        if kind == "file":
            files[value] = receive.recv_bytes()
        elif kind == "done":
            return files
        else:
            raise BuildError(value)
