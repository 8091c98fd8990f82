"""Issue 13, the second pass on leads: what kind of answer a question asks decides which sentence
leads. Unit cases build their clauses by hand (no index); the service cases use the shipped corpus.
"""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.answering.grounded.compose import closest, compose
from assistant.knowledge.corpus import Clause
from assistant.service import AssistantService

AS_OF = dt.date(2024, 11, 1)


def clause(clause_id: str, text: str, *headings: str, status: str = "official") -> Clause:
    doc_id = clause_id.split("#")[0]
    return Clause(
        clause_id=clause_id,
        doc_id=doc_id,
        title=f"{doc_id} 标题",
        edition="2024",
        status=status,
        source="test",
        heading_path=headings or (f"{doc_id} 标题",),
        text=text,
    )


CHECKLIST = [
    clause("list#1", "1.单位信息：包括名称、地址等信息。", "附件9 材料清单"),
    clause("list#2", "2.项目概况：包括起止时间、总投资等信息。", "附件9 材料清单"),
    clause("list#3", "3.实施成效：包括先进性、后续计划等信息。", "附件9 材料清单"),
    clause("list#说明", "具体模板请登录平台查看材料清单的填写要求。", "附件9 材料清单"),
]


def siblings(of: Clause) -> list[Clause]:
    return [c for c in CHECKLIST if c.heading == of.heading]


def test_a_numbered_list_answers_a_list_question_whole() -> None:
    lead = compose("材料清单要写哪几块内容", [CHECKLIST[0], CHECKLIST[3]], siblings=siblings)
    line = lead.lines[0]
    assert "单位信息；项目概况；实施成效" in line
    assert line.startswith("材料清单包括：")
    assert "【list#1】【list#2】【list#3】" in line
    assert "登录平台" not in line


def test_without_the_whole_list_one_item_answers() -> None:
    lead = compose("材料清单要写哪几块内容", [CHECKLIST[0], CHECKLIST[3]])
    assert "项目概况" not in "".join(lead.lines)


def test_a_list_sentence_is_not_cut_at_its_semicolons() -> None:
    guide = clause("guide#供应链", "供应链管理环节包括3个场景：数字化管理；风险预警与调度；物流智能配送。")
    lead = compose("供应链方面有啥场景", [guide])
    assert "数字化管理；风险预警与调度；物流智能配送" in lead.lines[0]


def test_which_standard_is_answered_by_the_standard_number() -> None:
    clauses = [
        clause("c#1", "各地应积极组织开展智能制造能力成熟度评估，以评估结果指导培育工作。"),
        clause("c#2", "成熟度评估水平达到GB/T 39116-2020《智能制造能力成熟度模型》二级及以上。"),
    ]
    assert "GB/T 39116-2020" in compose("成熟度评估依据哪个国标", clauses).lines[0]


def test_a_level_question_takes_the_asked_tiers_clause() -> None:
    levels = [
        clause("c#三", "主要技术经济指标应处于省(区、市)同行业领先水平。", "附件2", "三、先进级智能工厂"),
        clause("c#四", "主要技术经济指标应处于国内同行业领先水平。", "附件2", "四、卓越级智能工厂"),
    ]
    lead = compose("卓越级的指标要达到啥水平", levels)
    assert lead.lines == ["主要技术经济指标应处于国内同行业领先水平【c#四】。"]
    assert "省(区、市)" in compose("先进级的指标要达到啥水平", levels).lines[0]


def test_each_day_named_in_the_question_is_answered() -> None:
    dates = [
        clause("n#3", "推荐单位应于2024年11月29日前完成线上审核，按优先顺序填写推荐汇总表。"),
        clause("n#1", "申报主体于2024年11月22日前完成线上申报。"),
    ]
    line = compose("网上填报截至22号还是29号", dates).lines[0]
    assert "11月22日" in line and "11月29日" in line


def test_a_sentence_about_the_knowledge_base_does_not_lead() -> None:
    clauses = [
        clause("g#说明", "说明：指引原文未收入本知识库，以下仅为环节与要素条件五个环节的对应关系。"),
        clause("g#运营", "附件2在领航级中称“经营管理”，其余层级称“运营管理”，指同一环节。"),
    ]
    assert compose("经营管理跟运营管理对应要素条件的哪个环节", clauses).cited == ["g#运营"]


