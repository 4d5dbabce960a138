"""Texts missing in a page's language: shown as the marked original, or left out (site config).

A small site whose curator wrote some texts in English only is built twice, once with every
fallback at its default (``original``) and once with every fallback set to ``omit``; the
pages are read as HTML, the feeds with feedparser, and the build's summary as the CLI
prints it.
"""

from __future__ import annotations

import io
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import feedparser
import pytest

from digest.cli import main
from digest.core.models import Fallback, fields_of
from digest.pipeline import build
from digest.report import fallback_summary
from digest.site.merge import FALLBACK_FIELDS, ON_ARTICLE, ON_FIGURE, ON_ITEM, FellBack

BASE = Path(__file__).parent / "cases" / "base"

NOTE_EN = "Only written in English so far."
INTRO_EN = "An introduction nobody has translated yet."
CAPTION_EN = "Ratings per reviewer."
ADAM_ABSTRACT = "Several recently proposed stochastic optimization methods"
ADAM_TLDR = "We investigate the convergence of popular optimization algorithms"

EDITION = f"""\
date: 2018-02-10
conference: ICLR 2018
title: {{en: Week one, zh: 第一周}}
intro: {{en: {INTRO_EN}}}
entries:
  - paper: 'openreview:ryQu7f-RZ'
    category: optimization
    note: {{en: {NOTE_EN}}}
    meta_review: {{en: Accepted as an oral., zh: 评审一致同意，口头报告。}}
    figure: {{src: images/ratings.png, alt: {{en: Ratings, zh: 评分}}, caption: {{en: {CAPTION_EN}}}}}
  - paper: 'openreview:SkhQHMW0W'
    category: optimization
    note: {{en: Both languages., zh: 两种语言都有。}}
    abstract: {{zh: 作者自己的中文摘要。, en: The curator's own summary.}}
"""


def site(tmp_path: Path, fallback: str = "") -> Path:
    root = tmp_path / "site"
    shutil.copytree(BASE, root)
    site_yaml = root / "content" / "site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8")
                         + "languages: [en, zh, zh-Hant]\npolicies: {missing_translation: ignore}\n" + fallback,
                         encoding="utf-8")
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "week.yaml").write_text(EDITION, encoding="utf-8")
    return root


def run_build(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["build", "--root", str(root), "--out", str(root / "output")])
    return code, out.getvalue(), err.getvalue()


def entry_html(page: str, anchor: str) -> str:
    return re.search(rf'<article class="entry[^"]*" id="{anchor}".*?</article>', page, re.S).group(0)


def page(root: Path, path: str) -> str:
    return (root / "output" / path).read_text(encoding="utf-8")


ALL_OMITTED = "fallback: {" + ", ".join(f"{name}: omit" for name in FALLBACK_FIELDS) + "}\n"


def test_every_fallback_field_defaults_to_the_original_and_is_shown_on_one_view() -> None:
    assert all(getattr(Fallback(), name) == "original" for name in FALLBACK_FIELDS)
    on_views = ON_ARTICLE + ON_ITEM + ON_FIGURE
    assert sorted(on_views) == sorted(FALLBACK_FIELDS), "each Fallback field must be a field of Article, Item or FigureView"


def test_every_fallback_field_has_summary_nouns() -> None:
    for f in fields_of(Fallback):
        one, several = f.metadata["nouns"]
        assert one and several and one != several, f.name


def test_by_default_the_original_is_shown_marked_and_tagged(tmp_path: Path) -> None:
    root = site(tmp_path)
    code, out, err = run_build(root)
    assert code == 0, err
    zh = page(root, "zh/week/index.html")
    adam = entry_html(zh, "openreview-ryQu7f-RZ")
    # the curator's untranslated note: marked as not translated, tagged as English
    note = re.search(r'<section class="note".*?</section>', adam, re.S).group(0)
    assert '<span class="original">英文原文（未译）</span>' in note
    assert '<div class="text" lang="en">' in note and NOTE_EN in note
    # fetched English text: the paper's own words, marked as the original only
    abstract = re.search(r'<section class="abstract".*?</section>', adam, re.S).group(0)
    assert '<span class="original">英文原文</span>' in abstract and ADAM_ABSTRACT in abstract
    assert re.search(r'<p class="tldr">.*<span class="original">英文原文</span> <span lang="en">' + ADAM_TLDR, adam)
    assert re.search(r'<figcaption><p class="label"> ?<span class="original">英文原文（未译）</span></p>\s*'
                     r'<div class="text" lang="en">\s*<p>' + re.escape(CAPTION_EN), adam)
    intro = re.search(r'<div class="intro">.*?</div>\s*</div>', zh, re.S).group(0)
    assert "英文原文（未译）" in intro and INTRO_EN in intro
    # the curator's Chinese texts are not marked
    dgc = entry_html(zh, "openreview-SkhQHMW0W")
    for cls in ("note", "abstract"):
        section = re.search(rf'<section class="{cls}".*?</section>', dgc, re.S).group(0)
        assert "原文" not in section and "lang=" not in section
    assert "作者自己的中文摘要。" in dgc
    assert "评审一致同意" in adam and "Accepted as an oral." not in adam
    # Traditional Chinese has its own words for the marks
    assert "英文原文（未譯）" in page(root, "zh-Hant/week/index.html")
    # English pages have their own texts and no marks
    en = page(root, "en/week/index.html")
    assert 'class="original"' not in en and NOTE_EN in en
    # the feeds carry what the pages show
    feed = feedparser.parse(page(root, "zh/feed.xml"))
    assert NOTE_EN in feed.entries[0].content[0].value
    # and the build says what fell back, per language
    assert out.splitlines()[1:] == [
        "  zh pages fell back: 1 introduction (curator) shown in en (week); "
        "1 note (curator) shown in en (week/openreview-ryQu7f-RZ); "
        "2 TL;DRs (fetched) shown in en; 1 abstract (fetched) shown in en; "
        "1 caption (curator) shown in en (week/openreview-ryQu7f-RZ)",
        "  zh-Hant pages fell back: 1 introduction (curator) shown in en (week); "
        "1 note (curator) shown in en (week/openreview-ryQu7f-RZ); "
        "2 TL;DRs (fetched) shown in en; 1 abstract (fetched) shown in en; "
        "1 caption (curator) shown in en (week/openreview-ryQu7f-RZ)",
    ]


