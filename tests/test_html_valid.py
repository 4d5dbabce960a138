"""Every page is valid HTML by the Nu HTML Checker (vnu.jar, the W3C validator's engine).

One JVM run checks every .html file of the example site and of the hostile corpus (see
tests/test_hostile.py), the stylesheet (--also-check-css) and the icon (--also-check-svg).
vnu.jar comes from the npm package vnu-jar pinned in tests/package.json; Java from Debian.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import VNU_JAR, require_file, require_program

pytestmark = pytest.mark.gate

#: Generous: one JVM start plus a few hundred pages takes a few seconds.
TIMEOUT = 300


def run_vnu(files: list[Path]) -> list[dict]:
    """vnu's error messages for ``files`` (one JVM run)."""
    java = require_program("java", "java")
    jar = require_file(VNU_JAR, "vnu-jar")
    done = subprocess.run(
        [java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json", "--also-check-css",
         "--also-check-svg", *map(str, files)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False)
    try:
        report = json.loads(done.stderr or done.stdout)
    except json.JSONDecodeError:
        raise AssertionError(f"vnu.jar did not answer in JSON (exit {done.returncode}): "
                             f"{(done.stderr or done.stdout)[:2000]}") from None
    return report["messages"]


def _checked_files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders for p in folder.rglob("*") if p.suffix in (".html", ".css", ".svg"))


def test_every_page_stylesheet_and_icon_is_valid(example_out: Path, hostile_out: Path) -> None:
    files = _checked_files(example_out, hostile_out)
    assert sum(p.suffix == ".html" for p in files) > 150
    messages = run_vnu(files)
    lines = [f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m.get('type')}: {m.get('message')}"
             for m in messages]
    assert lines == [], "\n".join(lines[:60])


def test_the_checker_reports_invalid_html(tmp_path: Path) -> None:
    """The gate can fail: a page with a classic mistake is reported."""
    page = tmp_path / "bad.html"
    page.write_text('<!doctype html><html lang="en"><head><title>x</title></head>'
                    '<body><a rel="noopener">no href</a><p><div>block in p</div></body></html>')
    messages = run_vnu([page])
    assert any("href" in m["message"] for m in messages), messages
