"""The content model, declared once.

Every curated file maps onto one of these frozen dataclasses. Each field's docstring is in
its ``metadata["doc"]``; ``metadata["kind"]`` is its :class:`~digest.core.kinds.Kind`, which
:mod:`digest.content.validate` checks the YAML value against and :mod:`digest.content.schema`
derives JSON Schema and reference docs from. Fetched metadata (:class:`PaperMeta`) is not curated and lives in the
snapshot as JSON; it is declared here too so every stage shares one vocabulary.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from digest.core import kinds as K
from digest.core.errors import Loc
from digest.core.ids import PaperRef
from digest.core.kinds import Policy
from digest.core.schemes import either, named_hosts, written_forms
from digest.core.text import N_

#: OpenCC profiles that derive Traditional Chinese from the zh texts (see :mod:`digest.site.hant`).
CHINESE_CONVERSIONS = ("s2twp", "s2tw", "s2hk", "s2t")
#: Terms of machine-learning writing that OpenCC's Taiwan phrases get wrong, and their
#: Traditional form: the default of ``chinese_terms`` (a site that sets the field replaces it).
CHINESE_TERMS = {
    "参数": "參數",  # s2twp: 引數 (a function's argument)
    "函数": "函數",  # s2twp: 函式 (a program's function)
    "激活": "激活",  # s2twp: 啟用 (to switch on)
    "质量": "品質",  # 質量 is mass in Taiwan
    "实例": "實例",  # s2twp: 例項
    "计算机": "電腦",  # 計算機 is a calculator in Taiwan
    "循环": "循環",  # s2twp: 迴圈 (a program's loop); 循環神經網路 for RNNs
    "集成": "集成",  # s2twp: 整合; ensembles are 集成 in machine learning
    "类型": "類型",  # s2twp: 型別 (a programming language's type)
    "全局": "全域",  # s2twp: 全域性
    "局部": "局部",  # s2twp: 區域性
    "扩展": "擴展",  # s2twp: 擴充套件 (a browser's extension)
    "推导": "推導",  # s2twp reads 推导出 as 推匯出 (to export)
    "刷新": "刷新",  # s2twp: 重新整理 (to reload); 刷新紀錄 breaks a record
    "在线性": "在線性",  # s2twp reads 在线 as 線上 (online): 線上性可分
    "支持向量机": "支持向量機",  # s2twp: 支援向量機
    # 了 as a particle after 明 (s2twp reads 明了 as 明瞭, to understand)
    "标明了": "標明了", "写明了": "寫明了", "查明了": "查明了", "指明了": "指明了",
    "阐明了": "闡明了", "声明了": "聲明了", "讲明了": "講明了", "点明了": "點明了",
}
#: What a page does with a text that is not written in its language (see :class:`Fallback`).
FALLBACKS = ("original", "omit", "machine")
FALLBACK_CHOICE = K.Choice(FALLBACKS)
#: What a page does with a title it has no curator's rendering of: the original is always its
#: heading; ``machine`` adds a machine draft under it (see :attr:`Fallback.title`).
TITLE_FALLBACKS = ("original", "machine")
#: How an edition's article lists its entries (Edition.layout).
LAYOUTS = ("category", "numbered", "ranking", "sections")
#: What a ranking orders its entries by (Edition.rank_by): the curator's order, or the mean of
#: the fetched reviewers' ratings, highest first (ties, and papers without ratings, in the
#: curator's order).
RANK_KEYS = ("curator", "mean_rating")

#: Edition slugs that would collide with the site's own folders under {lang}/.
RESERVED_SLUGS = frozenset({"category", "tag", "papers"})

#: Decisions, in order of prestige, and the badge each is shown with (translated where shown).
DECISIONS: dict[str, str] = {
    "oral": N_("Oral"),
    "spotlight": N_("Spotlight"),
    "poster": N_("Poster"),
    "workshop": N_("Workshop"),
    "reject": N_("Rejected"),
    "withdrawn": N_("Withdrawn"),
    "desk-reject": N_("Desk rejected"),
    "pending": N_("Decision pending"),
}


def spec(doc: str, kind: K.Kind, default: Any = dataclasses.MISSING, **extra: Any) -> Any:
    """Declare a curated field: its docstring, its kind, and its default (absent = required)."""
    meta = {"doc": doc, "kind": kind, **extra}
    if isinstance(default, (list, dict)):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata=meta)
    return field(default=default, metadata=meta)


Localized = Mapping[str, str]


# --------------------------------------------------------------------------- site


@dataclass(frozen=True)
class Policies:
    """What counts as an error and what as a warning. Each is ``error``, ``warning`` or ``ignore``."""

    missing_translation: Policy = spec(
        "A text field (note, title, intro) is missing in one of the site's languages.",
        K.POLICY,
        "warning",
    )
    missing_metadata: Policy = spec(
        "An entry's paper has no record in the metadata snapshot (run `digest fetch`).",
        K.POLICY,
        "warning",
    )
    placeholder: Policy = spec(
        "Placeholder text such as <<write the note>> (left by digest new and digest add) is still there.",
        K.POLICY,
        "error",
    )
    title_mismatch: Policy = spec(
        "A title written in an entry's title.en does not match the fetched title (often a wrong id).",
        K.POLICY,
        "error",
    )
    repeated_paper: Policy = spec(
        "A paper already appears in an earlier edition.",
        K.POLICY,
        "warning",
    )
    image_in_text: Policy = spec(
        "An image in a Markdown text (a note, an intro): pages, feeds and exports show its alt text, "
        "not the image (an entry's figure is where an image goes).",
        K.POLICY,
        "warning",
    )
    wrong_language: Policy = spec(
        "A Markdown text of 20 characters or more reads as the other language: English under zh "
        "or zh-Hant, Chinese under en (judged by the share of Han characters).",
        K.POLICY,
        "warning",
    )
    traditional_characters: Policy = spec(
        "Traditional Chinese characters in a zh text (the site's Chinese is Simplified).",
        K.POLICY,
        "warning",
    )
    simplified_characters: Policy = spec(
        "Simplified Chinese characters in a zh-Hant text (a curator's override of the conversion).",
        K.POLICY,
        "warning",
    )
    copyediting: Policy = spec(
        "Chinese copy-editing in zh and zh-Hant texts: spaces between Chinese and Latin letters or digits, "
        "full-width punctuation (digest check --fix applies the changes).",
        K.POLICY,
        "warning",
    )
    control_characters: Policy = spec(
        "A control character (C0 or C1, other than tab and line breaks) in a text, usually an escape "
        "such as \\a or \\x1b in double quotes, or an invisible format character that reorders or hides "
        "text (a bidi control such as U+202E, a zero-width space), in a curated text or a fetched record: "
        "pages and feeds drop it (digest check --fix removes it from curated files).",
        K.POLICY,
        "warning",
    )
    machine_translation: Policy = spec(
        "A machine-drafted translation (content/drafts/) that fails a guard: wrong language or script, "
        "Chinese copy-editing, a formula, code span, URL or number not kept as in the English, or a length "
        "far from the English text's; or a draft whose English text has changed. Such a draft is not shown.",
        K.POLICY,
        "warning",
    )
    empty_category: Policy = spec(
        "A category in categories.yaml that no published edition files an entry under.",
        K.POLICY,
        "warning",
    )
    dangling_reference: Policy = spec(
        "A [n] reference marker in a note with no reference n in the edition's references list "
        "(the marker would lead nowhere).",
        K.POLICY,
        "error",
    )
    dangerous_link: Policy = spec(
        "A javascript:, vbscript: or data: link in Markdown text.",
        K.POLICY,
        "error",
    )
    relative_link: Policy = spec(
        "A relative link in Markdown text (it breaks in feed readers), or a scheme other than "
        "http, https and mailto (removed when the page is built).",
        K.POLICY,
        "warning",
    )


def _fallback(doc: str, nouns: tuple[str, str]) -> Any:
    """A field of :class:`Fallback`; ``nouns`` name its texts in the build's summary (one, several)."""
    return spec(doc, FALLBACK_CHOICE, "original", nouns=nouns)


