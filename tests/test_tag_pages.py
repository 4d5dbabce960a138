"""Tag pages and their feeds, the paper index of each conference year, and a paper covered
in more than one edition: listed once, with every edition that covers it named."""

from __future__ import annotations

import dataclasses
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from test_render import ADAM, MATH, SITE, metas, project

from digest.content.project import Project, load_project
from digest.core import layout
from digest.core.errors import ContentError
from digest.core.ids import PaperRef
from digest.core.models import Edition, Entry, PaperMeta
from digest.pipeline import render_site
from digest.site.feeds import entry_id

BASE = SITE.base_url
#: A third paper, with the best ratings and no decision.
THIRD = PaperRef("openreview", "thirdpaper")


def all_metas() -> dict[PaperRef, PaperMeta]:
    found = metas()
    found[THIRD] = PaperMeta(ref=THIRD, source="corpus", fetched_at="2024-01-01T00:00:00Z",
                             title="A third paper", ratings=(9, 9, 10))
    return found


def two_editions(root: Path) -> Project:
    """Week one (2018-01-05: Adam in optimization, the math paper in theory), and week two
    (2018-03-01) covering Adam again, under theory this time, and a third paper."""
    proj = project(root, entries=(
        Entry(paper=ADAM, category="optimization", tags=("adam", "convergence"), note={"en": "First look.", "zh": "初读。"}),
        Entry(paper=MATH, category="theory", tags=("convergence",)),
    ))
    later = Edition(date=date(2018, 3, 1), conference="ICLR 2018", title={"en": "Week two", "zh": "第二周"},
                    entries=(Entry(paper=ADAM, category="theory", tags=("adam",), note={"en": "Again.", "zh": "再读。"}),
                             Entry(paper=THIRD, category="theory", tags=("convergence",))),
                    slug="week-2")
    return dataclasses.replace(proj, editions=(later, *proj.editions))


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, bytes]:
    proj = two_editions(tmp_path)
    return render_site(proj, proj.editions, all_metas(), tmp_path)


class _Entries(HTMLParser):
    """The ids of the <article> elements of a page, the text of its <p class="covered-in">
    and <p class="from-edition">, and every link."""

    def __init__(self) -> None:
        super().__init__()
        self.articles: list[str] = []
        self.covered: list[str] = []
        self.links: list[str] = []
        self.rows: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "article":
            self.articles.append(a.get("id") or "")
        if tag == "p" and a.get("class") in ("covered-in", "from-edition"):
            self._in = "p"
            self.covered.append("")
        if tag == "a" and a.get("href"):
            self.links.append(a["href"] or "")
            if self._in == "row":
                self.rows[-1] += a["href"] or ""
                self._in = None
        if tag == "th" and a.get("scope") == "row":
            self.rows.append("")
            self._in = "row"

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._in == "p":
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "p":
            self.covered[-1] += data


def parsed(files: dict[str, bytes], path: str) -> _Entries:
    parser = _Entries()
    parser.feed(files[path].decode("utf-8"))
    return parser


def test_a_tag_page_per_tag_and_language_each_paper_once_with_both_editions(files: dict[str, bytes]) -> None:
    for lang in ("en", "zh"):
        adam = parsed(files, layout.tag(lang, "adam"))
        assert adam.articles == ["week-2-openreview-ryQu7f-RZ"]  # once, at its newest coverage
        assert len(adam.covered) == 1
        assert "Week two" in adam.covered[0] or "第二周" in adam.covered[0]
        assert "Week one" in adam.covered[0] or "第一周" in adam.covered[0]
        convergence = parsed(files, layout.tag(lang, "convergence"))
        assert convergence.articles == ["week-2-openreview-thirdpaper", "week-1-openreview-ryQu7f-RZ",
                                        "week-1-arxiv-1710.10571"]
        assert len(convergence.covered) == 1  # Adam's: week two covers it without this tag
    zh = files[layout.tag("zh", "adam")].decode()
    assert "收录于《" in zh and "》（<time datetime=\"2018-03-01\">2018年3月1日</time>）和《" in zh


