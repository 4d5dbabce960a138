"""Hostile input through the whole build: nothing executable reaches a page or a feed, the text stays.

tests/cases/hostile/ is a small site whose curated YAML and snapshot records carry script
and style tags, event handlers, javascript:, vbscript: and data: links in many spellings,
HTML in fetched titles, authors and abstracts, control and bidi characters; the fixture
adds a very long note (see tests/conftest.py). It is built by the real pipeline, then:

- every page and every feed's HTML is parsed and searched for anything that could run,
  load or submit something (:func:`conftest.unsafe_html`);
- the hostile words are still there, as visible text (escaped, never executed);
- every page carries a Content-Security-Policy that allows no inline script;
- no template uses ``|safe`` and no code makes ``Markup`` but the sanitiser.
"""

from __future__ import annotations

import ast
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import LONG_NOTE_PARAGRAPHS, REPO, tree, unsafe_html

from digest.pipeline import DEFAULT_TEMPLATES

GOLDEN = REPO / "tests" / "golden" / "site"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidi embeddings, overrides, isolates and marks, and the zero-width space: they make a title
#: display as other words than it holds, so no page or feed carries them.
BIDI = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NS = {"atom": "http://www.w3.org/2005/Atom", "content": "http://purl.org/rss/1.0/modules/content/"}
PAPER = "{lang}/hostile/openreview-{id}/index.html"


@pytest.fixture(scope="module")
def files(hostile_out: Path) -> dict[str, bytes]:
    return tree(hostile_out)


def pages(files: dict[str, bytes]) -> dict[str, str]:
    return {path: data.decode("utf-8") for path, data in files.items() if path.endswith(".html")}


def feeds(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.endswith(".xml") and path != "sitemap.xml"}


