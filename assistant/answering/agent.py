"""LLM mode: a tool-calling loop over any OpenAI-compatible chat model (langchain).

The model gathers facts and words the answer; the tools hold the facts: search_clauses and
get_clause return clause text with ids, check_eligibility runs the deterministic checker. After
the loop the guards in assistant/citations.py check what the model wrote against what the tools
returned in this turn. One loop serves both the plain and the streaming path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import StructuredTool

from assistant.answering.citations import contradicts, guard_citations, strip_claims
from assistant.answering.sessions import Message, merge_profiles
from assistant.drafting import draft_from_data
from assistant.errors import AssistantError, LLMError
from assistant.knowledge.retrieval import Retriever
from assistant.prompts import load_prompt
from assistant.rules import CheckReport, RuleSet, check, parse_profile

log = logging.getLogger("assistant.agent")
MAX_STEPS = 6


@dataclass
class TurnState:
    """What the tools saw and decided during one turn: the guards' source of truth."""

    profile: dict[str, Any]
    seen: set[str] = field(default_factory=set)
    report: CheckReport | None = None
    tool_calls: list[str] = field(default_factory=list)


@dataclass
class AgentAnswer:
    text: str
    citations: list[str]
    report: CheckReport | None
    profile: dict[str, Any]
    flags: list[str]
    tool_calls: list[str]


def _compact_report(report: CheckReport) -> dict[str, Any]:
    """What the model needs from the checker: verdicts, unknown fields, top gaps, window."""
    app = report.application
    return {
        "edition": report.edition,
        "highest_tier": report.highest_tier,
        "reachable_tier": report.reachable_tier,
        "summary": report.summary,
        "application": {
            "status": app.status,
            "window_open": app.window_open,
            "window": app.window_message,
            "requirements": [
                {"id": r.id, "status": r.status, "reason": r.reason, "clause_ids": r.clause_ids}
                for r in app.requirements
            ],
        },
        "gaps": [
            {
                "tier": g.tier,
                "status": g.status,
                "reason": g.reason,
                "field": g.field,
                "clause_ids": g.clause_ids,
            }
            for g in report.gaps[:8]
        ],
    }


def verdict_block(report: CheckReport, limit: int = 3) -> str:
    """The checker's verdict in words, with the clauses behind its first unmet requirements."""
    lines = [f"规则核验结论：{report.summary}"]
    unmet = [r for r in report.application.requirements if r.status == "not_met"]
    unmet += [g for g in report.gaps if g.status == "not_met"]  # type: ignore[misc]
    for item in unmet[:limit]:
        lines.append(f"- {item.reason}" + "".join(f"【{c}】" for c in item.clause_ids[:2]))
    return "\n".join(lines)


class Toolbox:
    """The tools of one turn, bound to the retriever, the rules and the turn's state."""

    def __init__(
        self,
        retriever: Retriever,
        rules: RuleSet,
        as_of: dt.date,
        state: TurnState,
        extra: list[StructuredTool] | None = None,
        edition: str | None = None,
    ) -> None:
        self.retriever = retriever
        self.rules = rules
        self.as_of = as_of
        self.state = state
        #: The edition the user asked about: searches the model makes without one stay in it.
        self.edition = edition
        self.tools = [
            StructuredTool.from_function(
                self.search_clauses,
                name="search_clauses",
                description="检索申报文件条款。query: 中文问题或关键词；edition: 可选，版本年份如2024。返回条款编号、位置和原文。",
            ),
            StructuredTool.from_function(
                self.get_clause,
                name="get_clause",
                description="按编号查看一条条款原文，如 notice#二.(一).1。",
            ),
            StructuredTool.from_function(
                self.check_eligibility,
                name="check_eligibility",
                description="用确定性规则核验企业可达层级和2024年度卓越级申报条件。profile: 企业画像 JSON"
                "（enterprise/basic/maturity/links/outcomes/status 各节，字段见文档），只填用户明确说过的事实。",
            ),
            StructuredTool.from_function(
                self.draft_scenario,
                name="draft_scenario",
                description="按附件3、附件4的格式起草场景实例和申报书第3、4部分。spec: DraftSpec JSON（enterprise、"
                "project_name、target_tier、scenarios[{segment/scenario 或 text, instance_name, built, integration, "
                "kpis[{name, before, after}]}]）。只使用用户给出的事实和数字，缺少的会标为【待补充】。",
            ),
            *(extra or []),
        ]
        self.by_name = {t.name: t for t in self.tools}

    def search_clauses(self, query: str, edition: str | None = None) -> str:
        hits = self.retriever.search(query, k=5, edition=edition or self.edition)
        self.state.seen.update(h.clause.clause_id for h in hits)
        return json.dumps(
            [
                {
                    "clause_id": h.clause.clause_id,
                    "heading": h.clause.heading,
                    "text": h.clause.text,
                    "edition": h.clause.edition,
                    "status": h.clause.status,
                }
                for h in hits
            ],
            ensure_ascii=False,
        )

    def get_clause(self, clause_id: str) -> str:
        clause = self.retriever.index.corpus.get(clause_id)
        if clause is None:
            return json.dumps({"error": f"没有编号为 {clause_id} 的条款"}, ensure_ascii=False)
        self.state.seen.add(clause_id)
        return json.dumps(
            {"clause_id": clause_id, "heading": clause.heading, "text": clause.text}, ensure_ascii=False
        )

    def check_eligibility(self, profile: dict[str, Any]) -> str:
        merged = merge_profiles(self.state.profile, profile or {})
        try:
            report = check(parse_profile(merged), self.rules, self.as_of)
        except AssistantError as exc:
            return json.dumps({"error": exc.message}, ensure_ascii=False)
        self.state.profile = merged
        self.state.report = report
        for requirement in report.application.requirements:
            self.state.seen.update(requirement.clause_ids)
        for gap in report.gaps:
            self.state.seen.update(gap.clause_ids)
        return json.dumps(_compact_report(report), ensure_ascii=False, default=str)

    def draft_scenario(self, spec: dict[str, Any]) -> str:
        draft = draft_from_data(spec, self.retriever.index.settings.corpus_dir)
        for finding in draft.checks:
            self.state.seen.update(finding.clause_ids)
        return json.dumps(
            {
                "instances": [line.line for line in draft.instances],
                "checks": [
                    {"severity": f.severity, "message": f.message, "clause_ids": f.clause_ids}
                    for f in draft.checks
                ],
                "text": draft.text(),
            },
            ensure_ascii=False,
        )

    def run(self, name: str, args: dict[str, Any]) -> str:
        self.state.tool_calls.append(name)
        tool = self.by_name.get(name)
        if tool is None:
            return json.dumps({"error": f"没有名为 {name} 的工具"}, ensure_ascii=False)
        try:
            return str(tool.invoke(args))
        except AssistantError as exc:
            return json.dumps({"error": exc.message}, ensure_ascii=False)
        except Exception as exc:  # a malformed call from the model: tell it, do not crash the turn
            return json.dumps({"error": f"工具调用参数有误：{exc}"}, ensure_ascii=False)


