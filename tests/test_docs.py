"""The README documents every command, option and configuration field, and CI runs its test command."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

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


def test_first_section_is_two_commands():
    first = README.split("\n## ", 1)[0]
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first, re.S)
    commands = [line for block in blocks for line in block.strip().split("\n") if line and not line.startswith("#")]
    assert len(commands) == 2, commands
    assert "digest build" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    first = README.split("\n## ", 1)[0]
    test_command = [line for line in re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first, re.S)[-1].split("\n") if "pytest" in line][0]
    ci = (ROOT / ".ci" / "run").read_text()
    assert f"\n{test_command}\n" in ci


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
