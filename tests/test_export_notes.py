"""A curator's note that holds what real notes hold (an http link, a link whose address has
parentheses, a relative link, a mail link, an image, a table, a code block), through every
export: nothing dropped without a warning, every rule of each channel kept."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from digest.exports.channels import EXPORTS
from digest.pipeline import export_context
from tests.channel_rules import Doc, email_broken, reference_urls, wechat_broken

REPO = Path(__file__).resolve().parent.parent
SLUG = "iclr2020-best-papers"
SITE = "https://digest.example.org/"

NOTE = {
    "zh": """见[论文](http://example.org/paper)与[维基](https://en.wikipedia.org/wiki/Adam_(optimizer))，\
另见[上一期](../iclr2018-by-category/)，来信请寄[编辑部](mailto:editors@example.org)。

![训练曲线](figs/curve.png)

| 模型 | 得分 |
|---|---|
| TisODE | 8 |

```
for x in data:
    step(x)
```
""",
    "en": """See [the paper](http://example.org/paper) and [Adam](https://en.wikipedia.org/wiki/Adam_(optimizer)), \
and [last issue](../iclr2018-by-category/); write to [the editors](mailto:editors@example.org).

![training curve](figs/curve.png)

| Model | Score |
|---|---|
| TisODE | 8 |

```
for x in data:
    step(x)
```
""",
}
WORDS = {"zh": ("论文", "维基", "上一期", "训练曲线", "TisODE"), "en": ("the paper", "Adam", "last issue",
                                                                  "training curve", "TisODE")}
PAPER, WIKI, LAST = ("https://example.org/paper", "https://en.wikipedia.org/wiki/Adam_%28optimizer%29",
                     f"{SITE}{{lang}}/iclr2018-by-category/")


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notes") / "site"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "editions" / f"{SLUG}.yaml"
    text = path.read_text(encoding="utf-8")
    for lang, marker in (("zh", "        研究发现，神经常微分方程"), ("en", "        Neural ODEs turn out to be")):
        assert marker in text
        note = "".join(f"        {line}\n" if line else "\n" for line in NOTE[lang].splitlines())
        text = text.replace(marker, f"{note}\n{marker}", 1)
    path.write_text(text, encoding="utf-8")
    return root


def render(root: Path, channel: str, lang: str, esp: str = "generic"):
    return EXPORTS[channel].render(export_context(root, SLUG, lang, {"esp": esp}))


def text_of(html: str) -> str:
    return "".join(text for text, _ in Doc(html).texts)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_makes_every_address_absolute_and_keeps_the_rest(root, lang):
    body = render(root, "markdown", lang).data.decode("utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(body)
    inline = [c for t in tokens if t.type == "inline" for c in t.children or ()]
    hrefs = [c.attrs["href"] for c in inline if c.type == "link_open"]
    srcs = [c.attrs["src"] for c in inline if c.type == "image"]
    assert "http://example.org/paper" in hrefs  # the markdown export keeps http: its readers follow it
    assert WIKI in hrefs and LAST.format(lang=lang) in hrefs and "mailto:editors@example.org" in hrefs
    assert f"{SITE}{lang}/{SLUG}/figs/curve.png" in srcs
    assert any(t.type == "table_open" for t in tokens)
    assert any(t.type == "fence" and t.content == "for x in data:\n    step(x)\n" for t in tokens)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_zhihu_gets_https_and_says_what_it_changed(root, lang):
    from tests.test_exports import links, zhihu_problems

    export = render(root, "zhihu", lang)
    body = export.data.decode("utf-8")
    assert zhihu_problems(body) == [], body
    found = links(body)
    assert PAPER in found and WIKI in found and LAST.format(lang=lang).replace("http:", "https:") in found
    assert "|---|" not in body and "TisODE" in body
    assert any("http://example.org/paper" in w and "https://example.org/paper" in w for w in export.warnings)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_wechat_keeps_every_address_as_a_reference_and_the_code_lines(root, lang):
    export = render(root, "wechat", lang)
    html = export.data.decode("utf-8")
    assert wechat_broken(html) == [], wechat_broken(html)
    urls = reference_urls(html)
    # the relative link is gone from the site's HTML too (digest check warns): its words stay
    assert PAPER in urls and WIKI in urls and not any("iclr2018-by-category" in url for url in urls)
    text = text_of(html)
    assert all(word in text for word in WORDS[lang])  # the image's words, the table's cells
    assert "for x in data:" in text and "\xa0\xa0\xa0\xa0step(x)" in text
    doc = Doc(html)
    code = [stack for t, _, stack in doc.elements if t == "br" and "code" in stack]
    assert len(code) == 1  # two lines, one break between them
    assert any(t == "td" for t, _, _ in doc.elements) and any(t == "th" for t, _, _ in doc.elements)
    assert any("http://example.org/paper" in w for w in export.warnings)
    assert any("mailto:editors@example.org" in w and "left out" in w for w in export.warnings)


@pytest.mark.parametrize("esp", ["generic", "listmonk"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_email_links_every_address_in_both_parts(root, lang, esp):
    from digest.exports.email import UNSUBSCRIBE

    export = render(root, "email", lang, esp)
    html = export.data.decode("utf-8")
    assert email_broken(html, (UNSUBSCRIBE[esp],) if UNSUBSCRIBE[esp] else ()) == []
    doc = Doc(html)
    hrefs = [a.get("href") for t, a, _ in doc.elements if t == "a"]
    assert PAPER in hrefs and WIKI in hrefs
    assert any(t == "th" for t, _, _ in doc.elements)
    assert all(word in text_of(html) for word in WORDS[lang])
    plain = export.text.decode("utf-8")
    first = WORDS[lang][0]
    assert f"{first} ({PAPER})" in plain and f"({WIKI})" in plain and WORDS[lang][2] in plain
    assert "mailto:editors@example.org" in plain
    assert any("http://example.org/paper" in w for w in export.warnings)


def test_digest_check_says_an_image_in_a_note_shows_as_its_words(root):
    done = subprocess.run([sys.executable, "-m", "digest.cli", "check"], cwd=root, capture_output=True, text=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    lines = [line for line in done.stderr.splitlines() + done.stdout.splitlines() if "image in Markdown text" in line]
    assert len(lines) == 2, done.stdout + done.stderr
    text = (root / "content" / "editions" / f"{SLUG}.yaml").read_text(encoding="utf-8").splitlines()
    for line in lines:
        path, row, col = line.split(":")[:3]
        assert path.endswith(f"{SLUG}.yaml") and text[int(row) - 1][int(col) - 1:].startswith("![")


def test_the_site_renders_a_fenced_code_block_and_keeps_an_images_words(root):
    renderer = export_context(root, SLUG, "en", {}).renderer
    html = str(renderer.markdown("```\nfor x in data:\n    step(x)\n```\n\n![training curve](figs/curve.png)"))
    assert "<pre><code>for x in data:\n    step(x)\n</code></pre>" in html
    assert "training curve" in html and "<img" not in html


HOSTILE = ("Raw <script>alert(1)</script> and <b onclick=\"x()\">bold</b> <img src=x onerror=y()>"
           " words; we show $a<b$ and $c>d$, the set <T> and `<div>` in code.")


@pytest.mark.parametrize("channel, esp", [("markdown", "generic"), ("zhihu", "generic"), ("email", "buttondown")])
def test_the_markdown_exports_carry_no_html_of_a_note_and_lose_no_words(tmp_path, channel, esp):
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    path = root / "content" / "editions" / f"{SLUG}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = "        Neural ODEs turn out to be"
    path.write_text(text.replace(marker, f"        {HOSTILE}\n\n{marker}", 1), encoding="utf-8")
    body = render(root, channel, "en", esp).data.decode("utf-8")
    for gone in ("<script", "alert(1)", "onclick", "onerror", "<b>", "<img src=x"):
        assert gone not in body, gone
    assert "and bold words" in " ".join(body.split())
    assert "the set <T>" in body and "`<div>`" in body
    if channel == "zhihu":  # the formulas as Zhihu's equation images, their TeX whole
        assert "tex=a%3Cb" in body and "tex=c%3Ed" in body
    else:
        assert "$a<b$ and $c>d$" in body
