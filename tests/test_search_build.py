"""Search in the build (digest/site/search.py, pipeline.index_search): what the built site holds
with digest[search], what it holds without it, and incremental builds.

- with the extra: a search page per language, the bundle below pagefind/ with one index per
  page language, the script on the search pages only, every other page without any script;
- without it (the extra made unimportable in a fresh interpreter, as when it was never
  installed): the build says on one line that search is off and how to turn it on, exits 0,
  and the site is the same but for the search page, the bundle, the script and the menu link;
- an incremental build whose pages are unchanged keeps the bundle without running Pagefind;
  one whose pages changed indexes again, and gives the bytes of a cold build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, tree

from digest import pipeline
from digest.core import layout
from digest.pipeline import build
from digest.site import search

NOTE_FILE = "content/editions/iclr2017-highlights.yaml"
NOTE_TEXT = "A deflating result, in the best sense."

#: Runs ``digest build`` in an interpreter where Pagefind's packages cannot be imported.
WITHOUT_SEARCH = """
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pagefind", "pagefind_bin", "pagefind_bin_extended"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from digest.cli import main
sys.exit(main(sys.argv[1:]))
"""
MENU_LINK = re.compile(r'<a href="[^"]*search/">[^<]*</a>\n')


@pytest.fixture
def site(tmp_path: Path) -> Path:
    if search.indexer() is None:
        pytest.fail(f"{search.off_reason()}; run scripts/test, which installs it", pytrace=False)
    root = tmp_path / "site"
    shutil.copytree(REPO / "content", root / "content")
    return root


def search_files(files: dict[str, bytes]) -> set[str]:
    return {p for p in files if p.startswith(f"{layout.SEARCH_DIR}/") or p.endswith("/search/index.html")
            or p == layout.static(pipeline.SEARCH_SCRIPT)}


def test_the_site_with_search(site: Path) -> None:
    build(site, site / "output")
    files = tree(site / "output")
    for lang in ("en", "zh", "zh-Hant"):
        assert layout.search(lang) in files
    bundle = {p for p in files if p.startswith(f"{layout.SEARCH_DIR}/")}
    assert f"{layout.SEARCH_DIR}/pagefind.js" in bundle
    indexes = {p.split("/")[-1].split("_")[0] for p in bundle if p.endswith(".pf_meta")}
    assert indexes == {"pagefind.en", "pagefind.zh-hans", "pagefind.zh-hant"}
    for path, data in files.items():
        if not path.endswith(".html"):
            continue
        html = data.decode()
        if path.endswith("/search/index.html"):
            assert html.count("<script") == 1 and 'type="module" src="../../static/search.js?v=' in html
            assert "script-src 'self' 'wasm-unsafe-eval'" in html and "unsafe-inline" not in html
        else:
            assert "<script" not in html, path
            assert "script-src 'none'" in html, path
    paper = files["en/iclr2018-by-category/openreview-S1XolQbRW/index.html"].decode()
    assert "<div data-pagefind-body>" in paper and 'data-pagefind-filter="tag"' in paper
    assert 'data-pagefind-filter="decision"' in paper and 'data-pagefind-filter="conference">ICLR 2018<' in paper


def test_without_the_extra_the_build_says_so_and_the_rest_is_the_same(site: Path, tmp_path: Path) -> None:
    build(site, tmp_path / "with", cache=False)
    done = subprocess.run([sys.executable, "-c", WITHOUT_SEARCH, "build", "--root", str(site), "--out",
                           str(tmp_path / "without"), "--no-cache"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    said = [line for line in done.stdout.splitlines() if "search" in line]
    assert said == [f"digest build: search is off: Pagefind's extended build is not installed "
                    f"({search.INSTALL} turns it on)"]
    with_search, without = tree(tmp_path / "with"), tree(tmp_path / "without")
    assert search_files(without) == set()
    assert set(without) == set(with_search) - search_files(with_search)
    for path, data in without.items():
        theirs = with_search[path]
        if path.endswith(".html"):
            theirs = MENU_LINK.sub("", theirs.decode()).encode()
            assert not re.search(rb'["/]search/"', data) and b"<script" not in data, path
        if path != layout.SITEMAP:  # the sitemap lists the search pages too
            assert data == theirs, path


def test_an_incremental_build_keeps_the_index_when_no_page_changed(site: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    build(site, out)
    before = tree(out)
    ran = []
    real = search.index
    monkeypatch.setattr(search, "index", lambda *args: ran.append(1) or real(*args))
    # new bytes, the same values: every page is kept, so is the index
    path = site / NOTE_FILE
    path.write_text(path.read_text(encoding="utf-8") + "\n# a comment changes no page\n", encoding="utf-8")
    build(site, out)
    assert ran == []
    assert tree(out) == before
    # an edited note changes pages: indexed again, the same bytes as a cold build
    path.write_text(path.read_text(encoding="utf-8").replace(NOTE_TEXT, "A note about 知识蒸馏 and quantization."),
                    encoding="utf-8")
    build(site, out)
    assert ran == [1]
    after = tree(out)
    changed = {p for p in after if after[p] != before.get(p)}
    assert any(p.startswith(f"{layout.SEARCH_DIR}/") for p in changed)
    copy = tmp_path / "cold"
    shutil.copytree(site / "content", copy / "content")
    build(copy, copy / "output", cache=False)
    assert tree(copy / "output") == after


def test_a_failing_indexer_leaves_the_output_as_it_was(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    build(site, out)
    before = tree(out)
    path = site / NOTE_FILE
    path.write_text(path.read_text(encoding="utf-8").replace(NOTE_TEXT, "Another note."), encoding="utf-8")
    broken = search.Indexer(Path("/bin/false"), search.PAGEFIND_VERSION)
    monkeypatch.setattr(search, "indexer", lambda: broken)
    with pytest.raises(search.BuildError, match="search: Pagefind failed .*the previous output is unchanged"):
        build(site, out)
    assert tree(out) == before


def test_only_the_pages_that_mark_a_body_go_to_pagefind_unless_none_does():
    from digest.site.search import indexed

    pages = [("en/a/index.html", b"<html><body><nav>x</nav></body></html>"),
             ("en/b/index.html", b"<html><body><article data-pagefind-body>b</article></body></html>"),
             ("en/tag/c/index.html", b"<html><body>c</body></html>"),
             ("zh/b/index.html", b"<html><body><div data-pagefind-body>b</div></body></html>")]
    assert [path for path, _ in indexed(iter(pages))] == ["en/b/index.html", "zh/b/index.html"]
    unmarked = [pages[0], pages[2]]
    assert list(indexed(iter(unmarked))) == unmarked
