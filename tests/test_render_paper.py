"""The paper page: every author, each review's rating with its confidence, the mean, the
spread and the decision badge, in each language."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_render import ADAM, metas, project

from digest.pipeline import render_site

PAGE = "{lang}/week-1/openreview-ryQu7f-RZ/index.html"
AUTHORS = ("Sashank J. Reddi", "Satyen Kale", "Sanjiv Kumar", "Ann Other", "Fifth Author")


class _Table(HTMLParser):
    """The reviews table of a page: its header row and body rows, as cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.inside = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "reviews-table") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def reviews_table(html: str) -> list[list[str]]:
    parser = _Table()
    parser.feed(html)
    return parser.rows


def stats(html: str) -> dict[str, str]:
    block = re.search(r'<dl class="review-stats">(.*?)</dl>', html, re.S).group(1)
    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block))


def pages(tmp_path: Path, **record) -> dict[str, str]:
    records = metas()
    records[ADAM] = dataclasses.replace(records[ADAM], **record)
    proj = project(tmp_path)
    out = render_site(proj, proj.editions, records, tmp_path)
    return {path: data.decode("utf-8") for path, data in out.items() if path.endswith(".html")}


def test_the_paper_page_names_every_author_and_the_article_the_first_three(tmp_path: Path) -> None:
    files = pages(tmp_path)
    en, zh = files[PAGE.format(lang="en")], files[PAGE.format(lang="zh")]
    assert '<p class="authors">Sashank J. Reddi, Satyen Kale, Sanjiv Kumar, Ann Other, and Fifth Author</p>' in en
    assert ('<p class="authors">' + "、".join(f'<span lang="en">{n}</span>' for n in AUTHORS[:4])
            + ' 和 <span lang="en">Fifth Author</span></p>') in zh
    assert "et al." not in en and " 等</p>" not in zh
    # the article and the category page keep the short byline
    assert "Sashank J. Reddi, Satyen Kale, Sanjiv Kumar et al." in files["en/week-1/index.html"]
    assert "Ann Other" not in files["en/category/optimization/index.html"]


def test_twelve_authors_are_all_named(tmp_path: Path) -> None:
    many = tuple(f"Author Number{i}" for i in range(1, 13))
    en = pages(tmp_path, authors=many)[PAGE.format(lang="en")]
    assert all(name in en for name in many)


def test_reviews_with_confidences_in_their_order(tmp_path: Path) -> None:
    files = pages(tmp_path, ratings=(8, 8, 1), confidences=(4, 3, 5))
    en = files[PAGE.format(lang="en")]
    assert reviews_table(en) == [["Review", "Rating", "Confidence"], ["1", "8", "4"], ["2", "8", "3"], ["3", "1", "5"]]
    assert stats(en) == {"Mean rating": "5.7", "Spread (highest − lowest)": "7"}
    zh = files[PAGE.format(lang="zh")]
    assert reviews_table(zh)[0] == ["评审", "评分", "置信度"]
    assert stats(zh) == {"平均评分": "5.7", "分差（最高分减最低分）": "7"}
    assert '<h2 id="reviews-title">评审意见</h2>' in zh
    # the ratings are not repeated in the byline of the page; the article still shows them
    assert 'class="ratings"' not in en
    assert '8 · 8 · 1 <span class="mean">mean 5.7</span>' in files["en/week-1/index.html"]


@pytest.mark.parametrize("confidences", [None, (), (4, 3)])
def test_no_confidence_column_without_one_confidence_per_rating(tmp_path: Path, confidences) -> None:
    en = pages(tmp_path, ratings=(6, 7, 7), confidences=confidences)[PAGE.format(lang="en")]
    assert reviews_table(en) == [["Review", "Rating"], ["1", "6"], ["2", "7"], ["3", "7"]]
    assert stats(en) == {"Mean rating": "6.7", "Spread (highest − lowest)": "1"}


def test_no_reviews_section_without_ratings(tmp_path: Path) -> None:
    en = pages(tmp_path, ratings=(), confidences=None)[PAGE.format(lang="en")]
    assert 'class="reviews"' not in en and reviews_table(en) == []


def test_the_decision_badge_is_on_the_paper_page(tmp_path: Path) -> None:
    files = pages(tmp_path)
    assert '<span class="badge badge-oral">Oral</span>' in files[PAGE.format(lang="en")]
    assert '<span class="badge badge-oral">口头报告</span>' in files[PAGE.format(lang="zh")]


def test_example_site_in_traditional_chinese(example_out: Path) -> None:
    """A real record (ICLR 2017, seven authors, three reviews with confidences) in zh-Hant."""
    [path] = (example_out / "zh-Hant").glob("*/openreview-B1ElR4cgg/index.html")
    page = path.read_text()
    authors = re.search(r'<p class="authors">(.*?)</p>', page).group(1)
    assert authors.count('<span lang="en">') == 7 and "等" not in authors
    assert reviews_table(page) == [["評審", "評分", "置信度"], ["1", "7", "3"], ["2", "7", "4"], ["3", "8", "4"]]
    assert stats(page) == {"平均評分": "7.3", "分差（最高分減最低分）": "1"}
    assert '<span class="badge badge-poster">' in page
