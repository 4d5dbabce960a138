"""``digest check --fix``: apply the Chinese copy-editing changes to the curated files, and
remove the control characters pages and feeds would drop (see :mod:`digest.checks.texts`).

Only the characters the linter changes are rewritten; every other byte of the file stays
as it was (comments, quoting, spacing, line ends, a byte order mark). For each text:

1. map its value onto the file (:mod:`digest.content.sourcemap`); a style with no exact mapping
   (a folded ``>`` block, a plain or quoted scalar over several lines) is left alone and
   reported, never re-serialised;
2. turn the linter's edits into edits of the source, written the way the scalar's style
   needs (``''`` in single quotes, ``\\"`` and ``\\\\`` in double quotes; a line break is never
   inserted or removed);
3. parse the edited file with the same loader ``digest check`` uses and compare every
   value in it with what it should be: the fixed text changed as intended and nothing else
   changed. A text whose edit fails this is left alone and reported.

Texts are edited from the end of the file backwards, so the offsets of the ones still to
do stay valid; all of a file's edits are verified together, and one by one only when that
fails. The file is written once, atomically, and read back.
"""

from __future__ import annotations

import difflib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digest.checks.texts import CHINESE, Source, Text, corrected, project_sources
from digest.content import yamlload as Y
from digest.content.project import Project
from digest.content.sourcemap import SourceMap
from digest.content.validate import PLACEHOLDER
from digest.core.errors import DigestError, Problem
from digest.core.files import atomic_write
from digest.core.text import printable


@dataclass(frozen=True)
class FixReport:
    """What ``--fix`` did: texts rewritten per file, and texts it would not touch."""

    fixed: dict[str, list[str]]
    refused: list[Problem]


def fix_texts(project: Project) -> FixReport:
    """Rewrite every text the copy-editing and control-character checks report (each unless
    its policy is ignore)."""
    fixed: dict[str, list[str]] = {}
    refused: list[Problem] = []
    copyedit = project.site.policies.copyediting != "ignore"
    controls = project.site.policies.control_characters != "ignore"
    if not (copyedit or controls):
        return FixReport(fixed, refused)
    for source in project_sources(project):
        done, skipped = fix_source(source, copyedit=copyedit, controls=controls)
        if done:
            fixed[source.rel] = done
        refused += skipped
    return FixReport(fixed, refused)


def fix_source(source: Source, copyedit: bool = True, controls: bool = True) -> tuple[list[str], list[Problem]]:
    """Fix one file's texts; return the field paths fixed and a problem per text left alone.

    ``copyedit``: apply the copy-editing changes to zh texts; ``controls``: remove control
    characters from every text.
    """
    todo = []
    for text in source.scalars() if controls else source.texts():
        new = printable(text.value) if controls else text.value
        if copyedit and text.lang in CHINESE and not PLACEHOLDER.search(new):
            new = corrected(new, text.markdown)
        if new != text.value and text.smap is not None:  # (unmapped styles: reported by the check)
            todo.append((text, new))
    if not todo:
        return [], []
    current, done, skipped = source.text, [], []
    if _mixed_line_ends(source.path.read_bytes()):
        return [], [Problem(text.loc(), text.path, "--fix left this text alone: the file mixes line ends",
                            "save the file with one kind of line end and run digest check --fix again",
                            severity="warning") for text, _ in todo]
    expected = _values(source.root)
    todo.sort(key=lambda t: (t[0].node.start_mark.line, t[0].node.start_mark.column), reverse=True)
    together = _apply(source, source.text, expected, todo)  # usually all at once, verified once
    if together is not None:
        current, done = together[0], [text.path for text, _ in todo]
    else:  # one at a time, keeping those that verify
        for text, new in todo:
            one = _apply(source, current, expected, [(text, new)])
            if one is not None:
                current, expected = one
                done.append(text.path)
            else:
                skipped.append(Problem(text.loc(), text.path,
                                       "--fix left this text alone: the edited file would not read back the same",
                                       "apply the change by hand", severity="warning"))
    if done:
        _write(source, current)
    return sorted(done), sorted(skipped, key=Problem.sort_key)