def test_a_category_page_lists_a_paper_covered_twice_once_naming_both_editions(files: dict[str, bytes]) -> None:
    theory = parsed(files, layout.category("en", "theory"))
    assert theory.articles == ["week-2-openreview-ryQu7f-RZ", "week-2-openreview-thirdpaper",
                               "week-1-arxiv-1710.10571"]
    assert len(theory.covered) == 1 and "Week two" in theory.covered[0] and "Week one" in theory.covered[0]
    page = files[layout.category("en", "theory")].decode()
    assert f'href="../../../{layout.public(layout.edition("en", "week-1"))}"' in page


def test_the_paper_page_names_every_edition_that_covered_it(files: dict[str, bytes]) -> None:
    for slug in ("week-1", "week-2"):
        page = parsed(files, layout.paper("en", slug, ADAM))
        (line,) = page.covered
        assert line.startswith("Covered in Week two") and "Week one" in line, line
        assert "../../../en/week-1/#openreview-ryQu7f-RZ" in page.links
        assert "../../../en/week-2/#openreview-ryQu7f-RZ" in page.links
    (once,) = parsed(files, layout.paper("en", "week-1", MATH)).covered
    assert once == "Covered in Week one, January 5, 2018."


def test_tags_on_entries_and_paper_pages_link_to_their_pages(files: dict[str, bytes]) -> None:
    for path in (layout.edition("en", "week-1"), layout.paper("en", "week-1", ADAM)):
        links = parsed(files, path).links
        prefix = layout.root_prefix(path)
        for tag in ("adam", "convergence"):
            assert prefix + layout.public(layout.tag("en", tag)) in links, (path, tag)
    assert layout.tag("en", "adam") in files and layout.tag("zh", "convergence") in files
    home = parsed(files, layout.home("zh")).links
    assert "../zh/tag/adam/" in home and "../zh/papers/iclr-2018/" in home


def test_tag_feeds_in_rss_and_atom_read_by_feedparser(files: dict[str, bytes]) -> None:
    for lang, bcp in (("en", "en"), ("zh", "zh-Hans")):
        for path, version in ((layout.tag_rss(lang, "convergence"), "rss20"), (layout.tag_atom(lang, "convergence"), "atom10")):
            feed = feedparser.parse(files[path])
            assert feed.bozo == 0, feed.get("bozo_exception")
            assert feed.version == version and feed.feed.language == bcp
            # one item per entry with the tag, newest first, ids as in the category feeds
            assert [e.id for e in feed.entries] == [entry_id(SITE, lang, "week-2", THIRD),
                                                    entry_id(SITE, lang, "week-1", ADAM),
                                                    entry_id(SITE, lang, "week-1", MATH)]
            assert [e.link for e in feed.entries][0] == BASE + layout.public(layout.paper(lang, "week-2", THIRD))
            assert feed.feed.updated_parsed[:3] == (2018, 3, 1)  # its newest item, never the clock
            assert feed.entries[-1].published_parsed[:3] == (2018, 1, 5)
            assert feed.feed.link == BASE + layout.public(layout.tag(lang, "convergence"))
    assert feedparser.parse(files[layout.tag_rss("zh", "adam")]).feed.description == "标签为“#adam”的论文"
    theory = feedparser.parse(files[layout.category_rss("en", "theory")])
    assert entry_id(SITE, "en", "week-2", ADAM) in [e.id for e in theory.entries]


def test_the_opml_file_lists_every_tag_feed(files: dict[str, bytes]) -> None:
    urls = {o.get("xmlUrl") for o in ET.fromstring(files["feeds.opml"]).iter("outline")}
    for lang in ("en", "zh"):
        for tag in ("adam", "convergence"):
            assert {BASE + layout.tag_rss(lang, tag), BASE + layout.tag_atom(lang, tag)} <= urls
    made = {BASE + p for p in files if p.endswith(("feed.xml", "atom.xml", "feed.json"))}
    assert {u for u in urls if u} == made


