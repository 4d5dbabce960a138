"""The edit of the benchmarks' one-edit case: one entry's note changed, differently each time.

Each ``apply()`` appends `` (rev N)`` to the note's text, N one more than the marker it
replaces (1 when there is none), so every build that follows an edit sees a real change, and
the same state of the files gives the same edit. ``restore()`` takes the marker off again.
:func:`revisions` finds the markers in a build's output: the files that show the note, and
those that still show an older revision of it.

* :class:`DigestNoteEdit`: the ``note:`` of the first entry of the newest edition (latest
  ``date``) of a digest site, every language the note has. The edition file is rewritten
  with the bench generators' YAML writer (:func:`sitegen.dump_yaml`), which wrote it, so
  only the note's lines change (checked on first use).
* :class:`MarkdownEdit`: the last non-blank line of Markdown files (the note, in the Hugo
  and Pelican pages of the shared generator).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from sitegen import dump_yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MARKER = re.compile(r" \(rev (\d+)\)\Z")
_ANY_MARKER = re.compile(rb"\(rev (\d+)\)")


def bumped(text: str) -> str:
    """``text`` with its `` (rev N)`` marker replaced by `` (rev N+1)`` (`` (rev 1)`` when none)."""
    found = _MARKER.search(text)
    if not found:
        return f"{text} (rev 1)"
    return f"{text[:found.start()]} (rev {int(found.group(1)) + 1})"


def unmarked(text: str) -> str:
    """``text`` without its `` (rev N)`` marker."""
    return _MARKER.sub("", text)


def marker_of(text: str) -> str:
    """``(rev N)``, the marker ending ``text``."""
    found = _MARKER.search(text)
    if not found:
        raise ValueError(f"no (rev N) marker at the end of {text[-40:]!r}")
    return found.group(0).strip()


def revisions(paths: list[str]) -> dict[str, set[int]]:
    """path -> the revision numbers of the ``(rev N)`` markers it holds, for the files holding any."""
    found = {}
    for path in paths:
        with open(path, "rb") as fh:
            numbers = {int(n) for n in _ANY_MARKER.findall(fh.read())}
        if numbers:
            found[path] = numbers
    return found


def _split_header(text: str) -> tuple[str, str]:
    """(leading comment and blank lines, the YAML after them)."""
    lines = text.splitlines(keepends=True)
    n = 0
    while n < len(lines) and (lines[n].startswith("#") or not lines[n].strip()):
        n += 1
    return "".join(lines[:n]), "".join(lines[n:])


class DigestNoteEdit:
    """The note of the first entry of a digest site's newest edition."""

    def __init__(self, site: Path):
        editions = sorted((site / "content" / "editions").glob("*.yaml"))
        if not editions:
            raise SystemExit(f"{site}: no content/editions/*.yaml to edit")
        dated = []
        for path in editions:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
            dated.append((str(data.get("date", "")), path.name, path))
        self.path = max(dated)[2]
        header, body = _split_header(self.path.read_text(encoding="utf-8"))
        data = yaml.load(body, Loader=_Loader)
        if dump_yaml(data) != body:
            raise SystemExit(f"{self.path}: not as the bench generators write it (rewriting it would change "
                             "more than one note); write the site again with bench/make_iclr2021.py or "
                             "bench/convert_shared.py")
        entry = data["entries"][0]
        if not isinstance(entry.get("note"), dict) or not entry["note"]:
            raise SystemExit(f"{self.path}: its first entry has no note to edit")
        self.paper: str = entry["paper"]
        self.label = f"{self.path.relative_to(site).as_posix()}, note of {self.paper}"

    def _rewrite(self, change) -> str:
        header, body = _split_header(self.path.read_text(encoding="utf-8"))
        data = yaml.load(body, Loader=_Loader)
        note = data["entries"][0]["note"]
        for lang, text in note.items():
            note[lang] = change(text)
        self.path.write_text(header + dump_yaml(data), encoding="utf-8")
        return next(iter(note.values()))

    def apply(self) -> str:
        """Edit the note; returns its new marker, ``(rev N)``."""
        return marker_of(self._rewrite(bumped))

    def restore(self) -> None:
        self._rewrite(unmarked)


class MarkdownEdit:
    """The last non-blank line of each of ``paths``, edited the same way."""

    def __init__(self, paths: list[Path], label: str):
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise SystemExit(f"no such file to edit: {', '.join(missing)}")
        self.paths, self.label = paths, label

    def _rewrite(self, change) -> str:
        text = ""
        for path in self.paths:
            lines = path.read_text(encoding="utf-8").split("\n")
            last = max(i for i, line in enumerate(lines) if line.strip())
            lines[last] = text = change(lines[last])
            path.write_text("\n".join(lines), encoding="utf-8")
        return text

    def apply(self) -> str:
        """Edit the files; returns the new marker, ``(rev N)``."""
        return marker_of(self._rewrite(bumped))

    def restore(self) -> None:
        self._rewrite(unmarked)
