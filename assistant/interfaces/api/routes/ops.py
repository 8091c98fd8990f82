"""Operations: liveness, readiness (what serves requests is usable) and Prometheus metrics.

/readyz checks each dependency, every check bounded by ASSISTANT_READINESS_TIMEOUT, so a hung
dependency cannot hang the answer a load balancer waits for: the index (loaded), the session
database (one trivial query), the rate-limit storage (a ping of a shared storage) and the LLM
(configured or not: it is never called here). A dependency that is down makes it 503 in the one
error shape, with every dependency's state beside the error; one that is degraded but serving
(Redis down, limits counted in worker memory) is reported and the answer stays 200.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from assistant.errors import StoreUnavailableError
from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import RateLimiter, ServiceDep, StorageState
from assistant.interfaces.api.errors import error_response
from assistant.interfaces.api.models import Dependency, Health, NotReady, Ready
from assistant.service import AssistantService

router = APIRouter(tags=["运维"])

#: What /readyz says of a check that overran its time (the thread is left to finish on its own).
CHECK_TIMED_OUT = "检查超时：该依赖没有在规定时间内响应"


@router.get("/healthz", response_model=Health, summary="存活检查")
async def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    response_model=Ready,
    summary="就绪检查（索引、会话数据库、限流存储）",
    responses={
        503: {
            "model": NotReady,
            "description": "索引尚未加载完成（not_ready，见 Retry-After），或某个依赖不可用（附各依赖状态）",
        }
    },
)
async def readyz(request: Request, service: ServiceDep) -> Any:
    budget: float = request.app.state.settings.readiness_timeout
    (database, database_code), rate_limit = await asyncio.gather(
        _database(service, budget), _rate_limit(request.app.state.limiter, budget)
    )
    dependencies = {
        "index": _index(service),
        "database": database,
        "rate_limit": rate_limit,
        "llm": _llm(service),
    }
    down = [name for name, dependency in dependencies.items() if dependency.status == "down"]
    if down:
        code = database_code if down[0] == "database" else "index_error"
        return error_response(
            503,
            code,
            dependencies[down[0]].detail,
            extra={"dependencies": {name: d.model_dump() for name, d in dependencies.items()}},
        )
    return Ready(
        clauses=len(service.corpus.clauses),
        editions=service.corpus.editions,  # not service.editions(): that may read the store
        dense=service.retriever.index.has_dense,
        llm=service.llm is not None,
        degraded=[name for name, dependency in dependencies.items() if dependency.status == "degraded"],
        dependencies=dependencies,
    )


def _index(service: AssistantService) -> Dependency:
    clauses = len(service.corpus.clauses)
    dense = service.retriever.index.has_dense
    if not clauses:
        return Dependency(status="down", backend="bm25", detail="检索索引为空：没有可引用的条款")
    backend, how = ("bm25+dense", "，向量检索已启用") if dense else ("bm25", "，仅关键词检索")
    return Dependency(status="ok", backend=backend, detail=f"已加载 {clauses} 条条款{how}")


def _llm(service: AssistantService) -> Dependency:
    if service.llm is None:
        return Dependency(status="not_configured", detail="未配置大模型：依据条款直接回答")
    return Dependency(
        status="configured", detail="已配置大模型（就绪检查不调用它；出错时自动改为依据条款回答）"
    )


async def _database(service: AssistantService, budget: float) -> tuple[Dependency, str]:
    """One trivial query within `budget` (the store aborts it at the deadline); with the error
    code to answer when it is down (store_unavailable, or store_schema_behind)."""
    backend = service.store.db.engine.dialect.name
    started = time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.to_thread(service.store.ping, budget), budget + 0.5)
    except StoreUnavailableError as exc:
        return _down(backend, exc.message, started), exc.code
    except TimeoutError:
        return _down(backend, CHECK_TIMED_OUT, started), StoreUnavailableError.code
    return Dependency(status="ok", backend=backend, detail="会话数据库可用", ms=_ms(started)), ""


def _down(backend: str, detail: str, started: float) -> Dependency:
    return Dependency(status="down", backend=backend, detail=detail, ms=_ms(started))


async def _rate_limit(limiter: RateLimiter, budget: float) -> Dependency:
    """A ping of a shared storage (bounded by its own socket timeout, and by `budget`)."""
    started = time.perf_counter()
    try:
        state = await asyncio.wait_for(asyncio.to_thread(limiter.check), budget)
    except TimeoutError:
        state = StorageState("degraded", limiter.backend, CHECK_TIMED_OUT + "，暂按各工作进程内存计数")
    return Dependency(status=state.status, backend=state.backend, detail=state.detail, ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


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
