"""Pages: Jinja2 templates, Markdown and the HTML sanitiser (the only module using them).

Pure: takes merged :class:`~digest.site.merge.Article` values and gives files
(:class:`~digest.site.channels.Output`, ``(path, bytes)`` pairs for feed items' HTML);
nothing here touches output/. Templates are read from folders searched in order: a site's
own ``templates/`` (overriding any template by name), then the templates digest ships.

Safety, in one place:

- every template is autoescaped, whatever its name, and undefined names fail loudly
  (``StrictUndefined``);
- :meth:`Renderer.markdown` is the one function that turns text into HTML: Python-Markdown,
  then nh3 with an allow-list of tags and attributes and only http, https and mailto
  links. Templates never use ``|safe``;
- links taken from fetched records (PDF, code, forum) are printed only when they are
  absolute http(s) URLs (the ``web_url`` test), so a record cannot smuggle in a
  ``javascript:`` or ``data:`` link;
- fetched titles and abstracts are plain text: templates print them escaped (split into
  paragraphs at blank lines), never through Markdown, through :meth:`Renderer.plain`;
- TeX between dollar signs, in Markdown and in plain text, becomes MathML
  (:mod:`digest.site.tex`), cleaned by an nh3 allow-list of the MathML elements and
  attributes latex2mathml writes (nothing that links or loads); MathML written as HTML in
  Markdown is not on the page's allow-list and is dropped like any other unknown tag;
- control characters that HTML and XML cannot carry (a bell written as an escape in a
  double-quoted YAML string, a form feed in a record) are dropped from every printed value and from Markdown
  (:func:`printable_value`), so no text can make a page invalid or a feed unwritable.

UI strings go through gettext (``{{ _("...") }}``, ``{% trans %}``); the catalogs, dates
and numbers come from :mod:`digest.site.i18n`. Each language has its own Jinja2 environment
(:meth:`Renderer.environment`) whose globals and filters are bound to it, and the link
functions (``href``, ``static_url``, ...) are bound to each page's link prefix, so no
function reads the template context; the compiled templates are shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, Protocol

import markdown as markdown_lib
import nh3
from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, TemplateError
from jinja2.bccache import Bucket
from markdown.inlinepatterns import InlineProcessor
from markupsafe import Markup, escape

from digest.content.validate import PLACEHOLDER
from digest.core import layout
from digest.core.errors import BuildError
from digest.core.ids import PaperRef, is_http_url
from digest.core.languages import LANGUAGES
from digest.core.models import DECISIONS, Category, Site
from digest.core.text import N_, printable
from digest.site import i18n, tex
from digest.site.channels import Alternates, Kind, Output
from digest.site.keys import Keys
from digest.site.merge import (
    LINK_KINDS,
    PAPER_SORTS,
    Article,
    Heading,
    Item,
    Shown,
    by_category,
    by_tag,
    by_venue,
    coverage,
    localized,
    once_per_paper,
    pick,
    script_lang,
    sorted_rows,
)
from digest.site.merge import summary as entry_summary

#: Tags and attributes curators' Markdown may produce; everything else is stripped.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h3", "h4", "h5", "h6", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}
#: The MathML elements and attributes latex2mathml writes (see digest.site.tex), minus colours
#: and links: the math of a note, title or abstract passes the same sanitiser as the rest.
MATHML_TAGS = frozenset({
    "math", "menclose", "mfrac", "mi", "mn", "mo", "mover", "mpadded", "mphantom", "mroot", "mrow", "mspace",
    "msqrt", "mstyle", "msub", "msubsup", "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover",
})
MATHML_ATTRIBUTES = frozenset({
    "accent", "columnalign", "columnlines", "columnspacing", "depth", "displaystyle", "fence", "form", "height",
    "largeop", "linebreak", "linethickness", "lspace", "mathsize", "mathvariant", "maxsize", "minsize",
    "movablelimits", "notation", "rowlines", "rowspacing", "rspace", "scriptlevel", "separator", "stretchy",
    "voffset", "width",
})
URL_SCHEMES = frozenset({"http", "https", "mailto"})
MARKDOWN_EXTENSIONS = ("sane_lists", "tables", "fenced_code")
#: How wide (in columns, a Chinese character two) a page's meta description may be.
DESCRIPTION_WIDTH = 160
#: How messages name the templates folder.
TEMPLATES_LABEL = "templates"
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class Asset:
    """A local figure as published: its output path and pixel size (None when unknown)."""

    path: str
    width: int | None = None
    height: int | None = None


class FragmentStore(Protocol):
    """Where rendered fragments are kept between builds, by key (:class:`digest.core.cache.Cache`)."""

    def get_many(self, keys: Iterable[str]) -> Mapping[str, Any]: ...
    def put_many(self, items: Iterable[tuple[str, Any]]) -> None: ...


#: New fragments are handed to the store once they hold this many bytes (and when a language is done).
FLUSH_BYTES = 4 << 20


class Renderer:
    """Renders every page of a site. Create one per build; it caches compiled Markdown.

    With ``keys`` (:class:`digest.site.keys.Keys`), every page it yields carries its key and
    is rendered only when asked (:attr:`Output.render <digest.site.channels.Output>`); with a
    ``store`` too, the fragments that pages and feeds share (an entry's byline and body, a
    feed item's HTML) are kept there by key and reused by the next build.
    """

    def __init__(
        self,
        templates: Path | Sequence[Path],
        site: Site,
        categories: Sequence[Category],
        assets: Mapping[str, Asset] | None = None,
        static_versions: Mapping[str, str] | None = None,
        keys: Keys | None = None,
        store: FragmentStore | None = None,
        search: bool = False,
    ):
        self.site = site
        self.search = search  # the site has search: a search page per language, linked from the menu
        self.keys = keys or Keys("")
        self.store = store
        self._stored: dict[str, bytes] = {}  # fragments of this language, by key: found in the store or new
        self._new: dict[str, bytes] = {}  # not in the store yet
        self._new_bytes = 0
        self.base_url = site.base_url if site.base_url.endswith("/") else site.base_url + "/"
        self.categories = tuple(categories)
        self.assets = dict(assets or {})
        self.static_versions = dict(static_versions or {})
        self._markdown_cache: dict[str, Markup] = {}
        self._fragments: dict[tuple, bytes] = {}  # UTF-8: half the memory of a str holding CJK
        self._fragments_lang = ""
        self._md = markdown_lib.Markdown(extensions=list(MARKDOWN_EXTENSIONS), output_format="html")
        self._md.inlinePatterns.register(_MathInline(self._hold_math, self._md), "math", _MATH_PRIORITY)
        self._formulas: list[str] = []  # the HTML of the formulas of the Markdown being converted
        self._math_cache: dict[str, str] = {}
        self._cleaner = nh3.Cleaner(
            tags=set(ALLOWED_TAGS),
            attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
            url_schemes=set(URL_SCHEMES),
            url_relative="deny",
            link_rel="noopener",
            attribute_filter=_valid_url,
        )
        # MathML only where digest made it from TeX: each formula is held aside while the
        # page's allow-list (no MathML, so none written as HTML) cleans the rest, and is
        # cleaned by this one, which holds MathML and nothing else.
        self._math_cleaner = nh3.Cleaner(
            tags=set(MATHML_TAGS),
            attributes={**{tag: set(MATHML_ATTRIBUTES) for tag in MATHML_TAGS},
                        "math": set(MATHML_ATTRIBUTES | {"alttext", "display", "xmlns"})},
            url_schemes=set(),
            url_relative="deny",
        )
        folders = [templates] if isinstance(templates, (str, Path)) else list(templates)
        self.templates = [Path(folder).resolve() for folder in folders]
        self._loader = FileSystemLoader([str(folder) for folder in self.templates])
        self._compiled = _CompiledTemplates(store)
        self._environments: dict[str, Environment] = {}
        self._plain_environments: dict[str, Environment] = {}  # overlays without autoescape, for exports

    # ------------------------------------------------------------------ the one HTML source

    def markdown(self, text: str) -> Markup:
        """Curator Markdown -> sanitised HTML. The only place text becomes markup.

        A ``<<placeholder>>`` (a draft's, previewed with --drafts) is not Markdown's to read
        (it would take it for a tag and the sanitiser would drop it): it is set aside, then
        put back escaped and marked (:func:`marked`)."""
        cached = self._markdown_cache.get(text)
        if cached is None:
            self._md.reset()
            held: list[str] = []

            def hold(match: re.Match[str]) -> str:
                held.append(match.group(0))
                return f"{_HELD[0]}{len(held) - 1}{_HELD[1]}"

            source = printable(text)
            for mark in (*_HELD, *_MATH_HELD):
                source = source.replace(mark, "")
            source = PLACEHOLDER.sub(hold, source)
            self._formulas = []
            converted = _IMG_TAG.sub(_alt_text, self._md.convert(source))  # an image keeps its words
            html = _REL_WITHOUT_HREF.sub(r"<a\1>", self._cleaner.clean(converted)).strip()
            if self._formulas:
                html = _MATH_HELD_AT.sub(lambda m: self._formulas[int(m.group(1))], html)
            if held:
                html = _HELD_AT.sub(lambda m: str(marked(held[int(m.group(1))])), html)
            cached = Markup(html)
            self._markdown_cache[text] = cached
        return cached

    def _hold_math(self, match: re.Match[str]) -> str:
        """What Markdown is given for a formula: a mark that the formula's HTML replaces
        once the rest is sanitised (see :meth:`markdown`)."""
        self._formulas.append(self._math_html(match))
        return f"{_MATH_HELD[0]}{len(self._formulas) - 1}{_MATH_HELD[1]}"

    def _math_html(self, match: re.Match[str]) -> str:
        """One match of :data:`digest.site.tex.PATTERN` as HTML: a dollar sign, the math as
        sanitised MathML, or (when it does not convert) its source text, escaped."""
        if tex.dollar(match):
            return "$"
        source = match.group(0)
        html = self._math_cache.get(source)
        if html is None:
            mathml = tex.to_mathml(match)
            html = self._math_cleaner.clean(mathml) if mathml else str(escape(source))
            self._math_cache[source] = html
        return html

    def plain(self, text: Any) -> Any:
        """Plain text (a fetched title or abstract, a curator's title) as HTML: escaped, its
        ``$…$`` math as MathML (see :mod:`digest.site.tex`), each ``<<placeholder>>`` marked
        (:func:`marked`). Anything but a plain string is left as it is."""
        if not isinstance(text, str) or isinstance(text, Markup):
            return text
        text = printable(text)
        out, last = [], 0
        for match in tex.PATTERN.finditer(text):
            out += [str(escape(marked(text[last:match.start()]))), self._math_html(match)]
            last = match.end()
        out.append(str(escape(marked(text[last:]))))
        return Markup("".join(out))

    def markdown_text(self, text: str, addresses: Callable[[str], str | None] | None = None) -> str:
        """Curator Markdown as the plain text a reader sees (for feed channel descriptions, which
        feed readers show as text): rendered and sanitised as on the pages, then stripped of
        tags and character references (a formula as its TeX), with runs of white space made one space.

        With ``addresses`` (an email's text part), every link's address, as ``addresses`` gives
        it, follows its words in parentheses (``words (https://...)``; an address alone once),
        and every image is its alt text and address, and the text keeps its blocks: paragraphs
        apart, a list item or a table row a line each, a code block's lines as written (see
        :func:`_text_blocks`); without it, links are their words, all on one line."""
        html = _MATH_ELEMENT.sub(lambda m: m.group(1), str(self.markdown(text)))  # a formula as its TeX
        if addresses is not None:
            html = _IMAGE.sub(lambda m: _spelled_out(m, addresses, image=True), html)
            html = _ANCHOR.sub(lambda m: _spelled_out(m, addresses, image=False), html)
            return _text_blocks(html)
        tagless = nh3.clean(html, tags=set(), attributes={})
        return " ".join(html_unescape(tagless).split())

    # ------------------------------------------------------------------ environment

    def environment(self, lang: str) -> Environment:
        """The Jinja2 environment of one page language (made on first use): every global and
        filter that depends on the language is bound to it, so none reads the template context."""
        env = self._environments.get(lang)
        if env is None:
            env = self._environments[lang] = self._environment(lang)
        return env

    def _environment(self, lang: str) -> Environment:
        env = Environment(
            loader=self._loader,
            bytecode_cache=self._compiled,
            autoescape=True,
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            finalize=printable_value,
        )
        langs = self.site.languages
        env.install_gettext_callables(lambda message: i18n.gettext_for(lang, message),
                                      lambda singular, plural, n: i18n.ngettext_for(lang, singular, plural, n),
                                      newstyle=True)

        def text(texts: Mapping[str, str]) -> str:
            """Plain curated text per language, in the page's language or the best other."""
            return localized(texts, lang, langs)

        def name(texts: Mapping[str, str], default: str = "") -> Shown:
            """A name or title per language (a category's, the site's) as ``ltext`` gives
            it, never empty: ``default`` (a key) when no language has it."""
            return pick(texts, lang, langs) or Shown(default, "missing")

        def own_text(texts: Mapping[str, str]) -> str:
            """Plain curated text in the page's language only ("" when not written in it), for
            what cannot say its language (a meta tag)."""
            shown = pick(texts, lang, langs)
            return "" if not shown or shown.foreign(lang) else shown.value

        def summary(item: Item) -> str:
            """An entry summed up in the page's language only, as plain text on one short line
            (see :func:`digest.site.merge.summary`); "" when nothing is written in it."""
            shown = entry_summary(item, lang)
            if not shown:
                return ""
            return i18n.shorten(self.markdown_text(shown.value) if shown.markdown else shown.value,
                                DESCRIPTION_WIDTH)

        def list_parts(names: Sequence[str]) -> list[tuple[str, int | None]]:
            """Names joined as the page's language joins a list, in pieces: (separator, None) and
            (name, its index), so a template can print each name as a link."""
            index = iter(range(len(names)))
            return [(text, next(index) if is_name else None) for text, is_name in i18n.list_parts(names, lang)]

        def message_parts(message: str, **values: str) -> list[tuple[str, str]]:
            """A UI sentence (marked with ``N_``) translated, with ``values`` (plain text) put in,
            in pieces: (text, "") and (value, its key), spaced between Han and Latin at the seams,
            so a template can wrap a value in markup (see i18n.message_parts)."""
            return i18n.message_parts(i18n.gettext_for(lang, message), values)

        env.filters.update(
            date=lambda value, style="long": i18n.format_date(value, lang, style),
            number=lambda value: i18n.format_number(value, lang),
            mean=lambda values: i18n.format_mean(values, lang),
            percent=lambda value: i18n.format_percent(value, lang),
            decimal=lambda value, digits=2: i18n.format_decimal(value, lang, digits),
            # the author list joined in the page's language, in pieces: (text, is a name)
            author_parts=lambda names, every=False: i18n.author_parts(names, lang, len(names) if every
                                                                      else i18n.AUTHORS_SHOWN),
            paragraphs=paragraphs,
            list_parts=list_parts,
            md=markdown_escaped,
            marked=marked,
            tex=self.plain,
            cite=cite,
        )
        env.tests["web_url"] = is_http_url  # links from fetched records: http(s) only
        env.globals.update(
            url=lambda path: layout.absolute(self.site.base_url, path),
            markdown=self.markdown,
            bcp47=lambda code: LANGUAGES.get(code, code),
            language_in=lambda code: i18n.language_in(code, lang),
            language_name=lambda code: i18n.language_name(code, langs),
            edition_path=lambda slug: layout.edition(lang, slug),
            paper_path=lambda item: layout.paper(lang, item.edition, item.ref),
            category_path=lambda key: layout.category(lang, key),
            tag_path=lambda tag: layout.tag(lang, tag),
            home_path=lambda: layout.home(lang),
            text=text,
            text_in=lambda texts, code: localized(texts, code, langs),
            ltext=lambda texts, markdown=False: pick(texts, lang, langs, markdown),
            ltext_in=lambda texts, code: pick(texts, code, langs),
            name=name,
            own_text=own_text,
            summary=summary,
            message_parts=message_parts,
            tie_rule=lambda tie, top: i18n.tie_rule(len(tie.items), tie.items[0].ratings.value, top, tie.above, lang),
            N_=N_,
            site_author=Shown(self.site.author, "curator", script_lang((self.site.author,))),
            figure_asset=self._figure_asset,
            layout=layout,
            decision_labels=DECISIONS,
            link_names=LINK_KINDS,
            site=self.site,
            categories=self.categories,
            languages=langs,
            search=self.search,
            search_path=lambda: layout.search(lang),
        )
        return env

    def export(self, lang: str, template: str, values: Mapping[str, Any]) -> str:
        """Render an export's template (``export/<channel>/...``, see :mod:`digest.exports`) in
        ``lang``: the page templates' globals and filters, absolute links; ``.html`` templates
        autoescape, others (Markdown, plain text) do not."""
        env = self.environment(lang)
        if not template.endswith(".html"):
            env = self._plain_environments.get(lang) or self._plain_environments.setdefault(
                lang, env.overlay(autoescape=False))
        try:
            return env.get_template(template).render(**values)
        except TemplateError as exc:
            raise BuildError(f"{self._where(exc, template)}: {exc.message} (while rendering an export; fix the template)") from None

    def _page_functions(self, lang: str, root: str) -> dict[str, Any]:
        """The functions whose links start with the page's link prefix ``root``: given to
        each render with the page's own variables."""

        def href(path: str) -> str:
            return _link(root, path)

        def static_url(name: str) -> str:
            link = _link(root, layout.static(name))
            version = self.static_versions.get(name)
            return f"{link}?v={version}" if version else link

        def entry_part(part: str, item: Item, full: bool = False) -> Markup:
            """An entry's ``byline`` or ``body`` (see templates/_entry_*.html), rendered once per
            language and reused by the article, the paper page, the category page and the feeds.
            ``full``: as the entry's own page shows it (every author, see _entry_byline.html)."""
            page = layout.paper(lang, item.edition, item.ref)
            return self._fragment(lang, root, f"_entry_{part}.html", (part, item.edition, item.ref, full), page,
                                  stored=True, item=item, full=full)

        def chrome(part: str) -> Markup:
            """The site menu or footer (templates/_chrome_*.html), rendered once per language."""
            return self._fragment(lang, root, f"_chrome_{part}.html", (part,), layout.home(lang))

        return {"href": href, "static_url": static_url, "entry_part": entry_part, "chrome": chrome}

    def _fragment(self, lang: str, root: str, template: str, key: tuple, page: str, stored: bool = False,
                  **values: Any) -> Markup:
        """A template rendered once per language and key, then reused on many pages (and,
        when ``stored``, kept in the store for the next build, keyed by ``values``).

        The fragment is rendered with a placeholder for the link prefix, which each use
        replaces with its own (``root``: ``../../`` on a page, the base URL in a feed). The
        fragment is template output, hence already escaped; the prefix is escaped here.
        """
        if lang != self._fragments_lang:
            self._fragments.clear()
            self._fragments_lang = lang
        html = self._fragments.get(key)
        if html is None:
            def render() -> bytes:
                return self._render(template, page, lang, root=_ROOT_MARK, **values).encode("utf-8")

            html = self._keep(self.keys.of(template, lang, values), render) if stored else render()
            self._fragments[key] = html
        return Markup(html.replace(_ROOT_MARK_BYTES, str(escape(root)).encode("utf-8")).decode("utf-8"))

    def _keep(self, key: str, render: Callable[[], bytes], remember: bool = True) -> bytes:
        """What ``render`` gives, taken from the store when it has ``key``, else rendered and
        kept for it. ``remember``: also hold it in memory until the language is done (a
        fragment many pages use; not a feed item's HTML, which is large and used twice)."""
        found = self._stored.get(key) or self._new.get(key)
        if found is None and self.store is not None:
            found = self.store.get_many([key]).get(key)
        if found is None:
            found = render()
            if self.store is not None:
                self._new[key] = found
                self._new_bytes += len(found)
                if self._new_bytes > FLUSH_BYTES:
                    self.flush()
        if remember:
            self._stored[key] = found
        return found

    def flush(self) -> None:
        """Hand the new fragments to the store."""
        if self.store is not None and self._new:
            self.store.put_many(self._new.items())
        self._new, self._new_bytes = {}, 0

    def _figure_asset(self, src: str) -> Asset:
        """Where a figure is published; remote figures keep their absolute URL."""
        if src.startswith(("http://", "https://")):
            return Asset(src)
        return self.assets.get(src) or Asset(layout.image(src))

    # ------------------------------------------------------------------ pages

    def _render(self, template: str, page: str, lang: str, absolute: bool = False, root: str | None = None,
                **values: Any) -> str:
        """Render a template for the page at output path ``page``. Links are relative to it,
        or absolute under the base URL (``absolute``), or start with ``root`` when given."""
        if root is None:
            root = self.base_url if absolute else layout.root_prefix(page)
        try:
            return self.environment(lang).get_template(template).render(
                page=page, lang=lang, root=root, site_title=self.site_title(lang), **self._page_functions(lang, root),
                **values)
        except TemplateError as exc:
            raise BuildError(f"{self._where(exc, template)}: {exc.message} (while rendering {page}; fix the template)") from None

    def _where(self, exc: TemplateError, template: str) -> str:
        """``templates/<name>:<line>`` of a template error: from the error itself for syntax
        errors, else from the innermost template frame of the traceback."""
        name, line = getattr(exc, "name", None), getattr(exc, "lineno", None)
        if not line:
            tb = exc.__traceback__
            while tb is not None:
                filename = Path(tb.tb_frame.f_code.co_filename)
                for folder in self.templates:
                    if filename.is_relative_to(folder):
                        name, line = filename.relative_to(folder).as_posix(), tb.tb_lineno
                tb = tb.tb_next
        where = f"{TEMPLATES_LABEL}/{name or template}"
        return f"{where}:{line}" if line else where

    def _alternates(self, paths: Mapping[str, str]) -> list[dict[str, str]]:
        return [
            {"lang": code, "bcp47": LANGUAGES[code], "path": paths[code], "name": i18n.language_name(code, self.site.languages)}
            for code in self.site.languages
        ]

    def pages(self, lang: str, articles: Sequence[Article]) -> Iterator[Output]:
        """Every HTML page of one language, one at a time: home, then each edition with its
        paper pages (in the curator's order, which the sitemap keeps), then the category pages."""
        langs = self.site.languages
        ordered = sorted(articles, key=lambda a: (a.date, a.slug), reverse=True)
        grouped = by_category(ordered)
        editions = {a.slug: a.heading for a in ordered}
        counts = {c.key: len(grouped.get(c.key, ())) for c in self.categories}

        def page(template: str, alternates: Mapping[str, str], x_default: str | None = None,
                 lastmod: date | None = None, **values: Any) -> Output:
            """The page at ``alternates[lang]``; ``alternates``: the same page in every language.
            ``x_default``: the page for readers of no listed language (the default one's version).
            Rendered when the pipeline asks (``Output.render``), keyed by exactly what it is given."""
            path = alternates[lang]
            x_default = x_default or alternates.get(self.site.default_language)

            def render() -> bytes:
                return self._render(template, path, lang, alternates=self._alternates(alternates),
                                    x_default=x_default, **values).encode("utf-8")

            return Output(path, None, Kind.PAGE, tuple(alternates.items()), lastmod,
                          key=self.keys.of(template, lang, alternates, x_default, values), render=render)

        tagged = by_tag(ordered)
        covered = coverage(ordered)
        venues = by_venue(ordered)
        tag_counts = {tag: len(once_per_paper(items)) for tag, items in tagged.items()}
        venue_list = tuple((slug, conference, len(rows)) for slug, (conference, rows) in venues.items())

        def also(items: Iterable[Item]) -> dict[PaperRef, tuple[Heading, ...]]:
            """The editions covering each paper of ``items`` that more than one edition covers."""
            return {i.ref.unversioned: covered[i.ref.unversioned] for i in items if len(covered[i.ref.unversioned]) > 1}

        yield page("home.html", {c: layout.home(c) for c in langs}, x_default=layout.ROOT_INDEX,
                   articles=ordered, counts=counts, tags=tag_counts,
                   venues=venue_list)  # the language homes' x-default is the language chooser
        for article in ordered:
            yield page("edition.html", {c: layout.edition(c, article.slug) for c in langs}, lastmod=article.date,
                       article=article)
            heading = editions[article.slug]
            items = article.items
            category_of = {item.ref: section.category for section in article.sections for item in section.items}
            for i in sorted(range(len(items)), key=lambda i: items[i].position):
                item = items[i]
                yield page("paper.html", {c: layout.paper(c, article.slug, item.ref) for c in langs},
                           lastmod=article.date, article=heading, item=item, category=category_of[item.ref],
                           coverage=covered[item.ref.unversioned],
                           previous=items[i - 1] if i > 0 else None,
                           next=items[i + 1] if i + 1 < len(items) else None)
        for category in self.categories:
            items = once_per_paper(grouped.get(category.key, ()))
            yield page("category.html", {c: layout.category(c, category.key) for c in langs},
                       category=category, items=items, editions=editions, covered=also(items))
        for tag, entries in tagged.items():
            items = once_per_paper(entries)
            yield page("tag.html", {c: layout.tag(c, tag) for c in langs},
                       tag=tag, items=items, editions=editions, covered=also(items))
        for slug, (conference, rows) in venues.items():
            sorts = {sort: "" if sort == PAPER_SORTS[0] else sort for sort in PAPER_SORTS}  # sort -> its folder
            for sort, folder in sorts.items():
                yield page("papers.html", {c: layout.paper_index(c, slug, folder) for c in langs},
                           venue=slug, conference=conference, rows=sorted_rows(rows, sort), sort=sort,
                           sorts={s: layout.paper_index(lang, slug, f) for s, f in sorts.items()})
        if self.search:
            yield page("search.html", {c: layout.search(c) for c in langs})

    def root_index(self) -> bytes:
        """output/index.html: lets a reader pick a language."""
        langs = self.site.languages
        html = self._render("root.html", layout.ROOT_INDEX, self.site.default_language,
                            alternates=self._alternates({c: layout.home(c) for c in langs}), x_default=layout.ROOT_INDEX)
        return html.encode("utf-8")

    def sitemap(self, pages: Iterable[tuple[Alternates, date | None]]) -> bytes:
        """sitemap.xml: every page in every language, with its alternates in the others and
        the date of the edition it shows (``pages``: what the pages channel produced)."""
        html = self._render("sitemap.xml", layout.SITEMAP, self.site.default_language, absolute=True,
                            groups=[(self._alternates(dict(alternates)), lastmod) for alternates, lastmod in pages])
        return html.encode("utf-8")

    def forget(self) -> None:
        """Drop cached fragments and Markdown, the new ones given to the store first (call
        when a language is done, to free memory)."""
        self.flush()
        self._fragments.clear()
        self._fragments_lang = ""
        self._stored.clear()
        self._markdown_cache.clear()
        self._math_cache.clear()
        self.keys.forget()

    # ------------------------------------------------------------------ feed content

    def feed_edition_html(self, article: Article) -> str:
        """The article as one HTML fragment with absolute links (an edition feed item)."""
        page = layout.edition(article.lang, article.slug)
        return self._feed_html("feed_edition.html", page, article.lang, article=article)

    def feed_entry_html(self, item: Item, article: Heading) -> str:
        """One entry as an HTML fragment with absolute links (a category feed item);
        ``article``: its edition's heading."""
        page = layout.paper(article.lang, item.edition, item.ref)
        return self._feed_html("feed_entry.html", page, article.lang, item=item, article=article)

    def _feed_html(self, template: str, page: str, lang: str, **values: Any) -> str:
        """A feed item's HTML, kept in the store by ``values``."""
        def render() -> bytes:
            return self._render(template, page, lang, absolute=True, **values).encode("utf-8")

        return self._keep(self.keys.of(template, lang, values), render, remember=False).decode("utf-8")


    def site_title(self, lang: str) -> str:
        return localized(self.site.title, lang, self.site.languages)


class _CompiledTemplates(BytecodeCache):
    """Templates compiled once per process, shared by the languages' environments (which
    differ only in the values of their globals and filters), and kept in the store for the
    next build, under the template's name and a digest of its source (Jinja2 checks both,
    and its own and Python's versions, before it uses them)."""

    def __init__(self, store: FragmentStore | None = None) -> None:
        self._code: dict[str, bytes] = {}
        self._store = store

    def _key(self, bucket: Bucket) -> str:
        return f"compiled template {bucket.key} {bucket.checksum}"

    def load_bytecode(self, bucket: Bucket) -> None:
        key = self._key(bucket)
        code = self._code.get(key)
        if code is None and self._store is not None:
            found = self._store.get_many([key]).get(key)
            code = found if isinstance(found, bytes) else None
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        key = self._key(bucket)
        self._code[key] = code = bucket.bytecode_to_string()
        if self._store is not None:
            self._store.put_many([(key, code)])


#: ASCII characters a URL cannot hold as they are (vnu: "illegal character"): percent-encoded.
_URL_UNSAFE = re.compile(r'[\s"<>\\^`{|}]')
#: A link whose URL the sanitiser refused keeps only rel="noopener", which HTML forbids
#: without href; rel is always the last attribute nh3 writes.
_REL_WITHOUT_HREF = re.compile(r'<a((?:\s(?!href=)[\w:-]+="[^"]*")*)\s+rel="noopener">')


_IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
_ALT = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _alt_text(match: re.Match[str]) -> str:
    """An ``<img>`` of curator Markdown as its alt text: notes hold no images (a figure does;
    ``digest check`` says so, policy ``image_in_text``), and no words are lost."""
    alt = _ALT.search(match.group(0))
    return (alt.group(1) if alt.group(1) is not None else alt.group(2)) if alt else ""


def _valid_url(tag: str, attribute: str, value: str) -> str:
    """nh3 attribute filter: link URLs without spaces or characters that make HTML invalid."""
    if attribute in ("href", "src"):
        return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", value.strip())
    return value


#: Stands for the link prefix in cached entry fragments; no text can hold it (see merge.printable).
_ROOT_MARK = "\x00root\x00"
_ROOT_MARK_BYTES = _ROOT_MARK.encode("ascii")


def printable_value(value: Any) -> Any:
    """Every ``{{ value }}`` a template prints, without unprintable control characters.

    Markup is left alone (it is sanitised Markdown or template output, already clean); a
    link that starts with the fragment prefix mark keeps the mark.
    """
    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    if value.startswith(_ROOT_MARK):
        return _ROOT_MARK + printable(value[len(_ROOT_MARK):])
    return printable(value)


def _link(root: str, path: str) -> str:
    """``path`` (an output path) as a link under the prefix ``root``."""
    target = layout.public(path)
    return root + target if (root or target) else "./"


#: Math is read after code spans (190: what a code span holds stays code) and before
#: backslash escapes (180), inline HTML (90: ``$a<b$`` is not a tag) and emphasis.
_MATH_PRIORITY = 185
#: A sanitised formula, its TeX source (still escaped) in group 1.
_MATH_ELEMENT = re.compile(r'<math alttext="([^"]*)"[^>]*>.*?</math>', re.S)


_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre>", re.S)
_TOKEN = re.compile(r"(<[^>]*>)")
_TAG_NAME = re.compile(r"<(/?)([a-zA-Z0-9]+)")
_ENDS_BLOCK = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "div", "section"})


def _text_blocks(html: str) -> str:
    """Sanitised HTML as plain text that keeps its blocks: a blank line between paragraphs,
    each list item on its own line after "- " or its number (nested items indented), each
    table row a line of cells joined by " | ", a code block's lines as written, indented by
    four spaces. White space inside a paragraph is one space, as a reader sees it."""
    out: list[str] = []
    lists: list[list[int]] = []  # per open list: [number of the next item], or [] for a bulleted one
    cells = 0

    def text(piece: str) -> None:
        out.append(re.sub(r"\s+", " ", html_unescape(piece)))

    in_pre = False
    for token in _TOKEN.split(_PRE.sub(lambda m: f"<pre>{_TOKEN.sub('', m.group(1))}</pre>", html)):
        if not token:
            continue
        if not token.startswith("<"):
            if in_pre:  # each line as written, marked to be indented
                out.append("\n".join("\ue015" + line for line in html_unescape(token).rstrip("\n").split("\n")))
            else:
                text(token)
            continue
        found = _TAG_NAME.match(token)
        if found is None:
            continue
        closing, name = found.group(1) == "/", found.group(2).lower()
        if name in ("ul", "ol"):
            if closing:
                if lists:
                    lists.pop()
                out.append("" if lists else "\n\n")
            else:
                lists.append([1] if name == "ol" else [])
        elif name == "li" and not closing:
            marker = "- "
            if lists and lists[-1]:
                marker = f"{lists[-1][0]}. "
                lists[-1][0] += 1
            out.append("\n" + "\ue013" * (len(lists) - 1) + marker)
        elif name == "br":
            out.append("\n")
        elif name == "tr" and closing:
            out.append("\n")
            cells = 0
        elif name in ("td", "th") and not closing:
            out.append(" | " if cells else "")
            cells += 1
        elif name == "pre":
            in_pre = not closing
            out.append("\n\n" if closing else "\n")
        elif name in _ENDS_BLOCK and closing:
            out.append("\n\n")
    lines = []
    for line in "".join(out).split("\n"):
        if line.startswith("\ue015"):
            lines.append("    " + line[1:].rstrip())
            continue
        indent = len(line) - len(line.lstrip("\ue013"))
        lines.append("  " * indent + re.sub(r" +\| +", " | ", line.lstrip("\ue013").strip()))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def formulas_as_tex(html: str) -> str:
    """Rendered Markdown with each formula as its TeX source between dollar signs (``$$`` for
    a display formula), for a reader without MathML (the WeChat editor, mail clients), which
    would otherwise drop it with its words."""
    def source(match: re.Match[str]) -> str:
        opening = match.group(0).split(">", 1)[0]
        fence = "$$" if 'display="block"' in opening else "$"
        return f"{fence}{match.group(1)}{fence}"

    return _MATH_ELEMENT.sub(source, html)


class _MathInline(InlineProcessor):
    """Python-Markdown inline pattern: ``$…$``, ``$$…$$`` and ``\\$`` (see digest.site.tex),
    each replaced by the mark ``hold(match)`` gives, kept as it is (Markdown's stash), so
    nothing Markdown does touches the formula."""

    def __init__(self, hold: Callable[[re.Match[str]], str], md: markdown_lib.Markdown) -> None:
        super().__init__(tex.PATTERN.pattern, md)
        self._hold = hold

    def handleMatch(self, m: re.Match[str], data: str) -> tuple[str, int, int]:  # noqa: N802 (Markdown's name)
        return self.md.htmlStash.store(self._hold(m)), m.start(0), m.end(0)


#: Private-use characters that stand for a placeholder while Markdown reads the text around it.
_HELD = ("\ue000", "\ue001")
_HELD_AT = re.compile(f"{_HELD[0]}(\\d+){_HELD[1]}")
#: And for a formula (see Renderer.markdown).
_MATH_HELD = ("\ue002", "\ue003")
_MATH_HELD_AT = re.compile(f"{_MATH_HELD[0]}(\\d+){_MATH_HELD[1]}")


#: A reference marker as rendered Markdown holds it: ``[n]`` in text, outside tags, code and links.
_CITE_AT = re.compile(r"(<code>.*?</code>|<a\b[^>]*>.*?</a>|<[^>]*>)|\[(\d+)\]", re.S)


def cited(html: str, make: Callable[[int], str | None]) -> Markup:
    """Rendered Markdown with each ``[n]`` marker (its number in the article, see
    :mod:`digest.core.citations`) replaced by the HTML ``make(n)`` gives (left as it is when
    that is None); text in code, in links and in tags is left alone. ``html`` that is not Markup is
    escaped first; ``make`` builds its markup from digits and escaped values only."""
    html = escape(html)

    def each(match: re.Match[str]) -> str:
        made = None if match.group(1) else make(int(match.group(2)))
        return match.group(0) if made is None else made

    return Markup(_CITE_AT.sub(each, str(html)))


def cite(html: str, target: str, numbers: Iterable[int]) -> Markup:
    """A note's HTML with each marker of ``numbers`` a link to item ``n`` of the references
    list of the article at ``target`` (the ``cite`` filter)."""
    wanted = set(numbers)
    return cited(html, lambda n: f'<a class="cite" href="{escape(target)}#ref-{n}">[{n}]</a>' if n in wanted else None)


def marked(text: Any) -> Any:
    """Plain text, escaped, with every ``<<placeholder>>`` in it marked
    (``<mark class="placeholder">``), so a draft's preview shows what is still to write;
    anything else unchanged."""
    if not isinstance(text, str) or isinstance(text, Markup) or not PLACEHOLDER.search(text):
        return text
    out, last = [], 0
    for match in PLACEHOLDER.finditer(text):
        out += [str(escape(printable(text[last:match.start()]))),
                f'<mark class="placeholder">{escape(printable(match.group(0)))}</mark>']
        last = match.end()
    out.append(str(escape(printable(text[last:]))))
    return Markup("".join(out))


def paragraphs(text: str | None) -> list[str]:
    """Plain text split into paragraphs at blank lines (each printed escaped)."""
    if not text:
        return []
    return [p.strip() for p in _BLANK_LINES.split(text.strip()) if p.strip()]


#: Characters CommonMark may read as markup in plain text (its ASCII punctuation that starts
#: or ends an inline construct); each gets a backslash.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!])")
#: At the start of a line: what would open a block (a list item, a heading, a quote, a rule).
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([-+=>]|\d+[.)])(?=\s|$)", re.M)


_ANCHOR = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.S)
_IMAGE = re.compile(r'<img\b[^>]*?>', re.S)
_ATTRIBUTE = re.compile(r'\b(src|alt)="([^"]*)"')


def _spelled_out(match: re.Match[str], addresses: Callable[[str], str | None], image: bool) -> str:
    """A link or an image of sanitised HTML as text with its address (see ``markdown_text``)."""
    if image:
        found = dict(_ATTRIBUTE.findall(match.group(0)))
        words, url = html_unescape(found.get("alt", "")), found.get("src", "")
    else:
        url, words = match.group(1), match.group(2)
    address = addresses(html_unescape(url)) if url else None
    if address is None:
        return words if not image else escape(words)
    shown = html_unescape(nh3.clean(words, tags=set(), attributes={})).strip()
    if shown in (address, html_unescape(url)):
        return escape(address)
    return f"{words if not image else escape(words)} ({escape(address)})"


def markdown_escaped(text: str, line_start: bool = True) -> str:
    """Plain text that a CommonMark reader shows as it is (the ``md`` filter of the export
    templates): markup characters escaped, lines joined by spaces (plain text has no line
    breaks of its own). ``line_start`` false: the text continues a line (what would open a
    block there is left as it is), its edge spaces kept."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))
    if not line_start:
        return escaped
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped.lstrip())


#: A style declaration whose value an export's reader would fetch or compute (a variable, an
#: image, a script): the WeChat editor and mail clients drop it or worse.
_LIVE_VALUE = re.compile(r"(?:var|url|expression|env|attr)\s*\(|javascript:|@import", re.I)


def _plain_style(value: str) -> str:
    """A ``style`` attribute without the declarations whose value is live (:data:`_LIVE_VALUE`)."""
    kept = [part.strip() for part in value.split(";") if part.strip() and not _LIVE_VALUE.search(part)]
    return ";".join(kept)


def allow_list(html: str, tags: Iterable[str], attributes: Mapping[str, Iterable[str]],
               styles: Iterable[str] = (), addresses: Callable[[str], str | None] | None = None) -> str:
    """An export's allow-list pass: ``html`` with only ``tags``, their ``attributes`` (``"*"``
    for every tag) and, in ``style``, only the ``styles`` properties; links and images only
    absolute https, comments dropped, no ``rel`` added (an export's editor sets its own).

    A style declaration whose value is a variable, an image or a script (``var(``, ``url(``...)
    goes whole.

    ``addresses``, when given, is asked first for every ``href`` and ``src`` as written
    (relative, ``http``...) and gives the address to keep, or ``None`` to drop it; without it, an
    address that is not absolute https is dropped."""
    tag_set = set(tags)
    allowed = {tag: set(names) for tag, names in attributes.items()}
    if addresses is not None:
        def rewrite(_tag: str, name: str, value: str) -> str | None:
            return addresses(value) if name in ("href", "src") else value

        html = nh3.clean(html, tags=tag_set, attributes=allowed, url_schemes=set(URL_SCHEMES),
                         url_relative="pass_through", link_rel=None, strip_comments=True, attribute_filter=rewrite)
    return nh3.clean(
        html,
        tags=tag_set,
        attributes=allowed,
        attribute_filter=lambda _tag, name, value: _plain_style(value) if name == "style" else value,
        filter_style_properties=set(styles) or None,
        url_schemes={"https"},
        url_relative="deny",
        link_rel=None,
        strip_comments=True,
    )