@dataclass(frozen=True)
class Fallback:
    """What a page shows when a text is not written in its language.

    ``original`` shows the text in the language it was written in, marked as the original
    (英文原文, or 英文原文（未译） when a curator's translation is missing) and tagged with its
    language; ``omit`` leaves it out of that language's pages and feeds; ``machine`` shows a
    machine-drafted translation (``digest translate``) that passed every guard, marked 机器翻译，
    未经审校 (machine translation, not reviewed), and otherwise the original as ``original`` does
    (the abstract, the TL;DR and the meta-review; a title: see ``title``). Titles, category
    names and category descriptions always fall back to the original: a page needs its headings.
    The build prints how many texts fell back in each language.
    """

    intro: str = _fallback("An edition's introduction written in another language only.", ("introduction", "introductions"))
    outro: str = _fallback("An edition's closing paragraphs written in another language only.", ("closing", "closings"))
    note: str = _fallback("A curator's note written in another language only.", ("note", "notes"))
    tldr: str = _fallback("The TL;DR: the fetched one, which is in English, or the curator's (entries[].tldr) "
                          "written in another language only.", ("TL;DR", "TL;DRs"))
    abstract: str = _fallback(
        "The abstract: the curator's own text in the page's language when there is one, "
        "else the fetched one (in English).",
        ("abstract", "abstracts"),
    )
    meta_review: str = _fallback(
        "The meta-review: the curator's gist in the page's language when there is one, "
        "else the curator's gist in another language, else the fetched one (in English).",
        ("meta-review", "meta-reviews"),
    )
    caption: str = _fallback("A figure's caption written in another language only.", ("caption", "captions"))
    title: str = spec(
        "A paper's title with no rendering by the curator in the page's language: the English title "
        "stays the heading either way; `machine` adds under it, where a curator's rendering goes, a "
        "machine draft (digest translate) that passed every guard, marked 机器翻译，未经审校; "
        "`original` shows the English title only.",
        K.Choice(TITLE_FALLBACKS), "original", nouns=("title", "titles"))


