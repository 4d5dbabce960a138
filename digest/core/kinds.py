"""Field kinds: what a curated field holds, each declared once as a small class.

A kind gives a field of :mod:`digest.core.models` its line in the configuration reference,
its JSON Schema fragment, the wording of messages about it, whether it is text per language,
and the conversion of a scalar as written into the model's value (raising :class:`Invalid`
with a message and a hint). Reading YAML stays in :mod:`digest.content.validate`: it walks the
nodes by shape (:class:`Scalar` kinds, :class:`ListOf`, :class:`PerLanguage`, :class:`Terms`,
:class:`Nested`) and hands each scalar to its kind.
"""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from digest.core.ids import RefError, is_http_url, parse_ref
from digest.core.languages import LANGUAGES, language_hint
from digest.core.schemes import OPENREVIEW, SCHEMES, json_pattern

Policy = Literal["error", "warning", "ignore"]
POLICIES: tuple[str, ...] = typing.get_args(Policy)
#: Where category keys are declared.
CATEGORIES_FILE = "content/categories.yaml"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG = re.compile(SLUG_PATTERN)
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg")

Schema = dict[str, Any]
#: The JSON Schema of a model class (given to :meth:`Kind.schema` for nested kinds).
ModelSchema = Callable[[type], Schema]


class Invalid(Exception):
    """A value its kind refuses: what is wrong and what to write instead."""

    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


class Written:
    """A scalar as the curator wrote it: its text, and how YAML reads it when unquoted
    (``str``, ``null``, ``bool``, ``int``, ``float`` or ``timestamp``; ``str`` when quoted).
    :attr:`found`, how messages describe it (``the number 10``), is ``describe(source)``,
    worked out only when a message needs it."""

    __slots__ = ("text", "plain", "source", "describe")

    def __init__(self, text: str, plain: str, source: Any, describe: Callable[[Any], str]):
        self.text, self.plain, self.source, self.describe = text, plain, source, describe

    @property
    def found(self) -> str:
        return self.describe(self.source)

    @property
    def non_string(self) -> bool:
        """True when YAML reads the value as something other than text."""
        return self.plain in ("bool", "int", "float", "timestamp")


@dataclass(frozen=True)
class Context:
    """What some kinds check against: the site's folder (images), the category keys
    (None: not checked, as when categories.yaml itself is broken)."""

    root: Path
    categories: tuple[str, ...] | None


def did_you_mean(word: str, choices: list[str], fallback: str = "") -> str:
    """A hint naming the closest of ``choices``, else ``fallback`` (else the choices)."""
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    return fallback or "allowed: " + ", ".join(choices)


class Kind:
    """What a field holds. ``name`` and ``doc`` are its entry in the reference; ``expected``
    and ``example`` word the messages (``expected a date``, ``write 2018-02-10``)."""

    name = ""
    doc = ""
    example = ""
    #: text per language (see :class:`PerLanguage`), and whether that text is Markdown
    localized = False
    markdown = False
    #: the model class of a nested mapping, and whether it is a list of them (see :class:`Nested`)
    model: type | None = None
    many = False

    @property
    def shown(self) -> str:
        """How the reference table names the kind."""
        return self.name

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        """The JSON Schema fragment of a value (``categories``: the keys, when known)."""
        raise NotImplementedError


class Scalar(Kind):
    """A kind written as one scalar."""

    #: What a ``<<placeholder>>`` left in the value is: ``policy`` (reported under the
    #: placeholder policy, the text kept), ``error``, ``draft`` (an error, but a draft
    #: edition keeps the text, so it can be previewed: a key that only names something), or
    #: None (read like any other value).
    placeholder: str | None = "error"
    expected = "text"

    def mismatch(self, found: str) -> tuple[str, str]:
        """The message and hint for a value that is not a scalar (``found``: how it is described)."""
        return f"expected {self.expected}, found {found}", f"write {self.example}"

    def parse(self, value: Written, context: Context) -> Any:
        """The model value of ``value``; :class:`Invalid` when it is not one."""
        if not value.text.strip():
            raise Invalid("is empty", f"write {self.example}")
        return self.read(value.text, context)

    def read(self, text: str, context: Context) -> Any:
        """The model value of ``text``, which is not blank."""
        raise NotImplementedError


class Text(Scalar):
    name, doc, example = "text", "a non-empty string on one line or several", "some text"
    placeholder = "policy"

    def read(self, text: str, context: Context) -> Any:
        return text

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "minLength": 1}


class Markdown(Text):
    name, doc = "markdown", "Markdown source (sanitised when rendered)"
    markdown = True

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "minLength": 1, "contentMediaType": "text/markdown"}


class Url(Scalar):
    name, doc, expected, example = "url", "an absolute http(s) URL", "a URL", "https://…"

    def read(self, text: str, context: Context) -> Any:
        if is_http_url(text.strip()):
            return text.strip()
        raise Invalid(f"'{text}' is not an http(s) URL", "write the full address, starting with https://")

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "format": "uri", "pattern": r"^https?://\S+$"}


