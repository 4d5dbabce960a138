"""The example project's editions merged for the export tests (real loader, real snapshot)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from digest.content.project import load_project
from digest.metadata.store import site_store
from digest.pipeline import DEFAULT_TEMPLATES
from digest.site.hant import for_site
from digest.site.merge import Article, apply_fallback, merge_edition
from digest.site.render import Renderer

ROOT = Path(__file__).resolve().parent.parent


@cache
def project():
    return load_project(ROOT)


@cache
def renderer() -> Renderer:
    p = project()
    return Renderer(DEFAULT_TEMPLATES, p.site, p.categories)


@cache
def articles(lang: str) -> tuple[Article, ...]:
    p = project()
    editions = [for_site(p.site, e) for e in p.editions if not e.draft]  # zh-Hant derived as a build does
    metas = site_store(ROOT).load_for({entry.paper for e in editions for entry in e.entries})
    merged = tuple(merge_edition(e, p.categories, metas, lang, p.site.languages) for e in editions)
    return apply_fallback(merged, p.site.fallback)


def all_articles() -> list[Article]:
    return [a for lang in project().site.languages for a in articles(lang)]
