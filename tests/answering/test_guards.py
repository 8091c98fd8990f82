"""LLM mode users can trust: the checker sees the user's facts only, every sentence is checked
before it is shown (streamed or not), citations in any bracket style are validated, figures
must be in the cited clause, and failures fall back under one deadline per turn."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage

from assistant.answering.llm.citations import normalise_citations
from assistant.config import Settings
from assistant.evaluation import guards as guard_eval
from assistant.knowledge.retrieval import Retriever
from assistant.language import stream_sentences
from tests.fakes import ScriptedChatModel, make_service, tool_call
from tests.profiles import ADVANCED, LEADING


def stream(service: Any, question: str, **kwargs: Any) -> tuple[list[str], Any]:
    async def collect() -> list[dict[str, Any]]:
        return [e async for e in service.ask_events(question, **kwargs)]

    events = asyncio.run(collect())
    assert events[-1]["type"] == "final"
    return [e["text"] for e in events if e["type"] == "token"], events[-1]["answer"]


def test_model_profile_is_never_merged_over_the_users(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(
        replies=[
            tool_call("check_eligibility", {"profile": LEADING}),
            AIMessage("根据核验，贵公司已满足领航级全部要求。"),
        ]
    )
    service = make_service(sparse_retriever, tmp_path, llm)
    result = service.ask("我们能评什么层级", profile=ADVANCED)
    assert result.verdict is not None and result.verdict["highest_tier"] == "先进级"
    assert "已满足领航级全部要求" not in result.answer
    assert result.profile["maturity"] == ADVANCED["maturity"]
    assert service.store.sessions.profile(result.session)["maturity"] == ADVANCED["maturity"]
    assert any(q.startswith("请确认：") and "成熟度等级" in q for q in result.missing_facts)
    assert "unconfirmed_facts" in result.flags


@pytest.mark.parametrize(
    "claim",
    [
        "贵公司属于领航级。",
        "贵公司可评为领航级。",
        "贵公司已经是卓越级了。",
        "贵公司已达到 领航级。",
        "贵公司符合申报领航级的条件。",
        "卓越级：已满足。",
        "Your company fully qualifies for the Pilot (领航) tier.",
    ],
)
def test_claims_in_any_wording_never_reach_the_stream(
    claim: str, sparse_retriever: Retriever, tmp_path: Path
) -> None:
    llm = ScriptedChatModel(
        replies=[
            tool_call("get_clause", {"clause_id": "conditions#一.5"}),
            AIMessage(claim + "卓越级智能工厂应达到三级及以上【conditions#一.5】。"),
        ]
    )
    tokens, answer = stream(make_service(sparse_retriever, tmp_path, llm), "我们什么层级", profile=ADVANCED)
    assert claim.rstrip("。.") not in "".join(tokens)
    assert "".join(tokens) == answer.answer
    assert answer.answer.startswith("规则核验结论：")
    assert "verdict_overridden" in answer.flags and "（说明：" in answer.answer


def test_claim_without_a_profile_is_unsupported(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(replies=[AIMessage("贵公司已达到卓越级。")])
    result = make_service(sparse_retriever, tmp_path, llm).ask("我们能到卓越级吗")
    assert "已达到卓越级" not in result.answer and "verdict_overridden" in result.flags


def test_text_alongside_a_tool_call_is_checked(sparse_retriever: Retriever, tmp_path: Path) -> None:
    first = tool_call("get_clause", {"clause_id": "notice#二.(二).2"})
    first.content = "先说结论：贵公司属于领航级。"
    llm = ScriptedChatModel(replies=[first, AIMessage("各省推荐项目数量不超过20个【notice#二.(二).2】。")])
    tokens, answer = stream(make_service(sparse_retriever, tmp_path, llm), "能推荐几个")
    assert "属于领航级" not in "".join(tokens)
    assert "不超过20个【notice#二.(二).2】" in answer.answer


def test_figures_and_dates_must_be_in_the_cited_clause(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(
        replies=[
            tool_call("get_clause", {"clause_id": "notice#二.(二).1"}),
            AIMessage(
                "请在2026年3月31日前完成申报【notice#二.(二).1】。"
                "企业须于2024年11月22日前完成线上申报【 notice#二.(二).1】。"
                "申报主体须连续三年纳税超过1亿元（依据 notice#九.(九).9）。"
            ),
        ]
    )
    tokens, answer = stream(make_service(sparse_retriever, tmp_path, llm), "什么时候截止")
    shown = "".join(tokens)
    assert "2026" not in shown and "1亿元" not in shown
    assert "企业须于2024年11月22日前完成线上申报【notice#二.(二).1】。" in answer.answer
    assert "已删去2句" in answer.answer
    assert {"unsupported_figures_removed", "invalid_citations_removed"} <= set(answer.flags)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("【notice#二.(一).1 】", "【notice#二.(一).1】"),
        ("【 kpi#12】", "【kpi#12】"),
        ("[kpi#12]", "【kpi#12】"),
        ("（依据 notice#二.(二).1）", "【notice#二.(二).1】"),
    ],
)
def test_citations_in_any_bracket_style_are_normalised(raw: str, normal: str) -> None:
    assert normalise_citations(f"见{raw}。") == f"见{normal}。"


def test_a_citation_after_the_full_stop_stays_with_its_sentence() -> None:
    assert stream_sentences("甲。【kpi#12】乙。丙") == (["甲。【kpi#12】", "乙。"], "丙")


def test_empty_reply_falls_back(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(replies=[AIMessage("")])
    result = make_service(sparse_retriever, tmp_path, llm).ask("企业线上申报截止时间")
    assert result.mode == "grounded" and "llm_fallback" in result.flags
    assert "大模型未能完成回答" in result.answer and "2024年11月22日" in result.answer


def test_one_deadline_covers_the_whole_turn(sparse_retriever: Retriever, tmp_path: Path) -> None:
    """Three steps of 0.4 s each fit a 1 s timeout per step, not a 1 s turn."""
    llm = ScriptedChatModel(
        replies=[
            tool_call("search_clauses", {"query": "截止"}),
            tool_call("search_clauses", {"query": "截止 时间"}),
            AIMessage("见【notice#二.(二).1】。"),
        ],
        delay=0.4,
    )
    started = time.perf_counter()
    result = make_service(sparse_retriever, tmp_path, llm, timeout=1.0).ask("企业线上申报截止时间")
    assert result.mode == "grounded" and "llm_fallback" in result.flags
    assert time.perf_counter() - started < 2.0


def test_guard_eval_reports_nothing_shown_nothing_deleted_nothing_missed(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    rows = guard_eval.run_behaviours(Settings(data_dir=tmp_path, chroma_url=None), sparse_retriever)
    figures = guard_eval.summarise(rows)
    assert figures["behaviours"] >= 65  # 41 before issue 28; its figures, dates, Markdown, fallbacks
    failures = [r for r in rows if r.get("answer") or r["fallback_missed"] or r["needless_fallback"]]
    assert (
        figures["false_claims_shown"],
        figures["correct_sentences_deleted"],
        figures["fallbacks_missed"],
    ) == (0, 0, 0), failures
    assert figures["needless_fallbacks"] == 0 and figures["streamed_differs_from_final"] == 0


def test_when_the_guard_keeps_nothing_the_documents_answer_not_a_refusal(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    llm = ScriptedChatModel(
        replies=[
            tool_call("get_clause", {"clause_id": "notice#二.(二).2"}),
            AIMessage("各省推荐不超过25个【notice#二.(二).2】。"),
        ]
    )
    tokens, answer = stream(make_service(sparse_retriever, tmp_path, llm), "每个省能推荐几个项目？")
    assert "25个" not in "".join(tokens) and "".join(tokens) == answer.answer
    assert answer.mode == "grounded" and "20个" in answer.answer
    assert {"llm_fallback", "model_text_withheld", "unsupported_figures_removed"} <= set(answer.flags)
    assert "已不予显示" in answer.answer and "没有找到能支持这一回答的条款" not in answer.answer


def test_uncited_text_the_guard_removed_nothing_from_is_the_models_own(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    llm = ScriptedChatModel(replies=[AIMessage("请问贵企业的智能制造能力成熟度是几级？")])
    answer = make_service(sparse_retriever, tmp_path, llm).ask("我们能报吗")
    assert answer.mode == "llm" and "llm_fallback" not in answer.flags
