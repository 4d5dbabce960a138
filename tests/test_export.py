"""``digest export``: every example edition in every language, read back with a CommonMark
parser (markdown-it-py) and held to the rules of its channel; each rule also shown to fail
on a file that breaks it; the command's errors; a golden copy of one export."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO
from markdown_it import MarkdownIt

from digest.content.project import load_project
from digest.exports.registry import EXPORTS, export
from digest.pipeline import merged_edition
from digest.site.merge import Article

BASE_SITE = Path(__file__).parent / "cases" / "base"
GOLDEN = Path(__file__).parent / "golden" / "exports"
#: One export per channel kept as a golden file: (channel, edition, language).
GOLDEN_EXPORTS = (("markdown", "iclr2020-best-papers", "zh"), ("zhihu", "iclr2018-by-category", "zh"))
EDITIONS = tuple(e.slug for e in load_project(REPO).editions)
LANGUAGES = load_project(REPO).site.languages


@dataclass
class Read:
    """What a CommonMark parser finds in a Markdown file."""

    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, inline text)
    atx: list[bool] = field(default_factory=list)  # each heading written with #
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    tables: int = 0
    html: list[str] = field(default_factory=list)


def read(text: str) -> Read:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    found = Read()
    for n, token in enumerate(tokens):
        if token.type == "heading_open":
            found.headings.append((int(token.tag[1]), tokens[n + 1].content))
            found.atx.append(token.markup.startswith("#"))
        elif token.type == "table_open":
            found.tables += 1
        elif token.type == "html_block":
            found.html.append(token.content)
        for child in token.children or ():
            if child.type == "link_open":
                found.links.append(child.attrs["href"])
            elif child.type == "image":
                found.images.append(child.attrs["src"])
            elif child.type == "html_inline":
                found.html.append(child.content)
    return found


def heading_text(source: str) -> str:
    """The text a reader sees in a heading's inline Markdown (links and escapes resolved)."""
    return html.unescape(re.sub(r"<[^>]*>", "", MarkdownIt("commonmark").renderInline(source)))


#: The one piece of HTML the zhihu export writes: an equation image of Zhihu's import.
ZHIHU_EQUATION = re.compile(r'^<img src="https://www\.zhihu\.com/equation\?tex=([^"\s]+)" alt="[^"]*" '
                            r'class="ee_img tr_noresize" eeimg="1">$')


def markdown_problems(text: str, article: Article, equations: bool = False) -> list[str]:
    """Every rule of the markdown export that ``text`` breaks, for the edition ``article``
    (``equations``: Zhihu's equation images are the HTML it may hold)."""
    found = read(text)
    problems = [f"heading {t!r} is not an ATX (#) heading" for (_, t), atx in zip(found.headings, found.atx, strict=True)
                if not atx]
    problems += [f"link {url!r} is not an absolute https URL" for url in found.links + found.images
                 if not url.startswith("https://") or re.search(r"\s", url)]
    html_left = [h for h in found.html if not (equations and ZHIHU_EQUATION.match(h.strip()))]
    if html_left:
        problems.append(f"raw HTML: {html_left[:3]}")
    expected = [(1, article.title.value or article.slug)]
    numbered = [(3, f"{n}. {item.local_title.value or item.title.value}") for n, item in enumerate(article.items, 1)]
    for section in article.sections if article.layout == "category" else ():
        expected.append((2, section.category.name.get(article.lang) or section.category.name.get("zh")
                         or section.category.name.get("en") or section.category.key))
        expected += [(3, item.local_title.value or item.title.value) for item in section.items]
    if article.layout == "numbered":
        expected += numbered
    seen = [(level, heading_text(t)) for level, t in found.headings]
    if [level for level, _ in seen] != [level for level, _ in expected]:
        problems.append(f"headings {seen} are not the edition's {expected}")
    else:
        problems += [f"heading {got!r} is not {want!r}" for (_, got), (_, want) in zip(seen, expected, strict=True)
                     if got != want]
    for item in article.items:
        if not any(url.startswith(f"https://digest.example.org/{article.lang}/{article.slug}/{item.ref.slug}/")
                   or url.startswith("https://digest.test/") for url in found.links):
            problems.append(f"no link to the page of {item.ref}")
        for link in item.links:
            if link.url.startswith(("http://", "https://")) and link.url not in found.links:
                problems.append(f"the {link.kind} link {link.url} is missing")
    return problems


