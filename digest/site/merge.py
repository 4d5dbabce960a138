"""Curated editions + fetched metadata -> what a page in one language shows.

Pure: no I/O, no clock. The curator's values win over fetched ones, and every shown value
is a :class:`Shown` that says where it came from:

``curator``   written in the edition file (or derived from the curator's paper reference)
``fetched``   taken from the metadata snapshot
``machine``   a machine-drafted translation in the page's language (``content/drafts/``),
              shown only where the site's ``fallback`` says ``machine`` and only when it
              passed every guard; marked as machine output on pages and in feeds
``missing``   neither has it (the value is a placeholder or empty)

Text also says which language it is written in, so a Chinese page can mark an English
abstract as the original, and whether it is the curator's Markdown (rendered and
sanitised) or fetched plain text (escaped, never run through Markdown).

Text per language is chosen in this order: the page's language, then the other
languages of the site in their listed order (marked by their own ``lang``). What a page
does with such a fallback is set per field in the site config (:class:`~digest.core.models.Fallback`):
:func:`fell_back` lists every text shown in another language, and :func:`apply_fallback`
leaves out those of the fields set to ``omit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from fractions import Fraction
from typing import Any, Generic, Literal, TypeVar

from digest.core import citations, layout
from digest.core.ids import PaperRef, is_http_url
from digest.core.models import (
    DECISIONS,
    FALLBACK_FIELDS,
    Category,
    Edition,
    Entry,
    Fallback,
    Figure,
    PaperMeta,
    Part,
    VenueRecord,
)
from digest.core.text import HAN_CHAR, LATIN_CHAR, UNPRINTABLE, printable
from digest.site.venuestats import StatsView
from digest.site.venuestats import view as venue_view

Source = Literal["curator", "fetched", "machine", "missing"]
#: Machine drafts fit to show: per paper, (field, language) -> text (see :mod:`digest.site.machine`).
Machine = Mapping[PaperRef, Mapping[tuple[str, str], str]]
T = TypeVar("T")

#: The language fetched titles and abstracts are written in.
ORIGINAL_LANG = "en"
#: An entry's outbound links, in the order shown: kind -> name (proper names, not
#: translated; "code" is translated in templates).
LINK_KINDS = {"openreview": "OpenReview", "arxiv": "arXiv", "pdf": "PDF", "code": "Code", "doi": "DOI",
              "s2": "Semantic Scholar"}


@dataclass(frozen=True)
class Shown(Generic[T]):
    """A value as shown on a page, with its provenance.

    ``lang`` is the language the text is written in ("" for values that are not text);
    ``markdown`` is true for the curator's Markdown, false for plain text.
    """

    value: T
    source: Source
    lang: str = ""
    markdown: bool = False

    def __bool__(self) -> bool:
        return bool(self.value)

    def foreign(self, page_lang: str) -> bool:
        """True when this text is not in the page's language (shown as the original)."""
        return bool(self.lang) and self.lang != page_lang


MISSING: Shown[Any] = Shown(None, "missing")


@dataclass(frozen=True)
class Link:
    """An outbound link of an entry: ``kind`` is one of :data:`LINK_KINDS`."""

    kind: str
    url: str
    source: Source


@dataclass(frozen=True)
class FigureView:
    """A figure: ``src`` as the curator wrote it (a path below content/ or an https URL)."""

    src: str
    alt: Shown[str]
    caption: Shown[str | None]


