"""JSON Schema and reference docs, derived from the declarations in :mod:`digest.core.models`
and their kinds (:mod:`digest.core.kinds`).

``digest schema`` writes ``schema/site.schema.json``, ``schema/categories.schema.json`` and
``schema/edition.schema.json``. Curated files name them in a modeline
(``# yaml-language-server: $schema=../../schema/edition.schema.json``), so an editor with a
YAML language server completes field names, shows each field's docstring and flags mistakes
as the curator types. When the project has categories, the edition schema lists their keys,
so run ``digest schema`` again after editing categories.yaml (``digest check`` says when the
files are out of date).

Some rules cannot be said in JSON Schema (the same paper twice in an edition, a file that
is not UTF-8, duplicate keys, aliases); ``digest check`` is the full check.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from digest.core.models import Categories, Edition, Site, fields_of

SCHEMA_FILES = {"site": Site, "categories": Categories, "edition": Edition}
DRAFT = "https://json-schema.org/draft/2020-12/schema"

def object_schema(cls: type, categories: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON Schema of a model class: its fields, their docs, which are required."""
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in fields_of(cls):
        schema = f.metadata["kind"].schema(categories, lambda model: object_schema(model, categories))
        if f.default is None:
            schema = {"anyOf": [schema, {"type": "null"}]}
        schema = {"description": f.metadata["doc"], **schema}
        default = _default(f)
        if default is not dataclasses.MISSING:
            schema["default"] = default
        props[f.name] = schema
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            required.append(f.name)
    out: dict[str, Any] = {"type": "object", "description": (cls.__doc__ or "").strip().split("\n")[0]}
    out["properties"] = props
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    return out


def _default(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        value = f.default
    elif f.default_factory is not dataclasses.MISSING:
        value = f.default_factory()
    else:
        return dataclasses.MISSING
    if dataclasses.is_dataclass(value):
        return dataclasses.MISSING
    if isinstance(value, tuple):
        value = list(value)
    return value


def schemas(categories: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """Every schema file: name -> JSON Schema."""
    out = {}
    for name, cls in SCHEMA_FILES.items():
        body = object_schema(cls, categories)
        out[name] = {"$schema": DRAFT, "$id": f"https://digest.invalid/schema/{name}.schema.json",
                     "title": f"digest {name} file", **body}
    return out


def render(schema: dict[str, Any]) -> bytes:
    return (json.dumps(schema, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def reference_markdown() -> str:
    """Every curated field, its kind, default and docstring, as Markdown (docs/reference)."""
    lines: list[str] = []

    def walk(cls: type, prefix: str, seen: set) -> None:
        for f in fields_of(cls):
            kind = f.metadata["kind"]
            name = f"{prefix}{f.name}"
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            default = _default(f)
            dflt = "required" if required else ("" if default is dataclasses.MISSING else f"default `{json.dumps(default, ensure_ascii=False)}`")
            lines.append(f"| `{name}` | {kind.shown} | {dflt} | {f.metadata['doc']} |")
            if kind.model is not None:
                walk(kind.model, f"{name}[]." if kind.many else f"{name}.", seen)

    for title, cls, file in (("Site", Site, "content/site.yaml"), ("Categories", Categories, "content/categories.yaml"),
                             ("Edition", Edition, "content/editions/<slug>.yaml")):
        lines += [f"### {title}: `{file}`", "", "| field | kind | default | meaning |", "|---|---|---|---|"]
        walk(cls, "", set())
        lines.append("")
    return "\n".join(lines)
