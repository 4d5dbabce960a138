"""An incremental build is byte-identical to a cold build of the same input, always (issue 12).

A hypothesis state machine plays a curator editing a small copy of the example site, one
edit a step, the way a curator edits: each YAML or JSON file is read with its library and
written back whole (still valid), templates and static files are overridden by copying the
theme's file and adding a line. After every step the site is built twice:

- incrementally, into ``out_inc``: the same site folder every step, so whatever the build
  keeps in ``<site>/.digest-cache/`` is kept from one step to the next;
- cold, into ``out_cold``: a fresh copy of the site folder without ``.digest-cache``.

The two trees must hold the same paths and the same bytes (the first difference is reported
with a short unified diff), the two reports must say the same (counts, warnings, fallbacks),
and a build that fails must fail the same way in both and leave ``out_inc`` as it was. A
step that changes no content (a rebuild, a touched file, the cache deleted, a broken file
put back as it was) must write nothing: the report's ``written`` is 0.

The edits (the rules below): a note in en or zh (Markdown: emphasis, links, code, CJK); a
curator title; an entry moved to another category; entries reordered; an entry added (a
paper with a snapshot record) or removed; an edition added, removed or renamed; an edition's
date, title, intro, series or draft flag; a template of the theme overridden in the site's
``templates/`` (or the override removed); a static file in ``templates/static/`` overridden,
added or removed; a snapshot record's title, abstract, TL;DR or ratings; a snapshot record
deleted (the build warns); ``site.yaml`` (title, description, author, base_url, a fallback
policy, zh-Hant added or removed, the conversion profile, the default language, a policy, the
feed size); ``categories.yaml`` (a name or description, the order, a category added, a key
renamed everywhere, an unused one removed); the figure's image bytes; an edit that keeps the
file's size and mtime (a cache keyed on metadata would miss it); a file touched (mtime only);
``.digest-cache/`` deleted; the build's own options (``drafts``, ``as_of``); a file broken
(YAML syntax, unknown category, impossible date, wrong title.en, damaged record, template
syntax), which must fail both builds, then put back. UI catalogs are not an edit: a site
cannot have catalogs of its own (they come from ``digest/locales/`` only).

Today every build is cold, so this passes trivially; it fails as soon as an incremental
build reuses a stale file. In the fast loop it runs a fixed, derandomized set of sequences
(the same every run); a longer one is marked ``gate``. For a long local run, set
``DIGEST_HYPOTHESIS_EXAMPLES`` (and ``DIGEST_HYPOTHESIS_STEPS``, steps per sequence): then
the sequences are random, new ones each run.
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
import struct
import tempfile
import zlib
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import REPO, tree
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from digest.core import layout
from digest.core.errors import ContentError, DigestError
from digest.pipeline import DEFAULT_TEMPLATES, build
from digest.report import BuildReport
from digest.site import search

#: Where the build keeps what an incremental build reuses (deleting it makes the next build cold).
CACHE = ".digest-cache"
#: Entries kept per example edition (besides the one with a figure): small builds, all features.
ENTRIES_KEPT = 2
#: Categories kept besides those the kept entries use.
SPARE_CATEGORIES = ("other", "awards")
EDITIONS = "content/editions"
RECORDS = "content/snapshot/openreview"
IMAGE = "content/images/nau-ratings.png"
#: Theme templates whose every line is output (a line added anywhere shows up).
WHOLE_TEMPLATES = ("base.html", "_entry.html", "_entry_body.html", "_entry_byline.html", "_entry_title.html",
                   "_toc.html", "_chrome_footer.html", "_chrome_nav.html", "root.html", "feed_entry.html",
                   "feed_edition.html", "sitemap.xml")
#: Theme templates that extend base.html: a line is added inside their main block.
CHILD_TEMPLATES = ("edition.html", "category.html", "paper.html", "home.html", "tag.html", "papers.html")
MAIN_BLOCK = "{% block main %}"
BASE_URLS = ("https://digest.example.org/", "https://example.net/papers/", "https://digest.example.org/a/b/")
AS_OF = (None, date(2017, 12, 31), date(2019, 6, 30), date(2020, 6, 1))
DATES = st.dates(date(2016, 6, 1), date(2021, 12, 31))

EN_PIECES = ("The method", "works well", "*surprisingly*", "**clearly**", "[the paper](https://openreview.net/forum?id=x)",
             "`lr = 0.1`", "on ImageNet,", "a 3x speed-up.", "and", "Attention is cheap.", "\n\n", "\n\n- one point\n- another\n\n",
             "See [code](https://github.com/example/repo).", "Worth it.")
ZH_PIECES = ("这篇论文", "*出人意料*", "**值得一读**", "[原文](https://example.org/zh)", "注意力机制", "在 ImageNet 上",
             "，", "。", "\n\n", "训练更稳定", "算法", "软件", "参数", "“引号”", "English words", "`代码`")
WORDS = st.text(st.characters(codec="utf-8", categories=("Lu", "Ll", "Lo", "Nd")), min_size=1, max_size=8)


def _markdown(pieces: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(st.sampled_from(pieces), WORDS), min_size=1, max_size=8).map(
        lambda parts: " ".join(parts).strip() or "Text.")


NOTE = {"en": _markdown(EN_PIECES), "zh": _markdown(ZH_PIECES)}
LINE = {"en": st.lists(st.one_of(st.sampled_from(("Adam", "revisited", "deep", "nets", "and", "v2")), WORDS),
                       min_size=1, max_size=5).map(" ".join),
        "zh": st.lists(st.one_of(st.sampled_from(("深度", "网络", "优化", "再探", "算法", "软件")), WORDS),
                       min_size=1, max_size=4).map("".join)}


# ---------------------------------------------------------------------------- files


class _Dumper(yaml.SafeDumper):
    """Plain YAML a curator could have written: no anchors, multi-line texts as ``|`` blocks."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _represent_str)


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8")


