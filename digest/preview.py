"""``digest serve``: a live preview of the site while curators edit it.

::

    Preview.start()
      HTTP server on 127.0.0.1 (--host)   bound first (a busy port fails at once); a thread serves the temporary folder
      watcher                             a thread; watchfiles on content/, templates/ and the theme
      build(root, <temporary folder>)     in the watcher thread, once watching has begun; the same build as
                                          digest build, never into output/
    on a batch of changes: build again, bump the build number
    every served HTML page carries a small script that polls /__digest__/version and
    reloads the page when the number changes

A build that fails (a YAML mistake, an unknown category, a template error) does not stop
the server, and leaves the last good build in place (a build replaces its output only
when it succeeds): its problems are printed in the terminal and shown at the top of every
page of the last good build, which stays reachable, until the next good build. When no
build has succeeded yet, every page is the error page. The reload script, the stylesheet
of the error panel and the draft banner exist only in served responses; the files of a
build, and so what ``digest build`` publishes, are never changed by the preview.

Every file goes out with its media type (:mod:`digest.core.media`: feeds, OPML, the sitemap,
JSON, fonts ...). A URL with no file behind it gets the site's own ``404.html`` when the
build has one (``<lang>/404.html`` first, for a URL below a language), otherwise a small
page in the site's style (its stylesheet, its name linking to its home page), with
status 404; folders are never listed.

Watching is done by watchfiles (the Rust notify crate: inotify on Linux, FSEvents on macOS,
ReadDirectoryChangesW on Windows). It watches the folders a build reads, and only those:
``content/``, the site's ``templates/`` when there is one, and the theme in the package (so
that editing it in a checkout of digest rebuilds too). It does not watch the site root with a
filter: the root also holds ``output/`` (one folder per page, thousands on a big site), the
staging folders beside it, ``.git/``, ``.digest-cache/`` and perhaps a ``.venv/``, and every
folder under a watched path costs an inotify watch, or, when watchfiles polls, a look at
every poll. A watched folder that appears, disappears or is replaced later (a ``templates/``
made while the preview runs, a ``content/`` restored by git) is noticed at the watcher's tick:
watchfiles wakes every ``TICK_MS`` even when nothing changed, the watcher compares which of
those folders exist (and their inode numbers) with what it watches, and if they differ it
starts watching the new set and builds. Below the watched folders, hidden files and folders
(``.git/``, an editor's ``.w1.yaml.swp``) and editors' temporaries are left out
(:class:`_Relevant`).

Changes come in batches: watchfiles hands over what it collected once nothing new arrived
for ``STEP_MS`` (at most ``DEBOUNCE_MS`` after the first change), so an editor's save (a
temporary file, then a rename) is one build. What changes during a build is collected in the
meantime and gives one more build after it, never lost; the first build also starts only
after watching has begun (the first tick), so nothing saved during start-up is missed.
:meth:`Preview.stop` sets the event watchfiles checks at every step, so the watcher ends
within ``STEP_MS`` (or when the build under way ends).

Where file system events do not arrive (network folders, some containers and virtual
machines), ``WATCHFILES_FORCE_POLLING=1`` makes watchfiles poll instead (every 300 ms,
``WATCHFILES_POLL_DELAY_MS`` to change it); it falls back to polling by itself only where the
system has no notification interface at all. Its polling compares modification times to the
second, so a save in the same second as the one before can wait for the next change. When
watching fails (inotify's limit of watches reached, say), the terminal says so once, the
preview keeps serving, and the watcher tries again every ``RETRY_SECONDS``.

The preview builds every edition that has a date, including those scheduled after today (the
point of a preview is to see next week's edition); drafts only with ``--drafts``. Pages of a
draft or a scheduled edition get a banner saying so.
"""

from __future__ import annotations

import contextlib
import errno
import html
import json
import os
import re
import shutil
import signal
import socket
import stat
import tempfile
import threading
from collections.abc import Callable, Collection, Generator
from contextlib import closing
from dataclasses import dataclass
from datetime import date
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TextIO
from urllib.parse import parse_qs, urlsplit

from watchfiles import Change, DefaultFilter, watch

from digest.content.project import load_project
from digest.core.cache import Cache
from digest.core.errors import ContentError, DigestError, summary
from digest.core.languages import DERIVED, LANGUAGES
from digest.core.media import SNIFF_BYTES, media_type
from digest.pipeline import DEFAULT_TEMPLATES, TEMPLATES_DIR, build

