#!/usr/bin/env python3
"""Build benchmarks: digest against Hugo and Pelican, measured in the same run.

    python bench/run.py                      # 1 warm-up round + 5 measured rounds
    python bench/run.py --reps 3 --tools digest,hugo
    python bench/run.py --quick              # one round, no warm-up: a smoke test of the setup
    python bench/run.py --no-hant            # without the ICLR roundup in three languages

What it measures, per case: whole-process wall time; peak memory twice over, as the
largest process's resident set (``ru_maxrss`` from ``os.wait4``, what ``/usr/bin/time -v``
reports; for Pelican, the larger of its two processes) and as the summed proportional set
size (PSS) of the whole process tree, sampled every 50 ms (a build that forks workers holds
more than its largest process); HTML pages and files in the output; and files written by
the run (files that are new or whose inode, size or mtime changed), listed for the
rebuilds.

Cases, each run once per round, the tools alternating within a round and the order of the
tools rotated from round to round; every tool and content has the same three:

* cold: no output and no cache (digest's ``<site>/.digest-cache`` too);
* no-op: the same command again, nothing changed;
* one-edit: one entry's note changed (``edits.py``: `` (rev N)`` appended, N one more each
  time), then the same command again.

Contents: digest on the ICLR 2021 roundup (``make_iclr2021.py``), the same with zh-Hant
as a third language (``--hant``, on by default) and the shared 2,000-entry content
(``convert_shared.py``); Hugo on the shared generator's ``hugo/`` site; Pelican on its
``pelican/`` sites (one run per language, with its content cache after the cold build).

Set-up it does when needed: writes the two digest sites, installs Hugo from Debian
(``apt-get``) and Pelican from PyPI into its own venv under bench/work/ (never into the
project's environment). The page cache is warm (nothing is dropped between runs); the
warm-up round is not counted.

Raw samples go to bench/work/results.json; a Markdown table goes to standard output.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(REPO))  # this checkout's digest, for sitegen (imported by edits)

from convert_shared import S2_OFFSET  # noqa: E402
from edits import DigestNoteEdit, MarkdownEdit, revisions  # noqa: E402

DEFAULT_WORK = BENCH / "work"
N_ENTRIES = 2000
#: The ICLR roundup's peak summed PSS before issue 12 (BENCHMARKS.md: medians 148 to 157 MiB),
#: the default of --pss-today.
PSS_TODAY_MIB = 150.0
#: Paths of written files kept per sample in the results (all are counted).
KEPT_PATHS = 200
#: Paths of written files printed per one-edit case.
SHOWN_PATHS = 20


def default_generator() -> Path:
    """The shared benchmark generator: ``../shared/bench/gen_content.py`` beside the
    repository, or beside its main checkout when this is a git worktree."""
    beside = REPO.parent / "shared" / "bench" / "gen_content.py"
    if beside.exists():
        return beside
    try:
        common = subprocess.run(["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=REPO,
                                capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return beside
    main = Path(common).parent.parent / "shared" / "bench" / "gen_content.py"
    return main if main.exists() else beside


class Edit(Protocol):
    """A change to a case's input (see edits.py)."""

    label: str

    def apply(self) -> str: ...  # the marker, "(rev N)"

    def restore(self) -> None: ...


@dataclass
class Case:
    """One thing to time: a list of commands run one after the other, and its output folder."""

    content: str
    tool: str
    kind: str  # "cold", "no-op" or "one-edit"
    commands: list[list[str]]
    out: Path
    cwd: Path = REPO
    clear: list[Path] = field(default_factory=list)  # removed before the run (untimed)
    edit: Edit | None = None  # applied before the run (untimed)

    @property
    def name(self) -> str:
        return f"{self.content} / {self.tool} / {self.kind}"


# --------------------------------------------------------------------------- measuring


def snapshot_files(root: Path) -> dict[str, tuple[int, int, int]]:
    """path -> (inode, size, mtime_ns) for every file below root."""
    found: dict[str, tuple[int, int, int]] = {}
    if not root.exists():
        return found
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            st = os.stat(path)
            found[path] = (st.st_ino, st.st_size, st.st_mtime_ns)
    return found


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc; children of every thread)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo.extend(int(child) for child in fh.read().split())
        except OSError:
            continue
    return found


