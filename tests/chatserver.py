"""A real HTTP server on 127.0.0.1 that speaks the OpenAI chat-completions shape.

``POST /v1/chat/completions`` with ``{"model", "messages"}`` is answered with
``{"choices": [{"message": {"role": "assistant", "content": ...}, "finish_reason": "stop"}]}``
(the shape OpenAI documents and DeepSeek and Ollama's ``/v1`` copy). The content is looked
up in :attr:`ChatServer.answers` by the user message (the English text); an unknown text
gets a 400 error body in OpenAI's ``{"error": {"message", "type"}}`` shape.

Faults are queued with :meth:`ChatServer.fault` and consumed one per request:

``429``        status 429 with ``Retry-After: <retry_after>`` and OpenAI's rate-limit body
``503``        status 503
``slow``       sleep ``delay`` seconds before answering (past the client's timeout)
``malformed``  200 with JSON that has no ``choices``
``garbled``    200 with half the JSON body
``english``    200 answering with the English text itself (the wrong language)
``noformula``  200 answering with the translation, its TeX formulas removed

:attr:`requests` keeps every request body and its ``Authorization`` header.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Fault:
    kind: str
    retry_after: str = "2"
    delay: float = 0.0


class ChatServer:
    def __init__(self, answers: dict[str, str]):
        self.answers = dict(answers)
        self.faults: deque[Fault] = deque()
        self.requests: list[tuple[dict, str]] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.chat = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def fault(self, kind: str, times: int = 1, **kw) -> None:
        for _ in range(times):
            self.faults.append(Fault(kind, **kw))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet
        pass

    def do_POST(self) -> None:
        chat: ChatServer = self.server.chat  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
        with chat.lock:
            chat.requests.append((body, self.headers.get("Authorization", "")))
            fault = chat.faults.popleft() if chat.faults else None
        if self.path != "/v1/chat/completions":
            return self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
        text = body["messages"][-1]["content"]
        answer = chat.answers.get(text)
        kind = fault.kind if fault else ""
        if kind == "429":
            return self._send(429, {"error": {"message": "Rate limit reached for requests", "type": "requests",
                                              "code": "rate_limit_exceeded"}}, {"Retry-After": fault.retry_after})
        if kind == "503":
            return self._send(503, {"error": {"message": "The server is overloaded", "type": "server_error"}})
        if kind == "slow":
            time.sleep(fault.delay)
        if kind == "malformed":
            return self._send(200, {"id": "x", "object": "chat.completion", "result": answer})
        if answer is None:
            return self._send(400, {"error": {"message": "unexpected text", "type": "invalid_request_error"}})
        if kind == "english":
            answer = text
        if kind == "noformula":
            answer = re.sub(r"\$[^$]+\$", "", answer)
        payload = {"id": "chatcmpl-1", "object": "chat.completion", "model": body.get("model"),
                   "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                                "finish_reason": "stop"}]}
        if kind == "garbled":
            data = json.dumps(payload).encode()
            return self._raw(200, data[: len(data) // 2])
        self._send(200, payload)

    def _send(self, status: int, payload: dict, headers: dict | None = None) -> None:
        self._raw(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), headers)

    def _raw(self, status: int, data: bytes, headers: dict | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test)