class Slug(Scalar):
    name, doc, expected, example = "slug", "lower-case letters, digits and hyphens (used in URLs)", "a key", "a-key"

    def read(self, text: str, context: Context) -> Any:
        if SLUG.match(text):
            return text
        raise Invalid(f"'{text}' is not a valid key", "use lower-case letters, digits and hyphens, as in model-compression")

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "pattern": SLUG_PATTERN}


class Date(Scalar):
    name, doc, expected, example = "date", "a calendar date written YYYY-MM-DD", "a date", "2018-02-10"
    PATTERN = r"^\d{4}-\d{2}-\d{2}$"

    def read(self, text: str, context: Context) -> Any:
        text = text.strip()
        if not re.match(self.PATTERN, text):
            raise Invalid(f"'{text}' is not a date", "write it as YYYY-MM-DD, such as 2018-02-10")
        year, month, day = (int(part) for part in text.split("-"))
        try:
            return date(year, month, day)
        except ValueError as exc:
            raise Invalid(f"{text} is not a date that exists: {exc}", "check the day and the month") from None

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "format": "date", "pattern": self.PATTERN}


class TagDate(Scalar):
    name, expected, example = "tagdate", "a year or a date", "2018"
    doc = "a year (YYYY) or a date (YYYY-MM or YYYY-MM-DD), the date of a tag: URI (RFC 4151)"
    FORM = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

    def read(self, text: str, context: Context) -> Any:
        text = text.strip()
        m = self.FORM.match(text)
        if not m:
            raise Invalid(f"'{text}' is not a year or a date", "write a year such as 2018, or a date such as 2018-02-10")
        try:
            date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
        except ValueError as exc:
            raise Invalid(f"{text} is not a date that exists: {exc}", "check the month and the day") from None
        return text

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {  # YAML reads a bare year as a number
            "type": ["string", "integer"], "minimum": 1000, "maximum": 9999,
            "pattern": r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$",
        }


class Bool(Scalar):
    name, doc, example = "bool", "true or false", "true or false"

    def parse(self, value: Written, context: Context) -> Any:
        if value.plain == "bool" and value.text.lower() in ("true", "false"):
            return value.text.lower() == "true"
        raise Invalid(f"expected true or false, found {value.found}", "write true or false")

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "boolean"}


class Int(Scalar):
    name, doc, expected, example = "int", "a whole number of 1 or more", "a whole number", "10"

    def parse(self, value: Written, context: Context) -> Any:
        if value.plain == "int" and re.fullmatch(r"[1-9][0-9]*", value.text):
            return int(value.text)
        raise Invalid(f"expected a whole number of 1 or more, found {value.found}", "write a number such as 10, without quotes")

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "integer", "minimum": 1}


class Ref(Scalar):
    name, doc, expected, example = "ref", "a paper reference (see :mod:`digest.core.schemes`)", "a paper reference", OPENREVIEW.example

    def parse(self, value: Written, context: Context) -> Any:
        text = value.text
        if value.non_string:
            quoted = next((f"'{s.name}:{text}'" for s in SCHEMES.values() if s.parse_bare(text) is not None), f"'{text}'")
            raise Invalid(f"YAML reads {text} as a number, not a paper reference", f"write it in quotes with its scheme: {quoted}")
        try:
            return parse_ref(text)
        except RefError as exc:
            raise Invalid(exc.message, exc.hint) from None

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "pattern": json_pattern()}


class CategoryKey(Scalar):
    name, doc, expected, example = "category", "the key of a category in categories.yaml", "a category key", "a key from categories.yaml"
    placeholder = "draft"  # a draft's entry is previewed under a heading that shows the placeholder

    def read(self, text: str, context: Context) -> Any:
        if context.categories is None or text in context.categories:
            return text
        raise Invalid(f"unknown category '{text}'", did_you_mean(text, list(context.categories), f"the keys are in {CATEGORIES_FILE}"))

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        if categories:
            return {"type": "string", "enum": list(categories)}
        return {"type": "string", "pattern": SLUG_PATTERN}


class Lang(Scalar):
    name, doc, expected, example = "lang", "a language code the site supports (``en``, ``zh``, ``zh-Hant``)", "a language code", "en"

    def read(self, text: str, context: Context) -> Any:
        code = text.strip()
        if code in LANGUAGES:
            return code
        raise Invalid(f"unknown language '{code}'", language_hint(code, tuple(LANGUAGES)))

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "enum": list(LANGUAGES)}


class PolicyLevel(Scalar):
    name, doc, expected, example = "policy", "one of " + ", ".join(POLICIES), "a policy", "warning"

    def read(self, text: str, context: Context) -> Any:
        if text in POLICIES:
            return text
        raise Invalid(f"unknown policy '{text}'", did_you_mean(text, list(POLICIES), "write error, warning or ignore"))

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "enum": list(POLICIES)}


