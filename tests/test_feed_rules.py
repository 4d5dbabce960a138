"""Feeds checked to the W3C Feed Validation Service's rules, not only parsed.

tests/test_feeds.py reads the feeds with a feed client (feedparser); here every feed of the
example site and of the hostile corpus is read with the standard library's XML parser and
held to the rules the validator applies to RSS 2.0 and Atom 1.0 (the names in brackets are
the validator's message names):

- RSS dates are RFC 822 dates with a four-digit year and the right day of the week
  [InvalidRFC2822Date, IncorrectDOW]; Atom dates are RFC 3339 [InvalidRFC3339Date]; none
  before 1990 [ImplausibleDate];
- a guid that is not a link says isPermaLink="false" [InvalidPermalink]; tag: ids follow
  RFC 4151 [InvalidTAG]; ids are unique within a feed [DuplicateValue];
- every feed names itself with an absolute rel="self" link (atom:link in RSS too), at the
  address it is published at [MissingAtomSelfLink, SelfDoesntMatchLocation]; every link is
  absolute [InvalidFullLink];
- HTML content (item description, content:encoded, Atom content) holds no relative URL
  [ContainsRelRef], no element or attribute outside the validator's lists [SecurityRisk,
  SecurityRiskAttr; aria-* attributes excepted, see ATTRIBUTES], nothing that runs;
  content:encoded comes after the description [NeedDescriptionBeforeContent];
- titles and other plain-text elements hold no HTML [ContainsHTML] (example site only:
  the hostile corpus puts markup in titles on purpose, as text);
- no control characters, C1 controls or U+FFFD [BadCharacters]; language codes are
  ISO 639 languages (BCP 47 tags such as zh-Hans) [InvalidLanguage];
- every feed feeds.opml lists exists, and every feed is listed there.

JSON Feeds are held to the JSON Feed 1.1 specification (https://www.jsonfeed.org/version/1.1/)
by :func:`json_feed_problems`: the version URL, a title, absolute home_page_url and a
feed_url at the address the feed is published at, a BCP 47 language, authors (1.1) and not
the deprecated author, and items with a unique string id, an absolute url, content_html
held to the same HTML rules as RSS and Atom content, an RFC 3339 date_published and
plain-text titles and summaries.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from email.utils import parsedate_tz
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel import Locale, UnknownLocaleError
from conftest import MATHML_ELEMENTS, is_feed, tree, unsafe_html

ATOM = "http://www.w3.org/2005/Atom"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
RFC822 = re.compile(rf"^(?:({'|'.join(DAYS)}), )?\d\d? (?:{'|'.join(MONTHS)}) \d{{4}} \d\d:\d\d(?::\d\d)? "
                    r"(?:[+-]\d\d[03]0|UT|GMT|EST|EDT|CST|CDT|MST|MDT|PST|PDT|Z)$")
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$")
TAG_URI = re.compile(r"^tag:(?:[a-z0-9._-]+@)?[a-z0-9.-]+,\d{4}(?:-\d\d(?:-\d\d)?)?:"
                     r"[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,]*(?:#[0-9A-Za-z;/?:@&=+$.\-_!~*'()%,]*)?$")
FULL_URL = re.compile(r"^https?://[^/\s]+[^\s]*$")
BAD_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\ufffe\uffff]")
HTML_END_TAG = re.compile(r"</(\w+)>")
PLAUSIBLE_SINCE = date(1990, 1, 1)
FEED_TYPES = ("application/atom+xml", "application/rss+xml", "application/rdf+xml")
#: Elements the validator accepts in feed HTML (its acceptable_elements, the ones pages use).
ELEMENTS = frozenset(
    "a abbr article aside b blockquote br caption code del details div em figcaption figure footer h1 h2 h3 "
    "h4 h5 h6 header hr i img li main nav ol p pre s section small span strong sub summary sup table tbody "
    "td tfoot th thead time tr u ul".split())
#: Attributes it accepts (its acceptable_attributes, the ones pages use) and data-*. ARIA
#: attributes are not on its list, which predates ARIA; they only help assistive technology
#: and are accepted here on purpose.
ATTRIBUTES = frozenset("align alt class datetime decoding height href hreflang id lang loading rel src title width".split())
#: MathML (the math of titles, abstracts and notes, see digest/site/tex.py): the elements
#: (conftest.MATHML_ELEMENTS) and attributes of the feed clients' MathML lists that digest
#: writes (feedparser keeps them all, tests/test_render_math.py reads them back through it).
MATHML_ATTRIBUTES = frozenset(
    "accent alttext columnalign columnlines columnspacing depth display displaystyle fence form height largeop "
    "linebreak linethickness lspace mathsize mathvariant maxsize minsize movablelimits notation rowlines "
    "rowspacing rspace scriptlevel separator stretchy voffset width xmlns".split())


def files_of(out: Path) -> dict[str, bytes]:
    return tree(out)


def feeds_in(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if path.endswith(".xml") and path != "sitemap.xml"}


class _Markup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        math = tag in MATHML_ELEMENTS
        if tag not in ELEMENTS and not math:
            self.problems.append(f"element <{tag}> [SecurityRisk]")
        for name, _ in attrs:
            if math and name in MATHML_ATTRIBUTES:
                continue
            if name not in ATTRIBUTES and not name.startswith(("data-", "aria-")):
                self.problems.append(f"attribute {name} on <{tag}> [SecurityRiskAttr]")


def html_problems(html: str) -> list[str]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"{p} [ContainsRelRef/ContainsScript]" for p in unsafe_html(html, fragment=True)]


def rfc822_problems(value: str) -> list[str]:
    if not RFC822.match(value):
        return [f"{value!r} is not an RFC 822 date [InvalidRFC2822Date]"]
    parts = parsedate_tz(value)
    day = date(*parts[:3])
    problems = []
    if value[:3] in DAYS and DAYS[day.weekday()] != value[:3]:
        problems.append(f"{value!r}: {day} is a {DAYS[day.weekday()]} [IncorrectDOW]")
    if day < PLAUSIBLE_SINCE:
        problems.append(f"{value!r} [ImplausibleDate]")
    return problems


def rfc3339_problems(value: str) -> list[str]:
    if not RFC3339.match(value):
        return [f"{value!r} is not an RFC 3339 date [InvalidRFC3339Date]"]
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return [f"{value!r} [ImplausibleDate]"] if moment.date() < PLAUSIBLE_SINCE else []


def language_problems(code: str | None) -> list[str]:
    """A BCP 47 tag whose language is a real ISO 639 language (what the validator checks)."""
    if not code or not re.match(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|\d{3}))?$", code):
        return [f"language {code!r} is not a BCP 47 tag [InvalidLanguage]"]
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        return [f"language {code!r} is not a known language [InvalidLanguage]"]
    return []


def id_problems(value: str) -> list[str]:
    if value.startswith("tag:"):
        return [] if TAG_URI.match(value) else [f"{value!r} is not an RFC 4151 tag URI [InvalidTAG]"]
    return [] if FULL_URL.match(value) else [f"{value!r} is neither a tag: URI nor an absolute URL"]


def text_problems(element: ET.Element | None, name: str, strict: bool) -> list[str]:
    return _plain_text_problems(None if element is None else element.text, name, strict)


def rss_problems(root: ET.Element, location: str, strict: bool) -> list[str]:
    problems: list[str] = []
    if root.tag != "rss" or root.get("version") != "2.0":
        return [f"not RSS 2.0: <{root.tag} version={root.get('version')}>"]
    channels = root.findall("channel")
    if len(channels) != 1:
        return [f"{len(channels)} channels"]
    channel = channels[0]
    for name in ("title", "description"):
        problems += text_problems(channel.find(name), f"channel {name}", strict)
    link = channel.findtext("link") or ""
    if not FULL_URL.match(link):
        problems.append(f"channel link {link!r} is not absolute [InvalidFullLink]")
    selfs = [el for el in channel.findall(f"{{{ATOM}}}link") if el.get("rel") == "self"]
    if len(selfs) != 1:
        problems.append(f"{len(selfs)} atom:link rel=self [MissingAtomSelfLink]")
    elif selfs[0].get("href") != location:
        problems.append(f"self link {selfs[0].get('href')!r} is not {location!r} [SelfDoesntMatchLocation]")
    elif selfs[0].get("type", "application/rss+xml") not in FEED_TYPES:
        problems.append(f"self link type {selfs[0].get('type')!r} [SelfNotAtom]")
    problems += language_problems(channel.findtext("language"))
    for name in ("pubDate", "lastBuildDate"):
        if channel.find(name) is not None:
            problems += rfc822_problems(channel.findtext(name))
    guids: set[str] = set()
    for i, item in enumerate(channel.findall("item")):
        where = f"item {i}"
        children = [child.tag for child in item]
        for name in ("title", "link", "description", "guid", "pubDate", f"{{{CONTENT}}}encoded"):
            if children.count(name) > 1:
                problems.append(f"{where}: {children.count(name)} <{name}> [DuplicateElement]")
        problems += [f"{where}: {p}" for p in text_problems(item.find("title"), "title", strict)]
        if not FULL_URL.match(item.findtext("link") or ""):
            problems.append(f"{where}: link {item.findtext('link')!r} is not absolute [InvalidFullLink]")
        guid = item.find("guid")
        if guid is None:
            problems.append(f"{where}: no guid [MissingGuid]")
        else:
            value, permalink = guid.text or "", guid.get("isPermaLink", "true")
            if permalink not in ("true", "false"):
                problems.append(f"{where}: isPermaLink={permalink!r} [InvalidBooleanAttribute]")
            if permalink == "true" and not FULL_URL.match(value):
                problems.append(f"{where}: guid {value!r} is not a link but isPermaLink is not false [InvalidPermalink]")
            problems += [f"{where}: {p}" for p in id_problems(value)]
            if value in guids:
                problems.append(f"{where}: guid {value!r} repeated [DuplicateValue]")
            guids.add(value)
        problems += [f"{where}: {p}" for p in rfc822_problems(item.findtext("pubDate") or "")]
        if f"{{{CONTENT}}}encoded" in children and (
                "description" not in children
                or children.index("description") > children.index(f"{{{CONTENT}}}encoded")):
            problems.append(f"{where}: content:encoded before description [NeedDescriptionBeforeContent]")
        for name in ("description", f"{{{CONTENT}}}encoded"):
            for html in (el.text or "" for el in item.findall(name)):
                problems += [f"{where} {name.rsplit('}', 1)[-1]}: {p}" for p in html_problems(html)]
        for category in item.findall("category"):
            if not (category.text or "").strip():
                problems.append(f"{where}: blank category [NotBlank]")
    return problems


def atom_problems(root: ET.Element, location: str, strict: bool) -> list[str]:
    if root.tag != f"{{{ATOM}}}feed":
        return [f"not an Atom feed: <{root.tag}>"]
    a = lambda name: f"{{{ATOM}}}{name}"  # noqa: E731
    problems = language_problems(root.get(XML_LANG))
    problems += id_problems(root.findtext(a("id")) or "")
    problems += text_problems(root.find(a("title")), "feed title", strict)
    problems += rfc3339_problems(root.findtext(a("updated")) or "")
    selfs = [el for el in root.findall(a("link")) if el.get("rel") == "self"]
    if len(selfs) != 1 or selfs[0].get("href") != location:
        problems.append(f"self links {[el.get('href') for el in selfs]} are not [{location!r}] [SelfDoesntMatchLocation]")
    elif selfs[0].get("type", "application/atom+xml") not in FEED_TYPES:
        problems.append(f"self link type {selfs[0].get('type')!r} [SelfNotAtom]")
    entries = root.findall(a("entry"))
    if entries and root.find(a("author")) is None and any(e.find(a("author")) is None for e in entries):
        problems.append("no author for the feed or an entry [MissingAuthor]")
    ids: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        value = entry.findtext(a("id")) or ""
        problems += [f"{where}: {p}" for p in id_problems(value)]
        if value in ids:
            problems.append(f"{where}: id {value!r} repeated [DuplicateEntries]")
        ids.add(value)
        problems += [f"{where}: {p}" for p in text_problems(entry.find(a("title")), "title", strict)]
        for name in ("updated", "published"):
            if entry.find(a(name)) is not None or name == "updated":
                problems += [f"{where}: {p}" for p in rfc3339_problems(entry.findtext(a(name)) or "")]
        links = [el.get("href") or "" for el in entry.findall(a("link")) if el.get("rel", "alternate") == "alternate"]
        if not links or not all(FULL_URL.match(link) for link in links):
            problems.append(f"{where}: alternate links {links} [InvalidFullLink]")
        for name in ("content", "summary"):
            for el in entry.findall(a(name)):
                kind = el.get("type", "text")
                if kind == "html":
                    problems += [f"{where} {name}: {p}" for p in html_problems(el.text or "")]
                elif kind == "text" and strict and HTML_END_TAG.search(el.text or ""):
                    problems.append(f"{where} {name}: HTML in a text construct [ContainsHTML]")
                elif kind not in ("text", "html"):
                    problems.append(f"{where} {name}: type {kind!r}")
    return problems


def feed_problems(path: str, data: bytes, base_url: str, strict: bool = True) -> list[str]:
    """Everything the feed validator's rules find wrong with one feed file."""
    text = data.decode("utf-8")
    problems = [f"character U+{ord(m.group()):04X} at {m.start()} [BadCharacters]" for m in BAD_CHARACTERS.finditer(text)]
    if not text.startswith("<?xml version='1.0' encoding='UTF-8'?>") and not text.startswith('<?xml version="1.0"'):
        problems.append("no XML declaration")
    root = ET.fromstring(data)
    location = base_url + path
    check = atom_problems if root.tag.startswith(f"{{{ATOM}}}") else rss_problems
    return problems + check(root, location, strict)


JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"


def json_feed_problems(path: str, data: bytes, base_url: str, strict: bool = True) -> list[str]:
    """Everything the JSON Feed 1.1 specification finds wrong with one JSON Feed file."""
    text = data.decode("utf-8")
    feed = json.loads(text)
    decoded = json.dumps(feed, ensure_ascii=False)  # \u escapes read as the characters they stand for
    problems = [f"character U+{ord(m.group()):04X} [BadCharacters]" for m in BAD_CHARACTERS.finditer(decoded)]
    if text.startswith("\ufeff"):
        problems.append("starts with a byte order mark")
    if not isinstance(feed, dict):
        return [*problems, "not a JSON object"]
    if feed.get("version") != JSON_FEED_VERSION:
        problems.append(f"version {feed.get('version')!r} is not {JSON_FEED_VERSION}")
    problems += _plain_text_problems(feed.get("title"), "feed title", strict)
    if not FULL_URL.match(str(feed.get("home_page_url", ""))):
        problems.append(f"home_page_url {feed.get('home_page_url')!r} is not an absolute URL")
    if feed.get("feed_url") != base_url + path:
        problems.append(f"feed_url {feed.get('feed_url')!r} is not where the feed is, {base_url + path}")
    problems += language_problems(feed.get("language"))
    if "author" in feed:
        problems.append("author is deprecated in 1.1: use authors")
    authors = feed.get("authors")
    if not isinstance(authors, list) or not authors or not all(
            isinstance(a, dict) and isinstance(a.get("name"), str) and a["name"].strip() for a in authors):
        problems.append(f"authors {authors!r} is not a list of authors with names")
    items = feed.get("items")
    if not isinstance(items, list):
        return [*problems, "items is not a list"]
    ids = [item.get("id") for item in items if isinstance(item, dict)]
    if len(ids) != len(set(ids)):
        problems.append("item ids are not unique [DuplicateValue]")
    for n, item in enumerate(items):
        where = f"item {n}"
        if not isinstance(item, dict):
            problems.append(f"{where} is not an object")
            continue
        if not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"{where}: id {item.get('id')!r} is not a string")
        else:
            problems += id_problems(item["id"])
        if not FULL_URL.match(str(item.get("url", ""))):
            problems.append(f"{where}: url {item.get('url')!r} is not an absolute URL [InvalidFullLink]")
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            problems.append(f"{where}: neither content_html nor content_text")
        if isinstance(item.get("content_html"), str):
            problems += html_problems(item["content_html"])
        problems += rfc3339_problems(str(item.get("date_published", "")))
        problems += _plain_text_problems(item.get("title"), f"{where} title", strict)
        if "summary" in item:
            problems += _plain_text_problems(item["summary"], f"{where} summary", strict)
        if "tags" in item and not (isinstance(item["tags"], list) and all(isinstance(tag, str) for tag in item["tags"])):
            problems.append(f"{where}: tags is not a list of strings")
    return problems


