"""The WeChat export of every example edition keeps every rule of the WeChat editor."""

from __future__ import annotations

import pytest

from digest.exports import wechat
from digest.exports.urls import Addresses
from tests.channel_rules import reference_urls, wechat_broken
from tests.exports_fixture import context, editions

EDITIONS = editions()
IDS = [f"{lang}-{slug}" for slug, lang in EDITIONS]


@pytest.mark.parametrize(("slug", "lang"), EDITIONS, ids=IDS)
def test_every_edition_keeps_every_wechat_rule(slug, lang):
    article = context(slug, lang).article
    fragment = wechat.fragment(context(slug, lang))
    assert wechat_broken(fragment) == []
    # every outbound link of the model is one reference, in order of first use
    wanted = list(dict.fromkeys(link.url for item in article.items for link in item.links))
    assert [u for u in reference_urls(fragment) if u in wanted] == wanted


@pytest.mark.parametrize(("slug", "lang"), EDITIONS, ids=IDS)
def test_same_edition_same_bytes(slug, lang):
    first = wechat.render(context(slug, lang))
    again = wechat.render(context.__wrapped__(slug, lang))
    assert first.data == again.data and first.media_type == "text/html; charset=utf-8"


GOOD = ('<section style="color:#333333"><p style="margin:0">文字<sup>[1]</sup>和<sup>[2]</sup>'
        '再次<sup>[1]</sup></p><img src="https://x.example/a.png" alt="a" style="max-width:100%">'
        '<section><p>[1] 甲: https://a.example/</p><p>[2] https://b.example/</p></section></section>')


def test_the_rules_accept_a_good_fragment():
    assert wechat_broken(GOOD) == []


@pytest.mark.parametrize(("fragment", "rule"), [
    (GOOD + "<style>p{}</style>", "no style/script/link elements"),
    (GOOD + "<script>x()</script>", "no style/script/link elements"),
    (GOOD.replace("<section>", "<div>", 1).replace("</section></section>", "</div></section>"),
     "block wrappers are section"),
    (GOOD + "<ul><li>a<ul><li>b</li></ul></li></ul>", "no lists"),
    (GOOD.replace('<p style="margin:0">', '<p class="x" style="margin:0">'), "no class, id or on* attributes"),
    (GOOD.replace('<p style="margin:0">', '<p id="x" style="margin:0">'), "no class, id or on* attributes"),
    (GOOD.replace('<p style="margin:0">', '<p onclick="x()" style="margin:0">'), "no class, id or on* attributes"),
    (GOOD.replace("color:#333333", "position:absolute"), "only the editor's style properties"),
    (GOOD.replace("color:#333333", "color:var(--ink)"), "only the editor's style properties"),
    (GOOD.replace("文字", '<a href="https://a.example/">文字</a>'), "links only to mp.weixin.qq.com"),
    (GOOD.replace("https://x.example/a.png", "http://x.example/a.png"), "images absolute https with max-width:100%"),
    (GOOD.replace("/a.png", '/a.png" width="900'), "images absolute https with max-width:100%"),
    (GOOD.replace("max-width:100%", "max-width:640px"), "images absolute https with max-width:100%"),
    (GOOD.replace("文字", "文\n字"), "no raw newlines inside inline text"),
    (GOOD.replace("文字", "文\u200b字"), "no zero-width characters"),
    (GOOD.replace("<sup>[2]</sup>", "<sup>[3]</sup>"), "references numbered from 1 in order of first use"),
    (GOOD.replace("<p>[2] https://b.example/</p>", ""), "one reference line per number"),
    (GOOD.replace("https://b.example/", "https://a.example/"), "one number per URL"),
])
def test_each_rule_catches_a_fragment_that_breaks_it(fragment, rule):
    assert rule in wechat_broken(fragment)


def test_a_link_to_an_article_on_wechat_stays_a_link_and_others_become_references():
    html, urls = wechat._references('<p><a href="https://mp.weixin.qq.com/s/abc">前文</a>'
                                    '<a href="https://a.example/" title="甲">甲</a>'
                                    '<a href="https://a.example/">again</a>'
                                    '<a href="https://b.example/">https://b.example/</a></p>',
                                    Addresses("https://digest.example.org/zh/x/", "WeChat", keep=()))
    assert '<a href="https://mp.weixin.qq.com/s/abc">前文</a>' in html
    assert urls == [("https://a.example/", "甲"), ("https://b.example/", "")]
    assert html.count("[1]") == 2 and "[2]" in html and "https://b.example/<sup" not in html


def test_too_long_a_fragment_warns_and_a_short_one_does_not():
    long = wechat.render(context("iclr2017-highlights", "zh"))
    assert len(long.data.decode()) > wechat.SIZE_LIMIT_CHARS
    assert any("20,000" in w for w in long.warnings)
    assert wechat._size_warnings("<p>短</p>", "zh") == []


def test_registered_as_an_export_channel():
    from digest.exports.channels import EXPORTS

    assert EXPORTS["wechat"].render is wechat.render and EXPORTS["wechat"].width == 375
