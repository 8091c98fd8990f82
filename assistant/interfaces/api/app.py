"""HTTP API (FastAPI): versioned routes under /v1 that translate HTTP to the service and back.

No logic of the assistant lives here: routes parse a request into the service's (or drafter's,
reviewer's) arguments and its result into a response. What this module owns is the HTTP edge:

- one error shape for every 4xx/5xx, `{"error": {"code", "message" (Chinese), "request_id"}}`,
  with internal paths scrubbed from messages and no traceback ever sent (they go to the log);
- a request id per request (taken from `X-Request-ID` when sane, else generated), returned in
  the `X-Request-ID` header and the error body and stamped on every log line;
- API keys, per-key rate limits (api_deps.py), body size limits (413) and field limits (422);
- metrics per route template (metrics.py) and a JSON access log (logging_setup.py);
- the service built once per process in the lifespan (`assistant serve --workers N` builds one
  per worker), unless a test passes one in.

The web UI (assistant/ui.py, when present) is mounted at "/" after the API routes; without it "/"
serves a small search page.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, Literal, cast
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.routing import APIRoute
from fastapi.sse import format_sse_event
from pydantic import ValidationError
from starlette.datastructures import Headers, MutableHeaders, UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answering.sessions import SessionStore
from assistant.config import Settings, settings
from assistant.drafting import SPEC_FIELD_LABELS as DRAFT_FIELD_LABELS
from assistant.drafting import (
    Draft,
    DraftSpec,
    ReviewReport,
    build_draft,
    polish,
    read_blocks,
    review_blocks,
    review_text,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.errors import AssistantError, IndexBuildError
from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import (
    ApiError,
    ApiSettings,
    KeyRing,
    LazyService,
    RateLimiter,
    ServiceDep,
    ServiceHolder,
    SettingsDep,
    enforce_rate_limit,
)
from assistant.interfaces.api.logging_setup import configure_logging, request_id_var
from assistant.interfaces.api.models import (
    ANSWER_EXAMPLE,
    ASK_EXAMPLES,
    CHECK_EXAMPLES,
    DRAFT_EXAMPLE,
    MODEL_ID,
    SSE_EXAMPLE,
    AskRequest,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    ChatResponseMessage,
    DraftResponse,
    Editions,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    Hit,
    ModelCard,
    ModelList,
    Ready,
    ReviewRequest,
    ScenarioEdition,
    ScenarioOut,
    ScenariosResponse,
    SearchResponse,
    SegmentOut,
    Usage,
)
from assistant.knowledge.retrieval import Retriever
from assistant.knowledge.scenarios import TIERS, load_catalog
from assistant.rules import CheckReport, EnterpriseProfile, field_label
from assistant.service import Answer, AssistantService, Citation, make_llm

log = logging.getLogger("assistant.api")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REVIEW_SUFFIXES = (".docx", ".txt", ".md", ".markdown")
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# ---------------------------------------------------------------------------------------------
# Errors: one shape, Chinese messages, nothing internal
# ---------------------------------------------------------------------------------------------

HTTP_MESSAGES = {
    400: "请求格式不正确",
    401: "未授权",
    403: "无权访问",
    404: "找不到请求的资源",
    405: "不支持该请求方法",
    413: "请求体过大",
    415: "不支持的请求内容类型",
    422: "请求参数不合法",
    429: "请求过于频繁",
    500: "服务内部错误，请稍后再试",
    503: "服务暂不可用，请稍后再试",
}
#: What FastAPI apps mounted under us (the Gradio UI) answer for an unknown path or method.
BARE_NOT_FOUND = (b'{"detail":"Not Found"}', b'{"detail":"Method Not Allowed"}')
INTERNAL_ERROR = "服务内部错误，请稍后再试；如需协助，请提供请求编号。"

#: An absolute path of two or more components (not the // of a URL): shown by its last part only.
_PATH_RE = re.compile(r"(?<![\w:/.])(?:/[^\s/'\"，。；：、）)】]+){2,}")


def scrub(message: str) -> str:
    """Drop directories from any absolute path in a message: users need the file name, an
    attacker would like the layout of the server."""
    return _PATH_RE.sub(lambda m: m.group(0).rsplit("/", 1)[-1], message)


def error_response(
    status: int, code: str, message: str, request_id: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    request_id = request_id or request_id_var.get()
    body = {"error": {"code": code, "message": scrub(message), "request_id": request_id}}
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "X-Request-ID": request_id})


_WHAT = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "string_type": "应为文本",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象（键值对）",
    "model_type": "应为 JSON 对象（键值对）",
    "model_attributes_type": "应为 JSON 对象（键值对）",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD）",
    "union_tag_invalid": "类型不正确",
}
_API_LABELS = {
    "q": "查询内容",
    "k": "返回条数",
    "edition": "版本",
    "as_of": "评估日期",
    "question": "问题",
    "session": "会话编号",
    "stream": "流式返回",
    "answer_id": "回答编号",
    "rating": "评分",
    "comment": "意见",
    "messages": "消息列表",
    "content": "消息内容",
    "role": "角色",
    "text": "草稿文字",
    "tier": "目标层级",
    "clause_id": "条款编号",
}


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _label(path: list[Any]) -> str:
    names = [p for p in path if isinstance(p, str)]
    if not names:
        return ""
    dotted = ".".join(names[1:] if names[0] == "profile" else names)
    profile_label = field_label(dotted)
    if profile_label != dotted:
        return profile_label
    return _API_LABELS.get(names[-1]) or DRAFT_FIELD_LABELS.get(names[-1], "")


def _what(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error.get("msg", ""))).removeprefix("Value error, ")
    if kind == "string_too_short":
        what = "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字符"
    elif kind == "string_too_long":
        return f"过长，最多 {ctx.get('max_length')} 个字符"
    elif kind == "too_short":
        what = f"至少需要 {ctx.get('min_length')} 项"
    elif kind == "too_long":
        return f"过多，最多 {ctx.get('max_length')} 项"
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": ("ge", "应不小于"), "greater_than": ("gt", "应大于")}.get(
            kind, {"less_than_equal": ("le", "应不大于"), "less_than": ("lt", "应小于")}.get(kind, ("", ""))
        )
        what = f"{bound[1]} {ctx.get(bound[0])}"
    elif kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", "、").replace(", ", "、")
        what = f"取值不在允许范围内（可选：{expected}）"
    else:
        what = _WHAT.get(kind, "取值不合法")
    if kind in ("missing", "extra_forbidden") or "input" not in error:
        return what
    return f"{what}，收到 {_show(error['input'])}"


def describe_validation(errors: Sequence[Any]) -> str:
    """pydantic/FastAPI errors → one Chinese sentence naming each field (at most three)."""
    parts = []
    for error in errors[:3]:
        loc = list(error.get("loc", ()))
        where = loc.pop(0) if loc and loc[0] in ("query", "path", "header", "cookie", "body") else "body"
        if error.get("type") == "json_invalid":
            position = loc[0] if loc and isinstance(loc[0], int) else None
            parts.append(
                "请求体不是合法的 JSON"
                + (f"（第 {position} 个字符附近有误）" if position is not None else "")
            )
            continue
        path = ""
        for part in loc:
            path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
        prefix = {"query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie"}.get(
            where, "请求体字段"
        )
        label = _label(loc)
        name = f"{prefix} {path}{f'（{label}）' if label else ''}" if path else "请求体"
        parts.append(f"{name}：{_what(error)}")
    more = f"；另有 {len(errors) - 3} 处问题" if len(errors) > 3 else ""
    return "请求参数不合法：" + "；".join(parts) + more


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, headers=exc.headers)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        if isinstance(exc, IndexBuildError):
            log.error("index error: %s", exc.message)
            return error_response(exc.status_code, exc.code, "检索索引暂不可用，请稍后再试")
        if exc.status_code >= 500:
            log.error("%s: %s", type(exc).__name__, exc.message)
        return error_response(exc.status_code, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_request", describe_validation(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:
            return error_response(413, "payload_too_large", str(exc.detail), headers=dict(exc.headers or {}))
        chinese = isinstance(exc.detail, str) and not exc.detail.isascii()
        message = exc.detail if chinese else HTTP_MESSAGES.get(exc.status_code, "请求失败")
        return error_response(
            exc.status_code, f"http_{exc.status_code}", str(message), headers=dict(exc.headers or {})
        )


# ---------------------------------------------------------------------------------------------
# Request context: id, size limit, metrics, access log, last-resort 500
# ---------------------------------------------------------------------------------------------


def too_large(limit: int, length: int | None = None) -> str:
    size = f"（{length} 字节）" if length is not None else ""
    return f"请求体过大{size}，上限为 {limit} 字节。"


class RequestContextMiddleware:
    """Pure ASGI (no per-request task or body buffering, so streaming stays streaming).

    Body limits are enforced here rather than with FastAPI's `max_body_size`, whose refusal is
    plain text: a declared Content-Length over the limit is refused before anything reads the
    body, and a chunked body is counted as it is read. Uploads to /v1/review have their own,
    larger limit. A mounted app's bare `{"detail": "Not Found"}` (the UI owns "/" and whatever
    below it no API route matched) is rewritten into the one error shape. Any exception that
    escapes the app is logged with its traceback and answered with a generic 500 in the error
    shape; the client never sees the traceback.
    """

    def __init__(self, app: ASGIApp, body_limit: int, upload_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        held: Message | None = None  # a bare 404/405 of a mounted app (the UI), being rewritten
        held_body: list[bytes] = []

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started, held
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                out.setdefault("X-Content-Type-Options", "nosniff")
                if status in (404, 405) and out.get("content-type", "").startswith("application/json"):
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                held_body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body, start = b"".join(held_body), held
                held = None
                if body in BARE_NOT_FOUND:
                    allow = MutableHeaders(scope=start).get("allow")
                    headers = {"Allow": allow} if allow else None
                    await error_response(
                        status, f"http_{status}", HTTP_MESSAGES[status], request_id, headers
                    )(scope, receive, send)
                else:
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        limit = self.upload_limit if scope["path"].rstrip("/") == "/v1/review" else self.body_limit
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read; FastAPI passes HTTPExceptions through
                    # to the handlers, which answer in the one error shape.
                    raise StarletteHTTPException(413, too_large(limit))
            return message

        try:
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                await error_response(413, "payload_too_large", too_large(limit, int(length)), request_id)(
                    scope, receive, send_with_id
                )
            else:
                await self.app(scope, receive_within_limit, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if not response_started:
                await error_response(500, "internal_error", INTERNAL_ERROR, request_id)(
                    scope, receive, send_with_id
                )
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics.observe_request(scope["method"], route, status, seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 2),
                    "key_id": scope["state"].get("key_id", ""),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            request_id_var.reset(token)


class ChineseCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the one error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        what = bytes(response.body).decode(errors="replace").removeprefix("Disallowed CORS ")
        names = {
            "origin": "来源",
            "method": "请求方法",
            "headers": "请求头",
            "private-network": "私有网络访问",
        }
        refused = "、".join(names.get(w.strip(), w.strip()) for w in what.split(","))
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}
        return error_response(
            400, "cors_rejected", f"跨域请求未被允许：{refused}不在允许范围内。", headers=headers
        )


# ---------------------------------------------------------------------------------------------
# Translation helpers (HTTP shapes ↔ core objects)
# ---------------------------------------------------------------------------------------------


def _profile_dict(profile: EnterpriseProfile | None) -> dict[str, Any] | None:
    """The profile as the user gave it: fields they left out stay out (missing = unknown)."""
    return profile.model_dump(mode="json", exclude_unset=True) if profile is not None else None


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


async def _sse(first: dict[str, Any], events: AsyncIterator[dict[str, Any]]) -> AsyncIterator[bytes]:
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


def _chat_question(body: ChatCompletionRequest) -> str:
    """The last user message. System messages are not obeyed: the assistant's rules are its own."""
    for message in reversed(body.messages):
        if message.role == "user":
            text = message.text().strip()
            if text:
                return text
    raise ApiError(
        422, "invalid_request", "请求参数不合法：messages 中没有内容非空的用户消息（role 为 user）"
    )


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


