"""Reading one snapshot record: JSON bytes -> :class:`~digest.core.models.PaperMeta`, every
field checked against the model's declarations.

A record is data digest wrote, but it is committed, so it can be edited by hand, merged
badly or planted. Nothing in it is trusted: each field must have its declared type (text,
a whole number, a list of them, nothing where the field allows it), and where the field's
``metadata`` says so, a value in its range (``ratings`` on the rating scale), one of its
choices (``decision``) or a valid id of its scheme (``arxiv_id``). Links are text here:
a page shows only absolute http(s) ones (:func:`digest.site.merge.merge_entry`). JSON's
extensions that Python reads (``NaN``, ``Infinity``) and numbers beyond a float are named
as such. Every problem of a record is reported at once, each as
``file: field: what is wrong (what to do)``; a record with any problem is not used.
Unknown keys are ignored (a newer digest may write more fields).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import types
import typing
from collections.abc import Mapping
from typing import Any

from digest.core.encodings import other_encoding
from digest.core.errors import Loc, Problem
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.models import PaperMeta
from digest.core.schemes import SCHEMES

#: What to do about a damaged record.
HINT = "restore it with git checkout, or delete it and run digest fetch"
#: Longest text quoted in a message.
QUOTED = 40


class _Written:
    """A JSON number as written (floats and the constants NaN and Infinity), kept so that a
    message can quote it."""

    def __init__(self, text: str):
        self.text = text

    @property
    def value(self) -> float:
        return float(self.text)


def decode(rel: str, data: bytes, expected: PaperRef | None = None) -> tuple[PaperMeta | None, list[Problem]]:
    """The record in ``data`` (None when it has problems) and its problems; ``rel`` is how
    messages name the file, ``expected`` the reference its file name says."""
    problems: list[Problem] = []

    def bad(field: str, message: str, loc: Loc | None = None) -> None:
        problems.append(Problem(loc or Loc(rel), field, message, HINT))

    other = other_encoding(data)
    if other is not None:
        problems.append(Problem(Loc(rel, 1, 1), "", f"the record is {other}, not UTF-8",
                                "save it as UTF-8, or delete it and run digest fetch"))
        return None, problems
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", errors="replace")) + 1
        bad("", f"the record is not UTF-8 (byte 0x{data[exc.start]:02X} cannot be decoded)", Loc(rel, line, col))
        return None, problems
    try:
        obj = json.loads(text, parse_float=_Written, parse_constant=_Written)
    except json.JSONDecodeError as exc:
        bad("", f"the record is not valid JSON: {exc.msg}", Loc(rel, exc.lineno, exc.colno))
        return None, problems
    except ValueError:  # a number of more digits than Python converts
        bad("", "the record cannot be read: it holds a number of more digits than a record can")
        return None, problems
    except RecursionError:
        bad("", "the record cannot be read: its lists or objects are nested too deeply")
        return None, problems
    if not isinstance(obj, dict):
        bad("", f"expected a record (a JSON object), found {_described(obj)}")
        return None, problems

    values, found = fields_of(PaperMeta, obj)
    for field, message in found:
        bad(field, message)
    ref = values.get("ref")
    if isinstance(ref, PaperRef) and expected is not None and ref != expected:
        bad("ref", f"'{ref}' is not the paper this file is named for ({expected})")
    if problems:
        return None, problems
    return PaperMeta(**values), problems


def fields_of(cls: type, obj: Mapping[str, Any], prefix: str = "") -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The values of the fields of the model class ``cls`` (:class:`PaperMeta`, or a venue
    record's classes) read from the decoded JSON object ``obj``, each checked against its
    declaration, and ``(field, message)`` for each problem; ``prefix`` goes before field names."""
    values: dict[str, Any] = {}
    found: list[tuple[str, str]] = []
    for spec, hint in _declared(cls):
        if spec.name not in obj:
            if spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
                found.append((prefix + spec.name, f"missing required field '{spec.name}'"))
            continue
        try:
            values[spec.name] = _value(obj[spec.name], hint, spec, prefix + spec.name)
        except _Invalid as exc:
            found += exc.found
    return values, found


