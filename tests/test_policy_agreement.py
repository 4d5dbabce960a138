"""One rule for digest check and digest build: what a policy makes an error stops both.

Each case sets one policy to ``error`` and writes one text it reports; check and build must
both exit 1 with the same error lines, and the build must leave the site it built before as
it was. At ``warning`` both go on. A draft's problems stop neither.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from digest.cli import main
from tests.conftest import tree

BASE = Path(__file__).parent / "cases" / "base"
GOOD = """date: 2018-02-10
conference: ICLR 2018
title: {en: One, zh: 一}
entries:
  - paper: openreview:ryQu7f-RZ
    category: optimization
    note: {en: A good note., zh: 好的点评。}
  - paper: openreview:SkhQHMW0W
    category: model-compression
  - paper: arxiv:1710.10571
    category: other
"""

#: (policy, the note it reports in entries[0].note.en or .zh, the field)
CASES = [
    ("dangerous_link", "en: 'See [this](javascript:alert(1)).'", "entries[0].note.en"),
    ("relative_link", "en: 'See [the PDF](paper.pdf).'", "entries[0].note.en"),
    ("control_characters", 'en: "A bell\\a."', "entries[0].note.en"),
    ("copyediting", "zh: 用了GPU的点评。", "entries[0].note.zh"),
    ("wrong_language", "zh: This note is written in English although it sits under zh.", "entries[0].note.zh"),
    ("traditional_characters", "zh: 這篇論文很好。", "entries[0].note.zh"),
    ("placeholder", "en: <<your note in English>>", "entries[0].note.en"),
]


def run(*argv: str) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue().splitlines()


def make_site(tmp_path: Path, policy: str, level: str) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(GOOD, encoding="utf-8")
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") +
                      f"policies:\n  missing_metadata: ignore\n  {policy}: {level}\n", encoding="utf-8")
    return root


def write_note(root: Path, note: str) -> None:
    path = root / "content" / "editions" / "w1.yaml"
    lang = note.split(":")[0]
    other = "zh: 好的点评。" if lang == "en" else "en: A good note."
    path.write_text(GOOD.replace("note: {en: A good note., zh: 好的点评。}", f"note:\n      {note}\n      {other}"),
                    encoding="utf-8")


@pytest.mark.parametrize("policy, note, field", CASES, ids=[c[0] for c in CASES])
def test_what_a_policy_makes_an_error_stops_check_and_build(tmp_path: Path, policy: str, note: str, field: str) -> None:
    root = make_site(tmp_path, policy, "error")
    assert run("check", "--root", str(root))[0] == 0
    assert run("build", "--root", str(root))[0] == 0
    before = tree(root / "output")
    write_note(root, note)
    check_code, check_lines = run("check", "--root", str(root))
    build_code, build_lines = run("build", "--root", str(root))
    errors = [line for line in check_lines if ": error: " in line]
    assert check_code == build_code == 1
    assert errors and all(f": error: {field}: " in line for line in errors)
    assert [line for line in build_lines if ": error: " in line] == errors
    assert tree(root / "output") == before


@pytest.mark.parametrize("policy, note, field", CASES, ids=[c[0] for c in CASES])
def test_at_warning_both_go_on(tmp_path: Path, policy: str, note: str, field: str) -> None:
    root = make_site(tmp_path, policy, "warning")
    write_note(root, note)
    check_code, check_lines = run("check", "--root", str(root))
    assert check_code == 0 and any(f": warning: {field}: " in line for line in check_lines)
    assert run("build", "--root", str(root))[0] == 0


def test_an_empty_category_as_an_error_stops_both(tmp_path: Path) -> None:
    root = make_site(tmp_path, "empty_category", "error")
    path = root / "content" / "editions" / "w1.yaml"
    path.write_text(GOOD.replace("category: other", "category: optimization"), encoding="utf-8")
    lines = {command: run(command, "--root", str(root)) for command in ("check", "build")}
    expected = ("content/categories.yaml:6:10: error: categories[2].key: category 'other' has no entries in any "
                "edition (its page and feed would be empty: file entries under it, or remove it)")
    for command, (code, found) in lines.items():
        assert code == 1 and expected in found, command


def test_a_draft_never_stops_check_or_build(tmp_path: Path) -> None:
    root = make_site(tmp_path, "dangerous_link", "error")
    (root / "content" / "editions" / "w2.yaml").write_text(
        "date: 2018-02-17\nconference: ICLR 2018\ndraft: true\ntitle: {en: \"<<the English title>>\", zh: 二}\n"
        "entries:\n  - paper: openreview:SkhQHMW0W\n    category: \"<<category>>\"\n"
        "    note: {en: \"See [this](javascript:alert(1)).\", zh: \"<<中文点评>>\"}\n", encoding="utf-8")
    for argv in (["check"], ["build"], ["build", "--drafts"]):
        code, lines = run(*argv, "--root", str(root))
        assert code == 0, (argv, lines)
        assert not any(": error: " in line for line in lines), argv
    code, lines = run("check", "--root", str(root))
    assert ("content/editions/w2.yaml:8:28: warning: entries[0].note.en: dangerous javascript: link "
            "'javascript:alert(1)' (link to an https:// address; the page builder removes links like this one; "
            "the edition is a draft: this stops nothing until it is published)") in lines