def build_messages(
    question: str, history: list[Message], profile: dict[str, Any], editions: list[str], edition: str
) -> list[BaseMessage]:
    system = load_prompt("system").render(edition=edition, editions="、".join(editions))
    messages: list[BaseMessage] = [SystemMessage(system)]
    for item in history:
        messages.append(HumanMessage(item.content) if item.role == "user" else AIMessage(item.content))
    context = f"\n\n（已知的企业情况：{json.dumps(profile, ensure_ascii=False)}）" if profile else ""
    # The user's words are data: they are passed as the human message, never spliced into the system prompt.
    messages.append(HumanMessage(question + context))
    return messages


class Agent:
    """Runs the tool loop on a chat model and applies the guards."""

    def __init__(self, llm: BaseChatModel, timeout: float = 30.0, max_steps: int = MAX_STEPS) -> None:
        self.llm = llm
        self.timeout = timeout
        self.max_steps = max_steps

    async def stream(
        self, messages: list[BaseMessage], toolbox: Toolbox, on_token: Callable[[str], None] | None = None
    ) -> AsyncIterator[str]:
        """Yield answer tokens as the model produces them; the final text is in `messages[-1]`."""
        model = self.llm.bind_tools(toolbox.tools)
        for _ in range(self.max_steps):
            message: AIMessageChunk | None = None
            try:
                async with asyncio.timeout(self.timeout):
                    async for chunk in model.astream(messages):
                        message = chunk if message is None else message + chunk  # type: ignore[assignment]
                        if isinstance(chunk.content, str) and chunk.content:
                            yield chunk.content
            except TimeoutError as exc:
                raise LLMError(f"大模型在{self.timeout:.0f}秒内没有响应") from exc
            except LLMError:
                raise
            except Exception as exc:
                raise LLMError(f"大模型调用失败：{type(exc).__name__}") from exc
            if message is None:
                raise LLMError("大模型没有返回内容")
            ai = AIMessage(content=message.content, tool_calls=message.tool_calls)
            messages.append(ai)
            if not ai.tool_calls:
                return
            for call in ai.tool_calls:
                result = await asyncio.to_thread(toolbox.run, call["name"], call.get("args") or {})
                messages.append(ToolMessage(content=result, tool_call_id=call.get("id") or call["name"]))
        raise LLMError(f"大模型在{self.max_steps}轮工具调用后仍未给出答案")

    def finish(self, text: str, toolbox: Toolbox, *, ensure_report: bool) -> AgentAnswer:
        """Apply the citation and verdict guards to the model's final text."""
        state = toolbox.state
        flags: list[str] = []
        if ensure_report and state.report is None and state.profile:
            toolbox.check_eligibility({})  # a profile is known: the verdict comes from the checker
        report = state.report
        if report is not None and contradicts(text, report.reachable_tier):
            text = f"{verdict_block(report)}\n\n{strip_claims(text, report.reachable_tier)}".strip()
            flags.append("verdict_overridden")
            log.warning("model verdict contradicted the checker; replaced")
        known = set(toolbox.retriever.index.corpus.by_id)
        guarded = guard_citations(text, state.seen, known)
        return AgentAnswer(
            guarded.text, guarded.cited, report, state.profile, flags + guarded.flags, state.tool_calls
        )
