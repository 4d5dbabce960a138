"""Entry and edition fields of real roundups (issue 13, item 2): an award per entry (a badge,
and the awards list at the top of the article), the curator's TL;DR, affiliations, the
note's author, and numbered references ([n] markers in notes, a references list at the end
of the article: dense numbers, in order of first use, one per URL). The example site's ICLR
2018 edition carries them all; pages, feeds and every export show them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
from conftest import REPO

from digest.core import citations
from digest.core.ids import PaperRef
from digest.core.models import Category, Edition, Entry, PaperMeta, Reference
from digest.exports.channels import EXPORTS
from digest.pipeline import export_context
from digest.site.merge import merge_edition

ADAM = PaperRef("openreview", "ryQu7f-RZ")
SPHERICAL = PaperRef("openreview", "Hkbd5xZRb")
SLUG = "iclr2018-by-category"
EDITION_FILE = REPO / "content" / "editions" / f"{SLUG}.yaml"
CATS = (Category(key="optimization", name={"en": "Optimization"}), Category(key="theory", name={"en": "Theory"}))


# --------------------------------------------------------------------------- numbering


def test_references_are_numbered_densely_in_order_of_first_use_one_per_url() -> None:
    urls = {1: "https://a.example/", 2: "https://b.example/", 7: "https://b.example/"}
    notes = ["First [7], then [1].", "Again [1], and [2], the same URL as [7]; [9] cites nothing."]
    numbers = citations.numbering(notes, urls)
    assert numbers == {"https://b.example/": 1, "https://a.example/": 2}
    assert citations.renumbered(notes[0], urls, numbers) == ("First [1], then [2].", (1, 2))
    assert citations.renumbered(notes[1], urls, numbers) == (
        "Again [2], and [1], the same URL as [1]; [9] cites nothing.", (2, 1))


@pytest.mark.parametrize("text", ["[1](https://x.example/)", "[1][ref]", "[x][1]", "\\[1]", "![1]", "[1]: https://x"])
def test_a_markdown_link_or_escape_is_not_a_marker(text: str) -> None:
    assert list(citations.markers(text)) == []


# --------------------------------------------------------------------------- merge


def _item(entry: Entry, lang: str, tldr: str | None = "Fetched one-liner.", references=()):
    record = PaperMeta(ref=ADAM, source="corpus", fetched_at="2024-01-01T00:00:00Z", title="On Adam", tldr=tldr)
    edition = Edition(date=date(2018, 2, 10), conference="ICLR 2018", title={"en": "E"}, entries=(entry,),
                      slug="e", references=tuple(references))
    return merge_edition(edition, CATS, {ADAM: record}, lang, ("en", "zh"))


def test_the_curators_tldr_wins_in_its_language_and_the_fetched_one_stays_for_the_others() -> None:
    entry = Entry(paper=ADAM, category="optimization", tldr={"zh": "一句话总结。"})
    zh, en = _item(entry, "zh").items[0], _item(entry, "en").items[0]
    assert (zh.tldr.value, zh.tldr.source, zh.tldr.lang) == ("一句话总结。", "curator", "zh")
    assert (en.tldr.value, en.tldr.source) == ("Fetched one-liner.", "fetched")
    alone = _item(entry, "en", tldr=None).items[0]  # no fetched TL;DR: the curator's, in its language
    assert (alone.tldr.value, alone.tldr.lang) == ("一句话总结。", "zh")


def test_award_affiliations_and_note_author_are_merged_per_language() -> None:
    entry = Entry(paper=ADAM, category="optimization", note={"en": "Good."},
                  award={"en": "Best Paper Award", "zh": "最佳论文奖"}, affiliations=("Google",), note_author="陈思远")
    article = _item(entry, "zh")
    item = article.items[0]
    assert (item.award.value, item.award.lang) == ("最佳论文奖", "zh")
    assert article.awards == (item,)
    assert (item.affiliations.value, item.affiliations.lang) == (("Google",), "en")  # Latin letters: tagged en
    assert (item.note_author.value, item.note_author.lang) == ("陈思远", "")
    assert _item(Entry(paper=ADAM, category="optimization"), "en").awards == ()


def test_an_article_lists_only_the_references_its_notes_cite() -> None:
    refs = (Reference(n=1, url="https://a.example/", title={"en": "A"}), Reference(n=2, url="https://b.example/"))
    article = _item(Entry(paper=ADAM, category="optimization", note={"en": "See [2]."}), "en", references=refs)
    assert [(r.number, r.url, r.title.value) for r in article.references] == [(1, "https://b.example/", "https://b.example/")]
    assert article.items[0].note.value == "See [1]." and article.items[0].citations == (1,)


# --------------------------------------------------------------------------- pages


class Elements(HTMLParser):
    """Every element's tag, attributes and text (the text of its own and its children's)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str], list[str]]] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        text: list[str] = []
        self.found.append((tag, {k: v or "" for k, v in attrs}, text))
        if tag not in ("img", "meta", "link", "br", "input"):
            self.open.append(text)

    def handle_endtag(self, tag: str) -> None:
        if self.open:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        for text in self.open:
            text.append(data)


