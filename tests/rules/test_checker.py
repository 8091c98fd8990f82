"""The tier checker against the text: every requirement at every tier boundary, unknown and
conditional paths, the 2024 卓越级 application, the 内蒙古 overlay, deadlines and the rules file."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.config import REPO_ROOT, Settings
from assistant.errors import ProfileError, RulesInvalidError, UnknownEditionError
from assistant.evaluation.checker import run as run_checker_eval
from assistant.knowledge.corpus import load_corpus
from assistant.rules import (
    CheckReport,
    EnterpriseProfile,
    RequirementResult,
    available_editions,
    check,
    load_rules,
    parse_profile,
    parse_rules,
)
from tests.profiles import ADVANCED, BASIC, EXCELLENT, LEADING, NMG_EXCELLENT, variant

RULES_DIR = REPO_ROOT / "corpus" / "rules"
RULES = load_rules(RULES_DIR)
BEFORE_DEADLINE = dt.date(2024, 11, 15)


def run(data: dict[str, Any], as_of: dt.date = BEFORE_DEADLINE) -> CheckReport:
    return check(parse_profile(data), RULES, as_of)


def requirement(report: CheckReport, where: str, rid: str) -> RequirementResult:
    """A requirement of a tier, or of the application block when where == "application"."""
    items = report.application.requirements if where == "application" else report.tiers[where].requirements
    matches = [r for r in items if r.id == rid]
    assert matches, f"{rid} not in {where}: {[r.id for r in items]}"
    return matches[0]


@dataclass(frozen=True)
class Row:
    """One profile: base + one change, the verdict the text gives and the requirement that moved."""

    base: dict[str, Any]
    highest: str | None
    reachable: str | None
    application: str
    probe: tuple[str, str, str] | None = None
    changes: dict[str, Any] = field(default_factory=dict)
    unset: tuple[str, ...] = ()


ROWS = {
    # --- 基础级 boundary: each basic requirement and the 基础级 items flipped on a 基础级 firm -------
    "basic_firm_is_basic": Row(BASIC, "基础级", "基础级", "not_met", ("先进级", "links.生产管理", "not_met")),
    "basic_not_above_designated_size": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "basic.scale", "not_met"),
        {"enterprise.above_designated_size": False},
    ),
    "basic_not_competitive": Row(
        BASIC, None, None, "not_met", ("基础级", "basic.scale", "not_met"), {"basic.competitive": False}
    ),
    "basic_finances_unsound": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "basic.finance", "not_met"),
        {"basic.finance_sound_3y": False},
    ),
    "basic_bad_credit": Row(
        BASIC, None, None, "not_met", ("基础级", "basic.finance", "not_met"), {"basic.no_bad_credit": False}
    ),
    "basic_major_accident": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "basic.finance", "not_met"),
        {"basic.no_major_accident": False},
    ),
    "basic_violation": Row(
        BASIC, None, None, "not_met", ("基础级", "basic.finance", "not_met"), {"basic.no_violation": False}
    ),
    "basic_not_secure_controllable": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "basic.security", "not_met"),
        {"basic.secure_controllable": False},
    ),
    "basic_no_organisation": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "basic.organisation", "not_met"),
        {"basic.organisation_and_talent": False},
    ),
    "basic_maturity_1": Row(
        BASIC, None, None, "not_met", ("基础级", "basic.maturity", "not_met"), {"maturity.level": 1}
    ),
    "basic_production_link_left_out": Row(
        BASIC, None, None, "not_met", ("基础级", "links.生产作业", "not_met"), unset=("links.生产作业",)
    ),
    "basic_kpi_below_province_average": Row(
        BASIC,
        None,
        None,
        "not_met",
        ("基础级", "outcomes.kpi", "not_met"),
        {"outcomes.kpi_standing": "below_province_average"},
    ),
    "basic_other_links_not_required": Row(
        BASIC,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "links.生产作业", "met"),
        {"links.生产作业": "先进级"},
    ),
    # --- 先进级 boundary ---------------------------------------------------------------------------
    "advanced_firm_is_advanced": Row(
        ADVANCED, "先进级", "先进级", "not_met", ("卓越级", "basic.maturity", "not_met")
    ),
    "advanced_production_link_only_basic": Row(
        ADVANCED,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "links.生产作业", "not_met"),
        {"links.生产作业": "基础级"},
    ),
    "advanced_management_link_only_basic": Row(
        ADVANCED,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "links.生产管理", "not_met"),
        {"links.生产管理": "基础级"},
    ),
    "advanced_operations_link_left_out": Row(
        ADVANCED,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "links.运营管理", "not_met"),
        unset=("links.运营管理",),
    ),
    "advanced_kpi_only_above_average": Row(
        ADVANCED,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "outcomes.kpi", "not_met"),
        {"outcomes.kpi_standing": "above_province_average"},
    ),
    "advanced_does_not_lead_province": Row(
        ADVANCED,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "outcomes.leadership", "not_met"),
        {"outcomes.leads_industry": "none"},
    ),
    "advanced_maturity_1": Row(
        ADVANCED, None, None, "not_met", ("先进级", "basic.maturity", "not_met"), {"maturity.level": 1}
    ),
    "advanced_maturity_3_is_not_enough_for_excellent": Row(
        ADVANCED, "先进级", "先进级", "not_met", ("卓越级", "basic.maturity", "met"), {"maturity.level": 3}
    ),
    # --- 卓越级 boundary ---------------------------------------------------------------------------
    "excellent_firm_is_excellent": Row(
        EXCELLENT, "卓越级", "卓越级", "met", ("领航级", "basic.maturity", "not_met")
    ),
    "excellent_maturity_2": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "basic.maturity", "not_met"),
        {"maturity.level": 2},
    ),
    "excellent_production_link_only_advanced": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "links.生产作业", "not_met"),
        {"links.生产作业": "先进级"},
    ),
    "excellent_management_link_only_advanced": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "links.生产管理", "not_met"),
        {"links.生产管理": "先进级"},
    ),
    "excellent_operations_link_only_advanced": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "links.运营管理", "not_met"),
        {"links.运营管理": "先进级"},
    ),
    "excellent_operations_link_left_out_fails_advanced_too": Row(
        EXCELLENT,
        "基础级",
        "基础级",
        "not_met",
        ("先进级", "links.运营管理", "not_met"),
        unset=("links.运营管理",),
    ),
    "excellent_jingying_is_operations": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("卓越级", "links.运营管理", "met"),
        {"links.经营管理": "卓越级"},
        ("links.运营管理",),
    ),
    "excellent_factory_link_advanced_is_conditional": Row(
        EXCELLENT,
        "先进级",
        "卓越级",
        "conditional",
        ("卓越级", "links.工厂建设", "conditional"),
        {"links.工厂建设": "先进级"},
    ),
    "excellent_factory_link_basic_is_conditional": Row(
        EXCELLENT,
        "先进级",
        "卓越级",
        "conditional",
        ("卓越级", "links.工厂建设", "conditional"),
        {"links.工厂建设": "基础级"},
    ),
    "excellent_rd_link_left_out_is_conditional": Row(
        EXCELLENT,
        "先进级",
        "卓越级",
        "conditional",
        ("卓越级", "links.研发设计", "conditional"),
        unset=("links.研发设计",),
    ),
    "excellent_kpi_province_leading": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.kpi", "not_met"),
        {"outcomes.kpi_standing": "province_leading"},
    ),
    "excellent_leads_only_province": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.leadership", "not_met"),
        {"outcomes.leads_industry": "province"},
    ),
    "excellent_does_not_drive_supply_chain": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.leadership", "not_met"),
        {"outcomes.drives_supply_chain": False},
    ),
    "excellent_no_promotable_solution": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.solutions", "not_met"),
        {"outcomes.solutions": "none"},
    ),
    "excellent_no_standards_group": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.solutions", "not_met"),
        {"outcomes.standards_group": "none"},
    ),
    "excellent_talent_only_professional": Row(
        EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.talent", "not_met"),
        {"outcomes.talent": "professional"},
    ),
    # --- 领航级 boundary ---------------------------------------------------------------------------
    "leading_firm_is_leading": Row(LEADING, "领航级", "领航级", "met", ("领航级", "links.工厂建设", "met")),
    "leading_maturity_3": Row(
        LEADING, "卓越级", "卓越级", "met", ("领航级", "basic.maturity", "not_met"), {"maturity.level": 3}
    ),
    "leading_maturity_5": Row(
        LEADING, "领航级", "领航级", "met", ("领航级", "basic.maturity", "met"), {"maturity.level": 5}
    ),
    "leading_factory_link_excellent_is_hard": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "links.工厂建设", "not_met"),
        {"links.工厂建设": "卓越级"},
    ),
    "leading_rd_link_excellent_is_hard": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "links.研发设计", "not_met"),
        {"links.研发设计": "卓越级"},
    ),
    "leading_production_link_excellent": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "links.生产作业", "not_met"),
        {"links.生产作业": "卓越级"},
    ),
    "leading_management_link_excellent": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "links.生产管理", "not_met"),
        {"links.生产管理": "卓越级"},
    ),
    "leading_operations_link_excellent": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "links.运营管理", "not_met"),
        {"links.运营管理": "卓越级"},
    ),
    "leading_jingying_is_operations": Row(
        LEADING,
        "领航级",
        "领航级",
        "met",
        ("领航级", "links.运营管理", "met"),
        {"links.经营管理": "领航级"},
        ("links.运营管理",),
    ),
    "leading_rd_link_left_out_conditional_below_hard_above": Row(
        LEADING,
        "先进级",
        "卓越级",
        "conditional",
        ("领航级", "links.研发设计", "not_met"),
        unset=("links.研发设计",),
    ),
    "leading_kpi_national_leading": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "outcomes.kpi", "not_met"),
        {"outcomes.kpi_standing": "national_leading"},
    ),
    "leading_leads_only_national": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "outcomes.leadership", "not_met"),
        {"outcomes.leads_industry": "national"},
    ),
    "leading_solutions_not_exported": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "outcomes.solutions", "not_met"),
        {"outcomes.solutions": "promotable"},
    ),
    "leading_standards_group_formed_only": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "outcomes.solutions", "not_met"),
        {"outcomes.standards_group": "formed"},
    ),
    "leading_talent_composite_only": Row(
        LEADING,
        "卓越级",
        "卓越级",
        "met",
        ("领航级", "outcomes.talent", "not_met"),
        {"outcomes.talent": "composite_system"},
    ),
    "leading_no_supply_chain_fails_excellent_too": Row(
        LEADING,
        "先进级",
        "先进级",
        "not_met",
        ("卓越级", "outcomes.leadership", "not_met"),
        {"outcomes.drives_supply_chain": False},
    ),
    # --- unknown paths ----------------------------------------------------------------------------
    "unknown_violation_record": Row(
        EXCELLENT,
        None,
        "卓越级",
        "unknown",
        ("基础级", "basic.finance", "unknown"),
        unset=("basic.no_violation",),
    ),
    "unknown_size": Row(
        EXCELLENT,
        None,
        "卓越级",
        "unknown",
        ("基础级", "basic.scale", "unknown"),
        unset=("enterprise.above_designated_size",),
    ),
    "unknown_maturity_section": Row(
        EXCELLENT, None, "卓越级", "unknown", ("基础级", "basic.maturity", "unknown"), unset=("maturity",)
    ),
    "unknown_links_section": Row(
        EXCELLENT, None, "卓越级", "unknown", ("基础级", "links.生产作业", "unknown"), unset=("links",)
    ),
    "unknown_kpi": Row(
        EXCELLENT,
        None,
        "卓越级",
        "unknown",
        ("基础级", "outcomes.kpi", "unknown"),
        unset=("outcomes.kpi_standing",),
    ),
    "unknown_talent_only_matters_from_excellent": Row(
        EXCELLENT,
        "先进级",
        "卓越级",
        "unknown",
        ("卓越级", "outcomes.talent", "unknown"),
        unset=("outcomes.talent",),
    ),
    "unknown_everything": Row({}, None, "领航级", "unknown", ("基础级", "basic.scale", "unknown")),
    "unknown_links_section_on_basic_firm": Row(
        BASIC, None, "基础级", "not_met", ("先进级", "outcomes.kpi", "not_met"), unset=("links",)
    ),
    # --- application (通知 二.(一)) ----------------------------------------------------------------
    "app_branch_nonferrous_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "app.legal_form", "met"),
        {"enterprise.legal_form": "branch", "enterprise.industry": "有色金属冶炼和压延加工业"},
    ),
    "app_branch_petrochemical_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "app.legal_form", "met"),
        {"enterprise.legal_form": "branch", "enterprise.industry": "石油石化"},
    ),
    "app_branch_oil_extraction_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "app.legal_form", "met"),
        {"enterprise.legal_form": "branch", "enterprise.industry": "石油和天然气开采业"},
    ),
    "app_branch_textile_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.legal_form", "unknown"),
        {"enterprise.legal_form": "branch", "enterprise.industry": "纺织业"},
    ),
    "app_branch_chemicals_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.legal_form", "unknown"),
        {"enterprise.legal_form": "branch", "enterprise.industry": "化学原料和化学制品制造业"},
    ),
    "app_branch_industry_missing_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.legal_form", "unknown"),
        {"enterprise.legal_form": "branch"},
        ("enterprise.industry",),
    ),
    "app_legal_form_missing_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.legal_form", "unknown"),
        unset=("enterprise.legal_form",),
    ),
    "app_registered_abroad_not_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "not_met",
        ("application", "app.registered_in_prc", "not_met"),
        {"enterprise.registered_in_prc": False},
    ),
    "app_not_recognised_conditional": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "conditional",
        ("application", "app.recognised_advanced", "conditional"),
        {"status.recognised_tier": None},
    ),
    "app_recognised_basic_conditional": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "conditional",
        ("application", "app.recognised_advanced", "conditional"),
        {"status.recognised_tier": "基础级"},
    ),
    "app_recognised_excellent_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "app.recognised_advanced", "met"),
        {"status.recognised_tier": "卓越级"},
    ),
    "app_recognition_not_stated_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.recognised_advanced", "unknown"),
        unset=("status.recognised_tier",),
    ),
    "app_construction_unfinished_not_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "not_met",
        ("application", "app.construction_completed", "not_met"),
        {"status.construction_completed": False},
    ),
    "app_construction_not_stated_unknown": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "unknown",
        ("application", "app.construction_completed", "unknown"),
        unset=("status.construction_completed",),
    ),
    "app_unwilling_to_cooperate_not_met": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "not_met",
        ("application", "app.cooperates", "not_met"),
        {"status.cooperates_with_checks": False},
    ),
    "app_excellent_tier_missing_not_met": Row(
        ADVANCED, "先进级", "先进级", "not_met", ("application", "app.excellent_conditions", "not_met")
    ),
    # --- 内蒙古 overlay ---------------------------------------------------------------------------
    "nmg_excellent_met": Row(
        NMG_EXCELLENT, "卓越级", "卓越级", "met", ("application", "nmg.maturity", "met")
    ),
    "nmg_third_party_assessment_met": Row(
        NMG_EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "nmg.maturity", "met"),
        {"maturity.assessed_by": "third_party"},
    ),
    # DESIGN.md: the overlay reads the level; self or third-party assessment are both accepted.
    "nmg_assessment_source_missing_still_met": Row(
        NMG_EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "nmg.maturity", "met"),
        unset=("maturity.assessed_by",),
    ),
    "nmg_maturity_2_not_met": Row(
        NMG_EXCELLENT,
        "先进级",
        "先进级",
        "not_met",
        ("application", "nmg.maturity", "not_met"),
        {"maturity.level": 2},
    ),
    "nmg_without_regional_recognition_met": Row(
        NMG_EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "nmg.maturity", "met"),
        {"status.regional_recognition_or_funding": False},
    ),
    "other_province_needs_no_assessment_source": Row(
        EXCELLENT,
        "卓越级",
        "卓越级",
        "met",
        ("application", "app.excellent_conditions", "met"),
        unset=("maturity.assessed_by",),
    ),
}


def test_table_has_at_least_fifty_profiles() -> None:
    assert len(ROWS) >= 50


@pytest.mark.parametrize("row", list(ROWS.values()), ids=list(ROWS))
def test_verdict_moves_as_the_text_says(row: Row) -> None:
    report = run(variant(row.base, row.changes, row.unset))
    assert (report.highest_tier, report.reachable_tier, report.application.status) == (
        row.highest,
        row.reachable,
        row.application,
    )
    if row.probe:
        where, rid, status = row.probe
        assert requirement(report, where, rid).status == status


# --- requirement-level behaviour ---------------------------------------------------------------


def test_branch_of_textile_firm_is_unknown_not_met() -> None:
    report = run(variant(EXCELLENT, {"enterprise.legal_form": "branch", "enterprise.industry": "纺织业"}))
    legal = requirement(report, "application", "app.legal_form")
    assert legal.status == "unknown"
    assert legal.field == "enterprise.industry"
    assert "石油石化、有色金属等有行业特殊情况的" in legal.reason
    assert "“等”" in legal.reason
    assert legal.clause_ids == ["notice#二.(一).1"]


@pytest.mark.parametrize("industry", ["石油石化", "有色金属", "有色金属冶炼和压延加工业", "石油化工"])
def test_branch_of_named_special_industry_is_met(industry: str) -> None:
    report = run(variant(EXCELLENT, {"enterprise.legal_form": "branch", "enterprise.industry": industry}))
    legal = requirement(report, "application", "app.legal_form")
    assert legal.status == "met"
    assert industry in legal.reason


def test_independent_legal_person_is_met_whatever_the_industry() -> None:
    report = run(variant(EXCELLENT, {"enterprise.industry": "纺织业"}))
    assert requirement(report, "application", "app.legal_form").status == "met"


MATURITY_EXPECTED = {
    1: {"基础级": "not_met", "先进级": "not_met", "卓越级": "not_met", "领航级": "not_met"},
    2: {"基础级": "met", "先进级": "met", "卓越级": "not_met", "领航级": "not_met"},
    3: {"基础级": "met", "先进级": "met", "卓越级": "met", "领航级": "not_met"},
    4: {"基础级": "met", "先进级": "met", "卓越级": "met", "领航级": "met"},
    5: {"基础级": "met", "先进级": "met", "卓越级": "met", "领航级": "met"},
}


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_maturity_level_thresholds_per_tier(level: int) -> None:
    report = run(variant(LEADING, {"maturity.level": level}))
    statuses = {tier: requirement(report, tier, "basic.maturity").status for tier in report.tiers}
    assert statuses == MATURITY_EXPECTED[level]
    assert all(
        requirement(report, t, "basic.maturity").clause_ids == ["conditions#一.5"] for t in report.tiers
    )


@pytest.mark.parametrize(
    "level,highest", [(1, None), (2, "先进级"), (3, "卓越级"), (4, "领航级"), (5, "领航级")]
)
def test_maturity_alone_caps_a_leading_firm(level: int, highest: str | None) -> None:
    assert run(variant(LEADING, {"maturity.level": level})).highest_tier == highest


def test_missing_field_is_unknown_and_names_the_field() -> None:
    report = run(variant(EXCELLENT, unset=("maturity.level",)))
    item = requirement(report, "基础级", "basic.maturity")
    assert item.status == "unknown"
    assert item.field == "maturity.level"
    assert "成熟度等级" in item.reason and "maturity.level" not in item.reason  # users never see ids
    gap = next(g for g in report.gaps if g.id == "basic.maturity")
    assert (gap.status, gap.field, gap.tier) == ("unknown", "maturity.level", "基础级")


def test_missing_fields_say_what_to_ask_the_enterprise() -> None:
    report = run(
        variant(EXCELLENT, unset=("basic.competitive", "enterprise.above_designated_size", "outcomes.talent"))
    )
    scale = requirement(report, "基础级", "basic.scale")
    assert scale.missing_fields == ["enterprise.above_designated_size", "basic.competitive"]
    assert report.missing_fields == [
        "enterprise.above_designated_size",
        "basic.competitive",
        "outcomes.talent",
    ]
    gap = next(g for g in report.gaps if g.id == "basic.scale")
    assert gap.missing_fields == scale.missing_fields
    assert requirement(report, "application", "app.excellent_conditions").missing_fields == [
        "enterprise.above_designated_size",
        "basic.competitive",
        "outcomes.talent",
    ]


def test_complete_profile_has_no_missing_fields() -> None:
    assert run(LEADING).missing_fields == []


def test_not_met_reason_names_the_failing_fact() -> None:
    report = run(variant(EXCELLENT, {"basic.no_bad_credit": False}))
    item = requirement(report, "基础级", "basic.finance")
    assert item.status == "not_met"
    assert item.field == "basic.no_bad_credit"
    assert "无不良信用记录：否" in item.reason


def test_principle_link_reason_says_justification_is_needed() -> None:
    report = run(variant(EXCELLENT, unset=("links.工厂建设",)))
    item = requirement(report, "卓越级", "links.工厂建设")
    assert item.status == "conditional"
    assert item.principle is True
    assert "原则上" in item.reason and "未覆盖" in item.reason
    assert item.clause_ids == ["conditions#四.(一)", "conditions#四.(一).1"]


def test_links_not_required_below_their_tier_are_not_checked() -> None:
    report = run(ADVANCED)
    assert {r.id for r in report.tiers["先进级"].requirements if r.category == "links"} == {
        "links.生产作业",
        "links.生产管理",
        "links.运营管理",
    }
    assert {r.id for r in report.tiers["基础级"].requirements if r.category == "links"} == {"links.生产作业"}


def test_link_null_value_means_not_covered() -> None:
    report = run(variant(EXCELLENT, {"links.研发设计": None}))
    assert requirement(report, "卓越级", "links.研发设计").status == "conditional"


def test_tiers_are_cumulative_when_a_higher_tier_lacks_a_lower_requirement() -> None:
    data = yaml.safe_load((RULES_DIR / "2024.yaml").read_text(encoding="utf-8"))
    leading = data["tiers"][3]
    leading["requirements"] = [r for r in leading["requirements"] if r["id"] != "basic.scale"]
    rules = parse_rules(data)
    report = check(
        parse_profile(variant(LEADING, {"enterprise.above_designated_size": False})), rules, BEFORE_DEADLINE
    )
    assert report.tiers["领航级"].own_status == "met"
    assert report.tiers["领航级"].status == "not_met"
    assert report.highest_tier is None and report.reachable_tier is None


def test_tier_status_is_worst_of_requirements_not_met_over_unknown() -> None:
    report = run(variant(EXCELLENT, {"maturity.level": 2}, ("basic.competitive",)))
    assert requirement(report, "卓越级", "basic.scale").status == "unknown"
    assert requirement(report, "卓越级", "basic.maturity").status == "not_met"
    assert report.tiers["卓越级"].status == "not_met"
    assert report.tiers["先进级"].status == "unknown"


def test_tier_status_unknown_outranks_conditional() -> None:
    report = run(variant(EXCELLENT, {"links.工厂建设": "先进级"}, ("outcomes.talent",)))
    assert report.tiers["卓越级"].status == "unknown"
    assert report.application.status == "unknown"


# --- gaps --------------------------------------------------------------------------------------


def test_gaps_of_a_basic_firm_are_the_advanced_requirements_links_before_outcomes() -> None:
    report = run(BASIC)
    assert {g.tier for g in report.gaps} == {"先进级"}
    assert [g.id for g in report.gaps] == [
        "links.生产作业",
        "links.生产管理",
        "links.运营管理",
        "outcomes.kpi",
        "outcomes.leadership",
    ]
    assert all(g.status == "not_met" and g.clause_ids for g in report.gaps)


def test_gaps_order_unknown_before_conditional_and_basic_before_outcomes() -> None:
    report = run(variant(EXCELLENT, {"links.工厂建设": "先进级"}, ("outcomes.talent", "basic.competitive")))
    assert [(g.status, g.id) for g in report.gaps] == [
        ("unknown", "basic.scale"),
        ("unknown", "outcomes.talent"),
        ("conditional", "links.工厂建设"),
    ]
    assert report.gaps[0].tier == "基础级"


def test_gaps_list_a_repeated_basic_requirement_once() -> None:
    report = run({})
    ids = [g.id for g in report.gaps if g.id == "basic.scale"]
    assert ids == ["basic.scale"]
    maturity = [g.tier for g in report.gaps if g.id == "basic.maturity"]
    assert maturity == ["基础级", "卓越级", "领航级"]  # thresholds differ: 二级, 三级, 四级


def test_gaps_stop_at_the_next_blocked_tier() -> None:
    report = run(variant(EXCELLENT, {"maturity.level": 2}))
    assert {g.tier for g in report.gaps} == {"卓越级"}
    assert [g.id for g in report.gaps] == ["basic.maturity"]
    assert "三级" in report.gaps[0].action


def test_no_gaps_for_a_leading_firm() -> None:
    assert run(LEADING).gaps == []


# --- application block, overlay, deadlines, quotas --------------------------------------------


def test_application_block_shape_and_round() -> None:
    app = run(EXCELLENT).application
    assert app.round == "2024年度卓越级智能工厂"
    assert [r.id for r in app.requirements] == [
        "app.registered_in_prc",
        "app.legal_form",
        "app.excellent_conditions",
        "app.construction_completed",
        "app.recognised_advanced",
        "app.cooperates",
    ]
    assert app.region_overlay is None


def test_application_follows_the_excellent_tier_status() -> None:
    report = run(variant(EXCELLENT, {"links.研发设计": "先进级"}))
    item = requirement(report, "application", "app.excellent_conditions")
    assert item.status == "conditional" == report.tiers["卓越级"].status
    assert "研发设计" in item.reason and "links." not in item.reason


def test_inner_mongolia_overlay_applies_only_in_inner_mongolia() -> None:
    nmg = run(NMG_EXCELLENT).application
    other = run(EXCELLENT).application
    assert nmg.region_overlay == "内蒙古自治区"
    assert "nmg.maturity" in [r.id for r in nmg.requirements]
    assert dt.date(2024, 11, 18) in [d.date for d in nmg.deadlines]
    assert any("纸质版、电子版各3份" in n.text for n in nmg.notes)
    assert other.region_overlay is None
    assert not [r for r in other.requirements if r.id.startswith("nmg.")]
    assert dt.date(2024, 11, 18) not in [d.date for d in other.deadlines]


def test_inner_mongolia_short_province_name_gets_the_overlay() -> None:
    report = run(variant(NMG_EXCELLENT, {"enterprise.province": "内蒙古"}))
    assert report.application.region_overlay == "内蒙古自治区"


def test_province_missing_gets_a_note_not_an_overlay() -> None:
    app = run(variant(EXCELLENT, unset=("enterprise.province",))).application
    assert app.region_overlay is None
    assert any(n.id == "application.province_unknown" and "所在省份" in n.text for n in app.notes)


@pytest.mark.parametrize("recognised", [True, False, None])
def test_regional_recognition_is_a_priority_note_never_a_requirement(recognised: bool | None) -> None:
    data = variant(NMG_EXCELLENT, {"status.regional_recognition_or_funding": recognised})
    if recognised is None:
        data = variant(NMG_EXCELLENT, unset=("status.regional_recognition_or_funding",))
    app = run(data).application
    assert app.status == "met"
    assert all("status.regional_recognition_or_funding" not in r.fields for r in app.requirements)
    priority = [n for n in app.notes if n.clause_ids == ["nmg#一.(一)"]]
    assert len(priority) == 1
    assert ("优先推荐" in priority[0].text) and (
        "不是申报门槛" in priority[0].text or "不影响申报资格" in priority[0].text
    )


def test_deadlines_before_on_and_after_the_national_date() -> None:
    def enterprise_deadline(day: dt.date) -> bool:
        deadlines = run(EXCELLENT, day).application.deadlines
        return next(d for d in deadlines if d.date == dt.date(2024, 11, 22)).passed

    assert enterprise_deadline(dt.date(2024, 11, 21)) is False
    assert enterprise_deadline(dt.date(2024, 11, 22)) is False
    assert enterprise_deadline(dt.date(2024, 11, 23)) is True


def test_recommender_deadline_is_listed_with_its_clause() -> None:
    deadlines = run(EXCELLENT, dt.date(2024, 11, 25)).application.deadlines
    recommender = next(d for d in deadlines if d.date == dt.date(2024, 11, 29))
    assert recommender.passed is False
    assert recommender.clause_ids == ["notice#二.(二).3"]
    assert "推荐单位" in recommender.who


def test_window_closed_message_names_the_date_and_the_next_round() -> None:
    report = run(EXCELLENT, dt.date(2026, 11, 25))
    app = report.application
    assert app.window_open is False
    assert "2024年11月22日" in app.window_message and "截止" in app.window_message
    assert "下一轮" in app.window_message
    assert report.highest_tier == "卓越级"  # the tier assessment is still given
    assert app.status == "met"


def test_window_open_message_counts_the_days() -> None:
    app = run(EXCELLENT, dt.date(2024, 11, 20)).application
    assert app.window_open is True
    assert "2024年11月22日" in app.window_message and "2天" in app.window_message


def test_inner_mongolia_window_closes_on_november_18() -> None:
    closed = run(NMG_EXCELLENT, dt.date(2024, 11, 19)).application
    assert closed.window_open is False and "2024年11月18日" in closed.window_message
    assert run(NMG_EXCELLENT, dt.date(2024, 11, 18)).application.window_open is True
    assert run(EXCELLENT, dt.date(2024, 11, 19)).application.window_open is True


def test_quotas_are_information_in_the_application_block() -> None:
    app = run(EXCELLENT).application
    assert [(q.who, q.max_projects) for q in app.quotas] == [
        ("各省（区、市）", 20),
        ("计划单列市", 5),
        ("新疆生产建设兵团", 5),
        ("有关中央企业（每家）", 5),
    ]
    quota_note = next(n for n in app.notes if n.id == "application.quotas")
    assert "notice#二.(二).2" in quota_note.clause_ids


def test_report_matches_the_contract_keys() -> None:
    dumped = run(EXCELLENT).model_dump(mode="json")
    assert {"edition", "as_of", "highest_tier", "reachable_tier", "tiers", "gaps", "application"} <= set(
        dumped
    )
    assert list(dumped["tiers"]) == ["基础级", "先进级", "卓越级", "领航级"]
    assert dumped["as_of"] == "2024-11-15"
    assert {"id", "status", "reason", "clause_ids"} <= set(dumped["tiers"]["基础级"]["requirements"][0])
    assert {"round", "status", "requirements", "deadlines", "region_overlay"} <= set(dumped["application"])
    assert {"who", "date", "passed"} <= set(dumped["application"]["deadlines"][0])


# --- profile parsing --------------------------------------------------------------------------


CONTRACT_EXAMPLE = json.loads((REPO_ROOT / "examples" / "profile.json").read_text(encoding="utf-8"))


def test_contract_example_profile_parses_and_is_judged() -> None:
    report = run(CONTRACT_EXAMPLE)
    assert report.highest_tier == "先进级"
    assert requirement(report, "卓越级", "links.运营管理").status == "not_met"
    assert report.application.region_overlay == "内蒙古自治区"


@pytest.mark.parametrize(
    "data,expected",
    [
        ({"maturity": {"level": 7}}, "成熟度等级 maturity.level 应为1–5，收到 7"),
        ({"maturity": {"level": 0}}, "成熟度等级 maturity.level 应为1–5，收到 0"),
        ({"maturity": {"level": "3"}}, '成熟度等级 maturity.level 应为1–5，收到 "3"'),
        (
            {"outcomes": {"kpi_standing": "top"}},
            "主要技术经济指标水平 outcomes.kpi_standing 应为 below_province_average",
        ),
        (
            {"enterprise": {"legal_form": "分公司"}},
            '法人形式 enterprise.legal_form 应为 independent | branch 之一，收到 "分公司"',
        ),
        (
            {"basic": {"no_bad_credit": "yes"}},
            '无不良信用记录 basic.no_bad_credit 应为 true 或 false，收到 "yes"',
        ),
        (
            {"links": {"质量管控": "基础级"}},
            "环节名称 links 的键应为 工厂建设、研发设计、生产作业、生产管理、运营管理、经营管理 之一，"
            '收到 "质量管控"',
        ),
        (
            {"links": {"生产作业": "优秀级"}},
            '生产作业环节 links.生产作业 应为 基础级 | 先进级 | 卓越级 | 领航级 之一，收到 "优秀级"',
        ),
        (
            {"status": {"recognised_tier": "省级"}},
            "已获评层级 status.recognised_tier 应为 基础级 | 先进级 | 卓越级 | 领航级 之一",
        ),
        (
            {"maturity": {"levle": 3}},
            "未知字段 maturity.levle；智能制造能力成熟度允许的字段：level、assessed_by",
        ),
        ({"extra": 1}, "未知字段 extra；画像顶层允许的字段"),
        ({"basic": True}, "基础要求 basic 应为 JSON 对象"),
        ({"links": {"运营管理": "卓越级", "经营管理": "先进级"}}, "经营管理 与 运营管理 是同一环节"),
    ],
)
def test_bad_profile_gets_a_chinese_error_naming_field_value_and_allowed(data: dict, expected: str) -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile(data)
    assert expected in info.value.message


def test_profile_that_is_not_an_object_is_rejected() -> None:
    with pytest.raises(ProfileError, match="企业画像应为 JSON 对象"):
        parse_profile([1, 2])


def test_several_profile_errors_are_reported_together() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile({"maturity": {"level": 9}, "basic": {"no_violation": 1}})
    assert "maturity.level" in info.value.message and "basic.no_violation" in info.value.message


def test_synonym_with_same_value_is_accepted() -> None:
    profile = parse_profile({"links": {"运营管理": "卓越级", "经营管理": "卓越级"}})
    assert profile.links == {"运营管理": "卓越级"}


def test_recognised_tier_null_differs_from_absent() -> None:
    assert isinstance(parse_profile({"status": {"recognised_tier": None}}), EnterpriseProfile)
    absent = run(variant(EXCELLENT, unset=("status.recognised_tier",)))
    null = run(variant(EXCELLENT, {"status.recognised_tier": None}))
    assert requirement(absent, "application", "app.recognised_advanced").status == "unknown"
    assert requirement(null, "application", "app.recognised_advanced").status == "conditional"


# --- rules file -------------------------------------------------------------------------------


def _copy_rules(tmp_path: Path, edition: str, mutate: Any = None) -> Path:
    data = yaml.safe_load((RULES_DIR / "2024.yaml").read_text(encoding="utf-8"))
    data["edition"] = edition
    if mutate:
        mutate(data)
    (tmp_path / f"{edition}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_default_edition_is_the_newest_rules_file(tmp_path: Path) -> None:
    shutil.copy(RULES_DIR / "2024.yaml", tmp_path / "2024.yaml")
    _copy_rules(tmp_path, "2025")
    assert available_editions(tmp_path) == ["2024", "2025"]
    assert load_rules(tmp_path).edition == "2025"
    assert load_rules(tmp_path, "2024").edition == "2024"


def test_the_shipped_rules_are_the_2024_edition() -> None:
    assert available_editions(RULES_DIR)[0] == "2024"
    assert load_rules(RULES_DIR, "2024").edition == "2024"
    assert run(EXCELLENT).edition == RULES.edition


def test_unknown_edition_is_a_chinese_error() -> None:
    with pytest.raises(UnknownEditionError, match="未知的规则版本 '1999'，可用版本：2024"):
        load_rules(RULES_DIR, "1999")


def test_empty_rules_directory_is_a_chinese_error(tmp_path: Path) -> None:
    with pytest.raises(RulesInvalidError, match="没有规则文件"):
        load_rules(tmp_path)


def _first_requirement(data: dict) -> dict:
    return data["tiers"][0]["requirements"][0]


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (lambda d: _first_requirement(d)["checks"][0].update(field="enterprise.size"), "未知的画像字段"),
        (lambda d: d["tiers"][0]["requirements"][4]["checks"][0].update(at_least=6), "不在其取值序列中"),
        (lambda d: _first_requirement(d)["reasons"].pop("unknown"), "缺少理由模板"),
        (lambda d: _first_requirement(d)["reasons"].update(met="{nonsense}"), "未知占位符"),
        (lambda d: _first_requirement(d).update(clause_ids=[]), "clause_ids"),
        (lambda d: d["tiers"].reverse(), "tiers 应依次为"),
        (lambda d: d.update(colour="red"), "colour"),
        (lambda d: d["application"]["deadlines"][0].update(window=False), "window: true"),
    ],
)
def test_malformed_rules_are_rejected_in_chinese(tmp_path: Path, mutate: Any, expected: str) -> None:
    _copy_rules(tmp_path, "2024", mutate)
    with pytest.raises(RulesInvalidError) as info:
        load_rules(tmp_path)
    assert info.value.code == "rules_invalid" and info.value.status_code == 500  # the server's file
    assert "规则文件 2024.yaml 有误" in info.value.message
    assert expected in info.value.message


def test_rules_that_are_not_yaml_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "2024.yaml").write_text("edition: [unclosed", encoding="utf-8")
    with pytest.raises(RulesInvalidError, match="不是合法的 YAML"):
        load_rules(tmp_path)


def test_rules_edition_must_match_file_name(tmp_path: Path) -> None:
    shutil.copy(RULES_DIR / "2024.yaml", tmp_path / "2030.yaml")
    with pytest.raises(RulesInvalidError, match="与文件名不一致"):
        load_rules(tmp_path)


def _rule_clause_ids() -> set[str]:
    ids: set[str] = set()
    for tier in RULES.tiers:
        ids.update(tier.clause_ids)
        for spec in tier.requirements:
            ids.update(spec.clause_ids)
    app = RULES.application
    ids.update(app.clause_ids)
    ids.update(app.quotas.clause_ids)
    for spec in app.requirements:
        ids.update(spec.clause_ids)
    for deadline in app.deadlines:
        ids.update(deadline.clause_ids)
    for overlay in RULES.overlays:
        ids.update(overlay.clause_ids)
        for spec in overlay.requirements:
            ids.update(spec.clause_ids)
        for deadline in overlay.deadlines:
            ids.update(deadline.clause_ids)
        for note in overlay.notes:
            ids.update(note.clause_ids)
        if overlay.priority:
            ids.update(overlay.priority.clause_ids)
    return ids


def test_every_rule_clause_id_exists_in_the_corpus() -> None:
    corpus = load_corpus(REPO_ROOT / "corpus")
    missing = sorted(cid for cid in _rule_clause_ids() if corpus.get(cid) is None)
    assert missing == []


def test_rules_cite_every_requirement_clause_of_the_text() -> None:
    expected = {f"conditions#一.{n}" for n in range(1, 6)}
    expected |= {"conditions#二.(一)", "conditions#二.(一).3", "conditions#二.(二).1"}
    expected |= {
        "conditions#三.(一)",
        *(f"conditions#三.(一).{n}" for n in (3, 4, 5)),
        "conditions#三.(二).1",
    }
    expected |= {"conditions#三.(二).2"}
    for tier in ("四", "五"):
        expected |= {f"conditions#{tier}.(一)", *(f"conditions#{tier}.(一).{n}" for n in range(1, 6))}
        expected |= {f"conditions#{tier}.(二).{n}" for n in range(1, 5)}
    expected |= {"notice#二.(一).1", "notice#二.(一).2", "notice#二.(一).3"}
    expected |= {"notice#二.(二).1", "notice#二.(二).2", "notice#二.(二).3"}
    expected |= {"nmg#一.(一)", "nmg#一.(二)", "nmg#二"}
    assert expected - _rule_clause_ids() == set()


# --- eval ---------------------------------------------------------------------------------------


def test_checker_gold_set_scores_full_accuracy(tmp_path: Path) -> None:
    result = run_checker_eval(Settings(data_dir=tmp_path))
    assert result.metrics["cases"] >= 30
    assert result.failures == []
    assert result.metrics["accuracy"] == 1.0 and result.passed
    assert result.report_path == tmp_path / "eval" / "checker.json"
    assert result.report_path.is_file()


def test_checker_eval_reports_a_wrong_expectation(tmp_path: Path) -> None:
    evals = tmp_path / "evals"
    evals.mkdir()
    gold = {
        "bases": {"empty": {}},
        "cases": [
            {"id": "right", "base": "empty", "expect": {"highest_tier": None, "application": "unknown"}},
            {"id": "wrong", "base": "empty", "expect": {"highest_tier": "领航级"}},
        ],
    }
    (evals / "checker_gold.yaml").write_text(yaml.safe_dump(gold, allow_unicode=True), encoding="utf-8")
    result = run_checker_eval(Settings(data_dir=tmp_path / "data", evals_dir=evals))
    assert result.metrics["accuracy"] == 0.5
    assert not result.passed
    assert [f["id"] for f in result.failures] == ["wrong"]
