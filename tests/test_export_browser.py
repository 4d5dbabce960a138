"""The WeChat and email exports in a real browser (Debian's Chromium through Playwright), at
the width their readers see them: 375 px for a WeChat article on a phone, 600 px for a mail
client's message column.

Each export is loaded as it is (the page is the fragment, as a curator opens it before
selecting all and copying); the site's own figures are served from content/images/ for
their published addresses, and every other request is refused. Checked: no console error,
nothing wider than the reader's width, every image loaded and inside the column, the
title shown; a full-page screenshot is kept in tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ARTIFACTS, CHROMIUM, REPO, require_file

from digest.exports.channels import EXPORTS
from tests.exports_fixture import context

pytestmark = pytest.mark.gate

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: (channel, esp, edition, language): the edition with a figure, in Chinese and English.
CASES = [
    ("wechat", "generic", "iclr2020-best-papers", "zh"),
    ("wechat", "generic", "iclr2018-by-category", "zh-Hant"),
    ("wechat", "generic", "iclr2020-best-papers", "en"),
    ("email", "listmonk", "iclr2020-best-papers", "en"),
    ("email", "generic", "iclr2020-best-papers", "zh"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the Python package playwright is missing; install it with: pip install -e '.[test]'", pytrace=False)
    require_file(CHROMIUM, "chromium")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _document(channel: str, body: str, lang: str) -> str:
    """What the curator's browser shows when it opens the file: the email is a whole
    document; the WeChat fragment is opened as it is (the browser adds html and body)."""
    if channel == "email":
        return body
    return f'<!DOCTYPE html><html lang="{lang}"><meta charset="utf-8"><body style="margin:0">{body}'


@pytest.mark.parametrize(("channel", "esp", "slug", "lang"), CASES, ids=[f"{c[0]}-{c[3]}-{c[2]}" for c in CASES])
def test_export_in_chromium_at_its_reader_width(browser, channel, esp, slug, lang):
    ctx = context(slug, lang, esp)
    export = EXPORTS[channel].render(ctx)
    width = EXPORTS[channel].width
    base = ctx.site.base_url.rstrip("/") + "/"
    refused: list[str] = []
    served: list[str] = []

    def route(r):
        url = r.request.url
        if url.startswith(base + "images/"):
            path = REPO / "content" / url[len(base):]
            served.append(url)
            return r.fulfill(status=200, body=path.read_bytes(), content_type="image/png")
        refused.append(url)
        return r.abort()

    page_ctx = browser.new_context(viewport={"width": width, "height": 800}, device_scale_factor=1)
    try:
        page = page_ctx.new_page()
        messages: list[str] = []
        page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: messages.append(str(e)))
        page.route("**/*", route)
        page.set_content(_document(channel, export.data.decode("utf-8"), lang), wait_until="load")
        assert messages == []
        assert refused == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the export is {scroll} px wide at {width} px"
        images = page.evaluate("""[...document.images].map(i => ({src: i.src, ok: i.complete && i.naturalWidth > 0,
                                  right: i.getBoundingClientRect().right}))""")
        assert all(i["ok"] for i in images), images
        assert all(i["right"] <= width for i in images), images
        if slug == "iclr2020-best-papers":
            assert images and served, "the edition's figure is shown"
        assert page.inner_text("h1").strip() == ctx.article.title.value.strip()
        ARTIFACTS.mkdir(exist_ok=True)
        shot: Path = ARTIFACTS / f"export-{channel}-{lang}-{slug}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 0
    finally:
        page_ctx.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_email_narrows_to_a_phone(browser, lang):
    """Most newsletters are read on a phone: at 375 px the 600 px column narrows to the
    screen (max-width on the table) instead of scrolling sideways."""
    ctx = context("iclr2020-best-papers", lang, "listmonk")
    body = EXPORTS["email"].render(ctx).data.decode("utf-8")
    page_ctx = browser.new_context(viewport={"width": 375, "height": 800}, device_scale_factor=1)
    try:
        page = page_ctx.new_page()
        page.route("**/*", lambda r: r.fulfill(status=200, body=b"", content_type="image/png"))
        page.set_content(body, wait_until="load")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= 375, f"the email is {scroll} px wide on a 375 px phone"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"export-email-{lang}-phone.png"), full_page=False)
    finally:
        page_ctx.close()
