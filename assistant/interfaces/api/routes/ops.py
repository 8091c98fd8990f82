"""Operations: liveness, readiness (the index is loaded) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import ServiceDep
from assistant.interfaces.api.models import Health, Ready
from assistant.interfaces.api.openapi import ERROR_RESPONSES

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
    await run_in_threadpool(service.store.ping)  # database down: 503 in the error shape
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
