"""Checking composed YAML nodes against the model declarations, one file at a time.

A :class:`Validator` walks a file's nodes guided by each field's ``kind`` (see
:mod:`digest.core.models`), collects a :class:`~digest.core.errors.Problem` for everything wrong
(with line, column and field path), records where each field was written, and builds the
frozen model objects when a part has no errors.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
import typing
from datetime import date
from pathlib import Path
from typing import Any

from digest.content import yamlload as Y
from digest.core.errors import Loc, Problem
from digest.core.ids import PaperRef, RefError, is_http_url, parse_ref
from digest.core.models import DERIVED, LANGUAGES, Policies, fields_of
from digest.core.schemes import OPENREVIEW, SCHEMES

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
#: The date of a tag: URI (RFC 4151): YYYY, YYYY-MM or YYYY-MM-DD.
TAG_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")
POLICIES = ("error", "warning", "ignore")
#: Placeholders written by ``digest new`` and ``digest add``: <<what to write here>>.
PLACEHOLDER = re.compile(r"<<[^<>\n]*>>")
#: Language codes curators are likely to write for a supported language.
LANGUAGE_ALIASES = {"cn": "zh", "zh-cn": "zh", "zh-hans": "zh", "zh_cn": "zh", "chinese": "zh", "english": "en", "en-us": "en",
                    "zh-hant": "zh-Hant", "zh_hant": "zh-Hant", "zh-tw": "zh-Hant", "zh_tw": "zh-Hant",
                    "zh-hk": "zh-Hant", "tw": "zh-Hant"}
CATEGORIES_FILE = "content/categories.yaml"


class Validator:
    """Checks one file's nodes against a model class, collecting problems and locations."""

    def __init__(self, root: Path, rel: str, problems: list[Problem], *, languages: tuple[str, ...],
                 categories: tuple[str, ...], policies: Any = None, check_categories: bool = True):
        self.root = root
        self.rel = rel
        self.problems = problems
        self.languages = languages
        self.categories = categories
        self.check_categories = check_categories
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
        hints = _type_hints(cls)
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
                self.error(key_node, key_path, f"unknown field '{key}'", _did_you_mean(key, list(specs)))
                continue
            self.locs[key_path] = Y.loc_of(self.rel, value_node)
            value = self._value(value_node, spec, hints[spec.name], key_path)
            if value is not _BAD:
                values[spec.name] = value
        for name, spec in specs.items():
            required = spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING
            if required and name not in seen:
                self.error(node, _join(path, name), f"missing required field '{name}'",
                           f"add {name}: {_example(spec.metadata['kind'])}")
        return values

    def _value(self, node: Y.Node, spec: dataclasses.Field, hint: Any, path: str) -> Any:
        kind = spec.metadata["kind"]
        optional = spec.default is not dataclasses.MISSING or spec.default_factory is not dataclasses.MISSING
        if Y.is_null(node):
            if optional:
                return spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()
            self.error(node, path, "is empty", f"write a value: {_example(kind)}")
            return _BAD
        if kind == "object":
            cls = _inner(hint)
            result = self.build(node, cls, path)
            return _BAD if result is None else result
        if kind == "list":
            cls = _inner(hint)
            if not Y.is_sequence(node):
                self.error(node, path, f"expected a list, found {Y.kind_of(node)}", "start each item with '- '")
                return _BAD
            items = []
            for i, item in enumerate(node.value):
                item_path = f"{path}[{i}]"
                self.locs[item_path] = Y.loc_of(self.rel, item)
                built = self.build(item, cls, item_path)
                if built is not None:
                    if hasattr(built, "loc"):
                        built = dataclasses.replace(built, loc=Y.loc_of(self.rel, item))
                    items.append(built)
            if cls.__name__ == "Entry":
                self._unique_papers(node, items, path)
            return tuple(items)
        if kind in ("ltext", "lmarkdown"):
            return self._localized(node, spec, path)
        if kind == "choice":
            return self._choice(node, spec.metadata["choices"], path)
        if kind == "terms":
            return self._terms(node, path)
        if kind in ("langs", "tags"):
            if not Y.is_sequence(node):
                self.error(node, path, f"expected a list, found {Y.kind_of(node)}",
                           "write it as [a, b] or one '- item' per line")
                return _BAD
            out = []
            for i, item in enumerate(node.value):
                got = self._scalar(item, "lang" if kind == "langs" else "slug", f"{path}[{i}]")
                if got is not _BAD:
                    out.append(got)
            return tuple(out)
        return self._scalar(node, kind, path)

    def _scalar(self, node: Y.Node, kind: str, path: str) -> Any:
        if not Y.is_scalar(node):
            self.error(node, path, f"expected {_expected(kind)}, found {Y.kind_of(node)}", f"write {_example(kind)}")
            return _BAD
        text = node.value
        marker = PLACEHOLDER.search(text)
        if marker:
            message, hint = f"placeholder {marker.group(0)} is still there", "replace it with the real value"
            if kind in ("text", "markdown"):
                self.policy("placeholder", node, path, message, hint)
                return text
            self.error(node, path, message, hint)  # a key or a date cannot stand in for itself
            return _BAD
        if kind == "bool":
            if node.tag == Y.BOOL and not node.style and text.lower() in ("true", "false"):
                return text.lower() == "true"
            self.error(node, path, f"expected true or false, found {Y.kind_of(node)}", "write true or false")
            return _BAD
        if kind == "int":
            if node.tag == Y.INT and not node.style and re.fullmatch(r"[1-9][0-9]*", text):
                return int(text)
            self.error(node, path, f"expected a whole number of 1 or more, found {Y.kind_of(node)}",
                       "write a number such as 10, without quotes")
            return _BAD
        if kind == "ref":
            if Y.plain_non_string(node):
                quoted = _quoted_ref(text)
                self.error(node, path, f"YAML reads {text} as a number, not a paper reference",
                           f"write it in quotes with its scheme: {quoted}")
                return _BAD
            try:
                return parse_ref(text)
            except RefError as exc:
                self.error(node, path, exc.message, exc.hint)
                return _BAD
        if not text.strip():
            self.error(node, path, "is empty", f"write {_example(kind)}")
            return _BAD
        if kind in ("text", "markdown"):
            return text
        if kind == "url":
            if is_http_url(text.strip()):
                return text.strip()
            self.error(node, path, f"'{text}' is not an http(s) URL", "write the full address, starting with https://")
            return _BAD
        if kind == "slug":
            if SLUG.match(text):
                return text
            self.error(node, path, f"'{text}' is not a valid key",
                       "use lower-case letters, digits and hyphens, as in model-compression")
            return _BAD
        if kind == "category":
            if not self.check_categories or text in self.categories:
                return text
            self.error(node, path, f"unknown category '{text}'",
                       _did_you_mean(text, list(self.categories), f"the keys are in {CATEGORIES_FILE}"))
            return _BAD
        if kind == "lang":
            code = text.strip()
            if code in LANGUAGES:
                return code
            self.error(node, path, f"unknown language '{code}'", _language_hint(code, tuple(LANGUAGES)))
            return _BAD
        if kind == "policy":
            if text in POLICIES:
                return text
            self.error(node, path, f"unknown policy '{text}'", _did_you_mean(text, list(POLICIES), "write error, warning or ignore"))
            return _BAD
        if kind == "date":
            return self._date(node, path)
        if kind == "tagdate":
            return self._tag_date(node, path)
        if kind == "image":
            return self._image(node, path)
        raise AssertionError(f"unknown kind {kind}")  # a model declaration bug, caught by tests

    def _repeated(self, key_node: Y.Node, key: str, seen: dict[str, Y.Node], path: str, what: str = "key") -> bool:
        """True (and reported) when ``key`` was already written in this mapping; else remembered."""
        if key in seen:
            self.error(key_node, path, f"duplicate {what} '{key}' (first written on line {seen[key].start_mark.line + 1})",
                       "keep one of them")
            return True
        seen[key] = key_node
        return False

    def _choice(self, node: Y.Node, choices: tuple[str, ...], path: str) -> Any:
        words = " or ".join((", ".join(choices[:-1]), choices[-1])) if len(choices) > 1 else choices[0]
        if not Y.is_scalar(node) or Y.plain_non_string(node):
            self.error(node, path, f"expected one of {', '.join(choices)}, found {Y.kind_of(node)}", f"write {words}")
            return _BAD
        text = node.value.strip()
        if text in choices:
            return text
        self.error(node, path, f"unknown value '{text}'", _did_you_mean(text, list(choices), f"write {words}"))
        return _BAD

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

    def _date(self, node: Y.Node, path: str) -> Any:
        text = node.value.strip()
        m = DATE.match(text)
        if not m:
            self.error(node, path, f"'{text}' is not a date", "write it as YYYY-MM-DD, such as 2018-02-10")
            return _BAD
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            self.error(node, path, f"{text} is not a date that exists: {exc}", "check the day and the month")
            return _BAD

    def _tag_date(self, node: Y.Node, path: str) -> Any:
        text = node.value.strip()
        m = TAG_DATE.match(text)
        if not m:
            self.error(node, path, f"'{text}' is not a year or a date",
                       "write a year such as 2018, or a date such as 2018-02-10")
            return _BAD
        try:
            date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError as exc:
            self.error(node, path, f"{text} is not a date that exists: {exc}", "check the month and the day")
            return _BAD
        return text

    def _image(self, node: Y.Node, path: str) -> Any:
        text = node.value.strip()
        if re.match(r"^[a-z][a-z0-9+.\-]*:", text, re.I):
            if is_http_url(text):
                return text
            self.error(node, path, f"'{text}' is not an http(s) URL or a file below content/",
                       "write a path such as images/figure.png, or an https:// address")
            return _BAD
        parts = Path(text).parts
        if text.startswith("/") or ".." in parts:
            self.error(node, path, f"'{text}' points outside content/", "write a path below content/, such as images/figure.png")
            return _BAD
        if not text.lower().endswith(IMAGE_TYPES):
            self.error(node, path, f"'{text}' is not an image file", "use a .png, .jpg, .gif, .webp or .svg file")
            return _BAD
        if not (self.root / "content" / text).is_file():
            self.error(node, path, f"image 'content/{text}' not found", "check the file name, or add the file")
            return _BAD
        return text

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
                self.error(key_node, lang_path, f"unknown language '{lang}'", _language_hint(lang, self.languages))
                continue
            self.locs[lang_path] = Y.loc_of(self.rel, value_node)
            if Y.is_null(value_node):
                continue
            got = self._scalar(value_node, "markdown" if kind == "lmarkdown" else "text", lang_path)
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


