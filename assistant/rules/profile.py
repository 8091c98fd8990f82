"""The enterprise profile: its schema (docs/contracts.md), enumerations, Chinese labels and parsing.

The schema is code, because every caller depends on it and it does not change between rounds;
the rules that read it are data (``ruleset``). Order matters: ordinal enums compare by position.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from assistant.errors import ProfileError
from assistant.language import cn_count
from assistant.validation import PROFILE_PHRASING, describe_errors, show
from assistant.vocabulary import LINK_SYNONYMS, LINKS, TIERS, Link, Tier

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

#: The top-level keys of a profile (sections, not fields).
SECTIONS = frozenset({"enterprise", "basic", "maturity", "links", "outcomes", "status"})

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
    "maturity.level": {n: f"{cn_count(n)}级" for n in range(1, 6)},
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


class _Missing:
    """The profile does not state the fact (distinct from ``None`` = "no tier"/"not covered")."""

    def __repr__(self) -> str:
        return "MISSING"


#: What ``resolve`` returns for a fact the profile does not state.
MISSING: Any = _Missing()


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
    #: Read from a conversation: a link the user has not spoken of is unknown, not uncovered
    #: ("研发设计只到先进级" says nothing of the other four). Not part of the JSON profile.
    _unstated_links_unknown: bool = PrivateAttr(default=False)

    @property
    def unstated_links_unknown(self) -> bool:
        return self._unstated_links_unknown

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
                    f"{show(merged[canonical])} 与 {show(tier)}"
                )
            merged[canonical] = tier
        return merged


def parse_profile(data: Any, unstated_links_unknown: bool = False) -> EnterpriseProfile:
    """Validate a profile, turning pydantic's errors into one Chinese message a user can act on.

    A profile sent whole (API, 自评 form) lists its links: one left out is not covered. A profile
    gathered from what a user said (`unstated_links_unknown`) only knows the links spoken of."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"企业画像应为 JSON 对象（键值对），收到 {type(data).__name__}：{show(data)}")
    try:
        profile = EnterpriseProfile.model_validate(dict(data))
    except ValidationError as exc:
        problems = "；".join(describe_profile_errors(exc))
        raise ProfileError(f"企业画像有误：{problems}") from exc
    profile._unstated_links_unknown = unstated_links_unknown
    return profile


def field_label(path: str) -> str:
    """Chinese name of a profile field path, e.g. ``maturity.level`` -> 成熟度等级."""
    return FIELD_LABELS.get(path, path)


#: A field id as it may slip into text: a section, a dot and a key (links.运营管理, maturity.level).
_FIELD_ID = re.compile(rf"(?<![A-Za-z_.])(?:{'|'.join(sorted(SECTIONS))})\.[A-Za-z_\u4e00-\u9fff]+")


def without_field_ids(text: str) -> str:
    """The text with every known field id in it written as its Chinese name (links.运营管理 →
    运营管理环节): users read names, never ids, whoever wrote the text (a reason, the model)."""
    return _FIELD_ID.sub(_named, text)


def _named(match: re.Match[str]) -> str:
    """The longest known field id the match opens with, as its name (links.运营管理环节 reads
    on past the id: the id is links.运营管理); an unknown one is left as written."""
    found = match.group(0)
    for end in range(len(found), found.index(".") + 1, -1):
        if found[:end] in FIELD_LABELS:
            label, rest = FIELD_LABELS[found[:end]], found[end:]
            overlap = next(
                (k for k in range(min(len(label), len(rest)), 0, -1) if label.endswith(rest[:k])), 0
            )
            return label + rest[overlap:]  # links.运营管理环节 → 运营管理环节, not …环节环节
    return found


def value_label(path: str, value: Any) -> str:
    """Chinese rendering of a profile value, so reasons never show raw enum codes."""
    if value is MISSING:
        return "未填写"
    labels = VALUE_LABELS.get(path, {})
    if value in labels:
        return labels[value]
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


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


def _link_keys(path: str) -> tuple[str, list[str]] | None:
    return ("环节名称", [*LINKS, *LINK_SYNONYMS]) if path == "links" else None


def describe_profile_errors(exc: ValidationError) -> list[str]:
    """Each pydantic error of a profile as "<label> <path> 应为 <allowed>，收到 <value>"."""
    return describe_errors(
        exc.errors(),
        PROFILE_PHRASING,
        label=lambda path, loc: field_label(path),
        allowed_values=lambda path: ENUM_VALUES.get(path, ()),
        allowed_keys=_allowed_keys,
        parent_label=lambda parent: field_label(parent) if parent else "画像顶层",
        dict_keys=_link_keys,
    )