def _plain_text_problems(value: object, name: str, strict: bool) -> list[str]:
    if not isinstance(value, str) or not value.strip():
        return [f"{name} is missing or blank [MissingElement/NotBlank]"]
    if strict and (tags := HTML_END_TAG.findall(value)):
        return [f"{name} contains HTML </{tags[0]}> [ContainsHTML]"]
    return []


def json_feeds_in(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if is_feed(path) and path.endswith(".json")}


# ---------------------------------------------------------------- the two sites

EXAMPLE_BASE = "https://digest.example.org/"
HOSTILE_BASE = "https://hostile.example/"


@pytest.fixture(scope="module")
def example(example_out: Path) -> dict[str, bytes]:
    return files_of(example_out)


@pytest.fixture(scope="module")
def hostile(hostile_out: Path) -> dict[str, bytes]:
    return files_of(hostile_out)


def test_example_feeds_follow_the_validator_rules(example: dict[str, bytes]) -> None:
    feeds = feeds_in(example)
    assert len(feeds) > 30
    problems = {path: found for path, data in feeds.items() if (found := feed_problems(path, data, EXAMPLE_BASE))}
    assert problems == {}


@pytest.mark.parametrize("files_name, base", [("example", EXAMPLE_BASE), ("hostile", HOSTILE_BASE)])
def test_json_feeds_follow_the_json_feed_specification(files_name: str, base: str,
                                                       request: pytest.FixtureRequest) -> None:
    files = request.getfixturevalue(files_name)
    feeds = json_feeds_in(files)
    assert sorted(feeds) == sorted(f"{lang}/feed.json" for lang in {p.split("/")[0] for p in files if p.endswith("/feed.xml")
                                                                    and p.count("/") == 1})
    problems = {path: found for path, data in feeds.items()
                if (found := json_feed_problems(path, data, base, strict=files_name == "example"))}
    assert problems == {}