def test_nearness_in_meaning_decides_between_sentences_sharing_as_many_words() -> None:
    first = clause("n#1", "申报主体于11月22日前完成线上申报。")
    second = clause("n#2", "申报主体愿意配合开展现场核查工作。")

    def similarity(of: Clause, sentence: str) -> float:
        return 1.0 if of is second else 0.0

    question = "申报后会有人来现场看吗"
    assert closest(question, [first, second], similarity) is not None
    assert closest(question, [first, second], similarity).clause is second  # type: ignore[union-attr]


def test_silence_names_the_whole_indicator() -> None:
    rule = clause("c#三", "主要技术经济指标应处于省(区、市)同行业领先水平。")
    lead = compose("先进级的设备综合利用率提升要达到多少", [rule])
    assert lead.silent
    assert lead.lines[0] == "现有文件未规定设备综合利用率的具体数值门槛。"


# -- on the shipped corpus ------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(full_service: AssistantService) -> AssistantService:
    return full_service


def test_a_bare_autonomous_region_is_read_as_the_one_held_and_said_so(service: AssistantService) -> None:
    answer = service.ask("自治区市场监管局谁负责这个事", as_of=AS_OF)
    assert "王晶" in answer.lead
    assert "按内蒙古自治区理解" in answer.lead
    other = service.ask(
        "自治区市场监管局谁负责这个事", profile={"enterprise": {"province": "辽宁省"}}, as_of=AS_OF
    )
    assert "王晶" not in other.answer
    assert "按内蒙古自治区理解" not in other.answer


def test_a_year_with_only_a_draft_guide_is_a_round_not_held(service: AssistantService) -> None:
    quota = service.ask("2025年每个省推荐名额还是20个吗", as_of=AS_OF)
    assert quota.lead.startswith("现有文件中没有2025年度的申报通知")
    assert "20个" in quota.lead
    guide = service.ask("2025年版场景指引生产作业有哪些场景", as_of=AS_OF)
    assert "没有2025年度的申报通知" not in guide.lead


def test_a_list_of_conditions_asked_gets_no_verdict(service: AssistantService) -> None:
    answer = service.ask("领航级建设内容有哪些", as_of=AS_OF)
    assert "规则核验结论" not in answer.lead
    assert "工厂建设；研发设计；生产作业；生产管理；经营管理" in answer.lead
    verdict = service.ask("我们能报卓越级吗", as_of=AS_OF)
    assert verdict.lead.startswith("规则核验结论")


def test_a_long_sentence_is_cut_where_it_names_the_asked_tier() -> None:
    rule = clause(
        "c#一.5",
        "5.基础级和先进级工厂智能制造能力成熟度评估水平达到GB/T 39116-2020《智能制造能力成熟度模型》二级及以上，"
        "卓越级智能工厂应达到三级及以上，领航级智能工厂应达到四级及以上。",
    )
    assert "领航级智能工厂应达到四级及以上" in compose("领航级的成熟度要几级", [rule]).lines[0]
    assert "二级及以上" in compose("基础级的成熟度要几级", [rule]).lines[0]


def test_another_autonomous_region_named_is_not_read_as_the_held_one(service: AssistantService) -> None:
    answer = service.ask("我们是广西壮族自治区的企业，自治区工信厅谁负责", as_of=AS_OF)
    assert "按内蒙古自治区理解" not in answer.answer
    assert "【nmg#" not in answer.answer


def test_another_tiers_rule_is_said_to_be_that_tiers_and_the_asked_tier_is_placed(
    service: AssistantService,
) -> None:
    """附件3 lists 卓越级's materials only: asked for 先进级's, the lead says so first and what the
    documents do say of 先进级 (the province runs it), before the 卓越级 list."""
    answer = service.ask("想报先进级，要准备什么材料", as_of=AS_OF)
    first = answer.lead.split("\n")[0]
    assert first.startswith("现有文件中这一项只针对卓越级，没有先进级的规定。")
    assert "省级工业和信息化主管部门" in first and "先进级智能工厂" in first
    assert "申报单位基本信息" in answer.lead  # the 卓越级 list still follows
    # 要素条件 has a 建设成效 section for every tier: nothing is absent, so no such line.
    same_named = service.ask("标准群是什么要求，卓越级要做到啥程度", as_of=AS_OF)
    assert "只针对" not in same_named.lead


@pytest.mark.parametrize(
    ("question", "silence"),
    [
        ("成熟度评估报告有效期多久", "现有文件未规定成熟度评估报告的有效期。"),
        ("评上以后有效期多久", "现有文件未规定认定的有效期。"),
    ],
)
def test_a_validity_the_documents_do_not_set_is_named_as_asked(
    service: AssistantService, question: str, silence: str
) -> None:
    assert service.ask(question, as_of=AS_OF).lead.startswith(silence)