class Visible(HTMLParser):
    """The text a reader sees (title and body text) and the attribute values, separately."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.attributes: list[str] = []
        self.csp: list[tuple[int, str]] = []
        self.head_elements = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.attributes += [v for v in values.values() if v]
        if tag in ("meta", "link", "title", "base", "script", "style"):
            self.head_elements += 1
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append((self.head_elements, values.get("content") or ""))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @classmethod
    def of(cls, html: str) -> Visible:
        parser = cls()
        parser.feed(html)
        parser.close()
        return parser

    @property
    def joined(self) -> str:
        return " ".join(" ".join(self.text).split())


def visible_text(html: str) -> str:
    return Visible.of(html).joined


def feed_html(data: bytes) -> list[str]:
    """Every HTML payload of a feed: an RSS item's description and content:encoded, Atom html
    content. (Titles and the channel's description are plain text, see the feed rules.)"""
    root = ET.fromstring(data)
    found = [el.text or "" for item in root.iter("item") for el in item.iter("description")]
    found += [el.text or "" for el in root.iter(f"{{{NS['content']}}}encoded")]
    for name in ("content", "summary", "title", "subtitle"):
        found += [el.text or "" for el in root.iter(f"{{{NS['atom']}}}{name}") if el.get("type") == "html"]
    return found


def test_the_corpus_builds_and_is_hostile(files: dict[str, bytes]) -> None:
    html = pages(files)
    assert len(html) > 20
    assert len(feeds(files)) == 2 * (2 + 3 + 2 * 4)  # per language: RSS and Atom, one per category, two per tag
    raw = (REPO / "tests/cases/hostile/content/editions/hostile.yaml").read_text()
    assert raw.lower().count("javascript") >= 25 and "vbscript" in raw.lower() and "data:" in raw.lower()


def test_nothing_executable_in_any_page(files: dict[str, bytes]) -> None:
    # the search page (with digest[search]) is the theme's own form and script, no curated text
    searching = {path for path in files if path.endswith("/search/index.html")}
    problems = {path: found for path, html in pages(files).items() if path not in searching and (found := unsafe_html(html))}
    assert problems == {}
    for path in searching:  # its one script is the theme's, from the site itself
        scripts = re.findall(r"<script[^>]*>", pages(files)[path])
        assert len(scripts) == 1 and re.fullmatch(r'<script type="module" src="\.\./\.\./static/search\.js\?v=[0-9a-f]{10}">',
                                                  scripts[0]), scripts


def test_nothing_executable_in_any_feed(files: dict[str, bytes]) -> None:
    checked = 0
    problems: dict[str, list[str]] = {}
    for path, data in feeds(files).items():
        for html in feed_html(data):
            checked += 1
            if found := unsafe_html(html, fragment=True):
                problems.setdefault(path, []).extend(found)
    assert checked >= 20
    assert problems == {}


UNSAFE_SAMPLES = [
    '<script>alert(1)</script>', '<SCRIPT SRC=//evil.example/x.js></SCRIPT>', '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>', '<a href="JaVaScRiPt:alert(1)">x</a>', '<a href=" javascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>', '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="jav&#x0A;ascript:alert(1)">x</a>', '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>', '<a href="data:text/html,x">x</a>', '<img src="DATA:image/png;base64,x">',
    '<a href="//evil.example/">x</a>', '<a href="/\\evil.example/">x</a>', '<iframe srcdoc="x"></iframe>',
    '<p style="background:url(x)">x</p>', '<svg onload=alert(1)>', '<form action="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">', '<base href="https://evil.example/">',
    '<object data="x"></object>', '<embed src="x">', '<details open ontoggle=alert(1)>', '<button formaction=x>',
]


@pytest.mark.parametrize("sample", UNSAFE_SAMPLES)
def test_the_checker_finds_each_way_in(sample: str) -> None:
    assert unsafe_html(f"<p>text {sample} more</p>")


def test_the_checker_accepts_what_pages_really_hold() -> None:
    assert unsafe_html('<p><a href="https://ok.example/?a=1&amp;b=2" rel="noopener">ok</a> <a href="../en/">home</a> '
                       '<a href="mailto:a@b.org">mail</a> <img src="../../images/x.png" alt="x"></p>') == []
    assert unsafe_html('<a href="../en/">home</a>', fragment=True)  # feeds need absolute links


def test_no_control_characters_anywhere(files: dict[str, bytes]) -> None:
    for path, data in files.items():
        if path.endswith((".html", ".xml", ".opml", ".json")):
            text = data.decode("utf-8")
            assert not CONTROL.search(text), (path, CONTROL.search(text))
            assert not BIDI.search(text), (path, BIDI.search(text))
            if path.endswith((".xml", ".opml")):
                ET.fromstring(data)  # well-formed XML, which control characters would break
            if path.endswith(".json"):
                json.loads(text)


FETCHED_TEXT = [  # plain text from the snapshot record HostileFetch1, shown as text
    "Fetched <script>alert('fetched title')</script> & \"title\" KEEP-fetched-title",
    "<img src=x onerror=alert('author')>", "Robert'); DROP TABLE papers;--", "Eve",
    "<svg/onload=alert('tldr')> KEEP-tldr",
    "First <b>paragraph</b> <script>alert('abstract')</script> KEEP-fetched-abstract.",
    "Second with [link](javascript:alert(1)) and <a href=\"javascript:alert(2)\">a</a> and ]]> and .",
    "ICLR <i onmouseover=alert(1)>2024</i>",
    "<iframe src=javascript:alert('mr')></iframe> KEEP-fetched-meta",
]
CURATED_TEXT = {  # plain (not Markdown) curated fields, shown as they were written
    "en/hostile/index.html": [
        "Hostile edition <script>alert('title')</script> \"quoted\" & {{ 7*7 }} ${7*7}",
        "ICLR 2024 <script>alert('conference')</script>",
        "Hostile <script>alert('site')</script> Digest",
        "Scripts <script>alert('category')</script>",
        "Published by Mallory <mallory@evil.example> & \"friends\".",
    ],
    "zh/hostile/index.html": [
        "敌意一期 </title><img src=x onerror=alert('zh')> ]]> 完 fdp.exe",  # the override is dropped
        "各种写法的链接 <b>粗体</b> evil 双向",
        # \a \b and the escape character are dropped, and so are the bidi controls (U+202E
        # would show 'cod.exe' as 'exe.doc')
        "控制字符[31m与双向字符cod.exe隔离 KEEP-chars",
    ],
}


def test_fetched_and_plain_curated_text_is_kept_visible(files: dict[str, bytes]) -> None:
    html = pages(files)
    for lang in ("en", "zh"):
        text = visible_text(html[PAPER.format(lang=lang, id="HostileFetch1")])
        for expected in FETCHED_TEXT:
            assert expected in text, (lang, expected)
    for path, expected_texts in CURATED_TEXT.items():
        text = visible_text(html[path])
        for expected in expected_texts:
            assert expected in text, (path, expected)
    paper = Visible.of(html[PAPER.format(lang="en", id="HostileNote01")])
    assert "Alt \"><script>alert('alt')</script> ' onerror='alert(1) KEEP-alt" in paper.attributes
    chars = visible_text(html[PAPER.format(lang="en", id="HostileChars1")])
    assert "Control characters in a fetched title KEEP-chars-title" in chars
    assert "KEEP-controls gnp.exe and RTL" in chars


def test_markdown_keeps_the_words_around_what_it_removes(files: dict[str, bytes]) -> None:
    markers = set(re.findall(r"KEEP-[a-z-]+[a-z]", (REPO / "tests/cases/hostile/content").joinpath(
        "editions/hostile.yaml").read_text()))
    parsed = [Visible.of(html) for html in pages(files).values()]
    everything = " ".join([p.joined for p in parsed] + [a for p in parsed for a in p.attributes])  # alt text too
    assert len(markers) > 20
    assert sorted(m for m in markers if m not in everything) == []
    long_page = visible_text(pages(files)["en/long-note/openreview-HostileLong01/index.html"])
    missing = [i for i in range(LONG_NOTE_PARAGRAPHS) if f"Paragraph {i} link {i} KEEP-long-{i}." not in long_page]
    assert missing == []


CSP = re.compile(r"^default-src 'self'(; [a-z-]+ [^;]+)*$")


def csp_problems(html: str) -> list[str]:
    """What is wrong with a page's Content-Security-Policy (empty when all is right)."""
    parsed = Visible.of(html)
    if len(parsed.csp) != 1:
        return [f"{len(parsed.csp)} Content-Security-Policy meta elements"]
    position, policy = parsed.csp[0]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
    problems = []
    if position != 2:  # right after <meta charset>, before anything it governs
        problems.append(f"the policy is element {position} of the head")
    if not CSP.match(policy):
        problems.append(f"policy {policy!r} does not start with default-src 'self'")
    scripts = directives.get("script-src", directives.get("default-src", []))
    if not scripts or any(s in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "http:", "https:") for s in scripts):
        problems.append(f"scripts allowed from {scripts}")
    for directive in ("object-src", "base-uri", "form-action"):
        if directives.get(directive) != ["'none'"]:
            problems.append(f"{directive} is {directives.get(directive)}")
    return problems


