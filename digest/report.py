"""What a build tells its user: :class:`BuildReport` and the summary lines it prints."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from digest.core.errors import Problem, summary
from digest.core.models import Fallback, fields_of
from digest.site.merge import FellBack


@dataclass(frozen=True)
class BuildReport:
    """What a build produced."""

    out_dir: Path
    editions: int
    entries: int
    pages: int
    feeds: int
    files: int
    written: int
    unchanged: int
    warnings: tuple[Problem, ...] = ()
    #: texts shown (or left out) in another language than their page's
    fallbacks: tuple[FellBack, ...] = ()
    #: why the site has no search and how to turn it on ("" when it has search)
    search: str = ""

    def unchanged_in(self, out_dir: Path) -> BuildReport:
        """This report as a build into ``out_dir`` that found nothing to do gives it."""
        return replace(self, out_dir=Path(out_dir), written=0, unchanged=self.files)

    def summary(self) -> str:
        text = (f"digest build: {self.editions} edition{'' if self.editions == 1 else 's'}, "
                f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}: {self.pages} pages and "
                f"{self.feeds} feeds in {self.out_dir} ({self.written} written, {self.unchanged} unchanged)")
        if self.warnings:
            text += f"; {summary(self.warnings)}"
        return "\n".join([text, *fallback_summary(self.fallbacks), *([f"digest build: {self.search}"] if self.search else [])])


#: How many places of a curator's untranslated text the summary names, per field.
NAMED_PLACES = 3
#: The fallback fields as the summary names them: singular, plural.
FIELD_NAMES = {f.name: f.metadata["nouns"] for f in fields_of(Fallback)}


def fallback_summary(fallbacks: Sequence[FellBack]) -> list[str]:
    """One line per page language: which texts fell back, how many, into which language,
    and what the page did (``original``, or ``machine`` without a draft to show: shown, marked;
    ``omit``: left out). A curator's
    text still to translate names its first places (edition/paper); fetched text, which
    is English by nature, is only counted."""
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for f in fallbacks:
        groups.setdefault((f.page_lang, f.field, f.source, f.lang, f.action), []).append(f.where)
    lines = []
    for page_lang in dict.fromkeys(f.page_lang for f in fallbacks):
        parts = []
        for (lang, name, source, shown_lang, action), places in groups.items():
            if lang != page_lang:
                continue
            noun = FIELD_NAMES[name][len(places) != 1]
            if action != "omit":  # original, or machine where no draft is fit to show
                part = f"{len(places)} {noun} ({source}) shown in {shown_lang}"
            else:
                part = f"{len(places)} {noun} ({source}) in {shown_lang} left out"
            if source == "curator":
                named = ", ".join(places[:NAMED_PLACES])
                more = len(places) - NAMED_PLACES
                part += f" ({named}{f' and {more} more' if more > 0 else ''})"
            parts.append(part)
        lines.append(f"  {page_lang} pages fell back: " + "; ".join(parts))
    return lines


@dataclass
class Timings:
    """Where a build's time went: wall seconds per stage, in the order the stages ran
    (``digest build --timings``)."""

    stages: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start

    def lines(self, total: float | None = None) -> list[str]:
        """One line per stage, then the total (``total``, or the sum of the stages)."""
        width = max((len(name) for name in self.stages), default=0)
        lines = [f"  {name:<{width}}  {seconds:7.3f} s" for name, seconds in self.stages.items()]
        whole = total if total is not None else sum(self.stages.values())
        return [*lines, f"  {'total':<{width}}  {whole:7.3f} s"]
