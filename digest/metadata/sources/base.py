"""What every source module shares: the description of a request, and small text helpers.

Source modules never do I/O. They build :class:`Request` values (method, URL, query
parameters, JSON body, headers) and parse response bytes into
:class:`~digest.core.models.PaperMeta`; :mod:`digest.metadata.http` sends the requests. A request may
carry a secret (a password in a login body, an API key header): those fields are left out
of ``repr`` so a logged or printed request never shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from digest.core.errors import ParseError

T = TypeVar("T")


@dataclass(frozen=True)
class Request:
    """One HTTP request to a metadata service, described without sending it.

    ``source`` names the pacing and retry bucket (``openreview``, ``arxiv``, ``s2``);
    ``ids`` are the paper ids the request asks for, in order (empty for a login).
    """

    source: str
    method: str
    url: str
    params: tuple[tuple[str, str], ...] = ()
    json: Any = field(default=None, repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    ids: tuple[str, ...] = ()
    label: str = ""  # a short name for counts and messages, such as "openreview-v1 notes"


def batches(items: Sequence[T], size: int) -> list[list[T]]:
    """``items`` cut into consecutive lists of at most ``size`` (the last may be shorter)."""
    if size < 1:
        raise ValueError("batch size must be at least 1")
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def squash(text: str | None) -> str | None:
    """Whitespace runs (newlines of hard-wrapped Atom text included) as single spaces,
    trimmed; ``None`` for nothing left."""
    if text is None:
        return None
    out = re.sub(r"\s+", " ", text).strip()
    return out or None


def nonblank(text: Any) -> str | None:
    """A string with something other than whitespace in it, kept verbatim; else ``None``."""
    if isinstance(text, str) and text.strip():
        return text
    return None


def load_json(body: bytes, service: str, content_type: str = "") -> Any:
    """Decode a JSON body or raise :class:`ParseError` saying what came instead.

    An HTML page (a proxy's error page, a captcha) is named as such rather than as a JSON
    syntax error, since that is what the user needs to know.
    """
    ctype = content_type.split(";")[0].strip().lower()
    if ctype in ("text/html", "application/xhtml+xml"):
        raise ParseError(f"{service} answered with an HTML page instead of JSON")
    if not body.strip():
        raise ParseError(f"{service} answered with an empty body")
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ParseError(f"{service} answered with bytes that are not UTF-8") from None
    except ValueError as exc:
        # json's messages sometimes end in "at" ("Unterminated string starting at"): say "at" once
        where = f"byte {exc.pos}" if exc.msg.endswith(" at") else f"at byte {exc.pos}"
        raise ParseError(f"{service} answered with JSON that cannot be read ({exc.msg} {where})") from None


def first_int(value: Any) -> int | None:
    """The leading integer of a rating or confidence: ``8``, ``"8"`` or
    ``"8: Top 50% of accepted papers, clear accept"`` all give 8; anything else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        m = re.match(r"\s*(-?\d+)\s*(?::|$|\s)", value)
        if m:
            return int(m.group(1))
    return None
