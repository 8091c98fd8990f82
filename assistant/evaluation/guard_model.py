"""The guard eval's adversarial model: a scripted OpenAI-compatible server (stdlib http.server on
127.0.0.1, a free port) that replies step by step as a `Behaviour` says, failures included
(HTTP 500, garbage, malformed streams, hangs). Apart from the behaviours (guard_behaviours) and
the runner (guards) because speaking the streaming protocol is a job of its own."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

TIMEOUT = 2.0  # the turn deadline the eval runs under (seconds)
HANG = TIMEOUT + 2.5  # how long a hanging model stalls


@dataclass
class Step:
    """One reply of the scripted model: text, a tool call (raw JSON arguments, so they can be
    broken), or a failure mode."""

    text: str = ""
    tool: str | None = None
    args: str = "{}"
    fail: str | None = None  # http500 | garbage | malformed | hang | hang_mid
    delay: float = 0.0


def say(text: str) -> Step:
    return Step(text=text)


def call(tool: str, args: dict[str, Any] | str, text: str = "") -> Step:
    raw = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return Step(text=text, tool=tool, args=raw)


def see(*clause_ids: str) -> list[Step]:
    """Look the clauses up first, as a real model would before citing them."""
    return [call("get_clause", {"clause_id": c}) for c in clause_ids]


@dataclass
class Behaviour:
    name: str
    question: str
    steps: list[Step]
    profile: dict[str, Any] | None = None
    forbidden: list[str] = field(default_factory=list)  # false claims: must never be shown
    required: list[str] = field(default_factory=list)  # correct sentences: must be kept
    fallback: bool = False  # a failure: the grounded answer with llm_fallback is expected
    #: Further checks on the final Answer; a message for each false fact it carries.
    check: Callable[[Any], list[str]] | None = None


class ScriptedModel(BaseHTTPRequestHandler):
    """Plays the behaviour named by the request's `model`; the step is the number of model
    replies with tool calls since the last user message."""

    behaviours: ClassVar[dict[str, Behaviour]] = {}

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        behaviour = self.behaviours[body["model"]]
        messages = body.get("messages", [])
        last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=0)
        done = sum(1 for m in messages[last_user:] if m.get("role") == "assistant" and m.get("tool_calls"))
        step = behaviour.steps[min(done, len(behaviour.steps) - 1)]
        if step.delay:
            time.sleep(step.delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self._reply(step, body)

    def _reply(self, step: Step, body: dict[str, Any]) -> None:
        if step.fail == "http500":
            self._send(500, "application/json", b'{"error": {"message": "internal"}}')
            return
        if step.fail == "hang":
            time.sleep(HANG)
            return
        if step.fail == "garbage":
            self._send(200, "text/event-stream", b"<html>upstream proxy error</html>\n\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if step.fail == "malformed":
            self._data({"role": "assistant", "content": ""}, body)
            self.wfile.write(b'data: {"id": "x", "choices": [{"delta": {"content": "\xe4\xbd\n\n')
            self.wfile.write(b"data: [DONE]\n\n")
            return
        if step.text:
            for i in range(0, len(step.text), 4):
                self._data({"content": step.text[i : i + 4]}, body)
        if step.fail == "hang_mid":
            self.wfile.flush()
            time.sleep(HANG)
            return
        if step.tool:
            call = {"index": 0, "id": "call_1", "type": "function"}
            self._data({"tool_calls": [{**call, "function": {"name": step.tool, "arguments": ""}}]}, body)
            half = len(step.args) // 2
            for part in (step.args[:half], step.args[half:]):
                self._data({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}, body)
        self._data({}, body, finish="tool_calls" if step.tool else "stop")
        self.wfile.write(b"data: [DONE]\n\n")

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _data(self, delta: dict[str, Any], body: dict[str, Any], finish: str | None = None) -> None:
        chunk = {
            "id": "chatcmpl-guard",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


class ScriptedServer:
    """The scripted model on 127.0.0.1 at a free port, in a background thread."""

    def __init__(self, behaviours: list[Behaviour]) -> None:
        # A handler class of its own, so two servers never share a script.
        self.handler = type("Script", (ScriptedModel,), {"behaviours": {b.name: b for b in behaviours}})

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
