"""digest.site.render: pages from merged content, escaped, sanitised, in each language."""

from __future__ import annotations

import dataclasses
import re
import struct
import zlib
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digest.content.project import Project
from digest.core.errors import BuildError
from digest.core.ids import PaperRef
from digest.core.models import Category, Edition, Entry, Figure, PaperMeta, Site
from digest.pipeline import DEFAULT_TEMPLATES, render_site
from digest.site.render import Renderer

SITE = Site(title={"en": "Paper Digest", "zh": "论文导读"}, base_url="https://digest.example.org/",
            description={"en": "Papers.", "zh": "论文。"}, author="The editors")
CATS = (Category(key="optimization", name={"en": "Optimization", "zh": "优化"}),
        Category(key="theory", name={"en": "Theory", "zh": "理论"}))
ADAM = PaperRef("openreview", "ryQu7f-RZ")
MATH = PaperRef("arxiv", "1710.10571")
TRICKY = "We show $a<b$ and $c>d$ for *all* x_1 & <script>alert(1)</script>"


def png(width: int, height: int) -> bytes:
    """A real, valid PNG of the given size (one grey row repeated)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def metas() -> dict[PaperRef, PaperMeta]:
    return {
        ADAM: PaperMeta(ref=ADAM, source="corpus", fetched_at="2024-01-01T00:00:00Z",
                        title="On the Convergence of Adam and Beyond",
                        authors=("Sashank J. Reddi", "Satyen Kale", "Sanjiv Kumar", "Ann Other", "Fifth Author"),
                        abstract="First paragraph.\n\nSecond <b>paragraph</b>.", venue="ICLR 2018",
                        decision="oral", ratings=(8, 8, 1), openreview_id="ryQu7f-RZ"),
        MATH: PaperMeta(ref=MATH, source="arxiv", fetched_at="2024-01-01T00:00:00Z",
                        title="Math <in> *titles* & more", authors=("A. Author",), abstract=TRICKY,
                        tldr="Short & <sweet>."),
    }


def project(root: Path, entries: tuple[Entry, ...] | None = None, **edition) -> Project:
    entries = entries or (
        Entry(paper=ADAM, category="optimization", title={"zh": "论 Adam 的收敛性"},
              note={"en": "Read **this**.", "zh": "值得一读。"},
              figure=Figure(src="images/chart.png", alt={"en": "A chart", "zh": "图表"},
                            caption={"en": "Ratings *per* reviewer."})),
        Entry(paper=MATH, category="theory", note={"en": "Remote figure.", "zh": "远程图片。"},
              figure=Figure(src="https://example.org/fig.png", alt={"en": "Remote", "zh": "远程"})),
    )
    ed = Edition(date=date(2018, 1, 5), conference="ICLR 2018", title={"en": "Week one", "zh": "第一周"},
                 entries=entries, slug="week-1", intro={"en": "Hello *readers*.", "zh": "各位好。"}, **edition)
    (root / "content" / "images").mkdir(parents=True, exist_ok=True)
    (root / "content" / "images" / "chart.png").write_bytes(png(36, 21))
    return Project(root, SITE, CATS, (ed,))


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, str]:
    proj = project(tmp_path)
    out = render_site(proj, proj.editions, metas(), tmp_path)
    return {path: data.decode("utf-8") for path, data in out.items() if not path.startswith("images/")}


def test_every_page_of_both_languages(files: dict[str, str]) -> None:
    for lang in ("en", "zh"):
        for page in ("index.html", "week-1/index.html", "week-1/openreview-ryQu7f-RZ/index.html",
                     "week-1/arxiv-1710.10571/index.html", "category/optimization/index.html",
                     "category/theory/index.html", "feed.xml", "atom.xml", "category/theory/feed.xml"):
            assert f"{lang}/{page}" in files
    for name in ("index.html", "sitemap.xml", "feeds.opml", "static/style.css"):
        assert name in files


def test_fetched_text_is_escaped_never_markdown(files: dict[str, str]) -> None:
    page = files["en/week-1/arxiv-1710.10571/index.html"]
    # the math becomes MathML (tests/test_render_math.py); the rest stays text
    assert "</math> for *all* x_1 &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "We show <math" in page
    assert "Math &lt;in&gt; *titles* &amp; more" in page
    assert "Short &amp; &lt;sweet&gt;." in page
    assert "<script>" not in page and "<em>all</em>" not in page
    # blank lines make paragraphs; markup inside stays text
    adam = files["en/week-1/openreview-ryQu7f-RZ/index.html"]
    assert "<p>First paragraph.</p>\n<p>Second &lt;b&gt;paragraph&lt;/b&gt;.</p>" in adam


def test_curator_markdown_is_rendered(files: dict[str, str]) -> None:
    assert "<p>Read <strong>this</strong>.</p>" in files["en/week-1/index.html"]
    assert "<p>Hello <em>readers</em>.</p>" in files["en/week-1/index.html"]


def test_markdown_is_sanitised_to_an_allow_list(tmp_path: Path) -> None:
    r = Renderer(DEFAULT_TEMPLATES, SITE, CATS)
    html = str(r.markdown(
        "<script>alert(1)</script> [js](javascript:alert(1)) [rel](../secret.html) [mail](mailto:a@b.org) "
        "[web](https://ok.org/x?a=1&b=2) <img src=x onerror=alert(1)> <iframe src=https://evil.org></iframe> "
        '<a href="https://ok.org" onclick="steal()">click</a>\n\n# Big heading'))
    assert "<script" not in html and "alert(1)</" not in html
    assert "javascript:" not in html and "onerror" not in html and "onclick" not in html
    assert "<img" not in html and "<iframe" not in html and "<h1" not in html
    assert 'href="../secret.html"' not in html
    assert '<a href="mailto:a@b.org" rel="noopener">mail</a>' in html
    assert '<a href="https://ok.org/x?a=1&amp;b=2" rel="noopener">web</a>' in html
    assert "Big heading" in html


def test_templates_escape_everything_and_fail_loudly(tmp_path: Path) -> None:
    r = Renderer(DEFAULT_TEMPLATES, SITE, CATS)
    for lang in SITE.languages:
        assert r.environment(lang).autoescape is True  # for every template name, .xml included
        assert r.environment(lang).from_string("{{ x }}").render(x="<b>&") == "&lt;b&gt;&amp;"
    broken = tmp_path / "templates"
    broken.mkdir()
    for source in DEFAULT_TEMPLATES.iterdir():
        if source.is_file():
            (broken / source.name).write_bytes(source.read_bytes())
    (broken / "home.html").write_text('{% extends "base.html" %}{% block main %}{{ no_such_thing }}{% endblock %}')
    proj = project(tmp_path)
    with pytest.raises(BuildError, match=r"^templates/home.html:1: 'no_such_thing' is undefined \(while rendering en/index.html; fix the template\)$"):
        render_site(proj, proj.editions, metas(), tmp_path)


def test_no_template_marks_anything_safe() -> None:
    for template in DEFAULT_TEMPLATES.rglob("*"):
        if template.is_file() and template.suffix in (".html", ".xml"):
            text = template.read_text()
            assert not re.search(r"\|\s*safe\b", text), template.name
            assert "autoescape false" not in text, template.name


def test_chinese_pages(files: dict[str, str]) -> None:
    zh = files["zh/week-1/index.html"]
    en = files["en/week-1/index.html"]
    assert zh.startswith('<!doctype html>\n<html lang="zh-Hans">')
    assert en.startswith('<!doctype html>\n<html lang="en">')
    assert "2018年1月5日" in zh and "January 5, 2018" in en
    assert '<p class="entry-local-title">论 Adam 的收敛性</p>' in zh
    assert "论 Adam 的收敛性" not in en
    # names in Latin letters are tagged as English on a Chinese page, the joining words are not
    assert ('<p class="authors"><span lang="en">Sashank J. Reddi</span>、<span lang="en">Satyen Kale</span>、'
            '<span lang="en">Sanjiv Kumar</span> 等</p>') in zh
    assert '<p class="authors">Sashank J. Reddi, Satyen Kale, Sanjiv Kumar et al.</p>' in en
    assert '<span class="venue" lang="en">ICLR 2018</span>' in zh and '<span class="venue">ICLR 2018</span>' in en
    # the untranslated abstract is marked as the English original
    block = re.search(r'<section class="abstract" data-source="fetched">.*?</section>', zh, re.S).group(0)
    assert '<span class="original">英文原文</span>' in block
    assert '<div class="text" lang="en">' in block
    assert "Original in" not in en.split('class="abstract"')[1].split("</section>")[0]


def test_badges_and_ratings(files: dict[str, str]) -> None:
    en = files["en/week-1/index.html"]
    zh = files["zh/week-1/index.html"]
    assert '<span class="badge badge-oral">Oral</span>' in en
    assert '<span class="badge badge-oral">口头报告</span>' in zh
    assert '8 · 8 · 1 <span class="mean">mean 5.7</span>' in en
    assert '8 · 8 · 1 <span class="mean">均分 5.7</span>' in zh


def test_language_switcher_alternates_and_feed_discovery(files: dict[str, str]) -> None:
    page = files["en/week-1/openreview-ryQu7f-RZ/index.html"]
    assert ('<a href="../../../zh/week-1/openreview-ryQu7f-RZ/" hreflang="zh-Hans" lang="zh-Hans" '
            'rel="alternate">中文</a>') in page
    assert ('<link rel="alternate" hreflang="zh-Hans" '
            'href="https://digest.example.org/zh/week-1/openreview-ryQu7f-RZ/">') in page
    assert ('<link rel="alternate" hreflang="x-default" '
            'href="https://digest.example.org/en/week-1/openreview-ryQu7f-RZ/">') in page
    assert '<link rel="alternate" type="application/rss+xml" title="Paper Digest (RSS)" href="../../../en/feed.xml">' in page
    assert 'type="application/atom+xml"' in page
    assert 'href="../../../en/category/optimization/feed.xml"' in page  # the entry's category feed
    root = files["index.html"]
    assert '<a class="chooser-option" href="en/" hreflang="en" lang="en">' in root
    assert '<a class="chooser-option" href="zh/" hreflang="zh-Hans" lang="zh-Hans">' in root


class _Alternates(HTMLParser):
    """``<link rel="alternate" hreflang=…>`` of a page's head, as (hreflang, href) pairs."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") == "alternate" and found.get("hreflang") and not found.get("type"):
            self.links.append((found["hreflang"], found["href"] or ""))


