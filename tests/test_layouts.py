"""Edition layouts: ``category`` (the default), ``numbered``, ``ranking`` and ``sections``, and
the edition's byline and outro. Each layout keeps its order in the page, its table of
contents, the edition and category feeds and the exports, in every language; a wrong value
is reported where it is written."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from conftest import REPO, tree
from test_feed_rules import CONTENT
from test_render import ADAM, MATH, SITE, metas, project

from digest.content.project import load_project
from digest.core.errors import ContentError
from digest.core.ids import PaperRef
from digest.core.models import Entry, PaperMeta, Part
from digest.exports.channels import EXPORTS
from digest.pipeline import DEFAULT_TEMPLATES, export_context, merged_edition, render_site
from digest.site.render import markdown_escaped

BASE_SITE = Path(__file__).parent / "cases" / "base"
#: Filed so that category order (optimization, then theory) and the curator's order differ.
THEORY_FIRST = (Entry(paper=MATH, category="theory", note={"en": "First pick.", "zh": "第一篇。"}),
                Entry(paper=ADAM, category="optimization", note={"en": "Second pick.", "zh": "第二篇。"}))
TITLES = {MATH: "Math <in> *titles* & more", ADAM: "On the Convergence of Adam and Beyond"}


def site(tmp_path: Path, **edition: str) -> dict[str, str]:
    proj = project(tmp_path, THEORY_FIRST, **edition)
    return {p: d.decode("utf-8") for p, d in render_site(proj, proj.editions, metas(), tmp_path).items()
            if not p.startswith("images/")}


def order(html: str, *needles: str) -> list[str]:
    return sorted(needles, key=lambda n: html.index(n))


def anchors(html: str, start: str, end: str) -> list[str]:
    part = html[html.index(start):html.index(end, html.index(start))]
    return re.findall(r'#(openreview-[\w-]+|arxiv-[\w.-]+)"', part)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_numbered_article_keeps_the_curators_order_everywhere(tmp_path: Path, lang: str) -> None:
    files = site(tmp_path, layout="numbered")
    page = files[f"{lang}/week-1/index.html"]
    math, adam = f'id="{MATH.slug}"', f'id="{ADAM.slug}"'
    assert order(page, adam, math) == [math, adam]
    assert '<ol class="numbered-entries">' in page and page.count('<li class="numbered-entry">') == 2
    assert anchors(page, '<nav class="toc toc-numbered"', "</nav>") == [MATH.slug, ADAM.slug]
    assert 'id="cat-theory"' not in page  # no category headings ...
    theory = {"en": "Theory", "zh": "理论"}[lang]
    assert f'<p class="entry-category"><a href="../../{lang}/category/theory/">{theory}</a></p>' in page  # ... each names its own
    rss = ET.fromstring(files[f"{lang}/feed.xml"].encode())
    content = next(rss.iter(f"{{{CONTENT}}}encoded")).text
    assert order(content, adam, math) == [math, adam]
    jsonfeed = json.loads(files[f"{lang}/feed.json"])["items"][0]["content_html"]
    assert order(jsonfeed, adam, math) == [math, adam]
    # the paper pages' previous and next follow the curator's order too
    first = files[f"{lang}/week-1/{MATH.slug}/index.html"]
    assert f'href="../../../{lang}/week-1/{ADAM.slug}/"' in first


def test_the_category_layout_is_the_default_and_groups_by_category(tmp_path: Path) -> None:
    default = site(tmp_path / "a")
    assert default == site(tmp_path / "b", layout="category")
    page = default["en/week-1/index.html"]
    assert order(page, f'id="{MATH.slug}"', f'id="{ADAM.slug}"') == [f'id="{ADAM.slug}"', f'id="{MATH.slug}"']
    assert 'id="cat-optimization"' in page and "numbered-entries" not in page
    assert anchors(page, '<nav class="toc"', "</nav>") == [ADAM.slug, MATH.slug]


@pytest.mark.parametrize("channel", ["markdown", "zhihu"])
def test_the_markdown_exports_number_a_numbered_edition(channel: str) -> None:
    context = export_context(REPO, "iclr2020-best-papers", "en")
    assert context.article.layout == "numbered"
    text = EXPORTS[channel].render(context).data.decode("utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    titles = [item.local_title.value or item.title.value for item in context.article.items]
    assert len(titles) == 16
    assert headings[1:] == [f"### {n}\\. {markdown_escaped(title)}" for n, title in enumerate(titles, 1)]


def test_the_example_best_papers_list_is_numbered_in_its_published_order() -> None:
    """content/editions/iclr2020-best-papers.yaml: the comments # 1 … # 16 give the order the
    list was published in; the page numbers the entries in that order."""
    source = (REPO / "content" / "editions" / "iclr2020-best-papers.yaml").read_text(encoding="utf-8")
    published = re.findall(r"^  # (\d+)\n(?:  #.*\n)*  - paper: (\S+)", source, re.M)
    assert [int(n) for n, _ in published] == list(range(1, 17))
    renderer, article, _ = merged_edition(REPO, "iclr2020-best-papers", "zh")
    assert [str(item.ref) for item in article.items] == [ref for _, ref in published]


def test_a_wrong_layout_is_reported_where_it_is_written(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(BASE_SITE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "week.yaml").write_text(
        "date: 2018-01-05\nconference: ICLR 2018\nlayout: numberd\ntitle: {en: Week, zh: 周}\n"
        "entries:\n  - paper: openreview:ryQu7f-RZ\n    category: optimization\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(root)
    assert [str(p) for p in caught.value.problems] == [
        "content/editions/week.yaml:3:9: error: layout: unknown value 'numberd' (did you mean 'numbered'?)"]


def test_the_schema_lists_the_layouts() -> None:
    schema = json.loads((REPO / "schema" / "edition.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["layout"]["enum"] == ["category", "numbered", "ranking", "sections"]
    assert schema["properties"]["rank_by"]["enum"] == ["curator", "mean_rating"]
    assert schema["properties"]["top"]["anyOf"] == [{"type": "integer", "minimum": 1}, {"type": "null"}]
    part = schema["properties"]["sections"]["items"]
    assert set(part["properties"]) == {"key", "heading", "text"} and part["required"] == ["key", "heading"]
    assert "section" in schema["properties"]["entries"]["items"]["properties"]


@pytest.mark.parametrize("channel", ["wechat", "email"])
def test_the_html_exports_number_a_numbered_edition(channel: str) -> None:
    context = export_context(REPO, "iclr2020-best-papers", "en", {"esp": "generic"})
    html = EXPORTS[channel].render(context).data.decode("utf-8")
    titles = re.findall(r'<h3[^>]*>(.*?)</h3>', html)
    assert [t.split(" ", 1)[0] for t in titles] == [f"{n}." for n in range(1, 17)]
    categories = {name for c in load_project(REPO).categories for name in c.name.values()}
    assert not categories & set(re.findall(r"<h2[^>]*>(.*?)</h2>", html))  # no category headings (references aside)


# --------------------------------------------------------------------------- sections

LANGS = ("en", "zh", "zh-Hant")
BASE = SITE.base_url
PARTS = (
    Part(key="awards", heading={"en": "Awards", "zh": "获奖论文"},
         text={"en": "Chosen by the *committee*.", "zh": "由**评审委员会**选出。"}),
    Part(key="highlights", heading={"en": "Highlights", "zh": "亮点"}),
    Part(key="conclusion", heading={"en": "Conclusion", "zh": "结语"},
         text={"en": "See you next year.", "zh": "明年再会。"}),
)
#: Written ADAM first, but MATH is in the first section.
IN_SECTIONS = (
    Entry(paper=ADAM, category="optimization", section="highlights", note={"en": "Second.", "zh": "第二篇。"}),
    Entry(paper=MATH, category="theory", section="awards", note={"en": "First.", "zh": "第一篇。"}),
)
HEADINGS = {"en": ["Awards", "Highlights", "Conclusion"], "zh": ["获奖论文", "亮点", "结语"],
            "zh-Hant": ["獲獎論文", "亮點", "結語"]}
TEXTS = {"en": ("<em>committee</em>", "See you next year."), "zh": ("<strong>评审委员会</strong>", "明年再会。"),
         "zh-Hant": ("<strong>評審委員會</strong>", "明年再會。")}
BYLINE = {"en": "By Li Wei and Anna Berg", "zh": "文／李伟、安娜·伯格"}
OUTRO = {"en": "That is all *for now*.", "zh": "本期就到这里，**下期再见**。"}
OUTROS = {"en": "<em>for now</em>", "zh": "<strong>下期再见</strong>", "zh-Hant": "<strong>下期再見</strong>"}
BYLINES = {"en": BYLINE["en"], "zh": BYLINE["zh"], "zh-Hant": "文／李偉、安娜·伯格"}


def build(root: Path, entries: tuple[Entry, ...], records: dict[PaperRef, PaperMeta] | None = None,
          **edition) -> dict[str, str]:
    proj = project(root, entries, **edition)
    proj = dataclasses.replace(proj, site=dataclasses.replace(SITE, languages=LANGS))
    out = render_site(proj, proj.editions, records or metas(), root)
    return {path: data.decode("utf-8") for path, data in out.items() if not path.startswith("images/")}


def entry_ids(html: str) -> list[str]:
    return re.findall(r'<article class="entry[^"]*" id="([^"]+)"', html)


def toc_anchors(html: str) -> list[str]:
    start = html.index('<nav class="toc')
    return anchors_any(html[start:html.index("</nav>", start)])


def anchors_any(part: str) -> list[str]:
    return re.findall(r'#(part-[\w-]+|below-cut|openreview-[\w-]+|arxiv-[\w.-]+)"', part)


@pytest.mark.parametrize("lang", LANGS)
def test_sections_show_heading_text_then_entries_in_their_order(tmp_path: Path, lang: str) -> None:
    files = build(tmp_path, IN_SECTIONS, layout="sections", sections=PARTS, byline=BYLINE, outro=OUTRO)
    page = files[f"{lang}/week-1/index.html"]
    parts = re.findall(r'<section class="edition-part" id="part-([^"]+)">\s*<header class="section-head">\s*'
                       r'<h2>([^<]+)</h2>', page)
    assert parts == list(zip(["awards", "highlights", "conclusion"], HEADINGS[lang], strict=True))
    awards = page[page.index('id="part-awards"'):page.index('id="part-highlights"')]
    assert TEXTS[lang][0] in awards and entry_ids(awards) == [MATH.slug]
    highlights = page[page.index('id="part-highlights"'):page.index('id="part-conclusion"')]
    assert entry_ids(highlights) == [ADAM.slug]
    conclusion = page[page.index('id="part-conclusion"'):page.index('<div class="outro">')]
    assert TEXTS[lang][1] in conclusion and entry_ids(conclusion) == []  # a section with text only
    assert 'class="category-section"' not in page
    assert toc_anchors(page) == ["part-awards", MATH.slug, "part-highlights", ADAM.slug, "part-conclusion"]
    count = {"en": "2 papers · 3 sections", "zh": "2 篇论文 · 3 个部分", "zh-Hant": "2 篇論文 · 3 個部分"}[lang]
    assert f'<p class="article-count">{count}</p>' in page
    # byline under the title, outro after every entry
    assert f'</h1>\n<p class="article-byline">{BYLINES[lang]}</p>' in page
    assert OUTROS[lang] in page[page.index('<div class="outro">'):]
    # the paper page and the category pages still file the entry under its category
    assert f'href="../../../{lang}/category/optimization/"' in files[f"{lang}/week-1/{ADAM.slug}/index.html"]
    assert f'id="week-1-{ADAM.slug}"' in files[f"{lang}/category/optimization/index.html"]
    # the previous and next links follow the page order: MATH (awards) then ADAM
    assert f'href="../../../{lang}/week-1/{ADAM.slug}/"' in files[f"{lang}/week-1/{MATH.slug}/index.html"]
    for kind in ("feed.xml", "atom.xml"):
        feed = feedparser.parse(files[f"{lang}/{kind}"].encode())
        assert feed.bozo == 0
        content = feed.entries[0].content[0].value
        assert re.findall(r'<h2 id="part-([^"]+)">([^<]+)</h2>', content) == list(
            zip(["awards", "highlights", "conclusion"], HEADINGS[lang], strict=True))
        assert entry_ids(content) == [MATH.slug, ADAM.slug]
        assert TEXTS[lang][0] in content and TEXTS[lang][1] in content
        assert BYLINES[lang] in content and OUTROS[lang] in content
        assert content.index(OUTROS[lang]) > content.index(f'id="{ADAM.slug}"')
        assert f'href="{BASE}{lang}/week-1/#part-awards"' in content
    json_item = json.loads(files[f"{lang}/feed.json"])["items"][0]["content_html"]
    assert entry_ids(json_item) == [MATH.slug, ADAM.slug] and OUTROS[lang] in json_item


def test_a_category_feed_keeps_the_page_order_of_a_ranking(tmp_path: Path) -> None:
    both = (Entry(paper=ADAM, category="theory"), Entry(paper=MATH, category="theory"))
    records = {**metas(), MATH: dataclasses.replace(metas()[MATH], ratings=(9, 9))}
    files = build(tmp_path, both, records, layout="ranking", rank_by="mean_rating")
    feed = feedparser.parse(files["en/category/theory/feed.xml"].encode())
    assert [e.link.rsplit("/", 2)[-2] for e in feed.entries] == [MATH.slug, ADAM.slug]
    listing = files["en/category/theory/index.html"]
    assert order(listing, f'id="week-1-{ADAM.slug}"', f'id="week-1-{MATH.slug}"') == [
        f'id="week-1-{MATH.slug}"', f'id="week-1-{ADAM.slug}"']


# --------------------------------------------------------------------------- ranking

TIED_A, TIED_B, BEST = (PaperRef("openreview", "SJyVzQ-C-"), PaperRef("openreview", "rJ33wwxRb"),
                        PaperRef("openreview", "S1uxsye0Z"))
#: Written: ADAM (mean 17/3), MATH (no ratings), TIED_A and TIED_B (19/3 each), BEST (9).
RANKED = tuple(Entry(paper=ref, category="optimization", note={"en": f"Note {i}.", "zh": f"第{i}条点评。"})
               for i, ref in enumerate((ADAM, MATH, TIED_A, TIED_B, BEST), 1))


def ranking_metas() -> dict[PaperRef, PaperMeta]:
    def record(ref: PaperRef, title: str, ratings: tuple[int, ...]) -> PaperMeta:
        return PaperMeta(ref=ref, source="corpus", fetched_at="2024-01-01T00:00:00Z", title=title,
                         venue="ICLR 2018", ratings=ratings, openreview_id=ref.value)
    return {**metas(), TIED_A: record(TIED_A, "Tied paper A", (6, 6, 7)),
            TIED_B: record(TIED_B, "Tied paper B", (7, 6, 6)), BEST: record(BEST, "Best paper", (9, 9))}


BY_MEAN = [BEST.slug, TIED_A.slug, TIED_B.slug, ADAM.slug, MATH.slug]
TIE_RULES = {
    "en": "Tie at the cut: 2 papers share a mean rating of 6.3, and the top 2 has room for 1 of them. Ties are "
          "broken by the curator’s order: of papers with the same mean rating, the one written first in the "
          "edition ranks higher.",
    "zh": "并列说明：有 2 篇论文的平均分同为 6.3，而前 2 名只容得下其中 1 篇。同分论文按编者列出的顺序排名，列在前面的名次更高。",
    "zh-Hant": "並列說明：有 2 篇論文的平均分同為 6.3，而前 2 名只容得下其中 1 篇。同分論文按編者列出的順序排名，列在前面的名次更高。",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_ranking_by_mean_rating_cut_inside_a_tie_states_the_tie_rule(tmp_path: Path, lang: str) -> None:
    files = build(tmp_path, RANKED, ranking_metas(), layout="ranking", rank_by="mean_rating", top=2)
    page = files[f"{lang}/week-1/index.html"]
    numbered = page[page.index('<ol class="numbered-entries">'):page.index("</ol>", page.index('<ol class="numbered-entries">'))]
    assert entry_ids(numbered) == [BEST.slug, TIED_A.slug]  # the tie goes to the one written first
    below = page[page.index('<section class="below-cut" id="below-cut">'):]
    assert entry_ids(below) == [TIED_B.slug, ADAM.slug, MATH.slug]  # no ratings: last
    assert entry_ids(page) == BY_MEAN
    assert f'<p class="tie-rule">{TIE_RULES[lang]}</p>' in page
    assert page.index('class="tie-rule"') < page.index('id="below-cut"')
    assert toc_anchors(page) == [BEST.slug, TIED_A.slug, "below-cut", TIED_B.slug, ADAM.slug, MATH.slug]
    heading = {"en": "Below the cut", "zh": "榜单之外", "zh-Hant": "榜單之外"}[lang]
    assert f"<h2>{heading}</h2>" in below
    # previous and next follow the ranking; every entry keeps its page
    assert f'href="../../../{lang}/week-1/{TIED_A.slug}/"' in files[f"{lang}/week-1/{BEST.slug}/index.html"]
    assert f"{lang}/week-1/{MATH.slug}/index.html" in files
    for kind in ("feed.xml", "atom.xml"):
        content = feedparser.parse(files[f"{lang}/{kind}"].encode()).entries[0].content[0].value
        assert entry_ids(content) == BY_MEAN
        assert TIE_RULES[lang] in content
        assert f'<h2 id="below-cut">{heading}</h2>' in content


def test_a_cut_between_different_means_has_no_tie_rule(tmp_path: Path) -> None:
    files = build(tmp_path, RANKED, ranking_metas(), layout="ranking", rank_by="mean_rating", top=3)
    page = files["en/week-1/index.html"]
    numbered = page[page.index('<ol class="numbered-entries">'):page.index('id="below-cut"')]
    assert entry_ids(numbered) == BY_MEAN[:3] and "tie-rule" not in page
    # without top, every entry is numbered and there is no cut at all
    whole = build(tmp_path / "all", RANKED, ranking_metas(), layout="ranking", rank_by="mean_rating")["en/week-1/index.html"]
    assert whole.count('<li class="numbered-entry">') == 5 and "below-cut" not in whole and "tie-rule" not in whole


def test_a_ranking_by_the_curator_keeps_the_written_order(tmp_path: Path) -> None:
    files = build(tmp_path, RANKED, ranking_metas(), layout="ranking", top=2)
    page = files["en/week-1/index.html"]
    assert entry_ids(page) == [ADAM.slug, MATH.slug, TIED_A.slug, TIED_B.slug, BEST.slug]
    assert page.count('<li class="numbered-entry">') == 2 and "tie-rule" not in page


def test_the_exports_follow_a_ranking_and_its_cut(tmp_path: Path) -> None:
    from digest.exports import email, wechat
    from digest.exports.registry import ExportContext
    from digest.site.merge import merge_edition
    from digest.site.render import Renderer

    proj = project(tmp_path, RANKED, layout="ranking", rank_by="mean_rating", top=2, byline=BYLINE, outro=OUTRO)
    article = merge_edition(proj.editions[0], proj.categories, ranking_metas(), "en", ("en", "zh"))
    renderer = Renderer(DEFAULT_TEMPLATES, proj.site, proj.categories)
    context = ExportContext(proj.site, proj.categories, article, "en", renderer, {})
    rule = TIE_RULES["en"]
    for channel in ("markdown", "zhihu"):
        text = EXPORTS[channel].render(context).data.decode("utf-8")
        headings = [line for line in text.splitlines() if line.startswith("##")]
        assert headings == ["### 1\\. Best paper", "### 2\\. Tied paper A", "## Below the cut", "### Tied paper B",
                            f"### {markdown_escaped(TITLES[ADAM])}", f"### {markdown_escaped(TITLES[MATH])}"]
        assert markdown_escaped(rule).strip() in text and text.index("Tie at the cut") < text.index("## Below the cut")
        assert BYLINE["en"] in text and text.rstrip().endswith("That is all *for now*.")
    for html in (wechat.fragment(context), email.html(context, "generic")):
        titles = re.findall(r"<h3[^>]*>(.*?)</h3>", html)
        assert titles == ["1. Best paper", "2. Tied paper A", "Tied paper B", "On the Convergence of Adam and Beyond",
                          "Math &lt;in&gt; *titles* &amp; more"]
        assert "Below the cut" in html and "Tie at the cut: 2 papers" in html and BYLINE["en"] in html
        assert html.index("Tie at the cut") < html.index("Below the cut") < html.index("Tied paper B")
        assert html.index("for now") > html.index("Math &lt;in&gt;")  # the outro comes after the entries
    plain = email.text(context, "generic")
    assert plain.index("* 2. Tied paper A") < plain.index("Tie at the cut") < plain.index("Below the cut")
    assert plain.index("* Tied paper B") < plain.index("That is all for now.")


def test_the_exports_follow_the_sections(tmp_path: Path) -> None:
    from digest.exports import email, wechat
    from digest.exports.registry import ExportContext
    from digest.site.merge import merge_edition
    from digest.site.render import Renderer

    proj = project(tmp_path, IN_SECTIONS, layout="sections", sections=PARTS)
    article = merge_edition(proj.editions[0], proj.categories, metas(), "zh", ("en", "zh"))
    context = ExportContext(proj.site, proj.categories, article, "zh", Renderer(DEFAULT_TEMPLATES, proj.site, proj.categories), {})
    for channel in ("markdown", "zhihu"):
        text = EXPORTS[channel].render(context).data.decode("utf-8")
        assert [line for line in text.splitlines() if line.startswith("##")] == [
            "## 获奖论文", f"### {markdown_escaped(TITLES[MATH])}", "## 亮点", f"### {TITLES[ADAM]}", "## 结语"]
        assert text.index("由**评审委员会**选出。") < text.index("第一篇。") and text.rstrip().endswith("明年再会。")
    for html in (wechat.fragment(context), email.html(context, "generic")):
        assert re.findall(r"<h2[^>]*>(.*?)</h2>", html)[:3] == ["获奖论文", "亮点", "结语"]  # references aside
        assert html.index("评审委员会") < html.index("Math &lt;in&gt;") < html.index("亮点") < html.index("Adam")
        assert "明年再会。" in html[html.index("结语"):]
    plain = email.text(context, "generic")
    assert plain.index("获奖论文") < plain.index("由评审委员会选出。") < plain.index("* Math") < plain.index("亮点")


# --------------------------------------------------------------------------- validation

def load_errors(tmp_path: Path, text: str) -> list[str]:
    root = tmp_path / "site"
    shutil.copytree(BASE_SITE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "week.yaml").write_text(
        "date: 2018-01-05\nconference: ICLR 2018\ntitle: {en: Week, zh: 周}\n" + text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(root)
    return [str(p) for p in caught.value.problems]


ONE_ENTRY = "entries:\n  - paper: openreview:ryQu7f-RZ\n    category: optimization\n"


@pytest.mark.parametrize(("text", "expected"), [
    ("layout: ranking\nrank_by: mean_ratings\n" + ONE_ENTRY,
     "content/editions/week.yaml:5:10: error: rank_by: unknown value 'mean_ratings' (did you mean 'mean_rating'?)"),
    ("layout: ranking\ntop: 0\n" + ONE_ENTRY,
     "content/editions/week.yaml:5:6: error: top: expected a whole number of 1 or more, found the number 0 "
     "(write a number such as 10, without quotes)"),
    ("layout: numbered\ntop: 5\n" + ONE_ENTRY,
     "content/editions/week.yaml:5:6: error: top: top is used only by the ranking layout, and this edition's "
     "layout is numbered (add layout: ranking, or remove top)"),
    ("rank_by: mean_rating\n" + ONE_ENTRY,
     "content/editions/week.yaml:4:10: error: rank_by: rank_by is used only by the ranking layout, and this "
     "edition's layout is category (add layout: ranking, or remove rank_by)"),
    ("layout: sections\n" + ONE_ENTRY,
     "content/editions/week.yaml:4:9: error: layout: the sections layout needs the edition's sections "
     "(add sections: with a key and a heading for each)"),
    ("sections:\n  - key: awards\n    heading: {en: Awards, zh: 获奖论文}\n" + ONE_ENTRY,
     "content/editions/week.yaml:5:3: error: sections: sections are shown only by the sections layout, and this "
     "edition's layout is category (add layout: sections, or remove sections)"),
    (ONE_ENTRY + "    section: awards\n",
     "content/editions/week.yaml:7:14: error: entries[0].section: an entry's section is used only by the sections "
     "layout, and this edition's layout is category (add layout: sections and the edition's sections, or remove section)"),
])
def test_a_wrong_ranking_or_sections_field_is_reported_where_it_is_written(tmp_path: Path, text: str,
                                                                         expected: str) -> None:
    assert load_errors(tmp_path, text) == [expected]


def test_wrong_sections_are_each_reported_where_they_are_written(tmp_path: Path) -> None:
    assert load_errors(tmp_path, (
        "layout: sections\nsections:\n  - key: awards\n    heading: {en: Awards, zh: 获奖论文}\n"
        "  - key: awards\n    heading: {en: Again, zh: 又一次}\n"
        "entries:\n  - paper: openreview:ryQu7f-RZ\n    category: optimization\n    section: award\n"
        "  - paper: openreview:rJ33wwxRb\n    category: optimization\n")) == [
        "content/editions/week.yaml:8:10: error: sections[1].key: section 'awards' is already defined at sections[0] "
        "(give each section its own key)",
        "content/editions/week.yaml:13:14: error: entries[0].section: unknown section 'award' "
        "(use one of awards, or add it to sections)",
        "content/editions/week.yaml:14:12: error: entries[1].section: an entry of the sections layout needs a section "
        "(add section: with one of awards)",
    ]


# --------------------------------------------------------------------------- the example

#: The ICLR 2017 article's sections and their papers (../shared/ROUNDUPS.md, C).
ICLR2017_SECTIONS = {
    "generative-models": "BJhZeLsxx BJrFC6ceg ryh9pmcee ry7O1ssex HJKkY35le BydrOIcle S1X7nhsxl B1ElR4cgg BJtNZAFgg",
    "reinforcement-learning": "Bkul3t9ee B16dGcqlx r1LXit5ee ry4Vrt5gl r1Ue8Hcxg S1c2cvqee Hk3mPK5gg rJLS7qKel",
    "understanding-cnns": "ryF7rTqgl Syfkm6cgx rJQKYt5ll SJBr9Mcxl BJ5UeU9xx",
    "adversarial-examples": "S1OufnIlx SJk01vogl Sys6GJqxl",
    "attention-and-memory": "HkE0Nvqlg BJ0Ee8cxx HJDdiT9gl HkyYqU9lx",
}


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
def test_the_example_2017_highlights_are_in_the_articles_sections(lang: str) -> None:
    renderer, article, _ = merged_edition(REPO, "iclr2017-highlights", lang)
    assert article.layout == "sections" and article.byline and article.outro
    assert [(g.part.key, [i.ref.value for i in g.items]) for g in article.groups] == [
        (key, ids.split()) for key, ids in ICLR2017_SECTIONS.items()]
    assert all(g.part.heading.lang == lang and g.part.text.lang == lang for g in article.groups)
    assert article.outro.lang == lang and article.byline.lang == lang


def test_an_incremental_build_after_editing_the_layout_fields_is_a_cold_build(tmp_path: Path) -> None:
    """The article's own fields (outro, a section's text, an entry's section, the ranking's
    top) are in its pages' keys: an edit to each renders them again."""
    from test_build_cache import cold, edit

    from digest.pipeline import build

    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    highlights, best = "content/editions/iclr2017-highlights.yaml", "content/editions/iclr2020-best-papers.yaml"
    build(site, site / "output")
    edit(site, highlights, "Our next roundup comes after", "Our next roundup, as promised, comes after")
    edit(site, highlights, "hard monotonic alignments", "hard, monotonic alignments")
    build(site, site / "output")
    page = (site / "output" / "en" / "iclr2017-highlights" / "index.html").read_text(encoding="utf-8")
    assert "as promised" in page and "hard, monotonic" in page
    assert tree(site / "output") == cold(site, tmp_path)
    edit(site, highlights, "    section: attention-and-memory\n", "    section: adversarial-examples\n")
    build(site, site / "output")
    assert tree(site / "output") == cold(site, tmp_path)
    edit(site, best, "layout: numbered", "layout: ranking\ntop: 10")
    build(site, site / "output")
    page = (site / "output" / "en" / "iclr2020-best-papers" / "index.html").read_text(encoding="utf-8")
    assert page.count('<li class="numbered-entry">') == 10 and 'id="below-cut"' in page
    assert tree(site / "output") == cold(site, tmp_path)