@dataclass(frozen=True)
class Item:
    """One entry of an edition, resolved for one page language."""

    ref: PaperRef
    edition: str
    date: date
    category: str
    position: int
    title: Shown[str]
    local_title: Shown[str | None]
    authors: Shown[tuple[str, ...]]
    venue: Shown[str | None]
    decision: Shown[str | None]
    decision_label: Shown[str | None]
    ratings: Shown[tuple[int, ...]]
    #: each review's confidence, in the order of ``ratings``; empty when the record has none
    #: or not one per rating
    confidences: Shown[tuple[int, ...]]
    links: tuple[Link, ...]
    tldr: Shown[str | None]
    abstract: Shown[str | None]
    meta_review: Shown[str | None]
    note: Shown[str | None]
    figure: FigureView | None
    tags: tuple[str, ...]
    highlight: bool
    has_metadata: bool
    #: the award the paper won, in the page's language (Entry.award)
    award: Shown[str | None] = Shown(None, "missing")
    #: the authors' institutions, as the curator wrote them
    affiliations: Shown[tuple[str, ...]] = Shown((), "missing")
    #: who wrote the note (names have no language: tagged "en" when in Latin letters)
    note_author: Shown[str] = Shown("", "missing")
    #: the article numbers of the references the note cites, in order of first use
    citations: tuple[int, ...] = ()
    #: the key of the edition's section it is shown under (the sections layout), else ""
    section: str = ""
    #: a machine draft of the title in the page's language (fallback title: machine), shown
    #: under the original title, marked; missing when the curator rendered the title
    title_draft: Shown[str | None] = Shown(None, "missing")

    @property
    def anchor(self) -> str:
        """The id of this entry on its edition's page."""
        return self.ref.slug

    @property
    def mean_rating(self) -> Fraction | None:
        """The exact mean of the reviewers' ratings (what a ranking by mean_rating orders and
        compares for ties), None without ratings."""
        ratings = self.ratings.value or ()
        return Fraction(sum(ratings), len(ratings)) if ratings else None


@dataclass(frozen=True)
class Cited:
    """A reference as the article's list shows it: its number, its URL, its title (the URL
    when the curator wrote none)."""

    number: int
    url: str
    title: Shown[str]


@dataclass(frozen=True)
class Section:
    """The entries of one category within an edition, in the curator's order."""

    category: Category
    items: tuple[Item, ...]


@dataclass(frozen=True)
class PartView:
    """One of the sections an edition defines (the sections layout), for one page language:
    its heading and text (its entries are :meth:`Article.groups`)."""

    key: str
    heading: Shown[str]
    text: Shown[str | None]

    @property
    def anchor(self) -> str:
        """The id of the section on its edition's page."""
        return f"part-{self.key}"


@dataclass(frozen=True)
class Group:
    """Entries as the article lists them under one heading: a category (layout category), one
    of the edition's sections (layout sections), or no heading (a numbered list, a ranking)."""

    items: tuple[Item, ...]
    category: Category | None = None
    part: PartView | None = None
    #: the entries of a ranking after its cut (Edition.top), listed unnumbered
    cut: bool = False


@dataclass(frozen=True)
class Tie:
    """Entries of a ranking by mean rating that share the mean of the last numbered entry,
    some above the cut (``top``) and some below: the page states the tie rule."""

    mean: Fraction
    items: tuple[Item, ...]
    above: int


@dataclass(frozen=True)
class Heading:
    """An edition's own fields, resolved for one page language, without its entries: what
    a page or feed item about one entry shows of its edition (a link, a date). Such pages
    are given the heading, not the :class:`Article`, so an edit to another entry of the
    edition leaves them as they are (see :mod:`digest.site.keys`)."""

    lang: str
    slug: str
    date: date
    conference: str
    series: str
    draft: bool
    title: Shown[str]
    intro: Shown[str | None]
    #: how the article lists its entries (Edition.layout): "category", "numbered", "ranking"
    #: or "sections"
    layout: str = "category"


