"""Property-based tests (hypothesis) of what stands between text and a page or a feed.

tests/test_ids.py and tests/test_content_fuzz.py cover reference parsing and the YAML
loader. What was not covered: the Markdown sanitiser, the escaping of plain text, and the
feed ids made from references. For arbitrary input:

- curated Markdown never yields anything that could run, load or submit (conftest.unsafe_html),
  nor a control character;
- plain text printed by a template comes back, once parsed, as exactly the text (minus the
  control characters HTML cannot carry), in element content and in attributes;
- every reference parse_ref accepts gives a feed id that is a valid tag: URI and a page
  slug that is a safe path segment, and different references never share either;
- a whole site rendered with an arbitrary edition title and paper title has feeds that are
  well-formed XML and pages that carry the text.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import unsafe_html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_feed_rules import TAG_URI
from test_render import ADAM, CATS, SITE, metas, project

from digest.core.ids import RefError, parse_ref
from digest.core.text import printable
from digest.pipeline import DEFAULT_TEMPLATES, render_site
from digest.site.feeds import entry_id
from digest.site.render import Renderer

pytestmark = pytest.mark.gate

#: Pieces hostile Markdown is made of: tags, handlers, schemes in many spellings, Markdown syntax.
PIECES = [
    "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=\"", "\">", "</a>", "<svg onload=x>",
    "javascript:", "JaVaScRiPt:", "java\tscript:", "&#106;avascript:", "&#x6A;", "&colon;", "vbscript:",
    "data:text/html,", "//evil.example/", "/\\evil", "[x](", ")", "![i](", "<", ">", "\"", "'", "&", ";",
    "\n", "\n\n", "    ", "* ", "> ", "`", "```\n", "<style>", "<iframe ", "<form action=", "<!--", "-->",
    "<![CDATA[", "]]>", "<math>", "<base href=", "<meta http-equiv=refresh content=", " style=", " on",
    "mailto:", "https://ok.example/", "\x00", "\x07", "\u202e", "\ufeff", "中文", "alert(1)",
]
HOSTILE_TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=30).map("".join)
RENDERER = Renderer(DEFAULT_TEMPLATES, SITE, CATS)
CONTROL = set(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]))


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
def test_markdown_never_yields_anything_executable(text: str) -> None:
    html = str(RENDERER.markdown(text))
    assert unsafe_html(html) == [], (text, html)
    assert not CONTROL & set(html), (text, html)


class _Parts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.data: list[str] = []
        self.attributes: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [value for _, value in attrs]

    def handle_data(self, data: str) -> None:
        self.data.append(data)


PLAIN = RENDERER.environment("en").from_string('<p title="{{ t }}">{{ t }}</p>')


@settings(max_examples=300, deadline=None)
@given(st.one_of(HOSTILE_TEXT, st.text()))
def test_plain_text_is_printed_as_exactly_that_text(text: str) -> None:
    html = PLAIN.render(t=text)
    parts = _Parts()
    parts.feed(html)
    parts.close()
    expected = printable(text)
    assert "".join(parts.data) == expected
    assert parts.attributes == [expected]
    assert unsafe_html(html) == []


REFERENCE = st.one_of(
    st.builds(lambda tail: f"doi:10.{1000 + len(tail)}/{tail}", st.text(min_size=1, max_size=30)),
    st.builds(lambda tail: f"openreview:{tail}", st.text(min_size=1, max_size=25)),
    st.builds(lambda a, b: f"arxiv:{a}.{b}", st.integers(1000, 9999).map(str), st.integers(1000, 99999).map(str)),
    st.builds(lambda tail: f"s2:{tail}", st.text("0123456789abcdef", min_size=1, max_size=40)),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(REFERENCE, min_size=1, max_size=8))
def test_every_accepted_reference_gives_a_valid_feed_id_and_slug(texts: list[str]) -> None:
    refs = set()
    for text in texts:
        try:
            refs.add(parse_ref(text))
        except RefError:
            continue
    ids = {entry_id(SITE, "en", "week-1", ref) for ref in refs}
    slugs = {ref.slug for ref in refs}
    for ref_id in ids:
        assert TAG_URI.match(ref_id), ref_id
    for slug in slugs:
        assert slug not in ("", ".", "..") and all(c.isascii() and (c.isalnum() or c in "-_.~") for c in slug), slug
    assert len(ids) == len(refs) and len(slugs) == len(refs)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(min_size=1, max_size=60).filter(lambda t: printable(t).strip()), HOSTILE_TEXT)
def test_a_site_with_any_titles_has_well_formed_feeds(tmp_path: Path, edition_title: str, paper_title: str) -> None:
    proj = project(tmp_path)
    edition = dataclasses.replace(proj.editions[0], title={"en": edition_title, "zh": edition_title})
    records = metas()
    records[ADAM] = dataclasses.replace(records[ADAM], title=paper_title)
    files = render_site(dataclasses.replace(proj, editions=(edition,)), (edition,), records, tmp_path)
    for path, data in files.items():
        if path.endswith((".xml", ".opml")):
            ET.fromstring(data)
        if path.endswith(".json"):
            json.loads(data)
        if path.endswith(".html"):
            assert unsafe_html(data.decode("utf-8")) == [], path
    page = _Parts()
    page.feed(files["en/week-1/index.html"].decode("utf-8"))
    assert " ".join(printable(edition_title).split()) in " ".join(" ".join(page.data).split())
