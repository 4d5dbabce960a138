"""Venue statistics (digest.stats.venue), checked against numbers computed here, independently,
from the committed venue records read as plain JSON, and against a small record worked by hand."""

from __future__ import annotations

import functools
import json
import math
import statistics
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from digest.core.models import VenuePaper, VenueRecord
from digest.metadata.venuerecords import VenueStore
from digest.stats import venue as V

SNAPSHOT = Path(__file__).resolve().parent.parent / "content" / "snapshot"
YEARS = (2017, 2018, 2020, 2021)


def raw(year: int) -> list[dict]:
    return json.loads((SNAPSHOT / "venues" / f"iclr-{year}.json").read_text(encoding="utf-8"))["papers"]


@functools.cache
def record(year: int) -> VenueRecord:
    found = VenueStore(SNAPSHOT).get("ICLR", year)
    assert found is not None
    return found


def in_rule(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["decision"] != "desk-reject"]


def rated(rows: list[dict]) -> list[dict]:
    return [r for r in in_rule(rows) if r["ratings"]]


@pytest.mark.parametrize("year", YEARS)
def test_submissions_leave_desk_rejects_out_and_keep_withdrawn(year: int) -> None:
    rows = raw(year)
    got = V.submissions(record(year))
    assert got.count == len(rows) - sum(r["decision"] == "desk-reject" for r in rows)
    assert got.withdrawn == sum(r["decision"] == "withdrawn" for r in rows)
    assert got.rule == V.Rule(desk_rejects=False, withdrawn=True)
    assert V.submissions(record(year), V.Rule(desk_rejects=True)).count == len(rows)


def test_iclr_2021_acceptance_is_the_published_28_7_percent() -> None:
    got = V.acceptance(record(2021)).accepted
    # 53 orals + 114 spotlights + 693 posters of 3,014 listed less 17 desk rejects
    assert (got.count, got.of) == (860, 2997)
    assert round(float(got.rate) * 100, 1) == 28.7


@pytest.mark.parametrize("year", YEARS)
def test_acceptance_by_tier(year: int) -> None:
    rows = in_rule(raw(year))
    got = V.acceptance(record(year))
    tally = Counter(r["decision"] for r in rows)
    assert {s.key: s.count for s in got.tiers} == dict(tally)
    assert all(s.of == len(rows) for s in got.tiers)
    assert got.accepted.count == tally["oral"] + tally["spotlight"] + tally["poster"]
    assert [s.key for s in got.tiers] == [k for k in ("oral", "spotlight", "poster", "workshop", "reject",
                                                      "withdrawn", "desk-reject", "pending") if tally[k]]


@pytest.mark.parametrize("year", YEARS)
def test_review_histogram_is_on_the_venues_scale(year: int) -> None:
    rows = rated(raw(year))
    got = V.review_histogram(record(year))
    reviews = Counter(x for r in rows for x in r["ratings"])
    assert {int(b.low): b.count for b in got} == {v: reviews[v] for v in record(year).scale}
    if year == 2020:
        assert [int(b.low) for b in got] == [1, 3, 6, 8]


@pytest.mark.parametrize("year", YEARS)
def test_mean_histogram_mean_and_median_of_paper_means(year: int) -> None:
    rows = rated(raw(year))
    means = [sum(r["ratings"]) / len(r["ratings"]) for r in rows]
    scale = record(year).scale
    top = max(scale)
    expected = Counter(min(math.floor(m), top - 1) for m in means)
    got = V.mean_histogram(record(year))
    assert [(int(b.low), b.count) for b in got] == [(v, expected[v]) for v in range(min(scale), top)]
    assert sum(b.count for b in got) == len(rows)
    s = V.summary(record(year))
    assert s.papers == len(rows) and s.reviews == sum(len(r["ratings"]) for r in rows)
    assert float(s.mean) == pytest.approx(statistics.fmean(means), abs=1e-12)
    assert float(s.median) == pytest.approx(statistics.median(means), abs=1e-12)


@pytest.mark.parametrize("year", YEARS)
def test_spread_and_the_share_under_three(year: int) -> None:
    spreads = [max(r["ratings"]) - min(r["ratings"]) for r in rated(raw(year)) if len(r["ratings"]) > 1]
    got = V.spread(record(year))
    assert got.papers == len(spreads)
    assert (got.under.count, got.under.of) == (sum(s < 3 for s in spreads), len(spreads))
    assert [b.count for b in got.histogram] == [spreads.count(s) for s in range(max(spreads) + 1)]


