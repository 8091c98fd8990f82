"""POST /v1/feedback: a rating of an answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from assistant.interfaces.api.deps import PrincipalDep, ServiceDep
from assistant.interfaces.api.models import FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["问答"])


@router.post(
    "/feedback",
    status_code=201,
    response_model=FeedbackResponse,
    summary="对回答的反馈",
    description="只能对本服务给出的回答（answer_id）反馈，否则返回 404。每个回答、每个 API 密钥一票："
    "再次提交会替换上一次的评分与意见。",
)
async def feedback(service: ServiceDep, principal: PrincipalDep, body: FeedbackRequest) -> FeedbackResponse:
    feedback_id = await run_in_threadpool(
        service.feedback, body.answer_id, body.rating, body.comment, principal.key_id
    )
    return FeedbackResponse(id=feedback_id, answer_id=body.answer_id)
