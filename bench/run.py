#!/usr/bin/env python3
"""Build benchmarks: digest against Hugo and Pelican, measured in the same run.

    python bench/run.py                      # 1 warm-up round + 5 measured rounds
    python bench/run.py --reps 3 --tools digest,hugo
    python bench/run.py --quick              # one round, no warm-up: a smoke test of the setup

What it measures, per case: whole-process wall time; peak memory twice over, as the
largest process's resident set (``ru_maxrss`` from ``os.wait4``, what ``/usr/bin/time -v``
reports; for Pelican, the larger of its two processes) and as the summed proportional set
size (PSS) of the whole process tree, sampled every 50 ms (a build that forks workers holds
more than its largest process); HTML pages and files in the output; and files written by
the run (files that are new or whose inode, size or mtime changed).

Cases, each run once per round, the tools alternating within a round and the order of the
tools rotated from round to round:

* digest on the ICLR 2021 roundup (``make_iclr2021.py``) and on the shared 2,000-entry
  content (``convert_shared.py``): a cold build into an empty folder, then a no-op rebuild;
* Hugo on the shared generator's ``hugo/`` site: cold (empty destination), then a rebuild;
* Pelican on the generator's ``pelican/`` sites (one run per language): cold (no output, no
  cache), then a rebuild with its content cache.

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
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_WORK = BENCH / "work"
#: Where the shared benchmark generator usually sits, relative to the repository.
DEFAULT_GENERATOR = REPO.parent / "shared" / "bench" / "gen_content.py"
N_ENTRIES = 2000


@dataclass
class Case:
    """One thing to time: a list of commands run one after the other, and its output folder."""

    content: str
    tool: str
    kind: str  # "cold" or "no-op"
    commands: list[list[str]]
    out: Path
    cwd: Path = REPO
    clear: list[Path] = field(default_factory=list)  # removed before the run (untimed)

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
    written = sum(1 for path, stat in after.items() if before.get(path) != stat)
    pages = sum(1 for path in after if path.endswith(".html"))
    return {"wall_s": round(wall, 4), "peak_rss_mib": round(peak_kib / 1024, 1),
            "tree_pss_mib": round(tree_kib / 1024, 1), "processes": processes,
            "files": len(after), "html_pages": pages, "files_written": written}


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


def ensure_digest_sites(work: Path, gen: Path, hant: bool = False) -> dict[str, Path]:
    """The digest sites, written on first use, then checked with ``digest check``."""
    sites = {"iclr2021": work / "iclr2021", "shared2000": work / "shared2000"}
    if hant:
        sites["iclr2021-hant"] = work / "iclr2021-hant"
    if not (sites["iclr2021"] / "content" / "editions").is_dir():
        sh([sys.executable, str(BENCH / "make_iclr2021.py"), "--out", str(sites["iclr2021"])])
    if hant and not (sites["iclr2021-hant"] / "content" / "editions").is_dir():
        sh([sys.executable, str(BENCH / "make_iclr2021.py"), "--hant", "--out", str(sites["iclr2021-hant"])])
    if not (sites["shared2000"] / "content" / "editions").is_dir():
        sh([sys.executable, str(BENCH / "convert_shared.py"), "--src", str(gen), "--out", str(sites["shared2000"])])
    for site in sites.values():
        sh([sys.executable, "-m", "digest.cli", "check", "--root", str(site)], stdout=subprocess.DEVNULL)
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


def digest_cases(content: str, site: Path, out: Path) -> list[Case]:
    command = [[sys.executable, "-m", "digest.cli", "build", "--root", str(site), "--out", str(out)]]
    # "no-op" is the first rebuild after a cold build; "no-op again" the next one (it would
    # also delete an output the first rebuild replaced, but a rebuild that changes nothing
    # leaves the output in place).
    return [Case(content, "digest", "cold", command, out, clear=[out]),
            Case(content, "digest", "no-op", command, out),
            Case(content, "digest", "no-op again", command, out)]


def hugo_cases(hugo: str, gen: Path, outs: Path) -> list[Case]:
    src = gen / "hugo"
    out = outs / "hugo"
    cache = outs / "hugo-cache"
    command = [[hugo, "--source", str(src), "--destination", str(out), "--cacheDir", str(cache), "--quiet"]]
    return [Case("shared2000", "hugo", "cold", command, out, clear=[out, cache, src / "resources"]),
            Case("shared2000", "hugo", "no-op", command, out)]


def pelican_cases(pelican: Path, gen: Path, outs: Path) -> list[Case]:
    src = gen / "pelican"
    out = outs / "pelican"
    commands = [[str(pelican), f"content-{lang}", "-s", f"conf-{lang}.py", "-o", str(out / lang), "-q"]
                for lang in ("en", "zh")]
    caches = [src / f"cache-{lang}" for lang in ("en", "zh")]
    return [Case("shared2000", "pelican", "cold", commands, out, cwd=src, clear=[out, *caches]),
            Case("shared2000", "pelican", "no-op", commands, out, cwd=src)]


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


def verdict(summary: dict[str, dict]) -> list[str]:
    lines = []

    def med(name: str) -> float | None:
        return summary[name]["wall_median_s"] if name in summary else None

    for kind in ("cold", "no-op", "no-op again"):
        theirs = "cold" if kind == "cold" else "no-op"  # Hugo and Pelican rebuild the same way each time
        d, h = med(f"shared2000 / digest / {kind}"), med(f"shared2000 / hugo / {theirs}")
        p = med(f"shared2000 / pelican / {theirs}")
        if d is not None and h is not None:
            lines.append(f"shared2000 {kind}: digest/hugo = {d / h:.2f} "
                         f"({'faster' if d < h else 'slower'} than Hugo)")
        if d is not None and p is not None:
            lines.append(f"shared2000 {kind}: digest/pelican = {d / p:.2f}")
    for content in ("iclr2021", "iclr2021-hant"):
        cold = summary.get(f"{content} / digest / cold")
        if not cold:
            continue
        worst = max(cold["rss_max_mib"], cold["tree_pss_max_mib"])
        lines.append(f"{content} cold: {cold['wall_median_s']:.2f} s (target < 10 s: "
                     f"{'met' if cold['wall_median_s'] < 10 else 'NOT met'}), peak memory {worst:.0f} MiB, the larger "
                     f"of largest-process RSS and process-tree PSS (target < 200 MB = 190.7 MiB: "
                     f"{'met' if worst < 190.7 else 'NOT met'})")
    return lines


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=5, help="measured rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="uncounted rounds first (default 1)")
    parser.add_argument("--quick", action="store_true", help="one round, no warm-up")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (default bench/work)")
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR,
                        help="the shared benchmark generator, gen_content.py (default: ../shared/bench/ "
                             "beside the repository); only needed until its output exists under --work")
    parser.add_argument("--out-dir", type=Path, default=None,
                        help="where the builds write (default: bench/work/out); a tmpfs folder such as "
                             "/dev/shm/bench takes the disk out of the measurement")
    parser.add_argument("--results", type=Path, default=None,
                        help="where to write the raw results (default: bench/work/results.json)")
    parser.add_argument("--tools", default="digest,hugo,pelican",
                        help="comma-separated tools to run (default: digest,hugo,pelican)")
    parser.add_argument("--hant", action="store_true",
                        help="also build the ICLR roundup with a third language, zh-Hant (digest only)")
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
    gen = ensure_generated(work, args.generator)
    groups: list[list[Case]] = []
    versions: dict[str, str] = {}
    if "digest" in tools:
        sites = ensure_digest_sites(work, gen, args.hant)
        groups.append(digest_cases("iclr2021", sites["iclr2021"], outs / "digest-iclr2021"))
        if args.hant:
            groups.append(digest_cases("iclr2021-hant", sites["iclr2021-hant"], outs / "digest-iclr2021-hant"))
        groups.append(digest_cases("shared2000", sites["shared2000"], outs / "digest-shared2000"))
        versions["digest"] = version_of([sys.executable, "-m", "digest.cli", "--version"])
    if "hugo" in tools:
        hugo = ensure_hugo()
        if hugo:
            groups.append(hugo_cases(hugo, gen, outs))
            versions["hugo"] = version_of([hugo, "version"])
        else:
            print("Hugo is not available; its rows are left out", file=sys.stderr)
    if "pelican" in tools:
        pelican = ensure_pelican(work)
        if pelican:
            groups.append(pelican_cases(pelican, gen, outs))
            versions["pelican"] = "pelican " + version_of([str(pelican), "--version"])
        else:
            print("Pelican could not be installed; its rows are left out", file=sys.stderr)

    fingerprint = source_fingerprint()
    results: dict[str, list[dict]] = {c.name: [] for g in groups for c in g}
    failures: dict[str, str] = {}
    rounds = args.warmup + args.reps
    started = time.perf_counter()
    for index in range(rounds):
        counted = index >= args.warmup
        shift = index % len(groups)
        for group in groups[shift:] + groups[:shift]:  # rotate which tool goes first
            for case in group:  # a cold build, then the no-op rebuild on its output
                if case.name in failures:
                    continue
                try:
                    sample = run_case(case, work / "logs")
                except CaseFailed as exc:
                    print(f"FAILED {case.name}: {exc}", file=sys.stderr, flush=True)
                    for other in group:  # a failed cold build leaves nothing to rebuild
                        failures.setdefault(other.name, str(exc))
                    break
                label = "round" if counted else "warm-up"
                print(f"[{label} {index - args.warmup + 1 if counted else index + 1}] {case.name}: "
                      f"{sample['wall_s']:.2f} s, {sample['peak_rss_mib']:.0f} MiB RSS, "
                      f"{sample['tree_pss_mib']:.0f} MiB PSS in {sample['processes']} process(es), "
                      f"{sample['files_written']}/{sample['files']} files written", file=sys.stderr, flush=True)
                if counted:
                    results[case.name].append(sample)
    total = time.perf_counter() - started

    for name in failures:
        results.pop(name, None)
    if source_fingerprint() != fingerprint:
        print("WARNING: digest's code or templates changed during the run; measure again", file=sys.stderr)
        fingerprint += " (changed during the run)"
    summary = summarise(results)
    report = {"machine": machine(), "versions": versions, "digest_source": fingerprint,
              "out_dir": str(outs), "out_fs": filesystem_of(outs),
              "reps": args.reps, "warmup": args.warmup,
              "total_s": round(total, 1), "summary": summary, "failures": failures, "samples": results}
    results_path = args.results or work / "results.json"
    results_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table(results))
    print()
    for line in verdict(summary):
        print(f"- {line}")
    for name, reason in failures.items():
        print(f"- FAILED {name}: {reason}")
    print(f"\n{args.reps} measured rounds after {args.warmup} warm-up, {total:.0f} s in all; "
          f"outputs on {filesystem_of(outs)} ({outs}); digest source {fingerprint}; "
          f"raw samples in {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