@pytest.mark.parametrize("year", YEARS)
def test_top_by_mean_reports_ties_past_the_cut(year: int) -> None:
    rows = rated(raw(year))
    means = sorted((-Fraction(sum(r["ratings"]), len(r["ratings"])), r["id"]) for r in rows)
    got = V.top_by_mean(record(year), 10)
    assert [r.id for r in got.shown] == [i for _m, i in means[:10]]
    cut = means[9][0]
    assert [r.id for r in got.tied] == [i for m, i in means[10:] if m == cut]


def test_most_controversial_papers_of_2021() -> None:
    rows = [r for r in rated(raw(2021)) if len(r["ratings"]) > 1]
    best = max(max(r["ratings"]) - min(r["ratings"]) for r in rows)
    widest = sorted(r["id"] for r in rows if max(r["ratings"]) - min(r["ratings"]) == best)
    got = V.controversial(record(2021), 1)
    assert got.shown[0].id == widest[0] and got.shown[0].spread == best == 8
    assert [r.id for r in got.tied] == widest[1:]


@pytest.mark.parametrize("year", YEARS)
def test_mean_by_decision(year: int) -> None:
    rows = rated(raw(year))
    got = {t.tier: t for t in V.mean_by_decision(record(year))}
    for tier in {r["decision"] for r in rows}:
        means = [sum(r["ratings"]) / len(r["ratings"]) for r in rows if r["decision"] == tier]
        assert got[tier].papers == len(means)
        assert float(got[tier].mean) == pytest.approx(statistics.fmean(means), abs=1e-12)


@pytest.mark.parametrize("year", YEARS)
def test_acceptance_by_score_bin(year: int) -> None:
    rows = rated(raw(year))
    top = max(record(year).scale)
    for item in V.acceptance_by_bin(record(year)):
        low = int(item.bin.low)
        inside = [r for r in rows if min(math.floor(sum(r["ratings"]) / len(r["ratings"])), top - 1) == low]
        assert item.accepted.of == len(inside) == item.bin.count
        assert item.accepted.count == sum(r["decision"] in ("oral", "spotlight", "poster") for r in inside)


@pytest.mark.parametrize("year", YEARS)
def test_rating_by_confidence_grid_where_confidences_exist(year: int) -> None:
    rows = [r for r in rated(raw(year)) if r["confidences"] is not None]
    got = V.rating_confidence(record(year))
    if year == 2020:  # the corpus has no confidences for 2020
        assert rows == [] and got is None
        return
    pairs = Counter(p for r in rows for p in zip(r["ratings"], r["confidences"], strict=True))
    for i, rating in enumerate(got.ratings):
        for j, confidence in enumerate(got.confidences):
            assert got.counts[i][j] == pairs[(rating, confidence)]
    assert got.reviews == sum(pairs.values())


def test_a_small_record_worked_by_hand() -> None:
    papers = (VenuePaper("a", "oral", (10, 10)), VenuePaper("b", "poster", (8, 6, 10)),
              VenuePaper("c", "reject", (1, 9)), VenuePaper("d", "withdrawn", (3,)),
              VenuePaper("e", "desk-reject"), VenuePaper("f", "reject", (5, 7)))
    rec = VenueRecord("X", 2020, "corpus", "2020-01-01", tuple(range(1, 11)), papers)
    assert V.submissions(rec).count == 5
    # means: a 10 (last bin, closed), b 8, c 5, d 3, f 6
    assert [b.count for b in V.mean_histogram(rec)] == [0, 0, 1, 0, 1, 1, 0, 1, 1]
    assert V.summary(rec).median == 6 and V.summary(rec).mean == Fraction(32, 5)
    sp = V.spread(rec)  # a 0, b 4, c 8, f 2
    assert (sp.papers, sp.under.count) == (4, 2)
    top = V.top_by_mean(rec, 1)
    assert [r.id for r in top.shown] == ["a"] and top.tied == ()
    tie = V.top_by_mean(VenueRecord("X", 2020, "corpus", "d", (1, 10), papers[:1] + (VenuePaper("g", "poster", (10,)),)), 1)
    assert [r.id for r in tie.shown] == ["a"] and [r.id for r in tie.tied] == ["g"]
    assert [(s.key, s.count) for s in V.acceptance(rec).tiers] == [("oral", 1), ("poster", 1), ("reject", 2),
                                                                     ("withdrawn", 1)]
    assert V.rating_confidence(rec) is None
