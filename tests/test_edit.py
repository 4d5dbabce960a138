"""digest new and digest add: the file a curator wrote is left exactly as it was, plus the new lines."""

from __future__ import annotations

import difflib
import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from digest.cli import main
from digest.content.project import load_project
from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata.store import Store

HERE = Path(__file__).parent
BASE = HERE / "cases" / "base"
EDIT = HERE / "cases" / "edit"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    return root


def added_lines(before: bytes, after: bytes) -> list[str]:
    a = before.decode("utf-8-sig").splitlines(keepends=True)
    b = after.decode("utf-8-sig").splitlines(keepends=True)
    diff = list(difflib.ndiff(a, b))
    assert not [d for d in diff if d.startswith("- ")], "a line was changed or removed"
    return [d[2:] for d in diff if d.startswith("+ ")]


def test_add_to_a_file_with_comments_flow_lists_and_odd_spacing(site: Path):
    path = site / "content" / "editions" / "w3.yaml"
    shutil.copy(EDIT / "commented.yaml", path)
    before = path.read_bytes()
    code, out, err = run("add", "w3", "--root", str(site), "https://arxiv.org/abs/1710.10571v2",
                         "https://openreview.net/pdf?id=SkhQHMW0W", "--category", "other", "--tags", "a,b")
    assert code == 0, err
    after = path.read_bytes()
    assert after.startswith(before[: before.index(b"\n    # next week")])
    assert added_lines(before, after) == [
        "    -   paper: arxiv:1710.10571v2\n",
        "        category: other\n",
        "        tags: [a, b]\n",
        "        note:\n",
        '          en: "<<your note in English>>"\n',
        '          zh: "<<中文点评>>"\n',
        "    -   paper: openreview:SkhQHMW0W\n",
        "        category: other\n",
        "        tags: [a, b]\n",
        "        note:\n",
        '          en: "<<your note in English>>"\n',
        '          zh: "<<中文点评>>"\n',
    ]
    # the block scalar that ends in a Markdown heading-like line kept its text
    assert "# 不是注释，是 Markdown 标题" in after.decode()
    assert out == ("added arxiv:1710.10571v2: not in the snapshot yet (run digest fetch to get its title)\n"
                   "added openreview:SkhQHMW0W: Deep Gradient Compression: Reducing the Communication Bandwidth "
                   "for Distributed Training (ICLR 2018, poster)\n")


def test_add_keeps_crlf_and_a_zero_indent_list(site: Path):
    path = site / "content" / "editions" / "crlf.yaml"
    shutil.copy(EDIT / "crlf-no-indent.yaml", path)
    before = path.read_bytes()
    assert run("add", "crlf", "--root", str(site), "openreview:SkhQHMW0W", "--category", "optimization")[0] == 0
    after = path.read_bytes()
    assert after.startswith(before)
    assert after[len(before):] == (
        b"- paper: openreview:SkhQHMW0W\r\n  category: optimization\r\n  note:\r\n"
        b'    en: "<<your note in English>>"\r\n    zh: "<<\xe4\xb8\xad\xe6\x96\x87\xe7\x82\xb9\xe8\xaf\x84>>"\r\n'
    )


def test_add_refuses_a_paper_already_in_the_edition(site: Path):
    path = site / "content" / "editions" / "w3.yaml"
    shutil.copy(EDIT / "commented.yaml", path)
    before = path.read_bytes()
    code, out, err = run("add", "w3", "--root", str(site), "https://openreview.net/forum?id=ryQu7f-RZ", "--category", "other")
    assert code == 1
    assert err == "content/editions/w3.yaml: warning: openreview:ryQu7f-RZ is already in this edition; not added again\n"
    assert path.read_bytes() == before


def test_add_prints_title_and_decision_from_the_snapshot(site: Path):
    Store(site / "content" / "snapshot").put(PaperMeta(
        ref=PaperRef("openreview", "SkhQHMW0W"), source="corpus", fetched_at="2026-02-23T00:00:00Z",
        title="Deep Gradient Compression", venue="ICLR 2018", decision="poster"))
    run("new", "w1", "--root", str(site), "--date", "2018-02-10")
    code, out, _ = run("add", "w1", "--root", str(site), "openreview:SkhQHMW0W", "--category", "other")
    assert code == 0
    assert out == "added openreview:SkhQHMW0W: Deep Gradient Compression (ICLR 2018, poster)\n"


def test_add_refuses_bad_references_and_changes_nothing(site: Path):
    run("new", "w1", "--root", str(site), "--date", "2018-02-10")
    path = site / "content" / "editions" / "w1.yaml"
    before = path.read_bytes()
    code, _, err = run("add", "w1", "--root", str(site), "openreview:SkhQHMW0W", "1710.105", "--category", "other")
    assert code == 1
    assert err == ("command line: error: reference 2: '1710.105' is not a paper reference (write openreview:<forum id>, "
                   "arxiv:<id>, doi:<doi> or s2:<id>, or paste the paper's URL)\ndigest add: 1 error\n")
    assert path.read_bytes() == before