def test_hostile_feeds_follow_the_validator_rules(hostile: dict[str, bytes]) -> None:
    feeds = feeds_in(hostile)
    problems = {path: found for path, data in feeds.items()
                if (found := feed_problems(path, data, HOSTILE_BASE, strict=False))}
    assert problems == {}


@pytest.mark.parametrize("files_name, base", [("example", EXAMPLE_BASE), ("hostile", HOSTILE_BASE)])
def test_opml_lists_every_feed_and_only_feeds_that_exist(files_name: str, base: str,
                                                         request: pytest.FixtureRequest) -> None:
    files = request.getfixturevalue(files_name)
    root = ET.fromstring(files["feeds.opml"])
    assert root.tag == "opml" and root.get("version") == "2.0"
    listed = []
    for outline in root.iter("outline"):
        if outline.get("xmlUrl") is None:
            continue
        assert outline.get("type") == "rss" and (outline.get("text") or "").strip()
        assert language_problems(outline.get("language")) == []
        for attribute in ("xmlUrl", "htmlUrl"):
            url = outline.get(attribute)
            assert url.startswith(base), url
            path = url[len(base):]
            path = path + "index.html" if path.endswith("/") or not path else path
            assert path in files, f"feeds.opml {attribute} {url} does not exist"
        listed.append(outline.get("xmlUrl")[len(base):])
    assert sorted(listed) == sorted(path for path in files if is_feed(path))
    assert len(listed) == len(set(listed))


