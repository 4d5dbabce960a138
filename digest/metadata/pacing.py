"""Clocks, pacing and retry timing for the fetcher (no network here).

:class:`Pacer` keeps a service's published interval between requests; :class:`RetryPolicy`
says how often and how long to wait before trying again; :func:`retry_after` reads the
``Retry-After`` header (seconds or an HTTP date). Time comes from a :class:`Clock`, so tests
pass a fake one that never sleeps. Used by :mod:`digest.metadata.http`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...
    def time(self) -> float: ...


class SystemClock:
    """The real clock: monotonic time for pacing, Unix time for HTTP dates."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def time(self) -> float:
        return time.time()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to try again (see the module docstring)."""

    attempts: int = 5
    base: float = 1.0
    cap: float = 60.0
    max_wait: float = 120.0


class Pacer:
    """Keeps at least ``interval`` seconds between one request's end and the next's start."""

    def __init__(self, interval: float, clock: Clock):
        self.interval = interval
        self.clock = clock
        self.last_end: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may go; returns the seconds slept."""
        if self.last_end is None:
            return 0.0
        gap = self.last_end + self.interval - self.clock.now()
        if gap > 0:
            self.clock.sleep(gap)
            return gap
        return 0.0

    def done(self) -> None:
        self.last_end = self.clock.now()


def retry_after(value: str | None, date_header: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: a number of seconds or an HTTP date.

    An HTTP date is compared with the answer's own ``Date`` header when it has one (so the
    two clocks agree), else with ``now`` (Unix time). None when absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        target = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    ref = now
    if date_header:
        try:
            ref = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            pass  # an unreadable Date header: count from our own clock instead
    return max(0.0, target - ref)
