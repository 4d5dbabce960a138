"""The geometry of the theme's bar charts: where each bar of an inline SVG chart goes.

Pure layout, no drawing: :func:`bars` places one bar per value in a fixed viewBox, heights
proportional to the values on an axis from 0 to a round number at or above the largest, with
its ticks. The templates (``_stats.html``) draw the SVG from it, so a chart is Jinja output
like the rest of a page: no script, no network, the same bytes for the same numbers.
Coordinates are rounded to two decimals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

#: The viewBox of every chart, and the plot area inside it (room for the axes' labels).
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 8, 20, 40  # LEFT: room for a tick label as long as "100.0%"


@dataclass(frozen=True)
class BarBox:
    """One bar: its value and its rectangle in the viewBox."""

    value: float
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Tick:
    value: float
    y: float


@dataclass(frozen=True)
class Chart:
    """A bar chart's layout: ``id`` names its SVG's title and description (unique in a page)."""

    id: str
    bars: tuple[BarBox, ...]
    ticks: tuple[Tick, ...]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    base: int = HEIGHT - BOTTOM


def _step(high: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about four ticks up to ``high``."""
    raw = high / 4
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * power >= raw:
            return m * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def bars(chart_id: str, values: Sequence[float]) -> Chart:
    """One bar per value, left to right, on an axis from 0 to the round tick at or above the largest."""
    plot = HEIGHT - BOTTOM - TOP
    high = max(values, default=0)
    step = _step(high) if high > 0 else 1
    top = max(step * math.ceil(high / step), step) if high > 0 else 1
    slot = (WIDTH - RIGHT - LEFT) / max(len(values), 1)
    gap = min(slot * 0.2, 8)
    boxes = []
    for i, value in enumerate(values):
        h = round(plot * value / top, 2)
        boxes.append(BarBox(value, round(LEFT + i * slot + gap / 2, 2), round(HEIGHT - BOTTOM - h, 2),
                            round(slot - gap, 2), h))
    ticks = []
    n = 0
    while n * step <= top + 1e-9:
        ticks.append(Tick(round(n * step, 6), round(HEIGHT - BOTTOM - plot * n * step / top, 2)))
        n += 1
    return Chart(chart_id, tuple(boxes), tuple(ticks))
