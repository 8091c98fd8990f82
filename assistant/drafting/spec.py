"""The drafter's input: a DraftSpec (JSON-friendly) of what an enterprise built, its parsing and
its Chinese validation messages.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import DraftSpecError
from assistant.validation import SPEC_PHRASING, describe_errors
from assistant.vocabulary import Tier


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(_Spec):
    """联系人 and 联系方式(手机号) for the 附件4 row."""

    name: str | None = None
    mobile: str | None = None
    phone: str | None = None
    email: str | None = None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(r"1\d{10}", digits):
            raise ValueError(f"附件4要求填写手机号（11位，以1开头），收到 {value!r}")
        return digits


class Period(_Spec):
    """建设起止时间, as the user writes them ("2022年3月", "2022-03")."""

    start: str | None = None
    end: str | None = None


class KpiFigure(_Spec):
    """A KPI of 附1 with the user's figures.

    For a level KPI (e.g. 关键设备数控化率) ``before``/``after`` are the KPI itself in its unit.
    For a change KPI (e.g. 产品不良率下降) ``change`` is the KPI (in %) and ``before``/``after``
    are the underlying ``measure`` (default: the KPI name without 提升/下降, here 产品不良率) in
    ``measure_unit``. ``period`` says what is compared with what; ``benchmark`` the peer level.
    """

    name: str = Field(min_length=1)
    before: float | None = None
    after: float | None = None
    change: float | None = None
    measure: str | None = None
    measure_unit: str | None = None
    period: str | None = None
    benchmark: str | None = None


class ScenarioInstance(_Spec):
    """One typical scenario instance: where it sits in the guide, its name, and what was done.

    Give ``scenario`` (a catalog name or a common name such as "AI质检") and/or ``segment``
    (环节); or only ``text`` describing it, which is matched to the catalog. ``instance_name`` is
    the 实例名 of 附件4: concise and specific, like the example's 多机协同的发动机壳体柔性加工与检测.
    """

    segment: str | None = None
    scenario: str | None = None
    text: str | None = None
    instance_name: str = Field(min_length=1)
    built: list[str] = []
    description: str | None = None
    integration: list[str] = []
    kpis: list[KpiFigure] = []


class DraftSpec(_Spec):
    """Everything the drafter needs; only enterprise, project_name and scenarios are required."""

    enterprise: str = Field(min_length=1)
    project_name: str = Field(min_length=1)
    target_tier: Tier = "卓越级"
    round: str | None = Field(
        default=None, description="申报年度（核验规则版本，即所持规则文件的年度）；不填时按当前日期取最新年度"
    )
    edition: str | None = Field(default=None, description="场景指引版本；不填时与申报年度一致")
    industry: str | None = None
    address: str | None = None
    nature: str | None = Field(default=None, description="企业性质（如 民营企业、国有企业）")
    profile: dict[str, Any] | None = Field(
        default=None,
        description="自评画像（enterprise 部分补充基本信息；maturity.level 与 status.recognised_tier 填入申报单位基本信息）",
    )
    contact: Contact | None = None
    period: Period | None = None
    investment: float | None = Field(default=None, description="总投资（万元）")
    integrators: list[str] = []
    overview: str | None = None
    scenarios: list[ScenarioInstance] = Field(min_length=1)
    integration: list[str] = []
    highlights: list[str] = []
    benchmarks: list[str] = []
    kpis: list[KpiFigure] = []
    plans: list[str] = []

    @field_validator("investment")
    @classmethod
    def _investment(cls, value: float | None) -> float | None:
        # 1e8 万元 is a trillion yuan: anything above it (or negative, or NaN) is a typing slip.
        if value is not None and not 0 <= value <= 1e8:
            raise ValueError(f"总投资（万元）应在0到1亿万元之间，收到 {value:g}")
        return value


class SpecBatch(BaseModel):
    """Several projects for one 推荐汇总表, in the recommender's priority order (form#注.1)."""

    recommender: str | None = None
    projects: list[DraftSpec]


