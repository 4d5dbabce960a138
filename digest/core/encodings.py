"""What a file that is not UTF-8 is written in, for messages that name it."""

from __future__ import annotations

#: Byte order marks of encodings other than UTF-8, longest first, and how messages name them.
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 (little-endian, with a byte order mark)"),
    (b"\x00\x00\xfe\xff", "UTF-32 (big-endian, with a byte order mark)"),
    (b"\xff\xfe", "UTF-16 (little-endian, with a byte order mark)"),
    (b"\xfe\xff", "UTF-16 (big-endian, with a byte order mark)"),
)


def other_encoding(data: bytes) -> str | None:
    """The name of the UTF-16 or UTF-32 encoding ``data`` is written in, by its byte order
    mark or, without one, by where its zero bytes are (text of Latin letters, digits and
    punctuation in UTF-16 has a zero byte in every other place); None for anything else."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    sample = data[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    pairs = len(sample) // 2
    if sample[1::2].count(0) > pairs * 0.4 and sample[0::2].count(0) < pairs * 0.1:
        return "UTF-16 (little-endian, without a byte order mark)"
    if sample[0::2].count(0) > pairs * 0.4 and sample[1::2].count(0) < pairs * 0.1:
        return "UTF-16 (big-endian, without a byte order mark)"
    return None


def reads_as_gbk(data: bytes) -> bool:
    """Whether bytes that are not UTF-8 read as GBK text in Chinese: at least two Chinese
    characters, and few other non-ASCII ones (Latin-1 text such as ``g\xf6od`` also decodes as
    GBK, to a stray character or two)."""
    try:
        text = data.decode("gbk")
    except UnicodeDecodeError:
        return False
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in text)
    other = sum(ord(ch) > 0x7F and not "\u4e00" <= ch <= "\u9fff" for ch in text)
    return han >= 2 and other * 4 <= han
