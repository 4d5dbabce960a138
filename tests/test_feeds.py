"""Feeds read by a real feed client (feedparser): valid, complete, dated by content, ids that never change."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import feedparser
import pytest
from conftest import is_feed
from test_feed_rules import CONTENT, feed_problems, json_feed_problems
from test_render import ADAM, CATS, MATH, SITE, metas, project

from digest.content.project import Project, load_project
from digest.core.ids import PaperRef
from digest.core.models import Category, Edition, Entry, Feeds
from digest.pipeline import render_site
from digest.site.feeds import edition_id, entry_id

BASE = "https://digest.example.org/"
BASE_SITE = Path(__file__).parent / "cases" / "base"


def site_files(proj: Project) -> dict[str, bytes]:
    return render_site(proj, proj.editions, metas(), proj.root)


def parse(files: dict[str, bytes], path: str) -> feedparser.FeedParserDict:
    feed = feedparser.parse(files[path])
    assert feed.bozo == 0, (path, feed.get("bozo_exception"))
    return feed


def two_editions(root: Path) -> Project:
    proj = project(root)
    later = Edition(date=date(2018, 3, 1), conference="ICLR 2018", title={"en": "Week two", "zh": "第二周"},
                    entries=(Entry(paper=PaperRef("openreview", "laterpaper"), category="theory",
                                   note={"en": "New.", "zh": "新的。"}),), slug="week-2")
    return dataclasses.replace(proj, editions=(later, *proj.editions))


def feed_ids(files: dict[str, bytes]) -> dict[str, list[str]]:
    return {path: [e.id for e in parse(files, path).entries] for path in sorted(files) if path.endswith(".xml")
            and path != "sitemap.xml"}


def test_every_feed_parses_cleanly_with_the_expected_items(tmp_path: Path) -> None:
    files = site_files(two_editions(tmp_path))
    for lang, bcp in (("en", "en"), ("zh", "zh-Hans")):
        for kind in ("feed.xml", "atom.xml"):
            feed = parse(files, f"{lang}/{kind}")
            assert feed.version == ("rss20" if kind == "feed.xml" else "atom10")
            assert feed.feed.language == bcp
            assert [e.link for e in feed.entries] == [f"{BASE}{lang}/week-2/", f"{BASE}{lang}/week-1/"]
            assert [e.id for e in feed.entries] == [
                f"tag:digest.example.org,2018:{lang}/week-2", f"tag:digest.example.org,2018:{lang}/week-1"]
            assert [e.published_parsed[:3] for e in feed.entries] == [(2018, 3, 1), (2018, 1, 5)]
            assert feed.feed.updated_parsed[:6] == (2018, 3, 1, 0, 0, 0)
            selfs = [link.href for link in feed.feed.links if link.rel == "self"]
            assert selfs == [f"{BASE}{lang}/{kind}"]
        theory = parse(files, f"{lang}/category/theory/feed.xml")
        assert theory.feed.language == bcp
        assert [e.link for e in theory.entries] == [
            f"{BASE}{lang}/week-2/openreview-laterpaper/", f"{BASE}{lang}/week-1/arxiv-1710.10571/"]
        assert [e.id for e in theory.entries] == [
            f"tag:digest.example.org,2018:{lang}/week-2/openreview:laterpaper",
            f"tag:digest.example.org,2018:{lang}/week-1/arxiv:1710.10571"]
        assert [e.guidislink for e in theory.entries] == [False, False]
        optimization = parse(files, f"{lang}/category/optimization/feed.xml")
        assert [e.id.rsplit("/", 1)[1] for e in optimization.entries] == [str(ADAM)]


def test_the_json_feed_carries_the_rss_feed_items(tmp_path: Path) -> None:
    """Same items as RSS and Atom, in the same order, with the same ids, links, titles, dates
    and content; valid to the JSON Feed 1.1 rules; advertised on every page."""
    files = site_files(two_editions(tmp_path))
    for lang in ("en", "zh"):
        rss = parse(files, f"{lang}/feed.xml")
        data = files[f"{lang}/feed.json"]
        assert json_feed_problems(f"{lang}/feed.json", data, BASE) == []
        assert data.endswith(b"}\n") and b"\\u" not in data  # UTF-8 as is, one final newline
        feed = json.loads(data)
        assert feed["home_page_url"] == f"{BASE}{lang}/"
        assert feed["title"] == rss.feed.title
        assert [i["id"] for i in feed["items"]] == [e.id for e in rss.entries]
        assert [i["url"] for i in feed["items"]] == [e.link for e in rss.entries]
        assert [i["title"] for i in feed["items"]] == [e.title for e in rss.entries]
        encoded = [e.text for e in ET.fromstring(files[f"{lang}/feed.xml"]).iter(f"{{{CONTENT}}}encoded")]
        assert [i["content_html"] for i in feed["items"]] == encoded  # as written (feedparser drops data-*)
        assert [i["summary"] for i in feed["items"]] == [e.summary for e in rss.entries]
        assert [i["date_published"][:10] for i in feed["items"]] == ["2018-03-01", "2018-01-05"]
        assert [i["tags"] for i in feed["items"]] == [[t.term for t in e.tags] for e in rss.entries]
        page = files[f"{lang}/week-1/index.html"].decode()
        assert (f'<link rel="alternate" type="application/feed+json" title="{rss.feed.title} (JSON Feed)" '
                f'href="../../{lang}/feed.json">') in page


def test_rss_guids_are_not_permalinks(tmp_path: Path) -> None:
    rss = site_files(project(tmp_path))["en/feed.xml"].decode()
    assert '<guid isPermaLink="false">tag:digest.example.org,2018:en/week-1</guid>' in rss
    assert "<lastBuildDate>Fri, 05 Jan 2018 00:00:00 +0000</lastBuildDate>" in rss


def test_edition_item_carries_the_whole_article_with_absolute_links(tmp_path: Path) -> None:
    files = site_files(project(tmp_path))
    for path in ("en/feed.xml", "en/atom.xml"):
        html = parse(files, path).entries[0].content[0].value
        assert "On the Convergence of Adam and Beyond" in html and "Math &lt;in&gt; *titles* &amp; more" in html
        assert "</math> for *all* x_1 &amp; &lt;script&gt;" in html  # plain text stays text inside the feed too
        assert "<mi>a</mi><mo>&lt;</mo><mi>b</mi>" in html  # and its math is MathML
        assert "Read <strong>this</strong>." in html
        links = re.findall(r'(?:href|src)="([^"]*)"', html)
        assert links and all(link.startswith(("https://", "mailto:")) for link in links), links
        assert f'src="{BASE}images/chart.png"' in html
    zh = parse(files, "zh/feed.xml").entries[0]
    assert zh.title == "第一周"
    assert "论 Adam 的收敛性" in zh.content[0].value


def test_dates_come_from_content_never_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proj = project(tmp_path)
    first = site_files(proj)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        second = site_files(proj)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert {p: d for p, d in first.items() if is_feed(p)} == {p: d for p, d in second.items() if is_feed(p)}
    assert b"2018-01-05T00:00:00+00:00" in first["en/atom.xml"]


def test_ids_survive_editing_a_note_fixing_a_title_and_adding_an_edition(tmp_path: Path) -> None:
    proj = project(tmp_path)
    before = feed_ids(site_files(proj))
    ed = proj.editions[0]
    edited = dataclasses.replace(ed, title={"en": "Week one, revised", "zh": "第一周（修订）"}, entries=(
        dataclasses.replace(ed.entries[0], note={"en": "A rewritten note.", "zh": "改写的点评。"},
                            title={"en": "On the convergence of Adam, and beyond", "zh": "新译名"}),
        *ed.entries[1:]))
    after_edit = feed_ids(site_files(dataclasses.replace(proj, editions=(edited,))))
    assert after_edit == before
    grown = two_editions(tmp_path)
    after_add = feed_ids(site_files(grown))
    for path, ids in before.items():
        assert [i for i in after_add[path] if i in ids] == ids  # nothing old renamed or dropped
    assert len(after_add["en/feed.xml"]) == len(before["en/feed.xml"]) + 1
    assert edition_id(SITE, "en", "week-1") in after_add["en/feed.xml"]
    assert entry_id(SITE, "zh", "week-1", MATH) in after_add["zh/category/theory/feed.xml"]


def test_ids_do_not_depend_on_the_url_scheme(tmp_path: Path) -> None:
    http = dataclasses.replace(SITE, base_url="http://digest.example.org/")
    assert edition_id(http, "en", "week-1") == edition_id(SITE, "en", "week-1")
    sub = dataclasses.replace(SITE, base_url="https://user.github.io/digest/")
    assert entry_id(sub, "zh", "week-1", ADAM) == "tag:user.github.io,2018:digest/zh/week-1/openreview:ryQu7f-RZ"


def _many_editions(count: int, per_edition: int) -> tuple[Edition, ...]:
    return tuple(
        Edition(date=date(2019, 1, 1 + i), conference="ICLR", title={"en": f"W{i}", "zh": f"周{i}"}, slug=f"w{i:02d}",
                entries=tuple(Entry(paper=PaperRef("openreview", f"p{i:02d}x{j:02d}"), category="theory")
                              for j in range(per_edition)))
        for i in range(count))[::-1]


def test_the_tag_date_is_site_config_and_defaults_to_the_ids_already_published(tmp_path: Path) -> None:
    proj = two_editions(tmp_path)
    before = feed_ids(site_files(proj))
    assert before["en/feed.xml"] == ["tag:digest.example.org,2018:en/week-2", "tag:digest.example.org,2018:en/week-1"]
    assert parse(site_files(proj), "zh/atom.xml").feed.id == "tag:digest.example.org,2018:zh/"
    assert Feeds().id_date == "2018"
    dated = dataclasses.replace(proj, site=dataclasses.replace(proj.site, feeds=Feeds(id_date="2024-05-01")))
    files = site_files(dated)
    after = feed_ids(files)
    assert after.keys() == before.keys()
    for path, ids in before.items():
        assert after[path] == [i.replace(",2018:", ",2024-05-01:", 1) for i in ids]
    assert parse(files, "zh/atom.xml").feed.id == "tag:digest.example.org,2024-05-01:zh/"
    assert {p: found for p in after if (found := feed_problems(p, files[p], BASE))} == {}
    assert entry_id(dated.site, "en", "week-1", ADAM) == "tag:digest.example.org,2024-05-01:en/week-1/openreview:ryQu7f-RZ"


@pytest.mark.parametrize("written, read", [("2019", "2019"), ("2019-03", "2019-03"), ("2019-03-01", "2019-03-01"),
                                           ("'2020'", "2020")])
def test_the_tag_date_is_read_from_site_yaml(tmp_path: Path, written: str, read: str) -> None:
    root = tmp_path / "site"
    shutil.copytree(BASE_SITE, root)
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"feeds:\n  id_date: {written}\n", encoding="utf-8")
    assert load_project(root).site.feeds.id_date == read


def test_feeds_keep_the_newest_items(tmp_path: Path) -> None:
    base = project(tmp_path)
    assert (base.site.feeds.editions, base.site.feeds.entries) == (10, 50)  # the defaults
    editions = _many_editions(12, 6)
    files = render_site(dataclasses.replace(base, editions=editions), editions, {}, tmp_path)
    rss = parse(files, "en/feed.xml")
    assert len(rss.entries) == 10 and rss.entries[0].link.endswith("/w11/")
    assert len(parse(files, "zh/atom.xml").entries) == 10
    theory = parse(files, "en/category/theory/feed.xml")
    assert len(theory.entries) == 50
    assert theory.entries[0].id.endswith("w11/openreview:p11x00")


def test_feed_sizes_come_from_the_site_config(tmp_path: Path) -> None:
    base = project(tmp_path)
    site = dataclasses.replace(base.site, feeds=Feeds(editions=3, entries=7))
    editions = _many_editions(12, 6)
    files = render_site(dataclasses.replace(base, site=site, editions=editions), editions, {}, tmp_path)
    for path in ("en/feed.xml", "en/atom.xml", "zh/feed.xml"):
        feed = parse(files, path)
        assert [e.link.rsplit("/", 2)[1] for e in feed.entries] == ["w11", "w10", "w09"]
    theory = parse(files, "zh/category/theory/feed.xml")
    assert [e.id.rsplit("/", 2)[1] for e in theory.entries] == ["w11"] * 6 + ["w10"]
    # the pages keep the whole archive: only the feeds are cut
    assert "w00/" in files["en/category/theory/index.html"].decode()


def test_feed_sizes_are_read_from_site_yaml(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(BASE_SITE, root)
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "feeds:\n  editions: 4\n  entries: 120\n", encoding="utf-8")
    assert load_project(root).site.feeds == Feeds(editions=4, entries=120)


def test_opml_lists_every_feed(tmp_path: Path) -> None:
    files = site_files(project(tmp_path))
    root = ET.fromstring(files["feeds.opml"])
    urls = {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")}
    feeds = {BASE + p for p in files if is_feed(p)}
    assert urls == feeds
    assert {o.get("language") for o in root.iter("outline") if o.get("xmlUrl")} == {"en", "zh-Hans"}


def test_a_category_feed_describes_itself_in_plain_text(tmp_path: Path) -> None:
    """category.description is Markdown; the channel description is the text a reader sees."""
    proj = project(tmp_path)
    described = Category(key="theory", name={"en": "Theory", "zh": "理论"}, description={
        "en": "Why *adaptive* methods & [their fixes](https://example.org/fix) work: see `AMSGrad`,\n"
              "**not** <b>bold</b> <script>alert(1)</script>.\n\n- one\n- two &amp; three",
        "zh": "关于 *自适应* 方法的[理论](https://example.org/zh)。"})
    proj = dataclasses.replace(proj, categories=(proj.categories[0], described))
    files = site_files(proj)
    expected = {"en": "Why adaptive methods & their fixes work: see AMSGrad, not bold . one two & three",
                "zh": "关于 自适应 方法的理论。"}
    for lang, text in expected.items():
        path = f"{lang}/category/theory/feed.xml"
        channel = ET.fromstring(files[path]).find("channel")
        assert channel.findtext("description") == text
        assert parse(files, path).feed.description == text
        assert feed_problems(path, files[path], BASE) == []
    # the page still shows the Markdown as HTML
    assert '<a href="https://example.org/fix" rel="noopener">their fixes</a>' in files["en/category/theory/index.html"].decode()
    # a category without a description keeps the channel title as its description
    channel = ET.fromstring(files["en/category/optimization/feed.xml"]).find("channel")
    assert channel.findtext("description") == channel.findtext("title") == "Paper Digest · Optimization"


def test_empty_site_still_has_valid_feeds(tmp_path: Path) -> None:
    proj = Project(tmp_path, SITE, CATS, ())
    files = render_site(proj, (), {}, tmp_path)
    for path in ("en/feed.xml", "zh/atom.xml", "en/category/theory/feed.xml"):
        assert parse(files, path).entries == []


def test_a_feed_with_no_item_is_dated_by_the_content(tmp_path: Path) -> None:
    """An empty category's feed carries the language's newest edition date (never 1970, never
    the clock); the feeds of a site with no edition at all, the first day of feeds.id_date."""
    proj = two_editions(tmp_path)
    empty = Category(key="empty", name={"en": "Nothing yet", "zh": "暂无"})
    proj = dataclasses.replace(proj, categories=(*proj.categories, empty))
    files = site_files(proj)
    for lang in ("en", "zh"):
        path = f"{lang}/category/empty/feed.xml"
        feed = parse(files, path)
        assert feed.entries == []
        assert feed.feed.updated_parsed[:6] == feed.feed.published_parsed[:6] == (2018, 3, 1, 0, 0, 0)
        assert feed_problems(path, files[path], BASE) == []
    assert parse(files, "en/category/optimization/feed.xml").feed.updated_parsed[:3] == (2018, 1, 5)  # its newest item
    for id_date, day in (("2018", (2018, 1, 1)), ("2021-06", (2021, 6, 1)), ("2022-03-04", (2022, 3, 4))):
        site = dataclasses.replace(SITE, feeds=Feeds(id_date=id_date))
        files = render_site(Project(tmp_path, site, CATS, ()), (), {}, tmp_path)
        for path in ("en/feed.xml", "zh/atom.xml", "en/category/theory/feed.xml"):
            assert parse(files, path).feed.updated_parsed[:3] == day, (id_date, path)
            assert feed_problems(path, files[path], BASE) == [], (id_date, path)
