"""The import rule of docs/architecture.md, enforced: imports point down the layers, and each
third-party library is used by one module."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "digest"

#: Layer of every package (and of the top-level modules): a module may import digest
#: modules of a lower layer, or of its own package; never of a higher layer or a sibling.
LAYERS: dict[str, int] = {
    "core": 0,
    "content": 1, "metadata": 1, "output": 1, "stats": 1,
    "site": 2,
    "checks": 3,
    "report": 4, "incremental": 4, "exports": 4,
    "pipeline": 5,
    "preview": 6,
    "commands": 7,
    "cli": 8,
}


#: Third-party libraries (and the system-level standard ones) and the one module allowed to import each.
OWNERS = {
    "httpx": {"metadata.http"},
    "jinja2": {"site.render"}, "markdown": {"site.render"}, "nh3": {"site.render"}, "markupsafe": {"site.render"},
    "babel": {"site.i18n"},
    "feedgen": {"site.feeds"},
    "yaml": {"content.yamlload"},
    "autocorrect_py": {"checks.texts"},
    "hanzidentifier": {"checks.texts"},
    "opencc": {"site.hant"},
    "css_inline": {"site.inline"},
    "latex2mathml": {"site.tex"},
    "watchfiles": {"preview"},
    "rich": {"commands.progress"},
    "pagefind_bin_extended": {"site.search"},
    # what digest asks of the operating system beyond the standard library's portable part
    "ctypes": {"output.system"}, "multiprocessing": {"output.system"},
    # the build cache's file and its values
    "sqlite3": {"core.cache"}, "pickle": {"core.cache"},
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
                wrong.append(f"digest/{module.replace('.', '/')}.py imports {name}")
    assert wrong == []


def test_each_library_lives_in_one_module():
    wrong = []
    for module, path in modules().items():
        for name in imports(path):
            top = name.split(".")[0]
            if top in OWNERS and module not in OWNERS[top]:
                wrong.append(f"digest/{module.replace('.', '/')}.py imports {top} (only {sorted(OWNERS[top])} may)")
    assert wrong == []


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--quiet", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
