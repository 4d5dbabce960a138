"""Shared helpers of the benchmark content generators: write a digest site folder.

Both generators (:mod:`make_iclr2021`, :mod:`convert_shared`) produce the same layout::

    content/site.yaml
    content/categories.yaml
    content/editions/<slug>.yaml
    content/snapshot/<scheme>/<id>.json     (digest.metadata.store.Store records)

YAML is written with PyYAML, block style, Unicode kept, and never with anchors or aliases
(curated files refuse them). Snapshot records go through :class:`digest.metadata.store.Store`, the
same code ``digest fetch`` uses, so they are exactly what a real fetch would leave.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from digest.core.models import PaperMeta
from digest.metadata.store import Store


class _Dumper(yaml.SafeDumper):
    """A safe dumper that writes every value out in full (no ``&anchor`` / ``*alias``)."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D401 - PyYAML hook
        return True


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    """Multi-line text as a ``|`` literal block, the way a curator would write a long note."""
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_yaml(data: Any, header: str = "") -> str:
    """``data`` as block-style YAML text, keys in insertion order, with an optional comment header."""
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100,
                     default_flow_style=False)
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + "\n" + text
    return text


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def prepare_out(out: Path) -> None:
    """Make ``out`` ready: create it, or clear an earlier generated site in it.

    Refuses a non-empty folder that does not look like one of our generated sites, so a
    mistyped ``--out`` never deletes anything else.
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not (out / ".bench-site").exists():
            raise SystemExit(f"{out} is not empty and was not made by a bench generator; choose another --out")
        for name in ("content", "output"):
            shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / ".bench-site").write_text("made by a digest bench generator; safe to delete\n", encoding="utf-8")


def write_site(out: Path, site: dict[str, Any], categories: list[dict[str, Any]],
               editions: dict[str, dict[str, Any]], records: Iterable[PaperMeta], header: str) -> dict[str, int]:
    """Write the whole site folder; returns counts (editions, entries, records)."""
    content = Path(out) / "content"
    write_text(content / "site.yaml", dump_yaml(site, header))
    write_text(content / "categories.yaml", dump_yaml({"categories": categories}, header))
    entries = 0
    for slug, edition in editions.items():
        write_text(content / "editions" / f"{slug}.yaml", dump_yaml(edition, header))
        entries += len(edition["entries"])
    store = Store(content / "snapshot")
    count = 0
    for meta in records:
        store.put(meta)
        count += 1
    return {"editions": len(editions), "entries": entries, "records": count}


def stable_hash(text: str) -> int:
    """A hash that does not change between runs (unlike ``hash()``)."""
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def slugify(text: str) -> str:
    """Lower-case letters, digits and single hyphens; empty when nothing is left."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
