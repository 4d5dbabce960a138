"""``digest fetch`` (digest.commands.fetch.run_fetch) on the example project, against the local
server: it fills the snapshot, a rebuild is byte-identical, progress and failure output."""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from apiserver import ApiServer, load_year, make_fetcher

from digest.commands.fetch import collect_refs, run_fetch
from digest.commands.progress import FetchDisplay
from digest.content.project import load_references
from digest.core.ids import PaperRef
from digest.metadata.http import SECRET_ENV
from digest.metadata.store import Store
from digest.pipeline import build

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "site"  # the example site as test_build_golden.py keeps it
RECORDS = load_year(2017) + load_year(2018) + load_year(2020) + load_year(2021)


#: rich's escape sequences (colours, cursor moves, line erases).
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def shown_text(screen: str) -> str:
    """What a terminal shows of ``screen``, as rows (each redraw of the display a new row)."""
    return _ESCAPES.sub("", screen).replace("\r", "\n")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def project(tmp_path):
    """A copy of the example project with no paper records (its venue records kept)."""
    root = tmp_path / "site"
    snapshot = str(ROOT / "content" / "snapshot")
    shutil.copytree(ROOT / "content", root / "content",  # the machine drafts in content/drafts/ stay
                    ignore=lambda folder, names: ["openreview"] if folder == snapshot else [])
    return root


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.gate
def test_fetch_fills_the_example_snapshot_and_the_rebuild_is_byte_identical(project, tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with ApiServer(RECORDS) as srv:
        status = run_fetch(project, refresh=False, out=out, err=err, fetcher=make_fetcher(srv))
        refs, years = collect_refs(load_references(project)[1])
        # 66 forums of four years (all on API v1): one batch, one request
        assert srv.count("openreview", "/openreview-v1/notes") == 1
        assert srv.count("openreview") == 1 and srv.count("arxiv") == srv.count("s2") == 0
    assert status == 0, err.getvalue()
    assert err.getvalue() == ""
    assert set(years.values()) == {2017, 2018, 2020, 2021}
    lines = out.getvalue().splitlines()
    assert lines[-2] == f"digest fetch: {len(refs)} papers: {len(refs)} written"
    assert lines[-1] == "digest fetch: requests: openreview-v1 notes 1"
    fetched = Store(project / "content" / "snapshot")
    seeded = Store(ROOT / "content" / "snapshot")
    assert sorted(fetched.refs()) == sorted(seeded.refs()) == refs
    rebuilt = tmp_path / "rebuilt"
    build(project, rebuilt)
    assert files_of(rebuilt) == files_of(GOLDEN)


def test_a_second_fetch_asks_nothing_and_refresh_prints_changes_first(project):
    with ApiServer(RECORDS) as srv:
        run_fetch(project, refresh=False, out=io.StringIO(), err=io.StringIO(), fetcher=make_fetcher(srv))
        srv.counts.clear()
        out = io.StringIO()
        assert run_fetch(project, refresh=False, out=out, err=io.StringIO(), fetcher=make_fetcher(srv)) == 0
        assert srv.count("openreview") == 0
        assert "66 already in the snapshot" in out.getvalue()
        srv.forums["Hk6kPgZA-"][0]["decision"] = "Poster"  # the 2018 best paper, demoted
        out = io.StringIO()
        assert run_fetch(project, refresh=True, out=out, err=io.StringIO(), fetcher=make_fetcher(srv)) == 0
    text = out.getvalue().splitlines()
    change = "changed openreview:Hk6kPgZA-: decision: oral -> poster"
    assert change in text
    assert "digest fetch: 66 papers: 1 written, 65 unchanged" in text
    assert text.index(change) < text.index("digest fetch: 66 papers: 1 written, 65 unchanged")


def test_progress_is_a_bar_on_a_terminal_and_lines_elsewhere(project):
    with ApiServer(RECORDS) as srv:
        tty = Terminal()
        run_fetch(project, refresh=False, out=tty, err=io.StringIO(), fetcher=make_fetcher(srv))
        plain = io.StringIO()
        run_fetch(project, refresh=True, out=plain, err=io.StringIO(), fetcher=make_fetcher(srv))
    bar = shown_text(tty.getvalue()).splitlines()
    assert any(re.match(r"OpenReview +━{24} 66/66 *$", row) for row in bar), bar
    assert any(row.startswith("writing") for row in bar) and "\x1b[2K" in tty.getvalue()  # redrawn in place
    assert "\x1b" not in plain.getvalue() and "\r" not in plain.getvalue()
    assert plain.getvalue().splitlines() == [
        "OpenReview: 66/66",
        "digest fetch: 66 papers: 0 written, 66 unchanged",
        "digest fetch: requests: openreview-v1 notes 1",
    ]


def test_failures_are_grouped_and_the_rest_is_kept(project):
    with ApiServer(RECORDS, require_login=True) as srv:
        err = io.StringIO()
        status = run_fetch(project, refresh=False, out=io.StringIO(), err=err, fetcher=make_fetcher(srv))
    assert status == 1
    lines = err.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("digest fetch: error: openreview: OpenReview needs a login: ")
    assert lines[0].endswith(" and 58 more)") and "(66 papers: openreview:" in lines[0]
    assert lines[1] == "digest fetch: what was fetched is kept; run digest fetch again to retry the rest"
    assert list(Store(project / "content" / "snapshot").refs()) == []


def test_secrets_stay_out_of_the_command_output(project, monkeypatch):
    env = {"OPENREVIEW_USERNAME": "curator@example.org", "OPENREVIEW_PASSWORD": "hunter2-but-longer"}
    with ApiServer(RECORDS, require_login=True, echo_credentials=True, password="else") as srv:
        out, err = io.StringIO(), io.StringIO()
        run_fetch(project, refresh=False, out=out, err=err, fetcher=make_fetcher(srv, env=env))
    text = out.getvalue() + err.getvalue()
    assert "OpenReview refused the login (HTTP 400: Invalid username or password for [secret] / " in text
    for secret in env.values():
        assert secret not in text


@pytest.mark.gate
def test_a_plain_build_never_touches_the_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the build opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    report = build(ROOT, tmp_path / "out")
    assert report.out_dir == tmp_path / "out"


@pytest.mark.gate
def test_digest_build_fetch_end_to_end(project, tmp_path):
    """The real command in a fresh process, pointed at the local server by environment only."""
    with ApiServer(RECORDS) as srv:
        env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV} | srv.env
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "digest.cli",
                "build",
                "--fetch",
                "--root",
                str(project),
                "--out",
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert srv.count("openreview") == 1
    assert done.returncode == 0, done.stderr
    assert "digest fetch: 66 papers: 66 written" in done.stdout
    assert files_of(tmp_path / "out") == files_of(GOLDEN)


