"""Drafts and scheduling: which editions a build publishes, by draft flag and by the as-of date."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import feedparser
import pytest

from digest.cli import main
from digest.pipeline import build

BASE = Path(__file__).parent / "cases" / "base"


def edition(day: str, paper: str, draft: bool = False) -> str:
    return (f"date: {day}\nconference: ICLR 2018\ntitle: {{en: Week of {day}, zh: {day} 这一周}}\n"
            + ("draft: true\n" if draft else "")
            + f"entries:\n  - {{paper: 'openreview:{paper}', category: optimization}}\n")


def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    editions = root / "content" / "editions"
    editions.mkdir()
    (editions / "w1.yaml").write_text(edition("2018-02-10", "ryQu7f-RZ"), encoding="utf-8")
    (editions / "w2.yaml").write_text(edition("2018-02-17", "SkhQHMW0W"), encoding="utf-8")
    (editions / "w3.yaml").write_text(edition("2018-02-24", "SkhQHMW0W-x", draft=True), encoding="utf-8")
    return root


def published(out: Path) -> list[str]:
    return sorted(p.parent.name for p in (out / "en").glob("w*/index.html"))


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.gate
def test_editions_dated_after_as_of_wait(tmp_path: Path):
    root = site(tmp_path)
    out = tmp_path / "out"
    report = build(root, out, as_of=date(2018, 2, 16))
    assert (report.editions, published(out)) == (1, ["w1"])
    feed = feedparser.parse((out / "en" / "feed.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["Week of 2018-02-10"]
    assert build(root, out, as_of=date(2018, 2, 17)).editions == 2  # the day itself publishes it
    assert published(out) == ["w1", "w2"]
    build(root, out)  # no date: every edition that is not a draft
    assert published(out) == ["w1", "w2"]
    build(root, out, drafts=True, as_of=date(2018, 2, 20))  # a draft is still subject to its date
    assert published(out) == ["w1", "w2"]
    build(root, out, drafts=True, as_of=date(2018, 2, 24))
    assert published(out) == ["w1", "w2", "w3"]


def test_as_of_decides_what_is_published_never_what_pages_say(tmp_path: Path):
    root = site(tmp_path)
    build(root, tmp_path / "a", as_of=date(2018, 2, 17))
    build(root, tmp_path / "b", as_of=date(2018, 2, 23))
    assert files(tmp_path / "a") == files(tmp_path / "b")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_build_command_takes_as_of(tmp_path: Path):
    root = site(tmp_path)
    code, out, _ = run("build", "--root", str(root), "--out", str(tmp_path / "out"), "--as-of", "2018-02-12")
    assert code == 0
    assert out.startswith("digest build: 1 edition, 1 entry: ")
    code, out, err = run("build", "--root", str(root), "--out", str(tmp_path / "out"), "--as-of", "2018-02-30")
    assert (code, out, err) == (1, "", "digest build: error: --as-of: '2018-02-30' is not a date (write it as YYYY-MM-DD)\n")
    code, out, _ = run("build", "--root", str(root), "--out", str(tmp_path / "out"))  # default: today, long after 2018
    assert out.startswith("digest build: 2 editions, 2 entries: ")
