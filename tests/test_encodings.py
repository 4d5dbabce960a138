"""digest.core.encodings: naming what a file that is not UTF-8 is written in."""

from __future__ import annotations

from digest.core.encodings import other_encoding, reads_as_gbk


def test_gbk_is_told_from_latin1() -> None:
    assert reads_as_gbk("标题：第一周的论文".encode("gbk"))
    assert not reads_as_gbk("title: g\u00f6od caf\u00e9 na\u00efve".encode("latin-1"))
    assert not reads_as_gbk("note: g\u00f6od".encode("latin-1"))


def test_utf16_and_utf32_are_named_with_or_without_a_mark() -> None:
    assert other_encoding("date: 2018".encode("utf-16-le")) == "UTF-16 (little-endian, without a byte order mark)"
    assert other_encoding("date: 2018".encode("utf-16")) == "UTF-16 (little-endian, with a byte order mark)"
    assert other_encoding("date: 2018".encode("utf-32")) == "UTF-32 (little-endian, with a byte order mark)"
    assert other_encoding(b"date: 2018") is None
