"""A grounded answer as the answerer returns it (``Composed``), and its wording that takes no
retrieval: how a clause is quoted, how the facts understood are echoed, how the parts become the
text, and the refusals (fabrication, secrets, out of scope), which are fixed sentences.

Kept apart from ``answerer``, which decides what an answer says; this module only words it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.grounded.evidence import book_title, short_title
from assistant.answering.understanding import Fact
from assistant.knowledge.corpus import Clause, Corpus
from assistant.rules import CheckReport, RuleSet

#: The longest question echoed back in a refusal (a longer one is not repeated).
MAX_ECHO = 40
IGNORED_INSTRUCTIONS = "消息中要求改变规则或索取系统信息的部分不予执行；以下只回答申报相关的问题。"


@dataclass
class Composed:
    """A composed answer before session bookkeeping: text, what it cites, the verdict."""

    text: str
    citations: list[str]
    intent: str
    edition: str
    verdict: CheckReport | None = None
    missing_facts: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    profile: dict[str, Any] = field(default_factory=dict)
    #: The direct answer: the first paragraph of `text`, before the quoted sources.
    lead: str = ""
    #: How the question was read and answered (grounded/plan.py), for tracing a wrong answer.
    plan: dict[str, Any] | None = None


def quote(clause: Clause, short_title: str) -> str:
    """A quoted clause: its 【id】, where it stands, and its text."""
    where = clause.heading_path[-1] if len(clause.heading_path) > 1 else ""
    place = f"{short_title} › {where}" if where else short_title
    return f"- 【{clause.clause_id}】{place}：{clause.text}"


def understood_line(facts: list[Fact]) -> str:
    """ "我理解的情况：…（如有误请直接更正）"."""
    parts = [("假设" if f.hypothetical else "") + f.describe() for f in facts]
    return "我理解的情况：" + "；".join(parts) + "（如有误请直接更正）"


def answer_text(
    lead: list[str], notes: list[str], sources: list[Clause], edition: str, title: Callable[[Clause], str]
) -> tuple[str, str]:
    """(the answer's text, its lead): the lead, the notes after it, the clauses quoted under
    "依据：", and a footer naming the round's documents (and the draft status of the 2025 guide
    when it is quoted)."""
    body = ["", "依据：", *[quote(c, title(c)) for c in sources]] if sources else []
    drafts = sorted({title(c) for c in sources if c.status == "draft"})
    footer = [
        f"（依据{edition}年度文件"
        + (f"；{'、'.join(drafts)}不是正式文本，需以正式文本核对" if drafts else "")
        + "。）"
    ]
    lead_text = "\n".join(line for line in lead if line).strip()
    after = "\n".join(line for line in notes if line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join([lead_text, "", after, *body, "", *footer]).strip())
    return text, lead_text


def instructions_ignored(composed: Composed) -> Composed:
    """The answer to a legitimate question wrapped in an injection, saying the rest is ignored."""
    composed.text = f"{IGNORED_INSTRUCTIONS}\n{composed.text}"
    composed.lead = f"{IGNORED_INSTRUCTIONS}\n{composed.lead}".strip()
    composed.flags = [*composed.flags, "instructions_ignored"]
    return composed


#: A request to write part of the application: the drafter does that from the enterprise's own
#: facts; the answer says where, then what the documents ask of the part.
DRAFTING_HELP = (
    "可以用本助手的起草功能来写：在网页“起草”页填写企业情况、典型场景实例和改造前后的指标数据，"
    "生成申报书（DOCX）和附件4推荐汇总表（命令行：assistant draft）；起草只用您提供的真实情况，"
    "缺少的数据会标为待补充。文件对这部分的要求："
)

#: Requests refused with a fixed sentence, by intent: nothing is looked up and nothing cited.
REFUSALS = {
    "secrets": "抱歉，系统配置、提示词和密钥不对外提供。我可以回答智能工厂梯度培育申报方面的问题。",
    "personal": "抱歉，不提供个人的私人联系方式、住址、证件号等隐私信息，也不提供其他企业的申报材料。"
    "文件公布的是申报咨询和材料邮寄的工作联系方式，可以问我“申报咨询电话是多少”。",
    "vendor": "抱歉，本助手不推荐具体的供应商、集成商或咨询机构；现有文件也没有指定或推荐任何服务商名单。"
    "可以问我申报条件、要素条件、场景写法和关键绩效指标，用来对照评估服务商的方案。",
}


def refuse(intent: str, edition: str, profile: dict[str, Any]) -> Composed:
    """The fixed refusal of an intent in REFUSALS: the system's configuration (secrets), a
    person's private data or another enterprise's application (personal), a vendor to hire."""
    return Composed(REFUSALS[intent], [], intent, edition, flags=["refused"], profile=profile)


def refuse_fabrication(corpus: Corpus, rules: RuleSet, profile: dict[str, Any]) -> Composed:
    """No help inventing figures or evidence: the round's truthfulness clause (its rules'
    declaration names it), and what the assistant can do instead."""
    edition = rules.edition
    clause = corpus.get(rules.declaration.truth_clause_id) if rules.declaration else None
    basis = f"\n\n依据：\n{quote(clause, short_title(corpus, clause))}" if clause else ""
    text = (
        "不能帮助编造或虚构绩效数据、证明材料或申报内容。申报主体应对申报内容真实性负责"
        + (f"【{clause.clause_id}】" if clause else "")
        + "。我可以帮你梳理需要哪些真实数据、"
        "按附1的关键绩效指标整理已有的改造前后数据，或把缺少数据的地方标注为待补充。" + basis
    )
    return Composed(
        text,
        [clause.clause_id] if clause else [],
        "fabricate",
        edition,
        flags=["refused"],
        profile=profile,
    )


def refuse_out_of_scope(
    corpus: Corpus,
    edition: str,
    profile: dict[str, Any],
    unheard: str = "",
    question: str = "",
    hidden: frozenset[str] = frozenset(),
) -> Composed:
    """Nothing in the documents answers: say so, naming what was asked (the requirement they
    never mention, or the question in the user's words), what the assistant holds for the round
    (``hidden``: another round's documents, not named) and what it can answer."""
    titles = "、".join(
        book_title(d.title) for d in corpus.documents if d.status == "official" and d.doc_id not in hidden
    )
    asked = re.sub(r"[？?。！!～~\s]+$", "", question.strip())
    if unheard:
        said = f"现有文件未提及“{unheard}”，对此未作规定。"
    elif asked and len(asked) <= MAX_ECHO:
        said = f"现有文件中没有关于“{asked}”的规定，无法给出有依据的回答。"
    else:
        said = "现有文件中没有找到与这个问题相关的规定，无法给出有依据的回答。"
    text = (
        said
        + f"本助手收录的是{edition}年度智能工厂梯度培育行动的文件：{titles}，以及智能制造典型场景参考指引的环节与场景信息。"
        "可以问我申报条件、各层级要素条件、截止时间、申报材料、推荐名额、关键绩效指标、场景写法等问题。"
    )
    return Composed(
        text, [], "out_of_scope", edition, flags=["refused", "no_supporting_clause"], profile=profile
    )
