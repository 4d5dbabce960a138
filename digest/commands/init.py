"""``digest init [DIR]``: a new site in an empty folder, from the skeleton shipped in the package.

The skeleton (``digest/skeleton/``) holds the site's files as they are written: site.yaml,
categories.yaml, an example edition with the snapshot records of its papers, a .gitignore
and the CI publishing workflow. A name starting with ``dot-`` is written with a dot instead
(a real .gitignore inside the package would apply to the package itself). Values that
depend on the arguments are ``@name`` placeholders, filled in :data:`FILLED` files only.
The schema files are generated, as ``digest schema`` writes them.
"""

from __future__ import annotations

import argparse
import json
import shlex
from datetime import date
from pathlib import Path
from string import Template
from typing import TextIO

from digest.core.errors import DigestError

SKELETON = Path(__file__).resolve().parent.parent / "skeleton"
#: How the skeleton spells a leading dot.
DOT = "dot-"
#: Skeleton files with ``@name`` placeholders.
FILLED = frozenset({"content/site.yaml"})
#: site.yaml's base_url until the site has an address.
DEFAULT_BASE_URL = "https://example.org/"
#: Entries an otherwise empty folder may already hold (``git init`` first is fine).
ALLOWED = frozenset({".git"})


class _Placeholders(Template):
    delimiter = "@"


def skeleton_files(base_url: str, id_date: str) -> dict[str, bytes]:
    """The skeleton's files by their path in the new site, placeholders filled."""
    values = {"base_url": json.dumps(base_url)[1:-1], "id_date": id_date}
    files = {}
    for path in sorted(SKELETON.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        rel = path.relative_to(SKELETON).as_posix()
        data = path.read_bytes()
        if rel in FILLED:
            data = _Placeholders(data.decode("utf-8")).substitute(values).encode("utf-8")
        name = "/".join("." + part.removeprefix(DOT) if part.startswith(DOT) else part for part in rel.split("/"))
        files[name] = data
    return files


def refusal(target: Path) -> str | None:
    """Why ``target`` cannot take a new site, or None when it can."""
    from digest.content.project import SITE_FILE

    if (target / SITE_FILE).is_file():
        return (f"{_named(target)} already holds a site ({SITE_FILE} exists): work on it with digest check, digest new "
                "and digest build, or give digest init a new folder")
    if target.exists() and not target.is_dir():
        return f"{target} is a file, not a folder: give digest init a new or empty folder"
    if target.is_dir():
        found = sorted(p.name for p in target.iterdir() if p.name not in ALLOWED)
        if found:
            shown = ", ".join(found[:3]) + (", …" if len(found) > 3 else "")
            return (f"{_named(target)} is not empty (it holds {shown}): give digest init a new or empty folder, "
                    "such as digest init my-digest")
    return None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from digest.content.schema_files import write_schemas
    from digest.core.files import atomic_write
    from digest.core.ids import is_http_url

    target: Path = args.dir
    if not is_http_url(args.base_url):
        raise DigestError(f"--base-url: '{args.base_url}' is not an http(s) URL "
                          "(write the address the site will be published at, such as https://example.github.io/my-digest/)")
    why = refusal(target)
    if why:
        raise DigestError(why)
    written = []
    try:
        for name, data in skeleton_files(args.base_url, str(date.today().year)).items():
            atomic_write(target / name, data)
            written.append(name)
        written += [path.relative_to(target).as_posix() for path in write_schemas(target)]
    except OSError as exc:
        raise DigestError(f"cannot write in {target} ({exc.strerror}): check the folder's permissions") from None
    print(f"digest init: wrote a new site in {_named(target)}:", file=out)
    for name in sorted(written):
        print(f"  {name}", file=out)
    steps = [] if target == Path(".") else [("cd " + shlex.quote(str(target)), "")]
    steps += [("digest check", "check every file, offline"),
              ("digest build", "build the site into output/"),
              ("digest serve", "preview it on http://127.0.0.1:8000/, rebuilt as you edit"),
              ("digest new NAME", "start an edition (--date, --conference)"),
              ("digest add NAME URL", "add papers to it by their OpenReview or arXiv links (--category, --tags)")]
    width = max(len(command) for command, _ in steps)
    print("Next steps:", file=out)
    for command, what in steps:
        print(f"  {command.ljust(width)}  {what}".rstrip(), file=out)
    todo = ["DIGEST_REPOSITORY in .github/workflows/publish.yml"]
    if args.base_url == DEFAULT_BASE_URL:
        todo.insert(0, "base_url in content/site.yaml")
    print(f"Before publishing, set {' and '.join(todo)}. content/editions/ holds an example edition: "
          "edit it or delete it.", file=out)
    return 0


def _named(folder: Path) -> str:
    return "the current folder" if folder == Path(".") else f"{folder}/"
