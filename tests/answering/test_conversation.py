"""Multi-turn sessions in grounded mode: facts accumulate, later statements override earlier ones,
what-ifs answer without changing the stored profile, follow-ups work from the session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.knowledge.retrieval import Retriever
from tests.fakes import make_service

FIELD_ID = re.compile(r"(enterprise|basic|maturity|links|outcomes|status)\.[a-z_]+")


def _no_field_ids(text: str) -> None:
    assert not FIELD_ID.search(text), text


def test_aluminium_branch_in_inner_mongolia(sparse_retriever: Retriever, tmp_path: Path) -> None:
    service = make_service(sparse_retriever, tmp_path)
    first = service.ask("我们是内蒙古一家电解铝分公司，能报卓越级吗")
    session = first.session
    # The one condition the user's facts settle answers first (issue #31), then the tier's status.
    condition, status = first.answer.split("\n")[:2]
    assert "分支机构" in condition and "有色金属" in condition and "【notice#二.(一).1】" in condition
    assert status.startswith("规则核验结论：卓越级") and "暂不能判断" in status
    assert "我理解的情况：" in first.answer and "（如有误请直接更正）" in first.answer
    assert {u.field: u.said for u in first.understood}["enterprise.industry"] == "电解铝"
    legal = next(r for r in first.verdict["application"]["requirements"] if r["id"] == "app.legal_form")
    assert legal["status"] == "met"  # a branch of 有色金属 may apply
    questions = first.answer.split("请告诉我：")[1].split("\n")[0]
    assert len(re.findall(r"\d\. ", questions)) <= 3
    _no_field_ids(first.answer)

    # A bare follow-up works from the session's profile.
    second = service.ask("还差什么？", session=session)
    assert "refused" not in second.flags
    gaps, verdict = second.answer.split("\n")[:2]
    assert gaps.startswith("按已知情况，卓越级还差：待确认——在中华人民共和国境内注册")
    assert verdict.startswith("规则核验结论：卓越级")

    # A what-if answers, and the stored profile does not change.
    third = service.ask("如果成熟度自评到三级呢？", session=session)
    assert "假设" in third.answer and third.verdict is not None
    assert "maturity" not in service.store.sessions.profile(session)
    assert any(u.hypothetical for u in third.understood)

    # Asking about another tier leads with that tier.
    fourth = service.ask("那先进级呢？", session=session)
    assert fourth.answer.startswith("规则核验结论：先进级")
    assert service.store.sessions.profile(session)["enterprise"]["industry"] == "有色金属"
    _no_field_ids(fourth.answer)


def test_a_later_statement_overrides_an_earlier_one(sparse_retriever: Retriever, tmp_path: Path) -> None:
    service = make_service(sparse_retriever, tmp_path)
    first = service.ask("我们在上海，会不会像内蒙古一样提前截止？")
    session = first.session
    assert service.store.sessions.profile(session)["enterprise"]["province"] == "上海市"
    service.ask("成熟度自评二级，指标全省同行业领先", session=session)
    third = service.ask("更正一下，成熟度是第三方评的三级，而且我们是在苏州注册的", session=session)
    stored = service.store.sessions.profile(session)
    assert stored["enterprise"]["province"] == "江苏省"
    assert stored["maturity"] == {"level": 3, "assessed_by": "third_party"}
    assert "江苏省" in third.answer  # echoed back for correction
    fourth = service.ask("还差什么？", session=session)
    # Province-leading indicators do not meet 卓越级's national standing: said plainly.
    # What is missing is the answer to "还差什么", before the verdict's line.
    gaps, verdict = fourth.answer.split("\n")[:2]
    assert gaps.startswith("按已知情况，卓越级还差：不满足——主要技术经济指标水平")
    assert verdict.startswith("规则核验结论：卓越级") and "不满足" in verdict
    assert "国内同行业领先" in fourth.answer
    _no_field_ids(fourth.answer)


def test_links_recognition_and_a_conflict(sparse_retriever: Retriever, tmp_path: Path) -> None:
    service = make_service(sparse_retriever, tmp_path)
    first = service.ask("我们成熟度第三方评2级、自评3级，能报卓越级吗")
    session = first.session
    assert "不一致" in first.answer  # a stated conflict, not a silent choice
    assert "maturity" not in service.store.sessions.profile(session)
    service.ask("研发设计只到先进级，其他四个环节卓越级", session=session)
    third = service.ask("去年刚评上自治区先进级，指标国内领先，已经建成投产了", session=session)
    stored = service.store.sessions.profile(session)
    assert stored["links"]["研发设计"] == "先进级" and stored["links"]["生产作业"] == "卓越级"
    assert stored["status"] == {"recognised_tier": "先进级", "construction_completed": True}
    assert third.answer.startswith("规则核验结论：卓越级")
    what_if = service.ask("如果研发设计也到卓越级呢？", session=session)
    assert what_if.answer.startswith("规则核验结论：假设")
    assert service.store.sessions.profile(session)["links"]["研发设计"] == "先进级"
    last = service.ask("以第三方评估为准，是二级", session=session)
    assert service.store.sessions.profile(session)["maturity"]["level"] == 2
    assert "不满足" in last.answer.split("\n")[0]
    _no_field_ids(last.answer)


@pytest.mark.parametrize("question", ["先进级够得着吗", "能直接上领航级吗", "卓越级评得上吗", "领航级够格吗"])
def test_verdict_questions_in_other_words_lead_with_the_status(
    sparse_retriever: Retriever, tmp_path: Path, question: str
) -> None:
    """However a verdict is asked for, the lead states the asked tier's status at once: first,
    or second after the one condition the user's fact settles (issue #31)."""
    answer = make_service(sparse_retriever, tmp_path).ask(
        "成熟度第三方评了二级，" + question, profile={"enterprise": {"above_designated_size": True}}
    )
    lines = answer.lead.split("\n")
    if "不在其中" in lines[0]:  # "能直接上领航级吗": the round first, who runs the tier, then the verdict
        lines = lines[2:]
    status = lines[1] if lines[0].startswith("就您说的这一点：") else lines[0]
    assert any(
        word in status for word in ("满足", "不满足", "有条件", "暂不能判断", "已知的情况都符合要求")
    ), lines


def test_a_settled_fact_is_measured_against_the_asked_tier(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    """'成熟度三级' asked about 卓越级 is stated against 卓越级's threshold, not 基础级's."""
    answer = make_service(sparse_retriever, tmp_path).ask("我们成熟度三级，能报卓越级吗？")
    assert "达到卓越级要求的三级及以上" in answer.lead
    assert "达到基础级要求" not in answer.lead
