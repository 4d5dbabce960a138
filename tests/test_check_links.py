"""digest check on links in curated Markdown: dangerous schemes (however written) and relative links."""

from __future__ import annotations

import pytest

from digest.checks.links import judge, link_problems, links
from tests.test_check_text import ENTRY, HEAD, check, site

DANGER = "link to an https:// address; the page builder removes links like this one"


@pytest.mark.parametrize(("text", "url"), [
    ("[a](javascript:alert(1))", "javascript:alert(1)"),
    ("[a](JaVaScRiPt:alert(1))", "JaVaScRiPt:alert(1)"),
    ("[a](&#106;avascript:alert(1))", "&#106;avascript:alert(1)"),  # a character reference
    ("[a](&#x6A;avascript&colon;alert(1))", "&#x6A;avascript&colon;alert(1)"),
    ("[a](java&#x09;script:alert(1))", "java&#x09;script:alert(1)"),  # a tab, which URL parsers drop
    ("[a](javascript\\:alert(1))", "javascript\\:alert(1)"),  # a Markdown backslash escape
    ("[a]( <javascript:alert(1)> )", "javascript:alert(1)"),
    ("<javascript:alert(1)>", "javascript:alert(1)"),  # an autolink
    ('<a href="  java\tscript:x">x</a>', "  java\tscript:x"),  # raw HTML
    ("<img src=data:text/html;base64,PHNjcmlwdD4=>", "data:text/html;base64,PHNjcmlwdD4="),
    ("[x]: vbscript:msgbox", "vbscript:msgbox"),  # a reference definition
    ("![figure](data:image/png;base64,AAAA)", "data:image/png;base64,AAAA"),
])
def test_dangerous_links_are_found_however_they_are_spelled(text: str, url: str):
    assert [found for _, found in links(text)] == [url]
    assert judge(url)[0] == "dangerous_link"


def test_code_is_not_a_link_and_good_links_pass():
    assert list(links("`[a](javascript:alert(1))` and\n```\n[b](javascript:x)\n```\n")) == []
    text = ("[w](https://en.wikipedia.org/wiki/Adam_(optimizer)) [m](mailto:editors@example.org) "
            '[t](https://arxiv.org/abs/1710.10571 "title") [e]()')
    assert [url for _, url in links(text)] == [
        "https://en.wikipedia.org/wiki/Adam_(optimizer)", "mailto:editors@example.org", "https://arxiv.org/abs/1710.10571"]
    assert link_problems(text) == []


def test_relative_links_and_dropped_schemes():
    assert link_problems("see [the PDF](paper.pdf), [results](#results), [cdn](//cdn.example/x), [ftp](ftp://x.org/f)") == [
        ("relative_link", 14, "relative link 'paper.pdf' breaks in feed readers and on other pages",
         "write the full address, starting with https://"),
        ("relative_link", 36, "relative link '#results' breaks in feed readers and on other pages",
         "write the full address, starting with https://"),
        ("relative_link", 53, "relative link '//cdn.example/x' breaks in feed readers and on other pages",
         "write the full address, starting with https://"),
        ("relative_link", 77, "ftp: link 'ftp://x.org/f' is removed when the page is built",
         "only http, https and mailto links are kept: link to an https:// address"),
    ]
    assert judge("java\tscript:" + "x" * 80)[1] == "dangerous javascript: link 'java\\x09script:" + "x" * 44 + "…'"


def test_check_reports_links_where_they_are_written(tmp_path):
    root = site(tmp_path, HEAD + ENTRY + (
        "      en: |\n"
        "        Code is [here](javascript:alert(document.cookie)), slides [here](slides.pdf).\n"
        "      zh: 代码见 [仓库](https://github.com/x/y)。\n"
        "    figure:\n"
        "      src: images/ratings.png\n"
        "      alt: {en: Ratings, zh: 评分}\n"
        "      caption: {en: 'From <a href=\"data:text/html,x\">the paper</a>', zh: 摘自论文}\n"
    ))
    code, lines, _ = check(root)
    assert code == 1
    assert lines == [
        "content/editions/w1.yaml:9:24: error: entries[0].note.en: dangerous javascript: link "
        f"'javascript:alert(document.cookie)' ({DANGER})",
        "content/editions/w1.yaml:9:74: warning: entries[0].note.en: relative link 'slides.pdf' breaks in feed readers "
        "and on other pages (write the full address, starting with https://)",
        "content/editions/w1.yaml:14:36: error: entries[0].figure.caption.en: dangerous data: link 'data:text/html,x' "
        f"({DANGER})",
        "digest check: 2 errors, 1 warning",
    ]
    config = root / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  dangerous_link: warning\n  relative_link: ignore\n",
                      encoding="utf-8")
    code, lines, _ = check(root)
    assert code == 0
    assert [line.split(": dangerous")[0] for line in lines] == [
        "content/editions/w1.yaml:9:24: warning: entries[0].note.en",
        "content/editions/w1.yaml:14:36: warning: entries[0].figure.caption.en",
    ]
