"""Bidi controls and other invisible format characters in curated text.

A right-to-left override makes ``\\u202egnp.exe`` display as ``exe.png``: a title can show
other words than it holds. digest check reports each one where it is written (policy
``control_characters``), --fix removes them, and no page title, heading or feed carries them.
"""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from digest.cli import main
from tests.conftest import tree
from tests.test_check_text import ENTRY, check, site

#: Written as escapes in double quotes (as a pasted text shows them) and once as the
#: character itself, in the edition's title and in a note.
EDITION = (
    'date: 2018-02-10\nconference: ICLR 2018\n'
    'title: {en: "Week \\u202Efdp.exe\\u202C one", zh: "第一周\\u2067隔离\\u2069"}\n'
    'entries:\n' + ENTRY +
    '      en: "Zero\\u200Bwidth and a mark\\u200F."\n'
    '      zh: "点评\u2066。"\n'
)


def test_bidi_controls_are_reported_where_they_are_written(tmp_path: Path) -> None:
    code, lines, _ = check(site(tmp_path, EDITION))
    assert code == 0
    assert lines == [
        "content/editions/w1.yaml:3:19: warning: title.en: invisible characters U+202E (RIGHT-TO-LEFT OVERRIDE) "
        "(written \\u202E), U+202C (POP DIRECTIONAL FORMATTING) (written \\u202C) in the text: pages and feeds "
        "drop them (run digest check --fix to remove them)",
        "content/editions/w1.yaml:3:53: warning: title.zh: invisible characters U+2067 (RIGHT-TO-LEFT ISOLATE) "
        "(written \\u2067), U+2069 (POP DIRECTIONAL ISOLATE) (written \\u2069) in the text: pages and feeds drop "
        "them (run digest check --fix to remove them)",
        "content/editions/w1.yaml:8:16: warning: entries[0].note.en: invisible characters U+200B (ZERO WIDTH SPACE) "
        "(written \\u200B), U+200F (RIGHT-TO-LEFT MARK) (written \\u200F) in the text: pages and feeds drop them "
        "(run digest check --fix to remove them)",
        "content/editions/w1.yaml:9:14: warning: entries[0].note.zh: invisible character U+2066 (LEFT-TO-RIGHT "
        "ISOLATE) in the text: pages and feeds drop it (run digest check --fix to remove it)",
    ]


def test_fix_removes_them_and_nothing_else(tmp_path: Path) -> None:
    root = site(tmp_path, EDITION)
    code, lines, out = check(root, "--fix")
    assert (code, lines) == (0, [])
    assert out.startswith("fixed content/editions/w1.yaml: entries[0].note.en, entries[0].note.zh, title.en, title.zh\n")
    assert (root / "content" / "editions" / "w1.yaml").read_text(encoding="utf-8") == (
        'date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: "Week fdp.exe one", zh: "第一周隔离"}\n'
        'entries:\n' + ENTRY + '      en: "Zerowidth and a mark."\n      zh: "点评。"\n')


def test_no_title_heading_or_feed_carries_them(tmp_path: Path) -> None:
    root = site(tmp_path, EDITION)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        assert main(["build", "--root", str(root)]) == 0
    files = {path: data.decode("utf-8") for path, data in tree(root / "output").items()
             if path.endswith((".html", ".xml", ".opml"))}
    page = files["en/w1/index.html"]
    assert "<title>Week fdp.exe one · Test Digest</title>" in page
    assert "<h1>Week fdp.exe one</h1>" in page
    assert "<title>Week fdp.exe one</title>" in files["en/feed.xml"]
    for path, text in files.items():
        assert not any(ch in text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200f"), path


def test_messages_show_invisible_characters_as_escapes() -> None:
    from digest.core.errors import Loc, Problem

    problem = Problem(Loc("content/editions/w1.yaml", 3, 19), "title.en", "'Cur\u202eated\u2028 list'", "check it")
    assert str(problem) == "content/editions/w1.yaml:3:19: error: title.en: 'Cur\\u202Eated\\u2028 list' (check it)"


def test_line_separators_and_annotation_marks_are_dropped_too() -> None:
    from digest.core.text import printable

    assert printable("Adam\u2028 and\u2029 Beyond\ufff9x\ufffa\ufffb") == "Adam and Beyondx"
    assert printable("soft\u00adhyphen, joiner \u200d kept") == "soft\u00adhyphen, joiner \u200d kept"