@dataclass(frozen=True)
class Article(Heading):
    """One edition, resolved for one page language: its heading and its entries."""

    #: the entries by category (every layout: category pages and feeds file entries so)
    sections: tuple[Section, ...] = ()
    #: the references the notes cite, numbered in the order of first use (Edition.references)
    references: tuple[Cited, ...] = ()

    @property
    def awards(self) -> tuple[Item, ...]:
        """The entries with an award, in page order (the awards list at the top of the article)."""
        return tuple(item for item in self.items if item.award)
    #: the venue statistics the edition asks for (Edition.stats), None when it asks for none
    stats: StatsView | None = None
    #: who wrote the article (Edition.byline)
    byline: Shown[str | None] = MISSING
    #: the positions of the entries in page order, in every layout but category (a ranking's
    #: order, or the sections' order)
    order: tuple[int, ...] = ()
    #: the edition's own sections (the sections layout)
    parts: tuple[PartView, ...] = ()
    #: a ranking's key (Edition.rank_by) and how many entries it numbers (None: all)
    rank_by: str = "curator"
    top: int | None = None
    #: closing paragraphs after the entries
    outro: Shown[str | None] = MISSING

    @property
    def items(self) -> tuple[Item, ...]:
        """Every entry in page order: by category, then the curator's order; in a numbered
        article, the curator's order; in a ranking, its order; in sections, section by section."""
        items = tuple(item for section in self.sections for item in section.items)
        if not self.order:
            return items
        at = {item.position: item for item in items}
        return tuple(at[position] for position in self.order)

    @property
    def ranked(self) -> tuple[Item, ...]:
        """The entries a numbered article or a ranking numbers, in page order (() in others)."""
        if self.layout == "numbered":
            return self.items
        if self.layout == "ranking":
            return self.items[:self.top]
        return ()

    @property
    def below_cut(self) -> tuple[Item, ...]:
        """The entries of a ranking after its top, in its order, listed unnumbered."""
        return self.items[self.top:] if self.layout == "ranking" and self.top is not None else ()

    @property
    def tie(self) -> Tie | None:
        """The entries of a ranking by mean rating tied across the cut, when there are."""
        if self.layout != "ranking" or self.rank_by != "mean_rating" or not self.below_cut or not self.ranked:
            return None
        mean = self.ranked[-1].mean_rating
        if mean is None or self.below_cut[0].mean_rating != mean:
            return None
        above = sum(1 for item in self.ranked if item.mean_rating == mean)
        return Tie(mean, tuple(item for item in self.items if item.mean_rating == mean), above)

    @property
    def groups(self) -> tuple[Group, ...]:
        """The entries as the article lists them: a group per category, or per section of the
        edition's (a section without entries too); in a numbered article or a ranking one
        group without a heading, then (a ranking cut at its top) the entries below the cut."""
        if self.layout in ("numbered", "ranking"):
            return tuple(Group(items, cut=cut) for items, cut in ((self.ranked, False), (self.below_cut, True)) if items)
        if self.layout == "sections":
            return tuple(Group(tuple(i for i in self.items if i.section == part.key), part=part) for part in self.parts)
        return tuple(Group(s.items, s.category) for s in self.sections)

    def number(self, item: Item) -> str:
        """An entry's number in a numbered article or a ranking ("3. "), "" in other layouts
        and below a ranking's cut."""
        if self.layout not in ("numbered", "ranking"):
            return ""
        rank = self.order.index(item.position)
        return f"{rank + 1}. " if self.layout == "numbered" or self.top is None or rank < self.top else ""

    def category_of(self, item: Item) -> Category:
        """The category an entry is filed under (what a numbered article names beside it)."""
        return next(s.category for s in self.sections if item in s.items)

    @property
    def heading(self) -> Heading:
        """The edition without its entries."""
        return Heading(**{f.name: getattr(self, f.name) for f in fields(Heading)})


def pick(texts: Mapping[str, str], lang: str, languages: Sequence[str], markdown: bool = False) -> Shown[str | None]:
    """The curator's text in ``lang``, else in the first other language that has it."""
    for code in (lang, *languages, *sorted(texts)):
        value = texts.get(code)
        if value and value.strip():
            return Shown(value, "curator", code, markdown)
    return MISSING


def localized(texts: Mapping[str, str], lang: str, languages: Sequence[str]) -> str:
    """Plain text in ``lang`` or the best other language ("" when there is none)."""
    return pick(texts, lang, languages).value or ""


def merge(
    editions: Iterable[Edition],
    categories: Sequence[Category],
    metas: Mapping[PaperRef, PaperMeta],
    lang: str,
    languages: Sequence[str],
    machine: Machine | None = None,
) -> tuple[Article, ...]:
    """Every edition as an :class:`Article` in ``lang``, in the order given."""
    return tuple(merge_edition(ed, categories, metas, lang, languages, machine) for ed in editions)


