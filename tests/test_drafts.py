"""Drafts: what `digest new` and `digest add` write can be previewed before it is finished.

A draft's problems are warnings (digest check exits 0), a build without --drafts leaves it
out, and a build with --drafts shows it with each <<placeholder>> marked on the page, in the
heading, the category heading and the Markdown of a note or an intro.
"""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from digest.cli import main

BASE = Path(__file__).parent / "cases" / "base"
PUBLISHED = """date: 2018-02-10
conference: ICLR 2018
title: {en: One, zh: 一}
entries:
  - paper: openreview:ryQu7f-RZ
    category: optimization
    note: {en: A note., zh: 点评。}
"""
#: As digest new and digest add (without --category) leave an edition.
DRAFT = """date: 2018-02-17
conference: ICLR 2018
draft: true
title:
  en: <<the English title>>
  zh: <<中文标题>>
intro:
  en: <<an English introduction>>
  zh: 本期导语。
entries:
  - paper: openreview:SkhQHMW0W
    category: <<category>>
    note:
      en: "Half written, <<the rest of the note>>."
      zh: <<中文点评>>
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def make_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(PUBLISHED, encoding="utf-8")
    (root / "content" / "editions" / "w2.yaml").write_text(DRAFT, encoding="utf-8")
    return root


def mark(text: str) -> str:
    return f'<mark class="placeholder">{text.replace("<", "&lt;").replace(">", "&gt;")}</mark>'


def test_a_draft_with_placeholders_passes_check(tmp_path: Path) -> None:
    code, out, err = run("check", "--root", str(make_site(tmp_path)))
    assert code == 0, err
    assert out == "digest check: 2 editions, 2 entries: 8 warnings\n"
    assert ("content/editions/w2.yaml:12:15: warning: entries[0].category: placeholder <<category>> is still there "
            "(replace it with the real value; the edition is a draft: this stops nothing until it is published)") in err


def test_a_build_leaves_the_draft_out(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    code, out, err = run("build", "--root", str(root))
    assert (code, err) == (0, "")
    assert out.startswith("digest build: 1 edition, 1 entry:")
    assert not (root / "output" / "en" / "w2").exists()


def test_drafts_are_previewed_with_their_placeholders_marked(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    code, out, err = run("build", "--root", str(root), "--drafts")
    assert code == 0, err
    assert out.startswith("digest build: 2 editions, 2 entries:")
    page = (root / "output" / "en" / "w2" / "index.html").read_text(encoding="utf-8")
    assert f"<h1>{mark('<<the English title>>')}</h1>" in page
    assert f"<p>{mark('<<an English introduction>>')}</p>" in page
    assert f"<p>Half written, {mark('<<the rest of the note>>')}.</p>" in page
    assert f">{mark('<<category>>')}</a></h2>" in page
    assert "<title>&lt;&lt;the English title&gt;&gt; · Test Digest</title>" in page  # a title holds no markup
    zh = (root / "output" / "zh" / "w2" / "index.html").read_text(encoding="utf-8")
    assert f"<p>{mark('<<中文点评>>')}</p>" in zh
    assert "本期导语。" in zh


def test_a_draft_that_cannot_be_shown_is_said_to_be_left_out(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "content" / "editions" / "w2.yaml").write_text(DRAFT + "bogus: 1\n", encoding="utf-8")
    code, out, err = run("build", "--drafts", "--root", str(root))
    assert code == 0, err
    assert ("content/editions/w2.yaml: warning: this draft is left out of builds with --drafts until the problems "
            "above are fixed (fix them to preview it)") in err.splitlines()
    assert not (root / "output" / "en" / "w2").exists()
    code, _, err = run("build", "--root", str(root))  # without --drafts, a draft is not read: nothing to say
    assert (code, err) == (0, "")
