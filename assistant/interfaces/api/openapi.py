"""What /docs shows beyond the route signatures: error responses, the event-stream item schemas,
the review body (JSON or multipart), the API description and its tags."""

from __future__ import annotations

import copy
from typing import Any

from assistant.interfaces.api.models import ErrorResponse, ReviewRequest
from assistant.vocabulary import DEFAULT_TIER, TIERS


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
                        "tier": {"type": "string", "enum": list(TIERS), "default": DEFAULT_TIER},
                        "edition": {
                            "type": "string",
                            "maxLength": 16,
                            "description": "默认：本轮申报所依据的版本",
                        },
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
# Held editions as enums
# ---------------------------------------------------------------------------------------------

#: Where a free-text `edition` names a corpus edition, a rules edition or a scenario-guide edition.
EDITION_SCHEMAS = {"AskRequest": "corpus", "ChatCompletionRequest": "corpus", "DraftSpec": "scenarios"}
EDITION_PARAMS = (
    ("/v1/search", "get", "corpus"),
    ("/v1/check", "post", "rules"),
    ("/v1/scenarios", "get", "scenarios"),
)


def _set_enum(schema: dict[str, Any] | None, values: list[str]) -> None:
    if not schema or not values:
        return
    for branch in [schema, *schema.get("anyOf", [])]:
        if branch.get("type") == "string":
            branch["enum"] = list(values)


def add_edition_enums(document: dict[str, Any], held: dict[str, list[str]]) -> dict[str, Any]:
    """List the held editions as an enum wherever the schema accepts any string for `edition`
    (the server still answers 422 `unknown_edition` for another one)."""
    document = copy.deepcopy(document)  # the review body's schema is shared by every app
    schemas = document.get("components", {}).get("schemas", {})
    for name, kind in EDITION_SCHEMAS.items():
        _set_enum(schemas.get(name, {}).get("properties", {}).get("edition"), held[kind])
    paths = document.get("paths", {})
    for path, method, kind in EDITION_PARAMS:
        for param in paths.get(path, {}).get(method, {}).get("parameters", []):
            if param.get("name") == "edition":
                _set_enum(param.get("schema"), held[kind])
    review = paths.get("/v1/review", {}).get("post", {}).get("requestBody", {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        _set_enum(
            review.get(media, {}).get("schema", {}).get("properties", {}).get("edition"), held["scenarios"]
        )
    return document
