"""What ``digest fetch`` shows while it runs: a line per service, waits counted down.

On a terminal, :class:`FetchDisplay` is a `rich` progress display: one line per service
(and one for writing) with a bar of the ids that service has answered, a retry's wait
counted down to the second with the reason (``waiting 42 s: HTTP 429; attempt 2 of 5``),
and a service given up for the run marked ``failed`` with why; its bar only ever shows
what it answered, so a failed source never looks done. The display is redrawn on each
update and on the fetch's ``tick`` events (no thread of its own), and lines printed
meanwhile (:meth:`FetchDisplay.print`) go above it. On a pipe or file it prints plain
lines, no control characters: one per wait longer than :data:`QUIET_WAIT` seconds and per
service given up, as they happen, and each service's count at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, Progress, ProgressColumn, Task, TaskID, TextColumn
from rich.text import Text

from digest.metadata.sources.registry import display

#: Waits at least this long are told on a pipe too (shorter retries stay quiet there).
QUIET_WAIT = 5.0
#: Columns of a service's bar.
BAR_WIDTH = 24


class _Count(ProgressColumn):
    """``answered/asked`` (``?`` while the number asked is not known)."""

    def render(self, task: Task) -> Text:
        total = task.fields.get("asked")
        return Text(f"{int(task.completed)}/{'?' if total is None else total}")


class _Status(ProgressColumn):
    """A service's state after its count: ``failed: why``, or the wait left, or nothing."""

    def __init__(self, clock: Callable[[], float]):
        super().__init__()
        self.clock = clock

    def render(self, task: Task) -> Text:
        if task.fields.get("failed"):
            return Text(f"failed: {task.fields['failed']}", style="red")
        until = task.fields.get("until")
        if until is not None:
            left = max(0, round(until - self.clock()))
            return Text(f"waiting {left} s: {task.fields.get('why', '')}", style="yellow")
        return Text("")


class FetchDisplay:
    """``update`` and ``event`` are :func:`digest.metadata.fetch.fetch`'s ``progress`` and
    ``events``; ``print`` writes a line above the display; ``finish`` ends it."""

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic, width: int | None = None):
        self.out = out
        self.clock = clock
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self.names: dict[str, str] = {}
        self.counts: dict[str, tuple[int, int]] = {}
        self.tasks: dict[str, TaskID] = {}
        self.progress: Progress | None = None
        if self.tty:
            console = Console(file=out, width=width, force_terminal=True, highlight=False)
            self.progress = Progress(
                TextColumn("{task.description:<16}"), BarColumn(bar_width=BAR_WIDTH), _Count(),
                _Status(clock), console=console, auto_refresh=False, transient=False,
            )
        self._started = False

    def _task(self, stage: str) -> TaskID | None:
        name = self.names.setdefault(stage, "writing" if stage == "write" else display(stage))
        if self.progress is None:
            return None
        if stage not in self.tasks:
            if not self._started:
                self.progress.start()
                self._started = True
            self.tasks[stage] = self.progress.add_task(name, total=1, asked=None, until=None, why="", failed="")
        return self.tasks[stage]

    def _refresh(self) -> None:
        if self.progress is not None and self._started:
            self.progress.refresh()

    def update(self, stage: str, done: int, total: int) -> None:
        task = self._task(stage)
        self.counts[stage] = (done, total)
        if self.progress is not None and task is not None:
            fields = {} if stage == "write" else {"until": None}  # an answer came: the wait is over
            self.progress.update(task, completed=done, total=max(total, 1), asked=total, **fields)
            self._refresh()

    def event(self, source: str, kind: str, text: str, seconds: float) -> None:
        if kind == "tick":
            self._refresh()
            return
        task = self._task(source)
        name = self.names[source]
        if kind == "retry":
            if self.progress is not None and task is not None:
                self.progress.update(task, until=self.clock() + seconds, why=text)
            elif seconds >= QUIET_WAIT:
                print(f"{name}: {text}; waiting {seconds:.0f} s", file=self.out)
        elif kind == "down":
            if self.progress is not None and task is not None:
                self.progress.update(task, until=None, failed=text)
            else:
                print(f"{name}: failed: {text}", file=self.out)
        self._refresh()

    def print(self, line: str) -> None:
        """A line of output above the display (or on its own, on a pipe)."""
        if self.progress is not None and self._started:
            self.progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=self.out)

    def finish(self) -> None:
        if self.progress is not None:
            if self._started:
                self.progress.stop()  # the last state stays on screen
            return
        for stage, (done, total) in self.counts.items():
            if stage != "write" and total:
                print(f"{self.names[stage]}: {done}/{total}", file=self.out)