#: The texts whose fallback the site sets (original, omit or machine) and the build's summary
#: counts, in report order. Not the title: its original is always shown, as the heading.
FALLBACK_FIELDS = tuple(f.name for f in dataclasses.fields(Fallback) if f.metadata["kind"] is FALLBACK_CHOICE)


@dataclass(frozen=True)
class Feeds:
    """What the feeds carry and how their items are named."""

    editions: int = spec(
        "How many of the newest editions a language's feeds (feed.xml, atom.xml, feed.json) carry; each item "
        "holds a whole article.",
        K.INT,
        10,
    )
    entries: int = spec("How many of the newest entries a category feed carries.", K.INT, 50)
    id_date: str = spec(
        "The date in every feed and item id (tag: URIs, RFC 4151): a year, or a YYYY-MM or "
        "YYYY-MM-DD date, on which whoever publishes the site held its domain. Set it once, before "
        "the first publication, and never change it: a new date gives every item a new id, and "
        "feed readers show all of them again as new.",
        K.TAG_DATE,
        "2018",
    )


@dataclass(frozen=True)
class Services:
    """Base URLs of the metadata services (override for mirrors, proxies and tests).

    The environment variables ``DIGEST_OPENREVIEW_URL``, ``DIGEST_OPENREVIEW_V1_URL``,
    ``DIGEST_ARXIV_URL`` and ``DIGEST_S2_URL`` take precedence over these.
    """

    openreview: str = spec("OpenReview API v2 base URL.", K.URL, "https://api2.openreview.net")
    openreview_v1: str = spec("OpenReview API v1 base URL (ICLR 2017 to 2023).", K.URL, "https://api.openreview.net")
    arxiv: str = spec("arXiv query API endpoint.", K.URL, "https://export.arxiv.org/api/query")
    semantic_scholar: str = spec(
        "Semantic Scholar Graph API base URL.", K.URL, "https://api.semanticscholar.org/graph/v1"
    )