def alternates_of(html: str) -> dict[str, str]:
    parser = _Alternates()
    parser.feed(html)
    assert len(parser.links) == len(dict(parser.links)), parser.links  # one link per language
    return dict(parser.links)


@pytest.mark.parametrize("default", ["en", "zh"])
def test_x_default_is_the_chooser_on_homes_and_the_default_language_elsewhere(tmp_path: Path, default: str) -> None:
    proj = project(tmp_path)
    proj = Project(proj.root, dataclasses.replace(SITE, default_language=default), proj.categories, proj.editions)
    files = render_site(proj, proj.editions, metas(), tmp_path)
    pages = {path: data.decode() for path, data in files.items() if path.endswith(".html")}
    chooser = "https://digest.example.org/"
    homes = {"index.html", "en/index.html", "zh/index.html"}
    cluster = {"en": f"{chooser}en/", "zh-Hans": f"{chooser}zh/", "x-default": chooser}
    assert len(pages) > 10
    for path, html in pages.items():
        links = alternates_of(html)
        if path in homes:
            assert links == cluster, path
        else:
            assert links["x-default"] == links[{"en": "en", "zh": "zh-Hans"}[default]], path
            assert links["x-default"] != chooser and links["x-default"].endswith(path[path.index("/"):-len("index.html")])