def zhihu_problems(text: str, article: Article) -> list[str]:
    """The markdown export's rules, and Zhihu's: no TeX left outside code, no table."""
    problems = markdown_problems(text, article, equations=True)
    found = read(text)
    if found.tables:
        problems.append(f"{found.tables} tables (Zhihu's import breaks them)")
    outside_code = re.sub(r"^```.*?^```|`[^`\n]*`", "", text, flags=re.M | re.S)
    problems += [f"TeX left as text: {m.group(0)!r}" for m in re.finditer(r"(?<!\\)\$[^\s$][^$\n]*?[^\s\\$]\$(?!\d)",
                                                                       outside_code)]
    return problems


def exported(slug: str, lang: str, root: Path = REPO, channel: str = "markdown") -> tuple[str, Article]:
    renderer, article, _ = merged_edition(root, slug, lang)
    return export(EXPORTS[channel], renderer, article).text, article


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", EDITIONS)
def test_every_example_edition_exports_to_markdown_that_follows_the_rules(slug: str, lang: str) -> None:
    text, article = exported(slug, lang)
    assert markdown_problems(text, article) == []
    assert text.endswith("\n") and not text.endswith("\n\n") and not text.startswith("\n")
    assert "\n\n\n" not in text
    assert exported(slug, lang)[0] == text  # deterministic


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("slug", EDITIONS)
def test_every_example_edition_exports_to_zhihu_markdown_that_follows_the_rules(slug: str, lang: str) -> None:
    text, article = exported(slug, lang, channel="zhihu")
    assert zhihu_problems(text, article) == []
    assert text == exported(slug, lang, channel="zhihu")[0]


def test_the_zhihu_rules_fail_on_files_that_break_them() -> None:
    text, article = exported("iclr2018-by-category", "zh", channel="zhihu")
    assert zhihu_problems(text, article) == []
    end = "\n\nthe end\n"
    for message, added in {"TeX left as text": "We show $a<b$ here.",
                           "tables": "| a | b |\n|---|---|\n| 1 | 2 |",
                           "not an absolute https URL": "![x](https://e.example/a b.png) ![y](http://e.example/y.png)",
                           "raw HTML": '<img src="https://e.example/x.png" eeimg="1">'}.items():
        problems = zhihu_problems(text + "\n" + added + end, article)
        assert any(message in p for p in problems), (message, problems)


def test_the_rules_fail_on_files_that_break_them() -> None:
    text, article = exported("iclr2020-best-papers", "en")
    first = article.items[0]
    page = f"https://digest.example.org/en/iclr2020-best-papers/{first.ref.slug}/"
    title = first.local_title.value or first.title.value
    heading = next(line for line in text.splitlines() if line.startswith("### ") and page in line)
    breakers = {
        "not an ATX": text.replace(f"\n{heading}\n", f"\n{heading[4:]}\n---\n", 1),
        "not an absolute https URL": text.replace(page, f"/en/iclr2020-best-papers/{first.ref.slug}/"),
        "raw HTML": text.replace(heading, heading + "\n\n<div>hi</div>", 1),
        "are not the edition's": text.replace(f"\n{heading}\n", "\n", 1),
        f"no link to the page of {first.ref}": text.replace(page, "https://elsewhere.example/"),
        "is missing": text.replace(next(link.url for link in first.links), "https://elsewhere.example/x", 1),
    }
    assert title
    for message, broken in breakers.items():
        assert broken != text, message
        assert any(message in p for p in markdown_problems(broken, article)), (message, markdown_problems(broken, article))