def merge_edition(
    edition: Edition,
    categories: Sequence[Category],
    metas: Mapping[PaperRef, PaperMeta],
    lang: str,
    languages: Sequence[str],
    machine: Machine | None = None,
    venue: VenueRecord | None = None,
) -> Article:
    """One edition in ``lang``: entries grouped by category in category order; ``machine``
    holds the machine drafts to show where the curator wrote nothing in ``lang``; ``venue`` is
    the venue record its statistics (Edition.stats) are computed from."""
    grouped: dict[str, list[Item]] = {c.key: [] for c in categories}
    for position, entry in enumerate(edition.entries):
        meta = find_meta(metas, entry.paper)
        drafts = (machine or {}).get(entry.paper) or (machine or {}).get(entry.paper.unversioned) or {}
        item = merge_entry(entry, meta, edition, position, lang, languages, drafts)
        grouped.setdefault(entry.category, []).append(item)
    grouped = {key: items for key, items in grouped.items() if items}
    order = page_order(edition, tuple(item for items in grouped.values() for item in items))
    grouped, references = _cite(grouped, edition, lang, languages, order)
    by_key = {c.key: c for c in categories}
    sections = tuple(
        Section(by_key.get(key) or Category(key=key, name={lang: key}), tuple(items))
        for key, items in grouped.items()
        if items
    )
    title = pick(edition.title, lang, languages)
    parts = tuple(PartView(part.key, _heading(part, lang, languages), pick(part.text, lang, languages, markdown=True))
                  for part in edition.sections)
    return Article(
        lang=lang,
        slug=edition.slug,
        date=edition.date,
        conference=edition.conference,
        series=edition.series,
        draft=edition.draft,
        title=title if title else Shown(edition.slug, "missing"),
        intro=pick(edition.intro, lang, languages, markdown=True),
        layout=edition.layout,
        byline=pick(edition.byline, lang, languages),
        sections=sections,
        references=references,
        stats=venue_view(edition.stats, venue, edition.slug) if edition.stats and venue else None,
        order=order,
        parts=parts,
        rank_by=edition.rank_by,
        top=edition.top,
        outro=pick(edition.outro, lang, languages, markdown=True),
    )


def _cite(grouped: dict[str, list[Item]], edition: Edition, lang: str, languages: Sequence[str],
          order: tuple[int, ...]) -> tuple[dict[str, list[Item]], tuple[Cited, ...]]:
    """The entries with their notes' reference markers numbered for the article (dense, in
    the order of first use in page order, one per URL), and the references they cite.
    ``order``: the positions in page order (:func:`page_order`; empty: by category)."""
    if not edition.references:
        return grouped, ()
    urls = {ref.n: ref.url for ref in edition.references}
    in_order = [item for items in grouped.values() for item in items]
    if order:
        rank = {position: i for i, position in enumerate(order)}
        in_order.sort(key=lambda item: rank[item.position])
    numbers = citations.numbering((item.note.value for item in in_order if item.note), urls)
    out: dict[str, list[Item]] = {}
    for key, items in grouped.items():
        out[key] = []
        for item in items:
            if item.note:
                text, cited = citations.renumbered(item.note.value, urls, numbers)
                item = replace(item, note=replace(item.note, value=text), citations=cited)
            out[key].append(item)
    titles: dict[str, Shown[str]] = {}
    for ref in edition.references:
        title = pick(ref.title, lang, languages)
        if ref.url not in titles or (title and not titles[ref.url]):
            titles[ref.url] = title if title else Shown(ref.url, "missing")
    cited = tuple(Cited(n, url, titles[url]) for url, n in numbers.items())
    return out, cited


def _heading(part: Part, lang: str, languages: Sequence[str]) -> Shown[str]:
    shown = pick(part.heading, lang, languages)
    return shown if shown else Shown(part.key, "missing")


def page_order(edition: Edition, items: Sequence[Item]) -> tuple[int, ...]:
    """The positions of an edition's entries in page order ((): by category). A numbered
    list keeps the curator's order; a ranking by mean rating puts the highest mean first,
    breaks ties by the curator's order and puts the entries without ratings last, in that
    order; sections list their entries section by section, each in the curator's order."""
    positions = sorted(item.position for item in items)
    if edition.layout == "ranking" and edition.rank_by == "mean_rating":
        mean = {item.position: item.mean_rating for item in items}
        return tuple(sorted(positions, key=lambda p: (mean[p] is None, -(mean[p] or 0), p)))
    if edition.layout == "sections":
        rank = {part.key: i for i, part in enumerate(edition.sections)}
        return tuple(sorted(positions, key=lambda p: (rank.get(edition.entries[p].section, len(rank)), p)))
    return tuple(positions) if edition.layout in ("numbered", "ranking") else ()


