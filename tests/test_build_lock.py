"""Two builds of one output, and what a killed build leaves: the lock says whom it waits for,
takes over the file a dead build left, and a forked worker dies with its parent.

Each test runs real processes (a lock holder, ``digest build``, a parent with a forked
worker) and kills them for real; nothing about the lock or the worker is mocked.
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from conftest import REPO, digest_command

from digest.cli import main
from digest.output.staging import Staging, write_output
from digest.output.system import can_fork

BASE = Path(__file__).parent / "cases" / "base"
EDITION = ("date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: First week, zh: 第一周}\n"
           "entries:\n  - {paper: 'openreview:ryQu7f-RZ', category: optimization}\n")

#: A process that holds the lock of the output folder argv[1], as a build does while it writes,
#: says so on standard output, and lets go when its standard input closes.
HOLDER = ("import sys\nfrom pathlib import Path\nfrom digest.output.staging import Staging\n"
          "with Staging(Path(sys.argv[1])):\n    print('held', flush=True)\n    sys.stdin.read()\n")

#: A parent that forks one worker (digest.output.system.map_keys): the worker writes its process
#: id to argv[1] and sleeps; the parent sleeps too, until it is killed.
PARENT = ("import os, sys, time\nfrom digest.output.system import map_keys\n"
          "def work(key):\n"
          "    if key == 'b':\n"
          "        with open(sys.argv[1] + '.tmp', 'w') as f: f.write(str(os.getpid()))\n"
          "        os.replace(sys.argv[1] + '.tmp', sys.argv[1])\n"
          "    time.sleep(60)\n"
          "    return key\n"
          "map_keys(work, ['a', 'b'], parallel=True)\n")


def env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(EDITION, encoding="utf-8")
    return root


def alive(pid: int) -> bool:
    """True while ``pid`` is a process that has not ended (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def dead_pid() -> int:
    """The id of a process that has ended."""
    process = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    return int(process.stdout)


def lines_of(stream: io.BufferedReader) -> tuple[queue.Queue[str], threading.Thread]:
    """The lines of ``stream`` as they come, read by a thread (so a test can wait with a limit)
    that ends at the end of the stream."""
    found: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in stream:
            found.put(line.decode())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return found, thread


def test_a_build_that_waits_for_another_says_so_once_then_builds(site: Path) -> None:
    out = site / "output"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env())
    build = None
    try:
        assert holder.stdout.readline() == b"held\n"
        build = subprocess.Popen([*digest_command(), "build", "--root", str(site)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, env=env())
        said, reader = lines_of(build.stderr)
        try:
            first = said.get(timeout=30)
        except queue.Empty:
            raise AssertionError("the waiting build said nothing in 30 s") from None
        assert first == (f"digest: waiting for another build (process {holder.pid}) to finish with {out} "
                         f"(it holds {site / '.output.lock'}; stop that process if it hangs)\n")
        time.sleep(0.3)
        assert build.poll() is None  # still waiting
        holder.stdin.close()  # the other build is done
        stdout = build.stdout.read()
        build.wait(timeout=60)
        reader.join(timeout=10)
        rest = "".join(said.queue)
    finally:
        holder.kill()
        holder.wait()
        if build is not None and build.poll() is None:
            build.kill()
            build.wait()
    assert build.returncode == 0, rest
    assert "waiting" not in rest  # said once
    assert stdout.decode().startswith("digest build: 1 edition, 1 entry: ")
    assert (out / "en" / "index.html").is_file() and not (site / ".output.lock").exists()


def test_a_lock_left_by_a_killed_build_is_taken_over_with_a_message(site: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(site / "output")], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env())
    assert holder.stdout.readline() == b"held\n"
    holder.kill()  # kill -9 while it holds the lock
    holder.wait()
    lock = site / ".output.lock"
    assert lock.read_text() == f"{holder.pid}\n"  # what it left
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["build", "--root", str(site)])
    assert code == 0, err.getvalue()
    assert err.getvalue().splitlines()[0] == (
        f"digest: {lock} was left by build process {holder.pid}, which ended without releasing it (killed?); "
        "taking the lock over")
    assert not lock.exists()


def test_a_stale_lock_file_does_not_stop_a_write(tmp_path: Path) -> None:
    out = tmp_path / "output"
    (tmp_path / ".output.lock").write_text(f"{dead_pid()}\n")
    said: list[str] = []
    with Staging(out, notify=said.append) as staging:
        staging.add("index.html", b"one\n")
        staging.commit()
    assert len(said) == 1 and "which ended without releasing it" in said[0]
    assert (out / "index.html").read_bytes() == b"one\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output"]


def test_threads_of_one_process_wait_for_each_other(tmp_path: Path) -> None:
    out = tmp_path / "output"
    said: list[str] = []
    entered, order = threading.Event(), []

    def second() -> None:
        entered.wait()
        with Staging(out, notify=said.append) as staging:
            order.append("second")
            staging.add("index.html", b"two\n")
            staging.commit()

    thread = threading.Thread(target=second)
    thread.start()
    with Staging(out) as staging:
        entered.set()
        time.sleep(0.3)  # the other thread is waiting now
        order.append("first")
        staging.add("index.html", b"one\n")
        staging.commit()
    thread.join(timeout=10)
    assert order == ["first", "second"]
    assert said == [f"waiting for another build in this process to finish with {out}"]
    assert (out / "index.html").read_bytes() == b"two\n"
    write_output({"index.html": b"three\n"}, out)  # and it is free again


@pytest.mark.skipif(not can_fork(), reason="needs fork (Linux, more than one CPU)")
def test_a_forked_worker_dies_with_its_parent(tmp_path: Path) -> None:
    report = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(report)], env=env())
    worker = None
    try:
        deadline = time.monotonic() + 30
        while not report.exists():
            assert parent.poll() is None and time.monotonic() < deadline, "the worker never started"
            time.sleep(0.01)
        worker = int(report.read_text())
        assert alive(worker)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while alive(worker) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not alive(worker), "the worker outlived its parent"
    finally:
        parent.kill()
        parent.wait()
        if worker is not None and alive(worker):
            os.kill(worker, signal.SIGKILL)
