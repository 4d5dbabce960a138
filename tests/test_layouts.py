"""Edition layouts: ``category`` (the default) and ``numbered``. A numbered article keeps the
curator's order in the page, its table of contents, the edition feeds and the exports, in
every language; a wrong value is reported where it is written."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import REPO
from test_feed_rules import CONTENT
from test_render import ADAM, MATH, metas, project

from digest.content.project import load_project
from digest.core.errors import ContentError
from digest.core.models import Entry
from digest.exports.channels import EXPORTS
from digest.pipeline import export_context, merged_edition, render_site
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
    assert schema["properties"]["layout"]["enum"] == ["category", "numbered"]


@pytest.mark.parametrize("channel", ["wechat", "email"])
def test_the_html_exports_number_a_numbered_edition(channel: str) -> None:
    context = export_context(REPO, "iclr2020-best-papers", "en", {"esp": "generic"})
    html = EXPORTS[channel].render(context).data.decode("utf-8")
    titles = re.findall(r'<h3[^>]*>(.*?)</h3>', html)
    assert [t.split(" ", 1)[0] for t in titles] == [f"{n}." for n in range(1, 17)]
    categories = {name for c in load_project(REPO).categories for name in c.name.values()}
    assert not categories & set(re.findall(r"<h2[^>]*>(.*?)</h2>", html))  # no category headings (references aside)
