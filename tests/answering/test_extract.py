"""Reading enterprise facts from what users write: gazetteers, negation, comparison, what-ifs."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answering.understanding import gazetteer
from assistant.answering.understanding.extract import extract, extract_profile


def facts(text: str) -> dict[str, object]:
    return {f.field: f.value for f in extract(text).stated()}


def test_the_longest_term_wins_so_an_aluminium_branch_is_not_a_home_appliance_maker() -> None:
    got = facts("我们是内蒙古一家电解铝分公司")
    assert got == {
        "enterprise.province": "内蒙古自治区",
        "enterprise.industry": "有色金属",
        "enterprise.legal_form": "branch",
    }


def test_every_fact_keeps_the_words_it_came_from() -> None:
    reading = extract("我们是内蒙古一家电解铝分公司")
    said = {f.field: f.said for f in reading.facts}
    assert said["enterprise.industry"] == "电解铝"
    assert all(f.said in "我们是内蒙古一家电解铝分公司" for f in reading.facts)
    assert reading.facts[0].as_dict()["label"] == "所在省份"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我们在上海，会不会像内蒙古一样提前截止", {"enterprise.province": "上海市"}),
        ("电子版要交几份", {}),
        ("去年刚评上自治区先进级", {"status.recognised_tier": "先进级"}),
        ("指标全省同行业领先，国内排不上", {"outcomes.kpi_standing": "province_leading"}),
        ("在苏州注册", {"enterprise.province": "江苏省", "enterprise.registered_in_prc": True}),
        ("没有独立法人资格", {"enterprise.legal_form": "branch"}),
        ("没出过事故", {"basic.no_major_accident": True}),
        ("还没评过先进级", {"status.recognised_tier": None}),
        ("2021到2023年建的", {"status.construction_completed": True}),
    ],
)
def test_the_issue_sentences_are_read(text: str, expected: dict[str, object]) -> None:
    assert facts(text) == expected


def test_link_tiers_with_others_and_all() -> None:
    got = facts("研发设计只到先进级，其他四个环节卓越级")
    assert got["links.研发设计"] == "先进级"
    assert {got[f"links.{k}"] for k in ("工厂建设", "生产作业", "生产管理", "运营管理")} == {"卓越级"}
    assert len(facts("五个环节都做到卓越级")) == 5


def test_two_maturity_levels_are_a_conflict_not_a_choice() -> None:
    reading = extract("第三方评2级、自评3级")
    assert "maturity" not in reading.profile()
    (conflict,) = reading.conflicts()
    assert {conflict.value, *conflict.conflict} == {2, 3}
    assert "不一致" in conflict.describe()


def test_construction_years_are_not_rounds() -> None:
    assert extract("我们2021到2023年建的").construction_years == {"2021", "2023"}


def test_a_what_if_is_marked_and_left_out_of_the_stated_profile() -> None:
    reading = extract("如果成熟度到三级呢？")
    assert reading.profile() == {}
    assert reading.profile(include_hypothetical=True) == {"maturity": {"level": 3}}
    assert extract_profile("如果成熟度到三级呢？") == {}


# -- properties -----------------------------------------------------------------------------------

SENTENCES = [
    "我们是内蒙古一家电解铝分公司",
    "成熟度自评三级",
    "指标全省同行业领先",
    "研发设计只到先进级，其他四个环节卓越级",
    "在苏州注册",
    "去年刚评上先进级",
    "厂子二期还在建",
    "没有不良信用记录",
]
#: Clauses that state no enterprise fact (small talk, questions about documents).
UNRELATED = [
    "麻烦帮忙看下",
    "谢谢",
    "申报书模板去哪下载",
    "电子版要交几份",
    "纸质材料寄到哪里",
    "领导让我问一下",
    "我们想了解一下政策",
    "附1里一共多少个指标",
]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(SENTENCES), st.sampled_from(UNRELATED), st.booleans())
def test_an_unrelated_clause_never_changes_the_facts(sentence: str, clause: str, before: bool) -> None:
    combined = f"{clause}，{sentence}" if before else f"{sentence}。{clause}"
    assert facts(combined) == facts(sentence)


#: (negated sentence, field, the positive value it must never yield)
NEGATED = [
    ("不是分公司", "enterprise.legal_form", "branch"),
    ("没有独立法人资格", "enterprise.legal_form", "independent"),
    ("还不是规上企业", "enterprise.above_designated_size", True),
    ("还没评过先进级", "status.recognised_tier", "先进级"),
    ("指标还达不到国内领先", "outcomes.kpi_standing", "national_leading"),
    ("国内领先谈不上", "outcomes.kpi_standing", "national_leading"),
    ("成熟度没到三级", "maturity.level", 3),
    ("研发设计还没到先进级", "links.研发设计", "先进级"),
    ("我们不在内蒙古", "enterprise.province", "内蒙古自治区"),
    ("我们不是有色金属行业", "enterprise.industry", "有色金属"),
    ("智能工厂还没建成", "status.construction_completed", True),
    ("出过较大安全事故", "basic.no_major_accident", True),
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(NEGATED),
    st.sampled_from(["", "我们", "说实话我们"]),
    st.sampled_from(["", "，能报吗", "。"]),
)
def test_a_negated_fact_never_yields_the_positive_value(
    case: tuple[str, str, object], lead: str, tail: str
) -> None:
    text, path, positive = case
    assert facts(f"{lead}{text}{tail}").get(path, "absent") != positive


def test_the_vocabulary_is_built_once_when_first_asks_arrive_together(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server's first asks come at once; each building its own jieba dictionary cost a worker
    ~300 MB. The second and later callers wait for the first one's."""
    shutil.copytree(gazetteer.DEFAULT_DATA_DIR, tmp_path / "data")
    built: list[int] = []

    class CountingSegmenter:
        def __init__(self, terms: list[str]) -> None:
            time.sleep(0.05)  # long enough for the other threads to arrive
            built.append(len(terms))

    monkeypatch.setattr(gazetteer, "Segmenter", CountingSegmenter)
    with ThreadPoolExecutor(8) as pool:
        loaded = list(pool.map(lambda _: gazetteer.load_gazetteer(tmp_path / "data"), range(8)))
    assert len(built) == 1 and all(pair is loaded[0] for pair in loaded)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # Quantified statements (issue #31): the others are read, the one excepted is not theirs.
        (
            "研发设计差一档，其余四个环节都是卓越水平",
            {"links.研发设计": "先进级", "links.运营管理": "卓越级"},
        ),
        ("除了运营管理其他都上系统了", {"links.运营管理": None}),
        ("除了研发设计，其他环节都是卓越级", {"links.工厂建设": "卓越级", "links.运营管理": "卓越级"}),
        ("其他四个环节都还没做，生产作业到基础级了", {"links.生产作业": "基础级", "links.运营管理": None}),
        ("研发设计和工厂建设还没开始做", {"links.研发设计": None, "links.工厂建设": None}),
        # "The others" of links never named are not known: nothing is read of any one link.
        ("三个都做到先进级了，另外两个没搞", {"links.生产作业": "absent", "links.运营管理": "absent"}),
        # Link names mistyped by pinyin input.
        ("我们只做了生厂作业这一个环节，其他的都没搞", {"links.研发设计": None, "links.生产作业": "absent"}),
        ("运赢管理到先进级了", {"links.运营管理": "先进级"}),
        # Titles held, said in the ways people say them; a link's level is not a title.
        ("已经是省里认定的先进级，现在想冲卓越", {"status.recognised_tier": "先进级"}),
        ("客户去年评了省级先进", {"status.recognised_tier": "先进级"}),
        ("我们啥级都还没评过", {"status.recognised_tier": None}),
        ("研发设计已经是卓越级了", {"links.研发设计": "卓越级"}),
        # Negations and corrections.
        ("我们还没进规上，一年产值一千多万", {"enterprise.above_designated_size": False}),
        ("更正：我们不是规上，今年刚退出规上了", {"enterprise.above_designated_size": False}),
        ("刚才说错了，是二级，三级是明年的目标", {"maturity.level": 2}),
        ("去年出过一次一般安全事故，别的没有", {"basic.no_major_accident": True}),
        ("前年出过一起较大环境污染事故", {"basic.no_major_accident": False}),
        ("前年因为排污超标被环保部门罚过款", {"basic.no_violation": False}),
        ("经营和财务状况一直挺好", {"basic.finance_sound_3y": True}),
        ("智能工厂还有一条产线在改，没完全建完", {"status.construction_completed": False}),
        ("指标在国内同行业算领先", {"outcomes.kpi_standing": "national_leading"}),
        ("主要指标高于省平均但算不上省里领先", {"outcomes.kpi_standing": "above_province_average"}),
        ("我们公司目前还挂在失信被执行人名单上", {"basic.no_bad_credit": False}),
        ("23年出过一起一般生产安全事故，不是较大事故", {"basic.no_major_accident": True}),
        ("智能工厂要到2025年3月才竣工验收", {"status.construction_completed": False}),
        ("三年内没出过较大及以上的安全环保事故", {"basic.no_major_accident": True}),
        ("五个环节都按卓越级要求做了", {"links.工厂建设": "卓越级", "links.运营管理": "卓越级"}),
        ("他们五个环节都覆盖了，都到先进级的程度", {"links.研发设计": "先进级"}),
        # A link said done at a level not said is not among "the other four".
        ("就做了生产作业这一个环节，其他四个没动", {"links.生产作业": "absent", "links.运营管理": None}),
        # A phrase without a link name speaks of the link named just before it.
        (
            "研发设计外包给集团研究院了，本厂没做，其他四个环节都到卓越水平",
            {"links.研发设计": None, "links.工厂建设": "卓越级"},
        ),
        # A title awarded is not the links' level.
        (
            "五个环节都做到卓越了，去年评上自治区先进级",
            {"links.研发设计": "卓越级", "status.recognised_tier": "先进级"},
        ),
    ],
)
def test_statements_people_make_about_their_company_are_read(text: str, facts: dict[str, object]) -> None:
    got = {f.field: f.value for f in extract(text).stated()}
    assert {k: got.get(k, "absent") for k in facts} == facts


