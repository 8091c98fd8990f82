"""/v1/admin/...: the operator console (documents, rounds, re-index, review queue, statistics).

Behind `ASSISTANT_OPERATOR_KEYS` only (deps.authenticate_operator): off (404) when none is
configured, 401 without a key, 403 with a user's API key. Each handler translates to and from
`service.console` (assistant/console/).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from assistant.console import OUTCOMES, QUEUE_KINDS, Upload
from assistant.errors import ProfileError
from assistant.interfaces.api.deps import OperatorDep, ServiceDep, authenticate_operator

router = APIRouter(prefix="/v1/admin", tags=["运维"], dependencies=[Depends(authenticate_operator)])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Since = Annotated[dt.date | None, Query(description="起始日期（含），YYYY-MM-DD")]
Until = Annotated[dt.date | None, Query(description="截止日期（含），YYYY-MM-DD")]
Kinds = Annotated[
    list[str] | None, Query(alias="kind", description=f"复核原因，可重复：{'、'.join(QUEUE_KINDS)}")
]


class MarkRequest(BaseModel):
    outcome: str = Field(description=f"复核结论：{'、'.join(f'{k}（{v}）' for k, v in OUTCOMES.items())}")
    note: str = Field(default="", max_length=2000, description="说明")


class RetireRequest(BaseModel):
    note: str = Field(default="", max_length=2000, description="停用原因")


def read_profile_text(text: str) -> dict[str, Any]:
    """The sample profile a preview judges, from a form field."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"样例画像不是合法的 JSON：{exc.msg}（第{exc.lineno}行）") from exc
    if not isinstance(value, dict):
        raise ProfileError("样例画像应为 JSON 对象")
    return value


async def _upload(
    file: UploadFile,
    doc_id: str,
    edition: str | None,
    region: str | None,
    status: str | None,
    title: str | None,
) -> Upload:
    return Upload(
        filename=file.filename or "upload",
        data=await file.read(),
        doc_id=doc_id.strip(),
        edition=(edition or "").strip() or None,
        region=(region or "").strip() or None,
        status=(status or "").strip() or None,
        title=(title or "").strip() or None,
    )


@router.get(
    "/documents", summary="文件列表", description="正在使用和已停用的文件，含条款数、添加时间与添加人。"
)
async def list_documents(service: ServiceDep) -> dict[str, Any]:
    return {"documents": await run_in_threadpool(service.console.documents.all)}


@router.get("/documents/{doc_id}", summary="一份文件的条款")
async def get_document(service: ServiceDep, doc_id: str) -> dict[str, Any]:
    return await run_in_threadpool(service.console.documents.get, doc_id)


@router.post(
    "/documents",
    summary="上传文件",
    description="multipart/form-data：file（PDF/DOCX/MD/TXT）、doc_id、edition（批次）、region（省份，可空）、"
    "status、title。?preview=true 只返回解析出的条款、不改动文件库；否则导入并重建索引（201）。",
)
async def upload_document(
    service: ServiceDep,
    principal: OperatorDep,
    response: Response,
    file: Annotated[UploadFile, File(description="PDF、DOCX、MD 或 TXT")],
    doc_id: Annotated[str, Form(description="文件编号：小写字母开头，字母、数字、-、_")],
    edition: Annotated[str | None, Form(description="申报批次（版本），如 2025")] = None,
    region: Annotated[str | None, Form(description="省份（地方文件）")] = None,
    status: Annotated[str | None, Form(description="official（正式）或 draft（征求意见稿）等")] = None,
    title: Annotated[str | None, Form(description="标题；不填则取文件首行")] = None,
    preview: bool = False,
) -> dict[str, Any]:
    upload = await _upload(file, doc_id, edition, region, status, title)
    if preview:
        return await run_in_threadpool(service.console.documents.preview, upload)
    response.status_code = 201
    return await run_in_threadpool(service.console.documents.upload, upload, principal.key_id)


@router.put(
    "/documents/{doc_id}",
    summary="替换文件",
    description="字段同上传；未填的批次、省份、状态、标题沿用原文件。",
)
async def replace_document(
    service: ServiceDep,
    principal: OperatorDep,
    doc_id: str,
    file: Annotated[UploadFile, File(description="PDF、DOCX、MD 或 TXT")],
    edition: Annotated[str | None, Form()] = None,
    region: Annotated[str | None, Form()] = None,
    status: Annotated[str | None, Form()] = None,
    title: Annotated[str | None, Form()] = None,
    preview: bool = False,
) -> dict[str, Any]:
    upload = await _upload(file, doc_id, edition, region, status, title)
    if preview:
        return await run_in_threadpool(service.console.documents.preview, upload, replace=True)
    return await run_in_threadpool(service.console.documents.upload, upload, principal.key_id, replace=True)