def test_edition_page_structure(files: dict[str, str]) -> None:
    page = files["en/week-1/index.html"]
    toc = page.index('<nav class="toc"')
    first, second = page.index('id="cat-optimization"'), page.index('id="cat-theory"')
    assert toc < first < second
    assert page.index('id="openreview-ryQu7f-RZ"') < second < page.index('id="arxiv-1710.10571"')
    for kind, url in (("openreview", "https://openreview.net/forum?id=ryQu7f-RZ"),
                      ("pdf", "https://openreview.net/pdf?id=ryQu7f-RZ"),
                      ("arxiv", "https://arxiv.org/abs/1710.10571")):
        assert f'<a class="link-{kind}" href="{url}">' in page


def test_figures_local_with_size_and_remote_by_url(tmp_path: Path) -> None:
    proj = project(tmp_path)
    out = render_site(proj, proj.editions, metas(), tmp_path)
    assert out["images/chart.png"] == (tmp_path / "content/images/chart.png").read_bytes()
    page = out["en/week-1/index.html"].decode()
    assert '<img src="../../images/chart.png" alt="A chart" width="36" height="21"' in page
    assert '<img src="https://example.org/fig.png" alt="Remote" loading="lazy"' in page
    assert "<p>Ratings <em>per</em> reviewer.</p>" in page
    paper = out["zh/week-1/openreview-ryQu7f-RZ/index.html"].decode()
    assert '<img src="../../../images/chart.png" alt="图表" width="36" height="21"' in paper


def test_category_page_lists_entries_newest_first(tmp_path: Path) -> None:
    proj = project(tmp_path)
    later = Edition(date=date(2018, 3, 1), conference="ICLR 2018", title={"en": "Week two", "zh": "第二周"},
                    entries=(Entry(paper=PaperRef("openreview", "laterpaper"), category="theory"),), slug="week-2")
    editions = (later, *proj.editions)
    out = render_site(Project(tmp_path, SITE, CATS, editions), editions, metas(), tmp_path)
    page = out["en/category/theory/index.html"].decode()
    assert page.index("openreview-laterpaper") < page.index("arxiv-1710.10571")
    assert page.index("Week two") < page.index("Week one")
    home = out["en/index.html"].decode()
    assert home.index("Week two") < home.index("Week one")


def test_templates_run_on_jinjas_own_context_with_functions_bound_to_the_language(tmp_path: Path) -> None:
    """No private Jinja2 machinery: each language's environment keeps Jinja's Context, and its
    functions give that language's text without reading the context (the page's ``lang``
    variable does not steer them)."""
    from jinja2.runtime import Context

    r = Renderer(DEFAULT_TEMPLATES, SITE, CATS)
    source = '{{ _("Oral") }}|{{ 1234|number }}|{{ home_path() }}|{{ text({"en": "E", "zh": "Z"}) }}'
    shown = {lang: r.environment(lang).from_string(source).render(lang="xx") for lang in SITE.languages}
    assert all(r.environment(lang).context_class is Context for lang in SITE.languages)
    assert shown["en"] == "Oral|1,234|en/index.html|E"
    assert shown["zh"].endswith("|1,234|zh/index.html|Z") and shown["zh"] != shown["en"]
