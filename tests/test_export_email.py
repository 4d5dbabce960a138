"""The email export of every example edition keeps every rule of mail clients and senders."""

from __future__ import annotations

import os
import re
from pathlib import Path

import markdown as markdown_lib
import pytest

from digest.exports import email as newsletter
from tests.channel_rules import Doc, email_broken
from tests.exports_fixture import context, editions

GOLDEN = Path(__file__).parent / "golden" / "exports"
EDITIONS = editions()
IDS = [f"{lang}-{slug}" for slug, lang in EDITIONS]


@pytest.mark.parametrize("esp", ["listmonk", "generic"])
@pytest.mark.parametrize(("slug", "lang"), EDITIONS, ids=IDS)
def test_every_edition_keeps_every_email_rule(slug, lang, esp):
    ctx = context(slug, lang, esp)
    article = ctx.article
    export = newsletter.render(ctx)
    body = export.data.decode("utf-8")
    assert export.media_type == "text/html; charset=utf-8" and export.text is not None
    placeholder = newsletter.UNSUBSCRIBE[esp]
    assert email_broken(body, (placeholder,) if placeholder else ()) == []
    assert export.warnings == ()
    hrefs = [a.get("href") for t, a, _ in Doc(body).elements if t == "a"]
    assert (placeholder in hrefs) == bool(placeholder)
    for item in article.items:  # every https link of the model is in the HTML
        assert all(link.url in hrefs for link in item.links if link.url.startswith("https://"))


@pytest.mark.parametrize("esp", newsletter.ESPS)
@pytest.mark.parametrize(("slug", "lang"), EDITIONS, ids=IDS)
def test_the_text_part_has_every_title_and_url(slug, lang, esp):
    article = context(slug, lang, esp).article
    text = newsletter.text(context(slug, lang, esp), esp)
    assert article.title.value in text
    for item in article.items:
        assert (item.local_title.value or item.title.value) in text
        assert all(link.url in text for link in item.links if link.url.startswith("https://"))
    assert not re.search(r"</?[a-z][a-z0-9]*[ >]", text)  # plain text, no tags
    if newsletter.UNSUBSCRIBE[esp]:
        assert text.rstrip().endswith(newsletter.UNSUBSCRIBE[esp])
    else:
        assert "{{" not in text


@pytest.mark.parametrize(("slug", "lang"), EDITIONS, ids=IDS)
def test_buttondown_gets_markdown_without_front_matter(slug, lang):
    ctx = context(slug, lang, "buttondown")
    article = ctx.article
    export = newsletter.render(ctx)
    assert export.media_type.startswith("text/markdown") and export.text is None
    md = export.data.decode("utf-8")
    assert not md.lstrip().startswith("---")
    assert "{{ unsubscribe_url }}" in md
    html = markdown_lib.markdown(md)  # a Markdown reader sees every heading and link
    doc = Doc(html)
    headings = [t for t, _ in doc.texts if _ and _[-1] in ("h1", "h2", "h3")]
    assert any(article.title.value.replace("*", "") in h for h in headings)
    hrefs = {a.get("href") for t, a, _ in doc.elements if t == "a"}
    for item in article.items:
        assert all(link.url in hrefs for link in item.links if link.url.startswith("https://"))


GOOD = ('<table role="presentation" width="100%"><tr><td><table role="presentation" width="600"><tr>'
        '<td style="color:#333333"><a href="https://a.example/">a</a><img src="https://a.example/x.png" alt="x">'
        '</td></tr></table></td></tr></table>')


def test_the_rules_accept_a_good_email():
    assert email_broken(GOOD) == []


@pytest.mark.parametrize(("html", "rule"), [
    ("<style>p{color:red}</style>" + GOOD, "inlined CSS, no <style> or @media"),
    (GOOD.replace("<tr>", "<tr><td>@media (max-width:600px){}</td>", 1), "inlined CSS, no <style> or @media"),
    (GOOD.replace("<img", "<svg></svg><img"), "no svg"),
    (GOOD.replace("https://a.example/x.png", "data:image/png;base64,AAAA"), "no data: URLs"),
    (GOOD.replace("color:#333333", "color:var(--ink)"), "no CSS variables"),
    (GOOD.replace("color:#333333", "position:absolute"), "no position"),
    (GOOD.replace('href="https://a.example/"', 'href="/papers/a/"'), "every URL absolute https"),
    (GOOD.replace('href="https://a.example/"', 'href="http://a.example/"'), "every URL absolute https"),
    (GOOD.replace(' alt="x"', ""), "every image has alt text"),
    (GOOD.replace(' alt="x"', ' alt=" "'), "every image has alt text"),
    (GOOD.replace('width="600"', 'width="800"'), "a 600 px presentation table"),
    (GOOD.replace("color:#333333", "color:#000000"), "no hard-coded black"),
    (GOOD.replace("a</a>", "a" * (103 * 1024) + "</a>"), "under Gmail's clipping size"),
])
def test_each_rule_catches_an_email_that_breaks_it(html, rule):
    assert rule in email_broken(html)


def test_a_body_over_gmails_clipping_size_warns():
    assert newsletter._size_warnings("x" * (newsletter.GMAIL_CLIP_BYTES + 1))
    assert newsletter._size_warnings("x" * newsletter.GMAIL_CLIP_BYTES) == []


@pytest.mark.parametrize("name", ["listmonk.email.html", "listmonk.email.txt", "buttondown.email.md"])
def test_golden_email(name):
    """Golden files of the senders' variants (the generic HTML is one of tests/golden's exports)."""
    ctx = context("iclr2020-best-papers", "en", "listmonk")
    got = {"listmonk.email.html": lambda: newsletter.html(ctx, "listmonk"),
           "listmonk.email.txt": lambda: newsletter.text(ctx, "listmonk"),
           "buttondown.email.md": lambda: newsletter.markdown(ctx)}[name]()
    path = GOLDEN / f"iclr2020-best-papers.en.{name}"
    if os.environ.get("DIGEST_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{path} differs (DIGEST_UPDATE_GOLDEN=1 rewrites it)"


def test_registered_as_an_export_channel():
    from digest.exports.channels import EXPORTS

    assert EXPORTS["email"].render is newsletter.render and EXPORTS["email"].options == ("esp",)
