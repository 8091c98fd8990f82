"""Drafter: 附件4 instance lines, 附件3 sections 3 and 4, checks with clause ids, placeholders
instead of invented figures, and an LLM polish that may only reword."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatResult

from assistant.config import REPO_ROOT
from assistant.drafting import (
    Draft,
    DraftSpecError,
    build_draft,
    format_instance,
    load_kpis,
    numbers_in,
    parse_spec,
    parse_specs,
    polish,
    polish_blocks,
    review_text,
    verify_polish,
)
from assistant.drafting.declaration import declaration_of
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.scenarios import load_catalog
from assistant.prompts import load_prompt
from assistant.rules import RuleSet, load_rules
from tests.profiles import example_spec

EXAMPLE = json.loads((REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))


def draft_of(data: dict[str, Any]) -> Draft:
    return build_draft(parse_spec(data))


def minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "enterprise": "示例机械有限公司（虚构）",
        "project_name": "示例智能工厂",
        "edition": "2025",
        "scenarios": [{"scenario": "人机协同作业", "instance_name": "多机协同的发动机壳体柔性加工与检测"}],
    }
    data.update(overrides)
    return data


def codes(draft: Draft, severity: str | None = None) -> list[str]:
    return [c.code for c in draft.checks if severity is None or c.severity == severity]


# ---- the example spec ---------------------------------------------------------------------------


def test_example_spec_produces_a_complete_draft_with_nothing_left_to_fill() -> None:
    draft = draft_of(example_spec())
    assert draft.placeholders == []
    assert codes(draft, "必须修改") == []
    assert codes(draft, "建议修改") == []
    assert draft.links_covered == ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]
    assert len(draft.instances) == 7
    assert [s.title for s in draft.sections] == [
        "申报单位基本信息",
        "智能工厂基本情况",
        "智能工厂场景建设情况",
        "智能工厂建设成效",
    ]
    assert draft.mode == "template"


def test_example_draft_reads_as_prose_with_its_figures() -> None:
    text = draft_of(example_spec()).text()
    assert "产品不良率由2.4%降至0.9%，产品不良率下降62.5%" in text
    assert "关键设备数控化率由建设前的68%提升至95%" in text
    assert "建设了七个典型场景实例" in text
    assert "本项目场景实例覆盖工厂建设、研发设计、生产作业、生产管理、运营管理全部五个环节" in text


# ---- 附件4 format -----------------------------------------------------------------------------


def test_instance_format_with_markers_is_the_form_example_verbatim(corpus: Corpus) -> None:
    example = corpus.by_id["form#示例"].text.splitlines()[1]
    assert example == "1." + format_instance(
        "生产作业", "人机协同作业", "多机协同的发动机壳体柔性加工与检测", markers=True
    )


def test_filled_instance_lines_drop_the_examples_part_labels(corpus: Corpus) -> None:
    example = corpus.by_id["form#示例"].text.splitlines()[1]
    unlabelled = re.sub(r"\((环节名|场景名|实例名)\)", "", example)
    draft = draft_of(minimal())
    assert "1." + draft.instances[0].line == unlabelled
    assert draft.instances[0].line == "生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测"
    assert "(环节名)" not in draft.text()


def test_form_row_lists_every_instance_numbered_like_the_example() -> None:
    draft = draft_of(example_spec())
    lines = draft.form_row.instances.split("\n")
    assert lines[0] == "1.工厂建设—数字孪生工厂构建—压铸机加车间数字孪生与产线布局仿真优化"
    assert [line.split(".", 1)[0] for line in lines] == [str(n) for n in range(1, 8)]
    assert all(line.count("—") == 2 for line in lines)
    assert draft.form_row.cells()[0] == "1"
    assert draft.form_row.contact_mobile == "13800000000"


def test_section_items_are_the_ones_附件3_names(corpus: Corpus) -> None:
    parts = declaration_of(load_rules(REPO_ROOT / "corpus" / "rules", "2024")).parts
    for part in parts:
        text = corpus.by_id[part.clause_id].text
        assert part.title in text
        assert all(item in text for item in part.items)
    draft = draft_of(example_spec())
    assert [(s.key, s.title, s.clause_id) for s in draft.sections] == [
        (p.number, p.title, p.clause_id) for p in parts
    ]
    assert [sub.title for sub in draft.sections[2].subsections] == parts[2].items
    assert [sub.title for sub in draft.sections[3].subsections] == parts[3].items
    assert draft.sections[3].subsections[1].table is not None


# ---- scenario resolution ----------------------------------------------------------------------


def test_common_name_is_matched_and_the_match_is_reported() -> None:
    draft = draft_of(
        minimal(scenarios=[{"scenario": "AI质检", "instance_name": "电驱壳体外观缺陷的视觉在线检测"}])
    )
    assert draft.instances[0].line == "生产作业—在线智能检测—电驱壳体外观缺陷的视觉在线检测"
    matched = [c for c in draft.checks if c.code == "scenario_matched"]
    assert matched and matched[0].severity == "提示" and "AI质检" in matched[0].message


def test_ambiguous_scenario_gets_a_placeholder_with_candidates_never_a_guess() -> None:
    draft = draft_of(minimal(scenarios=[{"scenario": "MES", "instance_name": "壳体加工车间生产执行管控"}]))
    line = draft.instances[0]
    assert line.scenario.startswith("【待补充：场景名，候选：")
    assert "生产进度跟踪" in line.scenario
    finding = next(c for c in draft.checks if c.code == "scenario_not_in_catalog")
    assert finding.severity == "必须修改" and finding.field == "scenarios[0].scenario"


def test_free_text_is_matched_when_it_names_a_scenario() -> None:
    data = minimal(scenarios=[{"text": "上了WMS和立体库", "instance_name": "壳体毛坯与成品立体仓库智能管理"}])
    draft = draft_of(data)
    assert draft.instances[0].scenario == "仓储智能管理"
    assert draft.instances[0].segment == "生产管理"


def test_wrong_segment_is_corrected_to_the_scenarios_own_and_reported() -> None:
    data = minimal(
        scenarios=[
            {"segment": "生产管理", "scenario": "在线智能检测", "instance_name": "壳体气密缺陷在线检测"}
        ]
    )
    draft = draft_of(data)
    assert draft.instances[0].segment == "生产作业"
    finding = next(c for c in draft.checks if c.code == "segment_mismatch")
    assert finding.severity == "建议修改" and "guide2025#生产作业" in finding.clause_ids


def test_the_2025_catalogue_chosen_shows_its_draft_status_in_the_findings() -> None:
    spec = parse_spec(minimal())
    assert spec.edition == "2025" and spec.round is None
    draft = build_draft(spec)
    assert draft.round == "2024"
    note = next(c for c in draft.checks if c.code == "edition_draft")
    assert note.severity == "提示"
    assert "征求意见稿" in note.message and "guide2025#说明" in note.clause_ids
    assert "edition_not_round" in codes(draft, "提示")


def test_the_round_decides_the_catalogue_and_the_wording() -> None:
    data = minimal(round="2024")
    data.pop("edition")
    draft = draft_of(data)
    assert draft.round == "2024" and draft.edition == "2024"
    assert "参考《智能制造典型场景参考指引(2024年版)》" in draft.text()
    assert "2025年版" not in draft.text()
    note = next(c for c in draft.checks if c.code == "draft_edition_name")
    assert note.severity == "提示" and "征求意见稿" in note.message and "人机协同作业" in note.message


def test_2024_names_of_环节_are_accepted_in_the_2024_round() -> None:
    data = minimal(
        round="2024",
        scenarios=[
            {"segment": "质量管控", "scenario": "在线检测", "instance_name": "壳体气密缺陷视觉在线检测"},
            {
                "segment": "设备管理",
                "scenario": "预测性维护",
                "instance_name": "压铸岛关键设备振动监测与故障预测",
            },
        ],
    )
    data.pop("edition")
    draft = draft_of(data)
    assert [i.segment for i in draft.instances] == ["质量管控", "设备管理"]
    assert [i.link for i in draft.instances] == ["生产作业", "生产作业"]
    assert not [c for c in draft.checks if c.code.startswith("segment")]


def test_an_unknown_round_is_a_chinese_error_naming_the_field() -> None:
    with pytest.raises(DraftSpecError) as info:
        draft_of(minimal(round="2019"))
    assert "round" in info.value.message and "2024" in info.value.message


def test_2024_edition_checks_segments_and_says_scenario_names_cannot_be_verified() -> None:
    data = minimal(
        edition="2024",
        scenarios=[
            {"segment": "质检", "scenario": "在线检测", "instance_name": "壳体气密缺陷视觉在线检测"},
            {"scenario": "智能排产", "instance_name": "壳体多品种小批量加工排产"},
            {"scenario": "某自定义场景", "instance_name": "壳体加工车间自定义场景实例"},
        ],
    )
    draft = draft_of(data)
    assert draft.instances[0].line == "质量管控—在线智能检测—壳体气密缺陷视觉在线检测"
    assert draft.instances[0].link == "生产作业"
    # a 2025 (征求意见稿) scenario name is accepted with its 环节, and said so
    assert draft.instances[1].segment == "生产管理" and draft.instances[1].scenario == "车间智能排产"
    assert "draft_edition_name" in codes(draft, "提示")
    assert draft.instances[2].segment == "【待补充：环节名】"
    assert "edition_scenarios_not_held" in codes(draft, "提示")
    assert "segment_matched" in codes(draft, "提示")
    missing = next(c for c in draft.checks if c.code == "segment_missing")
    assert missing.severity == "必须修改"


# ---- checks ----------------------------------------------------------------------------------


def test_卓越级_with_only_生产作业_must_add_links_and_should_justify_the_rest() -> None:
    draft = draft_of(minimal())
    coverage = [c for c in draft.checks if c.code == "link_coverage"]
    assert [c.severity for c in coverage] == ["必须修改", "建议修改"]
    assert "生产管理、运营管理" in coverage[0].message
    assert "工厂建设、研发设计" in coverage[1].message
    assert all("conditions#四.(一)" in c.clause_ids for c in coverage)


def test_卓越级_covering_the_三个_hard_links_only_gets_the_原则上_warning() -> None:
    scenarios = [
        {"scenario": "人机协同作业", "instance_name": "多机协同的发动机壳体柔性加工与检测"},
        {"scenario": "车间智能排产", "instance_name": "多品种小批量壳体加工排产"},
        {"scenario": "规模化定制", "instance_name": "主机厂订单驱动的壳体规模化定制"},
    ]
    draft = draft_of(minimal(scenarios=scenarios))
    coverage = [c for c in draft.checks if c.code == "link_coverage"]
    assert [(c.severity, c.clause_ids) for c in coverage] == [("建议修改", ["conditions#四.(一)"])]
    assert "【待补充：未覆盖环节的情况说明或补充建设计划】" in draft.text()


def test_领航级_and_基础级_coverage() -> None:
    lead = draft_of(minimal(target_tier="领航级"))
    assert any(c.code == "link_coverage" and c.clause_ids == ["conditions#五.(一)"] for c in lead.checks)
    basic = draft_of(minimal(target_tier="基础级"))
    assert "link_coverage" not in codes(basic)


def rules_with_基础级_also_requiring_生产管理(tmp_path: Path) -> RuleSet:
    """The shipped rules, except that 基础级 must also cover 生产管理 (as a later round might)."""
    data = yaml.safe_load((REPO_ROOT / "corpus" / "rules" / "2024.yaml").read_text(encoding="utf-8"))
    basic = next(t for t in data["tiers"] if t["name"] == "基础级")
    link = next(r for r in basic["requirements"] if r["id"] == "links.生产作业")
    extra = copy.deepcopy(link) | {
        "id": "links.生产管理",
        "title": "至少覆盖生产管理环节",
        "checks": [{"field": "links.生产管理", "at_least": "基础级"}],
    }
    basic["requirements"].append(extra)
    folder = tmp_path / "rules"
    folder.mkdir(parents=True)
    (folder / "2024.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_rules(folder)


def test_the_coverage_a_draft_is_held_to_comes_from_the_rules_file(tmp_path: Path) -> None:
    spec = parse_spec(minimal(target_tier="基础级"))
    assert "link_coverage" not in codes(build_draft(spec))
    stricter = build_draft(spec, rules=rules_with_基础级_also_requiring_生产管理(tmp_path))
    coverage = [c for c in stricter.checks if c.code == "link_coverage"]
    assert [(c.severity, c.clause_ids) for c in coverage] == [("必须修改", ["conditions#二.(一)"])]
    assert "至少覆盖生产作业、生产管理两个环节" in coverage[0].message
    assert "未覆盖：生产管理" in coverage[0].message
    text = "生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测"
    assert "link_coverage" not in {f.code for f in review_text(text, "基础级").findings}
    reviewed = review_text(text, "基础级", rules=rules_with_基础级_also_requiring_生产管理(tmp_path / "r"))
    assert "link_coverage" in {f.code for f in reviewed.findings}


@pytest.mark.parametrize(
    ("name", "code", "severity"),
    [
        ("智能检测系统", "instance_name_generic", "建议修改"),
        ("在线智能检测", "instance_name_generic", "建议修改"),
        (
            "基于多源数据融合与深度学习算法的新能源汽车电驱动壳体全工序质量在线检测与闭环控制",
            "instance_name_long",
            "建议修改",
        ),
        ("壳体视觉检测、尺寸检测、气密检测等", "instance_name_list", "建议修改"),
        ("壳体检测—视觉", "instance_name_dash", "建议修改"),
    ],
)
def test_instance_names_must_be_concise_and_specific(name: str, code: str, severity: str) -> None:
    draft = draft_of(minimal(scenarios=[{"scenario": "在线智能检测", "instance_name": name}]))
    finding = next(c for c in draft.checks if c.code == code)
    assert finding.severity == severity and "form#示例" in finding.clause_ids
    assert finding.field == "scenarios[0].instance_name"


def test_the_form_examples_instance_name_passes_the_name_checks() -> None:
    draft = draft_of(minimal())
    assert not [c for c in draft.checks if c.code.startswith("instance_name")]


def test_rates_outside_0_to_100_must_be_fixed() -> None:
    data = minimal(
        kpis=[
            {"name": "关键设备数控化率", "before": 85, "after": 120},
            {"name": "单位产品综合能耗降低", "before": 3, "after": 2, "change": 130},
            {"name": "工厂应用智能决策模型数量", "before": 2, "after": 3.5},
        ]
    )
    draft = draft_of(data)
    ranges = [c for c in draft.checks if c.code == "kpi_range"]
    assert {c.field for c in ranges} == {"kpis[0]", "kpis[1]", "kpis[2]"}
    assert all(c.severity == "必须修改" for c in ranges)
    assert {"kpi#1", "kpi#16", "kpi#4"} == {c.clause_ids[0] for c in ranges}


def test_an_improvement_without_before_and_after_is_flagged_and_left_as_placeholder() -> None:
    draft = draft_of(minimal(kpis=[{"name": "生产效率提升", "change": 30}]))
    finding = next(c for c in draft.checks if c.code == "kpi_before_after")
    assert finding.severity == "建议修改" and finding.clause_ids == ["kpi#7", "materials#4"]
    text = draft.text()
    assert "生产效率由【待补充：建设前的生产效率】提升至【待补充：建设后的生产效率】，生产效率提升30%" in text


def test_the_change_is_never_computed_from_before_and_after() -> None:
    draft = draft_of(
        minimal(kpis=[{"name": "产品不良率下降", "measure_unit": "%", "before": 2.4, "after": 0.9}])
    )
    text = draft.text()
    assert "62.5" not in text
    assert "产品不良率下降【待补充：幅度（%）】" in text
    assert "kpi_change_missing" in codes(draft, "建议修改")


def test_inconsistent_change_and_wrong_direction_are_pointed_out() -> None:
    data = minimal(
        kpis=[
            {"name": "产品不良率下降", "measure_unit": "%", "before": 2.4, "after": 0.9, "change": 20},
            {"name": "订单准时交付率提升", "measure_unit": "%", "before": 95, "after": 90, "change": 5},
        ]
    )
    draft = draft_of(data)
    assert "kpi_consistency" in codes(draft, "提示")
    assert "kpi_direction" in codes(draft, "提示")


def test_kpi_names_accept_the_unit_or_the_clause_id() -> None:
    data = minimal(
        kpis=[{"name": "产品不良率下降(%)", "change": 10}, {"name": "kpi#1", "before": 1, "after": 2}]
    )
    draft = draft_of(data)
    rows = draft.sections[3].subsections[1].table
    assert rows is not None
    assert rows.rows[0][1].startswith("产品不良率下降") and rows.rows[1][1].startswith("关键设备数控化率")


def test_a_kpi_outside_附1_is_kept_with_a_note() -> None:
    draft = draft_of(
        minimal(
            scenarios=[
                {
                    "scenario": "在线智能检测",
                    "instance_name": "壳体缺陷检测",
                    "kpis": [
                        {"name": "设备故障率下降", "before": 5, "after": 2, "change": 60, "measure_unit": "%"}
                    ],
                }
            ]
        )
    )
    note = next(c for c in draft.checks if c.code == "kpi_not_in_catalog")
    assert note.severity == "提示" and note.field == "scenarios[0].kpis[0].name" and "附1" in note.message
    assert "设备故障率下降60%" in draft.text()


def test_no_kpis_at_all_must_be_fixed_citing_the_tiers_outcome_clause() -> None:
    draft = draft_of(minimal())
    finding = next(c for c in draft.checks if c.code == "kpi_missing")
    assert finding.severity == "必须修改"
    assert finding.clause_ids == ["materials#4", "conditions#四.(二).1"]
    assert "benchmark_missing" in codes(draft, "建议修改")


def test_leadership_claims_without_figures_are_flagged() -> None:
    draft = draft_of(minimal(highlights=["整体达到国内领先水平"]))
    finding = next(c for c in draft.checks if c.code == "claim_without_kpi")
    assert "国内领先" in finding.message and "conditions#四.(二).1" in finding.clause_ids


def test_absolute_claims_and_trade_secrets_in_the_spec_are_flagged_with_the_notice_clause() -> None:
    draft = draft_of(minimal(highlights=["整体达到国际领先水平，填补国内空白", "熔炼温度控制在680℃"]))
    claims = [c for c in draft.checks if c.code == "claim_unsupported"]
    assert {c.excerpt for c in claims} == {"国际领先水平", "填补国内空白"}
    assert all(c.severity == "建议修改" and c.clause_ids == ["notice#二.(二).1"] for c in claims)
    secret = next(c for c in draft.checks if c.code == "trade_secret")
    assert secret.severity == "提示" and secret.excerpt.endswith("680℃")  # with its process: 熔炼温度…


def test_two_is_written_两_before_a_measure_word() -> None:
    data = minimal(
        scenarios=[
            {"scenario": "人机协同作业", "instance_name": "多机协同的发动机壳体柔性加工与检测"},
            {"scenario": "车间智能排产", "instance_name": "多品种小批量壳体加工的智能排产"},
        ]
    )
    text = draft_of(data).text()
    assert "两个环节" in text and "两个典型场景实例" in text and "二个" not in text


def test_the_whole_申报书_has_附件3_four_parts_and_a_missing_investment_shows() -> None:
    draft = draft_of(minimal())
    assert [s.key for s in draft.sections] == ["一", "二", "三", "四"]
    assert [s.clause_id for s in draft.sections] == [
        "materials#1",
        "materials#2",
        "materials#3",
        "materials#4",
    ]
    basics = [sub.title for sub in draft.sections[1].subsections]
    assert basics == ["建设起止时间", "总投资", "集成商", "项目简介", "建设成效", "真实性承诺"]
    assert draft.sections[1].subsections[1].paragraphs == ["【待补充：总投资（万元）】"]
    assert "不涉及国家秘密、商业秘密" in draft.sections[1].subsections[5].paragraphs[0]
    info = draft.sections[0].subsections[0].table
    assert info is not None and [r[0] for r in info.rows][:4] == ["企业名称", "地址", "性质", "行业"]


def test_every_clause_id_in_the_checks_exists_in_the_corpus(corpus: Corpus) -> None:
    drafts = [
        draft_of(example_spec()),
        draft_of(minimal(target_tier="领航级", highlights=["国内领先"], kpis=[{"name": "生产效率提升"}])),
        draft_of(minimal(edition="2024", scenarios=[{"scenario": "x", "instance_name": "壳体加工"}])),
    ]
    for draft in drafts:
        for check in draft.checks:
            for clause_id in check.clause_ids:
                assert corpus.get(clause_id) is not None, clause_id


# ---- placeholders and number fidelity ----------------------------------------------------------


def test_missing_facts_become_visible_placeholders_and_a_must_fix_check() -> None:
    draft = draft_of(minimal())
    text = draft.text()
    for expected in (
        "【待补充：项目简介：建设目标、建设范围与主要建设内容】",
        "建设内容：【待补充：部署的智能制造装备、工业软件和系统】",
        "【待补充：参照附1填写主要关键绩效指标的建设前后数据】",
        "【待补充：后续实施计划：拟建场景、时间安排与预期目标】",
        "【待补充：联系人】",
    ):
        assert expected in text
    left = next(c for c in draft.checks if c.code == "placeholders_left")
    assert left.severity == "必须修改"
    # Template prose alone contains no Arabic figure but the document numbering.
    assert set(numbers_in(draft.section_text())) <= {Decimal(1), Decimal(2024), Decimal(2025), Decimal(182)}


_KPI_NAMES = [k.name for k in load_kpis().kpis]
_SCENARIOS = sorted(load_catalog().edition("2025").scenarios)
_figure = st.one_of(
    st.none(), st.integers(-50, 5000), st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2))
)
#: An investment is never negative (the spec refuses it), so the property draws valid amounts.
_amount = st.one_of(
    st.none(), st.integers(0, 5000), st.floats(0, 1000, allow_nan=False).map(lambda x: round(x, 2))
)
_kpi = st.fixed_dictionaries(
    {"name": st.sampled_from(_KPI_NAMES), "before": _figure, "after": _figure, "change": _figure},
    optional={
        "measure_unit": st.sampled_from(["%", "天", "件/小时", "元/件"]),
        "period": st.sampled_from(["2023年对比2021年", "建设前后同口径对比"]),
        "benchmark": st.sampled_from(["行业平均约80%", "行业平均水平"]),
    },
)
_instance = st.fixed_dictionaries(
    {
        "scenario": st.sampled_from([*_SCENARIOS, "AI质检", "MES"]),
        "instance_name": st.sampled_from(
            ["电驱壳体气密缺陷在线检测", "多品种小批量壳体排产", "熔炼工序能耗监测"]
        ),
        "kpis": st.lists(_kpi, max_size=3),
    },
    optional={"built": st.lists(st.sampled_from(["6台压铸岛", "视觉检测工位", "APS系统"]), max_size=2)},
)
_spec = st.fixed_dictionaries(
    {
        "enterprise": st.just("示例装备有限公司（虚构）"),
        "project_name": st.just("示例智能工厂"),
        "target_tier": st.sampled_from(["基础级", "先进级", "卓越级", "领航级"]),
        "scenarios": st.lists(_instance, min_size=1, max_size=4),
        "kpis": st.lists(_kpi, max_size=4),
    },
    optional={
        "investment": _amount,
        "highlights": st.lists(st.sampled_from(["国内领先", "自研模型"]), max_size=2),
    },
)


def _without_figures(data: dict[str, Any]) -> dict[str, Any]:
    bare = copy.deepcopy(data)
    bare.pop("investment", None)
    for fig in [*bare["kpis"], *(k for s in bare["scenarios"] for k in s["kpis"])]:
        fig.update(before=None, after=None, change=None)
    return bare


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_spec)
def test_no_figure_appears_in_the_draft_that_the_input_did_not_contain(data: dict[str, Any]) -> None:
    """Every number in the draft is a figure from the input or part of the documents' own
    numbering (which the same draft without any figures also contains)."""
    text = draft_of(data).text()
    allowed = set(numbers_in(json.dumps(data, ensure_ascii=False))) | set(
        numbers_in(draft_of(_without_figures(data)).text())
    )
    assert set(numbers_in(text)) <= allowed


# ---- LLM polish --------------------------------------------------------------------------------


def _reworded(draft: Draft, tweak: dict[str, str] | None = None) -> str:
    """A model answer that keeps every block (optionally replacing some) with light rewording."""
    blocks = polish_blocks(draft)
    blocks.update(tweak or {})
    return "\n".join(f"[[{key}]]\n{text.replace('本项目', '该项目')}" for key, text in blocks.items())


def test_polish_without_a_model_keeps_the_template() -> None:
    draft = draft_of(example_spec())
    assert polish(draft, None) == draft


def test_polish_that_keeps_every_figure_is_accepted() -> None:
    draft = draft_of(example_spec())
    model = FakeListChatModel(responses=[_reworded(draft)])
    polished = polish(draft, model)
    assert polished.mode == "llm"
    assert polished.notes == []
    assert "该项目" in polished.section_text()
    assert set(numbers_in(polished.section_text())) <= set(numbers_in(draft.section_text()))
    assert draft.mode == "template"  # the input draft is untouched


def test_polish_that_invents_a_number_is_rejected_and_the_template_kept() -> None:
    draft = draft_of(example_spec())
    invented = polish_blocks(draft)["三.1"] + "\n项目年产值增长了37亿元。"
    model = GenericFakeChatModel(messages=iter([AIMessage(content=_reworded(draft, {"三.1": invented}))]))
    polished = polish(draft, model)
    original = draft.sections[2].subsections[0].paragraphs
    assert polished.sections[2].subsections[0].paragraphs == original
    assert any("37" in note and "已弃用" in note for note in polished.notes)
    assert polished.mode == "llm"  # the other blocks were accepted
    assert "37亿" not in polished.text()


def test_polish_that_drops_a_placeholder_or_rewrites_an_instance_line_is_rejected() -> None:
    draft = draft_of(minimal())
    blocks = polish_blocks(draft)
    dropped = re.sub(r"【待补充：[^】]*】", "（略）", blocks["三.1"])
    changed = blocks["三.2"].replace("生产作业—人机协同作业—", "生产作业—人机协作—")
    model = FakeListChatModel(responses=[_reworded(draft, {"三.1": dropped, "三.2": changed})])
    polished = polish(draft, model)
    assert polished.sections[2].subsections[0].paragraphs == draft.sections[2].subsections[0].paragraphs
    assert polished.sections[2].subsections[1].paragraphs == draft.sections[2].subsections[1].paragraphs
    assert any("占位符" in n for n in polished.notes)
    assert any("场景实例行" in n for n in polished.notes)


def test_polish_that_adds_a_leadership_claim_is_rejected() -> None:
    draft = draft_of(example_spec())
    boasted = polish_blocks(draft)["四.3"] + "\n项目整体达到国际领先水平。"
    polished = polish(draft, FakeListChatModel(responses=[_reworded(draft, {"四.3": boasted})]))
    assert "国际领先" not in polished.text()
    assert any("国际领先" in n for n in polished.notes)


def test_polish_without_block_markers_is_discarded_entirely() -> None:
    draft = draft_of(example_spec())
    polished = polish(draft, FakeListChatModel(responses=["好的，以下是润色后的文字：项目建设成效显著。"]))
    assert polished.mode == "template"
    assert polished.sections == draft.sections
    assert "标记" in polished.notes[0]


class _BrokenModel(BaseChatModel):
    """A chat model whose endpoint is down."""

    @property
    def _llm_type(self) -> str:
        return "broken"

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **_: Any
    ) -> ChatResult:
        raise ConnectionError("endpoint unreachable")


def test_a_failing_model_leaves_the_template_and_a_note() -> None:
    draft = draft_of(example_spec())
    polished = polish(draft, _BrokenModel())
    assert polished.sections == draft.sections
    assert polished.notes == ["大模型润色失败（ConnectionError），保留模板文本。"]


@hsettings(max_examples=80, deadline=None)
@given(number=st.decimals(min_value=0, max_value=100000, places=1, allow_nan=False, allow_infinity=False))
def test_verify_polish_rejects_any_number_the_original_lacks(number: Decimal) -> None:
    original = "产品不良率由2.4%降至0.9%，产品不良率下降62.5%。"
    figure = format(number, "f")
    polished = original + f"另节约成本{figure}万元。"
    problem = verify_polish(original, polished)
    if Decimal(figure).normalize() in set(numbers_in(original)):
        assert problem is None
    else:
        assert problem is not None and "数字" in problem


def test_the_polish_prompt_is_chinese_and_demands_figures_and_placeholders_unchanged() -> None:
    prompt = load_prompt("draft_polish").text
    assert "【待补充：……】" in prompt
    assert "数字" in prompt and "不得新增任何数字" in prompt
    assert "[[三.1]]" in prompt


# ---- bad specs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"project_name": "x", "scenarios": [{"instance_name": "y"}]},
            "字段 enterprise（申报单位名称）：缺少必填字段",
        ),
        (minimal(scenarios=[]), "字段 scenarios（场景实例）：不能为空"),
        (minimal(target_tier="超级级"), "可选：基础级、先进级、卓越级、领航级"),
        (minimal(contact={"mobile": "0471-4825230"}), "字段 contact.mobile（手机号）：附件4要求填写手机号"),
        (
            minimal(kpis=[{"name": "生产效率提升", "before": "很多"}]),
            "字段 kpis[0].before（建设前数值）：应为数字",
        ),
        (
            minimal(scenarios=[{"scenario": "在线智能检测"}]),
            "字段 scenarios[0].instance_name（实例名）：缺少必填字段",
        ),
        (minimal(enterprice="拼错"), "字段 enterprice：不认识的字段"),
    ],
)
def test_bad_specs_get_chinese_errors_naming_the_field(data: dict[str, Any], expected: str) -> None:
    with pytest.raises(DraftSpecError) as info:
        parse_spec(data)
    assert expected in info.value.message
    assert info.value.code == "draft_spec_error"


def test_a_spec_that_is_not_an_object_or_names_an_unknown_edition_is_refused() -> None:
    with pytest.raises(DraftSpecError, match="JSON 对象"):
        parse_spec(["not", "a", "spec"])
    with pytest.raises(DraftSpecError, match="可选：2024、2025"):
        draft_of(minimal(edition="2023"))


def test_a_batch_keeps_the_recommenders_priority_order() -> None:
    batch = parse_specs(
        {
            "recommender": "示例省工业和信息化厅",
            "projects": [minimal(project_name="甲"), minimal(project_name="乙")],
        }
    )
    assert [p.project_name for p in batch.projects] == ["甲", "乙"]
    assert parse_specs([minimal()]).recommender is None
    assert len(parse_specs(minimal()).projects) == 1


def test_an_instance_name_used_twice_is_flagged_once() -> None:
    from assistant.drafting import duplicate_instance_findings

    rules = load_rules(REPO_ROOT / "corpus" / "rules", "2024")
    findings = duplicate_instance_findings(["压铸岛设备监测", "压铸岛设备监测 ", "熔炼能耗监测", ""], rules)
    assert [f.code for f in findings] == ["instance_duplicate"]
    assert "两次" in findings[0].message and findings[0].clause_ids == ["form#示例"]


@pytest.mark.parametrize("bad", [-1, -0.5, 2e8, float("nan")])
def test_investment_out_of_range_is_refused_in_chinese(bad: float) -> None:
    with pytest.raises(DraftSpecError, match="总投资"):
        parse_spec({**EXAMPLE, "investment": bad})


def test_investment_zero_is_a_value_and_empty_is_a_placeholder() -> None:
    zero = build_draft(parse_spec({**EXAMPLE, "investment": 0})).text()
    assert "总投资0万元" in zero
    spec = {k: v for k, v in EXAMPLE.items() if k != "investment"}
    empty = build_draft(parse_spec(spec)).text()
    assert "总投资【待补充" in empty and "总投资0万元" not in empty
