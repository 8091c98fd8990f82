"""Streaming responses: the /v1/ask server-sent events and the OpenAI chat.completion.chunk stream.

A failure after a stream has started (the status is already 200) becomes an error event in the
one error shape.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi.sse import format_sse_event

from assistant.errors import AssistantError
from assistant.interfaces.api import metrics
from assistant.interfaces.api.errors import INTERNAL_ERROR, scrub
from assistant.interfaces.api.logging_setup import request_id_var
from assistant.interfaces.api.models import ChatCompletionRequest, Usage
from assistant.service import Answer, Citation

log = logging.getLogger("assistant.api")

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def _event_bytes(event: dict[str, Any]) -> bytes:
    data = dict(event)
    if isinstance(data.get("answer"), Answer):
        data["answer"] = data["answer"].model_dump(mode="json")
    return format_sse_event(data_str=json.dumps(data, ensure_ascii=False), event=str(data["type"]))


def _stream_error(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, AssistantError):
        return exc.code, exc.message
    log.exception("error while streaming")
    return "internal_error", INTERNAL_ERROR


async def sse_events(first: dict[str, Any], events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
    """token/notice events as they come, then `final` with the whole Answer; a failure after the
    stream has started becomes an `error` event in the error shape (the status is already 200)."""
    try:
        event = first
        while True:
            if event["type"] == "final":
                metrics.observe_answer(event["answer"].mode, event["answer"].flags)
            yield _event_bytes(event)
            event = await anext(events)
    except StopAsyncIteration:
        return
    except Exception as exc:
        code, message = _stream_error(exc)
        body = {
            "type": "error",
            "error": {"code": code, "message": scrub(message), "request_id": request_id_var.get()},
        }
        yield format_sse_event(data_str=json.dumps(body, ensure_ascii=False), event="error")


def sources_block(citations: list[Citation]) -> str:
    """The 参考条款 block appended to chat answers, so references survive clients that show only
    the message text."""
    if not citations:
        return ""
    lines = [f"{i}. 【{c.clause_id}】{c.heading or c.title}" for i, c in enumerate(citations, 1)]
    return "\n\n参考条款：\n" + "\n".join(lines)


def _chunk(
    completion_id: str, created: int, model: str, delta: dict[str, Any], finish: str | None = None
) -> dict:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _data_line(payload: dict[str, Any] | str) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return f"data: {text}\n\n".encode()


async def chat_stream(
    body: ChatCompletionRequest, first: dict[str, Any], events: AsyncIterator[dict[str, Any]]
) -> AsyncIterator[bytes]:
    """OpenAI streaming: role chunk, content deltas, then the sources block, then a last chunk
    with finish_reason "stop" and the citations, then [DONE].

    The final answer text is authoritative (the guards may change what the model streamed): if
    it differs from what was streamed, the difference, or the corrected answer, follows."""
    completion_id, created = "chatcmpl-" + uuid.uuid4().hex, int(time.time())
    yield _data_line(_chunk(completion_id, created, body.model, {"role": "assistant", "content": ""}))
    streamed, notices = "", []
    try:
        event = first
        while event["type"] != "final":
            if event["type"] == "token":
                streamed += event["text"]
                yield _data_line(_chunk(completion_id, created, body.model, {"content": event["text"]}))
            elif event["type"] == "notice":
                notices.append(event["text"])
            event = await anext(events)
    except Exception as exc:
        code, message = _stream_error(exc)
        error = {"error": {"code": code, "message": scrub(message), "request_id": request_id_var.get()}}
        yield _data_line(error)
        yield _data_line("[DONE]")
        return
    answer: Answer = event["answer"]
    metrics.observe_answer(answer.mode, answer.flags)
    rest = ""
    if answer.answer != streamed:
        if answer.answer.startswith(streamed):
            rest = answer.answer[len(streamed) :]
        else:
            lead = "".join(f"（{n}）\n" for n in notices)
            rest = ("\n\n【更正】以下为核验后的回答：\n" if streamed else "") + lead + answer.answer
    rest += sources_block(answer.citations)
    if rest:
        yield _data_line(_chunk(completion_id, created, body.model, {"content": rest}))
    last = _chunk(completion_id, created, body.model, {}, "stop")
    last.update(
        citations=[c.model_dump(mode="json") for c in answer.citations],
        session=answer.session,
        answer_id=answer.answer_id,
        mode=answer.mode,
        flags=answer.flags,
    )
    yield _data_line(last)
    if body.stream_options is not None and body.stream_options.include_usage:
        counts = usage(body, answer.answer + sources_block(answer.citations))
        yield _data_line(
            {**_chunk(completion_id, created, body.model, {}), "choices": [], "usage": counts.model_dump()}
        )
    yield _data_line("[DONE]")


def usage(body: ChatCompletionRequest, content: str) -> Usage:
    """Characters, not tokens: no tokenizer is loaded, and Chinese runs at about one per character."""
    prompt = sum(len(m.text()) for m in body.messages)
    return Usage(prompt_tokens=prompt, completion_tokens=len(content), total_tokens=prompt + len(content))
