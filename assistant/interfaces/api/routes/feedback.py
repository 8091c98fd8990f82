"""POST /v1/feedback: a rating of an answer."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from assistant.interfaces.api.deps import ServiceDep
from assistant.interfaces.api.models import FeedbackRequest, FeedbackResponse

router = APIRouter(prefix="/v1", tags=["问答"])


@router.post("/feedback", status_code=201, response_model=FeedbackResponse, summary="对回答的反馈")
async def feedback(service: ServiceDep, body: FeedbackRequest) -> FeedbackResponse:
    feedback_id = await run_in_threadpool(service.feedback, body.answer_id, body.rating, body.comment)
    return FeedbackResponse(id=feedback_id, answer_id=body.answer_id)
