#!/usr/bin/env python3
"""Profile one ``digest build`` in-process and print where the time goes.

    python bench/profile_build.py bench/work/iclr2021            # cold build into a fresh folder
    python bench/profile_build.py bench/work/iclr2021 --noop     # a second build over the first
    python bench/profile_build.py bench/work/iclr2021 --edit     # a rebuild after one note's edit

A cold build starts without the site's build cache (``SITE/.digest-cache`` is removed); the
digest imported is this checkout's. Prints the build's stages (wall time of each top-level step, measured without the
profiler), then cProfile's top functions by cumulative and by own time. cProfile slows
Python code about threefold, so read its seconds as shares, not as build times.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's digest

from digest import pipeline as build_module  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from edits import DigestNoteEdit  # noqa: E402

#: The build cache of a site (issue 12), removed before a cold build.
DIGEST_CACHE = ".digest-cache"


def stage_times(root: Path, out: Path) -> list[tuple[str, float]]:
    """Wall time of each step of digest.pipeline.build, by wrapping what it calls: loading,
    rendering (which writes each file into the staging folder as it comes) and the swap."""
    times: list[tuple[str, float]] = []
    names = ["load_project", "_read_snapshot", "render_into"]
    originals = {name: getattr(build_module, name) for name in names}
    staging = build_module.Staging

    def timed(name: str, func):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                times.append((name, time.perf_counter() - start))

        return wrapper

    class TimedStaging(staging):
        commit = timed("commit (swap)", staging.commit)

    for name in names:
        setattr(build_module, name, timed(name, originals[name]))
    build_module.Staging = TimedStaging
    try:
        start = time.perf_counter()
        build_module.build(root, out)
        times.append(("build (total)", time.perf_counter() - start))
    finally:
        for name, func in originals.items():
            setattr(build_module, name, func)
        build_module.Staging = staging
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path, help="the site folder (holding content/)")
    parser.add_argument("--noop", action="store_true", help="profile a rebuild over an existing output")
    parser.add_argument("--edit", action="store_true",
                        help="profile a rebuild after the one-edit case's edit (bench/edits.py; restored after)")
    parser.add_argument("--top", type=int, default=25, help="rows per table (default 25)")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="digest-profile-"))
    out = scratch / "output"
    edit = DigestNoteEdit(args.root) if args.edit else None
    try:
        if args.noop or edit:
            build_module.build(args.root, out)
            if edit:
                edit.apply()
        else:
            shutil.rmtree(args.root / DIGEST_CACHE, ignore_errors=True)
        print("stages (no profiler):")
        for name, seconds in stage_times(args.root, out):
            print(f"  {name:<16} {seconds:6.2f} s")
        if edit:
            edit.apply()
        elif not args.noop:
            shutil.rmtree(out)
            shutil.rmtree(args.root / DIGEST_CACHE, ignore_errors=True)
        # Forked workers are invisible to cProfile: profile with every language in this process.
        saved = getattr(build_module, "PARALLEL_ENTRIES", None)
        if saved is not None:
            build_module.PARALLEL_ENTRIES = sys.maxsize
            print("\n(profiled with languages rendered in turn, in one process)")
        profiler = cProfile.Profile()
        try:
            profiler.runcall(build_module.build, args.root, out)
        finally:
            if saved is not None:
                build_module.PARALLEL_ENTRIES = saved
        for order in ("cumulative", "tottime"):
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats(order).print_stats(args.top)
            print(f"\ncProfile, by {order}:")
            print(text.getvalue().split("\n\n", 1)[-1].rstrip())
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if edit:
            edit.restore()
    return 0


if __name__ == "__main__":
    sys.exit(main())