def test_the_paper_index_has_one_row_per_paper_in_each_order(files: dict[str, bytes]) -> None:
    def rows(sort: str) -> list[str]:
        found = parsed(files, layout.paper_index("en", "iclr-2018", sort)).rows
        return [re.sub(r"^.*/(week-\d)/([^/]+)/$", r"\1/\2", href) for href in found]

    # by mean rating: the third paper (9.3), Adam (5.7), the math paper (no ratings) last
    assert rows("") == ["week-2/openreview-thirdpaper", "week-2/openreview-ryQu7f-RZ", "week-1/arxiv-1710.10571"]
    # by decision: Adam is an oral; the others have none (then by rating)
    assert rows("decision") == ["week-2/openreview-ryQu7f-RZ", "week-2/openreview-thirdpaper", "week-1/arxiv-1710.10571"]
    # by title, case-free: "A third paper", "Math <in> ...", "On the Convergence ..."
    assert rows("title") == ["week-2/openreview-thirdpaper", "week-1/arxiv-1710.10571", "week-2/openreview-ryQu7f-RZ"]
    page = files[layout.paper_index("en", "iclr-2018")].decode()
    adam_row = page[page.index("week-2/openreview-ryQu7f-RZ/"):].split("</tr>")[0]
    assert "5.7" in adam_row and "badge-oral" in adam_row
    assert "category/optimization/" in adam_row and "category/theory/" in adam_row  # both its categories
    assert "en/week-2/#openreview-ryQu7f-RZ" in adam_row and "en/week-1/#openreview-ryQu7f-RZ" in adam_row
    # each ordering column links to the page in its order, the current one marked
    assert 'aria-sort="descending">Mean rating</th>' in page
    assert 'href="../../../en/papers/iclr-2018/by-title/"' in page
    assert 'href="../../../en/papers/iclr-2018/by-decision/"' in page
    zh = files[layout.paper_index("zh", "iclr-2018", "title")].decode()
    assert 'aria-sort="ascending">论文</th>' in zh and "ICLR 2018：全部论文" in zh


def test_each_conference_year_has_its_own_index(tmp_path: Path) -> None:
    proj = two_editions(tmp_path)
    other = Edition(date=date(2019, 5, 1), conference="ICLR 2019", title={"en": "2019", "zh": "2019"},
                    entries=(Entry(paper=THIRD, category="theory"),), slug="y2019")
    proj = dataclasses.replace(proj, editions=(other, *proj.editions))
    out = render_site(proj, proj.editions, all_metas(), tmp_path)
    assert len(parsed(out, layout.paper_index("en", "iclr-2019")).rows) == 1
    assert len(parsed(out, layout.paper_index("en", "iclr-2018")).rows) == 3


def test_venue_slugs_are_safe_and_stable() -> None:
    assert layout.venue_slug("ICLR 2018") == "iclr-2018"
    assert layout.venue_slug("  NeurIPS 2024 (Datasets & Benchmarks) ") == "neurips-2024-datasets-benchmarks"
    assert layout.venue_slug("<script>") == "script"
    assert layout.venue_slug("国际学习表征会议") == "unnamed"


@pytest.mark.parametrize("slug", ["tag", "papers"])
def test_an_edition_may_not_take_the_name_of_the_new_folders(tmp_path: Path, slug: str) -> None:
    root = tmp_path / "site"
    shutil.copytree(Path(__file__).parent / "cases" / "base", root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / f"{slug}.yaml").write_text(
        "date: 2018-01-05\nconference: ICLR 2018\ntitle: {en: Week one, zh: 第一周}\nentries: []\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_project(root)
    (problem,) = caught.value.problems
    assert str(problem) == (f"content/editions/{slug}.yaml:1:1: error: slug: '{slug}' is the name of the site's own "
                            "folder (rename the edition file, or set slug: to another name)")
