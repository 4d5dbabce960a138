"""digest serve for real: a server on 127.0.0.1, pages fetched over HTTP, files changed underneath it."""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import pytest

from digest.cli import main
from digest.pipeline import DEFAULT_TEMPLATES
from digest.preview import Preview

BASE = Path(__file__).parent / "cases" / "base"
REPO = Path(__file__).resolve().parent.parent
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


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 10) -> None:
    """Wait for ``condition`` to hold, failing with ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds} s: {what}")
        time.sleep(0.02)


def changes(log: io.StringIO) -> list[str]:
    """What the builds after the first were for, as the terminal says it."""
    return [line.removeprefix("digest serve: changed: ")
            for line in log.getvalue().splitlines() if line.startswith("digest serve: changed: ")]


def stop_timed(preview: Preview) -> float:
    started = time.monotonic()
    preview.stop()
    return time.monotonic() - started


def own_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("digest-serve-")]


def test_serve_rebuilds_reloads_shows_errors_and_recovers(site: Path):
    log = io.StringIO()
    preview = Preview(site, log=log)
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
        assert (status, kind) == (200, "text/html; charset=utf-8")  # the last good build, still reachable
        problem = ("content/editions/w1.yaml:5:47: error: entries[0].category: unknown category 'optimisation' "
                   "(did you mean 'optimization'?)")
        panel = (b'<section class="digest-preview-failed" role="alert">\n<h2>The last build failed</h2>\n'
                 b"<p>This is the last good build. Fix the problems below and save: the page reloads by itself.</p>\n"
                 + f"<pre>{problem.replace(chr(39), '&#x27;')}\ndigest serve: 1 error</pre>".encode())
        assert panel in page and b"First week (revised)" in page  # the problems, over the last good page
        assert b'data-version="3"' in page
        status, _, home = get(base + "en/")  # and every other page of it, with the same problems
        assert status == 200 and panel in home and b"First week (revised)" in home
        missing = get(base + "en/nothing-here/")
        assert missing[0] == 404 and panel in missing[2]
        assert get(base + "static/style.css")[0] == 200  # files other than pages are served as they were
        assert problem in log.getvalue()  # and the terminal says the same
        assert ("digest serve: still serving the last good build, with these problems at the top of its pages"
                in log.getvalue())

        save(edition, EDITION)
        assert wait_for(base, 4) == {"version": 4, "error": False}
        status, _, page = get(base + "en/w1/")
        assert status == 200 and b"First week" in page
    finally:
        preview.stop()
    assert not preview.out_dir.exists()
    assert log.getvalue().splitlines()[0].startswith("digest serve: built 1 edition, 1 entry: ")


def test_drafts_and_scheduled_editions_get_a_banner_in_served_pages_only(site: Path):
    preview = Preview(site, drafts=True, today=lambda: date(2018, 2, 9))
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


def test_a_rebuild_with_nothing_changed_parses_no_edition_file(site: Path, monkeypatch: pytest.MonkeyPatch):
    from digest.content import yamlload

    preview = Preview(site, drafts=True, today=lambda: date(2018, 2, 9))
    preview.start()
    try:
        parsed: list[str] = []
        real_read = yamlload.read
        monkeypatch.setattr(yamlload, "read", lambda path, rel: parsed.append(rel) or real_read(path, rel))
        preview.rebuild()
        assert not [rel for rel in parsed if rel.startswith("content/editions/")] and preview.error is None
        assert set(preview.banners) == {"w1", "w2"}  # the banners, from the cached files
    finally:
        preview.stop()


def test_the_watcher_watches_content_templates_when_there_is_one_and_the_theme(site: Path):
    preview = Preview(site)
    try:
        assert set(preview.watched()) == {str(site / "content"), str(DEFAULT_TEMPLATES)}
        (site / "templates").mkdir()
        assert set(preview.watched()) == {str(site / "content"), str(site / "templates"), str(DEFAULT_TEMPLATES)}
    finally:
        preview.stop()


def test_hidden_files_temporaries_the_cache_and_the_output_build_nothing(site: Path):
    log = io.StringIO()
    preview = Preview(site, log=log)
    base = preview.start()
    editions = site / "content" / "editions"
    try:
        noise = [site / ".digest-cache" / "pages" / "w1.json", site / "output" / "en" / "index.html",
                 site / ".output.new-1a2b3c" / "en" / "index.html", site / ".git" / "index",
                 editions / ".w1.yaml.swp", editions / "w1.yaml~", site / "content" / ".#site.yaml", editions / "4913",
                 editions / "w1.yaml.tmp", site / "content" / ".git" / "HEAD",
                 site / "content" / "snapshot" / "__pycache__" / "x.pyc"]
        for path in noise:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("noise", encoding="utf-8")
        # a real edit after the noise: a kept noise event would be in its batch or in one before it
        save(editions / "w1.yaml", EDITION.replace("First week", "First week (edited)"))
        wait_until(lambda: version(base)["version"] >= 2 and b"First week (edited)" in get(base + "en/w1/")[2],
                   "the edit is built and served")
        assert changes(log) == ["content/editions/w1.yaml"]
        assert version(base) == {"version": 2, "error": False}

        save(editions / "w1.yaml", EDITION)  # and stop while that build is due or under way
    finally:
        took = stop_timed(preview)
    assert took < 2 and own_threads() == [] and not preview.out_dir.exists()


def test_a_burst_of_saves_is_at_most_two_builds(site: Path):
    log = io.StringIO()
    preview = Preview(site, log=log)
    base = preview.start()
    edition = site / "content" / "editions" / "w1.yaml"
    try:
        saved = [edition.with_name(f".w1.yaml.{n}.tmp") for n in range(5)]
        for n, temporary in enumerate(saved):
            temporary.write_text(EDITION.replace("First week", f"Burst {n}"), encoding="utf-8")
        for temporary in saved:  # five saves as an editor makes them, back to back
            os.replace(temporary, edition)
        wait_until(lambda: b"Burst 4" in get(base + "en/w1/")[2], "the last save is served")
        # one more change elsewhere: when it is reported, every event of the burst has been through
        site_yaml = site / "content" / "site.yaml"
        save(site_yaml, site_yaml.read_text(encoding="utf-8") + "# drained\n")
        wait_until(lambda: any("content/site.yaml" in line for line in changes(log)), "the drain is reported")
        burst = [line for line in changes(log) if "content/editions/w1.yaml" in line]
        assert 1 <= len(burst) <= 2, changes(log)
    finally:
        preview.stop()


def test_a_templates_folder_made_after_start_is_watched(site: Path):
    log = io.StringIO()
    preview = Preview(site, log=log)
    base = preview.start()
    theme = (DEFAULT_TEMPLATES / "base.html").read_text(encoding="utf-8")
    try:
        own = site / "templates"
        own.mkdir()
        (own / "base.html").write_text(theme.replace("</body>", "<p>Our own base</p>\n</body>"), encoding="utf-8")
        wait_until(lambda: b"Our own base" in get(base + "en/w1/")[2], "the new templates/ is used")
        assert "templates/" in changes(log)
        # and what changes in it later is seen as it happens
        save(own / "base.html", theme.replace("</body>", "<p>Our own base, again</p>\n</body>"))
        wait_until(lambda: b"Our own base, again" in get(base + "en/w1/")[2], "the edit in templates/ is used")
        assert changes(log)[-1] == "templates/base.html"
    finally:
        preview.stop()


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


#: What each file of a build must be sent as: by the end of its path, first match wins.
EXPECTED_TYPES = [
    ("feeds.opml", "text/x-opml; charset=utf-8"),
    ("/feed.xml", "application/rss+xml; charset=utf-8"),
    ("/atom.xml", "application/atom+xml; charset=utf-8"),
    ("/feed.json", "application/feed+json; charset=utf-8"),
    ("sitemap.xml", "application/xml; charset=utf-8"),
    ("static/other.xml", "application/xml; charset=utf-8"),
    (".html", "text/html; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".json", "application/json; charset=utf-8"),
    (".webmanifest", "application/manifest+json; charset=utf-8"),
    (".txt", "text/plain; charset=utf-8"),
    (".svg", "image/svg+xml; charset=utf-8"),
    (".png", "image/png"),
    (".woff2", "font/woff2"),
    (".woff", "font/woff"),
    (".ttf", "font/ttf"),
    (".otf", "font/otf"),
    ("static/LICENSE", "application/octet-stream"),
    (".digest-output", "application/octet-stream"),
    # the search bundle's index, fragments, filters and WebAssembly (with digest[search])
    (".pf_meta", "application/octet-stream"), (".pf_index", "application/octet-stream"),
    (".pf_fragment", "application/octet-stream"), (".pf_filter", "application/octet-stream"),
    (".pagefind", "application/octet-stream"),
]


def head(url: str) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_every_file_is_sent_with_its_media_type(site: Path):
    static = site / "templates" / "static"
    for name, data in {"fonts/a.woff2": b"wOF2", "fonts/a.woff": b"wOFF", "fonts/a.ttf": b"\0\1\0\0",
                       "fonts/a.otf": b"OTTO", "data.json": b"{}", "site.webmanifest": b"{}", "app.js": b"1;",
                       "other.xml": b'<?xml version="1.0"?>\n<!-- a feed? no -->\n<list><feed/></list>\n',
                       "notes.txt": b"notes", "LICENSE": b"MIT"}.items():
        (static / name).parent.mkdir(parents=True, exist_ok=True)
        (static / name).write_bytes(data)
    preview = Preview(site)
    base = preview.start()
    try:
        files = sorted(p.relative_to(preview.out_dir).as_posix() for p in preview.out_dir.rglob("*") if p.is_file())
        assert {"feeds.opml", "sitemap.xml", "en/feed.xml", "zh/atom.xml", "zh/feed.json", "static/fonts/a.woff2"} <= set(files)
        for path in files:
            expected = next(kind for end, kind in EXPECTED_TYPES if path.endswith(end))
            status, kind, body = get(base + path)
            assert (path, status, kind) == (path, 200, expected)
            assert body == (preview.out_dir / path).read_bytes() or path.endswith(".html")
            assert head(base + path)[:2] == (200, expected)
        page = get(base + "en/w1/")[2]
        assert head(base + "en/w1/")[:2] == (200, "text/html; charset=utf-8")
        assert b"__digest__/reload.js" in page
        assert get(base + "__digest__/version")[1] == "application/json"
    finally:
        preview.stop()


def test_a_missing_url_gets_a_404_page_in_the_site_style(site: Path):
    preview = Preview(site)
    base = preview.start()
    try:
        status, kind, page = get(base + "zh/no-such-edition/")
        assert (status, kind) == (404, "text/html; charset=utf-8")
        assert b'<html lang="zh-Hans">' in page
        assert b'<link rel="stylesheet" href="/static/style.css">' in page  # the site's own stylesheet
        assert '<a class="brand" href="/zh/">测试文摘</a>'.encode() in page  # its name, linking home
        assert b"<h1>Page not found</h1>" in page and b"<code>/zh/no-such-edition/</code>" in page
        assert b'<script src="/__digest__/reload.js"' in page  # it reloads once the page is built
        status, _, page = get(base + "nothing.css")
        assert status == 404 and b'<html lang="en">' in page and b'href="/en/">Test Digest</a>' in page
        assert get(base + "static/")[0] == 404  # a folder without an index page is not listed
        assert head(base + "en/nope/")[:2] == (404, "text/html; charset=utf-8")
        # a build with a 404 page of its own: that one is sent, the language's first
        (preview.out_dir / "404.html").write_bytes(b"<html><body><p>Our own 404</p></body></html>\n")
        (preview.out_dir / "en" / "404.html").write_bytes(b"<html><body><p>Our own English 404</p></body></html>\n")
        status, _, page = get(base + "en/gone/")
        assert status == 404 and b"Our own English 404" in page and b"/__digest__/reload.js" in page
        status, _, page = get(base + "zh/gone/")
        assert status == 404 and b"Our own 404" in page
    finally:
        preview.stop()


def test_before_any_good_build_every_page_is_the_error_page(site: Path):
    edition = site / "content" / "editions" / "w1.yaml"
    edition.write_text(EDITION.replace("category: optimization", "category: optimisation"), encoding="utf-8")
    log = io.StringIO()
    preview = Preview(site, log=log)
    base = preview.start()
    try:
        for path in ("en/w1/", "en/", "no/such/page/"):
            status, kind, page = get(base + path)
            assert status in (404, 500) and kind == "text/html; charset=utf-8"
            assert b"<h1>The build failed</h1>" in page and b"unknown category &#x27;optimisation&#x27;" in page
        assert "still serving" not in log.getvalue()
        save(edition, EDITION)
        wait_for(base, 2)
        assert get(base + "en/w1/")[0] == 200
    finally:
        preview.stop()


def test_host_chooses_the_address(site: Path):
    preview = Preview(site, host="0.0.0.0")
    base = preview.start()
    try:
        assert base == f"http://0.0.0.0:{preview.port}/"
        assert get(f"http://127.0.0.1:{preview.port}/en/w1/")[0] == 200  # every interface, this one too
    finally:
        preview.stop()
    if socket.has_ipv6:
        try:
            preview = Preview(site, host="::1")
            base = preview.start()
        except OSError:
            preview.stop()  # no IPv6 loopback here
        else:
            try:
                assert base == f"http://[::1]:{preview.port}/"
                assert get(base + "en/w1/")[0] == 200
            finally:
                preview.stop()


def test_a_host_that_cannot_be_listened_on_is_a_clear_error(site: Path):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["serve", "--root", str(site), "--host", "192.0.2.1", "--port", "8123"])  # TEST-NET-1: not ours
    assert code == 1
    assert err.getvalue().splitlines()[-1] == (
        "digest serve: error: cannot listen on 192.0.2.1:8123 (Cannot assign requested address); "
        "check --host and --port")


def channel_render(name: str, root: Path, options: dict[str, str]) -> str:
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    return EXPORTS[name].render(export_context(root, "iclr2020-best-papers", "zh", options)).data.decode("utf-8")


def test_serve_previews_each_export_of_each_edition_at_its_readers_width(tmp_path: Path):
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    root = tmp_path / "example"
    shutil.copytree(REPO / "content", root / "content")
    preview = Preview(root)
    base = preview.start()
    try:
        status, kind, body = get(base + "__digest__/export/")
        assert status == 200 and kind.startswith("text/html")
        index = body.decode("utf-8")
        slugs = sorted(p.stem for p in (root / "content" / "editions").glob("*.yaml"))
        for slug in slugs:
            for name in EXPORTS:
                for lang in ("en", "zh", "zh-Hant"):
                    assert f'href="/__digest__/export/{name}/{lang}/{slug}"' in index
        for name, channel in EXPORTS.items():
            status, kind, body = get(base + f"__digest__/export/{name}/zh/iclr2020-best-papers")
            page = body.decode("utf-8")
            assert status == 200 and f'<body style="max-width:{channel.width}px;' in page
            expected = channel.render(export_context(root, "iclr2020-best-papers", "zh", {})).data.decode("utf-8")
            shown = page.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
            if channel.render(export_context(root, "iclr2020-best-papers", "zh", {})).media_type.startswith("text/html"):
                assert shown == expected  # the page is the fragment
            else:
                assert html.unescape(re.sub(r"</?pre[^>]*>", "", shown)) == expected
        # each sender of the email export has its own preview
        assert 'href="/__digest__/export/email/zh/iclr2020-best-papers?esp=listmonk"' in index
        status, _, body = get(base + "__digest__/export/email/zh/iclr2020-best-papers?esp=listmonk")
        listmonk = channel_render("email", root, {"esp": "listmonk"})
        assert status == 200 and listmonk in body.decode("utf-8") and "{{ UnsubscribeURL }}" in listmonk
        status, _, body = get(base + "__digest__/export/email/zh/iclr2020-best-papers?esp=buttondown")
        assert status == 200 and html.escape(channel_render("email", root, {"esp": "buttondown"})) in body.decode()
        assert get(base + "__digest__/export/email/zh/iclr2020-best-papers?esp=mailchimp")[0] == 404
        status, _, body = get(base + "__digest__/export/markdown/zh/iclr2099")
        assert status == 404 and b"no edition" in body
        assert get(base + "__digest__/export/myspace/zh/iclr2020-best-papers")[0] == 404
    finally:
        preview.stop()
