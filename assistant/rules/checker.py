"""The deterministic tier checker: EnterpriseProfile + RuleSet + as-of date -> CheckReport.

Verdicts come from code, words come from the model (DESIGN.md): this module is the only place an
eligibility verdict is decided. The decision path (``check`` and everything it calls) is pure: no
I/O, no clock, no randomness, so a report is reproducible from its inputs and safe to cache, test
and cite. Reading the rules file is a separate step (``load_rules``).

What lives where:

- the profile schema (CONTRACTS.md: field names, enumerations and their order) is code, because
  every caller depends on it and it does not change between rounds;
- the rules of a round (which field, which threshold, which clause, 原则上 or not, the Chinese
  reason) are data in ``corpus/rules/<edition>.yaml``, so a later round is a new file, not new code.

Statuses: ``met``, ``not_met``, ``conditional`` (a 原则上 requirement is unmet: an exception that
needs justification) and ``unknown`` (the profile lacks the fact; the result names the field).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from assistant.errors import ProfileError
from assistant.vocabulary import (
    LINK_SYNONYMS,
    LINKS,
    STATUS_LABELS,
    STATUS_SEVERITY,
    TIERS,
    Link,
    Status,
    Tier,
)

# ---------------------------------------------------------------------------------------------
# Vocabulary of the profile (CONTRACTS.md). Order matters: ordinal enums compare by position.
# ---------------------------------------------------------------------------------------------

GapStatus = Literal["not_met", "conditional", "unknown"]
KpiStanding = Literal[
    "below_province_average",
    "above_province_average",
    "province_leading",
    "national_leading",
    "global_leading",
]
LeadsIndustry = Literal["none", "province", "national", "global"]
Solutions = Literal["none", "promotable", "exported"]
StandardsGroup = Literal["none", "exploring", "formed", "feeding_standards"]
Talent = Literal["none", "professional", "composite_system", "leading_and_external"]
LegalForm = Literal["independent", "branch"]
AssessedBy = Literal["self", "third_party"]
Category = Literal["basic", "links", "outcomes", "application", "overlay"]

_CATEGORY_RANK: dict[str, int] = {"basic": 0, "links": 1, "outcomes": 2, "application": 3, "overlay": 4}
_CN_DIGITS = "零一二三四五六七八九"

#: Ordinal scales. ``None`` at the bottom of a tier scale means "no tier": a link left out of the
#: profile, or ``recognised_tier: null``.
_TIER_SCALE: tuple[Any, ...] = (None, *TIERS)
ORDINAL_SCALES: dict[str, tuple[Any, ...]] = {
    "maturity.level": (1, 2, 3, 4, 5),
    "outcomes.kpi_standing": get_args(KpiStanding),
    "outcomes.leads_industry": get_args(LeadsIndustry),
    "outcomes.solutions": get_args(Solutions),
    "outcomes.standards_group": get_args(StandardsGroup),
    "outcomes.talent": get_args(Talent),
    "status.recognised_tier": _TIER_SCALE,
    **{f"links.{link}": _TIER_SCALE for link in LINKS},
}
ENUM_VALUES: dict[str, tuple[Any, ...]] = {
    "enterprise.legal_form": get_args(LegalForm),
    "maturity.assessed_by": get_args(AssessedBy),
    **{path: tuple(v for v in scale if v is not None) for path, scale in ORDINAL_SCALES.items()},
}

_SECTIONS = frozenset({"enterprise", "basic", "maturity", "links", "outcomes", "status"})

FIELD_LABELS: dict[str, str] = {
    "enterprise": "企业基本信息",
    "enterprise.name": "企业名称",
    "enterprise.province": "所在省份",
    "enterprise.industry": "所属行业",
    "enterprise.registered_in_prc": "在中华人民共和国境内注册",
    "enterprise.legal_form": "法人形式",
    "enterprise.above_designated_size": "规模以上工业企业",
    "basic": "基础要求",
    "basic.finance_sound_3y": "近三年经营和财务状况良好",
    "basic.no_bad_credit": "无不良信用记录",
    "basic.no_major_accident": "无较大及以上安全、环保等事故",
    "basic.no_violation": "无违法违规行为",
    "basic.secure_controllable": "关键技术装备和软件安全可控、网络和数据安全风险可控",
    "basic.organisation_and_talent": "建立智能工厂组织机制并拥有智能制造专业人才",
    "basic.competitive": "企业和产品具有较强市场竞争力",
    "maturity": "智能制造能力成熟度",
    "maturity.level": "成熟度等级",
    "maturity.assessed_by": "成熟度评估方式",
    "links": "环节建设情况",
    "outcomes": "建设成效",
    "outcomes.kpi_standing": "主要技术经济指标水平",
    "outcomes.leads_industry": "行业引领带动作用",
    "outcomes.drives_supply_chain": "带动供应链上下游协同数智化升级",
    "outcomes.solutions": "智能制造解决方案",
    "outcomes.standards_group": "企业智能制造“标准群”",
    "outcomes.talent": "智能制造人才培养",
    "status": "申报状态",
    "status.recognised_tier": "已获评层级",
    "status.construction_completed": "已完成智能工厂建设",
    "status.cooperates_with_checks": "愿意配合现场核查、技术推广和典型案例交流",
    "status.regional_recognition_or_funding": "已通过自治区智能工厂认定或获得资金支持",
    **{f"links.{link}": f"{link}环节" for link in LINKS},
}

VALUE_LABELS: dict[str, dict[Any, str]] = {
    "enterprise.legal_form": {"independent": "独立法人", "branch": "法人的分支机构"},
    "maturity.assessed_by": {"self": "自评估", "third_party": "第三方评估"},
    "maturity.level": {n: f"{_CN_DIGITS[n]}级" for n in range(1, 6)},
    "outcomes.kpi_standing": {
        "below_province_average": "低于省(区、市)同行业平均水平",
        "above_province_average": "高于省(区、市)同行业平均水平",
        "province_leading": "处于省(区、市)同行业领先水平",
        "national_leading": "处于国内同行业领先水平",
        "global_leading": "全球领先",
    },
    "outcomes.leads_industry": {
        "none": "未起到行业引领带动作用",
        "province": "在省(区、市)同行业起到引领带动作用",
        "national": "在国内同行业起到引领带动作用",
        "global": "全球领先的应用标杆",
    },
    "outcomes.solutions": {
        "none": "未形成可推广的解决方案",
        "promotable": "形成具有行业推广价值的解决方案",
        "exported": "解决方案实现对外输出",
    },
    "outcomes.standards_group": {
        "none": "未开展“标准群”建设",
        "exploring": "探索构建“标准群”",
        "formed": "形成较为完善的“标准群”",
        "feeding_standards": "“标准群”推动形成行业、国家标准",
    },
    "outcomes.talent": {
        "none": "未建立人才培养体系",
        "professional": "拥有智能制造专业人才",
        "composite_system": "建立较为完善的智能制造复合型人才培养体系",
        "leading_and_external": "培养智能制造领军人才并对外提供建设和运营指导或服务",
    },
    "status.recognised_tier": {None: "未获评"},
    **{f"links.{link}": {None: "未覆盖"} for link in LINKS},
}

# ---------------------------------------------------------------------------------------------
# The enterprise profile (input)
# ---------------------------------------------------------------------------------------------


class _Section(BaseModel):
    """Strict and closed: a typo in a key or a "yes" for a boolean is an error, not a guess."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class EnterpriseInfo(_Section):
    name: str | None = None
    province: str | None = None
    industry: str | None = None
    registered_in_prc: bool | None = None
    legal_form: LegalForm | None = None
    above_designated_size: bool | None = None


