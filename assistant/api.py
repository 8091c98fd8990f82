"""HTTP API (FastAPI). Routes translate HTTP to the retriever and back; no logic lives here.

Every error, 4xx or 5xx, has one shape: {"error": {"code", "message" (Chinese), "request_id"}}.
"""

from __future__ import annotations

import logging
import uuid
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.config import Settings, settings
from assistant.errors import AssistantError
from assistant.retrieval import Retriever, load_retriever

log = logging.getLogger("assistant.api")


class Hit(BaseModel):
    """A clause returned by search (CONTRACTS.md hit shape, plus its heading path)."""

    clause_id: str = Field(examples=["conditions#四.(一).3"])
    doc_id: str = Field(examples=["conditions"])
    title: str = Field(examples=["智能工厂梯度培育要素条件"])
    edition: str = Field(examples=["2024"])
    text: str = Field(examples=["3.生产作业：开展多场景数智技术应用，……"])
    heading: str = Field(examples=["附件2 智能工厂梯度培育要素条件 › 四、卓越级智能工厂 › (一)建设内容"])
    status: str = Field(examples=["official"])
    score: float | None = None


class SearchResponse(BaseModel):
    query: str = Field(examples=["卓越级对生产作业有什么要求"])
    hits: list[Hit]


class Editions(BaseModel):
    editions: list[str] = Field(examples=[["2024", "2025"]])


class ErrorBody(BaseModel):
    code: str
    message: str
    request_id: str


class ErrorResponse(BaseModel):
    error: ErrorBody


def error_response(status: int, code: str, message: str, request: Request) -> JSONResponse:
    request_id = getattr(request.state, "request_id", "")
    body = {"error": {"code": code, "message": message, "request_id": request_id}}
    return JSONResponse(body, status_code=status, headers={"X-Request-ID": request_id})


HTTP_MESSAGES = {404: "找不到请求的资源", 405: "不支持该请求方法", 401: "未授权", 429: "请求过于频繁"}


def get_retriever(request: Request) -> Retriever:
    """The retriever loaded at start-up; 503 until it is there."""
    retriever = getattr(request.app.state, "retriever", None)
    if retriever is None:
        raise StarletteHTTPException(503, "索引尚未就绪，请稍后再试")
    return retriever


RetrieverDep = Annotated[Retriever, Depends(get_retriever)]


def create_app(app_settings: Settings | None = None, retriever: Retriever | None = None) -> FastAPI:
    """Build the app; the index loads once at start-up (tests pass a ready retriever)."""
    config = app_settings or settings

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        app.state.retriever = retriever or load_retriever(config)
        yield

    app = FastAPI(
        title="智能工厂申报助手 API",
        version="1",
        description='条款检索与申报问答。所有错误均为 {"error": {code, message, request_id}}。',
        lifespan=lifespan,
        responses={422: {"model": ErrorResponse}, 500: {"model": ErrorResponse}},
    )

    @app.middleware("http")
    async def request_id(request: Request, call_next: Any) -> Any:
        request.state.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        try:
            response = await call_next(request)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request.state.request_id})
            return error_response(500, "internal_error", "服务内部错误，请稍后再试", request)
        response.headers["X-Request-ID"] = request.state.request_id
        return response

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, exc: AssistantError) -> JSONResponse:
        return error_response(422, exc.code, exc.message, request)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("body", "query"))
        return error_response(
            422, "invalid_request", f"请求参数不合法：{where or '请求体'}（{first.get('msg', '')}）", request
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) and not exc.detail.isascii() else None
        return error_response(
            exc.status_code,
            f"http_{exc.status_code}",
            message or HTTP_MESSAGES.get(exc.status_code, "请求失败"),
            request,
        )

    @app.get("/healthz", tags=["运维"])
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["运维"])
    def readyz(retriever: RetrieverDep) -> dict[str, Any]:
        return {"status": "ready", "clauses": len(retriever.index.corpus.clauses)}

    @app.get("/v1/search", response_model=SearchResponse, tags=["检索"])
    def search(
        retriever: RetrieverDep,
        q: Annotated[str, Query(min_length=1, max_length=500, description="问题或关键词")],
        k: Annotated[int, Query(ge=1, le=50)] = 5,
        edition: Annotated[str | None, Query(description="版本年份，如 2024")] = None,
    ) -> SearchResponse:
        hits = retriever.search(q, k=k, edition=edition or None)
        return SearchResponse(query=q, hits=[Hit(**h.to_dict()) for h in hits])  # type: ignore[arg-type]

    @app.get("/v1/clauses/{clause_id}", response_model=Hit, tags=["检索"])
    def clause(clause_id: str, retriever: RetrieverDep) -> Hit:
        found = retriever.index.corpus.get(clause_id)
        if found is None:
            raise StarletteHTTPException(404, f"没有编号为 {clause_id} 的条款")
        return Hit(**found.to_hit())  # type: ignore[arg-type]

    @app.get("/v1/editions", response_model=Editions, tags=["检索"])
    def editions(retriever: RetrieverDep) -> Editions:
        return Editions(editions=retriever.editions)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return HOME_PAGE

    return app


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
