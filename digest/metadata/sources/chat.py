"""An OpenAI-compatible chat-completions API, as a translation provider: the request for
one text, and the reading of the answer.

The shape is the one OpenAI publishes and DeepSeek, Qwen, Ollama (``/v1``) and vLLM copy:
``POST {base}/chat/completions`` with ``{"model", "messages", "temperature"}``, answered by
``{"choices": [{"message": {"content": ...}}]}``. The key goes in an ``Authorization:
Bearer`` header, which :class:`~digest.metadata.sources.base.Request` keeps out of its
``repr``. No I/O here: :mod:`digest.metadata.http` sends the request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from digest.core.errors import ParseError
from digest.metadata.sources.base import Request, load_json

SOURCE = "translation"
SERVICE = "the translation provider"


def chat_request(base_url: str, model: str, key: str | None, system: str, text: str,
                 label: str = "translation") -> Request:
    """The request that asks ``model`` to translate ``text`` following the prompt ``system``."""
    headers: Sequence[tuple[str, str]] = (("Authorization", f"Bearer {key}"),) if key else ()
    return Request(
        source=SOURCE,
        method="POST",
        url=base_url.rstrip("/") + "/chat/completions",
        json={
            "model": model,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": text}],
        },
        headers=tuple(headers),
        label=label,
    )


def parse_answer(body: bytes, content_type: str = "") -> str:
    """The text of the first choice; :class:`ParseError` (retried) for anything else."""
    data: Any = load_json(body, SERVICE, content_type)
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ParseError(f"{SERVICE} answered without choices[0].message.content") from None
    if not isinstance(content, str) or not content.strip():
        raise ParseError(f"{SERVICE} answered with an empty translation")
    finish = data["choices"][0].get("finish_reason") if isinstance(data["choices"][0], dict) else None
    if finish == "length":
        raise ParseError(f"{SERVICE} cut the translation short (finish_reason: length)")
    return content.strip()


def error_message(body: bytes) -> str:
    """The ``error.message`` of an error answer ("" when there is none)."""
    try:
        data = load_json(body, SERVICE)
    except ParseError:
        return ""
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:200]
    return ""
