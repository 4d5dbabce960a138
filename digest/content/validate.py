"""Checking composed YAML nodes against the model declarations, one file at a time.

A :class:`Validator` walks a file's nodes guided by each field's kind (see
:mod:`digest.core.kinds`), collects a :class:`~digest.core.errors.Problem` for everything wrong
(with line, column and field path), records where each field was written, and builds the
frozen model objects when a part has no errors.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from digest.content import yamlload as Y
from digest.core import kinds as K
from digest.core.errors import Loc, Problem
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.kinds import did_you_mean
from digest.core.languages import DERIVED, language_hint
from digest.core.models import Entry, Policies, fields_of

#: Placeholders written by ``digest new`` and ``digest add``: <<what to write here>>.
PLACEHOLDER = re.compile(r"<<[^<>\n]*>>")
#: How YAML reads an unquoted scalar, by its resolved tag (see :class:`~digest.core.kinds.Written`).
_PLAIN_TYPES = {Y.NULL: "null", Y.BOOL: "bool", Y.INT: "int", Y.FLOAT: "float", Y.TIMESTAMP: "timestamp"}


class Validator:
    """Checks one file's nodes against a model class, collecting problems and locations."""

    def __init__(self, root: Path, rel: str, problems: list[Problem], *, languages: tuple[str, ...],
                 categories: tuple[str, ...], policies: Any = None, check_categories: bool = True,
                 draft: bool = False):
        self.rel = rel
        self.draft = draft
        self.problems = problems
        self.languages = languages
        self.context = K.Context(root, categories if check_categories else None)
        self.policies = policies if policies is not None else Policies()
        self.locs: dict[str, Loc] = {}
        self.failed = False

    # -- reporting

    def error(self, node_or_mark: Any, path: str, message: str, hint: str = "") -> None:
        self.failed = True
        self.problems.append(Problem(Y.loc_of(self.rel, node_or_mark), path, message, hint))

    def policy(self, name: str, node: Any, path: str, message: str, hint: str) -> None:
        level = getattr(self.policies, name)
        if level == "ignore":
            return
        if level == "error" and self.draft:  # said, but stops nothing: the value is kept
            level, hint = "warning", draft_hint(hint)
        if level == "error":
            self.failed = True
        self.problems.append(Problem(Y.loc_of(self.rel, node), path, message, hint, severity=level))

    # -- objects

    def build(self, node: Y.Node, cls: type, path: str) -> Any:
        """Check ``node`` as an instance of ``cls``; return the instance, or None if it has errors."""
        before = len([p for p in self.problems if p.severity == "error"])
        values = self._object(node, cls, path)
        after = len([p for p in self.problems if p.severity == "error"])
        if values is None or after > before:
            return None
        return cls(**values)

    def _object(self, node: Y.Node, cls: type, path: str) -> dict[str, Any] | None:
        if not Y.is_mapping(node):
            self.error(node, path, f"expected a mapping of fields, found {Y.kind_of(node)}",
                       "write one 'name: value' per line")
            return None
        specs = {f.name: f for f in fields_of(cls)}
        values: dict[str, Any] = {}
        seen: dict[str, Y.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if Y.is_scalar(key_node) else None
            key_path = _join(path, str(key))
            if key is None or not isinstance(key, str):
                self.error(key_node, path, "a field name must be plain text", "write 'name: value'")
                continue
            if self._repeated(key_node, key, seen, key_path):
                continue
            spec = specs.get(key)
            if spec is None:
                self.error(key_node, key_path, f"unknown field '{key}'", did_you_mean(key, list(specs)))
                continue
            self.locs[key_path] = Y.loc_of(self.rel, value_node)
            value = self._value(value_node, spec, key_path)
            if value is not _BAD:
                values[spec.name] = value
        for name, spec in specs.items():
            required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            if required and name not in seen:
                self.error(node, _join(path, name), f"missing required field '{name}'",
                           f"add {name}: {spec.metadata['kind'].example}")
        return values

    def _value(self, node: Y.Node, spec: dataclasses.Field, path: str) -> Any:
        kind = spec.metadata["kind"]
        optional = spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING
        if Y.is_null(node):
            if optional:
                return spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
            self.error(node, path, "is empty", f"write a value: {kind.example}")
            return _BAD
        if isinstance(kind, K.Nested):
            return self._nested(node, kind, path)
        if isinstance(kind, K.PerLanguage):
            return self._localized(node, spec, path)
        if isinstance(kind, K.Terms):
            return self._terms(node, path)
        if isinstance(kind, K.ListOf):
            if not Y.is_sequence(node):
                self.error(node, path, f"expected a list, found {Y.kind_of(node)}",
                           "write it as [a, b] or one '- item' per line")
                return _BAD
            out = []
            for i, item in enumerate(node.value):
                got = self._scalar(item, kind.item, f"{path}[{i}]")
                if got is not _BAD:
                    out.append(got)
            return tuple(out)
        return self._scalar(node, kind, path)

    def _nested(self, node: Y.Node, kind: K.Nested, path: str) -> Any:
        if not kind.many:
            result = self.build(node, kind.model, path)
            return _BAD if result is None else result
        if not Y.is_sequence(node):
            self.error(node, path, f"expected a list, found {Y.kind_of(node)}", "start each item with '- '")
            return _BAD
        items = []
        for i, item in enumerate(node.value):
            item_path = f"{path}[{i}]"
            self.locs[item_path] = Y.loc_of(self.rel, item)
            built = self.build(item, kind.model, item_path)
            if built is not None:
                if hasattr(built, "loc"):
                    built = dataclasses.replace(built, loc=Y.loc_of(self.rel, item))
                items.append(built)
        if kind.model is Entry:
            self._unique_papers(node, items, path)
        return tuple(items)

    def _scalar(self, node: Y.Node, kind: K.Scalar, path: str) -> Any:
        if not Y.is_scalar(node):
            self.error(node, path, *kind.mismatch(Y.kind_of(node)))
            return _BAD
        text = node.value
        marker = PLACEHOLDER.search(text) if kind.placeholder else None
        if marker:
            message, hint = f"placeholder {marker.group(0)} is still there", "replace it with the real value"
            if kind.placeholder == "policy" or (kind.placeholder == "draft" and self.draft):
                self.policy("placeholder", node, path, message, hint)
                return text
            self.error(node, path, message, hint)  # a key or a date cannot stand in for itself
            return _BAD
        plain = "str" if node.style else _PLAIN_TYPES.get(node.tag, "str")
        try:
            return kind.parse(K.Written(text, plain, node, Y.kind_of), self.context)
        except K.Invalid as exc:
            self.error(node, path, exc.message, exc.hint)
            return _BAD

    def _repeated(self, key_node: Y.Node, key: str, seen: dict[str, Y.Node], path: str, what: str = "key") -> bool:
        """True (and reported) when ``key`` was already written in this mapping; else remembered."""
        if key in seen:
            self.error(key_node, path, f"duplicate {what} '{key}' (first written on line {seen[key].start_mark.line + 1})",
                       "keep one of them")
            return True
        seen[key] = key_node
        return False

    def _terms(self, node: Y.Node, path: str) -> Any:
        if not Y.is_mapping(node):
            self.error(node, path, f"expected a mapping of terms, found {Y.kind_of(node)}",
                       "write one 'Simplified: Traditional' pair per line, such as 参数: 參數")
            return _BAD
        out: dict[str, str] = {}
        seen: dict[str, Y.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if Y.is_scalar(key_node) else ""
            if not key.strip() or Y.plain_non_string(key_node):
                self.error(key_node, path, "a term must be text", "write 'Simplified: Traditional', such as 参数: 參數")
                continue
            term_path = f"{path}.{key}"
            if self._repeated(key_node, key, seen, term_path, "term"):
                continue
            if not Y.is_scalar(value_node) or Y.is_null(value_node) or not value_node.value.strip():
                self.error(value_node, term_path, "has no Traditional form", f"write it after the colon, such as {key}: …")
                continue
            out[key] = value_node.value.strip()
        return out

    def _localized(self, node: Y.Node, spec: dataclasses.Field, path: str) -> Any:
        kind = spec.metadata["kind"]
        if not Y.is_mapping(node):
            self.error(node, path, f"expected text per language, found {Y.kind_of(node)}",
                       f"write one line per language, such as {self.languages[0]}: …")
            return _BAD
        out: dict[str, str] = {}
        seen: dict[str, Y.Node] = {}
        unknown = False
        for key_node, value_node in node.value:
            lang = key_node.value if Y.is_scalar(key_node) else ""
            lang_path = f"{path}.{lang}"
            if self._repeated(key_node, lang, seen, lang_path):
                continue
            if lang not in self.languages:
                unknown = True
                self.error(key_node, lang_path, f"unknown language '{lang}'", language_hint(lang, self.languages))
                continue
            self.locs[lang_path] = Y.loc_of(self.rel, value_node)
            if Y.is_null(value_node):
                continue
            got = self._scalar(value_node, kind.text, lang_path)
            if got is not _BAD:
                out[lang] = got
        if spec.metadata.get("translate", True) and out and not unknown:
            for lang in self.languages:
                # text of a derived language is converted from its source, not missing
                if lang not in out and DERIVED.get(lang) not in self.languages:
                    self.policy("missing_translation", node, f"{path}.{lang}",
                                f"missing the {lang} translation",
                                f"add {lang}: under {path.rsplit('.', 1)[-1]}")
        return out

    def _unique_papers(self, seq: Y.Node, entries: list, path: str) -> None:
        first: dict[PaperRef, int] = {}
        index_of = {id(n): i for i, n in enumerate(seq.value)}
        nodes = {}
        for item in seq.value:
            if Y.is_mapping(item):
                for k, v in item.value:
                    if Y.is_scalar(k) and k.value == "paper":
                        nodes[id(item)] = v
        for item in seq.value:
            v = nodes.get(id(item))
            if v is None or not Y.is_scalar(v) or Y.plain_non_string(v):
                continue
            try:
                ref = parse_ref(v.value).unversioned
            except RefError:
                continue
            i = index_of[id(item)]
            if ref in first:
                j = first[ref]
                self.error(v, f"{path}[{i}].paper",
                           f"{ref} is already {path}[{j}] (line {seq.value[j].start_mark.line + 1})",
                           "remove one of the two entries")
            else:
                first[ref] = i

    def unique(self, root: Y.Node, list_field: str, key_field: str, what: str) -> None:
        seq = dict((k.value, v) for k, v in root.value if Y.is_scalar(k)).get(list_field)
        if seq is None or not Y.is_sequence(seq):
            return
        seen: dict[str, int] = {}
        for i, item in enumerate(seq.value):
            if not Y.is_mapping(item):
                continue
            for k, v in item.value:
                if Y.is_scalar(k) and k.value == key_field and Y.is_scalar(v):
                    if v.value in seen:
                        self.error(v, f"{list_field}[{i}].{key_field}",
                                   f"{what} '{v.value}' is already defined at {list_field}[{seen[v.value]}]",
                                   f"give each {what} its own {key_field}")
                    else:
                        seen[v.value] = i


#: Added to the hint of a problem of a draft edition, reported as a warning.
DRAFT_HINT = "the edition is a draft: this stops nothing until it is published"


def draft_hint(hint: str) -> str:
    """``hint`` of a problem that would be an error if its edition were not a draft."""
    return f"{hint}; {DRAFT_HINT}" if hint else DRAFT_HINT


class _Bad:
    def __repr__(self) -> str:
        return "<invalid>"


_BAD = _Bad()


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