#: The curated texts a provider may draft a translation of (``digest translate --fields``).
TRANSLATABLE = ("abstract", "tldr", "title", "meta_review")


@dataclass(frozen=True)
class Translation:
    """The provider of machine-drafted translations (``digest translate``): any API that speaks
    OpenAI's chat-completions shape (OpenAI, DeepSeek, Qwen, a local Ollama or vLLM). Drafts are
    machine output until a curator approves them; they are kept in ``content/drafts/``.
    """

    base_url: str = spec(
        "Base URL of the chat-completions API, the part before /chat/completions (such as "
        "https://api.openai.com/v1). The environment variable DIGEST_TRANSLATION_URL takes precedence.",
        K.URL,
        "",
    )
    model: str = spec("The model to ask (such as gpt-4o-mini, deepseek-chat or qwen2.5:7b).", K.TEXT, "")
    key_env: str = spec(
        "The name of the environment variable holding the API key (such as OPENAI_API_KEY); the key "
        "itself is never written in any file or message. Empty for a server that needs none (Ollama).",
        K.TEXT,
        "",
    )
    interval: int = spec("Seconds between the end of one request and the start of the next.", K.INT, 1)
    batch: int = spec("How many texts are asked for between two writes of the drafts (and two progress "
                      "updates).", K.INT, 8)
    timeout: int = spec("Seconds to wait for one answer before trying again.", K.INT, 120)
    terms: Mapping[str, str] = spec(
        "Terms the model must translate your way, written English: Chinese (such as overfitting: 过拟合); "
        "passed to the model with every text.",
        K.GLOSSARY,
        {},
    )


@dataclass(frozen=True)
class Site:
    """content/site.yaml: the publication as a whole."""

    title: Localized = spec("The site's name, per language.", K.LTEXT)
    base_url: str = spec(
        "Absolute URL the site is published at, such as https://digest.example.org/ "
        "(feeds and sitemaps need absolute links).",
        K.URL,
    )
    description: Localized = spec("One line under the title and in feeds, per language.", K.LTEXT, {})
    languages: tuple[str, ...] = spec(
        "Languages to publish, in the order the switcher lists them.", K.LANGS, ["en", "zh"]
    )
    default_language: str = spec("The language a reader who has not chosen gets.", K.LANG, "en")
    chinese_conversion: str = spec(
        "OpenCC profile that derives Traditional Chinese (zh-Hant) from the zh texts: s2twp "
        "(Taiwan characters and phrases, 软件 -> 軟體), s2tw (Taiwan characters only), s2hk "
        "(Hong Kong) or s2t. s2tw, s2twp and s2hk also quote the regions' way, “” and ‘’ as 「」 "
        "and 『』. A zh-Hant key written in any text field overrides the conversion.",
        K.Choice(CHINESE_CONVERSIONS),
        "s2twp",
    )
    chinese_terms: Mapping[str, str] = spec(
        "Terms converted your way when deriving zh-Hant, written Simplified: Traditional (such as "
        "参数: 參數). They win over OpenCC's phrases. The default fixes terms of machine-learning "
        "writing that Taiwan phrases get wrong; setting the field replaces the whole list "
        "(write {} for OpenCC alone).",
        K.TERMS,
        CHINESE_TERMS,
    )
    author: str = spec("Who publishes the site (shown in feeds and page footers).", K.TEXT, "")
    policies: Policies = spec("What counts as an error and what as a warning.", K.Nested(Policies), Policies())
    fallback: Fallback = spec(
        "What a page shows when a text is not written in its language: the original, marked, or nothing.",
        K.Nested(Fallback),
        Fallback(),
    )
    feeds: Feeds = spec("What the feeds carry and how their items are named.", K.Nested(Feeds), Feeds())
    services: Services = spec("Base URLs of the metadata services.", K.Nested(Services), Services())
    translation: Translation = spec(
        "The provider of machine-drafted translations (digest translate).", K.Nested(Translation), Translation()
    )