async def _chat_stream(
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
        usage = _usage(body, answer.answer + sources_block(answer.citations))
        yield _data_line(
            {**_chunk(completion_id, created, body.model, {}), "choices": [], "usage": usage.model_dump()}
        )
    yield _data_line("[DONE]")


def _usage(body: ChatCompletionRequest, content: str) -> Usage:
    """Characters, not tokens: no tokenizer is loaded, and Chinese runs at about one per character."""
    prompt = sum(len(m.text()) for m in body.messages)
    return Usage(prompt_tokens=prompt, completion_tokens=len(content), total_tokens=prompt + len(content))


def _safe_filename(name: str, fallback: str) -> str:
    base = Path(name.replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)[:120]
    return base or fallback


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"draft{Path(filename).suffix}\"; filename*=UTF-8''{quote(filename)}"


def _export(draft: Draft, fmt: str, recommender: str | None) -> bytes:
    with tempfile.TemporaryDirectory(prefix="draft-") as folder:
        path = Path(folder) / f"draft.{fmt}"
        if fmt == "docx":
            write_docx(draft, path)
        else:
            write_recommendation_xlsx([draft], path, recommender=recommender)
        return path.read_bytes()


def _review_upload(filename: str, data: bytes, tier: str, edition: str, corpus_dir: Path) -> ReviewReport:
    """Write the upload under its own (sanitised) name in a private temp folder, so messages
    name the user's file and never a server path."""
    name = _safe_filename(filename, "upload.txt")
    if Path(name).suffix.lower() not in REVIEW_SUFFIXES:
        suffix = Path(name).suffix or "（无扩展名）"
        raise ApiError(
            415, "unsupported_file_type", f"不支持的文件类型 {suffix}：请上传 .docx、.txt 或 .md 文件。"
        )
    with tempfile.TemporaryDirectory(prefix="review-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        blocks = read_blocks(path)
    return review_blocks(blocks, tier, edition, corpus_dir=corpus_dir, file=name)


def _scenario_listing(corpus_dir: Path, edition: str | None) -> ScenariosResponse:
    catalog = load_catalog(corpus_dir)
    if edition is not None and edition not in catalog.editions:
        raise ApiError(
            422,
            "unknown_edition",
            f"没有 {edition} 年版的场景指引数据；可选：{'、'.join(sorted(catalog.editions))}",
        )
    chosen = [edition] if edition else sorted(catalog.editions)
    return ScenariosResponse(
        links=list(catalog.links),
        editions=[
            ScenarioEdition(
                edition=e.edition,
                status=e.status,
                source=e.source,
                note=e.note,
                link_mapping_status=e.link_mapping_status,
                clause_ids=list(e.clause_ids),
                segments=[
                    SegmentOut(name=s.name, link=s.link, clause_id=s.clause_id, extra=s.extra)
                    for s in e.segments.values()
                ],
                scenarios=[
                    ScenarioOut(
                        name=s.name,
                        segment=s.segment,
                        link=s.link,
                        clause_id=s.clause_id,
                        multi_link=s.multi_link,
                    )
                    for s in e.scenarios.values()
                ],
            )
            for e in (catalog.edition(key) for key in chosen)
        ],
    )


# ---------------------------------------------------------------------------------------------
# OpenAPI extras
# ---------------------------------------------------------------------------------------------


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("请求格式不正确"),
    401: _error("缺少或无效的 API 密钥（配置了 ASSISTANT_API_KEYS 时）"),
    404: _error("找不到资源"),
    405: _error("不支持该请求方法"),
    413: _error("请求体过大"),
    415: _error("不支持的内容类型"),
    422: _error("参数不合法（消息为中文，指明字段）"),
    429: _error("超过速率限制（见 Retry-After）"),
    500: _error("服务内部错误"),
    503: _error("索引尚未加载完成（见 Retry-After）"),
}

#: One server-sent event of /v1/ask (OpenAPI 3.2 `itemSchema`): its data is JSON with a `type`.
ASK_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {
        "event": {"type": "string", "enum": ["token", "notice", "final", "error"]},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string", "enum": ["token", "notice", "final", "error"]}},
            },
        },
    },
}
#: One event of the OpenAI-style stream: a chat.completion.chunk as JSON, or the final [DONE].
CHAT_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["data"],
    "properties": {"data": {"type": "string"}},
}

