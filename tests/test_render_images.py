"""digest.site.images: pixel sizes read from file headers, so figures get width and height."""

from __future__ import annotations

import struct

from test_render import png

from digest.site.images import image_size


def jpeg(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + b"\xff\xc4" + struct.pack(">H", 4) + b"\x00\x00" + sof0 + b"\xff\xd9"


def test_png() -> None:
    assert image_size(png(360, 210)) == (360, 210)


def test_gif() -> None:
    assert image_size(b"GIF89a" + struct.pack("<HH", 640, 480) + b"\x00" * 20) == (640, 480)


def test_jpeg_skips_segments_before_the_frame() -> None:
    assert image_size(jpeg(1024, 768)) == (1024, 768)


def test_webp_lossy_lossless_and_extended() -> None:
    vp8 = b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 10 + struct.pack("<HH", 300, 200)
    assert image_size(vp8) == (300, 200)
    w, h = 300 - 1, 200 - 1
    bits = w | (h << 14)
    vp8l = b"RIFF\x00\x00\x00\x00WEBPVP8L" + b"\x00\x00\x00\x00" + b"\x2f" + struct.pack("<I", bits)
    assert image_size(vp8l) == (300, 200)
    vp8x = (b"RIFF\x00\x00\x00\x00WEBPVP8X" + b"\x00" * 8 + (300 - 1).to_bytes(3, "little")
            + (200 - 1).to_bytes(3, "little"))
    assert image_size(vp8x) == (300, 200)


def test_svg_attributes_or_viewbox() -> None:
    assert image_size(b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120px" height="80">') == (120, 80)
    assert image_size(b'<svg viewBox="0 0 400 300" xmlns="http://www.w3.org/2000/svg"></svg>') == (400, 300)
    assert image_size(b'<svg width="50%" height="100%"></svg>') is None


def test_unknown_or_damaged_files() -> None:
    assert image_size(b"") is None
    assert image_size(b"not an image at all") is None
    assert image_size(png(10, 10)[:20]) is None
    assert image_size(b"\xff\xd8\xff\xe0\x00") is None
