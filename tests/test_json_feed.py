"""JSON Feed 1.1 per language (``{lang}/feed.json``), beside RSS and Atom, in the OPML list and
in every page's autodiscovery links.

feedparser 6.0 reads no JSON Feed, so the document is checked here against the fields the
JSON Feed 1.1 specification (https://www.jsonfeed.org/version/1.1/) requires and defines, and
against the Atom feed of the same language as feedparser reads it: the same items, ids,
links, titles and dates.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest

from digest.pipeline import build

REPO = Path(__file__).resolve().parent.parent
LANGS = ("en", "zh", "zh-Hant")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("json-feed") / "site"
    build(REPO, out, cache=False)
    return out


def _absolute(url: object) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def spec_problems(doc: object) -> list[str]:
    """What a document breaks of JSON Feed 1.1 (required fields, their types, the formats)."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    found = []
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        found.append("version is not https://jsonfeed.org/version/1.1")
    if not isinstance(doc.get("title"), str) or not doc["title"]:
        found.append("title missing")
    for key in ("home_page_url", "feed_url"):
        if key in doc and not _absolute(doc[key]):
            found.append(f"{key} is not an absolute URL")
    if "language" in doc and not isinstance(doc["language"], str):
        found.append("language is not a string")
    for author in doc.get("authors", []):
        if not isinstance(author, dict) or not ({"name", "url", "avatar"} & author.keys()):
            found.append("an author has no name, url or avatar")
    items = doc.get("items")
    if not isinstance(items, list):
        return [*found, "items is not an array"]
    ids = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            found.append("an item has no string id")
            continue
        ids.append(item["id"])
        if not isinstance(item.get("content_html"), str) and not isinstance(item.get("content_text"), str):
            found.append(f"{item['id']}: neither content_html nor content_text")
        if "url" in item and not _absolute(item["url"]):
            found.append(f"{item['id']}: url is not absolute")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC3339.match(str(item[key])):
                found.append(f"{item['id']}: {key} is not RFC 3339")
        if "tags" in item and not all(isinstance(t, str) for t in item["tags"]):
            found.append(f"{item['id']}: a tag is not a string")
    if len(ids) != len(set(ids)):
        found.append("two items share an id")
    return found


@pytest.mark.parametrize("broken, problem", [
    ({"title": "t", "items": []}, "version"),
    ({"version": "https://jsonfeed.org/version/1.1", "items": []}, "title"),
    ({"version": "https://jsonfeed.org/version/1.1", "title": "t", "feed_url": "/zh/feed.json", "items": []},
     "absolute"),
    ({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": 1, "content_html": ""}]},
     "string id"),
    ({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "a"}]}, "content"),
    ({"version": "https://jsonfeed.org/version/1.1", "title": "t",
      "items": [{"id": "a", "content_text": "", "date_published": "2020-05-12"}]}, "RFC 3339"),
    ({"version": "https://jsonfeed.org/version/1.1", "title": "t",
      "items": [{"id": "a", "content_text": ""}, {"id": "a", "content_text": ""}]}, "share"),
])
def test_the_spec_check_fails_on_a_document_that_breaks_it(broken, problem):
    assert any(problem in p for p in spec_problems(broken)), spec_problems(broken)


@pytest.mark.parametrize("lang", LANGS)
def test_json_feed_follows_the_spec_and_carries_what_the_atom_feed_carries(site: Path, lang: str):
    raw = (site / lang / "feed.json").read_bytes()
    doc = json.loads(raw)
    assert spec_problems(doc) == []
    assert doc["feed_url"] == f"https://digest.example.org/{lang}/feed.json"
    assert doc["language"] == {"en": "en", "zh": "zh-Hans", "zh-Hant": "zh-Hant"}[lang]
    atom = feedparser.parse((site / lang / "atom.xml").read_bytes())
    assert not atom.bozo and atom.version == "atom10"
    assert [i["id"] for i in doc["items"]] == [e.id for e in atom.entries]
    assert [i["url"] for i in doc["items"]] == [e.link for e in atom.entries]
    assert [i["title"] for i in doc["items"]] == [e.title for e in atom.entries]
    assert [datetime.fromisoformat(i["date_published"]).timetuple()[:6] for i in doc["items"]] == [
        tuple(e.published_parsed[:6]) for e in atom.entries]
    # feedparser sanitises content (drops class and aria attributes): compare with the Atom XML itself
    ns = {"a": "http://www.w3.org/2005/Atom"}
    contents = [c.text for c in ET.fromstring((site / lang / "atom.xml").read_bytes()).iterfind("a:entry/a:content", ns)]
    assert [i["content_html"] for i in doc["items"]] == contents
    assert doc["items"] and all(item["content_html"].strip() for item in doc["items"])


def test_the_opml_list_names_each_json_feed(site: Path):
    root = ET.fromstring((site / "feeds.opml").read_bytes())
    urls = {o.get("xmlUrl") for o in root.iter("outline")}
    assert {f"https://digest.example.org/{lang}/feed.json" for lang in LANGS} <= urls


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.feeds: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and a.get("rel") == "alternate" and a.get("type"):
            self.feeds[a["type"]] = a.get("href") or ""


@pytest.mark.parametrize("lang", LANGS)
def test_pages_link_their_languages_json_feed(site: Path, lang: str):
    for page in (site / lang / "index.html", site / lang / "iclr2020-best-papers" / "index.html"):
        links = _Links()
        links.feed(page.read_text(encoding="utf-8"))
        href = links.feeds.get("application/feed+json")
        assert href is not None, f"{page}: no JSON Feed autodiscovery link"
        assert (page.parent / href).resolve() == (site / lang / "feed.json").resolve()
