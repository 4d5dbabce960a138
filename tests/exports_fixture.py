"""The example project's editions as every export is given them (digest.pipeline.export_context)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from digest.content.project import load_project
from digest.exports.registry import ExportContext
from digest.pipeline import export_context

ROOT = Path(__file__).resolve().parent.parent


@cache
def context(slug: str, lang: str, esp: str = "generic") -> ExportContext:
    return export_context(ROOT, slug, lang, {"esp": esp})


@cache
def editions() -> tuple[tuple[str, str], ...]:
    """(slug, lang) of every example edition in every language."""
    project = load_project(ROOT)
    return tuple((e.slug, lang) for lang in project.site.languages for e in project.editions if not e.draft)
