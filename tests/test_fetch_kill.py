"""A ``kill -9`` during a fetch of 1,000 papers leaves no damaged record.

A child process refreshes 1,000 ICLR 2021 records from the local server into a snapshot that
already holds 500 of them (older versions). It is killed with SIGKILL at random moments while
it writes. Afterwards every record file must parse and hold either the old bytes or the new
bytes (those of a complete run), and a paper with no old record may only be missing or new.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest
from apiserver import ApiServer, load_year

from digest.core.ids import PaperRef
from digest.metadata.fetch import fetch
from digest.metadata.http import SECRET_ENV, Fetcher
from digest.metadata.store import Store
from scripts.corpus import parse_record

STAMP = "2026-11-01T00:00:00Z"
TRIALS = 4
CHILD = """
import sys
import time
from pathlib import Path
from digest.metadata.http import Fetcher
from digest.metadata.fetch import fetch
from digest.core.ids import PaperRef
from digest.metadata.store import Store

forums = Path(sys.argv[2]).read_text().split()
refs = [PaperRef("openreview", f) for f in forums]
fetcher = Fetcher(intervals={"openreview": 0, "arxiv": 0, "s2": 0})  # URLs from DIGEST_* variables


def report(stage, done, total):
    print(stage, done, total, flush=True)


put = Store.put


def slow_put(self, meta):
    time.sleep(0.002)  # a slow-ish disk: the writes take at least 2 s, so kills land among them
    return put(self, meta)


Store.put = slow_put
fetch(refs, Store(Path(sys.argv[1])), fetcher, refresh=True, progress=report,
      years={r: 2021 for r in refs}, fetched_at=sys.argv[3])
print("done", flush=True)
"""

pytestmark = [pytest.mark.gate, pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")]


def test_kill_9_during_a_fetch_leaves_every_record_old_or_new(tmp_path):
    records = load_year(2021)[:1000]
    refs = [PaperRef("openreview", r["forum"]) for r in records]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(r.value for r in refs))

    old = Store(tmp_path / "old")
    for record in records[::2]:  # every other paper has an older record (the corpus one)
        old.put(parse_record(record))
    old_bytes = {p.name: p.read_bytes() for p in (tmp_path / "old" / "openreview").iterdir()}

    with ApiServer(records) as srv:
        reference = tmp_path / "reference"
        shutil.copytree(tmp_path / "old", reference)
        fetcher = Fetcher(env=srv.env, intervals={"openreview": 0})
        fetch(
            refs,
            Store(reference),
            fetcher,
            refresh=True,
            years={r: 2021 for r in refs},
            fetched_at=STAMP,
        )
        new_bytes = {p.name: p.read_bytes() for p in (reference / "openreview").iterdir()}
        assert len(new_bytes) == 1000 and all(new_bytes[n] != old_bytes[n] for n in old_bytes)

        rng = random.Random(20261101)
        partial = 0
        for trial in range(TRIALS):
            snap = tmp_path / f"trial{trial}"
            shutil.copytree(tmp_path / "old", snap)
            env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV} | srv.env
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(snap), str(ids_file), STAMP],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            watchdog = threading.Timer(60, child.kill)
            watchdog.start()
            try:
                line = child.stdout.readline()
                while line and line.split() != ["openreview", "1000", "1000"]:  # the writes begin
                    line = child.stdout.readline()
                time.sleep(rng.uniform(0.0, 1.5))  # the writes take 2 s or more
                child.send_signal(signal.SIGKILL)
                child.communicate()
            finally:
                watchdog.cancel()
            assert child.returncode in (0, -signal.SIGKILL), child.stderr

            now = {p.name: p.read_bytes() for p in (snap / "openreview").glob("*.json")}
            for name, data in now.items():
                assert data in (old_bytes.get(name), new_bytes[name]), f"trial {trial}: {name} is damaged"
            assert set(old_bytes) <= set(now), f"trial {trial}: an old record disappeared"
            Store(snap).load()  # every record parses
            Store(snap).clean()  # leftover temporary files, if any, are removed
            assert not list(snap.glob("*/.*.tmp"))
            written = sum(1 for n, d in now.items() if d == new_bytes[n])
            partial += 0 < written < 1000
        assert partial >= 1, "no kill landed in the middle of the writes"


COUNTING_CHILD = """
import sys
from pathlib import Path
from digest.metadata.http import Fetcher
from digest.metadata.fetch import fetch
from digest.core.ids import PaperRef
from digest.metadata.store import Store

refs = [PaperRef("openreview", f) for f in Path(sys.argv[2]).read_text().split()]
fetch(refs, Store(Path(sys.argv[1])), Fetcher(intervals={"openreview": 0}),
      progress=lambda stage, done, total: print(stage, done, total, flush=True),
      years={r: 2021 for r in refs}, fetched_at=sys.argv[3])
"""


def test_kill_9_keeps_every_batch_that_had_arrived(tmp_path):
    """3,000 forums, three requests of 1,000, each answered after 2 s. The fetch is killed
    when the third request arrives, 2 s after the first batch came: its records are on disk,
    at least as many as the child had reported written (before records were written as
    they arrived, none were)."""
    records = load_year(2021)[:3000]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(r["forum"] for r in records))
    snap = tmp_path / "snapshot"
    with ApiServer(records, delay=2.0) as srv:
        env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV} | srv.env
        child = subprocess.Popen(
            [sys.executable, "-c", COUNTING_CHILD, str(snap), str(ids_file), STAMP],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )
        try:
            deadline = time.monotonic() + 90
            while srv.count("openreview") < 3 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            child.send_signal(signal.SIGKILL)
            stdout, stderr = child.communicate()
        finally:
            if child.poll() is None:
                child.kill()
    assert child.returncode == -signal.SIGKILL, stderr
    reported = [int(line.split()[1]) for line in stdout.splitlines() if line.startswith("write ")]
    kept = Store(snap).load()  # every record parses
    assert 0 < len(kept) < 3000 and len(kept) >= max(reported, default=0), (len(kept), reported[-1:])
    assert all(meta.title and meta.missing == () for meta in kept.values())
