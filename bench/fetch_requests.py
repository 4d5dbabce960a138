#!/usr/bin/env python3
"""Requests and time of ``digest fetch`` at the services' published limits, from an empty store.

Runs digest's real fetch code against the local API server of the tests
(``tests/apiserver.py``, real ICLR 2021 records) with a fake clock, so the pacing and the
request counts are digest's own and nothing waits. For 100, 1,000 and 3,000 papers it
reports, per service, the requests made and the seconds the run would spend waiting for
the published limits (the longest of the services: they are asked side by side) (arXiv one request every 3 s, Semantic Scholar and OpenReview one per
second, counted from the end of one request to the start of the next), next to the same
figures for a client that sends one request per paper.

Two kinds of reference are measured:

- ``openreview``: ICLR 2021 forum ids, the edition naming the year (API v1 asked directly);
- ``arxiv``: arXiv ids of the same papers (made-up ids: the corpus has none) whose arXiv
  comment links the forum, so each paper is looked up on Semantic Scholar, arXiv and
  OpenReview.

Response times of the real services are not included (they add to every request).

Usage, from the repository root::

    python bench/fetch_requests.py            # Markdown table on standard output
    python bench/fetch_requests.py --json bench/work/fetch.json
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the tests' API server
sys.path.insert(1, str(ROOT))  # the repository, for scripts.corpus (imported by the server)

from apiserver import ApiServer, FakeClock, load_year  # noqa: E402

from digest.core.ids import PaperRef  # noqa: E402
from digest.metadata.fetch import fetch  # noqa: E402
from digest.metadata.http import Fetcher  # noqa: E402
from digest.metadata.sources.registry import SOURCES  # noqa: E402
from digest.metadata.store import Store  # noqa: E402

SIZES = (100, 1000, 3000)
SERVICES = {"openreview": "OpenReview", "arxiv": "arXiv", "s2": "Semantic Scholar"}


def one_per_paper(n: int, services: list[str]) -> dict[str, tuple[int, float]]:
    """Requests and pacing seconds of a client that asks for each paper separately."""
    return {s: (n, (n - 1) * SOURCES[s].interval) for s in services}


def measure(server: ApiServer, refs: list[PaperRef], years: dict) -> dict:
    """Run one fetch into an empty store; requests and fake waiting time per service."""
    clock = FakeClock()
    fetcher = Fetcher(env=server.env, clock=clock)
    server.counts.clear()
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        report = fetch(refs, Store(Path(tmp)), fetcher, years=years)
        wall = time.perf_counter() - started
    if not report.ok or len(report.written) != len(refs):
        raise SystemExit(f"the benchmark fetch failed: {report.failures[:3]}")
    per = {}
    for service in SERVICES:
        waited = sum(s for src, s in fetcher.paced if src == service)
        per[service] = (server.count(service), waited)
    # the services are asked side by side, so the run waits about as long as its slowest service
    return {"services": per, "paced_s": max(w for _, w in per.values()), "local_wall_s": round(wall, 2)}


def run(sizes: tuple[int, ...] = SIZES) -> list[dict]:
    records = load_year(2021)
    rows = []
    with ApiServer(records) as srv:
        for n in sizes:
            chosen = records[:n]
            forums = [PaperRef("openreview", r["forum"]) for r in chosen]
            got = measure(srv, forums, {r: 2021 for r in forums})
            rows.append({"refs": "openreview", "papers": n, **got, "naive": one_per_paper(n, ["openreview"])})
            arx = [PaperRef("arxiv", srv.arxiv_by_forum[r["forum"]]) for r in chosen]
            got = measure(srv, arx, {})
            rows.append({"refs": "arxiv", "papers": n, **got, "naive": one_per_paper(n, list(SERVICES))})
    return rows


def minutes(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def table(rows: list[dict]) -> str:
    out = [
        "| references | papers | requests (OpenReview / arXiv / S2) | waiting at the limits | "
        "one request per paper: requests | one request per paper: waiting |",
        "|---|---:|---|---:|---:|---:|",
    ]
    for row in rows:
        counts = " / ".join(str(row["services"][s][0]) for s in SERVICES)
        naive_n = sum(n for n, _ in row["naive"].values())
        naive_t = sum(t for _, t in row["naive"].values())
        out.append(
            f"| {row['refs']} | {row['papers']:,} | {counts} | {minutes(row['paced_s'])} | "
            f"{naive_n:,} | {minutes(naive_t)} |"
        )
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="papers per run, comma-separated")
    args = parser.parse_args()
    rows = run(tuple(int(n) for n in args.sizes.split(",")))
    print(table(rows))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
