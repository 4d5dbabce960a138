"""The WeChat and email exports are rendered by templates a site can replace one by one
(digest/templates/export/<channel>/), and what digest does after the template (inlining,
the allow-list, numbering links) still holds for a site's own template."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from digest.exports.channels import EXPORTS
from digest.exports.text import note_by
from digest.pipeline import export_context
from tests.channel_rules import Doc, email_broken, wechat_broken

REPO = Path(__file__).resolve().parent.parent
SLUG = "iclr2020-best-papers"
THEIRS = REPO / "digest" / "templates" / "export"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


def own(site: Path, name: str, text: str) -> None:
    path = site / "templates" / "export" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def export(site: Path, channel: str, lang: str, esp: str = "generic", slug: str = SLUG):
    return EXPORTS[channel].render(export_context(site, slug, lang, {"esp": esp}))


def note_into(site: Path, lang: str, note: str) -> None:
    path = site / "content" / "editions" / f"{SLUG}.yaml"
    text = path.read_text(encoding="utf-8")
    marker = {"zh": "        研究发现，神经常微分方程", "en": "        Neural ODEs turn out to be"}[lang]
    assert marker in text
    block = "".join(f"        {line}\n" if line else "\n" for line in note.splitlines())
    path.write_text(text.replace(marker, f"{block}\n{marker}", 1), encoding="utf-8")


@pytest.mark.parametrize("channel, broken", [("wechat", lambda html: wechat_broken(html)),
                                             ("email", lambda html: email_broken(html, ()))])
def test_a_sites_own_theme_is_inlined_and_still_kept_to_what_the_reader_keeps(site, channel, broken):
    theme = (THEIRS / channel / "theme.css").read_text(encoding="utf-8")
    own(site, f"{channel}/theme.css", theme + ".paper { color: #aa0000; position: absolute; }\n")
    html = export(site, channel, "zh").data.decode("utf-8")
    titles = [a["style"] for t, a, _ in Doc(html).elements if t == "h3"]
    assert titles and all("color:#aa0000" in style.replace(" ", "") for style in titles)
    assert "position" not in html and broken(html) == []


def test_a_sites_own_wechat_template_goes_through_the_allow_list(site):
    template = (THEIRS / "wechat" / "edition.html").read_text(encoding="utf-8")
    own(site, "wechat/edition.html", template.replace(
        '<h1 class="title">', '<script>alert(1)</script><p id="x" onclick="y()">本期由读者推荐</p><h1 class="title">'))
    html = export(site, "wechat", "zh").data.decode("utf-8")
    assert "本期由读者推荐" in html
    assert "<script" not in html and "alert(1)" not in html and "onclick" not in html and 'id="x"' not in html
    assert wechat_broken(html) == []


def test_a_sites_own_email_text_part_is_used(site):
    template = (THEIRS / "email" / "edition.txt").read_text(encoding="utf-8")
    own(site, "email/edition.txt", template + "Reply to this email to write to us.\n")
    done = export(site, "email", "en", "listmonk")
    plain = done.text.decode("utf-8")
    assert plain.endswith("Reply to this email to write to us.\n")
    assert "{{ UnsubscribeURL }}" in plain
    assert "Reply to this email" not in done.data.decode("utf-8")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_line_break_inside_a_sentence_stays_a_space_and_the_templates_own_are_gone(site, lang):
    note_into(site, lang, "*alpha*\n**beta** and\n`gamma`\n\n```\nfirst()\nsecond()\n```\n")
    wechat = export(site, "wechat", lang).data.decode("utf-8")
    email = export(site, "email", lang).data.decode("utf-8")
    for html in (wechat, email):
        text = " ".join("".join(t for t, _ in Doc(html).texts).split(" "))
        assert "alpha beta and gamma" in text.replace("\n", " "), text
    # the email's code block keeps its lines; the WeChat one has them as breaks
    pres = [t for t, stack in Doc(email).texts if "pre" in stack]
    assert "first()\nsecond()" in "".join(pres)
    # no space is left between two blocks of the WeChat fragment (the editor would make it a paragraph)
    doc = Doc(wechat)
    assert [t for t, stack in doc.texts if not t.strip() and stack and stack[-1] == "section"] == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_note_author_is_named_in_both_html_exports(lang):
    context = export_context(REPO, "iclr2018-by-category", lang, {"esp": "generic"})
    named = [item for group in context.article.groups for item in group.items if item.note_author]
    assert named
    lines = {note_by(item, lang) for item in named}
    for channel in ("wechat", "email"):
        done = EXPORTS[channel].render(context)
        texts = [" ".join(t.split()) for t, _ in Doc(done.data.decode("utf-8")).texts]
        assert lines <= set(texts), (channel, lines - set(texts))
    plain = EXPORTS["email"].render(context).text.decode("utf-8")
    assert all(f"  {line}" in plain for line in lines)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_formulas_reach_wechat_and_email_as_their_tex(site, lang):
    note_into(site, lang, "Inline $E=mc^2$ and $a<b$, then\n\n$$\\int_0^1 x\\,dx$$\n")
    for channel in ("wechat", "email"):
        text = "".join(t for t, _ in Doc(export(site, channel, lang).data.decode("utf-8")).texts)
        assert "$E=mc^2$" in text and "$a<b$" in text and "$$\\int_0^1 x\\,dx$$" in text, channel


def test_a_sites_own_theme_cannot_put_variables_or_images_into_styles(site):
    theme = (THEIRS / "wechat" / "theme.css").read_text(encoding="utf-8")
    own(site, "wechat/theme.css", theme + ":root { --ink: #123456; } p { color: var(--ink); "
        "background-color: #fafafa; } .paper { background-image: url(https://example.org/x.png); }\n")
    html = export(site, "wechat", "zh").data.decode("utf-8")
    assert "var(" not in html and "url(" not in html and "--ink" not in html
    assert "background-color:#fafafa" in html.replace(" ", "")  # the rest of the rule stays


def test_an_email_templates_image_without_address_or_alt_is_mended_and_said(site):
    template = (THEIRS / "email" / "edition.html").read_text(encoding="utf-8")
    own(site, "email/edition.html", template.replace(
        '<h1 class="title">', '<img src="data:image/png;base64,AAAA" alt="our logo"><img src="/banner.png">'
        '<h1 class="title">', 1))
    done = export(site, "email", "en")
    html = done.data.decode("utf-8")
    images = [a for t, a, _ in Doc(html).elements if t == "img"]
    assert images and all(a.get("src", "").startswith("https://") and "alt" in a for a in images)
    assert "our logo" in html and "data:" not in html
    assert any("/banner.png" in w and "alt text" in w for w in done.warnings)
    assert email_broken(html, ()) == []


def test_the_email_text_part_keeps_paragraphs_lists_tables_and_code_lines(site):
    note_into(site, "en", "First paragraph.\n\nSecond one.\n\n- one\n- two\n    - nested\n\n1. first\n2. second\n\n"
              "| A | B |\n|---|---|\n| 1 | 2 |\n\n```\nstep(x)\n    inner(y)\n```\n")
    plain = export(site, "email", "en").text.decode("utf-8")
    lines = plain.splitlines()
    at = lines.index("  First paragraph.")
    assert lines[at:at + 3] == ["  First paragraph.", "", "  Second one."]
    for line in ("  - one", "  - two", "    - nested", "  1. first", "  2. second", "  A | B", "  1 | 2",
                 "      step(x)", "          inner(y)"):
        assert line in lines, (line, plain[:1500])


@pytest.mark.parametrize("channel, esp", [("markdown", "generic"), ("zhihu", "generic"), ("wechat", "generic"),
                                          ("email", "generic"), ("email", "buttondown")])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_export_names_the_affiliations(channel, esp, lang):
    done = EXPORTS[channel].render(export_context(REPO, "iclr2018-by-category", lang, {"esp": esp}))
    parts = [done.data.decode("utf-8")] + ([done.text.decode("utf-8")] if done.text else [])
    for part in parts:
        assert "Google" in part and "University of Amsterdam" in part and "EPFL" in part