@dataclass(frozen=True)
class Category:
    """One entry of content/categories.yaml. Categories are shown in the order written."""

    key: str = spec("Short identifier used in edition files and URLs, such as model-compression.", K.SLUG_KIND)
    name: Localized = spec("The heading readers see, per language.", K.LTEXT)
    description: Localized = spec("A sentence or two under the heading, per language (Markdown).", K.LMARKDOWN, {})


@dataclass(frozen=True)
class Categories:
    """content/categories.yaml: the topics entries are filed under."""

    categories: tuple[Category, ...] = spec("The categories, in the order pages show them.", K.Nested(Category, many=True))


# --------------------------------------------------------------------------- editions


@dataclass(frozen=True)
class Figure:
    """A figure shown with an entry."""

    src: str = spec(
        "Image file below content/ (such as images/nalu.png) or an absolute https URL.", K.IMAGE
    )
    alt: Localized = spec("Text read out in place of the image, per language.", K.LTEXT)
    caption: Localized = spec("Caption under the image, per language (Markdown).", K.LMARKDOWN, {})


@dataclass(frozen=True)
class Reference:
    """A source the notes of an edition cite with a ``[n]`` marker (see :mod:`digest.core.citations`)."""

    n: int = spec("The number the notes cite it by: [2] in a note cites the reference with n: 2. The article "
                  "numbers its references again, 1, 2, 3 … in the order the notes first cite them.", K.INT)
    url: str = spec("Where the source is (one number per URL: two references with the same URL are one).", K.URL)
    title: Localized = spec("What the references list shows for it, per language (the URL when empty).",
                            K.LTEXT, {}, translate=False)


@dataclass(frozen=True)
class Part:
    """One section an edition defines (layout: sections): a heading, text, then its entries."""

    key: str = spec("Short identifier the entries name in their section field, such as awards.", K.SLUG_KIND)
    heading: Localized = spec("The section's heading, per language.", K.LTEXT)
    text: Localized = spec(
        "Paragraphs under the heading, before its entries, per language (Markdown). A section may "
        "have text and no entries, such as a conclusion.",
        K.LMARKDOWN, {})


@dataclass(frozen=True)
class Entry:
    """One paper in an edition, with the curator's words about it."""

    paper: PaperRef = spec(f"The paper: {written_forms()}, or a pasted {either(named_hosts())} link.", K.REF)
    category: str = spec("Key of the category it is filed under (see categories.yaml).", K.CATEGORY)
    tags: tuple[str, ...] = spec("Free tags such as large-batch or pruning.", K.TAGS, [])
    note: Localized = spec("The curator's commentary, per language (Markdown).", K.LMARKDOWN, {})
    title: Localized = spec(
        "The title as the curator writes it, per language: a Chinese rendering, or a fix "
        "to the fetched English title.",
        K.LTEXT,
        {},
        translate=False,
    )
    abstract: Localized = spec(
        "The abstract in the curator's words or translation, per language.", K.LMARKDOWN, {}, translate=False
    )
    meta_review: Localized = spec(
        "The gist of the official meta-review, per language (Markdown).", K.LMARKDOWN, {}
    )
    code: str = spec("Link to the paper's code, when the fetched one is missing or wrong.", K.URL, "")
    figure: Figure | None = spec("A figure with alt text and caption.", K.Nested(Figure), None)
    highlight: bool = spec("Mark this entry as a highlight of the edition.", K.BOOL, False)
    award: Localized = spec(
        "The award the paper won, per language (such as Outstanding Paper, 杰出论文奖): a badge on the entry "
        "and on its page, and a line in the awards list at the top of the article.", K.LTEXT, {})
    tldr: Localized = spec(
        "The curator's TL;DR, per language: one line shown in place of the fetched TL;DR.", K.LTEXT, {},
        translate=False)
    affiliations: tuple[str, ...] = spec(
        "The authors' institutions, shown after the authors on the entry and its page.", K.TEXTS, [])
    note_author: str = spec(
        "Who wrote the note, shown under it (when several curators write one article).", K.TEXT, "")
    section: str = spec(
        "Key of the edition's section it is shown under (the sections layout, where every entry "
        "needs one; see sections).", K.SLUG_KIND, "")
    loc: Loc = field(default=Loc(""), compare=False, metadata={"internal": True})