REVIEW_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ReviewRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "申报书草稿（.docx / .txt / .md）",
                        },
                        "tier": {"type": "string", "enum": list(TIERS), "default": "卓越级"},
                        "edition": {"type": "string", "maxLength": 16, "default": "2025"},
                    },
                }
            },
        },
    }
}

DESCRIPTION = """智能工厂申报助手的 HTTP 接口：条款检索、申报问答（可流式）、层级核验、申报书草稿与审阅、
OpenAI 兼容的对话接口。

- **鉴权**：服务端配置了 `ASSISTANT_API_KEYS` 时，/v1 下的接口需在请求头中提供
  `Authorization: Bearer <密钥>`（或 `X-API-Key: <密钥>`），否则返回 401。
- **限流**：每个密钥有速率上限，超出返回 429，`Retry-After` 给出等待秒数。
- **错误**：所有 4xx/5xx 均为 `{"error": {"code": "...", "message": "<中文说明>", "request_id": "..."}}`；
  `request_id` 同时在响应头 `X-Request-ID` 中，反馈问题时请提供。
- **数据**：用户输入的文字只作为数据处理，不会被当作指令执行。
"""

TAGS = [
    {"name": "问答", "description": "申报问答（附条款出处与核验结论）、OpenAI 兼容对话、反馈"},
    {"name": "核验", "description": "按企业画像给出层级核验结论"},
    {"name": "检索", "description": "条款检索、按编号查条款、版本与场景目录"},
    {"name": "草稿", "description": "申报书草稿生成与审阅"},
    {"name": "运维", "description": "健康检查、就绪检查、Prometheus 指标"},
]