def elements(html: str) -> list[tuple[str, dict[str, str], str]]:
    parser = Elements()
    parser.feed(html)
    return [(tag, attrs, "".join(text)) for tag, attrs, text in parser.found]


def with_class(html: str, cls: str) -> list[tuple[str, dict[str, str], str]]:
    return [e for e in elements(html) if cls in e[1].get("class", "").split()]


AWARD = {"en": "Best Paper Award", "zh": "最佳论文奖", "zh-Hant": "最佳論文獎"}
NOTE_BY = {"en": "Note by 陈思远", "zh": "点评人：陈思远", "zh-Hant": "點評人：陈思远"}  # a name is shown as written
TLDR = {"en": "AMSGrad fixes it", "zh": "AMSGrad 让步长只减不增", "zh-Hant": "AMSGrad 讓步長只減不增"}


@pytest.mark.parametrize("lang", ["en", "zh", "zh-Hant"])
def test_the_article_shows_awards_first_and_references_last(example_out: Path, lang: str) -> None:
    html = (example_out / lang / SLUG / "index.html").read_text("utf-8")
    # the awards list comes before the table of contents, one line per awarded entry, linked to it
    assert html.index('class="awards"') < html.index('class="toc') < html.index(f'id="{ADAM.slug}"')
    awards = html[html.index('<section class="awards"'):html.index("</section>", html.index('<section class="awards"'))]
    assert [a["href"].rsplit("#", 1)[1] for tag, a, _ in elements(awards) if tag == "a"] == [ADAM.slug, SPHERICAL.slug]
    assert [t for _, _, t in with_class(awards, "badge-award")] == [AWARD[lang]] * 2
    # each awarded entry carries the badge; its affiliations follow the authors
    assert [t for _, _, t in with_class(html, "badge-award")] == [AWARD[lang]] * 4
    assert [t for _, _, t in with_class(html, "affiliations")][:1] == ["Google"]
    assert NOTE_BY[lang] in [t for _, _, t in with_class(html, "note-author")]
    assert TLDR[lang] in "".join(t for _, _, t in with_class(html, "tldr"))
    # references: the list is the article's last part; every marker links to an item of it
    refs = with_class(html, "references")
    assert len(refs) == 1 and html.index('class="references"') > html.index(f'id="{SPHERICAL.slug}"')
    listed = elements(html[html.index('class="references"'):])
    ol = next(attrs for tag, attrs, _ in listed if tag == "ol")
    items = [attrs["id"] for tag, attrs, _ in listed if tag == "li"]
    assert items == ["ref-1", "ref-2"] and "start" not in ol  # the list counts 1, 2 as the ids say
    cites = [(attrs["href"].rsplit("#", 1)[1], text) for _, attrs, text in with_class(html, "cite")]
    assert cites == [("ref-1", "[1]"), ("ref-2", "[2]")]
    links = [attrs["href"] for tag, attrs, _ in elements(html[html.index('class="references"'):]) if tag == "a"]
    assert links[:2] == ["https://arxiv.org/abs/1412.6980", "https://github.com/jonas-koehler/s2cnn"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_paper_page_shows_the_award_and_links_its_marker_to_the_articles_list(example_out: Path, lang: str) -> None:
    page = example_out / lang / SLUG / ADAM.slug / "index.html"
    html = page.read_text("utf-8")
    assert [t for _, _, t in with_class(html, "badge-award")] == [AWARD[lang]]
    assert [t for _, _, t in with_class(html, "affiliations")] == ["Google"]
    (href,) = [attrs["href"] for _, attrs, _ in with_class(html, "cite")]
    target, anchor = href.split("#")
    assert (page.parent / target / "index.html").resolve() == (example_out / lang / SLUG / "index.html").resolve()
    assert anchor == "ref-1"


def test_the_feed_carries_awards_and_references_with_absolute_links(example_out: Path) -> None:
    feed = feedparser.parse((example_out / "zh" / "feed.xml").read_bytes())
    (entry,) = [e for e in feed.entries if SLUG in e.link]
    html = entry.content[0].value
    assert "获奖论文" in html and html.count("最佳论文奖") == 4
    cites = [attrs["href"] for _, attrs, _ in with_class(html, "cite")]
    assert cites == [f"https://digest.example.org/zh/{SLUG}/#ref-1", f"https://digest.example.org/zh/{SLUG}/#ref-2"]
    assert '<li id="ref-2"><a href="https://github.com/jonas-koehler/s2cnn">' in html


# --------------------------------------------------------------------------- check


def _copy_site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "schema", root / "schema")
    return root


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    env_path = str(REPO)
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})


