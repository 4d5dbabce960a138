"""``kill -9`` of a build leaves no render worker behind, and the next build runs.

A site of 420 entries (real ICLR 2018 records from the bundled corpus) is big enough for
``digest build`` to fork a render worker (``digest.pipeline.PARALLEL_ENTRIES``). Each trial
starts the real command, waits until its worker has been forked, lets it run a random
while longer, and kills the build process alone with SIGKILL (not its process group, as
``tests/test_atomic.py`` does: here the worker must go by itself). Then:

- no process of that build is left after a few seconds (a process is recognised by a
  token in its environment, which a forked worker shares with its parent);
- the next trial's build gets as far as forking its own worker, so the killed build's lock
  is free (a worker that kept it would make that build wait forever, printing nothing);
- after the last trial, a build runs to its end and its output is the content's.

The content alternates between two edition titles, so every build renders for real.
"""

from __future__ import annotations

import itertools
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import REPO, digest_command, tree

from digest.metadata.store import Store
from scripts.corpus import iter_corpus

TRIALS = 24
ENTRIES = 420
#: How long a killed build's processes may take to go, and a build to reach its worker (seconds).
GRACE_SECONDS = 5.0
START_SECONDS = 60.0
BASE = REPO / "tests" / "cases" / "base" / "content"
EDITION = "content/editions/big.yaml"

pytestmark = [pytest.mark.gate, pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")]


def make_site(root: Path) -> None:
    (root / "content" / "editions").mkdir(parents=True)
    for name in ("site.yaml", "categories.yaml"):
        shutil.copy(BASE / name, root / "content" / name)
    store = Store(root / "content" / "snapshot")
    metas = list(itertools.islice(iter_corpus(REPO / "tests" / "data" / "iclr2018.jsonl.gz"), ENTRIES))
    for meta in metas:
        store.put(meta)
    entries = "".join(f"  - {{paper: '{meta.ref}', category: other}}\n" for meta in metas)
    (root / EDITION).write_text(f"date: 2018-02-10\nconference: ICLR 2018\ntitle: {{en: TITLE, zh: 大周}}\n"
                                f"entries:\n{entries}", encoding="utf-8")


def set_title(root: Path, title: str) -> None:
    path = root / EDITION
    head, rest = path.read_text(encoding="utf-8").split("title: {en: ", 1)
    path.write_text(f"{head}title: {{en: {title}, {rest.split(', ', 1)[1]}", encoding="utf-8")


def processes_with(token: bytes) -> list[int]:
    """Every live process whose environment holds ``token``."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            environ = Path(f"/proc/{name}/environ").read_bytes()
        except OSError:
            continue  # gone, or not ours to read
        if token in environ.split(b"\0"):
            found.append(int(name))
    return found


def children(pid: int) -> list[int]:
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(name))
    return found


def forked_worker(pid: int) -> int | None:
    """A child of ``pid`` running the same command line (a fork), if there is one yet."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    for child in children(pid):
        try:
            if Path(f"/proc/{child}/cmdline").read_bytes() == command:
                return child
        except OSError:
            continue
    return None


def test_a_killed_build_leaves_no_worker_and_the_next_build_runs(tmp_path: Path) -> None:
    site = tmp_path / "site"
    make_site(site)
    command = [*digest_command(), "build", "--root", str(site)]
    rng = random.Random(20261202)
    left: list[int] = []
    try:
        for trial in range(TRIALS):
            token = f"DIGEST_KILL_TRIAL={os.getpid()}-{trial}".encode()
            set_title(site, f"Trial {trial}")
            build = subprocess.Popen(command, env=dict(os.environ, DIGEST_KILL_TRIAL=token.split(b"=")[1].decode()),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + START_SECONDS
            while (worker := forked_worker(build.pid)) is None:
                if build.poll() is not None or time.monotonic() > deadline:
                    build.kill()
                    _, err = build.communicate()
                    raise AssertionError(f"trial {trial}: the build never forked a worker (exit {build.returncode}; "
                                         f"a lock still held by an earlier build's worker?): {err.decode()}")
                time.sleep(0.002)
            time.sleep(rng.random() * 0.8)  # somewhere while the worker renders (or after it is done)
            build.send_signal(signal.SIGKILL)
            build.wait()
            deadline = time.monotonic() + GRACE_SECONDS
            while (left := processes_with(token)) and time.monotonic() < deadline:
                time.sleep(0.01)
            assert left == [], f"trial {trial}: worker {worker} outlived its build: {left} still running"

        set_title(site, "Last")
        done = subprocess.run(command, capture_output=True, timeout=START_SECONDS)
        assert done.returncode == 0, done.stderr.decode()
        assert b">Last<" in tree(site / "output")["en/big/index.html"]
        assert not (site / ".output.lock").exists()
    finally:
        for pid in left:  # leave nothing running, whatever happened
            os.kill(pid, signal.SIGKILL)