def find_meta(metas: Mapping[PaperRef, PaperMeta], ref: PaperRef) -> PaperMeta | None:
    """The snapshot record of a reference (an arXiv reference pinned to a version falls
    back to the unversioned record)."""
    return metas.get(ref) or metas.get(ref.unversioned)


def merge_entry(
    entry: Entry,
    meta: PaperMeta | None,
    edition: Edition,
    position: int,
    lang: str,
    languages: Sequence[str],
    drafts: Mapping[tuple[str, str], str] | None = None,
) -> Item:
    """One entry in ``lang``: the curator's fields over the machine drafts (``drafts``: (field,
    language) -> text) over the fetched record."""
    m = clean_meta(meta) if meta is not None else _EMPTY
    drafts = drafts or {}
    return Item(
        ref=entry.paper,
        edition=edition.slug,
        date=edition.date,
        category=entry.category,
        position=position,
        title=_title(entry, m),
        local_title=_local_title(entry, m, lang),
        authors=_fetched(m.authors or (), script_lang(m.authors or ())),
        venue=_fetched(m.venue, script_lang((m.venue or "",))),
        decision=_fetched(m.decision if m.decision in DECISIONS else None),
        decision_label=_fetched(m.decision_label),
        ratings=_fetched(tuple(m.ratings)),
        confidences=_fetched(_confidences(m)),
        links=_links(entry, m),
        tldr=_tldr(entry, m, lang, languages, drafts),
        abstract=_abstract(entry, m, lang, languages, drafts),
        meta_review=_meta_review(entry, m, lang, languages, drafts),
        note=pick(entry.note, lang, languages, markdown=True),
        figure=_figure(entry.figure, lang, languages),
        tags=tuple(entry.tags),
        highlight=entry.highlight,
        has_metadata=meta is not None,
        award=pick(entry.award, lang, languages),
        affiliations=Shown(tuple(entry.affiliations), "curator", script_lang(entry.affiliations)),
        note_author=Shown(entry.note_author, "curator", script_lang((entry.note_author,))) if entry.note_author
        else Shown("", "missing"),
        section=entry.section,
        title_draft=MISSING if _local_title(entry, m, lang) else _drafted(drafts, "title", lang),
    )


_EMPTY = PaperMeta(ref=PaperRef("none", "none"), source="none", fetched_at="")


def clean_meta(meta: PaperMeta) -> PaperMeta:
    """The record with every shown text field made printable (unchanged when already clean)."""
    changes: dict[str, Any] = {}
    for name in ("title", "abstract", "tldr", "meta_review", "venue", "decision_label"):
        value = getattr(meta, name)
        if value and UNPRINTABLE.search(value):
            changes[name] = printable(value)
    if meta.authors and any(UNPRINTABLE.search(a) for a in meta.authors):
        changes["authors"] = tuple(printable(a) for a in meta.authors)
    return replace(meta, **changes) if changes else meta


def script_lang(texts: Iterable[str]) -> str:
    """``en`` for names written in Latin letters only (fetched authors and venues, the site's
    author: names have no language of their own, but a Chinese page must say how to read
    them); else ""."""
    joined = " ".join(texts)
    return ORIGINAL_LANG if LATIN_CHAR.search(joined) and not HAN_CHAR.search(joined) else ""


def _confidences(m: PaperMeta) -> tuple[int, ...]:
    """The reviews' confidences when there is one per rating (else they cannot be paired)."""
    found = tuple(m.confidences or ())
    return found if m.ratings and len(found) == len(m.ratings) else ()


def _fetched(value: Any, lang: str = "") -> Shown[Any]:
    if value:
        return Shown(value, "fetched", lang)
    return Shown(value, "missing")


def _title(entry: Entry, m: PaperMeta) -> Shown[str]:
    """The paper's own title: the curator's fix in the original language, else fetched."""
    fix = entry.title.get(ORIGINAL_LANG, "").strip()
    if fix:
        return Shown(fix, "curator", ORIGINAL_LANG)
    if m.title:
        return Shown(m.title, "fetched", ORIGINAL_LANG)
    for code, text in sorted(entry.title.items()):
        if text.strip():
            return Shown(text, "curator", code)
    return Shown(str(entry.paper), "missing")


