"""digest.pipeline: the whole pipeline on a copy of the example content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import is_feed

from digest import pipeline as build_module
from digest.content.project import load_project
from digest.core.errors import BuildError, ContentError
from digest.output.system import can_fork, map_keys
from digest.pipeline import DEFAULT_TEMPLATES, _read_snapshot, build, render_site

REPO = Path(__file__).resolve().parent.parent
DRAFT = """\
date: 2030-01-01
conference: ICLR 2030
title:
  en: A draft nobody should see
  zh: 尚未发布的草稿
draft: true
entries:
  - paper: openreview:SkhQHMW0W
    category: distributed-training
    note:
      en: Not ready.
      zh: 还没写完。
"""
UNFETCHED = """\
date: 2030-02-01
conference: ICLR 2030
title:
  en: A paper not in the snapshot
  zh: 快照里没有的论文
entries:
  - paper: openreview:NotFetched1
    category: theory
    title:
      en: A Paper Nobody Fetched
      zh: 无人抓取的论文
    note:
      en: Curator data only.
      zh: 只有编者的内容。
"""


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    """A copy of the example site (content only; templates come with digest)."""
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.gate
def test_build_reports_what_it_wrote(site: Path) -> None:
    out = site / "output"
    report = build(site, out)
    assert report.pages == sum(1 for p in files_of(out) if p.endswith(".html"))
    assert report.feeds == sum(1 for p in files_of(out) if is_feed(p))
    assert report.written == report.files and report.unchanged == 0
    again = build(site, out)
    assert again.written == 0 and again.unchanged == report.files
    assert files_of(out) == files_of(REPO / "tests" / "golden" / "site")


@pytest.mark.gate
def test_drafts_are_left_out_unless_asked_for(site: Path) -> None:
    (site / "content/editions/zz-draft.yaml").write_text(DRAFT)
    build(site, site / "output")
    public = files_of(site / "output")
    assert not any("zz-draft" in p for p in public)
    assert not any(b"A draft nobody should see" in data for data in public.values())
    build(site, site / "preview", drafts=True)
    preview = files_of(site / "preview")
    assert "en/zz-draft/index.html" in preview and "zh/zz-draft/index.html" in preview
    assert b"zz-draft" in preview["en/feed.xml"]


@pytest.mark.gate
def test_missing_record_warns_and_renders_curator_data(site: Path) -> None:
    (site / "content/editions/zz-unfetched.yaml").write_text(UNFETCHED)
    report = build(site, site / "output")
    messages = [str(w) for w in report.warnings]
    assert ("content/editions/zz-unfetched.yaml:7:12: warning: entries[0].paper: openreview:NotFetched1 has no "
            "record in the metadata snapshot (run digest fetch, or check the reference; until then the entry shows the curator's fields only)") in messages
    page = (site / "output/zh/zz-unfetched/openreview-NotFetched1/index.html").read_text()
    assert "A Paper Nobody Fetched" in page and "无人抓取的论文" in page and "只有编者的内容。" in page
    assert 'href="https://openreview.net/forum?id=NotFetched1"' in page


@pytest.mark.gate
def test_missing_record_is_an_error_when_the_site_says_so(site: Path) -> None:
    out = site / "output"
    build(site, out)
    before = files_of(out)
    (site / "content/editions/zz-unfetched.yaml").write_text(UNFETCHED)
    config = site / "content/site.yaml"
    config.write_text(config.read_text().replace("missing_metadata: warning", "missing_metadata: error"))
    with pytest.raises(ContentError) as caught:
        build(site, out)
    assert [str(p) for p in caught.value.problems] == [
        "content/editions/zz-unfetched.yaml:7:12: error: entries[0].paper: openreview:NotFetched1 has no "
        "record in the metadata snapshot (run digest fetch, or check the reference; until then the entry shows the curator's fields only)"]
    assert files_of(out) == before


@pytest.mark.gate
def test_failed_render_leaves_previous_output_untouched(site: Path) -> None:
    out = site / "output"
    build(site, out)
    before = files_of(out)
    (site / "templates").mkdir()  # a site's own templates override digest's one by one
    (site / "templates/paper.html").write_text('{% extends "base.html" %}{% block main %}{{ item.nope }}{% endblock %}')
    with pytest.raises(BuildError, match=r"^templates/paper.html:1: 'digest.site.merge.Item object' has no attribute 'nope'"):
        build(site, out)
    assert files_of(out) == before
    assert sorted(p.name for p in site.iterdir()) == [".digest-cache", "content", "output", "templates"]  # no temporary folder left


@pytest.mark.gate
def test_site_templates_override_digests_one_by_one(site: Path) -> None:
    (site / "templates/static").mkdir(parents=True)
    (site / "templates/paper.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="mine">{{ item.title.value }}</p>{% endblock %}')
    (site / "templates/static/extra.css").write_text("p.mine { color: red }\n")
    build(site, site / "output")
    paper = (site / "output/en/iclr2018-by-category/openreview-SkhQHMW0W/index.html").read_text()
    assert '<p class="mine">Deep Gradient Compression' in paper
    assert "static/style.css?v=" in paper  # base.html and the stylesheet still come from digest
    assert (site / "output/static/extra.css").is_file() and (site / "output/static/style.css").is_file()
    edition = (site / "output/en/iclr2018-by-category/index.html").read_text()
    assert '<nav class="toc"' in edition


def test_a_sites_stylesheet_and_partials_replace_the_themes(site: Path) -> None:
    (site / "templates/static").mkdir(parents=True)
    (site / "templates/static/style.css").write_text("body { color: teal }\n")
    (site / "templates/_chrome_footer.html").write_text('<footer class="mine">ours</footer>\n')
    build(site, site / "output")
    assert (site / "output/static/style.css").read_text() == "body { color: teal }\n"
    for page in ("en/index.html", "zh/iclr2018-by-category/index.html"):
        text = (site / "output" / page).read_text()
        assert '<footer class="mine">ours</footer>' in text and "static/style.css?v=" in text
    assert DEFAULT_TEMPLATES.is_relative_to(Path(build_module.__file__).parent)  # the theme is in the package


def test_reserved_edition_slug_is_refused(site: Path) -> None:
    (site / "content/editions/category.yaml").write_text(UNFETCHED)
    with pytest.raises(ContentError) as caught:
        build(site, site / "output")
    assert [str(p) for p in caught.value.problems] == [
        "content/editions/category.yaml:1:1: error: slug: 'category' is the name of the site's own folder "
        "(rename the edition file, or set slug: to another name)"]


FAKE_CLOCK = textwrap.dedent("""
    import datetime, sys, time
    from pathlib import Path

    class FakeDateTime(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2031, 7, 7, 23, 59, 59, tzinfo=tz or None)
        @classmethod
        def utcnow(cls):
            return cls(2031, 7, 7, 23, 59, 59)
        @classmethod
        def today(cls):
            return cls(2031, 7, 7, 23, 59, 59)

    class FakeDate(datetime.date):
        @classmethod
        def today(cls):
            return cls(2031, 7, 7)

    if sys.argv[3] == "fake":
        datetime.datetime, datetime.date = FakeDateTime, FakeDate
        time.time = lambda: 1941321599.0
    from digest.pipeline import build
    build(Path(sys.argv[1]), Path(sys.argv[2]))
