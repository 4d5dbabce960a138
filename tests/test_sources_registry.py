"""Metadata sources are declared once, in digest.metadata.sources.registry: a source registered
there is paced, configured, asked and trusted by the fetch stage without editing another module."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import httpx
import pytest
from apiserver import FakeClock

from digest.core.ids import PaperRef
from digest.core.models import PaperMeta
from digest.metadata import fetch as fetch_stage
from digest.metadata.http import Fetcher
from digest.metadata.sources import registry
from digest.metadata.sources.base import Request, load_json
from digest.metadata.sources.registry import SOURCES, Source, URLSetting
from digest.metadata.store import Store

ROOT = Path(__file__).resolve().parent.parent
DOI = PaperRef("doi", "10.1000/made-up")


def _request(urls, ids, secrets):
    return Request("example", "POST", urls["example"] + "/lookup", json={"dois": list(ids)},
                   headers=(("x-token", secrets["EXAMPLE_TOKEN"] or ""),), ids=tuple(ids), label="example lookup")


def _parse(body, ids, fetched_at, content_type):
    data = load_json(body, "Example", content_type)
    return {i: PaperMeta(ref=PaperRef("doi", i), source="example", fetched_at=fetched_at, title=data[i]["title"])
            if data.get(i) else None for i in ids}


EXAMPLE = Source(
    name="example", display="Example Index", interval=7.0,
    urls=(URLSetting("example", "DIGEST_EXAMPLE_URL", "https://index.example.org/api"),),
    batch_size=1, rank=3, precedence={"title": -1}, credentials=("EXAMPLE_TOKEN",),
    schemes=("doi",), paper_id=lambda ref: ref.value, request=_request, parse=_parse,
)


def test_a_registered_source_is_asked_paced_and_trusted_for_its_fields(tmp_path, monkeypatch):
    monkeypatch.setitem(SOURCES, "example", EXAMPLE)
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.host, request.url.path, request.headers.get("x-token")))
        if request.url.host == "index.example.org":
            return httpx.Response(200, json={DOI.value: {"title": "The title the example index keeps"}})
        s2 = {"title": "Semantic Scholar's title", "citationCount": 5, "externalIds": {"CorpusId": 7}}
        return httpx.Response(200, json=[s2])

    fetcher = Fetcher(env={"EXAMPLE_TOKEN": "t0k3n"}, clock=FakeClock(), transport=httpx.MockTransport(answer))
    assert fetcher.pacers["example"].interval == 7.0
    assert fetcher.urls.example == "https://index.example.org/api"
    report = fetch_stage.fetch([DOI], Store(tmp_path), fetcher, fetched_at="2030-01-01T00:00:00Z")
    assert report.ok, report.failures
    assert report.requests == {"example lookup": 1, "s2 batch": 1}
    assert ("index.example.org", "/api/lookup", "t0k3n") in seen
    meta = Store(tmp_path).get(DOI)
    assert meta.title == "The title the example index keeps"  # its precedence for titles
    assert meta.citation_count == 5 and meta.source == "s2"  # Semantic Scholar's rank is lower
    assert meta.field_sources == {"title": "example"}
    assert fetcher.scrub("t0k3n") == "[secret]"


def test_a_refusal_names_the_registered_source(monkeypatch):
    monkeypatch.setitem(SOURCES, "example", EXAMPLE)
    fetcher = Fetcher(env={}, clock=FakeClock(), transport=httpx.MockTransport(lambda r: httpx.Response(404)))
    with pytest.raises(Exception, match=r"^Example Index: HTTP 404$"):
        fetcher.call(_request(fetcher.urls, ["x"], fetcher.secrets), lambda r: None)


def test_the_built_in_precedence_is_the_documented_one():
    assert registry.order("venue") == ("openreview", "s2", "arxiv")
    assert registry.order("tldr") == ("openreview", "s2")
    assert registry.order("arxiv_id") == registry.order("doi") == ("arxiv", "s2", "openreview")
    assert registry.order("code_url") == ("openreview", "arxiv")
    assert registry.order("citation_count") == ("s2",)
    assert registry.order("title") == registry.primary_order() == ("openreview", "arxiv", "s2")


def test_no_other_module_keeps_a_table_of_sources():
    """Credentials and URL variables are written in the registry only (no table elsewhere)."""
    needles = {"S2_API_KEY", "DIGEST_S2_URL", "DIGEST_ARXIV_URL", "DIGEST_OPENREVIEW_URL", "OPENREVIEW_PASSWORD"}
    owners = {}
    for path in sorted((ROOT / "digest").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                values = {v.value for v in node.values if isinstance(v, ast.Constant)}
                if (keys | values) & needles:
                    owners.setdefault(path.relative_to(ROOT).as_posix(), set()).update((keys | values) & needles)
            elif isinstance(node, ast.Tuple) and sum(isinstance(e, ast.Constant) and e.value in needles for e in node.elts) > 1:
                owners.setdefault(path.relative_to(ROOT).as_posix(), set()).add("tuple")
    assert set(owners) <= {"digest/metadata/sources/registry.py"}, owners
    assert json.dumps(sorted(registry.credentials())) == json.dumps(
        ["OPENREVIEW_PASSWORD", "OPENREVIEW_USERNAME", "S2_API_KEY"])