@pytest.mark.parametrize(
    "text",
    [
        "指标做到全国领先以外还要满足什么",  # a requirement asked about
        "除了成熟度三级，还要满足什么",
        "先进级是谁来认定的",  # a recognition as a topic
        "我们前年拿了自治区智能工厂认定，算不算已经获评先进级？",  # whether it counts is asked
        "听说卓越要“国内领先”",  # a requirement heard of
        "认定后几年复查一次",
        "拿到先进级能给多少奖励",
        "先进级要覆盖哪几个环节",  # a tier's coverage asked, not the links' levels
    ],
)
def test_rule_questions_state_no_fact_about_the_company(text: str) -> None:
    fields = {f.field for f in extract(text).stated()}
    assert not fields & {"status.recognised_tier", "outcomes.kpi_standing", "maturity.level"}
    assert not any(f.startswith("links.") for f in fields)


def test_a_year_of_an_event_is_not_a_round() -> None:
    assert extract("公司2023年因为废气超标被环保局罚过款").construction_years == {"2023"}
    assert extract("我们想报2025年的卓越级").construction_years == set()


def test_a_what_if_raises_a_link_to_the_tier_discussed() -> None:
    reading = extract("要是运营管理也补上呢")
    assert reading.raised_links == {"运营管理": "要是运营管理也补上呢"}
    reading.suppose_links("先进级")
    assert [(f.field, f.value, f.hypothetical) for f in reading.facts] == [("links.运营管理", "先进级", True)]


