"""The rules of the WeChat and email channels, checked on parsed output (stdlib HTML parser).

Each checker returns the rules a document breaks (empty: it keeps them all), so a test can
assert an export keeps every rule and that each rule catches a document breaking it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from digest.exports.wechat import STYLES as WECHAT_STYLES

ZERO_WIDTH = re.compile("[\u200b\u200c\u200d]")
_REF_LINE = re.compile(r"^\[(\d+)\] (?:.*: )?(https://\S+)$")


class Doc(HTMLParser):
    """Elements as (tag, attrs, open-element stack), text pieces with their enclosing stack."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.texts: list[tuple[str, tuple[str, ...]]] = []
        self.comments: list[str] = []
        self.stack: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(self.stack)))
        if tag not in ("img", "br", "meta", "hr", "link", "input"):
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}, tuple(self.stack)))

    def handle_endtag(self, tag):
        if tag in self.stack:  # close it and whatever is still open inside it
            del self.stack[len(self.stack) - 1 - self.stack[::-1].index(tag):]

    def handle_data(self, data):
        self.texts.append((data, tuple(self.stack)))

    def handle_comment(self, data):
        self.comments.append(data)


def style_props(style: str) -> list[tuple[str, str]]:
    return [(p.split(":", 1)[0].strip().lower(), p.split(":", 1)[1].strip())
            for p in style.split(";") if ":" in p]


INLINE = {"p", "h1", "h2", "h3", "strong", "em", "code", "span", "sup", "a"}


def wechat_broken(html: str) -> list[str]:
    """The WeChat rules ``html`` breaks."""
    doc = Doc(html)
    broken = set()
    tags = {tag for tag, _, _ in doc.elements}
    if tags & {"style", "script", "link"}:
        broken.add("no style/script/link elements")
    if tags & {"div", "article", "main", "header", "footer", "nav", "aside"}:
        broken.add("block wrappers are section")
    if tags & {"ul", "ol", "li"}:
        broken.add("no lists")
    for tag, attrs, _ in doc.elements:
        if {"class", "id"} & set(attrs) or any(a.startswith("on") for a in attrs):
            broken.add("no class, id or on* attributes")
        for prop, value in style_props(attrs.get("style", "")):
            if prop not in WECHAT_STYLES:
                broken.add("only the editor's style properties")
            if "var(" in value or "url(" in value:
                broken.add("only the editor's style properties")
        if tag == "a" and not attrs.get("href", "").startswith("https://mp.weixin.qq.com/"):
            broken.add("links only to mp.weixin.qq.com")
        if tag == "img":
            props = dict(style_props(attrs.get("style", "")))
            if (not attrs.get("src", "").startswith("https://") or "width" in attrs or "height" in attrs
                    or props.get("max-width") != "100%"):
                broken.add("images absolute https with max-width:100%")
    for text, stack in doc.texts:
        if "\n" in text and set(stack) & INLINE:
            broken.add("no raw newlines inside inline text")
    if ZERO_WIDTH.search(html):
        broken.add("no zero-width characters")
    broken.update(_references_broken(doc))
    return sorted(broken)


def _references_broken(doc: Doc) -> list[str]:
    """Every ``[n]`` mark is dense from 1 in order of first use and has one reference line
    naming one URL; no URL is listed twice."""
    marks: list[int] = []
    lines: list[tuple[int, str]] = []
    for text, stack in doc.texts:
        if stack and stack[-1] == "sup":
            m = re.fullmatch(r"\[(\d+)\]", text.strip())
            if m:
                marks.append(int(m.group(1)))
        m = _REF_LINE.match(text.strip())
        if m and stack and stack[-1] == "p":
            lines.append((int(m.group(1)), m.group(2)))
    first_use = list(dict.fromkeys(marks))
    problems = []
    if first_use != list(range(1, len(first_use) + 1)):
        problems.append("references numbered from 1 in order of first use")
    if [n for n, _ in lines] != first_use:
        problems.append("one reference line per number")
    urls = [u for _, u in lines]
    if len(set(urls)) != len(urls):
        problems.append("one number per URL")
    return problems


def reference_urls(html: str) -> list[str]:
    """The URLs of the references list, in order."""
    doc = Doc(html)
    return [m.group(2) for text, _ in doc.texts if (m := _REF_LINE.match(text.strip()))]


_BLACK = re.compile(r"#000(?:000)?\b|rgb\(\s*0\s*,\s*0\s*,\s*0\s*\)", re.I)


def email_broken(html: str, placeholders: tuple[str, ...] = ()) -> list[str]:
    """The email rules ``html`` breaks (``placeholders``: the sender's own link tags, allowed as href)."""
    from digest.exports.email import GMAIL_CLIP_BYTES, WIDTH

    doc = Doc(html)
    broken = set()
    tags = [tag for tag, _, _ in doc.elements]
    if "style" in tags or "@media" in html:
        broken.add("inlined CSS, no <style> or @media")
    if "svg" in tags:
        broken.add("no svg")
    if any("data:" in value for _, attrs, _ in doc.elements for value in attrs.values()):
        broken.add("no data: URLs")
    if "var(" in html or "--" in "".join(a.get("style", "") for _, a, _ in doc.elements):
        broken.add("no CSS variables")
    for tag, attrs, _ in doc.elements:
        props = [p for p, _ in style_props(attrs.get("style", ""))]
        if "position" in props:
            broken.add("no position")
        for name in ("href", "src"):
            if name in attrs and not attrs[name].startswith("https://") and attrs[name] not in placeholders:
                broken.add("every URL absolute https")
        if tag == "img" and not attrs.get("alt", "").strip():
            broken.add("every image has alt text")
    outer = [a for t, a, stack in doc.elements if t == "table" and "table" not in stack]
    inner = [a for t, a, stack in doc.elements if t == "table" and stack.count("table") == 1]
    if not outer or not inner or inner[0].get("width") != str(WIDTH) or inner[0].get("role") != "presentation":
        broken.add("a 600 px presentation table")
    if _BLACK.search(html):
        broken.add("no hard-coded black")
    if len(html.encode("utf-8")) > GMAIL_CLIP_BYTES:
        broken.add("under Gmail's clipping size")
    return sorted(broken)
