"""Pixel size of an image from its first bytes: PNG, GIF, JPEG, WebP and SVG.

Pages set ``width`` and ``height`` on every local figure so the layout does not jump while
images load. Reading a header is a few dozen lines of stdlib, so no imaging library is
needed. Returns ``None`` when the size cannot be read (the page then leaves it out).
"""

from __future__ import annotations

import re
import struct

Size = tuple[int, int]


def image_size(data: bytes) -> Size | None:
    """(width, height) in pixels, or None for an unknown or damaged file."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
            return _positive(*struct.unpack(">II", data[16:24]))
        if data[:6] in (b"GIF87a", b"GIF89a"):
            return _positive(*struct.unpack("<HH", data[6:10]))
        if data[:2] == b"\xff\xd8":
            return _jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
        head = data[:4096].lstrip()
        if head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head:
            return _svg(data)
    except (struct.error, IndexError, ValueError):
        return None
    return None


def _positive(width: int, height: int) -> Size | None:
    return (width, height) if width > 0 and height > 0 else None


def _jpeg(data: bytes) -> Size | None:
    """Walk the JPEG segments to the first start-of-frame marker."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length field
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return _positive(width, height)
        i += 2 + length
    return None


def _webp(data: bytes) -> Size | None:
    chunk = data[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", data[26:30])
        return _positive(width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L":
        b = data[21:25]
        width = 1 + (((b[1] & 0x3F) << 8) | b[0])
        height = 1 + (((b[3] & 0x0F) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
        return _positive(width, height)
    if chunk == b"VP8X":
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return _positive(width, height)
    return None


_SVG_TAG = re.compile(rb"<svg\b[^>]*>", re.S)
_NUMBER = rb"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*"


def _svg(data: bytes) -> Size | None:
    """Width and height attributes in pixels, else the viewBox size."""
    tag = _SVG_TAG.search(data[:65536])
    if not tag:
        return None
    text = tag.group(0)
    w = re.search(rb'\swidth\s*=\s*["\']' + _NUMBER + rb'["\']', text)
    h = re.search(rb'\sheight\s*=\s*["\']' + _NUMBER + rb'["\']', text)
    if w and h:
        return _positive(round(float(w.group(1))), round(float(h.group(1))))
    box = re.search(rb'viewBox\s*=\s*["\']\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*["\']', text)
    if box:
        return _positive(round(float(box.group(1))), round(float(box.group(2))))
    return None
