"""Loading rules beyond single-file validation: drafts, the site's own policies, lenient reference scans."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.content.project import load_project, load_references
from digest.core.errors import ContentError
from digest.core.ids import PaperRef

BASE = Path(__file__).parent / "cases" / "base"

DRAFT = """date: 2018-02-17
conference: ICLR 2018
draft: true
title: {en: "<<the English title>>", zh: "<<中文标题>>"}
entries:
  - paper: openreview:SkhQHMW0W
    category: "<<category>>"
    note: {en: "<<your note in English>>", zh: "<<中文点评>>"}
"""
PUBLISHED = """date: 2018-02-10
conference: ICLR 2018
title: {en: One, zh: 一}
entries:
  - paper: openreview:ryQu7f-RZ
    category: optimization
"""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "w1.yaml").write_text(PUBLISHED, encoding="utf-8")
    (root / "content" / "editions" / "w2.yaml").write_text(DRAFT, encoding="utf-8")
    return root


def test_an_unfinished_draft_does_not_stop_loading_the_published_editions(site: Path):
    project = load_project(site)  # the draft's placeholders are warnings, and it is read, placeholders kept
    assert [e.slug for e in project.editions] == ["w2", "w1"]
    draft = project.editions[0]
    assert draft.title == {"en": "<<the English title>>", "zh": "<<中文标题>>"}
    assert draft.entries[0].category == "<<category>>"
    assert {p.loc.file for p in project.warnings if "placeholder" in p.message} == {"content/editions/w2.yaml"}
    assert all(p.hint.endswith("the edition is a draft: this stops nothing until it is published")
               for p in project.warnings if "placeholder" in p.message)
    project = load_project(site, drafts=False)
    assert [e.slug for e in project.editions] == ["w1"]


def test_a_draft_that_cannot_be_read_is_left_out_with_warnings(site: Path):
    (site / "content" / "editions" / "w2.yaml").write_text(DRAFT + "colour: red\n", encoding="utf-8")
    project = load_project(site)
    assert [e.slug for e in project.editions] == ["w1"]
    assert [str(p) for p in project.warnings if p.loc.file.endswith("w2.yaml") and "colour" in p.message] == [
        "content/editions/w2.yaml:9:1: warning: colour: unknown field 'colour' (allowed: date, conference, title, "
        "entries, slug, series, intro, draft, layout, references, stats, rank_by, top, sections, byline, outro; the edition is a draft: this stops nothing until it is published)"]


def test_a_published_placeholder_category_is_still_an_error(site: Path):
    (site / "content" / "editions" / "w2.yaml").write_text(DRAFT.replace("draft: true\n", ""), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(site)
    assert "content/editions/w2.yaml:6:15: error: entries[0].category: placeholder <<category>> is still there " \
           "(replace it with the real value)" in [str(p) for p in caught.value.problems]


def test_references_are_read_from_drafts_with_problems(site: Path):
    loaded, papers = load_references(site)
    assert loaded.title["en"] == "Test Digest"
    assert papers == [(PaperRef("openreview", "ryQu7f-RZ"), "ICLR 2018"), (PaperRef("openreview", "SkhQHMW0W"), "ICLR 2018")]


def test_site_yaml_obeys_its_own_policies(site: Path):
    config = site / "content" / "site.yaml"
    config.write_text("title:\n  en: Test Digest\nbase_url: https://digest.test/\npolicies:\n  missing_translation: error\n",
                      encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(site, drafts=False)
    assert [str(p) for p in caught.value.problems] == [
        "content/site.yaml:2:3: error: title.zh: missing the zh translation (add zh: under title)"]


def test_a_tab_inside_a_block_scalar_is_text_not_an_error(site: Path):
    (site / "content" / "editions" / "w1.yaml").write_text(
        PUBLISHED + "    note:\n      en: |\n        Run it with:\n\n        \tmake train\n      zh: |\n        运行：\n\n        \tmake train\n",
        encoding="utf-8")
    project = load_project(site, drafts=False)
    assert project.editions[0].entries[0].note["en"] == "Run it with:\n\n\tmake train\n"


def test_editors_hidden_files_beside_the_editions_are_not_editions(site: Path):
    """An Emacs lock file (``.#w1.yaml``, a dangling link or text) or a hidden backup is no edition."""
    editions = site / "content" / "editions"
    (editions / "w2.yaml").unlink()
    (editions / ".#w1.yaml").write_text("root@host.1234:1700000000\n", encoding="utf-8")
    (editions / ".w1.yaml.swp.yaml").write_bytes(b"\x00\x01 not yaml")
    project = load_project(site)
    assert [e.slug for e in project.editions] == ["w1"]
    assert [ref for ref, _ in load_references(site)[1]] == [PaperRef("openreview", "ryQu7f-RZ")]
