"""Snapshot records are read against the model, by digest check and digest build alike.

A record is committed JSON that a hand edit, a bad merge or a planted file can change. Each
case below damages one field of a real record; both commands must name the file and the
field, say what is wrong and what to do, exit 1 with no traceback, and leave the site that
was built before untouched. A record that is whole but has no title, and fetched text with
bidi controls, are warnings.
"""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from digest.cli import main
from tests.conftest import tree

HERE = Path(__file__).parent
BASE = HERE / "cases" / "base"
RECORD = "content/snapshot/openreview/ryQu7f-RZ.json"
HINT = "(restore it with git checkout, or delete it and run digest fetch)"
EDITION = """date: 2018-02-10
conference: ICLR 2018
title: {en: One, zh: 一}
entries:
  - paper: openreview:ryQu7f-RZ
    category: optimization
    note: {en: A note., zh: 点评。}
"""


def run(*argv: str) -> tuple[int, list[str]]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, err.getvalue().splitlines()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(EDITION, encoding="utf-8")
    return root


def damage(root: Path, field: str, raw: str) -> None:
    """Write ``raw`` (JSON text, as a hand edit would) as the value of ``field`` of the record."""
    record = json.loads((root / RECORD).read_text(encoding="utf-8"))
    record[field] = "@@"
    text = json.dumps(record, indent=2).replace('"@@"', raw)
    (root / RECORD).write_text(text, encoding="utf-8")


#: (field, value as written, the messages both commands give)
CASES = [
    ("title", "42", ["title: expected text, found the number 42"]),
    ("ratings", '["8", "x"]', ["ratings[0]: expected a whole number, found the text '8'",
                               "ratings[1]: expected a whole number, found the text 'x'"]),
    ("ratings", "[1e308]", ["ratings[0]: 1e308 is outside the rating scale (1 to 10)"]),
    ("ratings", "[NaN, Infinity]", ["ratings[0]: NaN is not a number", "ratings[1]: Infinity is not a finite number"]),
    ("ratings", "[8, 99]", ["ratings[1]: 99 is outside the rating scale (1 to 10)"]),
    ("confidences", "[4.5]", ["confidences[0]: expected a whole number, found the number 4.5"]),
    ("authors", '"Sashank J. Reddi"', ["authors: expected a list, found the text 'Sashank J. Reddi'"]),
    ("authors", '["A", 7]', ["authors[1]: expected text, found the number 7"]),
    ("year", '"2018"', ["year: expected a whole number, found the text '2018'"]),
    ("year", "true", ["year: expected a whole number, found the boolean true"]),
    ("citation_count", "-Infinity", ["citation_count: -Infinity is not a finite number"]),
    ("decision", '"accepted!"', ["decision: 'accepted!' is not one of oral, spotlight, poster, workshop, reject, "
                                 "withdrawn, desk-reject, pending"]),
    ("arxiv_id", '"not an id"', ["arxiv_id: 'not an id' is not a valid arxiv id"]),
    ("field_sources", '["s2"]', ["field_sources: expected a mapping of field names to sources, found a list"]),
    ("ref", '"openreview:SkhQHMW0W"', ["ref: 'openreview:SkhQHMW0W' is not the paper this file is named for "
                                       "(openreview:ryQu7f-RZ)"]),
]


@pytest.mark.parametrize("field, raw, messages", CASES, ids=[f"{c[0]}={c[1]}" for c in CASES])
def test_a_damaged_record_stops_check_and_build_with_its_file_and_field(site: Path, field: str, raw: str,
                                                                        messages: list[str]) -> None:
    assert run("build", "--root", str(site))[0] == 0
    before = tree(site / "output")
    damage(site, field, raw)
    expected = [f"{RECORD}: error: {message} {HINT}" for message in messages]
    for command in ("check", "build"):
        code, lines = run(command, "--root", str(site))
        assert code == 1, (command, lines)
        assert [line for line in lines if RECORD in line] == expected, command
        assert lines[-1].startswith(f"digest {command}: {len(messages)} error"), command
        assert not any("Traceback" in line or "has no record" in line for line in lines), command
    assert tree(site / "output") == before  # nothing half-built, nothing lost


