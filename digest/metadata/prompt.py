"""The prompts ``digest translate`` sends: one file per field in ``digest/metadata/prompts/``,
with the site's glossary (``translation.terms``) filled in where the file says ``{terms}``.

A prompt's *version* is a short hash of the text sent (file and glossary together), so an
edited prompt or glossary makes every draft of that field stale and it is asked again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

from digest.core.models import TRANSLATABLE


@dataclass(frozen=True)
class Prompt:
    field: str
    text: str

    @property
    def version(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:12]


def glossary(terms: Mapping[str, str]) -> str:
    """The glossary lines of a prompt ("" when the site fixes no terms)."""
    if not terms:
        return ""
    lines = "".join(f"- {en} → {zh}\n" for en, zh in sorted(terms.items(), key=lambda kv: kv[0].lower()))
    return "- Glossary: always translate these terms as given:\n" + lines


def prompt_for(field: str, terms: Mapping[str, str]) -> Prompt:
    """The prompt of ``field`` (one of :data:`~digest.core.models.TRANSLATABLE`) with ``terms``."""
    if field not in TRANSLATABLE:
        raise ValueError(f"no prompt for {field!r}")
    template = resources.files("digest.metadata").joinpath("prompts", f"{field}.txt").read_text("utf-8")
    return Prompt(field, template.replace("{terms}\n", glossary(terms)))
