"""POST /v1/draft and /v1/review: the application draft (JSON, DOCX or XLSX) and its review."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from assistant.drafting import DraftSpec, ReviewReport
from assistant.interfaces.api.deps import ReviewInputDep, ServiceDep
from assistant.interfaces.api.models import DRAFT_EXAMPLE, DraftResponse
from assistant.interfaces.api.openapi import REVIEW_BODY
from assistant.service import safe_filename

router = APIRouter(prefix="/v1", tags=["草稿"])

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(filename: str) -> str:
    return f"attachment; filename=\"draft{Path(filename).suffix}\"; filename*=UTF-8''{quote(filename)}"


@router.post(
    "/draft",
    response_model=DraftResponse,
    summary="生成申报书草稿",
    description="生成典型场景实例（环节名—场景名—实例名）、附件3第三、四部分草稿、附件4推荐汇总表行及自查意见。"
    "`format=docx` 返回 Word 申报书，`format=xlsx` 返回附件4推荐汇总表。草稿中的数字均来自输入，缺的写作【待补充：…】。",
    responses={
        200: {
            "description": "草稿（JSON）或文件",
            "content": {
                DOCX_MIME: {"schema": {"type": "string", "format": "binary"}},
                XLSX_MIME: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def draft(
    service: ServiceDep,
    spec: Annotated[
        DraftSpec, Body(openapi_examples={"示例": {"summary": "一个场景实例", "value": DRAFT_EXAMPLE}})
    ],
    fmt: Annotated[Literal["json", "docx", "xlsx"], Query(alias="format", description="返回格式")] = "json",
    polish_text: Annotated[
        bool, Query(alias="polish", description="配置了大模型时润色文字（数字与占位符保持不变）")
    ] = False,
    recommender: Annotated[str | None, Query(max_length=100, description="推荐单位（xlsx 表头）")] = None,
) -> Any:
    result = await run_in_threadpool(service.drafting.draft, spec, polish_text=polish_text)
    if fmt == "json":
        return DraftResponse.model_validate({**result.model_dump(), "markdown": result.text()})
    data = await run_in_threadpool(service.drafting.export, [result], fmt, recommender)
    filename = safe_filename(f"{spec.project_name}.{fmt}", f"draft.{fmt}")
    return Response(
        data,
        media_type=DOCX_MIME if fmt == "docx" else XLSX_MIME,
        headers={"Content-Disposition": _attachment(filename)},
    )


@router.post(
    "/review",
    response_model=ReviewReport,
    summary="审阅申报书草稿",
    description="上传 .docx / .txt / .md 文件（multipart/form-data，字段 file，可选 tier、edition），"
    "或以 JSON 提交文字。返回每条意见的严重程度（必须修改 / 建议修改 / 提示）及所依据的条款。",
    openapi_extra=REVIEW_BODY,
)
async def review(service: ServiceDep, given: ReviewInputDep) -> ReviewReport:
    if given.text is not None:
        return await run_in_threadpool(service.drafting.review_text, given.text, given.tier, given.edition)
    return await run_in_threadpool(
        service.drafting.review_upload, given.filename, given.data, given.tier, given.edition
    )