def _pss_kib(pid: int) -> int:
    """Proportional set size of one process (shared pages divided among their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process tree every ``interval`` seconds; keeps the peak.

    ``ru_maxrss`` is per process: a build that forks workers uses more than its largest
    process. PSS counts a page shared by several processes once in all, so the sum is the
    memory the whole tree holds. Sampling can miss a peak shorter than the interval.
    """

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib = 0
        self.processes = 1
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            pids = _tree(self.pid)
            self.processes = max(self.processes, len(pids))
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in pids))
            if self._stop_event.wait(self.interval):
                return

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


class CaseFailed(Exception):
    """A command of a case exited with an error; the message holds the end of its log."""


def run_case(case: Case, log_dir: Path) -> dict:
    """Run a case's commands; return wall time, peak RSS, pages, files and files written."""
    for path in case.clear:
        shutil.rmtree(path, ignore_errors=True)
        # and what a tool keeps beside its output (digest: .<name>.trash-* of a replaced output)
        for sibling in path.parent.glob(f".{path.name}.*"):
            shutil.rmtree(sibling, ignore_errors=True)
    marker = case.edit.apply() if case.edit else None
    # Flush the previous run's writes and deletions (this disk is mounted with discard), so
    # that one run's deferred I/O is not billed to the next.
    os.sync()
    before = snapshot_files(case.out)
    wall = 0.0
    peak_kib = 0
    tree_kib = 0
    processes = 1
    log_dir.mkdir(parents=True, exist_ok=True)
    log = log_dir / (case.name.replace(" / ", "_").replace(" ", "-") + ".log")
    with open(log, "wb") as fh:
        for command in case.commands:
            start = time.perf_counter()
            proc = subprocess.Popen(command, cwd=case.cwd, stdout=fh, stderr=subprocess.STDOUT)
            sampler = TreeMemory(proc.pid)
            sampler.start()
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall += time.perf_counter() - start
            sampler.stop()
            tree_kib = max(tree_kib, sampler.peak_kib)
            processes = max(processes, sampler.processes)
            proc.returncode = os.waitstatus_to_exitcode(status)
            peak_kib = max(peak_kib, usage.ru_maxrss)
            if proc.returncode != 0:
                fh.flush()
                lines = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
                raise CaseFailed(f"exit {proc.returncode}: {lines[-1] if lines else '(no output)'}")
    after = snapshot_files(case.out)
    written = relative([path for path, stat in after.items() if before.get(path) != stat], case.out)
    removed = relative([path for path in before if path not in after], case.out)
    pages = sum(1 for path in after if path.endswith(".html"))
    sample = {"wall_s": round(wall, 4), "peak_rss_mib": round(peak_kib / 1024, 1),
              "tree_pss_mib": round(tree_kib / 1024, 1), "processes": processes,
              "files": len(after), "html_pages": pages, "files_written": len(written),
              "files_removed": len(removed)}
    if marker:
        sample["edit"] = f"{case.edit.label}: {marker}"
        sample.update(note_check(after, case.out, int(marker.split()[1].rstrip(")"))))
    if case.kind != "cold":  # a cold build writes everything
        sample["written"], sample["removed"] = written[:KEPT_PATHS], removed[:KEPT_PATHS]
    return sample


def note_check(after: dict[str, tuple[int, int, int]], root: Path, revision: int) -> dict:
    """Which output files show the edited note at ``revision`` ("showing"), and which still
    show an older revision of it ("stale": a rebuild that missed them)."""
    found = revisions(list(after))
    showing = relative([path for path, numbers in found.items() if revision in numbers], root)
    stale = relative([path for path, numbers in found.items() if numbers - {revision}], root)
    return {"showing_note": showing[:KEPT_PATHS], "files_showing_note": len(showing),
            "stale": stale[:KEPT_PATHS], "files_stale": len(stale)}


