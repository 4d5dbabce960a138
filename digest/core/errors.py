"""One exception tree for digest, and the record of a located problem.

::

    DigestError                    anything digest reports to a user instead of a traceback
    ├── ContentError               one or more problems in curated files (carries Problems)
    ├── FetchError                 a service could not be reached or answered badly
    │   ├── LoginRequired          OpenReview answered 403 ChallengeRequiredError
    │   └── ParseError             a service answered with a body that cannot be used
    ├── StoreError                 the metadata snapshot could not be read or written
    │   └── DamagedRecords         snapshot records that do not hold what the model says (and
    │                              a ContentError: carries a Problem per thing wrong)
    └── BuildError                 rendering or writing the site failed

Every problem a user sees is a :class:`Problem`: where (file, line, column), which field
(a dotted path such as ``entries[2].category``), what is wrong, and what to do. Loaders
collect problems and raise one :class:`ContentError` at the end, so a run reports every
problem at once. Foreign exceptions (YAML, httpx, OSError) are translated at the module
boundary that meets them; nothing above that boundary catches a foreign exception.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from digest.core.text import visible

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Loc:
    """A position in a file. ``line`` and ``col`` are 1-based; 0 means unknown."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col or 1}"
        return self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, in the shape every message takes.

    Rendered as ``file:line:col: error: field: what is wrong (what to do)``.
    """

    loc: Loc
    field: str
    message: str
    hint: str = ""
    severity: Severity = "error"

    def __str__(self) -> str:
        text = f"{self.loc}: {self.severity}: "
        if self.field:
            text += f"{self.field}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return visible(text)

    def sort_key(self) -> tuple:
        return (self.loc.file, self.loc.line, self.loc.col, self.field, self.message)


class DigestError(Exception):
    """Base of every error digest reports to a user without a traceback."""


class ContentError(DigestError):
    """Curated content has problems; ``problems`` holds every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__(summary(self.problems))


class FetchError(DigestError):
    """A metadata service failed; the message names the service and what to do."""


class LoginRequired(FetchError):
    """OpenReview refuses anonymous callers; credentials are needed."""


class ParseError(FetchError):
    """A service answered, but the body is not the shape its API promises (garbled,
    truncated, an HTML page instead of JSON, an unsafe XML document)."""


class StoreError(DigestError):
    """The metadata snapshot could not be read or written."""


class DamagedRecords(StoreError, ContentError):
    """Snapshot records that are not what :class:`~digest.core.models.PaperMeta` declares:
    a problem per field wrong, each naming the record's file. A store error (``digest
    fetch`` fetches such a record again) printed like a content error (every problem, then
    the counts)."""

    def __init__(self, problems: Iterable[Problem]):
        ContentError.__init__(self, problems)

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)


class BuildError(DigestError):
    """The site could not be rendered or written."""


def summary(problems: Iterable[Problem]) -> str:
    """The closing line of a report: counts of errors and warnings."""
    items = list(problems)
    errors = sum(1 for p in items if p.severity == "error")
    warnings = len(items) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error" + ("" if errors == 1 else "s"))
    if warnings:
        parts.append(f"{warnings} warning" + ("" if warnings == 1 else "s"))
    return ", ".join(parts) if parts else "no problems"
