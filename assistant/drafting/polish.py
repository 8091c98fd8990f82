"""Let a chat model rewrite a draft's prose, keeping every fact.

Its answer is accepted block by block only when it keeps every figure, placeholder and instance
line and adds none; otherwise the template text stays and the draft says why.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from assistant.drafting.model import Draft
from assistant.drafting.wording import PLACEHOLDER_RE, absolute_claims, leadership_claims, numbers_in
from assistant.prompts import load_prompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

#: Only the prose parts of 附件3 are reworded: the drafter's parts after the first two, which
#: are facts (一, a table) and facts with the commitment (二). By position, so that whatever a
#: round's rules call its parts, the same builders' text is the one reworded.
FACT_PARTS = 2
_BLOCK_MARK = re.compile(r"^\s*\[\[(?P<id>[^\]\s]+)\]\]\s*$", re.MULTILINE)


def polish_blocks(draft: Draft) -> dict[str, str]:
    """The prose the model may rewrite, one block per subsection (tables are never sent)."""
    blocks = {}
    for section in draft.sections[FACT_PARTS:]:
        for n, sub in enumerate(section.subsections, start=1):
            blocks[f"{section.key}.{n}"] = "\n".join(sub.paragraphs)
    return blocks


def polish_input(draft: Draft) -> str:
    """What the model receives: context, then every block under its ``[[id]]`` marker."""
    head = (
        f"申报单位：{draft.enterprise}\n项目名称：{draft.project_name}\n目标层级：{draft.target_tier}\n\n"
        "以下为待润色的段落，请按原顺序、保留每个 [[编号]] 标记输出：\n"
    )
    return head + "\n".join(f"\n[[{key}]]\n{text}" for key, text in polish_blocks(draft).items())


def _parse_blocks(text: str) -> dict[str, str]:
    marks = list(_BLOCK_MARK.finditer(text))
    blocks = {}
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        blocks[mark.group("id")] = text[mark.end() : end].strip()
    return blocks


def verify_polish(original: str, polished: str, fixed: list[str] | None = None) -> str | None:
    """Why a polished block must be rejected, or None when it keeps every fact.

    Rules: no number that the original lacks (compared as exact decimals); the same
    placeholders, none dropped or added; fixed lines (instance lines) kept verbatim; no new
    claims of leadership (国内领先 …)."""
    if not polished.strip():
        return "润色结果为空"
    allowed = set(numbers_in(original))
    invented = [n for n in numbers_in(polished) if n not in allowed]
    if invented:
        return f"出现了原文没有的数字“{'、'.join(str(n) for n in sorted(set(invented)))}”"
    if Counter(PLACEHOLDER_RE.findall(original)) != Counter(PLACEHOLDER_RE.findall(polished)):
        return "改动或删去了【待补充】占位符"
    for line in fixed or []:
        if line not in polished:
            return f"改动了场景实例行“{line}”"
    new_claims = {*leadership_claims(polished), *absolute_claims(polished)} - {
        *leadership_claims(original),
        *absolute_claims(original),
    }
    if new_claims:
        return f"加入了原文没有的“{'、'.join(sorted(new_claims))}”表述"
    return None


def polish(draft: Draft, llm: BaseChatModel | None) -> Draft:
    """Let ``llm`` rewrite the template prose; keep only blocks that pass ``verify_polish``.

    Returns a new Draft (the input is untouched). With no LLM, or when the call fails, the
    template text stays and ``notes`` says so: drafting must never fail because a model did.
    """
    result = draft.model_copy(deep=True)
    if llm is None:
        return result
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt("draft_polish").text
    try:
        answer = llm.invoke([SystemMessage(content=prompt), HumanMessage(content=polish_input(draft))])
    except Exception as exc:  # any provider error: keep the template
        result.notes.append(f"大模型润色失败（{type(exc).__name__}），保留模板文本。")
        return result
    content = answer.content if isinstance(answer.content, str) else str(answer.content)
    polished = _parse_blocks(content)
    if not polished:
        result.notes.append("大模型润色结果缺少段落编号标记，无法对应，已全部弃用，保留模板文本。")
        return result
    accepted = 0
    for section in result.sections[FACT_PARTS:]:
        for n, sub in enumerate(section.subsections, start=1):
            key = f"{section.key}.{n}"
            where = f"{section.key}、{section.title}{sub.key}{sub.title}"
            new = polished.get(key)
            if new is None:
                result.notes.append(f"{where}：润色结果缺少该段，保留模板文本。")
                continue
            problem = verify_polish("\n".join(sub.paragraphs), new, sub.fixed)
            if problem:
                result.notes.append(f"{where}：润色结果{problem}，已弃用，保留模板文本。")
                continue
            sub.paragraphs = [p.strip() for p in new.splitlines() if p.strip()]
            accepted += 1
    if accepted:
        result.mode = "llm"
    return result