#: The blocks of venue statistics an edition can show (VenueStats.blocks), in the words a
#: curator writes.
STAT_BLOCKS = ("submissions", "acceptance", "reviews", "means", "summary", "spread", "controversial", "top",
               "by-decision", "by-score", "confidence")


@dataclass(frozen=True)
class OfficialNumbers:
    """Numbers the venue itself published: shown instead of the computed ones, and `digest check`
    warns where they differ."""

    submissions: int | None = spec("Submissions as the venue counts them.", K.INT, None)
    accepted: int | None = spec("Papers accepted to the main conference (orals, spotlights and posters).", K.INT, None)
    source: str = spec("Where the venue published them (a link).", K.URL, "")
    loc: Loc = field(default=Loc(""), compare=False, metadata={"internal": True})


@dataclass(frozen=True)
class VenueStats:
    """Statistics of a whole venue year in an edition, computed from its venue record
    (content/snapshot/venues/, written by `digest venue fetch`)."""

    venue: str = spec("The venue year, such as ICLR 2021.", K.TEXT)
    blocks: tuple[str, ...] = spec(
        "The blocks to show, in this order: submissions (the count and the rule it follows), acceptance "
        "(by tier, with rates), reviews (a histogram of every review's rating on the venue's scale), means "
        "(a histogram of each paper's mean rating), summary (mean and median of paper means), spread (how "
        "far reviewers of one paper disagree, max - min, and the share under 3), controversial (the papers "
        "of the widest spread), top (the papers of the highest mean, ties at the cut named), by-decision "
        "(mean rating per decision), by-score (acceptance rate per bin of mean rating), confidence "
        "(reviews by rating and confidence, where the venue has confidences).",
        K.ListOf("blocks", "a list of block names", K.Choice(STAT_BLOCKS), "[submissions, acceptance, reviews]",
                 {"minItems": 1, "uniqueItems": True}))
    top: int = spec("How many papers the top and controversial blocks list.", K.INT, 10)
    official: OfficialNumbers | None = spec("Numbers the venue published, which win over computed ones.",
                                            K.Nested(OfficialNumbers), None)
    loc: Loc = field(default=Loc(""), compare=False, metadata={"internal": True})