def test_plain_text_is_escaped_and_reads_back_as_written(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(BASE_SITE, root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "week.yaml").write_text(
        "date: 2018-01-05\nconference: ICLR 2018\ntitle:\n  en: 'Week *one* [draft] <b>#1</b> & more'\n  zh: 第一周\n"
        "entries:\n  - paper: openreview:ryQu7f-RZ\n    category: optimization\n"
        "    note:\n      en: Read **this**. We used GPU training.\n      zh: 我们用了GPU训练，效果不错\n"
        "    figure: {src: images/ratings.png, alt: {en: The ratings, zh: 评分}, caption: {en: Ratings *per* reviewer.}}\n"
        "  - paper: openreview:SkhQHMW0W\n    category: model-compression\n"
        "    note:\n      en: |-\n        We show $a<b$ and $c>d$; it costs $5 and $10, `$x$` is code.\n\n"
        "        $$\\sum_i x_i$$\n\n        | bits | top-1 |\n        |---|---|\n        | 32 | 76.1 |\n\n"
        "        ```\n        $kept$\n        ```\n      zh: 见英文。\n",
        encoding="utf-8")
    text, article = exported("week", "en", root)
    assert read(text).headings[0] == (1, text.splitlines()[0][2:])
    assert heading_text(read(text).headings[0][1]) == "Week *one* [draft] <b>#1</b> & more"
    assert read(text).html == [] and read(text).links[0].startswith("https://digest.test/en/week/")
    assert "Read **this**. We used GPU training." in text  # the curator's Markdown goes in as written
    zh, _ = exported("week", "zh", root)
    assert "我们用了 GPU 训练，效果不错" in zh  # copy-edited as digest check --fix writes it
    assert "我们用了GPU训练" not in zh
    assert "On the Convergence of Adam and Beyond" in zh  # fetched text untouched
    assert read(text).images == ["https://digest.test/images/ratings.png"]
    assert "![The ratings](https://digest.test/images/ratings.png)\n\nRatings *per* reviewer." in text


def test_zhihu_turns_tex_into_equation_images_and_tables_into_paragraphs(tmp_path: Path) -> None:
    root = tmp_path / "site"
    test_plain_text_is_escaped_and_reads_back_as_written(tmp_path)
    text, article = exported("week", "en", root, channel="zhihu")
    assert zhihu_problems(text, article) == []
    sources = [unquote(m.group(1)) for h in read(text).html if (m := ZHIHU_EQUATION.match(h.strip()))]
    assert sources == ["a<b", "c>d", "\\sum_i x_i"]
    assert "it costs $5 and $10, `$x$` is code." in text  # money and code stay as written
    assert "**bits · top-1**\n\n32 · 76.1" in text  # the table's text kept, as paragraphs
    assert "```\n$kept$\n```" in text
    plain, _ = exported("week", "en", root)
    assert "We show $a<b$ and $c>d$" in plain and read(plain).tables == 1  # the markdown export keeps both


def test_golden_exports_are_unchanged() -> None:
    for channel, slug, lang in GOLDEN_EXPORTS:
        path = GOLDEN / f"{slug}.{lang}{EXPORTS[channel].suffix}"
        assert path.read_text(encoding="utf-8") == exported(slug, lang, channel=channel)[0], (
            f"{path} differs: run python -m tests.golden --update and review the diff")


def digest(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "digest.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_the_command_writes_to_standard_output_or_a_file(tmp_path: Path) -> None:
    shown = digest("export", "markdown", "iclr2017-highlights", "--lang", "zh-Hant")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == exported("iclr2017-highlights", "zh-Hant")[0]
    out = tmp_path / "deep" / "post.md"
    written = digest("export", "markdown", "iclr2017-highlights", "--out", str(out))
    assert written.returncode == 0 and written.stdout == ""
    assert out.read_text(encoding="utf-8") == exported("iclr2017-highlights", LANGUAGES[0])[0]
    assert str(out) in written.stderr


@pytest.mark.parametrize("args, message", [
    (("export", "wechatt", "iclr2017-highlights"), "digest export: error: no export 'wechatt' (the exports: markdown"),
    (("export", "markdown", "iclr2099"), "digest export: error: no edition 'iclr2099' (the editions: iclr2017-highlights"),
    (("export", "markdown", "iclr2017-highlights", "--lang", "fr"),
     "digest export: error: 'fr' is not one of the site's languages (en, zh, zh-Hant)"),
])
def test_bad_arguments_get_one_clear_line_and_status_1(args: tuple[str, ...], message: str) -> None:
    result = digest(*args)
    assert result.returncode == 1
    assert result.stderr.startswith(message), result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
