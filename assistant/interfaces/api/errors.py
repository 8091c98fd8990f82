"""The API's one error shape, its Chinese messages, and the exception handlers that produce it.

Every 4xx/5xx is `{"error": {"code", "message" (Chinese), "request_id"}}`; internal paths are
scrubbed from messages and no traceback is ever sent (they go to the log). Core errors
(`assistant.errors.AssistantError`) map to their `status_code` and `code`; HTTP-edge failures
are raised as `ApiError`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.drafting import SPEC_FIELD_LABELS as DRAFT_FIELD_LABELS
from assistant.errors import AssistantError, CorpusBusyError, IndexBuildError
from assistant.interfaces.api.logging_setup import request_id_var
from assistant.rules import field_label

log = logging.getLogger("assistant.api")


class ApiError(Exception):
    """An HTTP failure with a Chinese message, rendered in the one error shape."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


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


def printable(text: str) -> str:
    """Text that can be written as UTF-8: a lone surrogate (which JSON allows as \\ud800 but
    UTF-8 cannot encode) is shown as its escape, never written raw."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def scrub(message: str) -> str:
    """Drop directories from any absolute path in a message: users need the file name, an
    attacker would like the layout of the server."""
    return _PATH_RE.sub(lambda m: m.group(0).rsplit("/", 1)[-1], message)


def error_response(
    status: int,
    code: str,
    message: str,
    request_id: str | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """The one error shape; `extra` adds top-level keys beside `error` (/readyz's dependencies)."""
    request_id = request_id or request_id_var.get()
    body: dict[str, Any] = {
        "error": {"code": code, "message": printable(scrub(message)), "request_id": request_id},
        **(extra or {}),
    }
    return JSONResponse(body, status_code=status, headers={**(headers or {}), "X-Request-ID": request_id})


_WHAT = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "string_type": "应为文本",
    "string_unicode": "含有无效的 Unicode 字符",
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
    if isinstance(value, bytes | bytearray):
        return "（无法解析的内容）"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    text = printable(text)
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
        # Another operator's change holds the library: it usually takes seconds.
        headers = {"Retry-After": "5"} if isinstance(exc, CorpusBusyError) else None
        return error_response(exc.status_code, exc.code, exc.message, headers=headers)

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
