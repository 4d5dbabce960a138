"""Fetching under faults, against the local API server: nothing lost, nothing degraded,
no service asked again after it said to wait or kept failing, and the fewest requests.

The request counts of :func:`test_requests_per_service` are the ones BENCHMARKS.md lists.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import math
import os
from pathlib import Path

import pytest
from apiserver import ApiServer, load_year, make_fetcher

from digest.core.files import atomic_write
from digest.core.ids import PaperRef
from digest.metadata.fetch import fetch
from digest.metadata.sources import arxiv, openreview, s2
from digest.metadata.store import Store

ROOT = Path(__file__).resolve().parent.parent
Y2021 = load_year(2021)
STAMP = "2026-11-01T00:00:00Z"
LATER = "2026-12-01T00:00:00Z"
BOOKKEEPING = ("fetched_at", "answered", "missing")


def run(srv, refs, store, **kwargs):
    fetcher = kwargs.pop("fetcher", None) or make_fetcher(srv)
    return fetch(refs, store, fetcher, fetched_at=kwargs.pop("fetched_at", STAMP), **kwargs)


def content(meta):
    return dataclasses.replace(meta, **{name: None for name in BOOKKEEPING})


# --------------------------------------------------------------------------- request counts


@pytest.mark.parametrize("n", [20, 200, pytest.param(1000, marks=pytest.mark.gate)])
def test_requests_per_service(tmp_path, n):
    """arXiv references (all three services): ceil(n / batch) requests each."""
    records = Y2021[:n]
    with ApiServer(records) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        report = run(srv, refs, Store(tmp_path))
        counts = (srv.count("s2"), srv.count("arxiv"), srv.count("openreview"))
    assert report.ok and len(report.written) == n
    assert counts == (
        math.ceil(n / s2.BATCH_SIZE),
        math.ceil(n / arxiv.BATCH_SIZE),
        math.ceil(n / openreview.BATCH_SIZE),
    )
    assert (s2.BATCH_SIZE, arxiv.BATCH_SIZE, openreview.BATCH_SIZE) == (500, 2000, 1000)


def test_services_are_asked_at_once(tmp_path):
    """Semantic Scholar, arXiv and OpenReview each answer after 0.4 s: their first requests
    leave together instead of one service after the other."""
    records = Y2021[:30]
    with ApiServer(records, delay=0.4) as srv:
        arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records[:15]]
        forums = [PaperRef("openreview", r["forum"]) for r in records[15:]]
        report = run(srv, arx + forums, Store(tmp_path), years={r: 2021 for r in forums})
        first = {}
        for entry in srv.log:
            first.setdefault(entry.service, entry.at)
    assert report.ok and len(report.written) == 30
    assert max(first.values()) - min(first.values()) < 0.3, first


def test_arxiv_references_do_not_wait_for_a_slow_semantic_scholar(tmp_path):
    """Semantic Scholar names arXiv ids only for DOIs and S2 ids: with arXiv references only,
    arXiv and then OpenReview (the forums arXiv links) go on while it is still answering."""
    records = Y2021[:20]
    with ApiServer(records) as srv:
        arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        srv.fault("s2", "slow", delay=3.0)
        report = run(srv, arx, Store(tmp_path))
        first = {}
        for entry in srv.log:
            first.setdefault(entry.service, entry.at)
    assert report.ok and len(report.written) == 20
    assert first["openreview"] - first["s2"] < 2.0, first  # asked before Semantic Scholar answered


@pytest.mark.gate
def test_a_server_that_refuses_long_urls_gets_the_batch_in_halves(tmp_path):
    """1,000 forums or 2,000 arXiv ids make a URL of 14 to 26 KB; a server with nginx's default
    8 KB buffers answers 414, and each service asks again in halves until it is taken."""
    records = Y2021[:2000]
    with ApiServer(records) as srv:
        srv.max_target = 8000
        forums = [PaperRef("openreview", r["forum"]) for r in records[:700]]
        arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records[700:]]
        report = run(srv, forums + arx, Store(tmp_path), years={r: 2021 for r in forums})
        asked = {service: sum(len(e.ids) for e in srv.log if e.service == service) for service in ("openreview", "arxiv")}
    assert report.ok and len(report.written) == 2000, report.failures[:3]
    assert srv.count("openreview") >= 2 and srv.count("arxiv") >= 2  # in parts small enough
    assert asked["arxiv"] == 1300 and asked["openreview"] >= 700


# --------------------------------------------------------------------------- giving up


def test_a_long_retry_after_stops_that_service_and_the_others_go_on(tmp_path):
    forums = [PaperRef("openreview", r["forum"]) for r in Y2021[:2500]]  # three batches
    with ApiServer(Y2021[:2510]) as srv:
        arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in Y2021[2500:2510]]
        srv.fault("openreview", "429", retry_after="3600")
        report = run(srv, forums + arx, Store(tmp_path), years={r: 2021 for r in forums})
        assert srv.count("openreview") == 1  # no batch after the one that was told to wait
        assert (srv.count("s2"), srv.count("arxiv")) == (1, 1)
    assert sorted(report.written) == sorted(arx)  # arXiv and S2 described these
    reasons = {f.reason for f in report.failures}
    assert len(reasons) == 1 and "asks to wait 3600 s" in next(iter(reasons))
    assert "not asked again in this run" in next(iter(reasons))
    assert {f.ref for f in report.failures} == set(forums + arx)
    assert report.lacking == {"openreview": sorted(arx)}


def test_a_service_that_fails_every_attempt_is_not_asked_again(tmp_path):
    forums = [PaperRef("openreview", r["forum"]) for r in Y2021[:2500]]
    with ApiServer(Y2021[:2500]) as srv:
        srv.fault("openreview", "503", times=100)
        report = run(srv, forums, Store(tmp_path), years={r: 2021 for r in forums})
        assert srv.count("openreview") == 5  # the attempts of the first batch, nothing after
    assert not report.written and len(report.failures) == 2500


# --------------------------------------------------------------------------- refresh in an outage


@pytest.mark.parametrize("down", ["s2", "arxiv"])
def test_a_refresh_during_an_outage_degrades_no_field(tmp_path, down):
    """arXiv references without a forum link: S2 gives the venue's year, arXiv the abstract
    and the PDF. With either one down, a refresh keeps every field as it was."""
    records = Y2021[:40]
    store = Store(tmp_path)
    with ApiServer(records, arxiv_links_forum=False) as srv:
        refs = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in records]
        assert run(srv, refs, store).ok
        before = {r: store.get(r) for r in refs}
        srv.fault(down, "503", times=5)
        report = run(srv, refs, store, refresh=True, fetched_at=LATER)
    assert {f.source for f in report.failures} == {down}
    for ref in refs:
        after = store.get(ref)
        assert content(after) == content(before[ref]), ref
        assert after.missing == (down,)  # and a plain fetch will ask it again


# --------------------------------------------------------------------------- leftovers


def test_temporary_files_of_a_killed_run_are_removed_by_the_next(tmp_path):
    records = Y2021[:3]
    refs = [PaperRef("openreview", r["forum"]) for r in records]
    leftover = tmp_path / "openreview" / f".{refs[0].value}.json.k1ll3d.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b'{"ref": "openreview:')
    with ApiServer(records) as srv:
        report = run(srv, refs, Store(tmp_path), years={r: 2021 for r in refs})
    assert report.ok and report.cleaned == 1 and not leftover.exists()
    assert not leftover.name.endswith(".json")  # the snapshot's own pattern never matches it


@pytest.mark.parametrize("ignore", [ROOT / ".gitignore", ROOT / "digest" / "skeleton" / "dot-gitignore"])
def test_git_ignores_the_temporary_files(tmp_path, ignore):
    """The repository and every site digest init writes ignore the files atomic_write leaves."""
    target = tmp_path / "openreview" / "Hk6kPgZA-.json"
    seen = []
    real = os.replace

    def stop(src, dst):  # the moment a kill would leave the temporary file behind
        seen.append(Path(src).name)
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(os, "replace", stop)
        with pytest.raises(KeyboardInterrupt):
            atomic_write(target, b"{}")
    assert real is os.replace and len(seen) == 1
    patterns = [line for line in ignore.read_text().splitlines() if line and not line.startswith("#")]
    assert any(fnmatch.fnmatch(seen[0], p) for p in patterns), seen[0]
    assert not fnmatch.fnmatch(seen[0], "*.json")


def test_an_atomic_write_keeps_a_files_mode_and_gives_a_new_one_the_umasks(tmp_path):
    import stat

    existing = tmp_path / "edition.yaml"
    existing.write_bytes(b"a: 1\n")
    existing.chmod(0o640)
    atomic_write(existing, b"a: 2\n")
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640 and existing.read_bytes() == b"a: 2\n"
    current = os.umask(0o022)
    os.umask(current)
    fresh = tmp_path / "exports" / "x.wechat.html"
    atomic_write(fresh, b"<p>x</p>")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~current