@functools.cache
def _declared(cls: type) -> tuple[tuple[dataclasses.Field, Any], ...]:
    """A model class's fields with their types (resolved once: it is slow)."""
    hints = typing.get_type_hints(cls)
    return tuple((spec, hints[spec.name]) for spec in dataclasses.fields(cls))


class _Invalid(Exception):
    """What is wrong with a value: ``(field, message)`` pairs (several for a list)."""

    def __init__(self, field: str = "", message: str = "", found: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.found = found if found is not None else [(field, message)]


def _value(value: Any, hint: Any, spec: dataclasses.Field, path: str) -> Any:
    """``value`` as the type ``hint`` (a type of :class:`PaperMeta`'s fields), checked."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        return _value(value, hint, spec, path)
    origin = typing.get_origin(hint)
    if origin is tuple:
        if not isinstance(value, list):
            raise _Invalid(path, f"expected a list, found {_described(value)}")
        items, found = [], []
        for i, item in enumerate(value):
            try:
                items.append(_value(item, args[0], spec, f"{path}[{i}]"))
            except _Invalid as exc:
                found += exc.found
        if found:
            raise _Invalid(found=found)
        return tuple(items)
    if origin is Mapping or hint is Mapping:
        if not isinstance(value, dict):
            raise _Invalid(path, f"expected a mapping of field names to sources, found {_described(value)}")
        return {_value(k, str, spec, path): _value(v, str, spec, f"{path}.{k}") for k, v in sorted(value.items())}
    if hint is PaperRef:
        text = _value(value, str, spec, path)
        try:
            ref = parse_ref(text)
        except RefError as exc:
            raise _Invalid(path, exc.message) from None
        if str(ref) != text:
            raise _Invalid(path, f"'{_short(text)}' is not written as digest writes references ({ref})")
        return ref
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise _Invalid(path, f"expected a mapping, found {_described(value)}")
        values, found = fields_of(hint, value, path + ".")
        if found:
            raise _Invalid(found=found)
        return hint(**values)
    if hint is str:
        if not isinstance(value, str):
            raise _Invalid(path, f"expected text, found {_described(value)}")
        return _text(value, spec, path)
    if hint is int:
        return _whole(value, spec, path)
    raise AssertionError(f"{spec.name}: no reader for {hint}")  # pragma: no cover - the model's types


def _text(value: str, spec: dataclasses.Field, path: str) -> str:
    if "choice" in spec.metadata and value not in spec.metadata["choice"]:
        raise _Invalid(path, f"'{_short(value)}' is not one of {', '.join(spec.metadata['choice'])}")
    scheme = spec.metadata.get("scheme")
    if scheme is not None and SCHEMES[scheme].parse(value) != value:
        raise _Invalid(path, f"'{_short(value)}' is not a valid {scheme} id")
    return value


def _whole(value: Any, spec: dataclasses.Field, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, _Written)):
        raise _Invalid(path, f"expected a whole number, found {_described(value)}")
    if isinstance(value, _Written):
        number = value.value
        if math.isnan(number):
            raise _Invalid(path, f"{value.text} is not a number")
        if math.isinf(number):
            raise _Invalid(path, f"{value.text} is not a finite number")
        if not number.is_integer():
            raise _Invalid(path, f"expected a whole number, found the number {value.text}")
    low, high, scale = spec.metadata.get("range", (None, None, ""))
    number = value.value if isinstance(value, _Written) else value
    if low is not None and not low <= number <= high:
        shown = value.text if isinstance(value, _Written) else str(value)
        raise _Invalid(path, f"{_short(shown)} is outside {scale} ({low} to {high})")
    return int(number)


def _described(value: Any) -> str:
    """How a JSON value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {'true' if value else 'false'}"
    if isinstance(value, _Written):
        return f"the number {value.text}" if math.isfinite(value.value) else value.text
    if isinstance(value, int):
        return f"the number {_short(str(value))}"
    if isinstance(value, str):
        return f"the text '{_short(value)}'"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"
