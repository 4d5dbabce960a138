"""The import rule of DESIGN.md, enforced: imports point down the layers, and each
third-party library is used by one module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "digest"

#: Layer of every module: a module may import digest modules of a lower layer only
#: (modules of one layer are independent of each other, except inside sources/).
LAYERS: dict[str, int] = {
    "errors": 0,
    "ids": 1, "pacing": 1, "images": 1,
    "models": 2,
    "yamlload": 3, "store": 3, "sources": 3, "merge": 3, "i18n": 3, "convert": 3, "layout": 3, "links": 3, "schema": 3,
    "swap": 3,
    "validate": 4, "fetch": 4, "render": 4, "feeds": 4, "write": 4, "parallel": 4, "scalars": 4,
    "content": 5, "harvest": 5,
    "checks": 6, "edit": 6, "status": 6, "schema_files": 6,
    "lint": 7, "build": 7, "fetch_command": 7,
    "fix": 8, "serve": 8,
    "cli": 9,
}

#: Third-party libraries and the one module allowed to import each.
OWNERS = {
    "httpx": {"fetch"},
    "jinja2": {"render"}, "markdown": {"render"}, "nh3": {"render"}, "markupsafe": {"render"},
    "babel": {"i18n"},
    "feedgen": {"feeds"},
    "yaml": {"yamlload"},
    "autocorrect_py": {"lint"},
    "hanzidentifier": {"lint"},
    "opencc": {"convert"},
}


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        if rel.name == "__init__":
            continue
        found[".".join(rel.parts)] = path
    return found


def layer_of(module: str) -> int:
    top = module.split(".")[0]
    assert top in LAYERS, f"digest/{module}.py has no layer in tests/test_architecture.py: give it one"
    return LAYERS[top]


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "digest":
                names.update(f"digest.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def test_imports_point_down_the_layers():
    wrong = []
    for module, path in modules().items():
        own = layer_of(module)
        for name in imports(path):
            if not name.startswith("digest."):
                continue
            target = name.removeprefix("digest.")
            same_package = module.split(".")[0] == target.split(".")[0]
            if not same_package and layer_of(target) >= own:
                wrong.append(f"digest/{module}.py imports {name}")
    assert wrong == []


def test_each_library_lives_in_one_module():
    wrong = []
    for module, path in modules().items():
        for name in imports(path):
            top = name.split(".")[0]
            if top in OWNERS and module not in OWNERS[top]:
                wrong.append(f"digest/{module}.py imports {top} (only {sorted(OWNERS[top])} may)")
    assert wrong == []


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