def read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, data: dict) -> None:
    """As digest's snapshot writes records: two-space indent, UTF-8, a final newline."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def png_with_text(data: bytes, text: str) -> bytes:
    """``data`` (a PNG) with one more tEXt chunk before IEND: the same picture, other bytes."""
    end = data.rindex(b"IEND") - 4
    body = b"Comment\0" + text.encode("latin-1")
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    return data[:end] + chunk + data[end:]


def make_seed(dest: Path) -> Path:
    """A small but complete site: the example content with a few entries per edition (the
    figure's kept), the categories they use and two more, and the whole snapshot (the pool
    that added entries draw from)."""
    shutil.copytree(REPO / "content", dest / "content")
    used = set()
    for path in sorted((dest / EDITIONS).glob("*.yaml")):
        edition = read_yaml(path)
        entries = edition["entries"]
        kept = entries[:ENTRIES_KEPT] + [e for e in entries[ENTRIES_KEPT:] if "figure" in e]
        edition["entries"] = kept
        used |= {e["category"] for e in kept}
        write_yaml(path, edition)
    path = dest / "content" / "categories.yaml"
    categories = read_yaml(path)
    categories["categories"] = [c for c in categories["categories"] if c["key"] in used or c["key"] in SPARE_CATEGORIES]
    write_yaml(path, categories)
    return dest


def _without_cache(root: Path):
    """A copytree ``ignore`` that leaves out the cache at the top of ``root`` only."""
    def ignore(folder: str, names: list[str]) -> list[str]:
        return [CACHE] if Path(folder) == root and CACHE in names else []
    return ignore


# ---------------------------------------------------------------------------- comparing


def failure(exc: DigestError, root: Path) -> tuple[str, tuple[str, ...]]:
    """How a build failed, as a user reads it, with the site's folder written ``<site>``."""
    lines = [str(p) for p in exc.problems] if isinstance(exc, ContentError) else [str(exc)]
    return type(exc).__name__, tuple(_relative(line, root) for line in lines)


def _relative(text: str, root: Path) -> str:
    for form in {str(root.resolve()), str(root)}:
        text = text.replace(form, "<site>")
    return text


def facts(report: BuildReport, root: Path) -> dict:
    """What a report says, its folder and its written/unchanged counts left out."""
    return {"editions": report.editions, "entries": report.entries, "pages": report.pages, "feeds": report.feeds,
            "files": report.files, "warnings": [_relative(str(p), root) for p in report.warnings],
            "fallbacks": list(report.fallbacks)}


def tree_difference(incremental: dict[str, bytes], cold: dict[str, bytes]) -> str | None:
    """None when the trees are the same; else the first difference, with a short diff."""
    extra, missing = sorted(set(incremental) - set(cold)), sorted(set(cold) - set(incremental))
    if extra or missing:
        return f"paths differ: only in out_inc {extra[:5]}, only in out_cold {missing[:5]}"
    for path in sorted(incremental):
        if incremental[path] != cold[path]:
            diff = difflib.unified_diff(cold[path].decode("utf-8", "replace").splitlines(),
                                        incremental[path].decode("utf-8", "replace").splitlines(),
                                        f"out_cold/{path}", f"out_inc/{path}", n=1, lineterm="")
            lines = [line[:200] for line in diff]
            more = f"\n... {len(lines) - 30} more diff lines" if len(lines) > 30 else ""
            return f"{path} differs:\n" + "\n".join(lines[:30]) + more
    return None


# ---------------------------------------------------------------------------- the machine


