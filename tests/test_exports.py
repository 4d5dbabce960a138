"""The export registry, the markdown and zhihu exports, and ``digest export``.

Every export of every example edition in every language is parsed with markdown-it-py (the
CommonMark reference parser for Python) and checked against its channel's rules; each rule's
checker is also shown to fail on a fragment that breaks it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from digest.exports import zhihu
from digest.exports.channels import EXPORTS
from digest.exports.registry import Export
from digest.exports.urls import Addresses, fix_links
from digest.pipeline import export_context
from digest.site.i18n import gettext_for
from tests.golden.__main__ import GOLDEN_EXPORTS, export_files

REPO = Path(__file__).resolve().parent.parent
EDITIONS = sorted(p.stem for p in (REPO / "content" / "editions").glob("*.yaml"))
LANGS = ("en", "zh", "zh-Hant")

commonmark = MarkdownIt("commonmark")
with_tables = MarkdownIt("commonmark").enable("table")
#: A parser that gives link and image destinations as written (markdown-it percent-encodes them
#: by default, which would hide a space the importer chokes on).
as_written = MarkdownIt("commonmark")
as_written.normalizeLink = lambda url: url


def export(channel: str, slug: str, lang: str, root: Path = REPO) -> Export:
    return EXPORTS[channel].render(export_context(root, slug, lang, {"esp": "generic"}))


_contexts: dict[tuple[str, str], object] = {}


def context(slug: str, lang: str):
    key = (slug, lang)
    if key not in _contexts:
        _contexts[key] = export_context(REPO, slug, lang, {})
    return _contexts[key]


# ---------------------------------------------------------------------- parsed views

def headings(markdown: str) -> list[tuple[int, str, str]]:
    """(level, text, markup) of every heading, as CommonMark reads it."""
    tokens = with_tables.parse(markdown)
    return [(int(t.tag[1]), tokens[i + 1].content, t.markup) for i, t in enumerate(tokens) if t.type == "heading_open"]


def _inline_children(markdown: str, parser: MarkdownIt = commonmark):
    for token in parser.parse(markdown):
        if token.type == "inline":
            yield from token.children or ()


def links(markdown: str, parser: MarkdownIt = as_written) -> list[str]:
    return [t.attrs["href"] for t in _inline_children(markdown, parser) if t.type == "link_open"]


def images(markdown: str, parser: MarkdownIt = as_written) -> list[str]:
    return [t.attrs["src"] for t in _inline_children(markdown, parser) if t.type == "image"]


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append({k: v or "" for k, v in attrs})


def html_images(markdown: str) -> list[dict[str, str]]:
    """Attributes of every <img> written as raw HTML in the Markdown."""
    parser = _Tags()
    for token in with_tables.parse(markdown):
        for part in [token, *(token.children or ())]:
            if part.type in ("html_inline", "html_block"):
                parser.feed(part.content)
    return parser.imgs


def text_outside_code(markdown: str) -> str:
    """The text a reader sees, without code spans and blocks (raw HTML left out too)."""
    out = []
    for token in with_tables.parse(markdown):
        if token.type == "inline":
            out += [c.content for c in token.children or () if c.type == "text"]
    return "\n".join(out)


# ---------------------------------------------------------------------- the zhihu rules, as checkers

def zhihu_problems(markdown: str) -> list[str]:
    found = []
    for _level, text, markup in headings(markdown):
        if not markup.startswith("#"):
            found.append(f"setext heading: {text}")
    for url in links(markdown) + images(markdown) + [i.get("src", "") for i in html_images(markdown)]:
        if not url.startswith("https://") or re.search(r"\s", url):
            found.append(f"not an absolute https URL without spaces: {url!r}")
    if re.search(r"(?<!\\)\$[^$\s][^$]*\$", text_outside_code(markdown)):
        found.append("TeX left as $...$")
    for img in html_images(markdown):
        src = img.get("src", "")
        if img.get("eeimg") is not None:
            if not src.startswith(zhihu.EQUATION) or unquote(src[len(zhihu.EQUATION):]) != unescape(img.get("alt", "")):
                found.append(f"equation image does not decode to its TeX: {src}")
    if any(t.type == "table_open" for t in with_tables.parse(markdown)):
        found.append("a table")
    return found


@pytest.mark.parametrize("fragment, problem", [
    ("Title\n=====\n", "setext heading"),
    ("[x](http://example.org/)\n", "https"),
    ("[x](/zh/page/)\n", "https"),
    ("![x](<https://example.org/a b.png>)\n", "https"),
    ("where $p(x)$ is\n", "TeX"),
    ('<img src="https://www.zhihu.com/equation?tex=q" alt="p" eeimg="1">\n', "decode"),
    ("| a | b |\n|---|---|\n| 1 | 2 |\n", "table"),
])
def test_each_zhihu_checker_fails_on_a_fragment_that_breaks_its_rule(fragment, problem):
    assert any(problem in p for p in zhihu_problems(fragment)), zhihu_problems(fragment)
    assert zhihu_problems("# Title\n\n[x](https://example.org/a%20b)\n\n`$x$`\n") == []


@pytest.mark.parametrize("slug", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_zhihu_export_of_every_example_edition_keeps_zhihus_rules(slug, lang):
    result = EXPORTS["zhihu"].render(context(slug, lang))
    body = result.data.decode("utf-8")
    assert result.suffix == ".zhihu.md" and result.media_type.startswith("text/markdown")
    assert zhihu_problems(body) == []
    assert headings(body)[0][:2] == (1, context(slug, lang).article.title.value)


def test_zhihu_writes_tex_of_fetched_abstracts_as_equation_images():
    body = export("zhihu", "iclr2017-highlights", "en").data.decode("utf-8")
    equations = [unquote(i["src"][len(zhihu.EQUATION):]) for i in html_images(body) if i.get("eeimg") == "1"]
    assert r"p(\mathbf{x})" in equations and r"\epsilon" in equations
    assert all(i["class"] == "ee_img tr_noresize" for i in html_images(body) if i.get("eeimg"))
    # the same abstract in the markdown export keeps its TeX as text
    plain = export("markdown", "iclr2017-highlights", "en").data.decode("utf-8")
    assert r"$p(\mathbf{x})$" in text_outside_code(plain)


def test_zhihu_rewrites_curator_markdown_to_its_rules():
    note = ("见 [论文](http://example.org/paper) 与 ![图](<https://example.org/a b.png>)，"
            "其中 $\\alpha$ 为步长，`$code$` 不变。\n\n$$E = mc^2$$\n\n| 模型 | 得分 |\n|---|---|\n| A | 8 |\n\n"
            "[相对](../other/)、[锚点](#top)、[维基](<https://en.wikipedia.org/wiki/Adam_(optimizer)>)\n")
    from digest.site.merge import Shown

    addresses = Addresses("https://digest.example.org/zh/x/", "Zhihu")
    body = fix_links(zhihu.block(Shown(note, "curator", "zh", True)), addresses, angled=False)
    warnings = addresses.warnings
    assert zhihu_problems(body) == [], body
    assert "https://example.org/paper" in links(body)
    assert "https://digest.example.org/zh/other/" in links(body)
    assert "https://digest.example.org/zh/x/#top" in links(body)
    assert "https://en.wikipedia.org/wiki/Adam_%28optimizer%29" in links(body)
    assert "https://example.org/a%20b.png" in images(body)
    assert "`$code$`" in body
    tex = [unquote(i["src"][len(zhihu.EQUATION):]) for i in html_images(body)]
    assert tex == ["\\alpha", "E = mc^2"]
    assert "模型: A; 得分: 8" in body
    assert warnings and "http://example.org/paper" in warnings[0]


# ---------------------------------------------------------------------- markdown: CommonMark round trip

def expected_headings(ctx) -> list[tuple[int, str]]:
    article = ctx.article
    out = [(1, article.title.value)]
    if article.layout == "numbered":  # one list: each entry numbered, no category headings
        for n, item in enumerate(article.items, 1):
            title = item.local_title if item.local_title else item.title
            out.append((3, f"{n}\\. " + " ".join(title.value.split())))  # the dot escaped: not a list
    elif article.layout == "sections":  # the edition's own sections, each with its heading
        for group in article.groups:
            out.append((2, group.part.heading.value))
            for item in group.items:
                title = item.local_title if item.local_title else item.title
                out.append((3, " ".join(title.value.split())))
    else:
        for section in article.sections:
            name = ctx.renderer.environment(ctx.lang).globals["name"](section.category.name, section.category.key).value
            out.append((2, name))
            for item in section.items:
                title = item.local_title if item.local_title else item.title
                out.append((3, " ".join(title.value.split())))
    if article.references:  # the notes' references, listed at the end
        out.append((2, gettext_for(ctx.lang, "References")))
    return out


def expected_links(ctx) -> list[str]:
    out = [ctx.edition_url()]
    for item in ctx.article.items:
        out += [link.url for link in item.links if link.url.startswith(("http://", "https://"))]
    return out + [ref.url for ref in ctx.article.references]


@pytest.mark.parametrize("slug", EDITIONS)
@pytest.mark.parametrize("lang", LANGS)
def test_markdown_export_round_trips_through_commonmark_with_the_same_headings_and_links(slug, lang):
    ctx = context(slug, lang)
    result = EXPORTS["markdown"].render(ctx)
    body = result.data.decode("utf-8")
    assert result.suffix == ".md" and result.media_type == "text/markdown; charset=utf-8"
    got = [(level, text) for level, text, _ in headings(body)]
    assert got == expected_headings(ctx)
    model_links = expected_links(ctx)
    found = links(body)
    assert [url for url in found if url in set(model_links)] == model_links
    # any other link is one the curator wrote in a note (absolute, from the Markdown)
    assert all(url.startswith(("https://", "http://", "mailto:")) for url in found)


def test_the_round_trip_check_fails_on_a_changed_heading_or_a_lost_link():
    ctx = context("iclr2020-best-papers", "en")
    body = EXPORTS["markdown"].render(ctx).data.decode("utf-8")
    first = expected_headings(ctx)[2][1]
    broken = body.replace(f"### {first}\n", f"{first}\n", 1)
    assert [(lv, t) for lv, t, _ in headings(broken)] != expected_headings(ctx)
    url = expected_links(ctx)[1]
    lost = body.replace(f"(<{url}>)", "", 1)
    assert [u for u in links(lost) if u in set(expected_links(ctx))] != expected_links(ctx)


def test_fetched_text_with_markup_characters_reads_back_as_written():
    from digest.exports.text import block, inline
    from digest.site.merge import Shown

    raw = "A *star*, an _under_score, [brackets], <tag>, # hash\n- not a list, 1. not a list, `tick` \\ slash"
    for rendered in (block(Shown(raw, "fetched", "en")), inline(Shown(raw, "fetched", "en"))):
        assert text_outside_code(rendered) == " ".join(raw.split())
    assert text_outside_code(raw) != " ".join(raw.split())  # unescaped, CommonMark would read markup


# ---------------------------------------------------------------------- copy-editing, determinism

def _site_with_note(tmp_path: Path, zh: str, en: str) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "editions" / "iclr2020-best-papers.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "        研究发现，神经常微分方程"
    assert marker in text
    text = text.replace(marker, f"        {zh}\n\n{marker}", 1)
    en_marker = "        Neural ODEs turn out to be"
    text = text.replace(en_marker, f"        {en}\n\n{en_marker}", 1)
    path.write_text(text, encoding="utf-8")
    return root


def test_chinese_curator_text_is_copy_edited_and_english_left_alone(tmp_path: Path):
    root = _site_with_note(tmp_path, "在LeanCloud上进行，有15%的人说iPhone ，好开心!", "Keep it ,as is!")
    zh = export("markdown", "iclr2020-best-papers", "zh", root).data.decode("utf-8")
    assert "在 LeanCloud 上进行，有 15% 的人说 iPhone，好开心！" in zh
    hant = export("zhihu", "iclr2020-best-papers", "zh-Hant", root).data.decode("utf-8")
    assert "在 LeanCloud 上進行" in hant
    en = export("markdown", "iclr2020-best-papers", "en", root).data.decode("utf-8")
    assert "Keep it ,as is!" in en
    # the site keeps the curator's text as written: only exports are copy-edited
    assert "在LeanCloud上进行" in (root / "content" / "editions" / "iclr2020-best-papers.yaml").read_text("utf-8")


def test_exported_chinese_curator_text_is_a_fixed_point_of_the_copy_editor():
    from digest.checks.texts import corrected

    article = context("iclr2020-best-papers", "zh").article
    for item in article.items:
        if item.note and item.note.source == "curator" and item.note.lang == "zh":
            assert corrected(item.note.value, True) == item.note.value


@pytest.mark.parametrize("channel", sorted(EXPORTS))
def test_exports_are_deterministic(channel):
    first = export(channel, "iclr2018-by-category", "zh").data
    assert export(channel, "iclr2018-by-category", "zh").data == first


# ---------------------------------------------------------------------- golden files

GOLDEN = REPO / "tests" / "golden" / "exports"


def test_one_edition_of_every_channel_is_kept_golden():
    suffixes = {name.split(".", 2)[2] for name in GOLDEN_EXPORTS}
    assert len(suffixes) == len(EXPORTS) and set(export_files()) == set(GOLDEN_EXPORTS)


@pytest.mark.parametrize("name", GOLDEN_EXPORTS)
def test_golden_exports(name):
    fresh = export_files()[name]
    assert (GOLDEN / name).read_bytes() == fresh, "run python -m tests.golden --update and review the diff"


# ---------------------------------------------------------------------- the command

def digest(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})


def test_export_writes_the_file(tmp_path: Path):
    out = tmp_path / "x.md"
    done = digest("export", "markdown", "iclr2020-best-papers", "--lang", "zh", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == export("markdown", "iclr2020-best-papers", "zh").data
    stdout = digest("export", "zhihu", "iclr2020-best-papers", "--out", "-")
    assert stdout.returncode == 0 and stdout.stdout.startswith("# ICLR 2020: 16 papers we liked best\n")


@pytest.mark.parametrize("args, code, message", [
    (("export", "myspace", "iclr2020-best-papers"), 2, "invalid choice: 'myspace'"),
    (("export", "markdown", "iclr2099"), 1, "digest export: error: no edition 'iclr2099' (the editions: "),
    (("export", "markdown", "iclr2020-best-papers", "--lang", "fr"), 1,
     "digest export: error: 'fr' is not one of the site's languages (en, zh, zh-Hant)"),
])
def test_bad_arguments_give_one_clear_line(args, code, message):
    done = digest(*args)
    assert done.returncode == code
    assert message in done.stderr and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert message in lines[-1] and (len(lines) == 1 or lines[0].startswith("usage: digest export"))


def test_export_into_a_folder_uses_the_default_name_and_senders_do_not_collide(tmp_path: Path):
    for esp in ("generic", "listmonk"):
        done = digest("export", "email", "iclr2020-best-papers", "--esp", esp, "--out", str(tmp_path))
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "iclr2020-best-papers.en.email.html", "iclr2020-best-papers.en.email.txt",
        "iclr2020-best-papers.en.listmonk.email.html", "iclr2020-best-papers.en.listmonk.email.txt"]
    done = digest("export", "email", "iclr2020-best-papers", "--out", str(tmp_path / "news.html"))
    assert done.returncode == 0 and (tmp_path / "news.txt").is_file()


def test_export_to_a_place_that_cannot_be_written_is_one_clear_line(tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = digest("export", "markdown", "iclr2020-best-papers", "--out", str(blocker / "x.md"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert done.stderr.startswith(f"digest export: error: --out: cannot write {blocker}")
    assert blocker.read_text() == "not a folder"