class Image(Scalar):
    name, doc, expected, example = "image", "a path below content/ or an absolute http(s) URL", "an image path or URL", "images/figure.png"

    def read(self, text: str, context: Context) -> Any:
        text = text.strip()
        if re.match(r"^[a-z][a-z0-9+.\-]*:", text, re.I):
            if is_http_url(text):
                return text
            raise Invalid(f"'{text}' is not an http(s) URL or a file below content/",
                          "write a path such as images/figure.png, or an https:// address")
        if text.startswith("/") or ".." in Path(text).parts:
            raise Invalid(f"'{text}' points outside content/", "write a path below content/, such as images/figure.png")
        if not text.lower().endswith(IMAGE_TYPES):
            raise Invalid(f"'{text}' is not an image file", "use a .png, .jpg, .gif, .webp or .svg file")
        if not (context.root / "content" / text).is_file():
            raise Invalid(f"image 'content/{text}' not found", "check the file name, or add the file")
        return text

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "pattern": r"^(https?://\S+|(?!/)(?!.*\.\./)\S+\.(png|jpe?g|gif|webp|svg))$"}


class Choice(Scalar):
    """One of a field's own words, such as ``original`` or ``omit``."""

    name, doc, example = "choice", "one of the words listed for the field", "one of the words listed for the field"
    placeholder = None

    def __init__(self, choices: tuple[str, ...]):
        self.choices = choices
        self.expected = "one of " + ", ".join(choices)
        self.words = " or ".join((", ".join(choices[:-1]), choices[-1])) if len(choices) > 1 else choices[0]

    @property
    def shown(self) -> str:
        return " or ".join(f"`{c}`" for c in self.choices)

    def mismatch(self, found: str) -> tuple[str, str]:
        return f"expected {self.expected}, found {found}", f"write {self.words}"

    def parse(self, value: Written, context: Context) -> Any:
        if value.non_string:
            raise Invalid(*self.mismatch(value.found))
        text = value.text.strip()
        if text in self.choices:
            return text
        raise Invalid(f"unknown value '{text}'", did_you_mean(text, list(self.choices), f"write {self.words}"))

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "string", "enum": list(self.choices)}


class ListOf(Kind):
    """A list of scalars of one kind (``[a, b]`` or one ``- item`` per line)."""

    def __init__(self, name: str, doc: str, item: Scalar, example: str, schema: Schema | None = None):
        self.name, self.doc, self.item, self.example = name, doc, item, example
        self.extra = schema or {}

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "array", "items": self.item.schema(categories, model_schema), **self.extra}


class PerLanguage(Kind):
    """Text per language: a mapping from language code to text (or Markdown)."""

    localized = True
    example = "{en: …, zh: …}"

    def __init__(self, name: str, doc: str, text: Text):
        self.name, self.doc, self.text, self.markdown = name, doc, text, text.markdown

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "object", "propertyNames": LANG.schema(categories, model_schema),
                "additionalProperties": TEXT.schema(categories, model_schema)}


class Terms(Kind):
    name, doc, example = "terms", "a mapping from a Simplified Chinese term to its Traditional form", "{参数: 參數}"

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        return {"type": "object", "additionalProperties": TEXT.schema(categories, model_schema)}


class Glossary(Terms):
    name, doc, example = "glossary", "a mapping from an English term to the Chinese one to use for it", "{overfitting: 过拟合}"


class Nested(Kind):
    """A nested mapping (``many``: a list of mappings), each declared by a model class."""

    def __init__(self, model: type, many: bool = False):
        self.model, self.many = model, many
        if many:
            self.name, self.doc, self.example = "list", "a list of mappings, each declared by another model class", "a list of items"
        else:
            self.name, self.doc, self.example = "object", "a nested mapping, declared by another model class", "a mapping of fields"

    def schema(self, categories: tuple[str, ...], model_schema: ModelSchema) -> Schema:
        inner = model_schema(self.model)
        return {"type": "array", "items": inner} if self.many else inner


TEXT = Text()
MARKDOWN = Markdown()
URL = Url()
SLUG_KIND = Slug()
DATE = Date()
TAG_DATE = TagDate()
BOOL = Bool()
INT = Int()
REF = Ref()
CATEGORY = CategoryKey()
LANG = Lang()
POLICY = PolicyLevel()
IMAGE = Image()
LANGS = ListOf("langs", "a list of language codes", LANG, "[en, zh]", {"minItems": 1, "uniqueItems": True})
TAGS = ListOf("tags", "a list of slugs", SLUG_KIND, "[tag-one, tag-two]")
TEXTS = ListOf("texts", "a list of texts", TEXT, "[First, Second]")
LTEXT = PerLanguage("ltext", "text per language: a mapping from language code to text", TEXT)
LMARKDOWN = PerLanguage("lmarkdown", "Markdown per language", MARKDOWN)
TERMS = Terms()
GLOSSARY = Glossary()
