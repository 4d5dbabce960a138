"""A build killed at any moment leaves output/ exactly as it was or exactly as the build made it.

The real ``digest build`` command runs in a child process on a copy of the example site and
is killed with SIGKILL (with its helpers: the whole process group, as a power cut would) at
moments spread evenly over one build's duration, measured first. Between trials the content
alternates between two versions, so every build really changes the output. After each kill
the output folder must hold, byte for byte, the tree of one of the two versions (the one it
held before, or the one being built). Finally two builds in a row must leave no temporary
folder of the killed builds behind (.output.new-*, .output.old-*, .output.trash-*) but the
spare, the output the last swap replaced (the next build starts from it, see
digest/output/staging.py), and at most one trash folder.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, digest_command, tree

#: At least this many kills, and more while the time budget lasts.
MIN_TRIALS = 20
MAX_TRIALS = 24
BUDGET_SECONDS = 30.0
EDITION = "content/editions/iclr2018-by-category.yaml"
ORIGINAL_TITLE = "ICLR 2018 by category: 19 accepted papers worth reading"

pytestmark = [pytest.mark.gate, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")]


def set_version(site: Path, version: str) -> None:
    """Content version "a" (as in the repository) or "b" (an edition retitled)."""
    path = site / EDITION
    text = path.read_text(encoding="utf-8")
    a, b = ORIGINAL_TITLE, ORIGINAL_TITLE + " (revised)"
    text = text.replace(b, a)
    path.write_text(text if version == "a" else text.replace(a, b), encoding="utf-8")


def start_build(site: Path) -> subprocess.Popen:
    return subprocess.Popen([*digest_command(), "build", "--root", str(site), "--out", str(site / "output")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def run_build(site: Path) -> float:
    started = time.monotonic()
    process = start_build(site)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    return time.monotonic() - started


def temporary_folders(site: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"new": [], "old": [], "trash": []}
    for path in site.iterdir():
        for kind in found:
            if path.name.startswith(f".output.{kind}-"):
                found[kind].append(path.name)
    return found


def test_a_killed_build_leaves_the_old_or_the_new_output(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    versions: dict[str, dict[str, bytes]] = {}
    for version in ("b", "a"):  # b first, so the output holds version a at the start
        set_version(site, version)
        shutil.rmtree(site / "output", ignore_errors=True)
        duration = run_build(site)
        versions[version] = tree(site / "output")
    assert versions["a"] != versions["b"]
    duration = max(duration, run_build(site))  # a build that replaces an output, as the trials do

    rng = random.Random(20260707)
    state, outcomes = "a", []
    started = time.monotonic()
    trials = 0
    while trials < MIN_TRIALS or (trials < MAX_TRIALS and time.monotonic() - started < BUDGET_SECONDS):
        target = "b" if state == "a" else "a"
        set_version(site, target)
        # Stratified: trial i is killed somewhere in the i-th slice of 1.1 x the build's duration.
        slot = trials % MIN_TRIALS
        delay = (slot + rng.random()) / MIN_TRIALS * duration * 1.1
        process = start_build(site)
        time.sleep(delay)
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # it had already finished
        process.wait(timeout=60)
        now = tree(site / "output")
        assert now in (versions[state], versions[target]), (
            f"trial {trials}: killed after {delay:.3f}s, output/ is neither version {state} nor {target}: "
            f"{sorted(p for p in set(now) | set(versions[state]) if now.get(p) != versions[state].get(p))[:10]}")
        state = state if now == versions[state] else target
        outcomes.append(state == target)
        trials += 1

    assert trials >= MIN_TRIALS
    assert any(outcomes) and not all(outcomes), f"kills all landed on one side: {outcomes}"

    # The next builds clean up: after two in a row, only the spare the last swap kept is left.
    set_version(site, "b" if state == "a" else "a")
    run_build(site)
    set_version(site, state)
    run_build(site)
    assert tree(site / "output") == versions[state]
    left = temporary_folders(site)
    assert left["new"] == [] and left["old"] == [], left
    assert len(left["trash"]) <= 1, left
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".output.trash-")) == \
        [".digest-cache", ".output.spare", "content", "output"]
