"""The statistics of one venue year, computed from its venue record.

Pure functions of a :class:`~digest.core.models.VenueRecord` (nothing read, nothing written):
each returns a small frozen value that a template prints and a chart draws. Means are exact
fractions (:class:`fractions.Fraction`), so bins, ranks and ties never depend on float rounding;
a template rounds only what it shows.

Which papers count is a :class:`Rule` stated with every number: by default desk-rejected
submissions are not submissions and withdrawn ones are (the usual way venue-stats sites count
ICLR). Score statistics are over the counted papers that have at least one rating; the spread
(max - min of a paper's ratings) over those with at least two.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from digest.core.models import DECISIONS, VenuePaper, VenueRecord

#: The tiers that are an acceptance to the main conference.
ACCEPTED = ("oral", "spotlight", "poster")
#: A spread below this is "reviewers broadly agree" (the share under it is reported).
AGREEMENT = 3


@dataclass(frozen=True)
class Rule:
    """Which papers are counted as submissions."""

    desk_rejects: bool = False
    withdrawn: bool = True

    def counts(self, paper: VenuePaper) -> bool:
        if paper.desk_rejected:
            return self.desk_rejects
        if paper.withdrawn:
            return self.withdrawn
        return True


DEFAULT_RULE = Rule()


@dataclass(frozen=True)
class Share:
    """``count`` of ``of``; ``rate`` is None when ``of`` is 0."""

    key: str
    count: int
    of: int

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.count, self.of) if self.of else None


@dataclass(frozen=True)
class Submissions:
    count: int  # counted under the rule
    listed: int  # every paper of the record
    withdrawn: int
    desk_rejected: int
    rule: Rule


@dataclass(frozen=True)
class Acceptance:
    tiers: tuple[Share, ...]  # every tier with a paper, in the order of DECISIONS, over submissions
    accepted: Share  # oral + spotlight + poster


@dataclass(frozen=True)
class Bin:
    """Papers or reviews from ``low`` up to ``high`` (``high`` included only in the last bin;
    ``low == high`` for a bin of one value)."""

    low: Fraction
    high: Fraction
    count: int
    last: bool = False

    def holds(self, value: Fraction) -> bool:
        return self.low <= value < self.high or (self.last or self.low == self.high) and value == self.high


@dataclass(frozen=True)
class Summary:
    papers: int  # counted papers with a rating
    reviews: int
    mean: Fraction | None  # of the paper means
    median: Fraction | None


@dataclass(frozen=True)
class Spread:
    papers: int  # counted papers with two or more ratings
    under: Share  # papers whose spread is below AGREEMENT
    histogram: tuple[Bin, ...]  # one bin per spread value, 0 to the largest


@dataclass(frozen=True)
class Ranked:
    """One paper in a ranking."""

    id: str
    decision: str
    ratings: tuple[int, ...]
    mean: Fraction
    spread: int


@dataclass(frozen=True)
class Ranking:
    """The first ``n`` papers by a key, and the papers past the cut whose key equals the last
    shown one's (``tied``): a cut that splits a tie says so."""

    shown: tuple[Ranked, ...]
    tied: tuple[Ranked, ...]
    key: str  # "mean" or "spread"


@dataclass(frozen=True)
class TierMean:
    tier: str
    papers: int
    mean: Fraction


@dataclass(frozen=True)
class BinAcceptance:
    bin: Bin  # papers whose mean falls in it (its count)
    accepted: Share


@dataclass(frozen=True)
class Grid:
    """Reviews counted by (rating, confidence), over papers that have confidences."""

    ratings: tuple[int, ...]
    confidences: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]  # counts[i][j]: ratings[i] with confidences[j]
    reviews: int