def test_feed_content_languages_are_valid(example: dict[str, bytes]) -> None:
    """lang attributes in item HTML and on pages are BCP 47 tags the validator accepts."""
    langs: set[str] = set()
    for path, data in example.items():
        if path.endswith((".xml", ".html", ".opml")):
            langs |= set(re.findall(r'\blang="([^"]*)"', data.decode("utf-8").replace("&#34;", '"').replace("&quot;", '"')))
            langs |= set(re.findall(r"<language>([^<]*)</language>", data.decode("utf-8")))
    assert {"en", "zh-Hans"} <= langs
    assert {code: language_problems(code) for code in langs if language_problems(code)} == {}


# ---------------------------------------------------------------- the rules themselves can fail

RSS = """<?xml version='1.0' encoding='UTF-8'?>
<rss xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" version="2.0">
<channel><title>T</title><link>https://x.example/</link><description>D</description>
<atom:link href="https://x.example/feed.xml" rel="self" type="application/rss+xml"/><language>{lang}</language>
<lastBuildDate>{date}</lastBuildDate>
<item><title>{title}</title><link>https://x.example/a/</link><description>{description}</description>
<guid{permalink}>{guid}</guid><pubDate>Fri, 05 Jan 2018 00:00:00 +0000</pubDate></item>
</channel></rss>"""
GOOD = dict(lang="zh-Hans", date="Fri, 05 Jan 2018 00:00:00 +0000", title="A title", description="&lt;p&gt;ok&lt;/p&gt;",
            permalink=' isPermaLink="false"', guid="tag:x.example,2018:en/a")


def _rss(**changes: str) -> list[str]:
    return feed_problems("feed.xml", RSS.format(**{**GOOD, **changes}).encode(), "https://x.example/")