@dataclass(frozen=True)
class Edition:
    """One edition file in content/editions/: an article in each language."""

    date: date = spec("Publication date, YYYY-MM-DD. Feeds and ordering use it.", K.DATE)
    conference: str = spec("The conference covered, such as ICLR 2018.", K.TEXT)
    title: Localized = spec("The article's title, per language.", K.LTEXT)
    entries: tuple[Entry, ...] = spec("The papers, in the order the curator wants them.", K.Nested(Entry, many=True))
    slug: str = spec("URL name of the edition; defaults to the file name without .yaml.", K.SLUG_KIND, "")
    series: str = spec("Series this edition belongs to, such as iclr2020-weekly.", K.SLUG_KIND, "")
    intro: Localized = spec("Opening paragraphs, per language (Markdown).", K.LMARKDOWN, {})
    draft: bool = spec("A draft is left out of the site unless built with --drafts.", K.BOOL, False)
    layout: str = spec(
        "How the article lists its entries: category (under a heading per category, in the order of "
        "categories.yaml, each category's entries in the order written here) or numbered (one list "
        "numbered 1, 2, 3 … in the order written here, for a top-N list or numbered picks; each entry "
        "still names its category), ranking (numbered in the order rank_by gives, cut after top "
        "entries) or sections (under the edition's own sections, in the order of sections: each a "
        "heading and text, then its entries in the order written here). The table of contents and "
        "the edition feeds follow it.",
        K.Choice(LAYOUTS), "category")
    references: tuple[Reference, ...] = spec(
        "The sources the notes cite with [n] markers, each a number and a URL; the article lists those cited "
        "at its end, numbered in the order of first use.", K.Nested(Reference, many=True), [])
    stats: VenueStats | None = spec("Venue statistics and charts shown after the intro.", K.Nested(VenueStats), None)
    rank_by: str = spec(
        "What a ranking (layout: ranking) orders its entries by: curator (the order written here) or "
        "mean_rating (the mean of the fetched reviewers' ratings, highest first; entries with the same "
        "mean keep the order written here, and entries without ratings come last, in that order).",
        K.Choice(RANK_KEYS), "curator")
    top: int | None = spec(
        "How many entries a ranking numbers (layout: ranking): the entries after them are listed "
        "below the cut, unnumbered. When entries with the same mean rating fall on both sides of "
        "the cut, the page says so and states the tie rule. Unset: every entry is numbered.",
        K.INT, None)
    sections: tuple[Part, ...] = spec(
        "The edition's own sections, in page order (layout: sections): each a heading, then "
        "text, then the entries whose section names it.",
        K.Nested(Part, many=True), [])
    byline: Localized = spec("Who wrote the article, per language, shown under its title (such as "
                             "Text: Li Wei and Anna Berg).", K.LTEXT, {})
    outro: Localized = spec("Closing paragraphs after the entries, per language (Markdown).", K.LMARKDOWN, {})
    loc: Loc = field(default=Loc(""), compare=False, metadata={"internal": True})
    #: where each field was written: "entries[2].note.zh" -> Loc
    locs: Mapping[str, Loc] = field(default_factory=dict, compare=False, metadata={"internal": True})
    #: the fingerprint of the file and the checks it was loaded with ("" when not known): what is
    #: made from this edition alone is cached under it (see digest.incremental)
    source: str = field(default="", compare=False, repr=False, metadata={"internal": True})


# --------------------------------------------------------------------------- fetched

#: What a snapshot record's numbers may be, lowest and highest, and how a message names the
#: range (checked when a record is read, :mod:`digest.metadata.record`). Every rating scale of
#: the venue profiles (digest/metadata/venues.toml) lies within 1 to 10, every confidence
#: scale within 1 to 5.
RATING_SCALE = (1, 10, "the rating scale")
CONFIDENCE_SCALE = (1, 5, "the confidence scale")
YEARS = (1900, 2100, "the years a paper can have")
CITATIONS = (0, 10**9, "a citation count")