def test_a_marker_that_cites_no_reference_is_an_error_at_its_line_and_column(tmp_path: Path) -> None:
    root = _copy_site(tmp_path)
    path = root / "content" / "editions" / f"{SLUG}.yaml"
    text = path.read_text("utf-8")
    old = "fast Fourier transform (the authors' implementation is open source [2])"
    assert old in text
    path.write_text(text.replace(old, old.replace("[2]", "[5]")), "utf-8")
    at = text.index(old) + old.index("[2]")
    line = text.count("\n", 0, at) + 1
    col = at - text.rindex("\n", 0, at)
    entry = [m.group(1) for m in re.finditer(r"- paper: openreview:(\S+)", text)].index(SPHERICAL.value)
    expected = (f"content/editions/{SLUG}.yaml:{line}:{col}: error: entries[{entry}].note.en: reference marker [5] "
                "cites no reference: the edition's references list 1, 2 (add a reference with n: 5 and its url under "
                "references:, or correct the number)")
    for command in ("check", "build"):
        done = _run(command, "--root", str(root))
        assert done.returncode == 1, done.stderr
        assert expected in (done.stdout + done.stderr).splitlines()
        assert "Traceback" not in done.stderr
    assert not (root / "output").exists()  # nothing half-written


# --------------------------------------------------------------------------- exports


@pytest.mark.parametrize("channel", sorted(EXPORTS))
def test_every_export_shows_the_award_the_curators_tldr_and_the_note_author(channel: str) -> None:
    context = export_context(REPO, SLUG, "zh")
    made = EXPORTS[channel].render(context)
    body = made.data.decode("utf-8") + (made.text or b"").decode("utf-8")
    assert "最佳论文奖" in body
    assert "AMSGrad 让步长只减不增" in body
    assert "点评人：陈思远" in body
    assert "https://github.com/jonas-koehler/s2cnn" in body


def test_wechat_numbers_the_notes_references_with_its_other_links() -> None:
    """WeChat makes every link a number (one per URL, in order of first use): a note's [n]
    marker becomes the number of its source's URL in that one list."""
    html = EXPORTS["wechat"].render(export_context(REPO, SLUG, "zh")).data.decode("utf-8")
    listed = dict(re.findall(r">\[(\d+)\] (?:[^<]*: )?(https://[^<]+)</p>", html))
    number = {url: n for n, url in listed.items()}
    s2cnn = number["https://github.com/jonas-koehler/s2cnn"]
    assert f"（作者的实现已开源<sup style=\"font-size:12px;color:#3f7fbf\">[{s2cnn}]</sup>）" in html
    assert "[2]）" not in html  # the curator's own number is not left beside it
    assert sorted(map(int, listed)) == list(range(1, len(listed) + 1))


def test_a_reference_number_written_twice_is_an_error_where_the_second_is_written(tmp_path: Path) -> None:
    root = _copy_site(tmp_path)
    path = root / "content" / "editions" / f"{SLUG}.yaml"
    text = path.read_text("utf-8")
    second = "  - n: 2\n"
    assert text.count(second) == 1
    path.write_text(text.replace(second, "  - n: 1\n"), "utf-8")
    line = text[:text.index(second)].count("\n") + 1
    done = _run("check", "--root", str(root))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (f"content/editions/{SLUG}.yaml:{line}:8: error: references[1].n: reference number '1' is already defined "
            "at references[0] (give each reference number its own n)") in (done.stdout + done.stderr).splitlines()


def test_the_cite_filter_links_markers_in_text_only_and_escapes_what_is_not_markup() -> None:
    from markupsafe import Markup

    from digest.site.render import cite

    html = cite(Markup('<p>See [1], <code>[1]</code>, <a href="https://x.example/?[1]">[2]</a> and [3].</p>'),
                '../e/"', (1, 2))
    assert str(html) == ('<p>See <a class="cite" href="../e/&#34;#ref-1">[1]</a>, <code>[1]</code>, '
                         '<a href="https://x.example/?[1]">[2]</a> and [3].</p>')  # no link in a link
    assert str(cite("<b>[1]</b>", "", (1,))) == '&lt;b&gt;<a class="cite" href="#ref-1">[1]</a>&lt;/b&gt;'