FIELD_LABELS = {
    "enterprise": "申报单位名称",
    "project_name": "项目名称",
    "target_tier": "目标层级",
    "round": "申报年度",
    "edition": "指引版本",
    "address": "地址",
    "nature": "企业性质",
    "scenarios": "场景实例",
    "instance_name": "实例名",
    "kpis": "关键绩效指标",
    "mobile": "手机号",
    "before": "建设前数值",
    "after": "建设后数值",
    "change": "变化幅度",
    "investment": "总投资",
    "projects": "项目列表",
    "industry": "所属行业",
    "contact": "联系人",
    "name": "名称",
    "phone": "电话",
    "email": "邮箱",
    "period": "建设起止时间",
    "start": "开始时间",
    "end": "结束时间",
    "integrators": "系统集成商",
    "overview": "智能工厂建设概况",
    "integration": "集成情况",
    "highlights": "建设亮点",
    "benchmarks": "标杆示范",
    "plans": "下一步计划",
    "segment": "环节",
    "scenario": "场景",
    "text": "场景（原文）",
    "built": "建设内容",
    "description": "实例描述",
    "measure": "衡量口径",
    "measure_unit": "口径单位",
    "benchmark": "同行业水平",
    "profile": "企业画像",
}
#: Where a part sits inside a list, as a reader counts: 关键绩效指标第1项.
_PLACE_PART = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
#: Inside a figure, 对比期间 rather than the project's 建设起止时间.
_KPI_LABELS = {"name": "指标名称", "period": "对比期间"}


def field_place(path: str) -> str:
    """A finding's position in the spec as a reader names it: ``kpis[0].before`` ->
    关键绩效指标第1项·建设前数值, ``scenarios[2].description`` -> 场景实例第3项·实例描述. The page
    shows this, never the path itself (an internal name means nothing to the enterprise)."""
    parts: list[str] = []
    in_kpi = False
    for piece in path.split("."):
        found = _PLACE_PART.fullmatch(piece)
        if not found:
            return path
        key, index = found.group(1), found.group(2)
        label = (_KPI_LABELS.get(key) if in_kpi else None) or FIELD_LABELS.get(key)
        if label is None:
            return "、".join(parts) if parts else "申报草稿"
        parts.append(label + (f"第{int(index) + 1}项" if index is not None else ""))
        in_kpi = key == "kpis"
    return "·".join(parts)


def _label(path: str, loc: tuple[Any, ...]) -> str | None:
    last = next((p for p in reversed(loc) if isinstance(p, str)), "")
    return FIELD_LABELS.get(last)


def explain_validation(exc: ValidationError, source: str = "申报草稿输入") -> str:
    """A pydantic error as Chinese lines, each naming the field path and what is wrong."""
    lines = describe_errors(exc.errors(), SPEC_PHRASING, label=_label)
    return f"{source}有误：\n" + "\n".join(lines)


def parse_spec(data: object) -> DraftSpec:
    """A dict (parsed JSON) → DraftSpec, or DraftSpecError naming every bad field in Chinese."""
    if not isinstance(data, dict):
        raise DraftSpecError("申报草稿输入应为 JSON 对象（键值对），例如 examples/draft_spec.json")
    try:
        return DraftSpec.model_validate(data)
    except ValidationError as exc:
        raise DraftSpecError(explain_validation(exc)) from None


def parse_specs(data: object) -> SpecBatch:
    """One project (an object) or a batch ``{"recommender": ..., "projects": [...]}`` / a list."""
    if isinstance(data, list):
        data = {"projects": data}
    if isinstance(data, dict) and "projects" in data:
        try:
            return SpecBatch.model_validate(data)
        except ValidationError as exc:
            raise DraftSpecError(explain_validation(exc)) from None
    return SpecBatch(projects=[parse_spec(data)])
