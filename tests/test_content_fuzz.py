"""Arbitrary bytes or text in a curated file give located problems, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.content.project import load_project
from digest.core.errors import ContentError

BASE = Path(__file__).parent / "cases" / "base"

PIECES = list("abc:-[]{}&*!|>'\"#\t\n 0123456789.,?%@`~\\\ufeff\x85") + [
    "entries:\n  - ", "paper: ", "date: ", "category: ", "note:\n    zh: ", "中文", "title: {en: ", "1710.10571",
]
YAMLISH = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def _load_with(tmp: Path, data: bytes) -> None:
    root = tmp / "site"
    if not root.exists():
        shutil.copytree(BASE, root)
        (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "fuzz.yaml").write_bytes(data)
    try:
        load_project(root)
    except ContentError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert str(problem).startswith("content/editions/fuzz.yaml")


@pytest.mark.gate
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAMLISH)
def test_yaml_like_text(tmp_path: Path, text: str):
    _load_with(tmp_path, text.encode("utf-8"))


@pytest.mark.gate
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=200))
def test_arbitrary_bytes(tmp_path: Path, data: bytes):
    _load_with(tmp_path, data)
