"""POST /v1/ask: a grounded answer with citations, as JSON or as server-sent events."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import StreamingResponse

from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import PrincipalDep, ServiceDep
from assistant.interfaces.api.models import (
    ANSWER_EXAMPLE,
    ASK_EXAMPLES,
    SSE_EXAMPLE,
    AskRequest,
    profile_dict,
)
from assistant.interfaces.api.openapi import ASK_EVENT_SCHEMA
from assistant.interfaces.api.streaming import SSE_HEADERS, sse_events
from assistant.service import Answer

router = APIRouter(prefix="/v1", tags=["问答"])


@router.post(
    "/ask",
    response_model=Answer,
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
    service: ServiceDep,
    principal: PrincipalDep,
    body: Annotated[AskRequest, Body(openapi_examples=ASK_EXAMPLES)],
) -> Any:
    kwargs: dict[str, Any] = {
        "session": body.session,
        "profile": profile_dict(body.profile),
        "edition": body.edition,
        "as_of": body.as_of,
        "owner": principal.key_id,  # a session answers to the key that opened it
    }
    if not body.stream:
        answer = await service.ask_async(body.question, **kwargs)
        metrics.observe_answer(answer.mode, answer.flags)
        return answer
    events = service.ask_events(body.question, **kwargs)
    first = await anext(events)  # a bad request fails here, before the 200 is sent
    return StreamingResponse(sse_events(first, events), media_type="text/event-stream", headers=SSE_HEADERS)