@dataclass(frozen=True)
class PaperMeta:
    """A fetched paper record, as kept in the metadata snapshot (JSON, one file per paper).

    A record is read back against these declarations (:mod:`digest.metadata.record`): each
    field's type, and where ``metadata`` says so its range, its choices or its reference scheme.
    ``None`` means the source does not have the field; an empty tuple means it has it and
    it is empty. ``field_sources`` names the source of each field taken from a source other
    than ``source`` (cross-source merges). ``answered`` names the sources (families, such as
    ``openreview``) that answered for this paper when it was last fetched, ``missing`` those
    that were asked and did not (a plain ``digest fetch`` asks them again). Records written
    before these two were kept have ``answered`` None and ``missing`` empty.
    """

    ref: PaperRef
    source: str  # "openreview-v1", "openreview-v2", "arxiv", "s2", "corpus" (the bundled records)
    fetched_at: str  # ISO 8601 UTC, when the record was fetched (never used as a page date)
    title: str | None = None
    authors: tuple[str, ...] | None = None
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    tldr: str | None = None
    venue: str | None = None  # "ICLR 2018"
    year: int | None = field(default=None, metadata={"range": YEARS})
    decision: str | None = field(default=None, metadata={"choice": tuple(DECISIONS)})
    decision_label: str | None = None  # the source's own words, such as "Accept (Poster)"
    ratings: tuple[int, ...] = field(default=(), metadata={"range": RATING_SCALE})
    confidences: tuple[int, ...] | None = field(default=None, metadata={"range": CONFIDENCE_SCALE})
    meta_review: str | None = None
    openreview_id: str | None = field(default=None, metadata={"scheme": "openreview"})
    arxiv_id: str | None = field(default=None, metadata={"scheme": "arxiv"})
    doi: str | None = field(default=None, metadata={"scheme": "doi"})
    forum_url: str | None = None
    pdf_url: str | None = None
    code_url: str | None = None
    citation_count: int | None = field(default=None, metadata={"range": CITATIONS})
    field_sources: Mapping[str, str] = field(default_factory=dict)
    answered: tuple[str, ...] | None = None
    missing: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict with stable key order (the snapshot's file format)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "ref":
                value = str(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, Mapping):
                value = dict(sorted(value.items()))
            out[f.name] = value
        return out


def fields_of(cls: type) -> list[dataclasses.Field]:
    """The curated (documented) fields of a model class, in declaration order."""
    return [f for f in dataclasses.fields(cls) if not f.metadata.get("internal") and "doc" in f.metadata]


# --------------------------------------------------------------------------- venue records


@dataclass(frozen=True)
class VenuePaper:
    """One submission of a venue year, as its venue record keeps it: what statistics need and
    nothing more (no title, authors or abstract). ``decision`` is a tier of :data:`DECISIONS`;
    withdrawn and desk-rejected submissions have the tiers ``withdrawn`` and ``desk-reject``.
    ``confidences`` is None when the source has none for the year, else one per rating."""

    id: str = field(metadata={"scheme": "openreview"})
    decision: str = field(metadata={"choice": tuple(DECISIONS)})
    ratings: tuple[int, ...] = field(default=(), metadata={"range": RATING_SCALE})
    confidences: tuple[int, ...] | None = field(default=None, metadata={"range": CONFIDENCE_SCALE})
    keywords: tuple[str, ...] = ()

    @property
    def withdrawn(self) -> bool:
        return self.decision == "withdrawn"

    @property
    def desk_rejected(self) -> bool:
        return self.decision == "desk-reject"


@dataclass(frozen=True)
class VenueRecord:
    """Every submission of one conference year (``content/snapshot/venues/iclr-2021.json``):
    what ``digest venue fetch`` wrote, read by the venue statistics. ``fetched_at`` is the
    snapshot's date (ISO 8601), printed with every statistic; ``scale`` is the year's rating
    scale (its venue profile's ``ratings``); ``papers`` are sorted by id."""

    conference: str
    year: int = field(metadata={"range": YEARS})
    source: str  # "openreview-v1", "openreview-v2", "corpus"
    fetched_at: str
    scale: tuple[int, ...] = field(metadata={"range": RATING_SCALE})
    papers: tuple[VenuePaper, ...] = ()

    @property
    def slug(self) -> str:
        """The record's file name without ``.json``: ``iclr-2021``."""
        return venue_slug(self.conference, self.year)


def venue_slug(conference: str, year: int) -> str:
    """``iclr-2021`` for ICLR 2021: the name of the venue record's file."""
    return f"{conference.strip().lower().replace(' ', '-')}-{year}"
