"""The media type (``Content-Type``) of every kind of file a site's output can hold.

The table is digest's own, not the system's (``/etc/mime.types`` differs from one machine
to the next, and knows neither OPML nor every font), so ``digest serve`` sends the same
types everywhere. A file named ``feed.json`` is a JSON Feed (``application/feed+json``).
Files ending ``.xml`` are told apart by their root element: an RSS feed (``feed.xml``), an
Atom feed (``atom.xml``) and the sitemap all end so. Text types carry
``charset=utf-8``: digest writes UTF-8 and nothing else. Pure functions, no I/O.
"""

from __future__ import annotations

import re

#: Output file name endings and their media types.
BY_SUFFIX: dict[str, str] = {
    ".html": "text/html", ".htm": "text/html",
    ".css": "text/css",
    ".js": "text/javascript", ".mjs": "text/javascript",
    ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv",
    ".json": "application/json", ".map": "application/json", ".webmanifest": "application/manifest+json",
    ".xml": "application/xml", ".xsl": "application/xslt+xml",
    ".rss": "application/rss+xml", ".atom": "application/atom+xml",
    ".opml": "text/x-opml",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon",
    ".bmp": "image/bmp",
    ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".pdf": "application/pdf", ".wasm": "application/wasm", ".zip": "application/zip",
    ".mp4": "video/mp4", ".webm": "video/webm", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
}
#: Files whose name says more than their suffix: a JSON Feed (``{lang}/feed.json``).
BY_NAME: dict[str, str] = {"feed.json": "application/feed+json"}
#: XML files by their root element.
BY_ROOT: dict[str, str] = {"rss": "application/rss+xml", "feed": "application/atom+xml", "opml": "text/x-opml"}
#: What a file of no known kind is sent as.
UNKNOWN = "application/octet-stream"
#: How much of an XML file is enough to find its root element (declaration and comments first).
SNIFF_BYTES = 2048

_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s/>]")
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", re.S)


def media_type(name: str, head: bytes = b"") -> str:
    """The ``Content-Type`` of the file named ``name``; ``head`` (its first
    :data:`SNIFF_BYTES` bytes) tells XML files apart."""
    suffix = name[name.rfind("."):].lower() if "." in name.rpartition("/")[2] else ""
    kind = BY_NAME.get(name.rpartition("/")[2].lower()) or BY_SUFFIX.get(suffix, UNKNOWN)
    if suffix == ".xml" and head:
        kind = BY_ROOT.get(root_element(head) or "", kind)
    return with_charset(kind)


def root_element(head: bytes) -> str | None:
    """The local name of the first element in the XML text ``head`` (None when there is none yet)."""
    found = _ROOT.search(_PROLOG.sub(b"", head))
    return found.group(2).decode("ascii") if found else None


def with_charset(kind: str) -> str:
    """``kind`` with ``; charset=utf-8`` when it is text."""
    if kind.startswith("text/") or kind in ("application/json", "application/manifest+json", "application/feed+json") \
            or kind.endswith("+xml") or kind == "application/xml":
        return f"{kind}; charset=utf-8"
    return kind