""")


@pytest.mark.gate
def test_byte_identical_whatever_the_clock_time_zone_or_hash_seed(site: Path) -> None:
    outputs = []
    for name, seed, tz, clock in (("a", "1", "UTC", "real"), ("b", "4242", "Asia/Shanghai", "fake"),
                                  ("c", "random", "America/Los_Angeles", "real")):
        env = dict(os.environ, PYTHONHASHSEED=seed, TZ=tz)
        subprocess.run([sys.executable, "-c", FAKE_CLOCK, str(site), str(site / name), clock],
                       check=True, env=env, cwd=site)
        outputs.append(files_of(site / name))
    assert outputs[0] == outputs[1] == outputs[2]
    assert b"2031" not in b"".join(outputs[1].values())


@pytest.mark.gate
@pytest.mark.skipif(not can_fork(), reason="languages render in parallel only where fork is available")
def test_parallel_rendering_gives_the_same_bytes(site: Path) -> None:
    project = load_project(site)
    metas = _read_snapshot(site, project.editions)
    one_by_one = render_site(project, project.editions, metas, site, parallel=False)
    side_by_side = render_site(project, project.editions, metas, site, parallel=True)
    assert side_by_side == one_by_one


@pytest.mark.gate
@pytest.mark.skipif(not can_fork(), reason="languages render in parallel only where fork is available")
def test_an_error_in_a_worker_comes_back_as_a_build_error(site: Path) -> None:
    shutil.copytree(DEFAULT_TEMPLATES, site / "templates")
    paper = site / "templates/paper.html"
    paper.write_text(paper.read_text().replace("{% block main %}", "{% block main %}{{ item.nope if lang == 'zh' }}"))
    project = load_project(site)
    with pytest.raises(BuildError, match=r"^templates/paper.html:\d+: 'digest.site.merge.Item object' has no attribute 'nope' "
                                         r"\(while rendering zh/"):
        render_site(project, project.editions, {}, site, parallel=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_map_keys_keeps_key_order(workers: int) -> None:
    def work(key: str) -> dict[str, bytes]:
        return {f"{key}/index.html": key.encode() * 3, "pid": str(os.getpid()).encode()}
    for parallel in (False, True):
        results = map_keys(work, ["en", "zh", "fr"], parallel, workers=workers)
        assert [{k: v for k, v in r.items() if k != "pid"} for r in results] == [
            {"en/index.html": b"enenen"}, {"zh/index.html": b"zhzhzh"}, {"fr/index.html": b"frfrfr"}]
        processes = {r["pid"] for r in results}
        assert len(processes) == (min(workers + 1, os.cpu_count() or 1) if parallel and can_fork() else 1)


@pytest.fixture()
def parallel_site(site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example site, built the way a big site is: languages in a forked worker."""
    if not can_fork():
        pytest.skip("languages render in parallel only where fork is available")
    monkeypatch.setattr(build_module, "PARALLEL_ENTRIES", 1)
    return site