def _apply(source: Source, current: str, expected: dict, todo: list[tuple[Text, str]]) -> tuple[str, dict] | None:
    """``current`` with every text of ``todo`` rewritten (in file order from the end), and the
    values the result holds; None unless the result parses to exactly those values."""
    want = dict(expected)
    for text, new in todo:
        edited = _rewrite(current, text, new)
        if edited is None:
            return None
        current = edited
        want[_key_of(text.node, source.root)] = (text.node.tag, new)
    return (current, want) if _values(_parse(current, source.rel)) == want else None


def _rewrite(text: str, item: Text, new: str) -> str | None:
    """``text`` with ``item``'s value changed to ``new`` by editing only the changed characters."""
    smap = item.smap
    if smap is None:
        return None
    ops = difflib.SequenceMatcher(None, item.value, new, autojunk=False).get_opcodes()
    for op, i1, i2, j1, j2 in reversed(ops):
        if op == "equal":
            continue
        written = _encode(new[j1:j2], smap)
        if written is None:
            return None
        if op == "insert":
            start = end = smap.offset_before(i1)
            if start is None:
                return None
        else:
            spans = smap.spans[i1:i2]
            if any(span is None for span in spans):
                return None  # a line break of a block scalar: not rewritten
            start, end = spans[0][0], spans[-1][1]
            if text[start:end] != "".join(text[a:b] for a, b in spans):
                return None
        text = text[:start] + written + text[end:]
    return text


def _encode(chars: str, smap: SourceMap) -> str | None:
    if "\n" in chars or "\r" in chars:
        return None
    if smap.style == "'":
        return chars.replace("'", "''")
    if smap.style == '"':
        return chars.replace("\\", "\\\\").replace('"', '\\"')
    return chars


def _parse(text: str, rel: str) -> Y.Node | None:
    """Parse ``text`` with the loader digest check uses (it reads files, so via a temporary one)."""
    with tempfile.TemporaryDirectory(prefix="digest-fix-") as folder:
        path = Path(folder) / "edited.yaml"
        path.write_bytes(text.encode("utf-8"))
        doc = Y.read(path, rel)
    return doc.root if not doc.problems else None


def _values(node: Y.Node | None, path: tuple = ()) -> dict[tuple, tuple[str, str]]:
    """Every scalar of a document by its position in the tree: ``(tag, value)``."""
    if node is None:
        return {}
    if Y.is_scalar(node):
        return {path: (node.tag, node.value)}
    out: dict[tuple, tuple[str, str]] = {}
    if Y.is_mapping(node):
        for i, (key, value) in enumerate(node.value):
            out.update(_values(key, (*path, i, "key")))
            out.update(_values(value, (*path, i, "value")))
    else:
        for i, item in enumerate(node.value):
            out.update(_values(item, (*path, i)))
    return out


def _key_of(target: Y.Node, root: Y.Node) -> tuple:
    def find(node: Y.Node, path: tuple) -> tuple | None:
        if node is target:
            return path
        if Y.is_mapping(node):
            for i, (_key, value) in enumerate(node.value):
                found = find(value, (*path, i, "value"))
                if found is not None:
                    return found
        elif Y.is_sequence(node):
            for i, item in enumerate(node.value):
                found = find(item, (*path, i))
                if found is not None:
                    return found
        return None

    found = find(root, ())
    if found is None:  # pragma: no cover - the text came from this tree
        raise DigestError(f"{target.start_mark}: internal error: text not found in its file")
    return found


def _mixed_line_ends(raw: bytes) -> bool:
    crlf = raw.count(b"\r\n")
    return b"\r" in raw and (crlf != raw.count(b"\n") or crlf != raw.count(b"\r"))


def _write(source: Source, text: str) -> None:
    """Write the edited text with the file's own line ends and byte order mark, then read it back."""
    raw = source.path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    body = raw[3:] if bom else raw
    if b"\r" in body:
        text = text.replace("\n", "\r\n")
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")
    atomic_write(source.path, data)
    doc = Y.read(source.path, source.rel)
    if doc.root is None or _values(doc.root) != _values(_parse(text.replace("\r\n", "\n"), source.rel)):
        atomic_write(source.path, raw)  # pragma: no cover - verified before writing
        raise DigestError(f"{source.rel}: error: the fixed file did not read back; it was restored as it was")
