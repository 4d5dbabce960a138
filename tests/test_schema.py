"""The generated JSON Schema accepts valid curated files and rejects the broken ones."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from digest.cli import main
from digest.content.schema import schemas

HERE = Path(__file__).parent
ROOT = HERE.parent
BROKEN = HERE / "cases" / "broken"

#: Broken files a JSON Schema cannot catch, and why; digest check catches them all.
NOT_EXPRESSIBLE = {
    "duplicate-paper.yaml": "uniqueness of one property across list items",
    "categories-duplicate-key.yaml": "uniqueness of one property across list items",
    "figure-missing-file.yaml": "whether a file exists",
    "duplicate-key.yaml": "a YAML-level rule; JSON has no duplicate keys",
    "utf16-bom.yaml": "the file's encoding: YAML allows UTF-16, digest reads UTF-8 only",
    "anchor-alias.yaml": "a YAML-level rule; aliases are resolved before a schema sees the data",
    "site-traditional-without-source.yaml": "the site file is valid; its languages rule the keys of the other files",
}
#: Files that are valid: digest check accepts them too (exit status 0).
VALID = {"bom-crlf.yaml", "missing-translation.yaml"}


class _Loader(yaml.SafeLoader):
    """YAML as a language server reads it (YAML 1.2 core schema): dates stay text and only
    true/false are booleans (``yes`` is text)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def load_yaml(path: Path):
    return yaml.load(path.read_bytes(), Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


def validator(kind: str, categories=("optimization", "model-compression", "other")):
    return jsonschema.Draft202012Validator(schemas(categories)[kind], format_checker=jsonschema.FormatChecker())


def kind_of_case(name: str) -> str:
    if name.startswith("site-"):
        return "site"
    if name.startswith("categories-"):
        return "categories"
    return "edition"


def test_schemas_are_valid_json_schema():
    for body in schemas(("a",)).values():
        jsonschema.Draft202012Validator.check_schema(body)


@pytest.mark.parametrize("name", sorted(p.name for p in BROKEN.iterdir()))
def test_broken_files_are_rejected_by_yaml_or_schema(name: str):
    path = BROKEN / name
    try:
        data = load_yaml(path)
    except (yaml.YAMLError, UnicodeDecodeError):
        assert name not in VALID
        return  # refused before any schema: tabs, syntax, encoding, several documents
    errors = list(validator(kind_of_case(name)).iter_errors(data)) if data is not None else ["empty file"]
    if name in VALID or name in NOT_EXPRESSIBLE:
        assert errors == []
    else:
        assert errors, f"{name} passed the JSON Schema"


def test_base_site_passes():
    base = HERE / "cases" / "base" / "content"
    assert not list(validator("site").iter_errors(load_yaml(base / "site.yaml")))
    assert not list(validator("categories").iter_errors(load_yaml(base / "categories.yaml")))
    edition = load_yaml(BROKEN / "bom-crlf.yaml")
    assert not list(validator("edition").iter_errors(edition))


def test_example_content_passes_the_committed_schema():
    content = ROOT / "content"
    committed = {name: json.loads((ROOT / "schema" / f"{name}.schema.json").read_text()) for name in ("site", "categories", "edition")}
    check = {k: jsonschema.Draft202012Validator(v, format_checker=jsonschema.FormatChecker()) for k, v in committed.items()}
    assert not list(check["site"].iter_errors(load_yaml(content / "site.yaml")))
    assert not list(check["categories"].iter_errors(load_yaml(content / "categories.yaml")))
    editions = sorted((content / "editions").glob("*.yaml"))
    assert len(editions) >= 3
    for path in editions:
        errors = [e.message for e in check["edition"].iter_errors(load_yaml(path))]
        assert errors == [], path.name
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == "# yaml-language-server: $schema=../../schema/edition.schema.json"


def test_committed_schema_is_what_digest_schema_writes(tmp_path: Path, capsys):
    assert main(["schema", "--root", str(ROOT), "--out", str(tmp_path)]) == 0
    for name in ("site", "categories", "edition"):
        assert (tmp_path / f"{name}.schema.json").read_bytes() == (ROOT / "schema" / f"{name}.schema.json").read_bytes()


def test_an_unfinished_edition_does_not_drop_the_category_keys(tmp_path: Path):
    import shutil

    root = tmp_path / "site"
    shutil.copytree(HERE / "cases" / "base", root)
    (root / "content" / "editions").mkdir()
    (root / "content" / "editions" / "wip.yaml").write_text("date: 2018-02-30\n", encoding="utf-8")
    assert main(["schema", "--root", str(root)]) == 0
    edition = json.loads((root / "schema" / "edition.schema.json").read_text())
    category = edition["properties"]["entries"]["items"]["properties"]["category"]
    assert category["enum"] == ["optimization", "model-compression", "other"]