def test_a_record_that_is_not_json_is_located(site: Path) -> None:
    (site / RECORD).write_text('{\n  "ref": "openreview:ryQu7f-RZ",\n  "title": \n}\n', encoding="utf-8")
    code, lines = run("check", "--root", str(site))
    assert code == 1
    assert f"{RECORD}:4:1: error: the record is not valid JSON: Expecting value {HINT}" in lines


def test_a_record_nested_too_deeply_is_a_message_not_a_traceback(site: Path) -> None:
    (site / RECORD).write_bytes(b"[" * 100_000 + b"]" * 100_000)
    for command in ("check", "build"):
        code, lines = run(command, "--root", str(site))
        assert code == 1, command
        assert f"{RECORD}: error: the record cannot be read: its lists or objects are nested too deeply {HINT}" in lines
        assert not any("Traceback" in line for line in lines)


def test_a_record_in_utf16_is_named_as_such(site: Path) -> None:
    data = (site / RECORD).read_text(encoding="utf-8")
    (site / RECORD).write_bytes(data.encode("utf-16"))
    code, lines = run("check", "--root", str(site))
    assert code == 1
    assert (f"{RECORD}:1:1: error: the record is UTF-16 (little-endian, with a byte order mark), not UTF-8 "
            "(save it as UTF-8, or delete it and run digest fetch)") in lines


def test_every_damaged_record_is_reported_at_once(site: Path) -> None:
    (site / "content" / "editions" / "w1.yaml").write_text(
        EDITION + "  - paper: openreview:SkhQHMW0W\n    category: optimization\n", encoding="utf-8")
    damage(site, "title", "42")
    other = "content/snapshot/openreview/SkhQHMW0W.json"
    record = json.loads((site / other).read_text(encoding="utf-8"))
    del record["source"]
    (site / other).write_text(json.dumps(record), encoding="utf-8")
    code, lines = run("build", "--root", str(site))
    assert code == 1
    assert [line for line in lines if "snapshot" in line] == [
        f"{other}: error: source: missing required field 'source' {HINT}",
        f"{RECORD}: error: title: expected text, found the number 42 {HINT}",
    ]


def test_a_record_without_a_title_is_a_warning_unless_the_curator_wrote_one(site: Path) -> None:
    damage(site, "title", "null")
    code, lines = run("check", "--root", str(site))
    assert code == 0
    assert ("content/editions/w1.yaml:5:12: warning: entries[0].paper: the record of openreview:ryQu7f-RZ has no "
            "title (its pages show the reference instead: write the title under title.en, or run digest fetch "
            "--refresh)") in lines
    edition = site / "content" / "editions" / "w1.yaml"
    edition.write_text(EDITION + "    title: {en: On the Convergence of Adam and Beyond}\n", encoding="utf-8")
    code, lines = run("check", "--root", str(site))
    assert code == 0 and not any("has no title" in line for line in lines)


def test_bidi_controls_in_fetched_text_are_reported_and_never_shown(site: Path) -> None:
    damage(site, "authors", '["Sashank J. Reddi", "Eve \\u202egnp.exe"]')
    code, lines = run("check", "--root", str(site))
    assert code == 0
    assert (f"{RECORD}: warning: authors[1]: fetched text holds U+202E (RIGHT-TO-LEFT OVERRIDE), which pages and "
            "feeds drop (nothing to do: pages and feeds show the text without them; run digest fetch --refresh "
            "when the service has corrected it)") in lines
    assert run("build", "--root", str(site))[0] == 0
    shown = [data.decode("utf-8") for path, data in tree(site / "output").items() if path.endswith((".html", ".xml"))]
    assert any("Eve gnp.exe" in text for text in shown)
    assert not any("\u202e" in text for text in shown)


def test_a_fetched_control_character_made_an_error_says_what_to_do(site: Path) -> None:
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "policies:\n  control_characters: error\n", encoding="utf-8")
    damage(site, "authors", '["Sashank J. Reddi", "Eve \\u202egnp.exe"]')
    for command in ("check", "build"):
        code, lines = run(command, "--root", str(site))
        assert code == 1, command
        assert (f"{RECORD}: error: authors[1]: fetched text holds U+202E (RIGHT-TO-LEFT OVERRIDE), which pages and "
                "feeds drop (pages and feeds would show the text without them, but policies.control_characters "
                "makes this an error: set it to warning, or run digest fetch --refresh once the service has "
                "corrected it)") in lines, command