def _local_title(entry: Entry, m: PaperMeta, lang: str) -> Shown[str | None]:
    """The curator's rendering of the title in the page language, when that is not the original."""
    text = entry.title.get(lang, "").strip()
    if lang != ORIGINAL_LANG and text and (m.title or entry.title.get(ORIGINAL_LANG)):
        return Shown(text, "curator", lang)
    return MISSING


def _drafted(drafts: Mapping[tuple[str, str], str], name: str, lang: str) -> Shown[str | None]:
    """The machine draft of field ``name`` in ``lang`` (plain text, like the fetched English)."""
    text = drafts.get((name, lang))
    return Shown(text, "machine", lang) if text else MISSING


def _abstract(entry: Entry, m: PaperMeta, lang: str, languages: Sequence[str],
              drafts: Mapping[tuple[str, str], str]) -> Shown[str | None]:
    own = entry.abstract.get(lang, "").strip()
    if own:
        return Shown(entry.abstract[lang], "curator", lang, True)
    if m.abstract and _drafted(drafts, "abstract", lang):
        return _drafted(drafts, "abstract", lang)
    if m.abstract:
        return Shown(m.abstract, "fetched", ORIGINAL_LANG)
    return pick(entry.abstract, lang, languages, markdown=True)


def _tldr(entry: Entry, m: PaperMeta, lang: str, languages: Sequence[str],
          drafts: Mapping[tuple[str, str], str]) -> Shown[str | None]:
    """The curator's TL;DR in the page's language, else a machine draft in it (when the
    fallback shows drafts), else the fetched one, else the curator's in another language."""
    own = entry.tldr.get(lang, "").strip()
    if own:
        return Shown(own, "curator", lang)
    drafted = _drafted(drafts, "tldr", lang)
    if drafted:
        return drafted
    if m.tldr:
        return Shown(m.tldr, "fetched", ORIGINAL_LANG)
    return pick(entry.tldr, lang, languages)


def _meta_review(entry: Entry, m: PaperMeta, lang: str, languages: Sequence[str],
                 drafts: Mapping[tuple[str, str], str]) -> Shown[str | None]:
    gist = pick(entry.meta_review, lang, languages, markdown=True)
    if gist:
        return gist  # the curator's words, in any language, win over a machine's
    if m.meta_review and _drafted(drafts, "meta_review", lang):
        return _drafted(drafts, "meta_review", lang)
    return _fetched(m.meta_review, ORIGINAL_LANG)


def _links(entry: Entry, m: PaperMeta) -> tuple[Link, ...]:
    ref = entry.paper
    found: dict[str, Link] = {}

    def add(kind: str, url: str | None, source: Source) -> None:
        # fetched text is untrusted: only absolute http(s) links are ever shown
        if url and kind not in found and is_http_url(url):
            found[kind] = Link(kind, url, source)

    if ref.scheme == "openreview":
        add("openreview", ref.url, "curator")
    add("openreview", m.forum_url, "fetched")
    if m.openreview_id:
        add("openreview", PaperRef("openreview", m.openreview_id).url, "fetched")
    if ref.scheme == "arxiv":
        add("arxiv", ref.url, "curator")
    if m.arxiv_id:
        add("arxiv", PaperRef("arxiv", m.arxiv_id).url, "fetched")
    add("pdf", m.pdf_url, "fetched")
    if "openreview" in found:
        forum = found["openreview"].url.rsplit("id=", 1)[-1]
        add("pdf", f"https://openreview.net/pdf?id={forum}", found["openreview"].source)
    elif "arxiv" in found:
        add("pdf", found["arxiv"].url.replace("/abs/", "/pdf/"), found["arxiv"].source)
    add("code", entry.code, "curator")
    add("code", m.code_url, "fetched")
    if ref.scheme == "doi":
        add("doi", ref.url, "curator")
    if m.doi:
        add("doi", PaperRef("doi", m.doi).url, "fetched")
    if ref.scheme == "s2" and not found:
        add("s2", ref.url, "curator")
    order = {kind: i for i, kind in enumerate(LINK_KINDS)}
    return tuple(sorted(found.values(), key=lambda link: order[link.kind]))


