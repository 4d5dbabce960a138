"""digest.site.merge: the curator's values win, and every shown value knows where it came from."""

from __future__ import annotations

from datetime import date

from digest.core.ids import PaperRef
from digest.core.models import Category, Edition, Entry, Figure, PaperMeta
from digest.core.text import printable
from digest.site.merge import Article, by_category, merge, merge_edition

REF = PaperRef("openreview", "ryQu7f-RZ")
LANGS = ("en", "zh")
CATS = (
    Category(key="optimization", name={"en": "Optimization", "zh": "优化"}),
    Category(key="theory", name={"en": "Theory", "zh": "理论"}),
)


def meta(ref: PaperRef = REF, **fields) -> PaperMeta:
    base = dict(
        ref=ref, source="openreview-v1", fetched_at="2024-01-01T00:00:00Z",
        title="On the Convergence of Adam and Beyond", authors=("Sashank J. Reddi", "Satyen Kale", "Sanjiv Kumar"),
        abstract="Several recently proposed stochastic optimization methods ...", tldr="Adam can fail to converge.",
        venue="ICLR 2018", decision="oral", decision_label="Accept (Oral)", ratings=(8, 8, 9),
        meta_review="The reviewers agree.", openreview_id="ryQu7f-RZ", arxiv_id="1904.09237",
        pdf_url="https://openreview.net/pdf?id=ryQu7f-RZ", code_url="https://github.com/example/amsgrad",
    )
    base.update(fields)
    return PaperMeta(**base)


def edition(*entries: Entry, slug: str = "e1", day: date = date(2018, 2, 10)) -> Edition:
    return Edition(date=day, conference="ICLR 2018", title={"en": "Week", "zh": "周报"}, entries=entries, slug=slug)


def one(entry: Entry, record: PaperMeta | None, lang: str):
    metas = {record.ref: record} if record else {}
    return merge_edition(edition(entry), CATS, metas, lang, LANGS).items[0]


def test_fetched_values_with_their_source() -> None:
    item = one(Entry(paper=REF, category="optimization"), meta(), "en")
    assert (item.title.value, item.title.source, item.title.lang) == ("On the Convergence of Adam and Beyond", "fetched", "en")
    assert item.authors.source == "fetched"
    assert item.decision.value == "oral" and item.ratings.value == (8, 8, 9)
    assert item.abstract.source == "fetched" and item.abstract.markdown is False
    assert item.meta_review.source == "fetched"
    assert not item.note and item.note.source == "missing"
    assert [(link.kind, link.source) for link in item.links] == [
        ("openreview", "curator"), ("arxiv", "fetched"), ("pdf", "fetched"), ("code", "fetched")]


def test_curator_values_override_fetched_ones() -> None:
    entry = Entry(
        paper=REF, category="optimization",
        title={"en": "On the convergence of Adam, and beyond", "zh": "论 Adam 的收敛性"},
        abstract={"zh": "中文摘要"}, meta_review={"en": "Oral; all three reviewers championed it."},
        code="https://github.com/curator/fixed",
    )
    en = one(entry, meta(), "en")
    assert (en.title.value, en.title.source) == ("On the convergence of Adam, and beyond", "curator")
    assert not en.local_title  # no Chinese title on English pages
    assert (en.meta_review.value, en.meta_review.source, en.meta_review.markdown) == (
        "Oral; all three reviewers championed it.", "curator", True)
    assert [link.url for link in en.links if link.kind == "code"] == ["https://github.com/curator/fixed"]
    assert en.abstract.source == "fetched"  # no English abstract from the curator

    zh = one(entry, meta(), "zh")
    assert (zh.local_title.value, zh.local_title.source) == ("论 Adam 的收敛性", "curator")
    assert (zh.abstract.value, zh.abstract.source, zh.abstract.lang) == ("中文摘要", "curator", "zh")
    # the English gist on a Chinese page is the curator's, marked as English
    assert zh.meta_review.source == "curator" and zh.meta_review.foreign("zh")


def test_untranslated_abstract_is_marked_as_the_original() -> None:
    zh = one(Entry(paper=REF, category="optimization"), meta(), "zh")
    assert zh.abstract.source == "fetched"
    assert zh.abstract.lang == "en" and zh.abstract.foreign("zh")
    assert not zh.abstract.foreign("en")


def test_note_falls_back_to_another_language() -> None:
    entry = Entry(paper=REF, category="optimization", note={"zh": "只有中文"})
    en = one(entry, meta(), "en")
    assert (en.note.value, en.note.lang, en.note.source) == ("只有中文", "zh", "curator")
    assert en.note.foreign("en")


def test_missing_record_renders_with_curator_data_only() -> None:
    entry = Entry(paper=REF, category="optimization", title={"zh": "中文标题"}, note={"en": "Worth it."})
    en = one(entry, None, "en")
    assert not en.has_metadata
    assert (en.title.value, en.title.source) == ("中文标题", "curator")
    assert en.authors.source == "missing" and en.ratings.value == ()
    assert (en.venue.value, en.venue.source) == (None, "missing")  # never guessed from the edition
    assert [link.kind for link in en.links] == ["openreview", "pdf"]  # derived from the reference
    bare = one(Entry(paper=REF, category="optimization"), None, "en")
    assert (bare.title.value, bare.title.source) == ("openreview:ryQu7f-RZ", "missing")


def test_unknown_decision_shows_no_badge() -> None:
    item = one(Entry(paper=REF, category="optimization"), meta(decision="Invite to Workshop Track"), "en")
    assert not item.decision


def test_control_characters_of_fetched_text_are_dropped() -> None:
    assert printable("a\x0cb\x02c\td\ne") == "abc\td\ne"
    item = one(Entry(paper=REF, category="optimization"), meta(title="Bad\x08 title", abstract="x\x0fy"), "en")
    assert item.title.value == "Bad title" and item.abstract.value == "xy"


def test_sections_follow_category_order_and_entries_the_curators() -> None:
    refs = [PaperRef("openreview", f"paper{i:02d}") for i in range(4)]
    entries = (
        Entry(paper=refs[0], category="theory"),
        Entry(paper=refs[1], category="optimization"),
        Entry(paper=refs[2], category="theory"),
        Entry(paper=refs[3], category="optimization"),
    )
    article = merge_edition(edition(*entries), CATS, {}, "en", LANGS)
    assert [s.category.key for s in article.sections] == ["optimization", "theory"]
    assert [i.ref.value for i in article.items] == ["paper01", "paper03", "paper00", "paper02"]


def test_figure_alt_and_caption_per_language() -> None:
    figure = Figure(src="images/f.png", alt={"en": "A chart", "zh": "图表"}, caption={"en": "Ratings."})
    zh = one(Entry(paper=REF, category="optimization", figure=figure), meta(), "zh")
    assert zh.figure.alt.value == "图表"
    assert zh.figure.caption.value == "Ratings." and zh.figure.caption.foreign("zh")


def test_by_category_is_newest_edition_first() -> None:
    old = edition(Entry(paper=PaperRef("openreview", "oldpaper1"), category="theory"), slug="old", day=date(2017, 1, 1))
    new = edition(Entry(paper=PaperRef("openreview", "newpaper1"), category="theory"), slug="new", day=date(2018, 1, 1))
    articles: tuple[Article, ...] = merge([old, new], CATS, {}, "en", LANGS)
    assert [i.edition for i in by_category(articles)["theory"]] == ["new", "old"]
