"""digest serve for real: a server on 127.0.0.1, pages fetched over HTTP, files changed underneath it."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import time
import urllib.error
import urllib.request
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from digest.cli import main
from digest.pipeline import DEFAULT_TEMPLATES
from digest.preview import Preview

BASE = Path(__file__).parent / "cases" / "base"
EDITION = ("date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: First week, zh: 第一周}\n"
           "entries:\n  - {paper: 'openreview:ryQu7f-RZ', category: optimization}\n")
LATER = ("date: 2018-02-17\nconference: ICLR 2018\ntitle: {en: Second week, zh: 第二周}\ndraft: true\n"
         "entries:\n  - {paper: 'openreview:SkhQHMW0W', category: model-compression}\n")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(EDITION, encoding="utf-8")
    (root / "content" / "editions" / "w2.yaml").write_text(LATER, encoding="utf-8")
    return root


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def version(base: str) -> dict:
    return json.loads(get(base + "__digest__/version")[2])


def save(path: Path, text: str) -> None:
    """Save as many editors do: write a hidden temporary file, then rename it over the old one
    (so the watcher never sees a half-written file)."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def wait_for(base: str, number: int) -> dict:
    """Poll the version endpoint until it reaches ``number`` (a bounded loop, not a timed assertion)."""
    for _ in range(400):
        state = version(base)
        if state["version"] >= number:
            return state
        time.sleep(0.025)
    raise AssertionError(f"the preview never reached build {number}: {state}")


def test_serve_rebuilds_reloads_shows_errors_and_recovers(site: Path):
    log = io.StringIO()
    preview = Preview(site, log=log, poll=0.02)
    base = preview.start()
    try:
        assert base.startswith("http://127.0.0.1:") and preview.port != 0
        assert version(base) == {"version": 1, "error": False}
        status, kind, page = get(base + "en/w1/")
        assert (status, kind) == (200, "text/html; charset=utf-8")
        assert b"First week" in page
        assert b'<script src="/__digest__/reload.js" data-version="1"></script>' in page
        assert b"script-src 'self'" in page and b"script-src 'none'" not in page
        built = (preview.out_dir / "en" / "w1" / "index.html").read_bytes()
        assert b"__digest__" not in built and b"script-src 'none'" in built  # the build itself is untouched
        assert get(base + "__digest__/reload.js")[2].startswith(b"(function () {")
        assert get(base + "w2/")[0] == 404  # a draft is not built without --drafts
        assert get(base + "en/w1")[0] == 200  # (redirected to the folder's URL)

        edition = site / "content" / "editions" / "w1.yaml"
        save(edition, EDITION.replace("First week", "First week (revised)"))
        assert wait_for(base, 2) == {"version": 2, "error": False}
        page = get(base + "en/w1/")[2]
        assert b"First week (revised)" in page and b'data-version="2"' in page

        save(edition, EDITION.replace("category: optimization", "category: optimisation"))
        assert wait_for(base, 3) == {"version": 3, "error": True}
        status, kind, page = get(base + "en/w1/")
        assert (status, kind) == (500, "text/html; charset=utf-8")
        problem = ("content/editions/w1.yaml:5:47: error: entries[0].category: unknown category 'optimisation' "
                   "(did you mean 'optimization'?)")
        assert f"<pre>{problem.replace(chr(39), '&#x27;')}\ndigest serve: 1 error</pre>".encode() in page
        assert b'data-version="3"' in page
        assert get(base + "static/style.css")[0] == 200  # files other than pages are still served
        assert problem in log.getvalue()  # and the terminal says the same

        save(edition, EDITION)
        assert wait_for(base, 4) == {"version": 4, "error": False}
        status, _, page = get(base + "en/w1/")
        assert status == 200 and b"First week" in page
    finally:
        preview.stop()
    assert not preview.out_dir.exists()
    assert log.getvalue().splitlines()[0].startswith("digest serve: built 1 edition, 1 entry: ")


def test_drafts_and_scheduled_editions_get_a_banner_in_served_pages_only(site: Path):
    preview = Preview(site, drafts=True, poll=60, today=lambda: date(2018, 2, 9))
    base = preview.start()
    try:
        draft = get(base + "zh/w2/")[2]
        assert (b'<p class="digest-preview-banner" role="status">Draft: content/editions/w2.yaml is marked '
                b"draft: true, so digest build leaves it out (shown because of --drafts).</p>") in draft
        scheduled = get(base + "en/w1/")[2]
        assert (b'<p class="digest-preview-banner" role="status">Scheduled: dated 2018-02-10, so a build before '
                b"that day leaves it out.</p>") in scheduled
        assert b"digest-preview-banner" not in get(base + "en/")[2]
        assert b"digest-preview-banner" not in (preview.out_dir / "zh" / "w2" / "index.html").read_bytes()
    finally:
        preview.stop()


def test_the_watcher_sees_the_sites_files_and_the_theme_in_the_package(site: Path):
    (site / "templates").mkdir()
    (site / "templates" / "paper.html").write_text('{% extends "base.html" %}\n', encoding="utf-8")
    preview = Preview(site)
    try:
        seen = set(preview.snapshot())
    finally:
        preview.stop()
    assert {str(site / "content" / "editions" / "w1.yaml"), str(site / "templates" / "paper.html"),
            str(DEFAULT_TEMPLATES / "base.html"), str(DEFAULT_TEMPLATES / "static" / "style.css")} <= seen


def test_a_busy_port_is_a_clear_error(site: Path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["serve", "--root", str(site), "--port", str(port)])
    assert code == 1
    assert err.getvalue().splitlines()[-1] == (
        f"digest serve: error: cannot listen on 127.0.0.1:{port} (Address already in use); try another --port")