@router.post(
    "/documents/{doc_id}/retire", summary="停用文件", description="文件保留在历史中，不再用于检索与回答。"
)
async def retire_document(
    service: ServiceDep, principal: OperatorDep, doc_id: str, body: RetireRequest | None = None
) -> dict[str, Any]:
    note = body.note if body else ""
    return await run_in_threadpool(service.console.documents.retire, doc_id, principal.key_id, note)


@router.get("/rounds", summary="申报轮次", description="每一轮的规则文件、所辖文件与校验结果。")
async def list_rounds(service: ServiceDep) -> dict[str, Any]:
    return {"rounds": await run_in_threadpool(service.console.rounds.all)}


@router.get("/rounds/{edition}", summary="一轮的规则", description="规则的每个值及其出处条款，以及校验结果。")
async def get_round(service: ServiceDep, edition: str) -> dict[str, Any]:
    return await run_in_threadpool(service.console.rounds.get, edition)


@router.post(
    "/rounds",
    summary="上传一轮的规则文件",
    description="multipart/form-data：file（corpus/rules/<年度>.yaml 格式）、profile（可选，样例企业画像 JSON，"
    "预览其核验结论）。?preview=true 只校验并预览（规则值、与最新一轮的变化、样例结论），不改动文件库；否则校验"
    "通过才写入（新建 201，替换 200），未通过则 422、文件库不变；已有该年度时需 ?replace=true，否则 409。",
)
async def upload_round(
    service: ServiceDep,
    principal: OperatorDep,
    response: Response,
    file: Annotated[UploadFile, File(description="规则文件 YAML")],
    profile: Annotated[str | None, Form(description="样例企业画像 JSON（仅预览用）")] = None,
    preview: bool = False,
    replace: bool = False,
) -> dict[str, Any]:
    data = await file.read()
    if preview:
        sample = read_profile_text(profile) if profile else None
        return await run_in_threadpool(service.console.rounds.preview, data, sample)
    result = await run_in_threadpool(service.console.rounds.upload, data, principal.key_id, replace=replace)
    response.status_code = 200 if result["exists"] else 201  # replaced, or created
    return result


@router.post("/reindex", summary="重建索引")
async def reindex(service: ServiceDep, principal: OperatorDep) -> dict[str, Any]:
    return await run_in_threadpool(service.console.documents.reindex, principal.key_id)


@router.get("/changes", summary="文件库变更记录", description="谁、何时、做了什么，最新的在前。")
async def changes(service: ServiceDep, doc_id: str | None = None) -> dict[str, Any]:
    return {"changes": await run_in_threadpool(service.console.documents.changes, doc_id)}


@router.get(
    "/queue", summary="复核队列", description="拒答、差评（评分≤2）、大模型失败回退、结论被核验纠正的回答。"
)
async def queue(
    service: ServiceDep, since: Since = None, until: Until = None, kinds: Kinds = None
) -> dict[str, Any]:
    items = await run_in_threadpool(service.console.reviews.queue, since, until, kinds or ())
    return {"items": items}


@router.get("/queue/export.xlsx", summary="导出复核队列（XLSX）", response_class=Response)
async def export_queue(
    service: ServiceDep, since: Since = None, until: Until = None, kinds: Kinds = None
) -> Response:
    items = await run_in_threadpool(service.console.reviews.queue, since, until, kinds or ())
    data = await run_in_threadpool(service.console.reviews.export, items)
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="review-queue.xlsx"'}
    )


@router.post("/queue/{answer_id}/mark", summary="标注复核结论")
async def mark(
    service: ServiceDep, principal: OperatorDep, answer_id: str, body: MarkRequest
) -> dict[str, Any]:
    return await run_in_threadpool(
        service.console.reviews.mark, answer_id, body.outcome, body.note, principal.key_id
    )


@router.get(
    "/stats", summary="统计", description="每日提问数、拒答比例、问题类别排行、被引条款排行、延迟中位数。"
)
async def stats(service: ServiceDep, since: Since = None, until: Until = None) -> dict[str, Any]:
    return await run_in_threadpool(service.console.statistics.summary, since, until)
