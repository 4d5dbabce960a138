"""The curator's walkthrough and the publishing workflow (which digest init writes) only use commands and options that exist."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from digest.cli import _parser
from digest.content import yamlload as Y

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
WORKFLOW = "digest/skeleton/dot-github/workflows/publish.yml"


def commands(text: str) -> list[str]:
    """Every digest command line in the fenced blocks of ``text`` (prompt and line breaks removed)."""
    found = []
    for kind, block in re.findall(r"```(sh|console)\n(.*?)```", text, re.S):
        for line in block.split("\n"):
            if kind == "console":  # commands after a prompt; the rest is what they print
                line = line[2:] if line.startswith("$ ") else ""
            if line.startswith("digest "):
                found.append(line)
    return found


def test_the_walkthrough_commands_parse():
    text = (DOCS / "walkthrough.md").read_text(encoding="utf-8")
    found = commands(text)
    assert {line.split()[1] for line in found} >= {"schema", "check", "new", "add", "fetch", "serve", "build", "status"}
    parser = _parser()
    for line in found:
        try:
            parser.parse_args(shlex.split(line)[1:])
        except SystemExit:  # argparse's way of refusing
            pytest.fail(f"docs/walkthrough.md: '{line}' is not a valid digest command")
    assert f"[publish.yml](../{WORKFLOW})" in text


def test_the_publishing_workflow_runs_check_then_a_dated_build(tmp_path: Path):
    path = ROOT / WORKFLOW
    doc = Y.read(path, WORKFLOW)
    assert doc.problems == [] and doc.root is not None  # plain YAML: no anchors, tabs or syntax errors
    runs = [line.strip().removeprefix("run: ") for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip().startswith("run: ")]
    assert runs == ['pip install "digest @ git+https://github.com/${DIGEST_REPOSITORY}@${DIGEST_REF}"',
                    "digest check", 'digest build --as-of "$(date -u +%F)"']
    assert _parser().parse_args(["build", "--as-of", "2026-01-10"]).as_of == "2026-01-10"