# ---------------------------------------------------------------------------------------------
# The app
# ---------------------------------------------------------------------------------------------


def _build_service(config: Settings, retriever: Retriever | None) -> AssistantService:
    if retriever is None:
        return AssistantService.from_settings(config)
    return AssistantService(
        config, retriever, SessionStore(config.data_dir / "sessions.db"), make_llm(config)
    )


def create_app(
    app_settings: Settings | None = None,
    retriever: Retriever | None = None,
    *,
    service: AssistantService | None = None,
    api_settings: ApiSettings | None = None,
    with_ui: bool = True,
) -> FastAPI:
    """Build the app. The service is built once in the lifespan (from `app_settings`, or around
    a given `retriever`) unless `service` is passed (tests). `uvicorn --factory` calls this once
    per worker."""
    config = service.settings if service is not None else (app_settings or settings)
    api_config = api_settings or ApiSettings()
    configure_logging(api_config.log_level, json_format=api_config.log_json)
    holder = ServiceHolder(lambda: _build_service(config, retriever), service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        loaded = await asyncio.to_thread(holder.get)
        metrics.instrument_retriever(loaded.retriever)
        dense = loaded.retriever.index.has_dense
        log.info(
            "ready",
            extra={
                "seconds": round(time.perf_counter() - started, 2),
                "clauses": len(loaded.corpus.clauses),
                "dense": dense,
                "llm": loaded.llm is not None,
            },
        )
        yield

    app = FastAPI(
        title="智能工厂申报助手 API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        responses={422: ERROR_RESPONSES[422], 500: ERROR_RESPONSES[500]},
    )
    app.state.services = holder
    app.state.settings = config
    app.state.api_settings = api_config
    app.state.keyring = KeyRing(api_config.api_keys)
    app.state.limiter = RateLimiter(
        api_config.rate_limit, api_config.anonymous_rate_limit, api_config.rate_limit_storage
    )

    if api_config.cors_origin_list:
        app.add_middleware(
            ChineseCORSMiddleware,
            allow_origins=api_config.cors_origin_list,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(
        RequestContextMiddleware,
        body_limit=api_config.max_body_bytes,
        upload_limit=api_config.max_upload_bytes,
    )
    install_error_handlers(app)
    app.include_router(_ops_router())
    v1 = _v1_router(api_config)
    app.include_router(v1)
    app.include_router(_v1_fallback_router(v1))
    _mount_ui_or_home(app, holder, with_ui)
    return app


def _ops_router() -> APIRouter:
    router = APIRouter(tags=["运维"])

    @router.get("/healthz", response_model=Health, summary="存活检查")
    async def healthz() -> Health:
        return Health()

    @router.get(
        "/readyz",
        response_model=Ready,
        summary="就绪检查（索引已加载）",
        responses={503: ERROR_RESPONSES[503]},
    )
    async def readyz(service: ServiceDep) -> Ready:
        return Ready(
            clauses=len(service.corpus.clauses),
            editions=service.editions(),
            dense=service.retriever.index.has_dense,
            llm=service.llm is not None,
        )

    @router.get(
        "/metrics",
        summary="Prometheus 指标",
        response_class=Response,
        responses={
            200: {
                "content": {"text/plain": {"schema": {"type": "string"}}},
                "description": "Prometheus 文本格式",
            }
        },
    )
    async def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    return router


def _v1_router(api_config: ApiSettings) -> APIRouter:
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(enforce_rate_limit)], responses=ERROR_RESPONSES)

    @v1.post(
        "/ask",
        response_model=Answer,
        tags=["问答"],
        summary="申报问答",
        description="回答申报问题并附条款出处；给出企业画像时附规则核验结论。`stream=true` 时返回 "
        "`text/event-stream`：若干 `token` 事件（文字片段），可能有 `notice` 事件，最后一个 `final` "
        "事件携带完整回答（含 citations 与 verdict，以其文字为准）；出错时为 `error` 事件。",
        responses={
            200: {
                "description": "回答（JSON），或事件流",
                "content": {
                    "application/json": {"example": ANSWER_EXAMPLE},
                    "text/event-stream": {"itemSchema": ASK_EVENT_SCHEMA, "example": SSE_EXAMPLE},
                },
            }
        },
    )
    async def ask(
        service: ServiceDep, body: Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)]
    ) -> Any:
        kwargs: dict[str, Any] = {
            "session": body.session,
            "profile": _profile_dict(body.profile),
            "edition": body.edition,
            "as_of": body.as_of,
        }
        if not body.stream:
            answer = await service.ask_async(body.question, **kwargs)
            metrics.observe_answer(answer.mode, answer.flags)
            return answer
        events = service.ask_events(body.question, **kwargs)
        first = await anext(events)  # a bad request fails here, before the 200 is sent
        return StreamingResponse(
            _sse(first, events),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @v1.post(
        "/check",
        response_model=CheckReport,
        tags=["核验"],
        summary="层级核验",
        description="按企业画像判断可达层级与2024年度卓越级申报条件；缺少的字段视为“未知”，结论中列出需补充的信息。",
    )
    async def check(
        service: ServiceDep,
        profile: Annotated[EnterpriseProfile, Body(openapi_examples=CHECK_EXAMPLES)],
        as_of: Annotated[dt.date | None, Query(description="评估日期 YYYY-MM-DD（默认今天）")] = None,
        edition: Annotated[
            str | None, Query(max_length=16, description="规则版本，如 2024（默认最新）")
        ] = None,
    ) -> CheckReport:
        # In the event loop on purpose: ~1 ms of pure computation, cheaper than a thread hop.
        return service.check(_profile_dict(profile) or {}, edition or None, as_of)

    @v1.get("/search", response_model=SearchResponse, tags=["检索"], summary="检索条款")
    async def search(
        service: ServiceDep,
        q: Annotated[
            str,
            Query(
                min_length=1, max_length=500, description="问题或关键词", examples=["分公司能申报卓越级吗"]
            ),
        ],
        k: Annotated[int, Query(ge=1, le=50, description="返回条数")] = 5,
        edition: Annotated[str | None, Query(max_length=16, description="只检索某版本，如 2024")] = None,
    ) -> SearchResponse:
        # In a worker thread: the query embedding (torch) releases the GIL, so searches overlap.
        hits = await run_in_threadpool(service.search, q, k, edition or None)
        return SearchResponse(query=q, hits=[Hit.model_validate(h.to_dict()) for h in hits])

    @v1.get(
        "/clauses/{clause_id}",
        response_model=Hit,
        tags=["检索"],
        summary="按编号查条款",
        description="条款编号中的 # 须编码为 %23，例如 /v1/clauses/kpi%2312。",
    )
    async def clause(service: ServiceDep, clause_id: str) -> Hit:
        found = service.clause(clause_id)
        if found is None:
            raise StarletteHTTPException(404, f"没有编号为 {clause_id} 的条款")
        return Hit.model_validate(found.to_hit())

    @v1.get("/editions", response_model=Editions, tags=["检索"], summary="可用版本")
    async def editions(service: ServiceDep) -> Editions:
        catalog = load_catalog(service.settings.corpus_dir)
        return Editions(
            editions=service.editions(),
            rule_editions=service.rule_editions(),
            scenario_editions=sorted(catalog.editions),
        )

    @v1.get("/scenarios", response_model=ScenariosResponse, tags=["检索"], summary="场景指引目录")
    async def scenarios(
        service: ServiceDep,
        edition: Annotated[
            str | None, Query(max_length=16, description="指引版本，如 2025；缺省返回全部")
        ] = None,
    ) -> ScenariosResponse:
        return _scenario_listing(service.settings.corpus_dir, edition or None)

    @v1.post(
        "/draft",
        response_model=DraftResponse,
        tags=["草稿"],
        summary="生成申报书草稿",
        description="生成典型场景实例（环节名—场景名—实例名）、附件3第三、四部分草稿、附件4推荐汇总表行及自查意见。"
        "`format=docx` 返回 Word 申报书，`format=xlsx` 返回附件4推荐汇总表。草稿中的数字均来自输入，缺的写作【待补充：…】。",
        responses={
            200: {
                "description": "草稿（JSON）或文件",
                "content": {
                    DOCX_MIME: {"schema": {"type": "string", "format": "binary"}},
                    XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        },
    )
    async def draft(
        service: ServiceDep,
        spec: Annotated[
            DraftSpec, Body(openapi_examples={"示例": {"summary": "一个场景实例", "value": DRAFT_EXAMPLE}})
        ],
        fmt: Annotated[
            Literal["json", "docx", "xlsx"], Query(alias="format", description="返回格式")
        ] = "json",
        polish_text: Annotated[
            bool, Query(alias="polish", description="配置了大模型时润色文字（数字与占位符保持不变）")
        ] = False,
        recommender: Annotated[str | None, Query(max_length=100, description="推荐单位（xlsx 表头）")] = None,
    ) -> Any:
        corpus_dir = service.settings.corpus_dir
        result = await run_in_threadpool(build_draft, spec, corpus_dir=corpus_dir)
        if polish_text and service.llm is not None:
            result = await run_in_threadpool(polish, result, service.llm)
        if fmt == "json":
            return DraftResponse.model_validate({**result.model_dump(), "markdown": result.text()})
        data = await run_in_threadpool(_export, result, fmt, recommender)
        filename = _safe_filename(f"{spec.project_name}.{fmt}", f"draft.{fmt}")
        return Response(
            data,
            media_type=DOCX_MIME if fmt == "docx" else XLSX_MIME,
            headers={"Content-Disposition": _attachment(filename)},
        )

    @v1.post(
        "/review",
        response_model=ReviewReport,
        tags=["草稿"],
        summary="审阅申报书草稿",
        description="上传 .docx / .txt / .md 文件（multipart/form-data，字段 file，可选 tier、edition），"
        "或以 JSON 提交文字。返回每条意见的严重程度（必须修改 / 建议修改 / 提示）及所依据的条款。",
        openapi_extra=REVIEW_BODY,
    )
    async def review(request: Request, settings_: SettingsDep) -> ReviewReport:
        content_type = request.headers.get("content-type", "").lower()
        if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            form = await request.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
            upload = form.get("file")
            try:
                options = ReviewRequest.model_validate(
                    {
                        "text": "-",
                        "tier": form.get("tier") or "卓越级",
                        "edition": form.get("edition") or "2025",
                    }
                )
            except ValidationError as exc:
                raise RequestValidationError(
                    [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
                ) from None
            if not isinstance(upload, UploadFile):
                raise ApiError(
                    422,
                    "invalid_request",
                    "请求参数不合法：请在字段 file 中上传申报书草稿（.docx、.txt 或 .md）",
                )
            data = await upload.read()
            return await run_in_threadpool(
                _review_upload,
                upload.filename or "upload.txt",
                data,
                options.tier,
                options.edition,
                settings_.corpus_dir,
            )
        if content_type.startswith("application/json") or content_type.endswith("+json"):
            try:
                body = ReviewRequest.model_validate_json(await request.body())
            except ValidationError as exc:
                errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
                raise RequestValidationError(errors) from None
            return await run_in_threadpool(
                review_text, body.text, body.tier, body.edition, corpus_dir=settings_.corpus_dir
            )
        raise ApiError(
            415,
            "unsupported_media_type",
            "不支持的请求格式：请以 application/json 提交文字，或以 multipart/form-data 上传文件。",
        )

    @v1.post(
        "/feedback", status_code=201, response_model=FeedbackResponse, tags=["问答"], summary="对回答的反馈"
    )
    async def feedback(service: ServiceDep, body: FeedbackRequest) -> FeedbackResponse:
        feedback_id = await run_in_threadpool(service.feedback, body.answer_id, body.rating, body.comment)
        return FeedbackResponse(id=feedback_id, answer_id=body.answer_id)

    @v1.get("/models", response_model=ModelList, tags=["问答"], summary="模型列表（OpenAI 兼容）")
    async def models() -> ModelList:
        return ModelList(data=[ModelCard()])

    @v1.post(
        "/chat/completions",
        response_model=ChatCompletion,
        tags=["问答"],
        summary="OpenAI 兼容的对话接口",
        description="可用官方 openai 客户端或任意兼容前端调用（base_url 指向 /v1）。最后一条用户消息为问题；"
        "客户端的 system 消息不会改变助手的规则。引用条款既以“参考条款”段落附在回答文字末尾，也在 `citations` 字段中；"
        "流式时在最后一个数据块中。扩展字段 session / profile / edition 可经 extra_body 传入。",
        responses={200: {"content": {"text/event-stream": {"itemSchema": CHAT_EVENT_SCHEMA}}}},
    )
    async def chat_completions(service: ServiceDep, body: ChatCompletionRequest) -> Any:
        question = _chat_question(body)
        kwargs: dict[str, Any] = {
            "session": body.session,
            "profile": _profile_dict(body.profile),
            "edition": body.edition,
        }
        if body.stream:
            events = service.ask_events(question, **kwargs)
            first = await anext(events)
            return StreamingResponse(
                _chat_stream(body, first, events),
                media_type="text/event-stream",
                headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
            )
        answer = await service.ask_async(question, **kwargs)
        metrics.observe_answer(answer.mode, answer.flags)
        content = answer.answer + sources_block(answer.citations)
        return ChatCompletion(
            id="chatcmpl-" + (answer.answer_id or uuid.uuid4().hex),
            created=int(time.time()),
            model=body.model or MODEL_ID,
            choices=[ChatChoice(message=ChatResponseMessage(content=content))],
            usage=_usage(body, content),
            citations=answer.citations,
            session=answer.session,
            answer_id=answer.answer_id,
            mode=answer.mode,
            flags=answer.flags,
        )

    return v1


def _v1_fallback_router(v1: APIRouter) -> APIRouter:
    """Unknown /v1 paths get the error shape even when the web UI owns "/" (a mount there would
    otherwise answer them), and a known path with the wrong method gets 405 with Allow."""
    router = APIRouter()

    @router.api_route(
        "/v1/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"],
        include_in_schema=False,
    )
    async def v1_not_found(request: Request, rest: str) -> Response:
        allowed = sorted(
            {
                method
                for route in v1.routes
                if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
                for method in route.methods or ()
            }
        )
        if allowed:
            raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
        raise StarletteHTTPException(404)

    return router


def _mount_ui_or_home(app: FastAPI, holder: ServiceHolder, with_ui: bool) -> None:
    mount_ui: Callable[[FastAPI, AssistantService], None] | None = None
    if with_ui:
        try:
            from assistant.interfaces.ui.app import mount_ui
        except ImportError as exc:
            log.info("web UI not available, serving the search page at /: %s", exc)
    if mount_ui is not None:
        # The UI gets a stand-in: the real service is built in the lifespan, after this runs.
        mount_ui(app, cast(AssistantService, LazyService(holder)))
        return

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home() -> str:
        return HOME_PAGE


HOME_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>智能工厂申报助手</title>
<style>body{font-family:sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem}
input{width:70%;padding:.5rem}button{padding:.5rem 1rem}.hit{border:1px solid #ddd;border-radius:6px;
padding:.6rem;margin:.6rem 0}.id{color:#0a58ca;font-family:monospace}.path{color:#666;font-size:.9em}</style>
</head><body><h1>智能工厂申报助手</h1><p>输入问题，查找《关于开展2024年度智能工厂梯度培育行动的通知》
及附件中的相关条款。API 文档见 <a href="/docs">/docs</a>。</p>
<form id="f"><input id="q" placeholder="例如：卓越级对成熟度有什么要求？" required>
<button>检索</button></form><div id="r"></div>
<script>
const f=document.getElementById('f'),r=document.getElementById('r');
f.onsubmit=async e=>{e.preventDefault();r.textContent='检索中…';
const res=await fetch('/v1/search?k=5&q='+encodeURIComponent(document.getElementById('q').value));
const d=await res.json();r.innerHTML='';
if(!res.ok){r.textContent=d.error.message;return}
if(!d.hits.length){r.textContent='没有找到相关条款。';return}
for(const h of d.hits){const div=document.createElement('div');div.className='hit';
const id=document.createElement('div');id.className='id';id.textContent='【'+h.clause_id+'】';
const p=document.createElement('div');p.className='path';p.textContent=h.heading;
const t=document.createElement('div');t.textContent=h.text;div.append(id,p,t);r.append(div)}};
</script></body></html>"""