@pytest.mark.gate
@pytest.mark.parametrize("lang", ["en", "zh"], ids=["in-the-parent", "in-the-worker"])
def test_a_build_failing_mid_render_leaves_the_output_and_no_staging_folder(parallel_site: Path, lang: str) -> None:
    site, out = parallel_site, parallel_site / "output"
    build(site, out)
    before = files_of(out)
    shutil.copytree(DEFAULT_TEMPLATES, site / "templates")
    paper = site / "templates/paper.html"  # fails on the first paper page, after feeds and editions
    paper.write_text(paper.read_text().replace("{% block main %}", f"{{% block main %}}{{{{ item.nope if lang == '{lang}' }}}}"))
    with pytest.raises(BuildError, match=rf"^templates/paper.html:\d+: 'digest.site.merge.Item object' has no attribute 'nope' "
                                         rf"\(while rendering {lang}/"):
        build(site, out)
    assert files_of(out) == before
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".output.trash-")) == \
        [".digest-cache", "content", "output", "templates"]


@pytest.mark.gate
def test_a_parallel_rebuild_links_what_did_not_change(parallel_site: Path) -> None:
    site, out = parallel_site, parallel_site / "output"
    first = build(site, out)
    assert first.written == first.files
    inode = out.stat().st_ino
    again = build(site, out)  # nothing changed: the output is left in place
    assert (again.written, again.unchanged) == (0, first.files) and out.stat().st_ino == inode
    assert files_of(out) == files_of(REPO / "tests" / "golden" / "site")
    home = {lang: (out / lang / "index.html").stat().st_ino for lang in ("en", "zh", "zh-Hant")}
    edition = site / "content/editions/iclr2018-by-category.yaml"
    edition.write_text(edition.read_text().replace("19 accepted papers worth reading", "19 papers worth reading"))
    changed = build(site, out)
    assert 0 < changed.written < changed.files and changed.written + changed.unchanged == changed.files
    assert out.stat().st_ino != inode
    now = {lang: (out / lang / "index.html").stat().st_ino for lang in home}
    assert now["en"] != home["en"]  # the English title is on the English home page only
    assert now["zh"] == home["zh"] and now["zh-Hant"] == home["zh-Hant"]  # linked, through the worker's folder
    assert (out / "static/style.css").read_bytes() == (DEFAULT_TEMPLATES / "static/style.css").read_bytes()
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".output.trash-")) == \
        [".digest-cache", ".output.spare", "content", "output"]
    again = build(site, out)  # a rebuild made from the spare (the first output's tree) gives the same files
    edition.write_text(edition.read_text().replace("19 papers worth reading", "19 accepted papers worth reading"))
    back = build(site, out)
    assert back.written == changed.written and out.stat().st_ino == inode
    assert files_of(out) == files_of(REPO / "tests" / "golden" / "site")
