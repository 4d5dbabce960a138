"""TeX between dollar signs, in curator Markdown and in fetched titles and abstracts, as MathML
(latex2mathml, then the sanitiser), on pages and in feeds; no text is ever lost."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest
from test_render import CATS, SITE, metas, project

from digest.core.ids import PaperRef
from digest.core.models import Entry, PaperMeta
from digest.pipeline import DEFAULT_TEMPLATES, render_site
from digest.site.render import Renderer

MATH_ELEMENT = re.compile(r"<math\b[^>]*>.*?</math>", re.S)


def renderer() -> Renderer:
    return Renderer(DEFAULT_TEMPLATES, SITE, CATS)


def visible(html: str) -> str:
    """What a reader sees of the text around the math: tags dropped, each formula as [math]."""
    return re.sub(r"<[^>]+>", "", MATH_ELEMENT.sub("[math]", html))


def test_a_curator_note_with_less_than_and_greater_than_comes_out_whole() -> None:
    html = str(renderer().markdown("We show $a<b$ and $c>d$"))
    assert visible(html) == "We show [math] and [math]"
    first, second = MATH_ELEMENT.findall(html)
    assert "<mi>a</mi><mo>&lt;</mo><mi>b</mi>" in first
    assert "<mi>c</mi><mo>&gt;</mo><mi>d</mi>" in second
    assert first.startswith('<math alttext="a&lt;b" xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')


@pytest.mark.parametrize("text, shown", [
    ("costs $5 and $10", "costs $5 and $10"),  # money is not math
    ("an unbalanced $a < b here", "an unbalanced $a &lt; b here"),
    ("one $ sign", "one $ sign"),
    (r"an escaped \$x\$ stays a price", "an escaped $x$ stays a price"),
    (r"a formula $\frac{a$ that does not convert", r"a formula $\frac{a$ that does not convert"),
    (r"an unknown $\foo{x}$ command", r"an unknown $\foo{x}$ command"),
])
def test_what_is_not_math_stays_as_its_text(text: str, shown: str) -> None:
    r = renderer()
    html = str(r.markdown(text))
    assert "<math" not in html
    assert html == f"<p>{shown}</p>"
    assert str(r.plain(text)) == shown


def test_math_inside_code_stays_code() -> None:
    html = str(renderer().markdown("Write `$a<b$` to get $a<b$.\n\n    $x$ in a code block"))
    assert "<code>$a&lt;b$</code>" in html
    assert "<pre><code>$x$ in a code block\n</code></pre>" in html
    assert len(MATH_ELEMENT.findall(html)) == 1


def test_markdown_around_math_is_still_markdown_and_math_is_not() -> None:
    html = str(renderer().markdown(r"**Bold** and $x_1 * y_2 * z$ with *emphasis* and $$\sum_i x_i$$"))
    assert html.startswith("<p><strong>Bold</strong> and <math")
    assert "<em>emphasis</em>" in html and "<em>" not in "".join(MATH_ELEMENT.findall(html))
    assert '<math alttext="\\sum_i x_i" xmlns="http://www.w3.org/1998/Math/MathML" display="block">' in html
    assert "<msub><mi>x</mi><mn>1</mn></msub>" in html


def test_math_passes_the_sanitiser() -> None:
    # \href and \color are TeX latex2mathml turns into attributes the allow-list drops
    html = str(renderer().markdown(r"$\href{javascript:alert(1)}{x}$ and $\color{red}{y}$ and $\hat{z}$"))
    tags = re.sub(r'alttext="[^"]*"', "", html)  # the source as text is harmless: an attribute never followed
    assert "javascript" not in tags and "href" not in tags and "mathcolor" not in tags
    assert '<mover accent="true">' in html


def test_math_written_as_html_is_held_to_the_same_allow_list() -> None:
    from conftest import unsafe_html

    html = str(renderer().markdown(
        '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math> '
        '<math href="javascript:alert(1)"><maction actiontype="statusline"><mi>x</mi></maction>'
        '<annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>'))
    assert unsafe_html(html, fragment=True) == []
    assert "<math" not in html  # MathML comes only from TeX: written as HTML, it is not on the allow-list
    for bad in ("onerror", "<img", "<style", "mglyph", "maction", "annotation", "javascript"):
        assert bad not in html, bad


def test_a_math_only_paragraph_stays_a_paragraph() -> None:
    assert re.fullmatch(r"<p><math\b.*</math></p>", str(renderer().markdown("$E = mc^2$")), re.S)


TITLES = {
    "i-revnet": ("$i$-RevNet: Deep Invertible Networks", "[math]-RevNet: Deep Invertible Networks",
                 "<mi>i</mi>"),
    "one-over-n": ("Training Networks with $1/n$ Parameters", "Training Networks with [math] Parameters",
                   "<mn>1</mn><mo>/</mo><mi>n</mi>"),
}


@pytest.fixture()
def math_site(tmp_path: Path) -> dict[str, str]:
    records = dict(metas())
    entries = []
    for key, (title, _, _) in TITLES.items():
        ref = PaperRef("openreview", key)
        records[ref] = PaperMeta(ref=ref, source="corpus", fetched_at="2024-01-01T00:00:00Z", title=title,
                                 authors=("A. Author",), abstract=f"We bound it by $O(\\sqrt{{n}})$.\n\n{title}.")
        entries.append(Entry(paper=ref, category="theory", note={"en": "We show $a<b$ and $c>d$",
                                                                 "zh": "我们证明 $a<b$ 且 $c>d$。"}))
    proj = project(tmp_path, tuple(entries))
    out = render_site(proj, proj.editions, records, tmp_path)
    return {path: data.decode("utf-8") for path, data in out.items() if path.endswith((".html", ".xml"))}


@pytest.mark.parametrize("key", sorted(TITLES))
def test_fetched_titles_and_abstracts_show_their_math(math_site: dict[str, str], key: str) -> None:
    title, seen, mathml = TITLES[key]
    page = math_site[f"en/week-1/openreview-{key}/index.html"]
    heading = re.search(r'<h1 class="entry-title".*?</h1>', page, re.S).group(0)
    assert visible(heading) == seen and mathml in heading
    assert f"<title>{title} · Paper Digest</title>" in page  # a <title> holds text only: the source stays
    abstract = re.search(r'<section class="abstract".*?</section>', page, re.S).group(0)
    assert "We bound it by [math]." in visible(abstract) and "<msqrt>" in abstract
    note = re.search(r'<section class="note".*?</section>', page, re.S).group(0)
    assert "We show [math] and [math]" in visible(note)
    zh = math_site[f"zh/week-1/openreview-{key}/index.html"]
    assert "我们证明 [math] 且 [math]。" in visible(zh)
    # the edition page and its table of contents too
    edition = math_site["en/week-1/index.html"]
    assert edition.count(mathml) >= 2  # the entry's title and its line in the table of contents
    assert "$" not in visible(edition.split("<main", 1)[1])


def test_feeds_carry_the_mathml(math_site: dict[str, str]) -> None:
    for path in ("en/feed.xml", "en/atom.xml", "en/category/theory/feed.xml"):
        feed = feedparser.parse(math_site[path].encode("utf-8"))
        assert feed.bozo == 0, feed.get("bozo_exception")
        html = "".join(entry.content[0].value for entry in feed.entries)
        assert "We show [math] and [math]" in visible(html)
        for _, seen, mathml in TITLES.values():
            assert seen in visible(html) and mathml in html
        assert "<mo>&lt;</mo>" in html and "display=\"inline\"" in html


def test_plain_text_made_of_markdown_shows_each_formula_as_its_tex() -> None:
    # a feed's channel description, a page's meta description
    text = renderer().markdown_text(r"We show $a<b$ and $\frac{1}{n}$, **not** `$x$`.")
    assert text == r"We show a<b and \frac{1}{n}, not $x$."


def test_unchanged_text_without_dollars() -> None:
    r = renderer()
    assert str(r.plain("Math <in> *titles* & more")) == "Math &lt;in&gt; *titles* &amp; more"
    assert str(r.markdown("Read **this**.")) == "<p>Read <strong>this</strong>.</p>"
