"""digest status: per-edition progress as a table and as JSON."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from digest.cli import main

BASE = Path(__file__).parent / "cases" / "base"


def run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue()


def make_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(
        "date: 2018-02-10\nconference: ICLR 2018\ntitle: {en: One, zh: 一}\nentries:\n"
        "  - paper: openreview:ryQu7f-RZ\n    category: optimization\n    note: {en: Yes., zh: 是。}\n"
        "    abstract: {zh: 摘要。}\n"
        "  - paper: openreview:SkhQHMW0W\n    category: other\n    note: {en: Only English.}\n"
        "  - paper: arxiv:1710.10571\n    category: other\n",
        encoding="utf-8")
    (root / "content" / "editions" / "w2.yaml").write_text(
        "date: 2018-02-17\nconference: ICLR 2018\ndraft: true\ntitle: {en: Two, zh: 二}\nentries:\n"
        "  - paper: openreview:SkhQHMW0W\n    category: other\n", encoding="utf-8")
    return root


def test_status_table(tmp_path: Path):
    code, out = run("status", "--root", str(make_site(tmp_path)), "--as-of", "2018-02-12")
    assert code == 0
    assert out.splitlines() == [
        "edition  date        state      entries  notes en  notes zh  abstracts en  abstracts zh  missing",
        "w2       2018-02-17  draft            1        0%        0%          100%            0%        0",
        "w1       2018-02-10  published        3       67%       33%           67%           33%        1",
        "w2: zh texts: 0 curator, 0 approved, 0 machine drafts, 3 original",
        "w1: zh texts: 1 curator, 0 approved, 0 machine drafts, 5 original",
        "content/editions/w1.yaml: arxiv:1710.10571 has no record in the snapshot (run digest fetch)",
    ]


def test_status_json_and_scheduling(tmp_path: Path):
    root = make_site(tmp_path)
    code, out = run("status", "--root", str(root), "--as-of", "2018-02-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["as_of"] == "2018-02-01"
    w1 = next(e for e in data["editions"] if e["slug"] == "w1")
    assert w1 == {"slug": "w1", "file": "content/editions/w1.yaml", "date": "2018-02-10", "draft": False,
                  "scheduled": True, "entries": 3, "notes": {"en": 2, "zh": 1}, "abstracts": {"en": 2, "zh": 1},
                  "missing_records": ["arxiv:1710.10571"],
                  "translations": {"curator": 1, "approved": 0, "machine": 0, "original": 5}}


def test_status_lists_a_draft_with_placeholders(tmp_path: Path):
    root = make_site(tmp_path)
    (root / "content" / "editions" / "w3.yaml").write_text(
        "date: 2018-02-24\nconference: ICLR 2018\ndraft: true\ntitle: {en: \"<<the English title>>\", zh: 三}\n"
        "entries:\n  - paper: openreview:ryQu7f-RZ\n    category: \"<<category>>\"\n"
        "    note: {en: \"<<your note in English>>\", zh: 写好了。}\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["status", "--root", str(root), "--as-of", "2018-02-12"])
    assert code == 0
    # a note still holding a placeholder is not written
    assert out.getvalue().splitlines()[1] == \
        "w3       2018-02-24  draft            1        0%      100%          100%            0%        0"
    assert err.getvalue() == ""


def test_status_names_a_draft_it_cannot_read(tmp_path: Path):
    root = make_site(tmp_path)
    (root / "content" / "editions" / "w3.yaml").write_text("date: 2018-02-24\ndraft: true\ntitle: [unclosed\n",
                                                          encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["status", "--root", str(root), "--as-of", "2018-02-12"])
    assert code == 0
    assert [line.split()[0] for line in out.getvalue().splitlines()[1:3]] == ["w2", "w1"]
    assert err.getvalue() == ("digest status: left out drafts digest cannot read yet (content/editions/w3.yaml); "
                              "run digest check\n")


def test_zh_hant_coverage_counts_text_derived_from_zh(tmp_path: Path):
    root = make_site(tmp_path)
    site = root / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "languages: [en, zh, zh-Hant]\n", encoding="utf-8")
    code, out = run("status", "--root", str(root), "--as-of", "2018-02-12", "--json")
    assert code == 0
    w1 = next(e for e in json.loads(out)["editions"] if e["slug"] == "w1")
    # one zh note and one zh abstract, each converted into zh-Hant by the build
    assert (w1["notes"], w1["abstracts"]) == ({"en": 2, "zh": 1, "zh-Hant": 1}, {"en": 2, "zh": 1, "zh-Hant": 1})


def test_a_damaged_record_is_counted_missing_and_named(tmp_path: Path):
    root = make_site(tmp_path)
    (root / "content" / "snapshot" / "openreview" / "SkhQHMW0W.json").write_text('{"ref": 1}', encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["status", "--root", str(root), "--as-of", "2018-02-12"])
    assert code == 0
    assert out.getvalue().splitlines()[2].endswith("2")  # w1: arxiv:1710.10571 and the damaged record
    assert err.getvalue() == ("digest status: content/snapshot/openreview/SkhQHMW0W.json is damaged and counted as "
                              "missing; run digest check\n")
