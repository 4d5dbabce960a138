"""Field kinds: every curated field has one, a kind's schema agrees with what it accepts, and
scalars convert to the model's values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import jsonschema
import pytest

from digest.core import kinds as K
from digest.core.ids import PaperRef
from digest.core.models import Categories, Edition, Site, fields_of

MODELS = (Site, Categories, Edition)
CONTEXT = K.Context(Path(__file__).resolve().parent.parent, ("model-compression",))
#: Texts written for a field, each tried as quoted (str) text against every scalar kind.
SAMPLES = ("2018", "2018-02", "2018-02-10", "2018-13-01", "2018-02-30", "a-key", "A Key", "-a", "a--b", "en", "zh-Hant",
           "cn", "warning", "warnng", "https://example.org/x", "ftp://example.org", "javascript:alert(1)",
           "images/nau-ratings.png", "images/none.png", "/etc/x.png", "../x.png", "notes.txt", "model-compression",
           "openreview:ryQu7f-RZ", "arxiv:1710.10571", "1710.10571", "doi:10.1234/abc", "s2:123", "some text")


def described(text: str) -> str:
    return f"the text '{text}'"


def every_field(cls: type):
    for f in fields_of(cls):
        yield cls, f
        kind = f.metadata["kind"]
        if kind.model is not None:
            yield from every_field(kind.model)


def scalar_kinds() -> list[K.Scalar]:
    found = {}
    for model in MODELS:
        for _, f in every_field(model):
            kind = f.metadata["kind"]
            for k in (kind, getattr(kind, "item", None), getattr(kind, "text", None)):
                if isinstance(k, K.Scalar):
                    found[id(k)] = k
    return list(found.values())


def test_every_curated_field_has_a_kind_with_a_reference_line() -> None:
    for model in MODELS:
        for cls, f in every_field(model):
            kind = f.metadata["kind"]
            assert isinstance(kind, K.Kind), f"{cls.__name__}.{f.name}: declare its kind with a digest.core.kinds class"
            assert kind.name and kind.doc and kind.example, f"{cls.__name__}.{f.name}"


def test_kind_names_are_said_once() -> None:
    shared = [k for k in vars(K).values() if isinstance(k, K.Kind)]
    names = [k.name for k in shared]
    assert len(names) == len(set(names)), names


#: Values digest accepts that the schema flags, and why that is left so.
SCHEMA_STRICTER = {
    ("ref", "1710.10571"): "a bare arXiv id is read (digest add takes it), but the schema asks for arxiv:",
}


@pytest.mark.parametrize("kind", scalar_kinds(), ids=lambda k: k.name)
def test_what_a_kind_accepts_its_schema_accepts(kind: K.Scalar) -> None:
    schema = kind.schema(("model-compression",), lambda model: {})
    for text in SAMPLES:
        try:
            kind.parse(K.Written(text, "str", text, described), CONTEXT)
        except K.Invalid:
            continue
        if (kind.name, text) not in SCHEMA_STRICTER:
            jsonschema.validate(text, schema)


def test_scalars_convert_to_the_model_values() -> None:
    def parse(kind: K.Scalar, text: str, plain: str = "str"):
        return kind.parse(K.Written(text, plain, text, described), CONTEXT)

    assert parse(K.DATE, "2018-02-10") == date(2018, 2, 10)
    assert parse(K.BOOL, "True", "bool") is True
    assert parse(K.INT, "10", "int") == 10
    assert parse(K.REF, "https://arxiv.org/abs/1710.10571") == PaperRef("arxiv", "1710.10571")
    assert parse(K.URL, " https://example.org/ ") == "https://example.org/"
    with pytest.raises(K.Invalid) as bad:
        parse(K.REF, "1710.10571", "float")
    assert bad.value.hint == "write it in quotes with its scheme: 'arxiv:1710.10571'"
    with pytest.raises(K.Invalid) as bad:
        parse(K.BOOL, "true")  # quoted: text, not a boolean
    assert bad.value.message == "expected true or false, found the text 'true'"


def test_only_per_language_kinds_are_localized() -> None:
    localized = {f.name for model in MODELS for _, f in every_field(model) if f.metadata["kind"].localized}
    assert {"title", "note", "intro", "caption", "alt", "meta_review"} <= localized
    assert not localized & {"conference", "author", "paper", "code"}
