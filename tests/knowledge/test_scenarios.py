"""Scenario catalog: read from corpus data by edition, lookups scenario → 环节 → link, and fuzzy
matching that names a scenario only when it is confident and otherwise offers candidates."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.config import REPO_ROOT
from assistant.errors import CorpusInvalidError, UnknownEditionError
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.scenarios import ScenarioCatalog, load_catalog
from assistant.rules import coverage_gaps as rules_coverage_gaps
from assistant.rules import load_rules

FIVE_LINKS = ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]


@pytest.fixture(scope="module")
def catalog() -> ScenarioCatalog:
    return load_catalog(REPO_ROOT / "corpus")


def _corpus_copy(tmp_path: Path) -> Path:
    target = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", target)
    return target


# ---- catalog integrity ------------------------------------------------------------------------


def test_2025_draft_holds_8_segments_and_40_scenarios_marked_draft(catalog: ScenarioCatalog) -> None:
    ed = catalog.edition("2025")
    assert ed.status == "draft"
    assert ed.is_draft
    assert len([s for s in ed.segments.values() if not s.extra]) == 8
    assert len(ed.scenarios) == 40
    assert ed.link_mapping_status == "derived"


def test_every_2024_segment_maps_to_exactly_one_of_the_five_links(catalog: ScenarioCatalog) -> None:
    ed = catalog.edition("2024")
    regular = {name: seg for name, seg in ed.segments.items() if not seg.extra}
    assert len(regular) == 14
    assert all(seg.link in FIVE_LINKS for seg in regular.values())
    assert {seg.link for seg in regular.values()} == set(FIVE_LINKS)
    assert ed.segments_of_link("生产作业") == ["生产作业", "质量管控", "设备管理"]
    assert ed.segments_of_link("运营管理") == ["营销与售后", "供应链管理"]
    # 多环节模式创新 sits outside the five links, and says so.
    assert ed.segments["多环节模式创新"].extra and ed.segments["多环节模式创新"].link is None


def test_2024_holds_no_scenario_names(catalog: ScenarioCatalog) -> None:
    ed = catalog.edition("2024")
    assert not ed.has_scenarios
    assert ed.status == "official"


def test_2025_segments_map_to_the_five_links_as_derived_from_the_2024_footnotes(
    catalog: ScenarioCatalog,
) -> None:
    ed = catalog.edition("2025")
    assert ed.segments["产品研发"].link == ed.segments["工艺设计"].link == "研发设计"
    assert ed.segments["产品服务"].link == ed.segments["供应链管理"].link == "运营管理"
    assert catalog.link_of("在线智能检测", "2025") == "生产作业"
    assert catalog.link_of("远程运维服务", "2025") == "运营管理"
    network = catalog.scenario("网络协同制造", "2025")
    assert network is not None and network.multi_link and network.link == "生产管理"
    assert sum(s.multi_link for s in ed.scenarios.values()) == 1


def test_scenario_lookup_goes_scenario_to_segment_to_link(catalog: ScenarioCatalog) -> None:
    scenario = catalog.scenario("供应链风险预警与调度", "2025")
    assert scenario is not None
    assert (scenario.segment, scenario.link) == ("供应链管理", "运营管理")
    assert catalog.link_of("计划调度", "2024") == "生产管理"
    assert catalog.link_of("不存在的场景", "2025") is None


def test_link_synonym_经营管理_is_运营管理(catalog: ScenarioCatalog) -> None:
    assert catalog.canonical_link("经营管理") == "运营管理"
    assert catalog.canonical_link("运营管理") == "运营管理"
    assert catalog.canonical_link("质量管控") is None


def test_every_clause_id_the_catalog_cites_exists_in_the_corpus(
    catalog: ScenarioCatalog, corpus: Corpus
) -> None:
    for ed in catalog.editions.values():
        for seg in ed.segments.values():
            assert corpus.get(seg.clause_id) is not None, seg.clause_id
        assert corpus.get(ed.status_clause_id) is not None
    assert corpus.get("guide2025#对应") is not None


def test_catalog_follows_the_data_file_not_code(tmp_path: Path) -> None:
    corpus_dir = _corpus_copy(tmp_path)
    guide_path = corpus_dir / "data" / "scenario_guide.yaml"
    data = yaml.safe_load(guide_path.read_text(encoding="utf-8"))
    data["editions"]["2025"]["scenarios"]["工厂建设"].append("测试用新增场景")
    guide_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    catalog = ScenarioCatalog.load(corpus_dir)
    assert len(catalog.edition("2025").scenarios) == 41
    assert catalog.link_of("测试用新增场景", "2025") == "工厂建设"


def test_alias_pointing_at_a_missing_scenario_fails_loudly(tmp_path: Path) -> None:
    corpus_dir = _corpus_copy(tmp_path)
    alias_path = corpus_dir / "data" / "scenario_aliases.yaml"
    data = yaml.safe_load(alias_path.read_text(encoding="utf-8"))
    data["scenarios"]["坏别名"] = "不存在的场景"
    alias_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CorpusInvalidError, match="不存在的场景") as raised:
        ScenarioCatalog.load(corpus_dir)
    assert raised.value.status_code == 500  # the server's own data: no request can fix it


def test_every_alias_target_exists_in_the_2025_catalog(catalog: ScenarioCatalog) -> None:
    names = set(catalog.edition("2025").scenarios)
    assert catalog.scenario_aliases
    for targets in catalog.scenario_aliases.values():
        assert set(targets) <= names


def test_unknown_edition_is_a_chinese_error(catalog: ScenarioCatalog) -> None:
    with pytest.raises(UnknownEditionError, match="可选：2024、2025"):
        catalog.edition("2023")


# ---- matching --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("AI质检", "在线智能检测"),
        ("预测性维护", "设备故障诊断与预测"),
        ("APS", "车间智能排产"),
        ("aps", "车间智能排产"),
        ("WMS", "仓储智能管理"),
        ("数字孪生", "数字孪生工厂构建"),
    ],
)
def test_common_names_match_catalog_scenarios_through_the_alias_table(
    catalog: ScenarioCatalog, typed: str, expected: str
) -> None:
    result = catalog.match(typed, "2025")
    assert result.status == "alias"
    assert result.confident
    assert result.name == expected
    assert "请确认" in result.message


def test_exact_catalog_name_matches_exactly_with_its_segment_and_link(catalog: ScenarioCatalog) -> None:
    result = catalog.match("人机协同作业", "2025")
    assert (result.status, result.name, result.segment, result.link) == (
        "exact",
        "人机协同作业",
        "生产作业",
        "生产作业",
    )


def test_text_containing_a_catalog_name_matches_it(catalog: ScenarioCatalog) -> None:
    result = catalog.match("在线智能检测系统建设", "2025")
    assert (result.status, result.name) == ("contains", "在线智能检测")


@pytest.mark.parametrize(
    ("typed", "expected"), [("在线只能检测", "在线智能检测"), ("设备维护", "设备维修维护")]
)
def test_typos_and_shortenings_match_by_similarity_when_clearly_ahead(
    catalog: ScenarioCatalog, typed: str, expected: str
) -> None:
    result = catalog.match(typed, "2025")
    assert (result.status, result.name) == ("fuzzy", expected)


def test_a_system_spanning_several_scenarios_gives_candidates_not_a_guess(catalog: ScenarioCatalog) -> None:
    result = catalog.match("MES", "2025")
    assert result.status == "ambiguous"
    assert result.name is None
    assert {"生产进度跟踪", "生产动态调度"} <= {c.name for c in result.candidates}
    assert "请从候选中选择" in result.message


def test_one_character_is_never_enough_to_pick_a_scenario(catalog: ScenarioCatalog) -> None:
    result = catalog.match("碳", "2025")
    assert not result.confident
    assert result.name is None
    assert "碳资产全生命周期管理" in [c.name for c in result.candidates]


def test_unrelated_text_matches_nothing(catalog: ScenarioCatalog) -> None:
    result = catalog.match("职工食堂伙食改善", "2025")
    assert result.status == "none"
    assert result.name is None and result.candidates == []


def test_a_link_name_used_as_segment_lists_the_segments_it_covers(catalog: ScenarioCatalog) -> None:
    result = catalog.match("研发设计", "2025")
    assert result.status == "ambiguous"
    assert [c.name for c in result.candidates] == ["产品研发", "工艺设计"]
    old = catalog.match("运营管理", "2024", kind="segment")
    assert [c.name for c in old.candidates] == ["营销与售后", "供应链管理"]


def test_2024_scenario_names_are_not_held_and_matching_says_so(catalog: ScenarioCatalog) -> None:
    result = catalog.match("在线智能检测", "2024", kind="scenario")
    assert result.status == "not_held"
    assert result.name is None
    assert "未收录2024年版指引的场景名称" in result.message
    # The later edition places it under 生产作业, so the 2024 环节 of that link are offered.
    assert [c.name for c in result.candidates] == ["生产作业", "质量管控", "设备管理"]


def test_2024_segments_match_exactly_and_by_alias(catalog: ScenarioCatalog) -> None:
    assert catalog.match("质量管控", "2024").status == "exact"
    alias = catalog.match("质检", "2024", kind="segment")
    assert (alias.status, alias.name, alias.link) == ("alias", "质量管控", "生产作业")


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet=st.one_of(_CJK, st.sampled_from("AIMESWPS ")), min_size=1, max_size=12))
def test_matching_never_returns_a_name_without_confidence(catalog: ScenarioCatalog, text: str) -> None:
    for edition in ("2025", "2024"):
        result = catalog.match(text, edition)
        if result.confident:
            ed = catalog.edition(edition)
            assert result.name in ed.scenarios or result.name in ed.segments
        else:
            assert result.name is None
            assert result.message


# ---- link coverage ---------------------------------------------------------------------------

RULES = load_rules(REPO_ROOT / "corpus" / "rules")


def coverage_gaps(covered: set[str], tier: str) -> list[tuple[str, str, list[str]]]:
    """The gaps under the shipped rules file (the coverage per tier is read from it)."""
    return list(rules_coverage_gaps(RULES, covered, tier))


def test_卓越级_missing_工厂建设_is_a_原则上_warning_citing_四_一() -> None:
    gaps = coverage_gaps({"研发设计", "生产作业", "生产管理", "运营管理"}, "卓越级")
    assert gaps == [
        (
            "建议修改",
            "卓越级原则上应覆盖全部五个环节，现有场景实例未覆盖：工厂建设；请补充相应场景实例；未覆盖能否作为例外，文件未作规定，请向推荐单位确认。",
            ["conditions#四.(一)"],
        )
    ]


def test_卓越级_missing_运营管理_must_be_fixed() -> None:
    gaps = coverage_gaps({"工厂建设", "研发设计", "生产作业", "生产管理"}, "卓越级")
    assert [g[0] for g in gaps] == ["必须修改"]
    assert "conditions#四.(一)" in gaps[0][2]


def test_领航级_requires_all_five_links_and_基础级_only_生产作业() -> None:
    gaps = coverage_gaps({"研发设计", "生产作业", "生产管理", "运营管理"}, "领航级")
    assert gaps[0][0] == "必须修改" and gaps[0][2] == ["conditions#五.(一)"]
    assert coverage_gaps({"生产作业"}, "基础级") == []
    assert coverage_gaps(set(), "基础级")[0][2] == ["conditions#二.(一)"]
    assert coverage_gaps({"生产作业", "生产管理"}, "先进级")[0][2] == ["conditions#三.(一)"]