def _figure(figure: Figure | None, lang: str, languages: Sequence[str]) -> FigureView | None:
    if figure is None:
        return None
    alt = pick(figure.alt, lang, languages)
    return FigureView(
        src=figure.src,
        alt=alt if alt else Shown("", "missing"),
        caption=pick(figure.caption, lang, languages, markdown=True),
    )


def summary(item: Item, lang: str) -> Shown[str | None]:
    """What best sums up an entry in ``lang``, for text that cannot say its language (a
    page's ``<meta name="description">``, a feed item's summary): the curator's note, the
    curator's title, the TL;DR, the title, the first of them written in ``lang``. MISSING
    when none is: a text in another language is never presented as the page's, nor a
    machine draft (a summary carries no mark)."""
    for shown in (item.note, item.local_title, item.tldr, item.title):
        if shown and shown.source not in ("missing", "machine") and not shown.foreign(lang):
            return shown
    return MISSING


def by_category(articles: Sequence[Article]) -> dict[str, tuple[Item, ...]]:
    """Every entry of each category across ``articles``, newest edition first.

    Editions are ordered by date, then slug, newest first; within an edition entries keep
    the page order (category order, then the curator's order; a ranking's order; the
    sections' order).
    """
    out: dict[str, list[Item]] = {}
    ordered = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)
    for article in ordered:
        for item in article.items:
            out.setdefault(item.category, []).append(item)
    return {key: tuple(items) for key, items in out.items()}


def by_tag(articles: Sequence[Article]) -> dict[str, tuple[Item, ...]]:
    """Every entry with each tag across ``articles``, newest edition first (in the page order
    within an edition), tags in alphabetical order."""
    out: dict[str, list[Item]] = {}
    for article in sorted(articles, key=lambda a: (a.date, a.slug), reverse=True):
        for item in article.items:
            for tag in item.tags:
                out.setdefault(tag, []).append(item)
    return {tag: tuple(out[tag]) for tag in sorted(out)}


def coverage(articles: Sequence[Article]) -> dict[PaperRef, tuple[Heading, ...]]:
    """Every edition that covers each paper (by its reference without a pinned version),
    newest first."""
    out: dict[PaperRef, list[Heading]] = {}
    for article in sorted(articles, key=lambda a: (a.date, a.slug), reverse=True):
        heading = article.heading
        for item in article.items:
            found = out.setdefault(item.ref.unversioned, [])
            if heading not in found:
                found.append(heading)
    return {ref: tuple(headings) for ref, headings in out.items()}


def once_per_paper(items: Iterable[Item]) -> tuple[Item, ...]:
    """``items`` with each paper once: its first entry (the newest, in a list newest first)."""
    seen: set[PaperRef] = set()
    out = []
    for item in items:
        if item.ref.unversioned not in seen:
            seen.add(item.ref.unversioned)
            out.append(item)
    return tuple(out)


@dataclass(frozen=True)
class PaperRow:
    """One paper of a conference year's index: its newest entry, every category it is filed
    under and every edition that covers it (newest first)."""

    item: Item
    categories: tuple[Category, ...]
    editions: tuple[Heading, ...]

    @property
    def score(self) -> float | None:
        """The mean rating, None when the record has none."""
        ratings = self.item.ratings.value
        return sum(ratings) / len(ratings) if ratings else None


#: The orders a paper index is shown in, the first the index's own page.
PAPER_SORTS = ("score", "decision", "title")


def by_venue(articles: Sequence[Article]) -> dict[str, tuple[str, tuple[PaperRow, ...]]]:
    """The papers of each conference year (by the slug of ``conference:``, see
    :func:`digest.core.layout.venue_slug`), one row per paper: slug -> (the conference's
    name as its newest edition writes it, the rows in the order of :data:`PAPER_SORTS`' first)."""
    ordered = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)
    venues: dict[str, tuple[str, list[Article]]] = {}
    for article in ordered:
        venues.setdefault(layout.venue_slug(article.conference), (article.conference, []))[1].append(article)
    out = {}
    for slug in sorted(venues):
        conference, group = venues[slug]
        covered = coverage(group)
        categories: dict[PaperRef, list[Category]] = {}
        for article in group:
            for section in article.sections:
                for item in section.items:
                    found = categories.setdefault(item.ref.unversioned, [])
                    if section.category not in found:
                        found.append(section.category)
        rows = tuple(PaperRow(item, tuple(categories[item.ref.unversioned]), covered[item.ref.unversioned])
                     for item in once_per_paper(i for a in group for i in a.items))
        out[slug] = (conference, sorted_rows(rows, PAPER_SORTS[0]))
    return out


