"""The OpenAI-compatible surface: GET /v1/models and POST /v1/chat/completions."""

from __future__ import annotations

import time
import uuid
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import PrincipalDep, ServiceDep
from assistant.interfaces.api.errors import ApiError
from assistant.interfaces.api.models import (
    MODEL_ID,
    ChatChoice,
    ChatCompletion,
    ChatCompletionRequest,
    ChatResponseMessage,
    ModelCard,
    ModelList,
    profile_dict,
)
from assistant.interfaces.api.openapi import CHAT_EVENT_SCHEMA
from assistant.interfaces.api.streaming import SSE_HEADERS, chat_stream, sources_block, usage

router = APIRouter(prefix="/v1", tags=["问答"])


@router.get("/models", response_model=ModelList, summary="模型列表（OpenAI 兼容）")
async def models() -> ModelList:
    return ModelList(data=[ModelCard()])


@router.post(
    "/chat/completions",
    response_model=ChatCompletion,
    summary="OpenAI 兼容的对话接口",
    description="可用官方 openai 客户端或任意兼容前端调用（base_url 指向 /v1）。最后一条用户消息为问题；"
    "客户端的 system 消息不会改变助手的规则。引用条款既以“参考条款”段落附在回答文字末尾，也在 `citations` 字段中；"
    "流式时在最后一个数据块中。扩展字段 session / profile / edition 可经 extra_body 传入。",
    responses={200: {"content": {"text/event-stream": {"itemSchema": CHAT_EVENT_SCHEMA}}}},
)
async def chat_completions(service: ServiceDep, principal: PrincipalDep, body: ChatCompletionRequest) -> Any:
    question = _chat_question(body)
    kwargs: dict[str, Any] = {
        "session": body.session,
        "profile": profile_dict(body.profile),
        "edition": body.edition,
        "owner": principal.key_id,  # a session answers to the key that opened it
    }
    if body.stream:
        events = service.ask_events(question, **kwargs)
        first = await anext(events)
        return StreamingResponse(
            chat_stream(body, first, events), media_type="text/event-stream", headers=SSE_HEADERS
        )
    answer = await service.ask_async(question, **kwargs)
    metrics.observe_answer(answer.mode, answer.flags)
    content = answer.answer + sources_block(answer.citations)
    return ChatCompletion(
        id="chatcmpl-" + (answer.answer_id or uuid.uuid4().hex),
        created=int(time.time()),
        model=body.model or MODEL_ID,
        choices=[ChatChoice(message=ChatResponseMessage(content=content))],
        usage=usage(body, content),
        citations=answer.citations,
        session=answer.session,
        answer_id=answer.answer_id,
        mode=answer.mode,
        flags=answer.flags,
    )


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