def test_a_failed_source_is_never_shown_as_done(project, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    with ApiServer(RECORDS) as srv:
        srv.fault("openreview", "503", times=5)
        tty, plain = Terminal(), io.StringIO()
        assert run_fetch(project, refresh=False, out=tty, err=io.StringIO(), fetcher=make_fetcher(srv)) == 1
        srv.fault("openreview", "503", times=5)
        run_fetch(project, refresh=False, out=plain, err=io.StringIO(), fetcher=make_fetcher(srv))
    screen = shown_text(tty.getvalue())
    assert "waiting " in screen and "HTTP 503; attempt 2 of 5" in screen  # each retry as it happens
    last = [row for row in screen.splitlines() if row.startswith("OpenReview")][-1]
    assert re.match(r"OpenReview +━{24} 0/66 +failed: OpenReview: HTTP 503", last), last
    assert "OpenReview: failed: OpenReview: HTTP 503 (gave up after 5 attempts" in plain.getvalue()
    assert "OpenReview: 0/66" in plain.getvalue().splitlines()


def test_a_wait_is_counted_down():
    now = [100.0]
    screen = Terminal()
    shown = FetchDisplay(screen, clock=lambda: now[0], width=200)
    shown.update("s2", 0, 500)
    shown.event("s2", "retry", "HTTP 429; attempt 2 of 5", 30.0)
    now[0] += 12
    shown.event("", "tick", "", 0.0)
    rows = shown_text(screen.getvalue()).splitlines()
    assert re.match(r"Semantic Scholar +━{24} 0/500 +waiting 30 s: HTTP 429; attempt 2 of 5", rows[-2]), rows
    assert re.match(r"Semantic Scholar +━{24} 0/500 +waiting 18 s: HTTP 429; attempt 2 of 5", rows[-1]), rows
    shown.update("s2", 500, 500)  # the answer came: the wait is over
    shown.finish()
    last = shown_text(screen.getvalue()).splitlines()[-1]
    assert re.match(r"Semantic Scholar +━{24} 500/500 *$", last), last


def test_a_failed_source_keeps_an_unfilled_bar():
    shown = FetchDisplay(Terminal(), width=120)
    shown.update("openreview", 0, 64)
    shown.update("s2", 64, 64)
    shown.event("openreview", "down", "OpenReview: HTTP 503 (gave up after 5 attempts)", 0.0)
    bars = {task.description: task for task in shown.progress.tasks}
    assert bars["OpenReview"].completed == 0 and not bars["OpenReview"].finished
    assert bars["Semantic Scholar"].finished
    shown.finish()


def test_lines_printed_meanwhile_go_above_the_display():
    screen = Terminal()
    shown = FetchDisplay(screen, width=120)
    shown.update("openreview", 3, 64)
    shown.print("changed openreview:abc (title)")
    shown.finish()
    rows = shown_text(screen.getvalue()).splitlines()
    assert "changed openreview:abc (title)" in rows
    assert rows[-1].startswith("OpenReview") and rows.index("changed openreview:abc (title)") < len(rows) - 1


def test_a_plain_rerun_completes_what_a_failed_source_left_out_and_says_so(project):
    forum = next(r["forum"] for r in load_year(2018) if r["forum"] != "Hk6kPgZA-")
    with ApiServer(RECORDS) as srv:
        aid = srv.arxiv_by_forum[forum]
        edition = project / "content" / "editions" / "iclr2018-by-category.yaml"
        edition.write_text(
            edition.read_text()
            + f"  - paper: arxiv:{aid}\n    category: other\n    note:\n      en: A preprint.\n      zh: 一篇预印本。\n"
        )
        srv.fault("s2", "503", times=5)
        out, err = io.StringIO(), io.StringIO()
        assert run_fetch(project, refresh=False, out=out, err=err, fetcher=make_fetcher(srv)) == 1
        assert "digest fetch: 1 record written without Semantic Scholar (it did not answer)" in err.getvalue()
        srv.counts.clear()
        out, err = io.StringIO(), io.StringIO()
        assert run_fetch(project, refresh=False, out=out, err=err, fetcher=make_fetcher(srv)) == 0
        assert srv.count("s2") == 1 and srv.count("openreview") == 1  # only the incomplete record
    assert err.getvalue() == ""
    assert "digest fetch: 67 papers: 1 written, 66 already in the snapshot, 1 of 1 incomplete records completed" in (
        out.getvalue().splitlines()
    )
    assert Store(project / "content" / "snapshot").get(PaperRef("arxiv", aid)).missing == ()