def test_an_independent_legal_person_in_a_province_is_registered_in_china() -> None:
    from assistant.answering import implied_facts

    (fact,) = implied_facts({"enterprise": {"province": "湖北省", "legal_form": "independent"}})
    assert (fact.field, fact.value) == ("enterprise.registered_in_prc", True)
    assert implied_facts({"enterprise": {"province": "湖北省", "legal_form": "branch"}}) == []
    assert implied_facts({"enterprise": {"legal_form": "independent", "registered_in_prc": False}}) == []


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        ("我们覆盖了生产作业、生产管理、运营管理三个环节", {"生产作业", "生产管理", "运营管理"}),
        ("我们五个环节都覆盖了", {"工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"}),
        ("只差工厂建设没覆盖，其他四个环节都有", {"研发设计", "生产作业", "生产管理", "运营管理"}),
        ("我们不是没覆盖研发设计，只是做得一般", {"研发设计"}),  # a double negation is covered
        ("研发设计还没做", set()),
    ],
)
def test_links_said_covered_without_a_level_are_read_as_covered(text: str, covered: set[str]) -> None:
    extraction = extract(text)
    assert set(extraction.covered_links) == covered
    # Covered at a level not said is no fact: the checker's link facts are levels.
    assert not any(f.field.startswith("links.") and f.value for f in extraction.facts)


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # Two negations say it is there (fresh elig12 t02, t03).
        ("我们也不是没有独立法人资格", {"enterprise.legal_form": "independent"}),
        ("我们并非没有不良信用记录", {"basic.no_bad_credit": False}),
        ("智能工厂其实还没完全建好，最后一个车间还在调试", {"status.construction_completed": False}),
        # Mistyped by sound: 叁级, 只能制造.
        ("我们的只能制造成熟度是叁级", {"maturity.level": 3}),
        # A tier's requirement named is no link's level; "达到…的要求" is.
        ("覆盖了生产作业、生产管理三个环节，先进级的覆盖要求满足了吗", {"links.生产作业": "absent"}),
        ("五个环节都达到卓越级那个要求了", {"links.生产作业": "卓越级"}),
    ],
)
def test_double_negations_typos_and_requirements_named_are_read_right(
    text: str, facts: dict[str, object]
) -> None:
    got = {f.field: f.value for f in extract(text).stated()}
    assert {k: got.get(k, "absent") for k in facts} == facts


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("我们不是没拿过先进级，上个月刚被省里认定了", {"status.recognised_tier": "先进级"}),
        ("我们五个环节都做了，先进级也有", {"status.recognised_tier": "先进级", "links.生产作业": "absent"}),
        ("领行级是不是成熟度三级就够了？", {"maturity.level": "absent"}),  # a rule asked about
        ("去年评上省先进级", {"status.recognised_tier": "先进级"}),
        ("我们成熟度三级就够了吧", {"maturity.level": 3}),
    ],
)
def test_titles_in_passing_and_rules_asked_are_read_right(text: str, facts: dict[str, object]) -> None:
    """Fresh elig13 t04, f07, t03: a double negation, a title said in passing, a rule question."""
    got = {f.field: f.value for f in extract(text).stated()}
    assert {k: got.get(k, "absent") for k in facts} == facts


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        # "只做了A和B": the links not named are not covered (fresh elig14 c1).
        ("我们智能化只做了生产作业和生产管理两个环节", {"links.运营管理": None, "links.生产作业": "absent"}),
        # An event told by what followed it (fresh elig14 s10).
        ("两年前我们因为环保违法被处罚过", {"basic.no_violation": False}),
    ],
)
def test_only_and_events_told_by_what_followed_are_read(text: str, facts: dict[str, object]) -> None:
    got = {f.field: f.value for f in extract(text).stated()}
    assert {k: got.get(k, "absent") for k in facts} == facts
