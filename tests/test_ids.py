"""Paper references: every accepted spelling normalises to one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digest.core.ids import PaperRef, RefError, find_github_urls, parse_ref

CANONICAL = [
    ("openreview:ryQu7f-RZ", "openreview:ryQu7f-RZ"),
    ("https://openreview.net/forum?id=ryQu7f-RZ", "openreview:ryQu7f-RZ"),
    ("https://openreview.net/forum?id=ryQu7f-RZ&noteId=B1x", "openreview:ryQu7f-RZ"),
    ("http://www.openreview.net/pdf?id=SkhQHMW0W", "openreview:SkhQHMW0W"),
    ("openreview.net/forum?id=B1e9Y2NYvS", "openreview:B1e9Y2NYvS"),
    ("https://openreview.net/attachment?id=B1e9Y2NYvS&name=pdf", "openreview:B1e9Y2NYvS"),
    ("arxiv:1710.10571", "arxiv:1710.10571"),
    ("arXiv:1710.10571v2", "arxiv:1710.10571v2"),
    ("1710.10571", "arxiv:1710.10571"),
    ("https://arxiv.org/abs/1710.10571", "arxiv:1710.10571"),
    ("https://arxiv.org/pdf/1710.10571v3.pdf", "arxiv:1710.10571v3"),
    ("https://arxiv.org/pdf/1710.10571v3", "arxiv:1710.10571v3"),
    ("http://export.arxiv.org/abs/cs/0601001v1", "arxiv:cs/0601001v1"),
    ("arxiv:astro-ph/0601001", "arxiv:astro-ph/0601001"),
    ("doi:10.1145/3292500.3330701", "doi:10.1145/3292500.3330701"),
    ("DOI:10.48550/arXiv.1706.03762", "doi:10.48550/arxiv.1706.03762"),
    ("https://doi.org/10.1038/s42256-024-00832-8", "doi:10.1038/s42256-024-00832-8"),
    ("http://dx.doi.org/10.1038%2Fnature14539", "doi:10.1038/nature14539"),
    ("10.1038/nature14539", "doi:10.1038/nature14539"),
    ("s2:211530585", "s2:211530585"),
    ("s2:0F40B1F08821E22E859C6050916CEC3667778613", "s2:0f40b1f08821e22e859c6050916cec3667778613"),
    ("https://www.semanticscholar.org/paper/Title-words/0f40b1f08821e22e859c6050916cec3667778613",
     "s2:0f40b1f08821e22e859c6050916cec3667778613"),
    ("  openreview:ryQu7f-RZ  ", "openreview:ryQu7f-RZ"),
]


@pytest.mark.parametrize(("text", "canonical"), CANONICAL)
def test_normalisation(text: str, canonical: str):
    ref = parse_ref(text)
    assert str(ref) == canonical
    assert parse_ref(str(ref)) == ref  # canonical forms are fixed points


REFUSED = [
    ("", "empty paper reference"),
    ("ryQu7f-RZ", "'ryQu7f-RZ' has no scheme"),
    ("pubmed:123", "unknown reference scheme 'pubmed'"),
    ("openreview:a b", "'a b' is not an OpenReview forum id"),
    ("arxiv:1710.105", "'1710.105' is not an arXiv id"),
    ("arxiv:1710.10571v0", "'1710.10571v0' is not an arXiv id"),
    ("doi:11.1/x", "'11.1/x' is not a DOI"),
    ("s2:xyz", "'xyz' is not a Semantic Scholar id"),
    ("https://openreview.net/group?id=ICLR.cc", "'https://openreview.net/group?id=ICLR.cc' is not a link to an OpenReview paper"),
    ("https://arxiv.org/list/cs.LG/recent", "'https://arxiv.org/list/cs.LG/recent' is not a link to an arXiv paper"),
    ("https://example.com/paper.pdf", "'example.com' is not a site digest knows"),
    ("http://[::1", "'http://[::1' is not a valid URL (Invalid IPv6 URL)"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refused(text: str, message: str):
    with pytest.raises(RefError) as info:
        parse_ref(text)
    assert info.value.message == message
    assert info.value.hint


def test_paths_and_urls():
    ref = parse_ref("doi:10.1145/3292500.3330701")
    assert ref.slug == "doi-10.1145~2f3292500.3330701"
    assert parse_ref("doi:10.1000/a_b").slug != parse_ref("doi:10.1000/a/b").slug
    assert parse_ref("arxiv:1710.10571v2").unversioned == PaperRef("arxiv", "1710.10571")
    assert parse_ref("openreview:ryQu7f-RZ").url == "https://openreview.net/forum?id=ryQu7f-RZ"


def test_github_urls_found_in_text():
    text = "Code: https://github.com/automl/RobustDARTS. Also see (https://github.com/IBM/FedMA.git), https://github.com/automl/RobustDARTS"
    assert find_github_urls(text) == ["https://github.com/automl/RobustDARTS", "https://github.com/IBM/FedMA"]
    assert find_github_urls("no links here") == []


@given(st.text(max_size=200))
def test_arbitrary_text_never_raises_anything_but_referror(text: str):
    try:
        ref = parse_ref(text)
    except RefError as exc:
        assert exc.message
    else:
        assert ref.scheme in ("openreview", "arxiv", "doi", "s2")
        assert parse_ref(str(ref)) == ref


@given(st.sampled_from(["https://openreview.net/forum?id=", "https://arxiv.org/abs/", "https://doi.org/", "arxiv:", "doi:"]),
       st.text(max_size=60))
def test_arbitrary_urls_never_raise_anything_but_referror(prefix: str, tail: str):
    try:
        parse_ref(prefix + tail)
    except RefError:
        pass
