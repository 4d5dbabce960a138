"""Read one curated YAML file into position-carrying nodes, refusing what curated files never need.

Why PyYAML and not ruamel.yaml: curated files are read on every build and edited by
tools (``digest add``). Reading uses PyYAML's libyaml-backed composer (``CSafeLoader``):
it gives every node its line and column and loads several times faster than ruamel.yaml
(BENCHMARKS.md, "YAML loaders"), which matters for large roundups. ruamel.yaml's selling point, round-trip edits that keep
comments, does not go far enough for us: its dump re-spaces flow collections and re-wraps
long lines, so a curator's diff would show lines nobody touched. Tool edits are therefore
insertions of new lines at positions this module reports (see :mod:`digest.content.edit`), which
leave every existing byte alone.

We work on composed nodes, not constructed Python values, so that

* every problem has a line and column;
* the text a curator typed is kept (``1710.10570`` stays that, not the float 1710.1057);
* types are decided by the schema, not by YAML 1.1's implicit rules (``no`` is not False
  in a note);
* duplicate keys, anchors, aliases and several documents are reported instead of silently
  resolved (aliases are refused before anything walks the tree, so an alias bomb never expands).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from digest.core.encodings import other_encoding, reads_as_gbk
from digest.core.errors import Loc, Problem

try:  # the C loader is part of PyYAML's wheels; fall back to the pure one if absent
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader  # type: ignore[misc]

#: Largest curated file read, checked before parsing. An edition of a few hundred entries
#: with long notes stays well below it.
MAX_FILE_BYTES = 1024 * 1024

Node = yaml.Node
STR = "tag:yaml.org,2002:str"
NULL = "tag:yaml.org,2002:null"
BOOL = "tag:yaml.org,2002:bool"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
TIMESTAMP = "tag:yaml.org,2002:timestamp"


@dataclass
class Document:
    """A parsed file: its root node (None when unusable) and the problems found reading it."""

    rel: str
    root: Node | None
    problems: list[Problem]


def loc_of(rel: str, node_or_mark) -> Loc:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    if mark is None:
        return Loc(rel)
    return Loc(rel, mark.line + 1, mark.column + 1)


def read(path: Path, rel: str) -> Document:
    """Read and parse ``path``; ``rel`` is how messages name it."""
    problems: list[Problem] = []

    def fail(line: int, col: int, message: str, hint: str) -> Document:
        problems.append(Problem(Loc(rel, line, col), "", message, hint))
        return Document(rel, None, problems)

    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return fail(
                0, 0,
                f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes (1 MiB)",
                "split it into several editions",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        return fail(0, 0, "file not found", "create it, or run digest from the site's folder")
    except OSError as exc:
        return fail(0, 0, f"cannot read the file ({exc.strerror})", "check its permissions")

    other = other_encoding(data)
    if other is not None:
        return fail(1, 1, f"file is {other}, not UTF-8", "save it as UTF-8: in most editors, Save with Encoding, then UTF-8")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start:exc.start].decode("utf-8", errors="replace")) + 1
        what = f"byte 0x{data[exc.start]:02X} cannot be decoded"
        if reads_as_gbk(data):
            return fail(line, col, f"file is not UTF-8 but GBK, the Simplified Chinese Windows encoding: {what} as UTF-8",
                        "save it as UTF-8, or convert it with iconv -f GBK -t UTF-8")
        return fail(line, col, f"file is not UTF-8 ({what})", "save it as UTF-8")

    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")

    # Tabs are legal inside block scalars and after content, so they are only blamed when
    # the parser fails and a line is indented with one.
    tab_lines = [
        Problem(Loc(rel, number, len(line) - len(line.lstrip(" ")) + 1), "", "tab character in indentation",
                "indent with spaces; YAML does not allow tabs there")
        for number, line in enumerate(text.split("\n"), 1)
        if line.lstrip(" ").startswith("\t")
    ]

    if not _has_content(text):
        return fail(1, 1, "file is empty", "write the fields this file needs, or delete the file")

    try:
        if "&" in text or "*" in text:
            refused = _anchors_and_aliases(text, rel)
            if refused:
                return Document(rel, None, refused)
        documents = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        if tab_lines:
            return Document(rel, None, tab_lines)
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
            mark = exc.context_mark
            return fail(mark.line + 1, mark.column + 1, "YAML syntax error: this quoted text is never closed",
                        "add the closing quote")
        if exc.context and exc.context not in what:
            what = f"{exc.context}: {what}"
        return fail(mark.line + 1 if mark else 0, mark.column + 1 if mark else 0,
                    f"YAML syntax error: {what}", _syntax_hint(what))
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow
        # libyaml counts its position in bytes; the first such character is where it stopped
        at = max(text.find(chr(exc.character)), 0)
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return fail(line, col, f"character U+{exc.character:04X} is not allowed in a YAML file",
                    'remove it; a control character can be written in a text only as an escape in double '
                    'quotes, such as "\\x07"')
    except yaml.YAMLError as exc:  # pragma: no cover - every other libyaml error is marked
        return fail(0, 0, f"YAML syntax error: {exc}", "check the file's syntax")

    documents = [d for d in documents if d is not None]
    if not documents:
        return fail(1, 1, "file is empty", "write the fields this file needs, or delete the file")
    if len(documents) > 1:
        second = documents[1]
        return fail(
            second.start_mark.line + 1, second.start_mark.column + 1,
            f"file holds {len(documents)} YAML documents",
            "keep one document per file: remove the '---' separator and move the rest to its own file",
        )
    tags = _unknown_tags(documents[0], rel)
    if tags:
        return Document(rel, None, tags)
    return Document(rel, documents[0], problems)


#: The tags YAML gives a plain value, and the ones a curator may write to say the same
#: (``!!str 1710.10570``); any other tag (``!!python/object``, ``!custom``) is refused.
KNOWN_TAGS = frozenset({STR, NULL, BOOL, INT, FLOAT, TIMESTAMP, "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})
_STANDARD = "tag:yaml.org,2002:"


def _unknown_tags(root: Node, rel: str) -> list[Problem]:
    """A problem at every node whose tag is not one of :data:`KNOWN_TAGS`."""
    found, todo = [], [root]
    while todo:
        node = todo.pop()
        if node.tag not in KNOWN_TAGS:
            shown = "!!" + node.tag[len(_STANDARD):] if node.tag.startswith(_STANDARD) else node.tag
            found.append(Problem(loc_of(rel, node), "", f"unknown YAML tag '{_short(shown)}'",
                                 "remove it: curated files use no tags, the field's type says what a value is"))
        if isinstance(node, yaml.MappingNode):
            todo += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            todo += node.value
    return sorted(found, key=Problem.sort_key)


def _has_content(text: str) -> bool:
    for line in text.split("\n"):
        s = line.strip()
        if s and not s.startswith("#") and s not in ("---", "..."):
            return True
    return False


def _anchors_and_aliases(text: str, rel: str) -> list[Problem]:
    found: list[Problem] = []
    named: set[tuple[str, str]] = set()  # one message per anchor name and per alias name
    for event in yaml.parse(text, Loader=_Loader):
        what = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
        if not getattr(event, "anchor", None) or (what, event.anchor) in named:
            continue
        named.add((what, event.anchor))
        if what == "alias":
            found.append(Problem(loc_of(rel, event), "", f"alias '*{event.anchor}' is not allowed",
                                 "write the value out in full; curated files do not use anchors or aliases"))
        elif getattr(event, "anchor", None):
            found.append(Problem(loc_of(rel, event), "", f"anchor '&{event.anchor}' is not allowed",
                                 "write the value out in full; curated files do not use anchors or aliases"))
    return found


def _syntax_hint(what: str) -> str:
    if "mapping values are not allowed" in what:
        return "check this line's indentation, or put text that contains ': ' in quotes"
    if "could not find expected ':'" in what:
        return "each field is written 'name: value'; check the line above for a missing colon"
    if "did not find expected key" in what or "did not find expected '-'" in what:
        return "check the indentation: fields of one mapping line up under each other"
    if "found character that cannot start any token" in what:
        return "put text that starts with a special character (@, `, %) in quotes"
    return "check the indentation and quoting near this line"


def syntax_problem(text: str) -> str | None:
    """None when ``text`` parses as YAML, else what the parser says."""
    try:
        list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as exc:
        return str(exc)
    return None


# ----------------------------------------------------------------------------- node helpers


def kind_of(node: Node) -> str:
    """How a node is described in messages."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "nothing"
    if node.tag in (INT, FLOAT) and not node.style:
        return f"the number {node.value}"
    if node.tag == BOOL and not node.style:
        return f"the boolean {node.value}"
    return f"the text '{_short(node.value)}'"


def is_null(node: Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL and not node.style


def is_scalar(node: Node) -> bool:
    return isinstance(node, yaml.ScalarNode)


def is_mapping(node: Node) -> bool:
    return isinstance(node, yaml.MappingNode)


def is_sequence(node: Node) -> bool:
    return isinstance(node, yaml.SequenceNode)


def plain_non_string(node: Node) -> bool:
    """True when YAML reads an unquoted scalar as something other than text."""
    return isinstance(node, yaml.ScalarNode) and not node.style and node.tag in (INT, FLOAT, BOOL, TIMESTAMP)


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
