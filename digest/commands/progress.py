"""What ``digest fetch`` shows while it runs: a line per service, waits counted down.

On a terminal, :class:`FetchDisplay` keeps one line per service (and one for writing),
redrawn in place: a bar of the ids that service has answered, a retry's wait counted down
to the second with the reason (``waiting 42 s: HTTP 429; attempt 2 of 5``), and a service
given up for the run marked ``failed`` with why; its bar only ever shows what it answered,
so a failed source never looks done. On a pipe or file it prints plain lines, no control
characters: one per wait longer than :data:`QUIET_WAIT` seconds and per service given up,
as they happen, and each service's count at the end.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from digest.metadata.sources.registry import display

#: Waits at least this long are told on a pipe too (shorter retries stay quiet there).
QUIET_WAIT = 5.0


@dataclass
class _Line:
    name: str
    done: int = 0
    total: int = 0
    until: float | None = None  # the end of a wait, on the display's clock
    why: str = ""
    failed: str = ""


class FetchDisplay:
    """``update`` and ``event`` are :func:`digest.metadata.fetch.fetch`'s ``progress`` and
    ``events``; ``pause`` clears the lines before other output, ``finish`` ends the display."""

    WIDTH = 24

    def __init__(self, out: TextIO, clock: Callable[[], float] = time.monotonic, width: int | None = None):
        self.out = out
        self.clock = clock
        self.width = width  # None: the terminal's, at each redraw
        self.tty = bool(getattr(out, "isatty", lambda: False)())
        self.lines: dict[str, _Line] = {}
        self.drawn = 0  # lines on screen now

    def update(self, stage: str, done: int, total: int) -> None:
        line = self.lines.setdefault(stage, _Line("writing" if stage == "write" else display(stage)))
        line.done, line.total = done, total
        if line.until is not None and stage != "write":
            line.until = None  # an answer came: the wait is over
        self._draw()

    def event(self, source: str, kind: str, text: str, seconds: float) -> None:
        if kind == "tick":
            if any(line.until is not None for line in self.lines.values()):
                self._draw()
            return
        line = self.lines.setdefault(source, _Line(display(source)))
        if kind == "retry":
            line.until, line.why = self.clock() + seconds, text
            if not self.tty and seconds >= QUIET_WAIT:
                print(f"{line.name}: {text}; waiting {seconds:.0f} s", file=self.out)
        elif kind == "down":
            line.until, line.failed = None, text
            if not self.tty:
                print(f"{line.name}: failed: {text}", file=self.out)
        self._draw()

    def pause(self) -> None:
        """Clear the display (the next update draws it again below what was printed)."""
        if self.tty and self.drawn:
            self.out.write(f"\x1b[{self.drawn}F\x1b[J")
            self.out.flush()
            self.drawn = 0

    def finish(self) -> None:
        if self.tty:
            self._draw()
            self.drawn = 0  # leave the last state on screen
            return
        for stage, line in self.lines.items():
            if stage != "write" and line.total:
                print(f"{line.name}: {line.done}/{line.total}", file=self.out)

    # ------------------------------------------------------------------ drawing

    def _text(self, line: _Line) -> str:
        filled = self.WIDTH * line.done // max(line.total, 1)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"{line.name:<16} [{bar}] {line.done}/{line.total}"
        if line.failed:
            return f"{text}  failed: {line.failed}"
        if line.until is not None:
            left = max(0, round(line.until - self.clock()))
            return f"{text}  waiting {left} s: {line.why}"
        return text

    def _draw(self) -> None:
        if not self.tty:
            return
        width = (self.width or shutil.get_terminal_size().columns) - 1  # a wrapped row would break the redraw
        rows = [self._text(line)[:width] for line in self.lines.values()]
        up = f"\x1b[{self.drawn}F" if self.drawn else ""
        self.out.write(up + "".join(f"\x1b[2K{row}\n" for row in rows))
        self.out.flush()
        self.drawn = len(rows)