class IncrementalBuilds(RuleBasedStateMachine):
    """A curator's edits; after each one, the incremental build must equal the cold one."""

    SEED: Path  # set by the test: the seed site
    WORK: Path  # set by the test: where each run makes its folders

    def __init__(self) -> None:
        super().__init__()
        self.work = Path(tempfile.mkdtemp(dir=self.WORK))
        self.site = self.work / "site"
        self.out = self.work / "out_inc"
        self.cold = self.work / "cold"
        self.drafts = False
        self.as_of: date | None = None
        self.broken: tuple[Path, bytes | None] | None = None  # a file this run broke, and its old bytes
        self.serial = 0

    def teardown(self) -> None:
        shutil.rmtree(self.work, ignore_errors=True)

    # -- building and comparing

    def _build(self, root: Path, out: Path) -> tuple[BuildReport | None, tuple | None]:
        try:
            return build(root, out, drafts=self.drafts, as_of=self.as_of), None
        except DigestError as exc:
            return None, failure(exc, root)

    def check(self, expect_failure: bool = False, expect_no_writes: bool = False) -> None:
        """Build incrementally and cold, and compare (see the module docstring)."""
        before = tree(self.out) if self.out.is_dir() else None
        inc, inc_failed = self._build(self.site, self.out)
        shutil.rmtree(self.cold, ignore_errors=True)
        cold_site, cold_out = self.cold / "site", self.cold / "out_cold"
        shutil.copytree(self.site, cold_site, ignore=_without_cache(self.site))
        cold, cold_failed = self._build(cold_site, cold_out)
        assert inc_failed == cold_failed, f"the builds ended differently: incremental {inc_failed}, cold {cold_failed}"
        if inc_failed is not None:
            assert expect_failure, f"this step's edit should have built (fix the rule): {inc_failed}"
            assert (tree(self.out) if self.out.is_dir() else None) == before, "a failed build changed out_inc"
            assert not cold_out.exists(), "a failed cold build left an output"
            return
        assert not expect_failure, "a broken file built"
        assert inc is not None and cold is not None
        difference = tree_difference(tree(self.out), tree(cold_out))
        assert difference is None, f"incremental and cold builds differ: {difference}"
        assert facts(inc, self.site) == facts(cold, cold_site), "the reports differ"
        if expect_no_writes:
            assert inc.written == 0, f"a build of unchanged content wrote {inc.written} files"
            assert tree(self.out) == before

    # -- reading the site

    def _editions(self) -> list[Path]:
        return sorted((self.site / EDITIONS).glob("*.yaml"))

    def _records(self) -> list[Path]:
        return sorted((self.site / RECORDS).glob("*.json"))

    def _categories(self) -> list[str]:
        return [c["key"] for c in read_yaml(self.site / "content" / "categories.yaml")["categories"]]

    def _entries(self) -> list[tuple[Path, int]]:
        return [(path, i) for path in self._editions() for i in range(len(read_yaml(path)["entries"]))]

    def _record_of(self, paper: str) -> Path:
        scheme, _, value = paper.partition(":")
        return self.site / "content" / "snapshot" / scheme / f"{value}.json"

    def _loaded(self, edition: dict) -> bool:
        """Whether the build reads this edition (drafts are skipped unless asked for)."""
        return self.drafts or not edition.get("draft", False)

    def _published(self, edition: dict) -> bool:
        return self._loaded(edition) and (self.as_of is None or edition["date"] <= self.as_of)

    def _titled_en(self, paper: str) -> bool:
        """Whether some entry writes title.en for ``paper`` (its record's title must then match)."""
        return any(e["paper"] == paper and "en" in (e.get("title") or {})
                   for path in self._editions() for e in read_yaml(path)["entries"])

    def _pick(self, data: st.DataObject, paths: list[Path], label: str) -> Path:
        """One of ``paths``, drawn (and reported) by its name in the site."""
        return self.site / data.draw(st.sampled_from([p.relative_to(self.site).as_posix() for p in paths]), label=label)

    def _pick_entry(self, data: st.DataObject, entries: list[tuple[Path, int]]) -> tuple[Path, int]:
        rel, i = data.draw(st.sampled_from([(p.relative_to(self.site).as_posix(), i) for p, i in entries]), label="entry")
        return self.site / rel, i

    def _used_records(self) -> list[Path]:
        """The records of papers some entry names."""
        used = {self._record_of(e["paper"]) for p in self._editions() for e in read_yaml(p)["entries"]}
        return sorted(p for p in used if p.is_file())

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    def _site_templates(self, static: bool) -> list[Path]:
        folder = self.site / "templates" / ("static" if static else "")
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file())

    # -- the starting point

    @initialize()
    def start(self) -> None:
        shutil.copytree(self.SEED, self.site)
        self.check()

    # -- entries

    @precondition(lambda self: self.broken is None and self._entries())
    @rule(data=st.data())
    def edit_note(self, data: st.DataObject) -> None:
        path, i = self._pick_entry(data, self._entries())
        lang = data.draw(st.sampled_from(("en", "zh")), label="language")
        text = data.draw(st.one_of(NOTE[lang], st.none()), label="note (None: removed)")
        edition = read_yaml(path)
        note = edition["entries"][i].setdefault("note", {})
        if text is None:
            note.pop(lang, None)
        else:
            note[lang] = text
        if not note:
            del edition["entries"][i]["note"]
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._entries())
    @rule(data=st.data())
    def edit_curator_title(self, data: st.DataObject) -> None:
        path, i = self._pick_entry(data, self._entries())
        edition = read_yaml(path)
        entry = edition["entries"][i]
        title = entry.setdefault("title", {})
        how = data.draw(st.sampled_from(("zh", "zh removed", "en", "en removed")), label="change")
        record = self._record_of(entry["paper"])
        if how == "zh":
            title["zh"] = data.draw(LINE["zh"], label="zh title")
        elif how == "en" and record.is_file() and read_json(record).get("title"):
            fetched = read_json(record)["title"]  # title.en must match the fetched title: change its case
            title["en"] = data.draw(st.sampled_from((fetched.upper(), fetched.lower(), fetched)), label="en title")
        else:
            title.pop(how.split()[0], None)
        if not title:
            del entry["title"]
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._entries())
    @rule(data=st.data())
    def move_entry(self, data: st.DataObject) -> None:
        path, i = self._pick_entry(data, self._entries())
        edition = read_yaml(path)
        edition["entries"][i]["category"] = data.draw(st.sampled_from(self._categories()), label="category")
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._editions())
    @rule(data=st.data())
    def reorder_entries(self, data: st.DataObject) -> None:
        path = self._pick(data, self._editions(), "edition")
        edition = read_yaml(path)
        edition["entries"] = data.draw(st.permutations(edition["entries"]).map(list), label="new order")
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._editions())
    @rule(data=st.data())
    def add_entry(self, data: st.DataObject) -> None:
        path = self._pick(data, self._editions(), "edition")
        edition = read_yaml(path)
        there = {e["paper"] for e in edition["entries"]}
        papers = [p for p in (read_json(r)["ref"] for r in self._records()) if p not in there]
        if not papers:
            return
        entry = {"paper": data.draw(st.sampled_from(papers), label="paper"),
                 "category": data.draw(st.sampled_from(self._categories()), label="category")}
        tags = data.draw(st.lists(st.sampled_from(("new", "rl", "theory", "vision")), unique=True, max_size=2), label="tags")
        if tags:
            entry["tags"] = tags
        note = {lang: data.draw(NOTE[lang], label=f"note {lang}") for lang in
                data.draw(st.sampled_from(((), ("en",), ("zh",), ("en", "zh"))), label="note languages")}
        if note:
            entry["note"] = note
        if data.draw(st.booleans(), label="highlight"):
            entry["highlight"] = True
        if edition.get("sections"):  # the sections layout: each entry names one of them
            entry["section"] = data.draw(st.sampled_from([p["key"] for p in edition["sections"]]), label="section")
        at = data.draw(st.integers(0, len(edition["entries"])), label="position")
        edition["entries"].insert(at, entry)
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def change_layout(self, data: st.DataObject) -> None:
        """An edition by category turns numbered or a ranking (by mean rating, cut or not), or
        back; in an edition with sections, an entry moves to another section or the outro changes."""
        path = self._pick(data, self._editions(), "edition")
        edition = read_yaml(path)
        if edition.get("sections"):
            if edition["entries"] and data.draw(st.booleans(), label="move an entry"):
                i = data.draw(st.integers(0, len(edition["entries"]) - 1), label="entry")
                edition["entries"][i]["section"] = data.draw(
                    st.sampled_from([p["key"] for p in edition["sections"]]), label="section")
            else:
                edition["outro"] = {"en": data.draw(NOTE["en"], label="outro")}
        else:
            for name in ("layout", "rank_by", "top"):
                edition.pop(name, None)
            layout = data.draw(st.sampled_from(("category", "numbered", "ranking")), label="layout")
            if layout != "category":
                edition["layout"] = layout
            if layout == "ranking":
                edition["rank_by"] = data.draw(st.sampled_from(("curator", "mean_rating")), label="rank_by")
                top = data.draw(st.integers(0, 4), label="top")
                if top:
                    edition["top"] = top
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._entries())
    @rule(data=st.data())
    def edit_tags(self, data: st.DataObject) -> None:
        """An entry's tags: one added (a tag of another entry, or a new one) or removed, or
        all of them gone (tag pages, their feeds and the OPML file follow)."""
        path, i = self._pick_entry(data, self._entries())
        edition = read_yaml(path)
        entry = edition["entries"][i]
        tags = list(entry.get("tags") or [])
        known = sorted({t for p in self._editions() for e in read_yaml(p)["entries"] for t in e.get("tags") or []})
        how = data.draw(st.sampled_from(("add", "remove one", "remove all")), label="change")
        if how == "add":
            tag = data.draw(st.sampled_from([*known, "brand-new"]), label="tag")
            if tag not in tags:
                tags.append(tag)
        elif how == "remove one" and tags:
            tags.pop(data.draw(st.integers(0, len(tags) - 1), label="tag removed"))
        else:
            tags = []
        if tags:
            entry["tags"] = tags
        else:
            entry.pop("tags", None)
        write_yaml(path, edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._entries())
    @rule(data=st.data())
    def remove_entry(self, data: st.DataObject) -> None:
        path, i = self._pick_entry(data, self._entries())
        edition = read_yaml(path)
        del edition["entries"][i]
        write_yaml(path, edition)
        self.check()

    # -- editions

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def add_edition(self, data: st.DataObject) -> None:
        n = self._next()
        papers = [read_json(r)["ref"] for r in self._records()]
        chosen = data.draw(st.lists(st.sampled_from(papers), unique=True, max_size=3), label="papers") if papers else []
        categories = self._categories()
        edition = {
            "date": data.draw(DATES, label="date"),
            "conference": data.draw(st.sampled_from(("ICLR 2018", "ICLR 2019", "ICLR 2020")), label="conference"),
            "title": {"en": data.draw(LINE["en"], label="title en"), "zh": data.draw(LINE["zh"], label="title zh")},
            "entries": [{"paper": p, "category": data.draw(st.sampled_from(categories), label="category"),
                         "note": {"en": data.draw(NOTE["en"], label="note en")}} for p in chosen],
        }
        if data.draw(st.booleans(), label="with an intro"):
            edition["intro"] = {"zh": data.draw(NOTE["zh"], label="intro zh")}
        if data.draw(st.booleans(), label="draft"):
            edition["draft"] = True
        write_yaml(self.site / EDITIONS / f"week-{n}.yaml", edition)
        self.check()

    @precondition(lambda self: self.broken is None and self._editions())
    @rule(data=st.data())
    def remove_edition(self, data: st.DataObject) -> None:
        self._pick(data, self._editions(), "edition").unlink()
        self.check()

    @precondition(lambda self: self.broken is None and self._editions())
    @rule(data=st.data())
    def rename_edition(self, data: st.DataObject) -> None:
        path = self._pick(data, self._editions(), "edition")
        path.rename(path.with_name(f"renamed-{self._next()}.yaml"))
        self.check()

    @precondition(lambda self: self.broken is None and self._editions())
    @rule(data=st.data())
    def edit_edition(self, data: st.DataObject) -> None:
        path = self._pick(data, self._editions(), "edition")
        edition = read_yaml(path)
        field = data.draw(st.sampled_from(("date", "title.en", "title.zh", "intro.en", "series", "draft")), label="field")
        if field == "date":
            edition["date"] = data.draw(DATES, label="date")
        elif field.startswith("title."):
            edition["title"][field[6:]] = data.draw(LINE[field[6:]], label="title")
        elif field == "intro.en":
            edition.setdefault("intro", {})["en"] = data.draw(NOTE["en"], label="intro")
        elif field == "series":
            edition["series"] = data.draw(st.sampled_from(("iclr-weekly", "best-of")), label="series")
        else:
            edition["draft"] = not edition.get("draft", False)
        write_yaml(path, edition)
        self.check()

    # -- templates and static files

    @precondition(lambda self: self.broken is None)
    @rule(name=st.sampled_from(WHOLE_TEMPLATES + CHILD_TEMPLATES))
    def override_template(self, name: str) -> None:
        path = self.site / "templates" / name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(DEFAULT_TEMPLATES / name, path)
        line = f"<!-- local change {self._next()} -->"
        text = path.read_text(encoding="utf-8")
        if name in CHILD_TEMPLATES:
            text = text.replace(MAIN_BLOCK, f"{MAIN_BLOCK}\n{line}", 1)
        else:
            text += f"{line}\n"
        path.write_text(text, encoding="utf-8")
        self.check()

    @precondition(lambda self: self.broken is None and self._site_templates(static=False))
    @rule(data=st.data())
    def remove_template_override(self, data: st.DataObject) -> None:
        self._pick(data, self._site_templates(static=False), "template").unlink()
        self.check()

    @precondition(lambda self: self.broken is None)
    @rule(name=st.sampled_from(("style.css", "favicon.svg", "extra.txt")))
    def edit_static(self, name: str) -> None:
        path = self.site / "templates" / "static" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        theirs = DEFAULT_TEMPLATES / "static" / name
        if not path.is_file() and theirs.is_file():
            shutil.copyfile(theirs, path)
        n = self._next()
        line = {"style.css": f"/* local change {n} */\n", "favicon.svg": f"<!-- local change {n} -->\n"}
        with path.open("a", encoding="utf-8") as fh:
            fh.write(line.get(name, f"note {n}\n"))
        self.check()

    @precondition(lambda self: self.broken is None and self._site_templates(static=True))
    @rule(data=st.data())
    def remove_static(self, data: st.DataObject) -> None:
        self._pick(data, self._site_templates(static=True), "static file").unlink()
        self.check()

    # -- the snapshot and the image

    @precondition(lambda self: self.broken is None and self._records())
    @rule(data=st.data())
    def edit_record(self, data: st.DataObject) -> None:
        path = self._pick(data, self._records(), "record")
        record = read_json(path)
        field = data.draw(st.sampled_from(("title", "abstract", "tldr", "ratings")), label="field")
        if field == "ratings":
            record["ratings"] = data.draw(st.lists(st.integers(1, 10), max_size=4), label="ratings")
        elif field == "title" and record.get("title"):
            reworded = [] if self._titled_en(record["ref"]) else [record["title"] + " Revisited", "A Different Paper"]
            record["title"] = data.draw(st.sampled_from([record["title"].upper(), *reworded]), label="title")
        else:
            record[field] = data.draw(NOTE["en"], label=field)
        write_json(path, record)
        self.check()

    @precondition(lambda self: self.broken is None and self._records())
    @rule(data=st.data())
    def delete_record(self, data: st.DataObject) -> None:
        self._pick(data, self._used_records() or self._records(), "record").unlink()
        self.check()

    @precondition(lambda self: self.broken is None)
    @rule()
    def edit_image(self) -> None:
        path = self.site / IMAGE
        path.write_bytes(png_with_text(path.read_bytes(), f"change {self._next()}"))
        self.check()

    # -- site.yaml and categories.yaml

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def edit_site(self, data: st.DataObject) -> None:
        path = self.site / "content" / "site.yaml"
        site = read_yaml(path)
        field = data.draw(st.sampled_from(("title", "description", "author", "base_url", "fallback", "zh-Hant",
                                           "chinese_conversion", "default_language", "policies", "feeds")), label="field")
        if field in ("title", "description"):
            lang = data.draw(st.sampled_from(("en", "zh")), label="language")
            site.setdefault(field, {})[lang] = data.draw(LINE[lang], label=field)
        elif field == "author":
            site["author"] = data.draw(LINE["en"], label="author")
        elif field == "base_url":
            site["base_url"] = data.draw(st.sampled_from(BASE_URLS), label="base_url")
        elif field == "fallback":
            name = data.draw(st.sampled_from(("intro", "note", "tldr", "abstract", "meta_review", "caption")), label="text")
            site.setdefault("fallback", {})[name] = data.draw(st.sampled_from(("original", "omit")), label="policy")
        elif field == "zh-Hant":
            languages = site["languages"]
            site["languages"] = [c for c in languages if c != "zh-Hant"] if "zh-Hant" in languages else [*languages, "zh-Hant"]
        elif field == "chinese_conversion":
            site["chinese_conversion"] = data.draw(st.sampled_from(("s2twp", "s2tw", "s2hk", "s2t")), label="profile")
        elif field == "default_language":
            site["default_language"] = "zh" if site.get("default_language", "en") == "en" else "en"
        elif field == "policies":
            name = data.draw(st.sampled_from(("missing_translation", "missing_metadata", "repeated_paper",
                                              "empty_category")), label="policy")
            site.setdefault("policies", {})[name] = data.draw(st.sampled_from(("warning", "ignore")), label="level")
        else:
            site.setdefault("feeds", {})["entries"] = data.draw(st.integers(1, 4), label="feed entries")
        write_yaml(path, site)
        self.check()

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def edit_categories(self, data: st.DataObject) -> None:
        path = self.site / "content" / "categories.yaml"
        doc = read_yaml(path)
        categories = doc["categories"]
        action = data.draw(st.sampled_from(("name", "description", "reorder", "add", "rename key", "remove unused")),
                           label="change")
        i = data.draw(st.integers(0, len(categories) - 1), label="category")
        if action in ("name", "description"):
            lang = data.draw(st.sampled_from(("en", "zh")), label="language")
            categories[i].setdefault(action, {})[lang] = data.draw((LINE if action == "name" else NOTE)[lang], label="text")
        elif action == "reorder":
            doc["categories"] = data.draw(st.permutations(categories).map(list), label="new order")
        elif action == "add":
            n = self._next()
            categories.insert(i, {"key": f"topic-{n}", "name": {"en": f"Topic {n}", "zh": f"主题 {n}"}})
        elif action == "rename key":
            old, new = categories[i]["key"], f"renamed-{self._next()}"
            categories[i]["key"] = new
            for edition_path in self._editions():
                edition = read_yaml(edition_path)
                if any(e["category"] == old for e in edition["entries"]):
                    for e in edition["entries"]:
                        e["category"] = new if e["category"] == old else e["category"]
                    write_yaml(edition_path, edition)
        else:
            used = {e["category"] for p in self._editions() for e in read_yaml(p)["entries"]}
            unused = [c for c in categories if c["key"] not in used]
            if len(categories) > 1 and unused:
                categories.remove(unused[i % len(unused)])
        write_yaml(path, doc)
        self.check()

    # -- edits no metadata shows, and no edit at all

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def edit_keeping_size_and_mtime(self, data: st.DataObject) -> None:
        """One letter's case flipped in a record's abstract or an English note (so the file
        keeps its size), and the file's mtime put back: a cache that trusts size and mtime
        misses it; a content-keyed one cannot."""
        records = [p for p in self._used_records() if _letters(read_json(p).get("abstract"))]
        notes = [(p, i) for p, i in self._entries() if _letters((read_yaml(p)["entries"][i].get("note") or {}).get("en"))]
        if not records and not notes:
            return
        letter = data.draw(st.integers(0, 10**6), label="letter")
        if records and (not notes or data.draw(st.booleans(), label="in a record")):
            path = self._pick(data, records, "record")
            stat, record = path.stat(), read_json(path)
            record["abstract"] = _flip_a_letter(record["abstract"], letter)
            write_json(path, record)
        else:
            path, i = self._pick_entry(data, notes)
            stat, edition = path.stat(), read_yaml(path)
            note = edition["entries"][i]["note"]
            note["en"] = _flip_a_letter(note["en"], letter)
            write_yaml(path, edition)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        self.check()

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def touch_file(self, data: st.DataObject) -> None:
        files = sorted(p for folder in ("content", "templates") for p in (self.site / folder).rglob("*") if p.is_file())
        path = self._pick(data, files, "file")
        later = path.stat().st_mtime_ns + 10**9 * self._next()
        os.utime(path, ns=(later, later))
        self.check(expect_no_writes=True)

    @precondition(lambda self: self.broken is None)
    @rule()
    def delete_cache(self) -> None:
        shutil.rmtree(self.site / CACHE, ignore_errors=True)
        self.check(expect_no_writes=True)

    @precondition(lambda self: self.broken is None)
    @rule()
    def rebuild_without_edit(self) -> None:
        self.check(expect_no_writes=True)

    @precondition(lambda self: self.broken is None)
    @rule(drafts=st.booleans(), as_of=st.sampled_from(AS_OF))
    def change_build_options(self, drafts: bool, as_of: date | None) -> None:
        self.drafts, self.as_of = drafts, as_of
        self.check()

    # -- a broken file, then the file put back

    @precondition(lambda self: self.broken is None)
    @rule(data=st.data())
    def break_a_file(self, data: st.DataObject) -> None:
        how = data.draw(st.sampled_from(("yaml syntax", "unknown category", "impossible date", "wrong title.en",
                                         "damaged record", "template syntax")), label="how")
        loaded = [p for p in self._editions() if self._loaded(read_yaml(p))]
        published = [(p, i) for p in self._editions() if self._published(read_yaml(p))
                     for i, e in enumerate(read_yaml(p)["entries"]) if self._record_of(e["paper"]).is_file()]
        if how in ("unknown category", "impossible date") and loaded:
            path = self._pick(data, loaded, "edition")
            self.broken = (path, path.read_bytes())
            edition = read_yaml(path)
            if how == "impossible date" or not edition["entries"]:
                edition["date"] = "2018-02-30"
            else:
                edition["entries"][0]["category"] = "no-such-category"
            write_yaml(path, edition)
        elif how in ("wrong title.en", "damaged record") and published:
            path, i = self._pick_entry(data, published)
            edition = read_yaml(path)
            if how == "wrong title.en":
                self.broken = (path, path.read_bytes())
                edition["entries"][i].setdefault("title", {})["en"] = "Completely Unrelated Words Here"
                write_yaml(path, edition)
            else:
                record = self._record_of(edition["entries"][i]["paper"])
                self.broken = (record, record.read_bytes())
                record.write_text('{"ref": "openreview:', encoding="utf-8")
        elif how == "template syntax":
            path = self.site / "templates" / "base.html"
            self.broken = (path, path.read_bytes() if path.is_file() else None)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text((DEFAULT_TEMPLATES / "base.html").read_text(encoding="utf-8") + "{% if %}\n", encoding="utf-8")
        else:
            path = self._pick(data, [self.site / "content" / "site.yaml", self.site / "content" / "categories.yaml",
                                     *self._editions()], "file")
            self.broken = (path, path.read_bytes())
            path.write_text(path.read_text(encoding="utf-8") + "broken: [unclosed\n", encoding="utf-8")
        self.check(expect_failure=True)

    @precondition(lambda self: self.broken is not None)
    @rule()
    def repair(self) -> None:
        assert self.broken is not None
        path, old = self.broken
        self.broken = None
        if old is None:
            path.unlink()
        else:
            path.write_bytes(old)
        self.check(expect_no_writes=True)  # the last input that built, built again


