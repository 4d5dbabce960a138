"""docs/templates.md names every template of the theme and every global, filter and test the
templates are given, and nothing else."""

from __future__ import annotations

import re
from pathlib import Path

from digest.content.project import load_project
from digest.pipeline import DEFAULT_TEMPLATES
from digest.site.render import Renderer

REPO = Path(__file__).resolve().parent.parent
DOC = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return DOC.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def documented(title: str) -> set[str]:
    """The names in the first column of a section's table."""
    return set(re.findall(r"^\| `([^`]+)` \|", section(title), re.M))


def registered() -> dict[str, set[str]]:
    """What digest adds to a Jinja environment: the renderer's names minus a plain environment's."""
    project = load_project(REPO)
    renderer = Renderer(DEFAULT_TEMPLATES, project.site, project.categories)
    env = renderer.environment("en")
    plain = type(env)()
    per_page = set(renderer._page_functions("en", ""))  # given to each render, bound to the page's link prefix
    return {"Globals": (set(env.globals) - set(plain.globals)) | per_page,
            "Filters": set(env.filters) - set(plain.filters), "Tests": set(env.tests) - set(plain.tests)}


def test_every_global_filter_and_test_is_documented_and_nothing_else() -> None:
    for title, names in registered().items():
        assert names, title
        assert names - documented(title) == set(), f"docs/templates.md, {title}: not documented"
        assert documented(title) - names == set(), f"docs/templates.md, {title}: documented, but not registered"


def test_every_template_of_the_theme_is_documented() -> None:
    files = {p.relative_to(DEFAULT_TEMPLATES).as_posix() for p in DEFAULT_TEMPLATES.rglob("*") if p.is_file()}
    assert files == documented("Templates and what each is given")