#: Folders below the site root whose changes trigger a rebuild (and the theme shipped in the
#: package, so that editing it in a checkout of digest rebuilds too).
WATCHED = ("content", TEMPLATES_DIR)
#: watchfiles' grouping of changes, in milliseconds: a batch is handed over once nothing new
#: came for STEP_MS, or DEBOUNCE_MS after its first change at the latest. TICK_MS: how often the
#: watcher wakes with nothing changed, to see whether a watched folder appeared, went or was
#: replaced (two stat calls).
STEP_MS = 50
DEBOUNCE_MS = 1600
TICK_MS = 300
#: Editors' temporaries beyond those watchfiles' DefaultFilter knows (``*.swp``, ``*~``, ``.#*``):
#: vim's probe of whether it may write in a folder, and the ``*.tmp`` of many tools.
TEMPORARIES = (r"^4913$", r"\.tmp$")
#: How long the watcher waits before trying again when watching fails (seconds).
RETRY_SECONDS = 1.0
#: How often an open page asks for news.
PAGE_POLL_MS = 700
ENDPOINT = "/__digest__/"
#: Where the preview listens unless told otherwise (--host): this machine only.
HOST = "127.0.0.1"
#: The name of a site's own page for a missing URL, in the output's root or a language's folder.
NOT_FOUND_PAGE = "404.html"

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
.digest-preview-failed { margin: 0; padding: .75rem 1rem; background: #1f1f1f; color: #f3f3f3;
  border-bottom: 3px solid #ff8a80; font: .95rem/1.4 system-ui, sans-serif; }
.digest-preview-failed h2 { margin: 0 0 .25rem; color: #ff8a80; font-size: 1.1rem; }
.digest-preview-failed p { margin: 0 0 .5rem; }
.digest-preview-failed pre { margin: 0; white-space: pre-wrap; font: .85rem/1.4 ui-monospace, monospace; }
"""


class Preview:
    """A preview server for the site under ``root``; :meth:`start` it, :meth:`stop` it."""

    def __init__(self, root: Path, *, port: int = 0, host: str = HOST, drafts: bool = False,
                 log: TextIO | None = None, today: Callable[[], date] = date.today):
        self.root = Path(root)
        self.drafts = drafts
        self.host = host
        self.port = port
        self.log = log
        self.today = today
        self.version = 0
        self.error: str | None = None
        self.banners: dict[str, str] = {}
        self.languages: tuple[str, ...] = ()
        self.titles: dict[str, str] = {}  # the site's name per language, for the preview's own pages
        self.good = False  # whether a build has succeeded: its output is served, even after a failed one
        self._folder = Path(tempfile.mkdtemp(prefix="digest-serve-"))
        self.out_dir = self._folder / "site"
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ready = threading.Event()  # set once the first build is done
        # the watcher thread's own: what the next build is for (shown in the terminal), and
        # whether a build is due even with nothing changed (the first, or after watching began anew)
        self._changed: set[str] = set()
        self._due = True
        self._threads: list[threading.Thread] = []
        self._server: ThreadingHTTPServer | None = None
        self._serving = False

    # -- building

    def rebuild(self) -> None:
        """Build into the temporary folder; on failure keep serving, showing the problems."""
        try:
            report = build(self.root, self.out_dir, drafts=self.drafts, as_of=None)
            banners, languages, titles = self._banners()
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
            self._finish(languages, banners, None, report.summary().replace("digest build:", "digest serve: built", 1),
                         titles)

    def _finish(self, languages: tuple[str, ...] | None, banners: dict[str, str], error: str | None,
                message: str = "", titles: dict[str, str] | None = None) -> None:
        with self._lock:
            self.version += 1
            self.error = error
            if languages is not None:
                self.languages, self.banners, self.titles = languages, banners, titles or {}
                self.good = True
            good = self.good
        self._say(error if error is not None else message)
        if error is not None and good:
            self._say("digest serve: still serving the last good build, with these problems at the top of its pages")

    def _banners(self) -> tuple[dict[str, str], tuple[str, ...], dict[str, str]]:
        store = Cache(self.root)  # the files the build just read: taken from its cache, not parsed again
        try:
            project = load_project(self.root, drafts=self.drafts, cache=store)
        finally:
            store.close()
        today = self.today()
        banners = {}
        for ed in project.editions:
            if ed.draft:
                banners[ed.slug] = (f"Draft: {ed.loc.file} is marked draft: true, so digest build leaves it out "
                                    "(shown because of --drafts).")
            elif ed.date > today:
                banners[ed.slug] = (f"Scheduled: dated {ed.date.isoformat()}, so a build before that day "
                                    "leaves it out.")
        site = project.site
        titles = {lang: site.title.get(lang) or site.title.get(DERIVED.get(lang, ""), "") or
                  next(iter(site.title.values()), "") for lang in site.languages}
        return banners, site.languages, titles

    def _say(self, text: str) -> None:
        if self.log is not None and text:
            print(text, file=self.log, flush=True)

    # -- watching

    def watched(self) -> dict[str, tuple[int, int]]:
        """The folders to watch now, each with its device and inode numbers: the site's content/
        and templates/ where they exist, and the theme in the package.

        Paths are resolved: some systems (FSEvents on macOS) report changes by the resolved
        path whatever path was watched, and the filter compares them with these.
        """
        found: dict[str, tuple[int, int]] = {}
        for folder in [*(os.path.join(self._real_root(), name) for name in WATCHED), DEFAULT_TEMPLATES]:
            try:
                st = os.stat(folder)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                found[os.path.realpath(folder)] = (st.st_dev, st.st_ino)
        return found

    def _real_root(self) -> str:
        return os.path.realpath(self.root)

    def _watch(self) -> None:
        """The watcher thread: watch the folders there are, anew whenever they change, until stopped."""
        complaint = None
        try:
            while not self._stopping.is_set():
                folders = self.watched()
                try:
                    self._follow(folders)
                    complaint = None
                except (OSError, RuntimeError) as exc:  # watchfiles' own error is a RuntimeError
                    if self.watched() != folders:
                        continue  # a folder went while watching began: look again
                    message = (f"digest serve: error: cannot watch {self._describe(folders)} for changes: {exc} "
                               f"(set WATCHFILES_FORCE_POLLING=1 to poll instead; trying again every "
                               f"{RETRY_SECONDS:g} s)")
                    if message != complaint:
                        self._say(message)
                        complaint = message
                    if not self._ready.is_set():
                        self._build_for_changes()  # serve what there is meanwhile
                    self._due = True  # what changed until watching works again is in no batch
                    self._stopping.wait(RETRY_SECONDS)
        finally:
            self._ready.set()  # start() never waits for a thread that is gone

    def _follow(self, folders: dict[str, tuple[int, int]]) -> None:
        """Build once watching ``folders`` has begun if a build is due, then once per batch of
        changes below them; return when stopped or when the folders to watch are others."""
        with closing(self._batches(folders)) as batches:
            for batch in batches:
                if self._stopping.is_set():
                    return
                self._changed |= {path for _, path in batch}
                now = self.watched()
                if now != folders or any(c != Change.modified and p in folders for c, p in batch):
                    self._changed |= {f for f in folders.keys() | now.keys() if folders.get(f) != now.get(f)}
                    self._due = True  # what changed while no watcher ran is in no batch: build anyway
                    return
                if batch or self._due:
                    self._build_for_changes()

    def _batches(self, folders: Collection[str]) -> Generator[set[tuple[Change, str]], None, None]:
        """watchfiles' batches of relevant changes below ``folders``, and an empty one at every tick."""
        return watch(*folders, watch_filter=_Relevant(folders), debounce=DEBOUNCE_MS, step=STEP_MS,
                     stop_event=self._stopping, rust_timeout=TICK_MS, yield_on_timeout=True)

    def _build_for_changes(self) -> None:
        if self._changed:
            self._say(f"digest serve: changed: {self._describe(self._changed)}")
        self._changed, self._due = set(), False
        self.rebuild()
        self._ready.set()

    def _describe(self, paths: Collection[str], most: int = 3) -> str:
        """Paths as the terminal shows them: below the site root relative to it, watched folders with a slash."""
        root = self._real_root()
        folders = {*(os.path.realpath(os.path.join(root, name)) for name in WATCHED), str(DEFAULT_TEMPLATES)}
        names = sorted(  # the site's own paths first, then the theme's
            (path if _below(path, [root]) is None else os.path.relpath(path, root)).replace(os.sep, "/")
            + ("/" if path in folders else "")
            for path in paths
        )
        names.sort(key=os.path.isabs)
        more = f" and {len(names) - most} more" if len(names) > most else ""
        return ", ".join(names[:most]) + more

    # -- serving

    def start(self) -> str:
        """Listen, start watching, build once, serve; return the address."""
        handler = partial(_Handler, preview=self, directory=str(self.out_dir))
        # listening first: a busy port fails at once, before any build
        server = _Server6 if ":" in self.host else ThreadingHTTPServer
        self._server = server((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._spawn("watch", self._watch)
        self._ready.wait()
        self._serving = True
        self._spawn("http", partial(self._server.serve_forever, poll_interval=0.1))
        return self.url()

    def url(self) -> str:
        """The address the preview serves (an IPv6 host in brackets)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/"

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, daemon=True, name=f"digest-serve-{name}")
        thread.start()
        self._threads.append(thread)

    def stop(self) -> None:
        """Stop both threads (the watcher within a step, or when the build under way ends) and
        remove the temporary folder."""
        self._stopping.set()
        if self._server is not None:
            if self._serving:
                self._server.shutdown()
            self._server.server_close()
        for thread in self._threads:
            thread.join()
        shutil.rmtree(self._folder, ignore_errors=True)

    def state(self) -> _State:
        with self._lock:
            return _State(self.version, self.error, self.banners, self.languages, self.titles, self.good)


@dataclass(frozen=True)
class _State:
    """What the handler needs of the preview, taken at once: the build number, the last
    build's problems (None when it succeeded), the banners, the site's languages and names,
    and whether a good build is there to serve."""

    version: int
    error: str | None
    banners: dict[str, str]
    languages: tuple[str, ...]
    titles: dict[str, str]
    good: bool


class _Server6(ThreadingHTTPServer):
    """The server on an IPv6 address (``--host ::1``)."""

    address_family = socket.AF_INET6


def _below(path: str, folders: Collection[str]) -> str | None:
    """The part of ``path`` below the first of ``folders`` that holds it ('' for the folder itself), or None."""
    for folder in folders:
        if path == folder:
            return ""
        if path.startswith(folder.rstrip(os.sep) + os.sep):
            return path[len(folder.rstrip(os.sep)) + 1:]
    return None


class _Relevant(DefaultFilter):
    """The changes a build can see: below a watched folder, not hidden, not an editor's temporary.

    watchfiles' DefaultFilter knows editors' temporaries and tools' folders (``__pycache__``,
    ``node_modules``), but it looks at every part of the absolute path, so a site kept below a
    folder of such a name would see nothing; it is given the part below the watched folder only.
    Hidden names are left out at any depth there (``.git/``, ``.w1.yaml.swp``, ``.DS_Store``).
    """

    ignore_entity_patterns = (*DefaultFilter.ignore_entity_patterns, *TEMPORARIES)

    def __init__(self, folders: Collection[str]):
        self.folders = tuple(folders)
        super().__init__()

    def __call__(self, change: Change, path: str) -> bool:
        below = _below(path, self.folders)
        if below is None:
            return False
        if below == "":
            return True  # a watched folder itself: created, removed or replaced
        if any(part.startswith(".") for part in below.split(os.sep)):
            return False
        return super().__call__(change, below)


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
        state = self.preview.state()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path.startswith(ENDPOINT):
            return self._endpoint(path[len(ENDPOINT):], state.version, state.error,
                                  parse_qs(urlsplit(self.path).query))
        target = Path(self.translate_path(path))
        if target.is_dir():
            if not path.endswith("/"):
                return self._file()  # redirects to the folder's URL with a slash
            target = target / "index.html"
        is_page = target.suffix == ".html" or not target.suffix
        if state.error is not None and not state.good and is_page:
            return self._send(500, "text/html; charset=utf-8", error_page(state.error, state.version))
        if target.suffix == ".html" and target.is_file():
            try:
                page = target.read_bytes()
            except OSError:
                return self._file()
            banner = _banner_for(path, state.banners, state.languages)
            return self._send(200, "text/html; charset=utf-8", decorate(page, state.version, banner, state.error))
        return self._file()

    do_HEAD = do_GET  # the same status and headers as GET, without the body (see _send and _file)

    def _file(self) -> None:
        """The file at the URL as it is (or a redirect to its folder's URL, or a 404)."""
        if self.command == "HEAD":
            return super().do_HEAD()
        return super().do_GET()

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        """The media type of a file of the build (:func:`digest.core.media.media_type`)."""
        head = b""
        if str(path).lower().endswith(".xml"):
            with contextlib.suppress(OSError), open(path, "rb") as fh:
                head = fh.read(SNIFF_BYTES)
        return media_type(os.fspath(path), head)

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        """A folder without an index page is not a page: 404, as on a web server."""
        self.send_error(404)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """A missing URL gets the site's 404 page (or the preview's, in the site's style)."""
        if code != 404 or self.command not in ("GET", "HEAD"):
            return super().send_error(code, message, explain)
        state = self.preview.state()
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if state.error is not None and not state.good:
            return self._send(404, "text/html; charset=utf-8", error_page(state.error, state.version))
        lang = _language_of(path, state.languages)
        page = self._own_not_found(lang)
        if page is None:
            lang = lang or (state.languages[0] if state.languages else "")
            page = not_found_page(path, lang, state.titles.get(lang, ""))
        self._send(404, "text/html; charset=utf-8", decorate(page, state.version, None, state.error))

    def _own_not_found(self, lang: str | None) -> bytes | None:
        """The build's own 404 page for a URL below ``lang``'s folder (or none): the language's, else the root's."""
        folder = Path(self.directory)
        for candidate in ([f"{lang}/{NOT_FOUND_PAGE}"] if lang else []) + [NOT_FOUND_PAGE]:
            try:
                return (folder / candidate).read_bytes()
            except OSError:
                continue
        return None

    def _endpoint(self, name: str, version: int, error: str | None, query: dict[str, list[str]]) -> None:
        if name == "version":
            body = json.dumps({"version": version, "error": error is not None}).encode("utf-8")
            return self._send(200, "application/json", body)
        if name == "reload.js":
            return self._send(200, "text/javascript; charset=utf-8", RELOAD_JS.encode("utf-8"))
        if name == "preview.css":
            return self._send(200, "text/css; charset=utf-8", PREVIEW_CSS.encode("utf-8"))
        if name == EXPORTS_PATH or name.startswith(EXPORTS_PATH + "/"):
            status, body = export_page(self.preview.root, name[len(EXPORTS_PATH):].strip("/"),
                                       {key: values[-1] for key, values in query.items()})
            return self._send(status, "text/html; charset=utf-8", body)
        self.send_error(404)

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


#: Below ENDPOINT: the exports of every edition (``export/``), and each one
#: (``export/<channel>/<lang>/<edition>``), rendered from the current files at each request.
EXPORTS_PATH = "export"


def export_page(root: Path, rest: str, query: dict[str, str] | None = None) -> tuple[int, bytes]:
    """The preview of an export (``<channel>/<lang>/<edition>``, its options in the query:
    ``?esp=listmonk``) or, for "", the list of them, with each choice of each option.

    An export is shown at the width its reader sees it at (:attr:`ExportChannel.width`): an HTML
    export is the page's whole body, so selecting all and copying takes exactly the fragment;
    a text export (Markdown) is shown as its text."""
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    try:
        project = load_project(root, drafts=True)
        if not rest:
            rows = []
            for edition in project.editions:
                links = " ".join(
                    f'<a href="{ENDPOINT}{EXPORTS_PATH}/{name}/{lang}/{html.escape(edition.slug)}{suffix}">'
                    f'{name}{label} {lang}</a>'
                    for name in EXPORTS for suffix, label in _variants(EXPORTS[name])
                    for lang in project.site.languages)
                rows.append(f"<li>{html.escape(edition.slug)}: {links}</li>")
            return 200, _export_frame("digest serve: exports", 720, "<ul>" + "".join(rows) + "</ul>")
        parts = rest.split("/")
        if len(parts) != 3 or parts[0] not in EXPORTS:
            return 404, _export_frame("digest serve: no such export", 720,
                                      f"<p>No export {html.escape(rest)}: see {ENDPOINT}{EXPORTS_PATH}/</p>")
        channel = EXPORTS[parts[0]]
        options = {name: (query or {}).get(name, channel.choices[name][0]) for name in channel.options}
        wrong = [f"{name}={value}" for name, value in options.items() if value not in channel.choices[name]]
        if wrong:
            return 404, _export_frame("digest serve: no such export", 720,
                                      f"<p>No option {html.escape(wrong[0])}: see {ENDPOINT}{EXPORTS_PATH}/</p>")
        result = channel.render(export_context(root, parts[2], parts[1], options))
    except ContentError as exc:
        return 500, _export_frame("digest serve: export failed", 720,
                                  "<pre>" + html.escape("\n".join(str(p) for p in exc.problems)) + "</pre>")
    except DigestError as exc:
        return 404, _export_frame("digest serve: export failed", 720, f"<p>{html.escape(str(exc))}</p>")
    text = result.data.decode("utf-8")
    if result.media_type.startswith("text/html"):
        return 200, _export_frame(f"{parts[2]} ({channel.name}, {parts[1]})", channel.width, text)
    return 200, _export_frame(f"{parts[2]} ({channel.name}, {parts[1]})", channel.width,
                              f'<pre style="white-space:pre-wrap;word-break:break-word;margin:0">{html.escape(text)}</pre>')


def _variants(channel) -> list[tuple[str, str]]:
    """(query, label) of each way to preview ``channel``: its default, then each other choice
    of each option (``?esp=listmonk``, " (esp=listmonk)")."""
    found = [("", "")]
    for name in channel.options:
        found += [(f"?{name}={value}", f" ({name}={value})") for value in channel.choices[name][1:]]
    return found


def _export_frame(title: str, width: int, body: str) -> bytes:
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="max-width:{width}px;margin:0 auto;padding:0">{body}</body></html>\n').encode()


def _language_of(path: str, languages: tuple[str, ...]) -> str | None:
    """The site language whose folder ``path`` is below, if any."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in languages else None


def _banner_for(path: str, banners: dict[str, str], languages: tuple[str, ...]) -> str | None:
    parts = [p for p in path.split("/") if p]
    if len(parts) >= 2 and parts[0] in languages:
        return banners.get(parts[1])
    return None


_CSP = re.compile(r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.I)


def decorate(page: bytes, version: int, banner: str | None, error: str | None = None) -> bytes:
    """A built page as the preview serves it: the reload script, the banner when there is one,
    and the last build's problems when it failed (:func:`failed_panel`).

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
    if error is not None:
        script = failed_panel(error) + script
    body = re.search(r"<body[^>]*>", text)
    if body:
        text = text[:body.end()] + "\n" + script + text[body.end():]
    else:
        text += script
    return text.encode("utf-8")


def _allow_self(policy: str) -> str:
    directives = [d.strip() for d in policy.split(";") if d.strip()]
    kept = [d for d in directives if d.split()[0].lower() not in ("script-src", "connect-src", "style-src")]
    # what the page itself allows stays allowed (the search page's WebAssembly)
    own = [s for d in directives if d.split()[0].lower() == "script-src" for s in d.split()[1:] if s != "'none'"]
    scripts = " ".join(dict.fromkeys(["'self'", *own]))
    return "; ".join([*kept, f"script-src {scripts}", "connect-src 'self'", "style-src 'self'"])


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


def failed_panel(error: str) -> str:
    """The problems of a failed build, at the top of each page of the last good one."""
    return ('<section class="digest-preview-failed" role="alert">\n<h2>The last build failed</h2>\n'
            "<p>This is the last good build. Fix the problems below and save: the page reloads by itself.</p>\n"
            f"<pre>{html.escape(error)}</pre>\n</section>\n")


def not_found_page(path: str, lang: str, title: str) -> bytes:
    """The page for a URL the build has no file for (when the site has no 404.html of its own):
    small, in the site's style (its stylesheet, its header with its name and a link home)."""
    home = f"/{lang}/" if lang else "/"
    name = html.escape(title or "Home")
    return (
        f"<!doctype html>\n<html lang=\"{LANGUAGES.get(lang, 'en')}\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>Page not found · {name}</title>\n"
        "<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body class=\"page\">\n"
        f"<header class=\"site-header\">\n<div class=\"wrap site-header-inner\">\n"
        f"<a class=\"brand\" href=\"{home}\">{name}</a>\n</div>\n</header>\n"
        "<main id=\"main\" class=\"wrap\">\n<h1>Page not found</h1>\n"
        f"<p>This build has no page at <code>{html.escape(path)}</code>.</p>\n"
        f"<p><a href=\"{home}\">Go to the home page</a></p>\n</main>\n</body>\n</html>\n"
    ).encode()


def run_serve(root: Path, port: int, drafts: bool, out: TextIO, err: TextIO, host: str = HOST) -> int:
    """The ``digest serve`` command: serve until interrupted."""
    preview = Preview(root, port=port, host=host, drafts=drafts, log=err)
    try:
        url = preview.start()
    except OSError as exc:
        preview.stop()
        where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        hint = "try another --port" if exc.errno == errno.EADDRINUSE else "check --host and --port"
        raise DigestError(f"cannot listen on {where} ({exc.strerror}); {hint}") from None
    except BaseException:  # Ctrl+C during the first build: no thread or temporary folder left behind
        preview.stop()
        raise
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