def test_new_writes_placeholders_that_check_flags(site: Path):
    code, out, _ = run("new", "iclr2026-week1", "--root", str(site), "--date", "2026-01-10", "--conference", "ICLR 2026")
    assert code == 0
    assert out.startswith("wrote content/editions/iclr2026-week1.yaml")
    code, _, err = run("check", "--root", str(site))
    assert code == 0  # a draft: its placeholders are warnings until it is published
    draft = "; the edition is a draft: this stops nothing until it is published)"
    assert [line for line in err.splitlines() if "iclr2026-week1" in line] == [
        "content/editions/iclr2026-week1.yaml:8:7: warning: title.en: placeholder <<the English title>> is still there (replace it with the real value" + draft,
        "content/editions/iclr2026-week1.yaml:9:7: warning: title.zh: placeholder <<中文标题>> is still there (replace it with the real value" + draft,
        "content/editions/iclr2026-week1.yaml:11:7: warning: intro.en: placeholder <<an English introduction: dates, venue, what this edition covers>> is still there (replace it with the real value" + draft,
        "content/editions/iclr2026-week1.yaml:12:7: warning: intro.zh: placeholder <<中文导语：时间、会议、本期内容>> is still there (replace it with the real value" + draft,
    ]
    path = site / "content" / "editions" / "iclr2026-week1.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    code, _, err = run("check", "--root", str(site))
    assert code == 1 and err.splitlines()[-1] == "digest check: 4 errors"
    # the same name twice is refused
    code, _, err = run("new", "iclr2026-week1", "--root", str(site), "--date", "2026-01-10")
    assert code == 1
    assert err == "digest new: error: content/editions/iclr2026-week1.yaml already exists (pick another name, or edit that file)\n"


def test_added_entries_load_after_the_placeholders_are_filled(site: Path):
    run("new", "w1", "--root", str(site), "--date", "2018-02-10", "--conference", "ICLR 2018")
    run("add", "w1", "--root", str(site), "openreview:ryQu7f-RZ", "--category", "optimization")
    path = site / "content" / "editions" / "w1.yaml"
    text = path.read_text(encoding="utf-8")
    for placeholder, real in (("<<the English title>>", "Week one"), ("<<中文标题>>", "第一周"),
                              ("<<an English introduction: dates, venue, what this edition covers>>", "Intro."),
                              ("<<中文导语：时间、会议、本期内容>>", "导语。"), ("<<your note in English>>", "A note."),
                              ("<<中文点评>>", "点评。")):
        text = text.replace(placeholder, real)
    path.write_text(text, encoding="utf-8")
    project = load_project(site)
    (edition,) = project.editions
    assert edition.draft is True
    assert [str(e.paper) for e in edition.entries] == ["openreview:ryQu7f-RZ"]
    assert edition.entries[0].note == {"en": "A note.", "zh": "点评。"}


def test_a_derived_language_gets_no_placeholder(site: Path):
    config = site / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "languages: [en, zh, zh-Hant]\n", encoding="utf-8")
    run("new", "w1", "--root", str(site), "--date", "2018-02-10", "--conference", "ICLR 2018")
    run("add", "w1", "--root", str(site), "openreview:ryQu7f-RZ", "--category", "optimization")
    written = (site / "content" / "editions" / "w1.yaml").read_text(encoding="utf-8")
    assert "zh-Hant" not in written and written.count("<<") == 6  # en and zh: title, intro, note


def test_add_refuses_an_unknown_category_or_a_bad_tag_before_writing(site: Path):
    run("new", "w1", "--root", str(site), "--date", "2018-02-10")
    path = site / "content" / "editions" / "w1.yaml"
    before = path.read_bytes()
    code, _, err = run("add", "w1", "--root", str(site), "openreview:SkhQHMW0W", "--category", "optimisation")
    assert (code, err) == (1, "digest add: error: --category: unknown category 'optimisation' (did you mean 'optimization'?)\n")
    code, _, err = run("add", "w1", "--root", str(site), "openreview:SkhQHMW0W", "--category", "other", "--tags", "Adam Optimizer")
    assert (code, err) == (1, "digest add: error: --tags: 'Adam Optimizer' is not a valid tag (use lower-case letters, "
                              "digits and hyphens, as in large-batch)\n")
    assert path.read_bytes() == before


def test_new_and_add_refuse_a_folder_that_is_not_a_site(tmp_path: Path):
    code, _, err = run("new", "w1", "--root", str(tmp_path), "--date", "2018-02-10")
    assert code == 1
    assert err == f"digest new: error: {tmp_path}/content/site.yaml not found: run digest from the site's folder, or pass --root\n"
    assert not (tmp_path / "content").exists()