def sorted_rows(rows: Iterable[PaperRow], sort: str) -> tuple[PaperRow, ...]:
    """``rows`` in the order ``sort`` names (one of :data:`PAPER_SORTS`): the highest mean
    rating first (papers without ratings last); the most prestigious decision first (then by
    score); by title (the title the page shows, compared case-free by code point). Ties by
    title, then reference, so the order never depends on the order given."""
    rank = {key: i for i, key in enumerate(DECISIONS)}

    def title(row: PaperRow) -> tuple[str, str]:
        item = row.item
        return ((item.local_title.value or item.title.value or "").casefold(), str(item.ref))

    def score(row: PaperRow) -> tuple[bool, float]:
        return (row.score is None, -(row.score or 0.0))

    def decision(row: PaperRow) -> int:
        return rank.get(row.item.decision.value or "", len(rank))

    keys = {"score": lambda r: (score(r), title(r)), "decision": lambda r: (decision(r), score(r), title(r)),
            "title": title}
    return tuple(sorted(rows, key=keys[sort]))


# --------------------------------------------------------------------------- fallback


@dataclass(frozen=True)
class FellBack:
    """A text a page in ``page_lang`` shows (or leaves out) in another language, ``lang``.

    ``action`` is the site's setting for the field: ``original`` (shown, marked) or ``omit``;
    ``where`` is the edition's slug, and the paper's slug for an entry's field.
    """

    page_lang: str
    field: str
    lang: str
    source: Source
    action: str
    where: str


def _on(view: type) -> tuple[str, ...]:
    """The fallback fields a view class holds (each is on one of Article, Item, FigureView)."""
    names = {f.name for f in fields(view)}
    return tuple(name for name in FALLBACK_FIELDS if name in names)


ON_ARTICLE, ON_ITEM, ON_FIGURE = _on(Article), _on(Item), _on(FigureView)


def _fallback_fields(article: Article) -> Iterable[tuple[str, str, Shown[Any]]]:
    """(field, where, shown) for every text of ``article`` whose fallback the site sets."""
    for name in ON_ARTICLE:
        yield name, article.slug, getattr(article, name)
    for item in article.items:
        where = f"{article.slug}/{item.ref.slug}"
        for name in ON_ITEM:
            yield name, where, getattr(item, name)
        if item.figure is not None:
            for name in ON_FIGURE:
                yield name, where, getattr(item.figure, name)


def fell_back(articles: Iterable[Article], fallback: Fallback) -> list[FellBack]:
    """Every text of ``articles`` written in another language than its page, in page order."""
    found = []
    for article in articles:
        for name, where, shown in _fallback_fields(article):
            if shown and shown.foreign(article.lang):
                found.append(FellBack(article.lang, name, shown.lang, shown.source, getattr(fallback, name), where))
    return found


def apply_fallback(articles: Sequence[Article], fallback: Fallback) -> tuple[Article, ...]:
    """``articles`` without the texts in another language of the fields set to ``omit``."""
    omit = {name for name in FALLBACK_FIELDS if getattr(fallback, name) == "omit"}
    if not omit:
        return tuple(articles)

    def kept(view: T, names: tuple[str, ...], lang: str) -> dict[str, Shown[Any]]:
        return {name: MISSING for name in names if name in omit and getattr(view, name).foreign(lang)}

    out = []
    for article in articles:
        sections = []
        for section in article.sections:
            items = []
            for item in section.items:
                figure = item.figure
                if figure is not None:
                    figure = replace(figure, **kept(figure, ON_FIGURE, article.lang))
                items.append(replace(item, **kept(item, ON_ITEM, article.lang), figure=figure))
            sections.append(replace(section, items=tuple(items)))
        out.append(replace(article, **kept(article, ON_ARTICLE, article.lang), sections=tuple(sections)))
    return tuple(out)
