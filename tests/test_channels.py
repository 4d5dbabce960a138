"""digest.site.channels: every file comes from a registered channel, and the sitemap and the
build's counts are derived from what the channels produced."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from digest import pipeline
from digest.content.project import load_project
from digest.core import layout
from digest.pipeline import _read_snapshot, build, render_site
from digest.site.channels import CHANNELS, Channel, Kind, Output, Produced, Rendering
from digest.site.merge import Article

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


def sitemap_urls(data: bytes) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", data.decode("utf-8"))


def test_the_sitemap_lists_every_page_of_the_pages_channel_once(site: Path) -> None:
    project = load_project(site)
    files = render_site(project, project.editions, _read_snapshot(site, project.editions), site)
    base = project.site.base_url
    pages = [path for path in files if path.endswith(".html") and path != layout.ROOT_INDEX]
    urls = sitemap_urls(files[layout.SITEMAP])
    assert sorted(urls) == sorted(layout.absolute(base, path) for path in pages)
    assert len(urls) == len(set(urls))


def _extra(rendering: Rendering, lang: str, articles: Sequence[Article]) -> Iterator[Output]:
    alternates = tuple((code, f"{code}/extra/index.html") for code in rendering.site.languages)
    yield Output(f"{lang}/extra/index.html", f"<p>{len(articles)}</p>\n".encode(), Kind.PAGE, alternates)


def _extra_feed(rendering: Rendering, produced: Produced) -> Iterator[Output]:
    yield Output("extra.xml", f"<rss>{produced.count(Kind.PAGE)}</rss>\n".encode(), Kind.FEED)


def test_a_registered_channel_is_written_counted_and_in_the_sitemap(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = build(site, site / "plain")
    monkeypatch.setattr(pipeline, "CHANNELS", (*CHANNELS, Channel("extra", language=_extra, site=_extra_feed)))
    report = build(site, site / "output")
    out, langs = site / "output", load_project(site).site.languages
    assert report.pages == plain.pages + len(langs) and report.feeds == plain.feeds + 1
    assert {(out / f"{lang}/extra/index.html").read_bytes() for lang in langs} == {b"<p>4</p>\n"}
    assert (out / "extra.xml").read_bytes() == f"<rss>{report.pages}</rss>\n".encode()  # made after every page
    urls = sitemap_urls((out / layout.SITEMAP).read_bytes())
    assert urls[-len(langs):] == [f"https://digest.example.org/{lang}/extra/" for lang in langs]


def test_counts_come_from_what_each_file_is_not_from_its_name(site: Path) -> None:
    """A theme's static files are assets, even named .html or .xml."""
    plain = build(site, site / "plain")
    static = site / "templates" / "static"
    static.mkdir(parents=True)
    (static / "about.html").write_text("<p>about</p>\n")
    (static / "data.xml").write_text("<data/>\n")
    report = build(site, site / "output")
    assert (site / "output/static/about.html").is_file() and (site / "output/static/data.xml").is_file()
    assert (report.pages, report.feeds, report.files) == (plain.pages, plain.feeds, plain.files + 2)