def test_every_page_has_a_content_security_policy_without_inline_script(files: dict[str, bytes]) -> None:
    golden = {p: d.decode() for p, d in tree(GOLDEN).items() if p.endswith(".html")}
    for path, html in {**pages(files), **{f"golden/{p}": h for p, h in golden.items()}}.items():
        assert csp_problems(html) == [], path
    assert len(golden) > 100


def test_the_policy_check_catches_a_weak_policy() -> None:
    page = '<html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{}"></head></html>'
    good = "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
    assert csp_problems(page.format(good)) == []
    assert csp_problems(page.format(good.replace("script-src 'none'", "script-src 'self' 'unsafe-inline'")))
    assert csp_problems(page.format(good.replace("; object-src 'none'", "")))
    assert csp_problems("<html><head></head></html>")


# ---------------------------------------------------------------- no way around the sanitiser

#: Where Markup() may be called: the sanitiser, and the re-use of already rendered (escaped)
#: template output as a fragment (Renderer._fragment, see its docstring).
MARKUP_ALLOWED = {("digest/site/render.py", "Renderer.markdown"), ("digest/site/render.py", "Renderer._fragment"),
                  ("digest/site/render.py", "marked"),  # escapes every character it is given
                  # sanitised Markdown (or escaped text) with [n] markers made links from digits and escaped URLs
                  ("digest/site/render.py", "cited"),
                  ("digest/site/render.py", "Renderer.plain")}  # escapes all but math, which passes the sanitiser
TEMPLATE_BYPASSES = re.compile(r"\|\s*safe\b|autoescape\s+false|\bMarkup\b|\|\s*(?:xmlattr|urlize)\b", re.I)


def markup_calls(source: str) -> list[str]:
    """Qualified names of the functions in ``source`` that call Markup(...) or markupsafe.Markup(...)."""
    found: list[str] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                visit(child, [*scope, child.name])
                continue
            if isinstance(child, ast.Call):
                func = child.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                if name == "Markup":
                    found.append(".".join(scope) or "<module>")
            visit(child, scope)

    visit(ast.parse(source), [])
    return found


def test_no_template_bypasses_autoescaping() -> None:
    offenders = []
    for path in sorted(DEFAULT_TEMPLATES.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".xml", ".txt"):
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if TEMPLATE_BYPASSES.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert offenders == []


def test_markup_is_made_only_by_the_sanitiser() -> None:
    calls = set()
    for path in sorted((REPO / "digest").rglob("*.py")):
        source = path.read_text()
        rel = path.relative_to(REPO).as_posix()
        calls |= {(rel, where) for where in markup_calls(source)}
        if rel != "digest/site/render.py":
            assert "markupsafe" not in source and "__html__" not in source, rel
    assert calls == MARKUP_ALLOWED


def test_the_markup_check_sees_calls_anywhere() -> None:
    source = "import markupsafe\nclass A:\n    def f(self):\n        return markupsafe.Markup(x)\nMarkup(y)\n"
    assert markup_calls(source) == ["A.f", "<module>"]
    assert TEMPLATE_BYPASSES.search("{{ note | safe }}") and TEMPLATE_BYPASSES.search("{% autoescape false %}")
