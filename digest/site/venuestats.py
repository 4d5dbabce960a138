"""An edition's venue statistics as its page shows them: what :mod:`digest.stats.venue`
computes from the venue record, for the blocks the curator asked for (Edition.stats), with
the chart layouts (:mod:`digest.site.charts`) and the official numbers the curator wrote.

Everything here is language-neutral numbers; the template formats them in the page's
language (Babel) and takes every label from the catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from digest.core.models import VenueRecord, VenueStats
from digest.site.charts import Chart, bars
from digest.stats import venue as V


@dataclass(frozen=True)
class Count:
    """A tier (or "accepted") with its count and its share of the submissions."""

    key: str
    count: int
    rate: float


@dataclass(frozen=True)
class BinRow:
    low: float
    high: float
    single: bool  # a bin of one value (a rating, a spread)
    count: int


@dataclass(frozen=True)
class RankRow:
    id: str
    decision: str
    ratings: tuple[int, ...]
    mean: float
    spread: int


@dataclass(frozen=True)
class Ranks:
    rows: tuple[RankRow, ...]
    tied: tuple[str, ...]  # ids past the cut with the last shown paper's key


@dataclass(frozen=True)
class TierMeanRow:
    tier: str
    papers: int
    mean: float


@dataclass(frozen=True)
class ScoreBinRow:
    low: float
    high: float
    papers: int
    accepted: int
    rate: float | None


@dataclass(frozen=True)
class ConfidenceGrid:
    ratings: tuple[int, ...]
    confidences: tuple[int, ...]
    counts: tuple[tuple[int, ...], ...]
    reviews: int


@dataclass(frozen=True)
class StatsView:
    """The venue statistics of one edition (``blocks``: the curator's, in order)."""

    venue: str
    snapshot: date | None  # the record's date
    source: str
    scale: tuple[int, ...]
    blocks: tuple[str, ...]
    top_n: int
    desk_rejects_counted: bool
    withdrawn_counted: bool
    submissions: int  # the official number when the curator wrote one
    computed_submissions: int
    official_submissions: bool
    listed: int
    withdrawn: int
    desk_rejected: int
    tiers: tuple[Count, ...]
    accepted: Count  # the official number when the curator wrote one
    official_accepted: bool
    official_source: str
    reviews: tuple[BinRow, ...]
    reviews_chart: Chart
    means: tuple[BinRow, ...]
    means_chart: Chart
    papers_rated: int
    review_count: int
    mean: float | None
    median: float | None
    spread_papers: int
    spread_under: int
    spread_share: float | None
    spreads: tuple[BinRow, ...]
    spreads_chart: Chart
    top: Ranks
    controversial: Ranks
    by_decision: tuple[TierMeanRow, ...]
    by_decision_chart: Chart
    by_score: tuple[ScoreBinRow, ...]
    by_score_chart: Chart
    confidence: ConfidenceGrid | None


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _bins(found: tuple[V.Bin, ...]) -> tuple[BinRow, ...]:
    return tuple(BinRow(float(b.low), float(b.high), b.low == b.high, b.count) for b in found)


def _ranks(found: V.Ranking) -> Ranks:
    rows = tuple(RankRow(r.id, r.decision, r.ratings, float(r.mean), r.spread) for r in found.shown)
    return Ranks(rows, tuple(r.id for r in found.tied))


def view(stats: VenueStats, record: VenueRecord, slug: str) -> StatsView:
    """The view of ``stats`` over ``record``; chart ids start with the edition's ``slug``."""
    rule = V.DEFAULT_RULE
    subs = V.submissions(record, rule)
    acc = V.acceptance(record, rule)
    official = stats.official
    n_subs = official.submissions if official and official.submissions else subs.count
    n_acc = official.accepted if official and official.accepted else acc.accepted.count
    summary = V.summary(record, rule)
    spread = V.spread(record, rule)
    reviews, means, spreads = (_bins(V.review_histogram(record, rule)), _bins(V.mean_histogram(record, rule)),
                               _bins(spread.histogram))
    by_decision = tuple(TierMeanRow(t.tier, t.papers, float(t.mean)) for t in V.mean_by_decision(record, rule))
    by_score = tuple(ScoreBinRow(float(b.bin.low), float(b.bin.high), b.accepted.of, b.accepted.count,
                                 None if b.accepted.rate is None else float(b.accepted.rate))
                     for b in V.acceptance_by_bin(record, rule))
    grid = V.rating_confidence(record, rule)
    return StatsView(
        venue=stats.venue, snapshot=_date(record.fetched_at), source=record.source, scale=record.scale,
        blocks=stats.blocks, top_n=stats.top,
        desk_rejects_counted=rule.desk_rejects, withdrawn_counted=rule.withdrawn,
        submissions=n_subs, computed_submissions=subs.count,
        official_submissions=bool(official and official.submissions),
        listed=subs.listed, withdrawn=subs.withdrawn, desk_rejected=subs.desk_rejected,
        tiers=tuple(Count(s.key, s.count, float(s.rate or 0)) for s in acc.tiers),
        accepted=Count("accepted", n_acc, n_acc / n_subs if n_subs else 0.0),
        official_accepted=bool(official and official.accepted),
        official_source=official.source if official else "",
        reviews=reviews, reviews_chart=bars(f"{slug}-reviews", [r.count for r in reviews]),
        means=means, means_chart=bars(f"{slug}-means", [r.count for r in means]),
        papers_rated=summary.papers, review_count=summary.reviews,
        mean=None if summary.mean is None else float(summary.mean),
        median=None if summary.median is None else float(summary.median),
        spread_papers=spread.papers, spread_under=spread.under.count,
        spread_share=None if spread.under.rate is None else float(spread.under.rate),
        spreads=spreads, spreads_chart=bars(f"{slug}-spread", [r.count for r in spreads]),
        top=_ranks(V.top_by_mean(record, stats.top, rule)),
        controversial=_ranks(V.controversial(record, stats.top, rule)),
        by_decision=by_decision, by_decision_chart=bars(f"{slug}-by-decision", [r.mean for r in by_decision]),
        by_score=by_score, by_score_chart=bars(f"{slug}-by-score", [r.rate or 0 for r in by_score]),
        confidence=None if grid is None else ConfidenceGrid(grid.ratings, grid.confidences, grid.counts, grid.reviews),
    )