@pytest.mark.parametrize("changes, message", [
    ({"date": "2018-01-05T00:00:00Z"}, "InvalidRFC2822Date"),
    ({"date": "Fri, 05 Jan 18 00:00:00 +0000"}, "InvalidRFC2822Date"),
    ({"date": "Mon, 05 Jan 2018 00:00:00 +0000"}, "IncorrectDOW"),
    ({"date": "Thu, 01 Jan 1970 00:00:00 +0000"}, "ImplausibleDate"),
    ({"permalink": ""}, "InvalidPermalink"),
    ({"guid": "tag:x.example:en/a"}, "InvalidTAG"),
    ({"lang": "zh_CN"}, "InvalidLanguage"),
    ({"lang": "xx"}, "InvalidLanguage"),
    ({"title": "A &lt;b&gt;bold&lt;/b&gt; title"}, "ContainsHTML"),
    ({"description": '&lt;a href="/a/"&gt;relative&lt;/a&gt;'}, "ContainsRelRef"),
    ({"description": "&lt;script&gt;x()&lt;/script&gt;"}, "SecurityRisk"),
    ({"description": '&lt;p onclick="x()"&gt;p&lt;/p&gt;'}, "SecurityRiskAttr"),
    ({"description": "next \x85 line"}, "BadCharacters"),  # a C1 control: XML 1.0 carries it, readers choke
])
def test_each_rule_can_fail(changes: dict[str, str], message: str) -> None:
    assert _rss() == []
    problems = _rss(**changes)
    assert any(message in p for p in problems), problems


JSON_GOOD = {"version": JSON_FEED_VERSION, "title": "T", "home_page_url": "https://x.example/en/",
             "feed_url": "https://x.example/en/feed.json", "language": "zh-Hans", "authors": [{"name": "A"}],
             "items": [{"id": "tag:x.example,2018:en/a", "url": "https://x.example/en/a/", "title": "A title",
                        "content_html": "<p>ok</p>", "date_published": "2018-01-05T00:00:00+00:00", "tags": ["x"]}]}


def _json(feed: dict, item: dict | None = None) -> list[str]:
    whole = {**JSON_GOOD, **feed, "items": [{**JSON_GOOD["items"][0], **(item or {})}]}
    whole = {key: value for key, value in whole.items() if value is not None}
    whole["items"] = [{key: value for key, value in i.items() if value is not None} for i in whole["items"]]
    return json_feed_problems("en/feed.json", json.dumps(whole).encode(), "https://x.example/")


@pytest.mark.parametrize("feed, item, message", [
    ({"version": "https://jsonfeed.org/version/1"}, None, "version"),
    ({"title": ""}, None, "feed title"),
    ({"home_page_url": "/en/"}, None, "home_page_url"),
    ({"feed_url": "https://x.example/zh/feed.json"}, None, "feed_url"),
    ({"language": "zh_CN"}, None, "InvalidLanguage"),
    ({"author": {"name": "A"}}, None, "deprecated"),
    ({"authors": []}, None, "authors"),
    ({}, {"id": 7}, "id"),
    ({}, {"id": "tag:x.example:en/a"}, "InvalidTAG"),
    ({}, {"url": "/en/a/"}, "InvalidFullLink"),
    ({}, {"content_html": None}, "neither content_html"),
    ({}, {"content_html": '<a href="/a/">relative</a>'}, "ContainsRelRef"),
    ({}, {"content_html": "<script>x()</script>"}, "SecurityRisk"),
    ({}, {"date_published": "Fri, 05 Jan 2018 00:00:00 +0000"}, "InvalidRFC3339Date"),
    ({}, {"title": "A <b>bold</b> title"}, "ContainsHTML"),
    ({}, {"tags": "x"}, "tags"),
    ({}, {"summary": "next \x85 line"}, "BadCharacters"),
])
def test_each_json_feed_rule_can_fail(feed: dict, item: dict | None, message: str) -> None:
    assert _json({}) == []
    problems = _json(feed, item)
    assert any(message in p for p in problems), problems


def test_json_feed_ids_must_be_unique() -> None:
    good = JSON_GOOD["items"][0]
    data = json.dumps({**JSON_GOOD, "items": [good, good]}).encode()
    assert any("DuplicateValue" in p for p in json_feed_problems("en/feed.json", data, "https://x.example/"))


def test_self_link_must_match_where_the_feed_is() -> None:
    problems = feed_problems("category/x/feed.xml", RSS.format(**GOOD).encode(), "https://x.example/")
    assert any("SelfDoesntMatchLocation" in p for p in problems)