def _letters(text: str | None) -> bool:
    """Whether ``text`` has an ASCII letter (whose case can flip without changing its length)."""
    return any(c.isascii() and c.isalpha() for c in text or "")


def _flip_a_letter(text: str, n: int) -> str:
    """``text`` with the case of one ASCII letter flipped (the ``n``-th, counting round)."""
    letters = [i for i, c in enumerate(text) if c.isascii() and c.isalpha()]
    i = letters[n % len(letters)]
    return text[:i] + text[i].swapcase() + text[i + 1:]


# ---------------------------------------------------------------------------- the tests


def _settings(examples: int, steps: int) -> settings:
    """Derandomized (the same sequences every run) unless DIGEST_HYPOTHESIS_EXAMPLES asks for a long run."""
    wanted = os.environ.get("DIGEST_HYPOTHESIS_EXAMPLES")
    return settings(max_examples=int(wanted) if wanted else examples,
                    stateful_step_count=int(os.environ.get("DIGEST_HYPOTHESIS_STEPS", steps)),
                    deadline=None, derandomize=not wanted, database=None, phases=(Phase.explicit, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _run(tmp_path: Path, options: settings) -> None:
    machine = type("Machine", (IncrementalBuilds,), {"SEED": make_seed(tmp_path / "seed"), "WORK": tmp_path})
    run_state_machine_as_test(machine, settings=options)


def test_tag_pages_and_the_paper_index_follow_a_second_coverage_and_a_tag_edit(tmp_path: Path) -> None:
    """A paper covered again by a new edition with a new tag: its tag's page and feeds
    appear, its first edition's paper page and the conference's index name both editions;
    the tag removed again: its page and feeds are gone, from the OPML file too. Each build
    incremental and equal to a cold one."""
    machine = type("Machine", (IncrementalBuilds,), {"SEED": make_seed(tmp_path / "seed"), "WORK": tmp_path})()
    try:
        machine.start()
        first_path = machine._editions()[0]
        first = read_yaml(first_path)
        entry = first["entries"][0]
        paper = entry["paper"].replace(":", "-")
        first_page = f"en/{first_path.stem}/{paper}/index.html"
        index = f"en/papers/{layout.venue_slug(first['conference'])}/index.html"
        assert "again/" not in tree(machine.out)[first_page].decode()
        again = machine.site / EDITIONS / "again.yaml"
        write_yaml(again, {"date": date(2021, 6, 1), "conference": first["conference"],
                           "title": {"en": "Read again", "zh": "再读一遍"},
                           "entries": [{"paper": entry["paper"], "category": entry["category"], "tags": ["revisited"]}]})
        machine.check()
        out = tree(machine.out)
        assert {"en/tag/revisited/index.html", "zh/tag/revisited/feed.xml", "zh-Hant/tag/revisited/atom.xml"} <= set(out)
        assert "en/again/#" in out[first_page].decode() and "Read again" in out[first_page].decode()
        row = out[index].decode().split(f"en/again/{paper}/")[1].split("</tr>")[0]
        assert f"en/again/#{paper}" in row and f"en/{first_path.stem}/#{paper}" in row
        assert out[index].decode().count(f"/{paper}/\"") == 1  # one row per paper
        assert b"tag/revisited/feed.xml" in out["feeds.opml"]
        write_yaml(again, {**read_yaml(again), "entries": [{"paper": entry["paper"], "category": entry["category"]}]})
        machine.check()
        out = tree(machine.out)
        assert not any("/tag/revisited/" in path for path in out) and b"revisited" not in out["feeds.opml"]
    finally:
        machine.teardown()


#: The state machine compares page, feed and cache bytes; the search index is made again from
#: those pages, its incremental rule tested on its own (tests/test_search_build.py), and running
#: Pagefind after every edit would take most of an hour.
@pytest.fixture
def without_search(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "indexer", lambda: None)


def test_incremental_builds_equal_cold_builds(tmp_path: Path, without_search: None) -> None:
    _run(tmp_path, _settings(examples=6, steps=6))


@pytest.mark.gate
def test_incremental_builds_equal_cold_builds_over_long_runs(tmp_path: Path, without_search: None) -> None:
    _run(tmp_path, _settings(examples=30, steps=15))
