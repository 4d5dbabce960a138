"""``digest serve``: a live preview of the site while curators edit it.

::

    Preview.start()
      build(root, <temporary folder>)     the same build as digest build, never into output/
      HTTP server on 127.0.0.1            a thread; serves the temporary folder
      watcher                             a thread; polls content/, templates/ and the theme for changes
    on a change: build again, bump the build number
    every served HTML page carries a small script that polls /__digest__/version and
    reloads the page when the number changes

A build that fails (a YAML mistake, an unknown category, a template error) does not stop
the server: its problems are printed in the terminal and every page shows them instead of
the stale site, until the next good build. The reload script, the stylesheet of the error
page and the draft banner exist only in served responses; the files of a build, and so
what ``digest build`` publishes, are never changed by the preview.

Watching is done by polling modification times and sizes (no extra dependency; a site's
content is a few hundred files, a scan takes a millisecond or two). The preview builds
every edition that has a date, including those scheduled after today (the point of a
preview is to see next week's edition); drafts only with ``--drafts``. Pages of a draft
or a scheduled edition get a banner saying so.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from digest.content.project import load_project
from digest.core.errors import ContentError, DigestError, summary
from digest.pipeline import DEFAULT_TEMPLATES, TEMPLATES_DIR, build

#: Folders below the site root whose changes trigger a rebuild (and the theme shipped in the
#: package, so that editing it in a checkout of digest rebuilds too).
WATCHED = ("content", TEMPLATES_DIR)
#: How often the watcher looks at the files (seconds), and how often an open page asks for news.
POLL_SECONDS = 0.5
PAGE_POLL_MS = 700
ENDPOINT = "/__digest__/"

RELOAD_JS = """\
(function () {
  var me = document.currentScript, seen = me.getAttribute("data-version");
  function ask() {
    fetch("/__digest__/version", {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (v) { if (String(v.version) !== seen) { location.reload(); } else { later(); } })
      .catch(later);
  }
  function later() { setTimeout(ask, PAGE_POLL_MS); }
  later();
})();
""".replace("PAGE_POLL_MS", str(PAGE_POLL_MS))

PREVIEW_CSS = """\
.digest-preview-banner { position: sticky; top: 0; z-index: 1000; margin: 0; padding: .5rem 1rem;
  background: #fff3cd; color: #3d2c00; border-bottom: 1px solid #d9b74a; font: 600 .95rem/1.4 system-ui, sans-serif; }
body.digest-preview-error { margin: 0; background: #1f1f1f; color: #f3f3f3; font: 1rem/1.5 system-ui, sans-serif; }
.digest-preview-error main { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
.digest-preview-error h1 { color: #ff8a80; font-size: 1.4rem; }
.digest-preview-error pre { white-space: pre-wrap; background: #2b2b2b; padding: 1rem; border-radius: .3rem; }
"""


class Preview:
    """A preview server for the site under ``root``; :meth:`start` it, :meth:`stop` it."""

    def __init__(self, root: Path, *, port: int = 0, drafts: bool = False, log: TextIO | None = None,
                 poll: float = POLL_SECONDS, today: Callable[[], date] = date.today):
        self.root = Path(root)
        self.drafts = drafts
        self.port = port
        self.log = log
        self.poll = poll
        self.today = today
        self.version = 0
        self.error: str | None = None
        self.banners: dict[str, str] = {}
        self.languages: tuple[str, ...] = ()
        self._folder = Path(tempfile.mkdtemp(prefix="digest-serve-"))
        self.out_dir = self._folder / "site"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: ThreadingHTTPServer | None = None

    # -- building

    def rebuild(self) -> None:
        """Build into the temporary folder; on failure keep serving, showing the problems."""
        try:
            report = build(self.root, self.out_dir, drafts=self.drafts, as_of=None)
            banners, languages = self._banners()
        except ContentError as exc:
            lines = [str(p) for p in exc.problems] + [f"digest serve: {summary(exc.problems)}"]
            self._finish(None, {}, "\n".join(lines))
        except DigestError as exc:
            self._finish(None, {}, f"digest serve: error: {exc}")
        except Exception as exc:  # a bug, not bad input: keep serving and show it
            self._finish(None, {}, f"digest serve: unexpected error: {type(exc).__name__}: {exc}")
        else:
            for problem in report.warnings:
                self._say(str(problem))
            self._finish(languages, banners, None, report.summary().replace("digest build:", "digest serve: built", 1))

    def _finish(self, languages: tuple[str, ...] | None, banners: dict[str, str], error: str | None,
                message: str = "") -> None:
        with self._lock:
            self.version += 1
            self.error = error
            if languages is not None:
                self.languages, self.banners = languages, banners
        self._say(error if error is not None else message)

    def _banners(self) -> tuple[dict[str, str], tuple[str, ...]]:
        project = load_project(self.root, drafts=self.drafts)
        today = self.today()
        banners = {}
        for ed in project.editions:
            if ed.draft:
                banners[ed.slug] = (f"Draft: {ed.loc.file} is marked draft: true, so digest build leaves it out "
                                    "(shown because of --drafts).")
            elif ed.date > today:
                banners[ed.slug] = (f"Scheduled: dated {ed.date.isoformat()}, so a build before that day "
                                    "leaves it out.")
        return banners, project.site.languages

    def _say(self, text: str) -> None:
        if self.log is not None and text:
            print(text, file=self.log, flush=True)

    # -- watching

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Modification time and size of every watched file (hidden files and editors' temporaries left out)."""
        found: dict[str, tuple[int, int]] = {}
        for top in [*(self.root / name for name in WATCHED), DEFAULT_TEMPLATES]:
            for folder, dirs, files in os.walk(top):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for file in files:
                    if file.startswith(".") or file.endswith("~"):
                        continue
                    path = os.path.join(folder, file)
                    try:
                        st = os.stat(path)
                    except OSError:
                        continue  # removed while we looked
                    found[path] = (st.st_mtime_ns, st.st_size)
        return found

    def _watch(self) -> None:
        seen = self.snapshot()
        while not self._stopping.wait(self.poll):
            now = self.snapshot()
            if now != seen:
                seen = now
                self.rebuild()

    # -- serving

    def start(self) -> str:
        """Build once, start serving and watching; return the address."""
        self.rebuild()
        handler = partial(_Handler, preview=self, directory=str(self.out_dir))
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        jobs = {"http": partial(self._server.serve_forever, poll_interval=0.1), "watch": self._watch}
        for name, target in jobs.items():
            thread = threading.Thread(target=target, daemon=True, name=f"digest-serve-{name}")
            thread.start()
            self._threads.append(thread)
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        """Stop both threads and remove the temporary folder."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._folder, ignore_errors=True)

    def state(self) -> tuple[int, str | None, dict[str, str], tuple[str, ...]]:
        with self._lock:
            return self.version, self.error, self.banners, self.languages


class _Handler(SimpleHTTPRequestHandler):
    """Static files of the build, with the preview's additions to HTML pages."""

    def __init__(self, *args, preview: Preview, **kwargs):
        self.preview = preview
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:
        pass  # one line per request would bury the build messages in the terminal

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        version, error, banners, languages = self.preview.state()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(ENDPOINT):
            return self._endpoint(path[len(ENDPOINT):], version, error)
        target = Path(self.translate_path(path))
        if target.is_dir():
            if not path.endswith("/"):
                return super().do_GET()  # redirects to the folder's URL with a slash
            target = target / "index.html"
        is_page = target.suffix == ".html" or not target.suffix
        if error is not None and is_page:
            return self._send(500, "text/html; charset=utf-8", error_page(error, version))
        if target.suffix == ".html" and target.is_file():
            try:
                page = target.read_bytes()
            except OSError:
                return super().do_GET()
            banner = _banner_for(path, banners, languages)
            return self._send(200, "text/html; charset=utf-8", decorate(page, version, banner))
        return super().do_GET()

    def _endpoint(self, name: str, version: int, error: str | None) -> None:
        if name == "version":
            body = json.dumps({"version": version, "error": error is not None}).encode("utf-8")
            return self._send(200, "application/json", body)
        if name == "reload.js":
            return self._send(200, "text/javascript; charset=utf-8", RELOAD_JS.encode("utf-8"))
        if name == "preview.css":
            return self._send(200, "text/css; charset=utf-8", PREVIEW_CSS.encode("utf-8"))
        self.send_error(404)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _banner_for(path: str, banners: dict[str, str], languages: tuple[str, ...]) -> str | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] in languages:
        return banners.get(parts[1])
    return None


_CSP = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.I)


def decorate(page: bytes, version: int, banner: str | None) -> bytes:
    """A built page as the preview serves it: the reload script, and the banner when there is one.

    The page's own Content-Security-Policy forbids scripts; the served copy lets it load
    scripts from the preview server itself (the reload script), and nothing else.
    """
    text = page.decode("utf-8", errors="replace")
    text = _CSP.sub(lambda m: m.group(1) + _allow_self(m.group(2)) + m.group(3), text, count=1)
    head = '<link rel="stylesheet" href="/__digest__/preview.css">'
    text = text.replace("</head>", head + "\n</head>", 1)
    script = f'<script src="/__digest__/reload.js" data-version="{version}"></script>'
    if banner:
        script = f'<p class="digest-preview-banner" role="status">{html.escape(banner)}</p>\n' + script
    body = re.search(r"<body[^>]*>", text)
    if body:
        text = text[:body.end()] + "\n" + script + text[body.end():]
    else:
        text += script
    return text.encode("utf-8")


def _allow_self(policy: str) -> str:
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    kept = [d for d in directives if d.split()[0].lower() not in ("script-src", "connect-src", "style-src")]
    return "; ".join([*kept, "script-src 'self'", "connect-src 'self'", "style-src 'self'"])


def error_page(error: str, version: int) -> bytes:
    """The page shown for every URL while the last build failed."""
    return (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>digest serve: the build failed</title>\n"
        "<link rel=\"stylesheet\" href=\"/__digest__/preview.css\">\n</head>\n"
        "<body class=\"digest-preview-error\">\n<main>\n<h1>The build failed</h1>\n"
        "<p>Fix the problems below and save: this page reloads by itself.</p>\n"
        f"<pre>{html.escape(error)}</pre>\n</main>\n"
        f"<script src=\"/__digest__/reload.js\" data-version=\"{version}\"></script>\n</body>\n</html>\n"
    ).encode()


def run_serve(root: Path, port: int, drafts: bool, out: TextIO, err: TextIO) -> int:
    """The ``digest serve`` command: serve until interrupted."""
    preview = Preview(root, port=port, drafts=drafts, log=err)
    try:
        url = preview.start()
    except OSError as exc:
        preview.stop()
        raise DigestError(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try another --port") from None
    print(f"digest serve: serving {url} (watching content/ and templates/; Ctrl+C stops)", file=out, flush=True)
    previous = signal.signal(signal.SIGTERM, _terminate)  # so a plain kill also removes the temporary folder
    try:
        threading.Event().wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        preview.stop()
    return 0  # pragma: no cover - only an interrupt ends the wait


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
