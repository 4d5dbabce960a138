"""The README documents every command, option and configuration field, and CI runs its test command."""

from __future__ import annotations

import argparse
import ast
import os
import re
from pathlib import Path

import pytest
from conftest import INSTALL_HINTS

from digest.cli import _parser
from scripts.update_reference import updated

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def _first_section_commands() -> list[str]:
    """The commands in the README's first section, comments and blank lines left out."""
    first = README.split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first, re.S)
    return [line for block in blocks for line in block.strip().split("\n") if line and not line.startswith("#")]


def test_first_section_is_two_commands():
    commands = _first_section_commands()
    assert len(commands) == 2, commands
    assert "digest build" in commands[0]


def test_the_test_command_installs_its_tools_and_runs_pytest():
    program = ROOT / _first_section_commands()[1].split()[0]
    assert program.is_file() and os.access(program, os.X_OK), f"{program} is not an executable file"
    script = program.read_text(encoding="utf-8")
    assert re.search(r'^python -m pytest "\$@" \|\| status=\$\?$', script, re.M), "it must run the whole suite"
    assert "npm ci --prefix tests --ignore-scripts" in script
    assert "pip install -q -e '.[test,search]'" in script  # the search gate needs Pagefind


def _debian_packages(text: str) -> set[str]:
    """Debian package names in ``apt-get install`` commands and ``missing+=(...)`` lists."""
    commands = re.findall(r"apt-get install ((?:-\S+ )*[\w. -]+)", text) + re.findall(r"missing\+=\((\S+)\)", text)
    return {word for command in commands for word in command.split() if not word.startswith("-")}


def test_the_test_command_installs_every_package_the_gates_ask_for():
    script = (ROOT / _first_section_commands()[1].split()[0]).read_text(encoding="utf-8")
    hints = set().union(*(_debian_packages(hint) for hint in INSTALL_HINTS.values()))
    documented = _debian_packages(README.split("\n### Quality gates", 1)[1].split("\n## ", 1)[0])
    assert hints <= _debian_packages(script)
    assert _debian_packages(script) == documented


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"\n{_first_section_commands()[1]}\n" in ci


def _is_gate(node: ast.AST) -> bool:
    """Whether ``node`` holds ``pytest.mark.gate``."""
    return any(isinstance(n, ast.Attribute) and n.attr == "gate" and isinstance(n.value, ast.Attribute)
               and n.value.attr == "mark" for n in ast.walk(node))


def _gate_marks() -> tuple[set[str], set[str]]:
    """Test files marked ``gate`` as a whole (``pytestmark``), and those with some tests marked."""
    whole, some = set(), set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        name = path.relative_to(ROOT).as_posix()
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and "pytestmark" in {getattr(t, "id", None) for t in node.targets}:
                if _is_gate(node.value):
                    whole.add(name)
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and any(map(_is_gate, node.decorator_list)):
                some.add(name)
    return whole, some - whole


def test_the_gate_marker_is_registered_and_the_readme_lists_where_it_is_used(pytestconfig: pytest.Config):
    assert any(line.startswith("gate: ") for line in pytestconfig.getini("markers"))
    assert "--strict-markers" in pytestconfig.getini("addopts")
    tests = README.split("\n## Tests\n", 1)[1].split("\n## ", 1)[0]
    whole = tests.split("Whole files:", 1)[1].split("Some tests of:", 1)
    listed = [set(re.findall(r"`(tests/test_\w+\.py)`", text.split("\n(", 1)[0])) for text in whole]
    marked = _gate_marks()
    assert {"tests/test_browser.py", "tests/test_html_valid.py"} <= marked[0]
    assert listed[0] == marked[0], "README's list of files marked gate as a whole"
    assert listed[1] == marked[1], "README's list of files with some tests marked gate"


#: Options every command takes, documented once at the top of the Commands section.
COMMON = {"--root"}


def test_every_command_and_option_is_documented():
    commands = README.split("\n## Commands", 1)[1].split("\n### ", 1)[0]
    for option in COMMON:
        assert f"`{option}" in commands
    for name, sub in _subcommands().items():
        assert f"### `digest {name}" in README, f"command {name} has no section"
        section = README.split(f"### `digest {name}", 1)[1].split("\n### ", 1)[0]
        for action in sub._actions:
            for option in action.option_strings:
                if option in ("-h", "--help") or option in COMMON:
                    continue
                assert f"`{option}" in section, f"digest {name} {option} is not documented"


def test_reference_is_generated_from_the_model():
    assert updated(README) == README, "run python scripts/update_reference.py"
