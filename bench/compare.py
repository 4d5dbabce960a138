#!/usr/bin/env python3
"""Compare two versions of digest build by build, alternating them, on one site.

    python bench/compare.py SITE BEFORE AFTER            # e.g. a `git archive` of main, and this checkout
    python bench/compare.py bench/work/iclr2021 /tmp/digest-main . --rounds 6 --out-dir /dev/shm/compare

BEFORE and AFTER are source trees (each holding ``digest/`` and ``templates/``). Each round
runs, for each version in turn (the order swapped every round), a cold build into an empty
folder (with ``SITE/.digest-cache`` removed, so neither version reuses the other's build
cache) and a no-op rebuild over it, with ``python -m digest.cli build`` started in that
tree (so its own code is imported). On a shared, noisy machine the figures of one
``run.py`` series drift with the load of the moment; builds taken alternately are exposed
to the same load, so their medians compare better.

Per build: wall time; CPU time (user and system, of the build and the worker processes it
waited for, from ``os.wait4``), which the load of other programs disturbs less; and the
peak summed PSS of the process tree (as ``run.py`` measures it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DIGEST_CACHE, TreeMemory, source_fingerprint  # noqa: E402 (bench/ is not a package)


def one_build(tree: Path, site: Path, out: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(tree)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "digest.cli", "build", "--root", str(site), "--out", str(out)],
                            cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.stop()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tree}: the build failed: {proc.stderr.read().decode(errors='replace').strip()}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "pss": sampler.peak_kib / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path, help="the site folder (holding content/)")
    parser.add_argument("before", type=Path, help="source tree of the first version")
    parser.add_argument("after", type=Path, help="source tree of the second version")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5), after one warm-up round")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent / "work" / "compare",
                        help="where the builds write (default bench/work/compare)")
    args = parser.parse_args(argv)
    site = args.site.resolve()
    trees = {"before": args.before.resolve(), "after": args.after.resolve()}
    for name, tree in trees.items():
        if not (tree / "digest" / "cli.py").is_file():
            parser.error(f"{name}: {tree} holds no digest/cli.py")
    samples: dict[tuple[str, str], list[dict]] = {}
    for index in range(args.rounds + 1):
        order = list(trees.items()) if index % 2 == 0 else list(trees.items())[::-1]
        for name, tree in order:
            out = args.out_dir.resolve() / name
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(site / DIGEST_CACHE, ignore_errors=True)
            for sibling in out.parent.glob(f".{out.name}.*"):
                shutil.rmtree(sibling, ignore_errors=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            for kind in ("cold", "no-op"):
                os.sync()
                sample = one_build(tree, site, out)
                if index > 0:
                    samples.setdefault((kind, name), []).append(sample)
                print(f"[{'round ' + str(index) if index else 'warm-up'}] {name} {kind}: {sample['wall']:.2f} s, "
                      f"{sample['cpu']:.2f} s CPU, {sample['pss']:.0f} MiB PSS", file=sys.stderr, flush=True)
    print("| build | version | source | wall s, median (min–max) | CPU s, median (min–max) | peak PSS MiB, median (max) |")
    print("|---|---|---|---:|---:|---:|")
    for (kind, name), runs in sorted(samples.items()):
        wall, cpu, pss = ([r[k] for r in runs] for k in ("wall", "cpu", "pss"))
        print(f"| {kind} | {name} | {source_fingerprint(trees[name])} "
              f"| {statistics.median(wall):.2f} ({min(wall):.2f}–{max(wall):.2f}) "
              f"| {statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f}) "
              f"| {statistics.median(pss):.0f} ({max(pss):.0f}) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
