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
