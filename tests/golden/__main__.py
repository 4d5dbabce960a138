"""Regenerate or check the golden copy of the example site.

    python -m tests.golden --update    rebuild tests/golden/site/ and tests/golden/exports/ from content/
                                       (then review the git diff)
    python -m tests.golden             report which files differ from a fresh build (exit 1 if any)

tests/test_build_golden.py compares a fresh build with this copy file by file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from digest.output.staging import start_cleanup
from digest.pipeline import build

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "site"
#: One edition per export channel, kept as tests/golden/exports/<edition>.<lang><suffix>.
EXPORTS_GOLDEN = Path(__file__).resolve().parent / "exports"
GOLDEN_EXPORTS = ("iclr2020-best-papers.zh.md", "iclr2020-best-papers.zh.zhihu.md",
                  "iclr2020-best-papers.zh.wechat.html", "iclr2020-best-papers.en.email.html")


def export_files() -> dict[str, bytes]:
    """The golden editions of every export channel, freshly rendered: {file name: bytes}."""
    from digest.exports.channels import EXPORTS
    from digest.pipeline import export_context

    files = {}
    for name in GOLDEN_EXPORTS:
        slug, lang, *_ = name.split(".")
        context = export_context(REPO, slug, lang, {"esp": "generic"})
        for channel in EXPORTS.values():
            result = channel.render(context)
            if f"{slug}.{lang}{result.suffix}" == name:
                files[name] = result.data
    return files


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` as {relative POSIX path: bytes}."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def differences(fresh: dict[str, bytes], golden: dict[str, bytes]) -> list[str]:
    """Paths missing, extra or changed, each prefixed with -, + or ~."""
    out = [f"- {p}" for p in sorted(golden.keys() - fresh.keys())]
    out += [f"+ {p}" for p in sorted(fresh.keys() - golden.keys())]
    out += [f"~ {p}" for p in sorted(fresh.keys() & golden.keys()) if fresh[p] != golden[p]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite tests/golden/site from a fresh build")
    args = parser.parse_args(argv)
    if args.update:
        report = build(REPO, GOLDEN)
        start_cleanup(GOLDEN).wait()  # no copy of the previous golden tree left beside it
        print(report.summary().replace(str(REPO) + "/", ""))
        EXPORTS_GOLDEN.mkdir(exist_ok=True)
        for name, data in export_files().items():
            (EXPORTS_GOLDEN / name).write_bytes(data)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build(REPO, out)
        diff = differences(files_of(out), files_of(GOLDEN))
    diff += [f"~ exports/{name}" for name, data in export_files().items()
             if not (EXPORTS_GOLDEN / name).is_file() or (EXPORTS_GOLDEN / name).read_bytes() != data]
    for line in diff:
        print(line)
    print(f"{len(diff)} file(s) differ" if diff else "golden copy is up to date")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
