"""The reference schemes are declared once: parsing, the JSON Schema pattern and messages all
come from digest.core.schemes, so a new scheme is one entry."""

from __future__ import annotations

import re

import pytest

from digest.core import schemes
from digest.core.ids import PaperRef, RefError, parse_ref
from digest.core.kinds import REF
from digest.core.schemes import SCHEMES, Scheme

ACCEPTED = ["openreview:ryQu7f-RZ", "arxiv:1710.10571v2", "arxiv:cs/0601001", "doi:10.1145/3292500",
            "s2:215416146", "https://openreview.net/pdf?id=SkhQHMW0W", "https://arxiv.org/abs/1710.10571",
            "https://doi.org/10.1038/nature14539", "https://www.semanticscholar.org/paper/" + "0f" * 20]
#: The JSON Schema pattern of a paper reference.
REF_PATTERN = REF.schema((), lambda model: {})["pattern"]
REFUSED_BY_BOTH = ["arxiv:1710.10571v0", "openreview:abc", "doi:11.1/x", "s2:xyz"]


@pytest.mark.parametrize("text", ACCEPTED)
def test_the_schema_pattern_accepts_what_the_parser_accepts(text):
    parse_ref(text)
    assert re.fullmatch(REF_PATTERN, text)


@pytest.mark.parametrize("text", REFUSED_BY_BOTH)
def test_the_schema_pattern_refuses_what_the_parser_refuses(text):
    with pytest.raises(RefError):
        parse_ref(text)
    assert not re.fullmatch(REF_PATTERN, text)


def test_every_scheme_parses_its_own_example_and_page():
    for scheme in SCHEMES.values():
        ref = parse_ref(scheme.example)
        assert ref.scheme == scheme.name
        assert ref.url == scheme.page.format(value=ref.value)


def test_a_new_scheme_is_one_entry(monkeypatch):
    dblp = Scheme(
        name="dblp", value=r"(journals|conf)/[a-z0-9]+/[A-Za-z0-9\-]+", page="https://dblp.org/rec/{value}",
        placeholder="<key>", invalid=("'{value}' is not a dblp key", "copy the key from the record's page"),
        hosts=("dblp.org",), from_link=lambda path, query: path.removeprefix("/rec/").removesuffix(".html"),
        link_pattern=r"dblp\.org/rec/", example="dblp:conf/iclr/KingmaB14",
    )
    monkeypatch.setitem(SCHEMES, "dblp", dblp)
    assert parse_ref("dblp:conf/iclr/KingmaB14") == PaperRef("dblp", "conf/iclr/KingmaB14")
    assert parse_ref("https://dblp.org/rec/conf/iclr/KingmaB14.html") == PaperRef("dblp", "conf/iclr/KingmaB14")
    assert parse_ref("dblp:conf/iclr/KingmaB14").url == "https://dblp.org/rec/conf/iclr/KingmaB14"
    with pytest.raises(RefError) as info:
        parse_ref("dblp:nonsense")
    assert info.value.message == "'nonsense' is not a dblp key"
    with pytest.raises(RefError) as info:
        parse_ref("")
    assert info.value.hint.endswith("s2:<id> or dblp:<key>")
    assert "|dblp:(journals|conf)" in schemes.json_pattern()
    assert re.fullmatch(schemes.json_pattern(), "https://dblp.org/rec/conf/iclr/KingmaB14")
