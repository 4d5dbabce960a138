"""Tool edits of curated files: ``digest new`` writes an edition, ``digest add`` appends entries.

``add`` must leave everything a curator wrote exactly as it was: comments, key order,
quoting, flow lists, blank lines and odd spacing. A round-trip dump (ruamel.yaml) keeps
comments and order but re-spaces flow collections and may re-wrap long lines, so the
diff would show lines nobody touched. We therefore parse the file (positions from
:mod:`digest.content.yamlload`), find where the ``entries`` list ends and how its items are
indented, and insert the new entries' lines there, byte for byte leaving the rest alone.
The result is parsed again and checked before it replaces the file (atomically).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from digest.content import yamlload as Y
from digest.core.errors import ContentError, DigestError, Loc, Problem
from digest.core.files import atomic_write
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.languages import DERIVED
from digest.core.models import Entry, fields_of

MODELINE = "# yaml-language-server: $schema=../../schema/edition.schema.json"


def new_edition_text(slug: str, day: date, conference: str, languages: tuple[str, ...]) -> str:
    """The text of a fresh edition file, with placeholders ``digest check`` flags until replaced
    (none for a derived language: its text comes from its source's)."""
    languages = written_languages(languages)
    names = {"en": ("<<the English title>>", "<<an English introduction: dates, venue, what this edition covers>>"),
             "zh": ("<<中文标题>>", "<<中文导语：时间、会议、本期内容>>")}
    lines = [MODELINE, f"# Edition {slug}: write the titles and intros, then add papers with", f"#   digest add {slug} <reference or URL> --category <key>",
             f"date: {day.isoformat()}", f"conference: {conference}", "draft: true", "title:"]
    lines += [f"  {lang}: \"{names.get(lang, names['en'])[0]}\"" for lang in languages]
    lines.append("intro:")
    lines += [f"  {lang}: \"{names.get(lang, names['en'])[1]}\"" for lang in languages]
    lines.append("entries: []")
    return "\n".join(lines) + "\n"


def written_languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The languages a curator writes: all but those derived from another one of them."""
    return tuple(lang for lang in languages if DERIVED.get(lang) not in languages)


def create_edition(root: Path, slug: str, day: date, conference: str, languages: tuple[str, ...]) -> Path:
    path = Path(root) / "content" / "editions" / f"{slug}.yaml"
    if path.exists():
        raise DigestError(f"content/editions/{slug}.yaml already exists (pick another name, or edit that file)")
    atomic_write(path, new_edition_text(slug, day, conference, languages).encode("utf-8"))
    return path


@dataclass(frozen=True)
class NewEntry:
    ref: PaperRef
    category: str
    tags: tuple[str, ...] = ()


def parse_refs(texts: list[str]) -> list[PaperRef]:
    refs, problems = [], []
    for i, text in enumerate(texts, 1):
        try:
            refs.append(parse_ref(text))
        except RefError as exc:
            problems.append(Problem(Loc("command line"), f"reference {i}", exc.message, exc.hint))
    if problems:
        raise ContentError(problems)
    return refs


def entry_lines(entry: NewEntry, dash_col: int, key_col: int, languages: tuple[str, ...]) -> list[str]:
    pad, key = " " * dash_col, " " * key_col
    lines = [f"{pad}-{' ' * (key_col - dash_col - 1)}paper: {entry.ref}",
             f"{key}category: {entry.category}"]
    if entry.tags:
        lines.append(f"{key}tags: [{', '.join(entry.tags)}]")
    lines.append(f"{key}note:")
    hints = {"en": "<<your note in English>>", "zh": "<<中文点评>>"}
    lines += [f"{key}  {lang}: \"{hints.get(lang, hints['en'])}\"" for lang in written_languages(languages)]
    return lines


def append_entries(path: Path, rel: str, entries: list[NewEntry], languages: tuple[str, ...]) -> list[PaperRef]:
    """Append ``entries`` to the edition at ``path``; return the refs skipped as already present."""
    doc = Y.read(path, rel)
    if doc.root is None:
        raise ContentError(doc.problems)
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3 if bom else 0:].decode("utf-8")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")

    seq_key, seq = _entries_node(doc.root)
    if seq_key is None:
        raise ContentError([Problem(Loc(rel, 1, 1), "entries", "the edition has no entries list",
                                    "add a line 'entries: []' and run digest add again")])
    if not Y.is_sequence(seq):
        raise ContentError([Problem(Y.loc_of(rel, seq), "entries", f"expected a list, found {Y.kind_of(seq)}",
                                    "start each item with '- '")])
    present = {_ref_of(item) for item in seq.value}
    skipped = [e.ref for e in entries if e.ref.unversioned in present]
    todo = []
    for e in entries:
        if e.ref.unversioned not in present:
            todo.append(e)
            present.add(e.ref.unversioned)
    if not todo:
        return skipped

    if seq.flow_style or not seq.value:
        # `entries: []` (or another flow list): becomes a block list under the key
        if seq.value:
            raise ContentError([Problem(Y.loc_of(rel, seq), "entries", "entries is written as a flow list [...]",
                                        "write one '- paper: …' item per line, then run digest add again")])
        line_no = seq.start_mark.line
        line = lines[line_no]
        lines[line_no] = line[: seq.start_mark.column].rstrip() + line[seq.end_mark.column:]
        dash_col = seq_key.start_mark.column + 2
        new = [ln for e in todo for ln in entry_lines(e, dash_col, dash_col + 2, languages)]
        lines[line_no + 1:line_no + 1] = new
    else:
        first = seq.value[0]
        dash_col = _dash_column(lines, first)
        key_col = first.start_mark.column
        last_line = _last_content_line(lines, seq.value[-1], key_col)
        new = [ln for e in todo for ln in entry_lines(e, dash_col, key_col, languages)]
        lines[last_line + 1:last_line + 1] = new

    out = newline.join(lines)
    data = (b"\xef\xbb\xbf" if bom else b"") + out.encode("utf-8")
    _check_parses(data, rel)
    atomic_write(path, data)
    return skipped


def _entries_node(root: Y.Node):
    if Y.is_mapping(root):
        for key, value in root.value:
            if Y.is_scalar(key) and key.value == "entries":
                return key, value
    return None, None


def _ref_of(item: Y.Node) -> PaperRef | None:
    if Y.is_mapping(item):
        for key, value in item.value:
            if Y.is_scalar(key) and key.value == "paper" and Y.is_scalar(value):
                try:
                    return parse_ref(value.value).unversioned
                except RefError:
                    return None
    return None


def _dash_column(lines: list[str], item: Y.Node) -> int:
    line = lines[item.start_mark.line]
    before = line[: item.start_mark.column]
    return before.rstrip().rfind("-") if "-" in before else max(item.start_mark.column - 2, 0)


def _last_content_line(lines: list[str], node: Y.Node, key_col: int) -> int:
    """The last line holding the node's own text, not the blank lines or the comments at the
    item's level that follow it (a deeper '#' line is text inside a block scalar)."""
    end = min(node.end_mark.line, len(lines) - 1)
    if node.end_mark.column == 0:
        end -= 1

    def outside(line: str) -> bool:
        stripped = line.lstrip(" ")
        return not stripped or (stripped.startswith("#") and len(line) - len(stripped) <= key_col)

    while end > node.start_mark.line and outside(lines[end]):
        end -= 1
    return end


def _check_parses(data: bytes, rel: str) -> None:
    problem = Y.syntax_problem(data.decode("utf-8-sig"))
    if problem:  # pragma: no cover - would be a bug in the insertion above
        raise DigestError(f"{rel}: error: the edited file would not parse ({problem}); the file was left unchanged")


def insert_translation(path: Path, rel: str, ref: PaperRef, field: str, lang: str, text: str) -> None:
    """Write ``text`` as the curator's ``field.lang`` of the entry of ``ref`` (``digest translate
    --approve``), inserting lines and leaving every other byte of the file as it was.

    The text goes in as a ``|`` block (a field of plain text, such as the title or the TL;DR:
    one double-quoted line) under the entry's ``field:`` mapping, after what it holds, or under a new ``field:`` key after the entry's
    last line. Refused when the entry already has text in ``lang`` for the field (the
    curator's words win) or writes the field in flow style.
    """
    import json

    markdown = next(f for f in fields_of(Entry) if f.name == field).metadata["kind"].markdown
    doc = Y.read(path, rel)
    if doc.root is None:
        raise ContentError(doc.problems)
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    source = raw[3 if bom else 0:].decode("utf-8")
    newline = "\r\n" if "\r\n" in source else "\n"
    lines = source.replace("\r\n", "\n").split("\n")
    _, seq = _entries_node(doc.root)
    items = [item for item in (seq.value if seq is not None and Y.is_sequence(seq) else []) if _ref_of(item) == ref.unversioned]
    if not items:
        raise DigestError(f"{rel}: error: no entry for {ref} (name the edition that holds it)")
    item = items[0]
    key_col = item.start_mark.column
    found = next(((k, v) for k, v in item.value if Y.is_scalar(k) and k.value == field), None)

    def block(col: int) -> list[str]:
        pad = " " * col
        if not markdown:
            return [f"{pad}{lang}: {json.dumps(text.strip(), ensure_ascii=False)}"]
        return [f"{pad}{lang}: |", *[(pad + "  " + ln) if ln.strip() else "" for ln in text.strip().split("\n")]]

    if found is None:
        at = _block_end(lines, item.start_mark.line, key_col)
        new = [" " * key_col + f"{field}:", *block(key_col + 2)]
    else:
        key, value = found
        if not Y.is_mapping(value) or value.flow_style:
            raise ContentError([Problem(Y.loc_of(rel, value), f"{field}", "expected a mapping of one text per language in block style",
                                        f"write {field}: on its own line with one language per line below it, then approve again")])
        if any(Y.is_scalar(k) and k.value == lang for k, _ in value.value):
            raise ContentError([Problem(Y.loc_of(rel, key), f"{field}.{lang}", "the curator has written this text already",
                                        "edit it in the file; a machine draft never replaces the curator's words")])
        inner = value.value[0][0].start_mark.column if value.value else key_col + 2
        at = _block_end(lines, key.start_mark.line, inner)
        new = block(inner)
    lines[at + 1:at + 1] = new
    data = (b"\xef\xbb\xbf" if bom else b"") + newline.join(lines).encode("utf-8")
    _check_parses(data, rel)
    atomic_write(path, data)


def _block_end(lines: list[str], first: int, col: int) -> int:
    """The last line of the block that starts on line ``first`` and holds the lines indented
    ``col`` or more below it (blank lines and comments after it are not part of it)."""
    end = first
    for i in range(first + 1, len(lines)):
        stripped = lines[i].lstrip(" ")
        indent = len(lines[i]) - len(stripped)
        if not stripped or (stripped.startswith("#") and indent < col):
            continue  # a blank line, or a comment of an outer level
        if indent < col:
            break
        end = i
    return end