def counted(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> tuple[VenuePaper, ...]:
    return tuple(p for p in record.papers if rule.counts(p))


def reviewed(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> tuple[VenuePaper, ...]:
    return tuple(p for p in counted(record, rule) if p.ratings)


def mean_of(paper: VenuePaper) -> Fraction:
    return Fraction(sum(paper.ratings), len(paper.ratings))


def spread_of(paper: VenuePaper) -> int:
    return max(paper.ratings) - min(paper.ratings)


def submissions(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> Submissions:
    papers = record.papers
    return Submissions(len(counted(record, rule)), len(papers), sum(p.withdrawn for p in papers),
                       sum(p.desk_rejected for p in papers), rule)


def acceptance(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> Acceptance:
    papers = counted(record, rule)
    tally = Counter(p.decision for p in papers)
    tiers = tuple(Share(t, tally[t], len(papers)) for t in DECISIONS if tally[t])
    return Acceptance(tiers, Share("accepted", sum(tally[t] for t in ACCEPTED), len(papers)))


def review_histogram(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> tuple[Bin, ...]:
    """Reviews per rating, one bin per value of the venue's scale (and any rating off it)."""
    tally = Counter(r for p in reviewed(record, rule) for r in p.ratings)
    values = sorted(set(record.scale) | set(tally))
    return tuple(Bin(Fraction(v), Fraction(v), tally[v]) for v in values)


def _edges(record: VenueRecord, width: int) -> list[int]:
    low, high = min(record.scale), max(record.scale)
    edges = list(range(low, high, width))
    return [*edges, high]


def mean_histogram(record: VenueRecord, rule: Rule = DEFAULT_RULE, width: int = 1) -> tuple[Bin, ...]:
    """Papers per mean rating, bins ``width`` wide from the scale's lowest to its highest value
    (``[1, 2)``, ``[2, 3)`` … ``[9, 10]``)."""
    means = [mean_of(p) for p in reviewed(record, rule)]
    return _bins(_edges(record, width), means)


def _bins(edges: list[int], values: list[Fraction]) -> tuple[Bin, ...]:
    out = []
    for i in range(len(edges) - 1):
        shell = Bin(Fraction(edges[i]), Fraction(edges[i + 1]), 0, i == len(edges) - 2)
        out.append(Bin(shell.low, shell.high, sum(shell.holds(v) for v in values), shell.last))
    return tuple(out)


def summary(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> Summary:
    papers = reviewed(record, rule)
    means = [mean_of(p) for p in papers]
    return Summary(len(papers), sum(len(p.ratings) for p in papers),
                   sum(means, Fraction(0)) / len(means) if means else None,
                   statistics.median(means) if means else None)


def spread(record: VenueRecord, rule: Rule = DEFAULT_RULE, under: int = AGREEMENT) -> Spread:
    spreads = [spread_of(p) for p in reviewed(record, rule) if len(p.ratings) >= 2]
    tally = Counter(spreads)
    top = max(spreads, default=0)
    histogram = tuple(Bin(Fraction(s), Fraction(s), tally[s]) for s in range(top + 1))
    return Spread(len(spreads), Share(f"under {under}", sum(s < under for s in spreads), len(spreads)), histogram)


def _ranked(paper: VenuePaper) -> Ranked:
    return Ranked(paper.id, paper.decision, paper.ratings, mean_of(paper), spread_of(paper))


def _rank(items: list[Ranked], key, n: int, name: str) -> Ranking:
    items.sort(key=lambda r: (key(r), r.id))
    shown = items[:n]
    if not shown:
        return Ranking((), (), name)
    last = key(shown[-1])[0]
    tied = tuple(r for r in items[n:] if key(r)[0] == last)
    return Ranking(tuple(shown), tied, name)


def top_by_mean(record: VenueRecord, n: int, rule: Rule = DEFAULT_RULE) -> Ranking:
    """The ``n`` papers of the highest mean (equal means by id), and the ties past the cut."""
    return _rank([_ranked(p) for p in reviewed(record, rule)], lambda r: (-r.mean,), n, "mean")


def controversial(record: VenueRecord, n: int, rule: Rule = DEFAULT_RULE) -> Ranking:
    """The ``n`` papers whose reviewers disagree most (largest spread; equal spreads by id),
    over papers with two or more ratings, and the ties past the cut."""
    items = [_ranked(p) for p in reviewed(record, rule) if len(p.ratings) >= 2]
    return _rank(items, lambda r: (-r.spread,), n, "spread")


def mean_by_decision(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> tuple[TierMean, ...]:
    papers = reviewed(record, rule)
    out = []
    for tier in DECISIONS:
        means = [mean_of(p) for p in papers if p.decision == tier]
        if means:
            out.append(TierMean(tier, len(means), sum(means, Fraction(0)) / len(means)))
    return tuple(out)


def acceptance_by_bin(record: VenueRecord, rule: Rule = DEFAULT_RULE, width: int = 1) -> tuple[BinAcceptance, ...]:
    """Per bin of the mean histogram: how many of its papers were accepted."""
    papers = reviewed(record, rule)
    out = []
    for shell in mean_histogram(record, rule, width):
        inside = [p for p in papers if shell.holds(mean_of(p))]
        out.append(BinAcceptance(shell, Share("accepted", sum(p.decision in ACCEPTED for p in inside), len(inside))))
    return tuple(out)


def rating_confidence(record: VenueRecord, rule: Rule = DEFAULT_RULE) -> Grid | None:
    """Reviews by rating and confidence; None when no counted paper has confidences."""
    pairs = Counter((r, c) for p in reviewed(record, rule) if p.confidences is not None
                    for r, c in zip(p.ratings, p.confidences, strict=True))
    if not pairs:
        return None
    ratings = tuple(sorted(set(record.scale) | {r for r, _ in pairs}))
    confidences = tuple(sorted({c for _, c in pairs}))
    counts = tuple(tuple(pairs[(r, c)] for c in confidences) for r in ratings)
    return Grid(ratings, confidences, counts, sum(pairs.values()))