class BasicInfo(_Section):
    finance_sound_3y: bool | None = None
    no_bad_credit: bool | None = None
    no_major_accident: bool | None = None
    no_violation: bool | None = None
    secure_controllable: bool | None = None
    organisation_and_talent: bool | None = None
    competitive: bool | None = None


class MaturityInfo(_Section):
    level: int | None = Field(default=None, ge=1, le=5)
    assessed_by: AssessedBy | None = None


class OutcomesInfo(_Section):
    kpi_standing: KpiStanding | None = None
    leads_industry: LeadsIndustry | None = None
    drives_supply_chain: bool | None = None
    solutions: Solutions | None = None
    standards_group: StandardsGroup | None = None
    talent: Talent | None = None


class StatusInfo(_Section):
    """``recognised_tier: null`` means "not recognised"; leaving the key out means "unknown"."""

    recognised_tier: Tier | None = None
    construction_completed: bool | None = None
    cooperates_with_checks: bool | None = None
    regional_recognition_or_funding: bool | None = None


class EnterpriseProfile(_Section):
    """What the enterprise states about itself. Every field is optional: missing means unknown.

    ``links`` maps a link to the highest tier whose 建设内容 the enterprise has achieved for it; a
    link left out (or null) is not covered. ``经营管理`` is accepted as the 领航级 name of 运营管理.
    """

    enterprise: EnterpriseInfo | None = None
    basic: BasicInfo | None = None
    maturity: MaturityInfo | None = None
    links: dict[Link, Tier | None] | None = None
    outcomes: OutcomesInfo | None = None
    status: StatusInfo | None = None

    @field_validator("links", mode="before")
    @classmethod
    def _merge_link_synonyms(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        merged: dict[Any, Any] = {}
        for key, tier in value.items():
            canonical = LINK_SYNONYMS.get(key, key)
            if canonical in merged and merged[canonical] != tier:
                raise ValueError(
                    f"{key} 与 {canonical} 是同一环节（经营管理即运营管理），但填写的层级不同："
                    f"{_show(merged[canonical])} 与 {_show(tier)}"
                )
            merged[canonical] = tier
        return merged


def parse_profile(data: Any) -> EnterpriseProfile:
    """Validate a profile, turning pydantic's errors into one Chinese message a user can act on."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"企业画像应为 JSON 对象（键值对），收到 {type(data).__name__}：{_show(data)}")
    try:
        return EnterpriseProfile.model_validate(dict(data))
    except ValidationError as exc:
        problems = "；".join(_describe_error(error) for error in exc.errors())
        raise ProfileError(f"企业画像有误：{problems}") from exc


def field_label(path: str) -> str:
    """Chinese name of a profile field path, e.g. ``maturity.level`` -> 成熟度等级."""
    return FIELD_LABELS.get(path, path)


def value_label(path: str, value: Any) -> str:
    """Chinese rendering of a profile value, so reasons never show raw enum codes."""
    if value is _MISSING:
        return "未填写"
    labels = VALUE_LABELS.get(path, {})
    if value in labels:
        return labels[value]
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _show(value: Any) -> str:
    """A value as the user wrote it (JSON), shortened, for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _allowed_keys(parent: str) -> list[str]:
    models: dict[str, type[BaseModel]] = {
        "": EnterpriseProfile,
        "enterprise": EnterpriseInfo,
        "basic": BasicInfo,
        "maturity": MaturityInfo,
        "outcomes": OutcomesInfo,
        "status": StatusInfo,
    }
    model = models.get(parent)
    return list(model.model_fields) if model else []


def _describe_error(error: Mapping[str, Any]) -> str:
    """One pydantic error -> "<label> <path> 应为 <allowed>，收到 <value>"."""
    loc = [str(part) for part in error["loc"]]
    kind = str(error["type"])
    received = _show(error.get("input"))
    if loc and loc[-1] == "[key]":
        allowed = "、".join((*LINKS, *LINK_SYNONYMS))
        return f"环节名称 {'.'.join(loc[:-2])} 的键应为 {allowed} 之一，收到 {_show(loc[-2])}"
    path = ".".join(loc)
    label = field_label(path)
    if kind == "extra_forbidden":
        parent = ".".join(loc[:-1])
        where = field_label(parent) if parent else "画像顶层"
        return f"未知字段 {path}；{where}允许的字段：{'、'.join(_allowed_keys(parent))}"
    if kind == "literal_error":
        allowed = " | ".join(str(v) for v in ENUM_VALUES.get(path, ()))
        return f"{label} {path} 应为 {allowed} 之一，收到 {received}"
    if path == "maturity.level" and kind in {"greater_than_equal", "less_than_equal", "int_type"}:
        return f"{label} {path} 应为1–5，收到 {received}"
    if kind == "bool_type":
        return f"{label} {path} 应为 true 或 false，收到 {received}"
    if kind == "string_type":
        return f"{label} {path} 应为文本，收到 {received}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return f"{label} {path} 应为 JSON 对象（键值对），收到 {received}"
    if kind == "value_error":
        return f"{label} {path}：{error.get('ctx', {}).get('error', error['msg'])}"
    return f"{label} {path} 无效（{error['msg']}），收到 {received}"


# ---------------------------------------------------------------------------------------------
# The rules of an edition (data)
# ---------------------------------------------------------------------------------------------

_REASON_PLACEHOLDERS = frozenset(
    {
        "value",
        "threshold",
        "label",
        "field",
        "failed",
        "missing",
        "tier",
        "industry",
        "branch_industries",
        "detail",
    }
)
_WINDOW_PLACEHOLDERS = frozenset({"round", "who", "date", "as_of", "days", "edition"})
_KIND_REASONS: dict[str, tuple[str, ...]] = {
    "checks": ("met", "unknown"),
    "legal_form": ("met", "met_branch", "unknown", "unknown_branch", "unknown_industry"),
    "tier_status": ("met", "not_met", "unknown", "conditional"),
}


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CheckSpec(_RuleModel):
    """One test on one profile field: ``is`` a boolean, ``at_least`` an ordinal, or ``one_of``."""

    field: str
    is_: bool | None = Field(default=None, alias="is")
    at_least: int | str | None = None
    one_of: list[str] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> CheckSpec:
        tests = [t for t in (self.is_, self.at_least, self.one_of) if t is not None]
        if len(tests) != 1:
            raise ValueError(f"检查项 {self.field} 应且只应有 is / at_least / one_of 之一")
        if self.field not in FIELD_LABELS or self.field in _SECTIONS:
            raise ValueError(f"未知的画像字段 {self.field}")
        if self.at_least is not None:
            scale = ORDINAL_SCALES.get(self.field)
            if scale is None or self.at_least not in scale:
                raise ValueError(f"{self.field} 的阈值 {self.at_least!r} 不在其取值序列中")
        if self.one_of is not None:
            allowed = ENUM_VALUES.get(self.field, ())
            bad = [v for v in self.one_of if v not in allowed]
            if bad:
                raise ValueError(f"{self.field} 的取值 {bad} 不在允许值 {list(allowed)} 中")
        return self


class RequirementSpec(_RuleModel):
    """A requirement: where it comes from, what it reads, how it is judged and what to say."""

    id: str
    title: str
    category: Category
    clause_ids: list[str] = Field(min_length=1)
    kind: Literal["checks", "legal_form", "tier_status"] = "checks"
    checks: list[CheckSpec] = Field(default_factory=list)
    principle: bool = False
    tier: Tier | None = None
    branch_industries: list[str] = Field(default_factory=list)
    reasons: dict[str, str]
    action: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RequirementSpec:
        needed = list(_KIND_REASONS[self.kind])
        if self.kind == "checks":
            needed.append("conditional" if self.principle else "not_met")
        missing = [key for key in needed if key not in self.reasons]
        if missing:
            raise ValueError(f"要求 {self.id} 缺少理由模板 {missing}")
        if self.kind in {"checks", "legal_form"} and not self.checks:
            raise ValueError(f"要求 {self.id} 没有检查项")
        if self.kind == "tier_status" and self.tier is None:
            raise ValueError(f"要求 {self.id} 需指定 tier")
        if self.kind == "legal_form" and not self.branch_industries:
            raise ValueError(f"要求 {self.id} 需列出允许分支机构申报的行业 branch_industries")
        for text in [*self.reasons.values(), self.action]:
            _validate_template(text, _REASON_PLACEHOLDERS, self.id)
        return self

    @property
    def fields(self) -> list[str]:
        paths = [c.field for c in self.checks]
        if self.kind == "legal_form":
            paths.append("enterprise.industry")
        return paths


class TierSpec(_RuleModel):
    name: Tier
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> TierSpec:
        ids = [r.id for r in self.requirements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{self.name} 中要求编号重复：{duplicates}")
        return self


class DeadlineSpec(_RuleModel):
    id: str
    who: str
    date: dt.date
    clause_ids: list[str] = Field(min_length=1)
    #: True for the enterprise's own submission deadline, the one that closes the window.
    window: bool = False


class QuotaItemSpec(_RuleModel):
    id: str
    who: str
    max_projects: int = Field(ge=1)


class QuotaSpec(_RuleModel):
    clause_ids: list[str] = Field(min_length=1)
    items: list[QuotaItemSpec]
    note: str


class NoteSpec(_RuleModel):
    id: str
    text: str
    clause_ids: list[str] = Field(min_length=1)


class PrioritySpec(_RuleModel):
    """A priority consideration (同等条件下优先): reported as a note, never a requirement."""

    field: str
    clause_ids: list[str] = Field(min_length=1)
    notes: dict[Literal["met", "not_met", "unknown"], str]


class WindowSpec(_RuleModel):
    open: str
    closed: str

    @model_validator(mode="after")
    def _templates(self) -> WindowSpec:
        _validate_template(self.open, _WINDOW_PLACEHOLDERS, "window.open")
        _validate_template(self.closed, _WINDOW_PLACEHOLDERS, "window.closed")
        return self


class OverlaySpec(_RuleModel):
    """A region's forwarding notice: extra requirements, an earlier deadline, notes."""

    region: str
    match: list[str] = Field(min_length=1)
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(default_factory=list)
    deadlines: list[DeadlineSpec] = Field(default_factory=list)
    notes: list[NoteSpec] = Field(default_factory=list)
    priority: PrioritySpec | None = None


class ApplicationSpec(_RuleModel):
    """The round's application: which tier it is for, its conditions, schedule and quotas."""

    round: str
    #: The tier applied for; reasons of the application's requirements name it.
    tier: Tier = "卓越级"
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(min_length=1)
    deadlines: list[DeadlineSpec] = Field(min_length=1)
    quotas: QuotaSpec
    window: WindowSpec

    @model_validator(mode="after")
    def _has_window(self) -> ApplicationSpec:
        if not any(d.window for d in self.deadlines):
            raise ValueError("deadlines 中至少要有一个 window: true 的企业申报截止日期")
        return self


class RuleSet(_RuleModel):
    """One edition's rules, validated on load so a typo in the YAML fails loudly, not silently."""

    edition: str
    title: str
    tiers: list[TierSpec]
    application: ApplicationSpec
    overlays: list[OverlaySpec] = Field(default_factory=list)
    #: YAML anchors for shared requirements live here; the checker does not read it.
    templates: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _tiers_in_order(self) -> RuleSet:
        names = tuple(t.name for t in self.tiers)
        if names != TIERS:
            raise ValueError(f"tiers 应依次为 {list(TIERS)}，收到 {list(names)}")
        return self

    def tier_names(self) -> list[str]:
        return [t.name for t in self.tiers]


def _validate_template(text: str, allowed: frozenset[str], where: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:
        raise ValueError(f"{where} 的模板格式有误：{exc}") from exc
    unknown = sorted(names - allowed)
    if unknown:
        raise ValueError(f"{where} 的模板含未知占位符 {unknown}，可用：{sorted(allowed)}")


def _edition_key(edition: str) -> tuple[int, str]:
    match = re.match(r"\d+", edition)
    return (int(match.group()) if match else -1, edition)


def available_editions(rules_dir: Path) -> list[str]:
    """Editions with a rules file, oldest first; the last one is the default."""
    if not rules_dir.is_dir():
        return []
    return sorted((p.stem for p in rules_dir.glob("*.yaml")), key=_edition_key)


def load_rules(rules_dir: Path, edition: str | None = None) -> RuleSet:
    """Read ``<rules_dir>/<edition>.yaml`` (default: the newest present) and validate it."""
    editions = available_editions(rules_dir)
    if not editions:
        raise ProfileError(f"规则目录 {rules_dir} 中没有规则文件（<版本>.yaml）")
    chosen = edition if edition is not None else editions[-1]
    if chosen not in editions:
        raise ProfileError(f"未知的规则版本 {chosen!r}，可用版本：{'、'.join(editions)}")
    path = rules_dir / f"{chosen}.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ProfileError(f"规则文件 {path.name} 无法读取或不是合法的 YAML：{exc}") from exc
    rules = parse_rules(data, origin=path.name)
    if rules.edition != chosen:
        raise ProfileError(f"规则文件 {path.name} 中的 edition 为 {rules.edition!r}，与文件名不一致")
    return rules


def parse_rules(data: Any, origin: str = "规则") -> RuleSet:
    """Validate already-parsed rules data (used by load_rules and by tests of malformed rules)."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"规则文件 {origin} 应为 YAML 键值对")
    try:
        return RuleSet.model_validate(dict(data))
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc']) or '顶层'}：{e.get('ctx', {}).get('error', e['msg'])}"
            for e in exc.errors()
        )
        raise ProfileError(f"规则文件 {origin} 有误：{problems}") from exc


# ---------------------------------------------------------------------------------------------
# The report (output)
# ---------------------------------------------------------------------------------------------


class _ReportModel(BaseModel):
    """Output models ignore unknown keys, so a reader of an older version accepts reports that
    carry fields added later (CONTRACTS.md: add, never rename)."""

    model_config = ConfigDict(extra="ignore")


class RequirementResult(_ReportModel):
    """One requirement judged: status, a Chinese reason and the clauses it comes from."""

    id: str
    status: Status
    reason: str
    clause_ids: list[str]
    title: str = ""
    category: Category | None = None
    #: The field that decided the status (the first one read when met).
    field: str | None = None
    #: Every profile field the requirement reads.
    fields: list[str] = Field(default_factory=list)
    #: The fields whose absence makes the status unknown: what to ask the enterprise.
    missing_fields: list[str] = Field(default_factory=list)
    principle: bool = False
    #: What to do about it; empty when met.
    action: str = ""


class TierResult(_ReportModel):
    """A tier's requirements and its status."""

    #: Cumulative: no better than the tier below.
    status: Status
    requirements: list[RequirementResult]
    #: The worst of this tier's own requirements, before the cumulative rule.
    own_status: Status | None = None
    clause_ids: list[str] = Field(default_factory=list)


class Gap(_ReportModel):
    """A requirement of a next tier that is not met yet, with what to do about it."""

    tier: Tier
    id: str
    status: GapStatus
    reason: str
    field: str | None
    clause_ids: list[str]
    title: str = ""
    action: str = ""
    category: Category | None = None
    missing_fields: list[str] = Field(default_factory=list)


class Deadline(_ReportModel):
    """A date of the round's schedule, judged against the as-of date."""

    who: str
    date: dt.date
    passed: bool
    id: str = ""
    clause_ids: list[str] = Field(default_factory=list)
    window: bool = False


class Quota(_ReportModel):
    """A recommender's ceiling on recommended projects (information, not a requirement)."""

    who: str
    max_projects: int
    id: str = ""


class Note(_ReportModel):
    """Information for the applicant that is not a verdict (window, copies, priority, quotas)."""

    id: str
    text: str
    clause_ids: list[str] = Field(default_factory=list)


class ApplicationResult(_ReportModel):
    """The round's 卓越级 application: eligibility (status), schedule, quotas, regional overlay."""

    round: str
    status: Status
    requirements: list[RequirementResult]
    deadlines: list[Deadline]
    region_overlay: str | None = None
    window_open: bool = True
    window_message: str = ""
    quotas: list[Quota] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    clause_ids: list[str] = Field(default_factory=list)


class CheckReport(_ReportModel):
    """The CONTRACTS.md report; fields after ``application`` are optional additions."""

    edition: str
    as_of: dt.date
    highest_tier: Tier | None
    reachable_tier: Tier | None
    tiers: dict[Tier, TierResult]
    gaps: list[Gap]
    application: ApplicationResult
    summary: str = ""
    #: Every field whose absence leaves a requirement unknown, in report order: what to ask next.
    missing_fields: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# The decision path (pure)
# ---------------------------------------------------------------------------------------------


class _Missing:
    """The profile does not state the fact (distinct from ``None`` = "no tier"/"not covered")."""

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()


@dataclass(frozen=True)
class _Outcome:
    """One check's result, kept with what is needed to explain it."""

    check: CheckSpec
    status: Status
    value: Any


def worst(statuses: Iterable[Status]) -> Status:
    """not_met > unknown > conditional > met; ``met`` for an empty list."""
    return max(statuses, key=STATUS_SEVERITY.__getitem__, default="met")


def resolve(profile: EnterpriseProfile, path: str) -> Any:
    """The value at ``section.field``, or _MISSING when the profile does not state it.

    Two fields distinguish "absent" from "null": a link (absent or null inside a given ``links``
    object = not covered, ``None``) and ``status.recognised_tier`` (null = not recognised).
    """
    section_name, _, name = path.partition(".")
    section = getattr(profile, section_name)
    if section is None:
        return _MISSING
    if section_name == "links":
        return section.get(name)
    value = getattr(section, name)
    if value is None and not (path == "status.recognised_tier" and name in section.model_fields_set):
        return _MISSING
    return value


def _evaluate_check(profile: EnterpriseProfile, check: CheckSpec) -> _Outcome:
    value = resolve(profile, check.field)
    if value is _MISSING:
        return _Outcome(check, "unknown", value)
    if check.is_ is not None:
        ok = value is check.is_
    elif check.one_of is not None:
        ok = value in check.one_of
    else:
        scale = ORDINAL_SCALES[check.field]
        ok = scale.index(value) >= scale.index(check.at_least)
    return _Outcome(check, "met" if ok else "not_met", value)


def _threshold_label(check: CheckSpec) -> str:
    if check.at_least is not None:
        return value_label(check.field, check.at_least)
    if check.one_of is not None:
        return "或".join(value_label(check.field, v) for v in check.one_of)
    return value_label(check.field, check.is_)


def _failed_text(outcome: _Outcome) -> str:
    check = outcome.check
    text = f"{field_label(check.field)}：{value_label(check.field, outcome.value)}"
    return text if check.is_ is not None else f"{text}（要求：{_threshold_label(check)}）"


def _missing_text(paths: Iterable[str]) -> str:
    return "、".join(f"{field_label(p)}（{p}）" for p in paths)


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_SafeDict(values))


def _result(
    spec: RequirementSpec,
    status: Status,
    reason_key: str,
    values: dict[str, str],
    field: str | None,
    missing: Sequence[str] = (),
) -> RequirementResult:
    return RequirementResult(
        id=spec.id,
        status=status,
        reason=_fill(spec.reasons[reason_key], values),
        clause_ids=list(spec.clause_ids),
        title=spec.title,
        category=spec.category,
        field=field,
        fields=spec.fields,
        missing_fields=list(missing),
        principle=spec.principle,
        action="" if status == "met" else _fill(spec.action, values),
    )


def _evaluate_checks(profile: EnterpriseProfile, spec: RequirementSpec, tier: str) -> RequirementResult:
    outcomes = [_evaluate_check(profile, check) for check in spec.checks]
    softened: list[Status] = [
        "conditional" if spec.principle and o.status == "not_met" else o.status for o in outcomes
    ]
    status = worst(softened)
    deciding = outcomes[softened.index(status)] if status != "met" else outcomes[0]
    values = {
        "value": value_label(deciding.check.field, deciding.value),
        "threshold": _threshold_label(deciding.check),
        "label": field_label(deciding.check.field),
        "field": deciding.check.field,
        "failed": "；".join(_failed_text(o) for o in outcomes if o.status == "not_met"),
        "missing": _missing_text(o.check.field for o in outcomes if o.status == "unknown"),
        "tier": tier,
    }
    missing = [o.check.field for o in outcomes if o.status == "unknown"]
    return _result(spec, status, status, values, deciding.check.field, missing)


def _unique(items: Iterable[str]) -> list[str]:
    """Order-preserving de-duplication (sets would make reports depend on hashing)."""
    return list(dict.fromkeys(items))


def _industry_is_named(industry: str, keywords: Sequence[str]) -> bool:
    return any(keyword in industry for keyword in keywords)


def _evaluate_legal_form(profile: EnterpriseProfile, spec: RequirementSpec, tier: str) -> RequirementResult:
    """Independent legal person: met. A branch: met only for the industries the clause names; for
    any other industry the clause's "等" leaves it to the recommending body, so unknown."""
    form_field = spec.checks[0].field
    form = resolve(profile, form_field)
    industry = resolve(profile, "enterprise.industry")
    values = {
        "tier": tier,
        "field": form_field,
        "label": field_label(form_field),
        "value": value_label(form_field, form),
        "industry": "" if industry is _MISSING else str(industry),
        "branch_industries": "、".join(spec.branch_industries),
        "missing": _missing_text([form_field]),
    }
    if form is _MISSING:
        return _result(spec, "unknown", "unknown", values, form_field, [form_field])
    if form != "branch":
        return _result(spec, "met", "met", values, form_field)
    if industry is _MISSING:
        values["missing"] = _missing_text(["enterprise.industry"])
        return _result(
            spec, "unknown", "unknown_industry", values, "enterprise.industry", ["enterprise.industry"]
        )
    if _industry_is_named(industry, spec.branch_industries):
        return _result(spec, "met", "met_branch", values, "enterprise.industry")
    return _result(spec, "unknown", "unknown_branch", values, "enterprise.industry")


def _evaluate_tier_status(
    spec: RequirementSpec, tiers: Mapping[str, TierResult], order: Sequence[str]
) -> RequirementResult:
    """The application's "达到卓越级要素条件": the (cumulative) status of that tier."""
    target = spec.tier or ""
    status = tiers[target].status
    open_items: list[RequirementResult] = []
    for name in order[: order.index(target) + 1]:
        for item in tiers[name].requirements:
            if item.status == status != "met" and all(item.id != seen.id for seen in open_items):
                open_items.append(item)
    detail = "；".join(f"{item.title}（{item.field}）" for item in open_items)
    values = {"tier": target, "detail": detail}
    missing = _unique(f for item in open_items for f in item.missing_fields)
    result = _result(spec, status, status, values, open_items[0].field if open_items else None, missing)
    return result.model_copy(update={"fields": [i.field for i in open_items if i.field]})


def evaluate_requirement(
    profile: EnterpriseProfile,
    spec: RequirementSpec,
    tier: str,
    tiers: Mapping[str, TierResult] | None = None,
    order: Sequence[str] = TIERS,
) -> RequirementResult:
    """Judge one requirement; ``tiers`` is needed only by requirements that refer to a tier."""
    if spec.kind == "legal_form":
        return _evaluate_legal_form(profile, spec, tier)
    if spec.kind == "tier_status":
        if tiers is None:
            raise ValueError(f"{spec.id} 需要层级评估结果")
        return _evaluate_tier_status(spec, tiers, order)
    return _evaluate_checks(profile, spec, tier)


def assess_tiers(profile: EnterpriseProfile, rules: RuleSet) -> dict[str, TierResult]:
    """Every tier's requirements, with the cumulative status (a tier no better than the one below)."""
    results: dict[str, TierResult] = {}
    below: Status = "met"
    for spec in rules.tiers:
        requirements = [evaluate_requirement(profile, r, spec.name) for r in spec.requirements]
        own = worst(r.status for r in requirements)
        status = worst([own, below])
        results[spec.name] = TierResult(
            status=status, requirements=requirements, own_status=own, clause_ids=list(spec.clause_ids)
        )
        below = status
    return results


def _highest(tiers: Mapping[str, TierResult], accept: set[str]) -> str | None:
    found: str | None = None
    for name, result in tiers.items():
        if result.status not in accept:
            break
        found = name
    return found


def find_gaps(
    rules: RuleSet, tiers: Mapping[str, TierResult], highest: str | None, reachable: str | None
) -> list[Gap]:
    """What stands between the enterprise and the next tier(s).

    When tiers above ``highest`` are still reachable (only unknown or conditional items stand in
    the way), the gaps are those items up to ``reachable``: they decide whether those tiers hold.
    Otherwise the gaps are what blocks the next tier. Either way a higher, blocked tier is not
    listed: its gaps would bury the ones that matter now. A requirement repeated unchanged in a
    higher tier (e.g. basic 1–4: the same rule, only the tier named in its reason differs) is
    listed once, at the lowest tier.
    Order: not_met, unknown, conditional; then basic, links, outcomes; then tier and rule order.
    """
    names = list(tiers)
    start = names.index(highest) + 1 if highest else 0
    reach = names.index(reachable) if reachable else -1
    stop = reach + 1 if reach >= start else start + 1
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[tuple[int, int, int, int], Gap]] = []
    for tier_index in range(start, min(stop, len(names))):
        name = names[tier_index]
        specs = rules.tiers[tier_index].requirements
        for position, (spec, item) in enumerate(zip(specs, tiers[name].requirements, strict=True)):
            key = (spec.model_dump_json(), item.status)
            if item.status == "met" or key in seen:
                continue
            seen.add(key)
            gap = Gap(
                tier=name,  # type: ignore[arg-type]
                id=item.id,
                status=item.status,  # type: ignore[arg-type]
                reason=item.reason,
                field=item.field,
                clause_ids=item.clause_ids,
                title=item.title,
                action=item.action,
                category=item.category,
                missing_fields=item.missing_fields,
            )
            rank = (
                -STATUS_SEVERITY[item.status],
                _CATEGORY_RANK.get(item.category or "", 9),
                tier_index,
                position,
            )
            rows.append((rank, gap))
    return [gap for _, gap in sorted(rows, key=lambda row: row[0])]


def _overlay_for(profile: EnterpriseProfile, rules: RuleSet) -> OverlaySpec | None:
    province = resolve(profile, "enterprise.province")
    if province is _MISSING:
        return None
    return next((o for o in rules.overlays if any(m in province for m in o.match)), None)


def cn_date(day: dt.date) -> str:
    """2024-11-22 -> 2024年11月22日 (how the notices write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _deadlines(specs: Iterable[DeadlineSpec], as_of: dt.date) -> list[Deadline]:
    """A deadline "…前完成" still allows the day itself, so it has passed only after that day."""
    rows = [
        Deadline(
            who=s.who,
            date=s.date,
            passed=as_of > s.date,
            id=s.id,
            clause_ids=list(s.clause_ids),
            window=s.window,
        )
        for s in specs
    ]
    return sorted(rows, key=lambda d: (d.date, d.id))


def _window(rules: RuleSet, deadlines: Sequence[Deadline], as_of: dt.date) -> tuple[bool, str]:
    binding = min((d for d in deadlines if d.window), key=lambda d: d.date)
    values = {
        "round": rules.application.round,
        "who": binding.who,
        "date": cn_date(binding.date),
        "as_of": cn_date(as_of),
        "days": str((binding.date - as_of).days),
        "edition": rules.edition,
    }
    template = rules.application.window.closed if binding.passed else rules.application.window.open
    return not binding.passed, _fill(template, values)


def _priority_note(profile: EnterpriseProfile, overlay: OverlaySpec) -> Note | None:
    if overlay.priority is None:
        return None
    value = resolve(profile, overlay.priority.field)
    key: Literal["met", "not_met", "unknown"] = (
        "unknown" if value is _MISSING else ("met" if value else "not_met")
    )
    return Note(
        id=f"{overlay.priority.field}.priority",
        text=overlay.priority.notes[key],
        clause_ids=overlay.priority.clause_ids,
    )


def assess_application(
    profile: EnterpriseProfile, rules: RuleSet, tiers: Mapping[str, TierResult], as_of: dt.date
) -> ApplicationResult:
    """The 卓越级 application of the round: eligibility, deadlines, quotas and regional overlay.

    The window is reported, not folded into the status: past the deadline the enterprise still
    wants to know whether it would qualify, to prepare for the next round.
    """
    spec = rules.application
    overlay = _overlay_for(profile, rules)
    requirement_specs = [*spec.requirements, *(overlay.requirements if overlay else [])]
    order = rules.tier_names()
    requirements = [evaluate_requirement(profile, r, spec.tier, tiers, order) for r in requirement_specs]
    deadlines = _deadlines([*spec.deadlines, *(overlay.deadlines if overlay else [])], as_of)
    window_open, window_message = _window(rules, deadlines, as_of)
    notes = [Note(id="application.window", text=window_message, clause_ids=_window_clauses(deadlines))]
    if overlay:
        notes.extend(Note(id=n.id, text=n.text, clause_ids=list(n.clause_ids)) for n in overlay.notes)
        priority = _priority_note(profile, overlay)
        if priority:
            notes.append(priority)
    elif resolve(profile, "enterprise.province") is _MISSING and rules.overlays:
        regions = "、".join(o.region for o in rules.overlays)
        notes.append(
            Note(
                id="application.province_unknown",
                text=f"画像未填写所在省份（enterprise.province），未判断是否适用地方转发通知的额外要求（已收录：{regions}）。",
                clause_ids=[cid for o in rules.overlays for cid in o.clause_ids[:1]],
            )
        )
    notes.append(
        Note(id="application.quotas", text=spec.quotas.note, clause_ids=list(spec.quotas.clause_ids))
    )
    return ApplicationResult(
        round=spec.round,
        status=worst(r.status for r in requirements),
        requirements=requirements,
        deadlines=deadlines,
        region_overlay=overlay.region if overlay else None,
        window_open=window_open,
        window_message=window_message,
        quotas=[Quota(who=q.who, max_projects=q.max_projects, id=q.id) for q in spec.quotas.items],
        notes=notes,
        clause_ids=[*spec.clause_ids, *(overlay.clause_ids if overlay else [])],
    )


def _window_clauses(deadlines: Sequence[Deadline]) -> list[str]:
    return [cid for d in deadlines if d.window for cid in d.clause_ids]


def _summary(highest: str | None, reachable: str | None, app: ApplicationResult, edition: str) -> str:
    """One Chinese sentence with the verdict, for chat replies and table captions."""
    parts = [f"按{edition}年版要素条件："]
    parts.append(f"已满足{highest}全部要求" if highest else "尚未确认满足任何层级")
    if reachable and reachable != highest:
        parts.append(f"；若待确认事项均有利、“原则上”要求获认可，可达{reachable}")
    elif not reachable:
        parts.append("；基础级存在不满足的要求")
    parts.append(f"。{app.round}申报：{STATUS_LABELS[app.status]}。")
    if not app.window_open:
        parts.append("本轮申报窗口已截止。")
    return "".join(parts)


def check(profile: EnterpriseProfile, rules: RuleSet, as_of: dt.date) -> CheckReport:
    """The verdict: tiers (cumulative), highest/reachable tier, gaps and the round's application."""
    tiers = assess_tiers(profile, rules)
    highest = _highest(tiers, {"met"})
    reachable = _highest(tiers, {"met", "conditional", "unknown"})
    application = assess_application(profile, rules, tiers, as_of)
    return CheckReport(
        edition=rules.edition,
        as_of=as_of,
        highest_tier=highest,  # type: ignore[arg-type]
        reachable_tier=reachable,  # type: ignore[arg-type]
        tiers=tiers,  # type: ignore[arg-type]
        gaps=find_gaps(rules, tiers, highest, reachable),
        application=application,
        summary=_summary(highest, reachable, application, rules.edition),
        missing_fields=_unique(
            f
            for item in [*(r for t in tiers.values() for r in t.requirements), *application.requirements]
            for f in item.missing_fields
        ),
    )
