"""JSON Schema and reference docs, derived from the declarations in :mod:`digest.core.models`.

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
import typing
from typing import Any

from digest.core.models import LANGUAGES, Categories, Edition, Site, fields_of
from digest.core.schemes import json_pattern

SCHEMA_FILES = {"site": Site, "categories": Categories, "edition": Edition}
DRAFT = "https://json-schema.org/draft/2020-12/schema"

def kind_schema(kind: str, categories: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON Schema of one field kind."""
    lang_keys = {"type": "string", "enum": list(LANGUAGES)}
    text = {"type": "string", "minLength": 1}
    table: dict[str, dict[str, Any]] = {
        "text": text,
        "markdown": {"type": "string", "minLength": 1, "contentMediaType": "text/markdown"},
        "url": {"type": "string", "format": "uri", "pattern": r"^https?://\S+$"},
        "slug": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"},
        "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        "bool": {"type": "boolean"},
        "int": {"type": "integer", "minimum": 1},
        "tagdate": {  # YAML reads a bare year as a number
            "type": ["string", "integer"], "minimum": 1000, "maximum": 9999,
            "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        },
        "lang": lang_keys,
        "langs": {"type": "array", "items": lang_keys, "minItems": 1, "uniqueItems": True},
        "tags": {"type": "array", "items": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}},
        "ltext": {"type": "object", "propertyNames": lang_keys, "additionalProperties": text},
        "lmarkdown": {"type": "object", "propertyNames": lang_keys, "additionalProperties": text},
        "ref": {"type": "string", "pattern": json_pattern()},
        "category": (
            {"type": "string", "enum": list(categories)} if categories
            else {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$"}
        ),
        "policy": {"type": "string", "enum": ["error", "warning", "ignore"]},
        "terms": {"type": "object", "additionalProperties": text},
        "image": {"type": "string", "pattern": r"^(https?://\S+|(?!/)(?!.*\.\./)\S+\.(png|jpe?g|gif|webp|svg))$"},
    }
    return dict(table[kind])


def object_schema(cls: type, categories: tuple[str, ...] = ()) -> dict[str, Any]:
    """The JSON Schema of a model class: its fields, their docs, which are required."""
    hints = typing.get_type_hints(cls)
    props: dict[str, Any] = {}
    required: list[str] = []
    for f in fields_of(cls):
        kind = f.metadata["kind"]
        if kind in ("object", "list"):
            inner = [a for a in typing.get_args(hints[f.name]) if a is not type(None) and a is not Ellipsis]
            sub = object_schema(inner[0] if inner else hints[f.name], categories)
            schema = sub if kind == "object" else {"type": "array", "items": sub}
            if f.default is None:
                schema = {"anyOf": [schema, {"type": "null"}]}
        elif kind == "choice":
            schema = {"type": "string", "enum": list(f.metadata["choices"])}
        else:
            schema = kind_schema(kind, categories)
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
        hints = typing.get_type_hints(cls)
        for f in fields_of(cls):
            kind = f.metadata["kind"]
            name = f"{prefix}{f.name}"
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            default = _default(f)
            dflt = "required" if required else ("" if default is dataclasses.MISSING else f"default `{json.dumps(default, ensure_ascii=False)}`")
            shown_kind = " or ".join(f"`{c}`" for c in f.metadata["choices"]) if kind == "choice" else kind
            lines.append(f"| `{name}` | {shown_kind} | {dflt} | {f.metadata['doc']} |")
            if kind in ("object", "list"):
                inner = [a for a in typing.get_args(hints[f.name]) if a is not type(None) and a is not Ellipsis]
                sub = inner[0] if inner else hints[f.name]
                walk(sub, f"{name}[]." if kind == "list" else f"{name}.", seen)

    for title, cls, file in (("Site", Site, "content/site.yaml"), ("Categories", Categories, "content/categories.yaml"),
                             ("Edition", Edition, "content/editions/<slug>.yaml")):
        lines += [f"### {title}: `{file}`", "", "| field | kind | default | meaning |", "|---|---|---|---|"]
        walk(cls, "", set())
        lines.append("")
    return "\n".join(lines)