def relative(paths: Iterable[str], root: Path) -> list[str]:
    """``paths`` below ``root``, relative to it, sorted."""
    return sorted(Path(path).relative_to(root).as_posix() for path in paths)


# --------------------------------------------------------------------------- set-up


def sh(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    return subprocess.run(command, check=True, **kwargs)


def ensure_generated(work: Path, generator: Path | None) -> Path:
    """The shared generator's output for N_ENTRIES entries (written once, then reused)."""
    gen = work / f"gen{N_ENTRIES}"
    if (gen / "data" / "entries.yaml").exists():
        return gen
    if generator is None or not generator.exists():
        raise SystemExit(f"{gen} has no data/entries.yaml and the shared benchmark generator was not found; "
                         "pass --generator PATH/gen_content.py (see bench/README.md)")
    shutil.rmtree(gen, ignore_errors=True)
    gen.mkdir(parents=True)
    sh([sys.executable, str(generator), "-n", str(N_ENTRIES), "--out", str(gen)], stdout=subprocess.DEVNULL)
    return gen


def ensure_digest_sites(work: Path, gen: Path, names: Iterable[str]) -> dict[str, Path]:
    """The digest sites ``names`` (of iclr2021, iclr2021-hant, shared2000), written on first
    use, then checked with ``digest check``."""
    writers = {
        "iclr2021": [str(BENCH / "make_iclr2021.py")],
        "iclr2021-hant": [str(BENCH / "make_iclr2021.py"), "--hant"],
        "shared2000": [str(BENCH / "convert_shared.py"), "--src", str(gen)],
    }
    sites = {name: work / name for name in names}
    for name, site in sites.items():
        if not (site / "content" / "editions").is_dir():
            sh([sys.executable, *writers[name], "--out", str(site)], stdout=sys.stderr)
        sh([sys.executable, "-m", "digest.cli", "check", "--root", str(site)], cwd=REPO, stdout=subprocess.DEVNULL)
    return sites


def ensure_hugo() -> str | None:
    """Path of the hugo binary, installing Debian's package when missing (root only)."""
    found = shutil.which("hugo")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        try:
            sh(["apt-get", "update", "-qq"])
            sh(["apt-get", "install", "-y", "-qq", "hugo"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        except subprocess.CalledProcessError:
            return None
    return shutil.which("hugo")


def ensure_pelican(work: Path) -> Path | None:
    """Path of pelican in its own venv under work/, created on first use."""
    venv = work / "pelican-venv"
    exe = venv / "bin" / "pelican"
    if exe.exists():
        return exe
    try:
        sh([sys.executable, "-m", "venv", str(venv)])
        sh([str(venv / "bin" / "pip"), "install", "-q", "pelican[markdown]"])
    except subprocess.CalledProcessError:
        return None
    return exe if exe.exists() else None


def source_fingerprint(repo: Path = REPO) -> str:
    """A short hash of digest's code and templates, to tie results to the code measured."""
    import hashlib

    digest = hashlib.sha256()
    for folder in (repo / "digest", repo / "templates"):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(repo).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def filesystem_of(path: Path) -> str:
    """The type of the file system holding ``path`` (from /proc/mounts), such as ext4 or tmpfs."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    path = path.resolve()
    best = ("", "unknown")
    for fields in mounts:
        point = fields[1]
        if (path == Path(point) or Path(point) in path.parents) and len(point) > len(best[0]):
            best = (point, fields[2])
    return best[1]


def version_of(command: list[str]) -> str:
    try:
        text = subprocess.run(command, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return text.splitlines()[0] if text else "unknown"


def machine() -> dict:
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) // 1024} MiB"
    except OSError:
        pass
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "memory": mem, "cpu": cpu, "kernel": platform.release(),
            "python": platform.python_version()}


# --------------------------------------------------------------------------- cases


#: Where digest keeps its build cache (issue 12): removed before every cold build.
DIGEST_CACHE = ".digest-cache"
KINDS = ("cold", "no-op", "one-edit")


def digest_cases(content: str, site: Path, out: Path, edit: Edit) -> list[Case]:
    """Cold (no output, no cache), a no-op rebuild, and a rebuild after ``edit``."""
    command = [[sys.executable, "-m", "digest.cli", "build", "--root", str(site), "--out", str(out)]]
    return [Case(content, "digest", "cold", command, out, clear=[out, site / DIGEST_CACHE]),
            Case(content, "digest", "no-op", command, out),
            Case(content, "digest", "one-edit", command, out, edit=edit)]


def shared_paper(edit: DigestNoteEdit) -> str:
    """The shared generator's id (``p01900``) of the paper a shared2000 edit changes (``s2:200001900``)."""
    return f"p{int(edit.paper.split(':', 1)[1]) - S2_OFFSET:05d}"


def hugo_cases(hugo: str, gen: Path, outs: Path, paper: str) -> list[Case]:
    src = gen / "hugo"
    out = outs / "hugo"
    cache = outs / "hugo-cache"
    command = [[hugo, "--source", str(src), "--destination", str(out), "--cacheDir", str(cache), "--quiet"]]
    edit = MarkdownEdit([src / "content" / "papers" / f"{paper}.{lang}.md" for lang in ("en", "zh")],
                        f"hugo/content/papers/{paper}.{{en,zh}}.md, note")
    return [Case("shared2000", "hugo", "cold", command, out, clear=[out, cache, src / "resources"]),
            Case("shared2000", "hugo", "no-op", command, out),
            Case("shared2000", "hugo", "one-edit", command, out, edit=edit)]


def pelican_cases(pelican: Path, gen: Path, outs: Path, paper: str) -> list[Case]:
    src = gen / "pelican"
    out = outs / "pelican"
    commands = [[str(pelican), f"content-{lang}", "-s", f"conf-{lang}.py", "-o", str(out / lang), "-q"]
                for lang in ("en", "zh")]
    caches = [src / f"cache-{lang}" for lang in ("en", "zh")]
    edit = MarkdownEdit([src / f"content-{lang}" / "papers" / f"{paper}.md" for lang in ("en", "zh")],
                        f"pelican/content-{{en,zh}}/papers/{paper}.md, note")
    return [Case("shared2000", "pelican", "cold", commands, out, cwd=src, clear=[out, *caches]),
            Case("shared2000", "pelican", "no-op", commands, out, cwd=src),
            Case("shared2000", "pelican", "one-edit", commands, out, cwd=src, edit=edit)]


# --------------------------------------------------------------------------- report


def spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.2f}"
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def summarise(results: dict[str, list[dict]]) -> dict[str, dict]:
    summary = {}
    for name, samples in results.items():
        walls = [s["wall_s"] for s in samples]
        rss = [s["peak_rss_mib"] for s in samples]
        pss = [s["tree_pss_mib"] for s in samples]
        last = samples[-1]
        summary[name] = {
            "tree_pss_median_mib": round(statistics.median(pss), 1), "tree_pss_max_mib": max(pss),
            "processes": max(s["processes"] for s in samples),
            "runs": len(samples),
            "wall_median_s": round(statistics.median(walls), 3),
            "wall_min_s": min(walls), "wall_max_s": max(walls),
            "rss_median_mib": round(statistics.median(rss), 1), "rss_max_mib": max(rss),
            "html_pages": last["html_pages"], "files": last["files"],
            "files_written": statistics.median(s["files_written"] for s in samples),
            "files_removed": statistics.median(s.get("files_removed", 0) for s in samples),
        }
    return summary


def table(results: dict[str, list[dict]]) -> str:
    rows = ["| content | tool | build | HTML pages | files | files written | wall s, median (min–max) "
            "| peak RSS MiB, largest process, median (max) | peak PSS MiB, process tree, median (max) |",
            "|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for name, samples in results.items():
        content, tool, kind = name.split(" / ")
        last = samples[-1]
        written = statistics.median(s["files_written"] for s in samples)
        rss = [s["peak_rss_mib"] for s in samples]
        pss = [s["tree_pss_mib"] for s in samples]
        procs = max(s["processes"] for s in samples)
        rows.append(f"| {content} | {tool} | {kind} | {last['html_pages']} | {last['files']} | {written:g} "
                    f"| {spread([s['wall_s'] for s in samples])} | {statistics.median(rss):.0f} ({max(rss):.0f}) "
                    f"| {statistics.median(pss):.0f} ({max(pss):.0f}){f', {procs} processes' if procs > 1 else ''} |")
    return "\n".join(rows)


def met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def verdict(summary: dict[str, dict], pss_today: float = PSS_TODAY_MIB) -> list[str]:
    """The ratios, and where each target of issue 12 stands (medians of the measured rounds)."""
    lines = []

    def med(content: str, tool: str, kind: str) -> float | None:
        found = summary.get(f"{content} / {tool} / {kind}")
        return found["wall_median_s"] if found else None

    for kind in KINDS:
        d = med("shared2000", "digest", kind)
        if d is None:
            continue
        for tool, name in (("hugo", "Hugo"), ("pelican", "Pelican")):
            other = med("shared2000", tool, kind)
            if other is None:
                continue
            line = f"shared2000 {kind}: digest/{tool} = {d / other:.2f} ({d:.2f} s against {name}'s {other:.2f} s)"
            if kind == "cold" and tool == "hugo":
                line += f" (target ≤ 0.8: {met(d / other <= 0.8)})"
            lines.append(line)
    for content in ("iclr2021", "iclr2021-hant"):
        cold = med(content, "digest", "cold")
        if cold is None:
            continue
        noop, edit = med(content, "digest", "no-op"), med(content, "digest", "one-edit")
        if content == "iclr2021-hant":
            lines.append(f"{content} cold: {cold:.2f} s (target < 10 s: {met(cold < 10)})")
        else:
            lines.append(f"{content} cold: {cold:.2f} s (issue 3 target < 10 s: {met(cold < 10)})")
        if noop is not None:
            target = f" (target ≤ 0.3 s or ≤ 5 % of cold: {met(noop <= 0.3 or noop / cold <= 0.05)})"
            lines.append(f"{content} no-op: {noop:.2f} s, no-op/cold = {noop / cold:.3f}"
                         f"{target if content == 'iclr2021' else ''}")
        if edit is not None:
            written = summary[f"{content} / digest / one-edit"]["files_written"]
            target = f" (target ≤ 1 s: {met(edit <= 1)})"
            lines.append(f"{content} one-edit: {edit:.2f} s, one-edit/cold = {edit / cold:.3f}, {written:g} files "
                         f"written{target if content == 'iclr2021' else ''}")
    peaks = {kind: summary[f"iclr2021 / digest / {kind}"] for kind in KINDS if f"iclr2021 / digest / {kind}" in summary}
    if peaks:
        worst = max(p["tree_pss_median_mib"] for p in peaks.values())
        each = ", ".join(f"{kind} {p['tree_pss_median_mib']:.0f} ({p['tree_pss_max_mib']:.0f})"
                         for kind, p in peaks.items())
        lines.append(f"iclr2021 peak tree PSS MiB, median (max): {each} (target ≤ today's {pss_today:g} MiB "
                     f"at the median: {met(worst <= pss_today)})")
    return lines


def rewritten(results: dict[str, list[dict]]) -> list[str]:
    """Per rebuild case, from its last round: what was edited, the files written and removed,
    and for one-edit which files show the edited note, which were written without showing it
    and which still show an older revision of it (stale)."""
    lines = []
    for name, samples in results.items():
        if not samples or name.endswith("/ cold"):
            continue
        last = samples[-1]
        written, removed = last.get("written", []), last.get("removed", [])
        same = all(s.get("written") == written and s.get("removed") == removed for s in samples)
        head = f"- {name}" + (f", after editing {last['edit']}" if last.get("edit") else "")
        if last["files_written"] == last["files"] and not last["files_removed"]:
            lines.append(f"{head}: every file written ({last['files']})")
        else:
            lines.append(f"{head}: {last['files_written']} files written, {last['files_removed']} removed "
                         f"({'the same files every round' if same else 'not the same files every round'})"
                         + (":" if written or removed else ""))
            lines.extend(f"  - {path}" for path in written[:SHOWN_PATHS])
            if last["files_written"] > SHOWN_PATHS:
                lines.append(f"  - … and {last['files_written'] - SHOWN_PATHS} more")
            lines.extend(f"  - removed: {path}" for path in removed[:SHOWN_PATHS])
        if "files_showing_note" not in last:
            continue
        showing = set(last["showing_note"])
        extra = [path for path in written if path not in showing]
        count = last["files_written"] - last["files_showing_note"]  # a file showing the new revision was written
        listed = f": {', '.join(extra[:SHOWN_PATHS])}{' …' if len(extra) > SHOWN_PATHS else ''}" if (
            extra and count == len(extra)) else ""
        lines.append(f"  - the edited note shows in {last['files_showing_note']} files; "
                     f"{count} written without showing it{listed}")
        stale = last["stale"]
        lines.append(f"  - stale (an older revision of the note): {last['files_stale']}"
                     + (f": {', '.join(stale[:SHOWN_PATHS])}" if stale else ""))
    return lines


# --------------------------------------------------------------------------- main


def run_group(group: list[Case], log_dir: Path, failures: dict[str, str],
              results: dict[str, list[dict]] | None, label: str) -> None:
    """One tool on one content: its cases in order (cold, no-op, one-edit); samples go to
    ``results`` unless it is None (a warm-up round)."""
    for case in group:
        if case.name in failures:
            continue
        try:
            sample = run_case(case, log_dir)
        except CaseFailed as exc:
            print(f"FAILED {case.name}: {exc}", file=sys.stderr, flush=True)
            for other in group:  # a failed cold build leaves nothing to rebuild
                failures.setdefault(other.name, str(exc))
            return
        print(f"[{label}] {case.name}: {sample['wall_s']:.2f} s, {sample['peak_rss_mib']:.0f} MiB RSS, "
              f"{sample['tree_pss_mib']:.0f} MiB PSS in {sample['processes']} process(es), "
              f"{sample['files_written']}/{sample['files']} files written, {sample['files_removed']} removed",
              file=sys.stderr, flush=True)
        if results is not None:
            results[case.name].append(sample)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--quick", action="store_true", help="one round, no warm-up")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/work)")
    parser.add_argument("--generator", type=Path, default=None,
                        help="the shared benchmark generator, gen_content.py (default: ../shared/bench/ "
                             "beside the repository or its main checkout); only needed until its output "
                             "exists under --work")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where the builds write (default: bench/work/out); a tmpfs folder such as "
                             "/dev/shm/bench takes the disk out of the measurement")
    parser.add_argument("--results", type=Path, default=None,
                        help="where to write the raw results (default: bench/work/results.json)")
    parser.add_argument("--tools", default="digest,hugo,pelican",
                        help="comma-separated tools to run (default: digest,hugo,pelican)")
    parser.add_argument("--contents", default="iclr2021,shared2000",
                        help="comma-separated digest sites to build: iclr2021, shared2000 (the one Hugo and "
                             "Pelican build too); default both")
    parser.add_argument("--hant", action=argparse.BooleanOptionalAction, default=True,
                        help="also build the ICLR roundup with a third language, zh-Hant (digest only; "
                             "on unless --no-hant)")
    parser.add_argument("--pss-today", type=float, default=PSS_TODAY_MIB, metavar="MIB",
                        help="the ICLR roundup's peak process-tree PSS before issue 12, the memory target "
                             f"(default {PSS_TODAY_MIB:g})")
    args = parser.parse_args(argv)
    if args.quick:
        args.reps, args.warmup = 1, 0
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)

    tools = {t.strip() for t in args.tools.split(",") if t.strip()}
    unknown = tools - {"digest", "hugo", "pelican"}
    if unknown:
        parser.error(f"unknown tool(s) {', '.join(sorted(unknown))}: choose from digest, hugo, pelican")

    outs = (args.out_dir or work / "out").resolve()
    gen = ensure_generated(work, args.generator or default_generator())
    groups: list[list[Case]] = []
    versions: dict[str, str] = {}
    contents = {c.strip() for c in args.contents.split(",") if c.strip()}
    if contents - {"iclr2021", "shared2000"}:
        parser.error(f"unknown content(s) {', '.join(sorted(contents - {'iclr2021', 'shared2000'}))}: "
                     "choose from iclr2021, shared2000")
    wanted = [*(["iclr2021", *(["iclr2021-hant"] if args.hant else [])] if "iclr2021" in contents else []),
              *(["shared2000"] if "shared2000" in contents else [])] if "digest" in tools else []
    # the shared2000 site names the entry whose note every tool's one-edit changes
    sites = ensure_digest_sites(work, gen, sorted({*wanted, "shared2000"}))
    edits = {content: DigestNoteEdit(site) for content, site in sites.items()}
    paper = shared_paper(edits["shared2000"])  # Hugo and Pelican edit the same entry's note
    if "digest" in tools:
        for content in wanted:
            groups.append(digest_cases(content, sites[content], outs / f"digest-{content}", edits[content]))
        versions["digest"] = version_of([sys.executable, "-m", "digest.cli", "--version"])
    if "hugo" in tools:
        hugo = ensure_hugo()
        if hugo:
            groups.append(hugo_cases(hugo, gen, outs, paper))
            versions["hugo"] = version_of([hugo, "version"])
        else:
            print("Hugo is not available; its rows are left out", file=sys.stderr)
    if "pelican" in tools:
        pelican = ensure_pelican(work)
        if pelican:
            groups.append(pelican_cases(pelican, gen, outs, paper))
            versions["pelican"] = "pelican " + version_of([str(pelican), "--version"])
        else:
            print("Pelican could not be installed; its rows are left out", file=sys.stderr)

    fingerprint = source_fingerprint()
    results: dict[str, list[dict]] = {c.name: [] for g in groups for c in g}
    failures: dict[str, str] = {}
    rounds = args.warmup + args.reps
    load_before = os.getloadavg()
    started = time.perf_counter()
    try:
        for index in range(rounds):
            counted = index >= args.warmup
            shift = index % len(groups)
            for group in groups[shift:] + groups[:shift]:  # rotate which tool goes first
                run_group(group, work / "logs", failures, results if counted else None,
                          f"round {index - args.warmup + 1}" if counted else f"warm-up {index + 1}")
    finally:  # leave the inputs as their generators wrote them
        for edit in {id(c.edit): c.edit for g in groups for c in g if c.edit}.values():
            edit.restore()
    total = time.perf_counter() - started
    load = {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]}

    for name in failures:
        results.pop(name, None)
    if source_fingerprint() != fingerprint:
        print("WARNING: digest's code or templates changed during the run; measure again", file=sys.stderr)
        fingerprint += " (changed during the run)"
    summary = summarise(results)
    report = {"machine": machine(), "versions": versions, "digest_source": fingerprint,
              "out_dir": str(outs), "out_fs": filesystem_of(outs),
              "reps": args.reps, "warmup": args.warmup,
              "total_s": round(total, 1), "load_average": load, "summary": summary, "failures": failures, "samples": results}
    results_path = args.results or work / "results.json"
    results_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print()
    for line in verdict(summary, args.pss_today):
        print(f"- {line}")
    print("\nFiles written and removed by the rebuilds (last round):\n")
    for line in rewritten(results):
        print(line)
    for name, reason in failures.items():
        print(f"- FAILED {name}: {reason}")
    print(f"\n{args.reps} measured rounds after {args.warmup} warm-up, {total:.0f} s in all; load average "
          f"(1, 5, 15 min) {', '.join(map(str, load['before']))} before, {', '.join(map(str, load['after']))} after; "
          f"outputs on {filesystem_of(outs)} ({outs}); digest source {fingerprint}; "
          f"raw samples in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