class _Bad:
    def __repr__(self) -> str:
        return "<invalid>"


_BAD = _Bad()


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _inner(hint: Any) -> type:
    """The model class inside ``Figure | None`` or ``tuple[Entry, ...]``."""
    args = [a for a in typing.get_args(hint) if a is not type(None) and a is not Ellipsis]
    return args[0] if args else hint


def _did_you_mean(word: str, choices: list[str], fallback: str = "") -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return fallback or "allowed: " + ", ".join(choices)


def _language_hint(code: str, languages: tuple[str, ...]) -> str:
    alias = LANGUAGE_ALIASES.get(code.lower())
    if alias and alias in languages:
        return f"write {alias}"
    for derived, source in DERIVED.items():
        if code == source and derived in languages:
            return f"add {source} to languages in content/site.yaml to derive {derived} from it, or write the text under {derived}"
    return "this site's languages are " + ", ".join(languages)


def _quoted_ref(text: str) -> str:
    for scheme in SCHEMES.values():
        if scheme.parse_bare(text) is not None:
            return f"'{scheme.name}:{text}'"
    return f"'{text}'"


def _expected(kind: str) -> str:
    return {
        "date": "a date", "url": "a URL", "slug": "a key", "category": "a category key",
        "lang": "a language code", "policy": "a policy", "image": "an image path or URL",
        "ref": "a paper reference", "int": "a whole number", "tagdate": "a year or a date",
    }.get(kind, "text")


def _example(kind: str) -> str:
    return {
        "text": "some text", "markdown": "some text", "url": "https://…", "slug": "a-key",
        "date": "2018-02-10", "bool": "true or false", "lang": "en", "langs": "[en, zh]",
        "tags": "[tag-one, tag-two]", "ltext": "{en: …, zh: …}", "lmarkdown": "{en: …, zh: …}",
        "ref": OPENREVIEW.example, "category": "a key from categories.yaml",
        "policy": "warning", "choice": "one of the words listed for the field", "terms": "{参数: 參數}", "image": "images/figure.png", "object": "a mapping of fields", "list": "a list of items",
        "int": "10", "tagdate": "2018",
    }[kind]


@functools.cache
def _type_hints(cls: type) -> dict[str, Any]:
    """The field types of a model class (resolving them is slow: once per class, not per object)."""
    return typing.get_type_hints(cls)