def test_omit_leaves_the_text_out_of_that_language_only(tmp_path: Path) -> None:
    root = site(tmp_path, ALL_OMITTED)
    code, out, err = run_build(root)
    assert code == 0, err
    for lang in ("zh", "zh-Hant"):
        shown = page(root, f"{lang}/week/index.html")
        paper = page(root, f"{lang}/week/openreview-ryQu7f-RZ/index.html")
        for text in (NOTE_EN, INTRO_EN, CAPTION_EN, ADAM_ABSTRACT, ADAM_TLDR):
            assert text not in shown and text not in paper, (lang, text)
        assert 'class="original"' not in shown
        feed = feedparser.parse(page(root, f"{lang}/feed.xml"))
        assert NOTE_EN not in feed.entries[0].content[0].value
        # what is written in the page's language stays
        assert "两种语言都有" in shown or "兩種語言都有" in shown
        assert "<figure" in shown  # the figure itself stays, without its caption
    en = page(root, "en/week/index.html")
    for text in (NOTE_EN, INTRO_EN, CAPTION_EN, ADAM_ABSTRACT, ADAM_TLDR):
        assert text in en
    assert "1 note (curator) in en left out (week/openreview-ryQu7f-RZ)" in out.splitlines()[1]
    assert "2 TL;DRs (fetched) in en left out" in out.splitlines()[1]


def test_a_site_with_nothing_to_fall_back_prints_no_summary(tmp_path: Path) -> None:
    root = site(tmp_path)
    content = root / "content"
    (content / "site.yaml").write_text("title: {en: Test}\nbase_url: https://digest.test/\nlanguages: [en]\n",
                                       encoding="utf-8")
    for path in (content / "categories.yaml", content / "editions" / "week.yaml"):
        text = path.read_text(encoding="utf-8").replace("{zh: 作者自己的中文摘要。, ", "{")
        path.write_text(re.sub(r", zh: [^,}]+", "", text), encoding="utf-8")
    report = build(root, root / "output")
    assert report.fallbacks == ()
    assert "\n" not in report.summary()


def test_the_summary_names_a_few_places_and_counts_the_rest() -> None:
    fell = [FellBack("zh", "note", "en", "curator", "original", f"ed/p{i}") for i in range(5)]
    fell.append(FellBack("zh", "abstract", "en", "fetched", "omit", "ed/p0"))
    assert fallback_summary(fell) == [
        "  zh pages fell back: 5 notes (curator) shown in en (ed/p0, ed/p1, ed/p2 and 2 more); "
        "1 abstract (fetched) in en left out"]


@pytest.mark.parametrize("value", ["hide", "Omit"])
def test_a_wrong_fallback_value_is_reported(tmp_path: Path, value: str) -> None:
    root = site(tmp_path, f"fallback:\n  tldr: {value}\n")
    code, out, err = run_build(root)
    assert code == 1
    assert f"content/site.yaml:8:9: error: fallback.tldr: unknown value '{value}'" in err
    assert "(write original, omit or machine)" in err or "(did you mean 'omit'?)" in err
    assert not (root / "output").exists()


@pytest.mark.gate
def test_forked_workers_report_their_fallbacks_too(tmp_path: Path) -> None:
    """On a big site the Chinese languages render in a forked worker: what fell back there
    comes back with its files, the same as when every language renders here."""
    from digest.content.project import load_project
    from digest.metadata.store import site_store
    from digest.pipeline import render_site

    root = site(tmp_path)
    project = load_project(root)
    metas = site_store(root).load_for({e.paper for ed in project.editions for e in ed.entries})
    reports = {}
    for parallel in (False, True):
        found: list[FellBack] = []
        files = render_site(project, project.editions, metas, root, parallel=parallel, fallbacks=found)
        reports[parallel] = (found, files)
    assert reports[True][0] == reports[False][0] and {f.page_lang for f in reports[True][0]} == {"zh", "zh-Hant"}
    assert reports[True][1] == reports[False][1]
