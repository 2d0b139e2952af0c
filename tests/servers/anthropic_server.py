"""A scripted Anthropic Messages API on 127.0.0.1 for driving the real ``claude`` CLI offline.

The CLI (started by claude-agent-sdk with ``ANTHROPIC_BASE_URL`` pointing here) POSTs
``/v1/messages?beta=true`` and reads server-sent events. Each *main conversation* request
(one that offers tools) is answered with the next scripted :class:`Turn`; a turn holds text
and ``tool_use`` blocks, so the CLI really runs Read/Edit/Write or our MCP tools and sends the
``tool_result`` in its next request. Side requests (titles, summaries, token counts,
anything without tools) get a short harmless answer and consume no turn. Every request is
logged in :attr:`AnthropicServer.requests` so a test can inspect what the CLI sent.

When the script runs out, the server answers ``end_turn`` with :data:`EXHAUSTED_TEXT` and
counts it in :attr:`AnthropicServer.exhausted`, so a test can tell "the agent ran past the
script" from a real answer.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from tests.servers.loopback import LoopbackServer

EXHAUSTED_TEXT = "(scripted server: no more turns)"
RESPONSE_MODEL = "claude-sonnet-4-5-20250929"  # a priced model, so the CLI reports a cost
_SECRET_HEADERS = {"x-api-key", "authorization"}


@dataclass(frozen=True)
class Block:
    """One assistant content block: ``text`` or ``tool_use``."""

    kind: str
    text: str = ""
    name: str = ""
    input: Mapping[str, Any] = field(default_factory=dict)


def text(value: str) -> Block:
    return Block("text", text=value)


def tool_use(name: str, tool_input: Mapping[str, Any]) -> Block:
    return Block("tool_use", name=name, input=dict(tool_input))


@dataclass(frozen=True)
class Turn:
    """One scripted assistant message; ``stop_reason`` follows from the blocks."""

    blocks: tuple[Block, ...]
    input_tokens: int = 1200
    output_tokens: int = 80


def turn(*blocks: Block, input_tokens: int = 1200, output_tokens: int = 80) -> Turn:
    return Turn(tuple(blocks), input_tokens, output_tokens)


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    main: bool  # answered from the script

    def tool_results(self) -> list[dict[str, Any]]:
        """``tool_result`` blocks of the last user message (what the CLI reports back)."""
        content = self._last_user_content()
        return [b for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]

    def last_user_text(self) -> str:
        """Text blocks of the last user message (the CLI may add system-role messages after)."""
        content = self._last_user_content()
        if isinstance(content, str):
            return content
        return "\n".join(b.get("text", "") for b in content
                         if isinstance(b, dict) and b.get("type") == "text")

    def _last_user_content(self) -> Any:
        messages = (self.body or {}).get("messages") or []
        users = [m for m in messages if m.get("role") == "user"]
        return users[-1].get("content") or [] if users else []

    def tool_names(self) -> list[str]:
        return [t.get("name", "") for t in (self.body or {}).get("tools") or []]


class AnthropicServer(LoopbackServer):
    """``with AnthropicServer([turn(...), ...]) as api: env ANTHROPIC_BASE_URL=api.url``."""

    def __init__(self, turns: Sequence[Turn | Callable[[Any], Turn]]) -> None:
        """``turns``: the answers in order; a callable gets the request body and returns the
        turn (for a reply that depends on what the CLI sent, e.g. its working directory)."""
        self.turns = list(turns)
        self.requests: list[LoggedRequest] = []
        self.exhausted = 0
        self.reject_status: int | None = None  # answer main requests with this error status
        self._next = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    @property
    def main_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.main]

    @property
    def turns_served(self) -> int:
        return self._next

    # -- dispatch ---------------------------------------------------------------------

    def answer(self, method: str, target: str, headers: Mapping[str, str],
               raw: bytes) -> tuple[int, str, bytes]:
        """(status, content type, body) for one request; logs it first."""
        parts = urlsplit(target)
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        main = (method == "POST" and parts.path == "/v1/messages"
                and isinstance(body, dict) and bool(body.get("tools")))
        safe = {k.lower(): v for k, v in headers.items() if k.lower() not in _SECRET_HEADERS}
        with self._lock:
            self.requests.append(LoggedRequest(method, parts.path, parts.query, safe, body, main))
            scripted = self._take_turn(body) if main and self.reject_status is None else None
        if parts.path == "/v1/messages/count_tokens":
            return 200, "application/json", json.dumps({"input_tokens": 1000}).encode()
        if method != "POST" or parts.path != "/v1/messages" or not isinstance(body, dict):
            return 200, "application/json", b"{}"
        if main and self.reject_status is not None:
            error = {"type": "error", "error": {"type": "authentication_error",
                                               "message": "invalid x-api-key"}}
            return self.reject_status, "application/json", json.dumps(error).encode()
        message = scripted or turn(text("Bundle refinement"), input_tokens=20, output_tokens=5)
        model = str(body.get("model") or RESPONSE_MODEL)
        msg_id = f"msg_scripted_{next(self._ids):04d}"
        if body.get("stream"):
            return 200, "text/event-stream", b"".join(self._sse(message, model, msg_id))
        return 200, "application/json", json.dumps(self._message(message, model, msg_id)).encode()

    def _take_turn(self, body: Any) -> Turn:
        if self._next < len(self.turns):
            self._next += 1
            scripted = self.turns[self._next - 1]
            return scripted(body) if callable(scripted) else scripted
        self.exhausted += 1
        return turn(text(EXHAUSTED_TEXT))

    def _content(self, message: Turn) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for block in message.blocks:
            if block.kind == "text":
                out.append({"type": "text", "text": block.text})
            else:
                out.append({"type": "tool_use", "id": f"toolu_{next(self._ids):06d}",
                            "name": block.name, "input": dict(block.input)})
        return out

    def _message(self, message: Turn, model: str, msg_id: str) -> dict[str, Any]:
        content = self._content(message)
        return {"id": msg_id, "type": "message", "role": "assistant", "model": model,
                "content": content, "stop_reason": _stop_reason(content),
                "stop_sequence": None, "usage": _usage(message)}

    def _sse(self, message: Turn, model: str, msg_id: str) -> Iterator[bytes]:
        content = self._content(message)
        start: dict[str, Any] = {
            "id": msg_id, "type": "message", "role": "assistant", "model": model,
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {**_usage(message), "output_tokens": 1}}
        yield _event("message_start", {"type": "message_start", "message": start})
        for index, block in enumerate(content):
            opening: dict[str, Any]
            if block["type"] == "text":
                opening = {"type": "text", "text": ""}
                delta = {"type": "text_delta", "text": block["text"]}
            else:
                opening = {**block, "input": {}}
                delta = {"type": "input_json_delta", "partial_json": json.dumps(block["input"])}
            yield _event("content_block_start", {"type": "content_block_start", "index": index,
                                                 "content_block": opening})
            yield _event("content_block_delta", {"type": "content_block_delta", "index": index,
                                                 "delta": delta})
            yield _event("content_block_stop", {"type": "content_block_stop", "index": index})
        yield _event("message_delta", {
            "type": "message_delta",
            "delta": {"stop_reason": _stop_reason(content), "stop_sequence": None},
            "usage": {"output_tokens": message.output_tokens}})
        yield _event("message_stop", {"type": "message_stop"})


def _usage(message: Turn) -> dict[str, int]:
    return {"input_tokens": message.input_tokens, "output_tokens": message.output_tokens,
            "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}


def _stop_reason(content: list[dict[str, Any]]) -> str:
    return "tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn"


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True
    app: AnthropicServer


class _Handler(BaseHTTPRequestHandler):
    server: _HttpServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        status, ctype, body = self.server.app.answer(
            self.command, self.path, dict(self.headers.items()), raw)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("request-id", "req_scripted")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return


AnthropicServer.http_server_class = _HttpServer
AnthropicServer.handler_class = _Handler
