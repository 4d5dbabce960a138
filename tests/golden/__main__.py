"""Regenerate or check the golden copy of the example site.

    python -m tests.golden --update    rebuild tests/golden/site/ from content/, and the golden
                                       exports in tests/golden/exports/ (then review the git diff)
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
        sys.path.insert(0, str(REPO / "tests"))  # test_export finds its helpers there
        from test_export import GOLDEN as EXPORTS_GOLDEN
        from test_export import GOLDEN_EXPORTS, exported

        from digest.exports.registry import EXPORTS

        EXPORTS_GOLDEN.mkdir(exist_ok=True)
        for channel, slug, lang in GOLDEN_EXPORTS:
            path = EXPORTS_GOLDEN / f"{slug}.{lang}{EXPORTS[channel].suffix}"
            path.write_text(exported(slug, lang, channel=channel)[0], encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        build(REPO, out)
        diff = differences(files_of(out), files_of(GOLDEN))
    for line in diff:
        print(line)
    print(f"{len(diff)} file(s) differ" if diff else "golden copy is up to date")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
