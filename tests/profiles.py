"""Canonical enterprise profiles for tests: one per tier, plus the 内蒙古 variant, and `variant`
to derive a profile that differs in named fields; and the example draft spec. Shared so every
test reads the same facts."""

from __future__ import annotations

import copy
import json
from typing import Any

from assistant.config import REPO_ROOT

EXAMPLE_SPEC = REPO_ROOT / "examples" / "draft_spec.json"


def example_spec() -> dict[str, Any]:
    """A fresh copy of examples/draft_spec.json."""
    return json.loads(EXAMPLE_SPEC.read_text(encoding="utf-8"))


ALL_BASIC = {
    "finance_sound_3y": True,
    "no_bad_credit": True,
    "no_major_accident": True,
    "no_violation": True,
    "secure_controllable": True,
    "organisation_and_talent": True,
    "competitive": True,
}


def _enterprise(province: str, industry: str) -> dict[str, Any]:
    return {
        "name": "测试企业有限公司",
        "province": province,
        "industry": industry,
        "registered_in_prc": True,
        "legal_form": "independent",
        "above_designated_size": True,
    }


def links(tier: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names or ("工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"), tier)


BASIC: dict[str, Any] = {
    "enterprise": _enterprise("河南省", "农副食品加工业"),
    "basic": ALL_BASIC,
    "maturity": {"level": 2, "assessed_by": "self"},
    "links": {"生产作业": "基础级"},
    "outcomes": {
        "kpi_standing": "above_province_average",
        "leads_industry": "none",
        "drives_supply_chain": False,
        "solutions": "none",
        "standards_group": "none",
        "talent": "professional",
    },
    "status": {"recognised_tier": None, "construction_completed": True, "cooperates_with_checks": True},
}
ADVANCED: dict[str, Any] = {
    **BASIC,
    "enterprise": _enterprise("浙江省", "纺织业"),
    "links": links("先进级", "生产作业", "生产管理", "运营管理"),
    "outcomes": {**BASIC["outcomes"], "kpi_standing": "province_leading", "leads_industry": "province"},
    "status": {**BASIC["status"], "recognised_tier": "基础级"},
}
EXCELLENT: dict[str, Any] = {
    "enterprise": _enterprise("广东省", "计算机、通信和其他电子设备制造业"),
    "basic": ALL_BASIC,
    "maturity": {"level": 3, "assessed_by": "third_party"},
    "links": links("卓越级"),
    "outcomes": {
        "kpi_standing": "national_leading",
        "leads_industry": "national",
        "drives_supply_chain": True,
        "solutions": "promotable",
        "standards_group": "exploring",
        "talent": "composite_system",
    },
    "status": {"recognised_tier": "先进级", "construction_completed": True, "cooperates_with_checks": True},
}
LEADING: dict[str, Any] = {
    **EXCELLENT,
    "enterprise": _enterprise("江苏省", "通用设备制造业"),
    "maturity": {"level": 4, "assessed_by": "third_party"},
    "links": links("领航级"),
    "outcomes": {
        "kpi_standing": "global_leading",
        "leads_industry": "global",
        "drives_supply_chain": True,
        "solutions": "exported",
        "standards_group": "feeding_standards",
        "talent": "leading_and_external",
    },
    "status": {**EXCELLENT["status"], "recognised_tier": "卓越级"},
}
NMG_EXCELLENT: dict[str, Any] = {
    **EXCELLENT,
    "enterprise": _enterprise("内蒙古自治区", "有色金属冶炼和压延加工业"),
    "maturity": {"level": 3, "assessed_by": "self"},
    "status": {**EXCELLENT["status"], "regional_recognition_or_funding": True},
}


def variant(base: dict[str, Any], changes: dict[str, Any] | None = None, unset: tuple[str, ...] = ()) -> dict:
    """A copy of base with dotted paths removed (``unset``) and then set (``changes``)."""
    data = copy.deepcopy(base)
    for path in unset:
        section, _, name = path.partition(".")
        if name:
            data.get(section, {}).pop(name, None)
        else:
            data.pop(section, None)
    for path, value in (changes or {}).items():
        section, _, name = path.partition(".")
        data.setdefault(section, {})[name] = value
    return data
