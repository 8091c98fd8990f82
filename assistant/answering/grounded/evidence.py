"""The evidence lead: the clauses to quote, and the lead composed from their sentences.

Which clauses a question may quote (the intent's documents, the regional notices that apply,
none that are ruled out, only hits near the best one), the lead compose.py builds from them,
and two leads read straight from data: where a 环节 or scenario sits among the five links
(the scenario catalogue) and 附1 at a glance (its indicators counted from the corpus).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.answering.grounded.asks import value_ask
from assistant.answering.grounded.compose import asked_parts, compose
from assistant.answering.grounded.intents import Intent, asked_tier
from assistant.answering.grounded.scope import named_edition_docs, silence_note
from assistant.answering.grounded.similarity import SentenceSimilarity
from assistant.answering.grounded.values import NUMBERING, sentences
from assistant.knowledge.corpus import Clause, Corpus
from assistant.knowledge.retrieval import Retriever, mentioned_tiers
from assistant.knowledge.scenarios import Edition, ScenarioCatalog
from assistant.vocabulary import TIERS

MAX_SOURCES = 4
MAX_K = 50
RELATIVE_CUTOFF = 0.5


def book_title(title: str) -> str:
    """A document title in 《》, unless the title already carries its own marks."""
    return title if "《" in title else f"《{title}》"


def short_title(corpus: Corpus, clause: Clause) -> str:
    """The document's short name (“通知”, “附件3”), the clause's title when none is held."""
    document = corpus.document(clause.doc_id)
    return document.short_title if document else clause.title


def quoted_sources(
    retriever: Retriever,
    question: str,
    intent: Intent,
    regional: list[str],
    excluded: list[str],
    edition: str | None,
) -> list[Clause]:
    """The clauses to quote: the intent's documents (and headings), regional notices that apply
    and none that are ruled out, and only hits scoring at least half the best one."""
    # intents.yaml names documents by what they are: a later round's copy counts as its role.
    roles = set(intent.docs)
    routed = [d.doc_id for d in retriever.index.corpus.documents if d.doc_id in roles or d.role in roles]
    docs = [*routed, *regional] if intent.docs else None
    hits = retriever.search(question, k=MAX_K if intent.headings else 8, edition=edition, doc_ids=docs)
    hits = [h for h in hits if h.clause.doc_id not in excluded]
    if intent.headings:
        hits = [h for h in hits if any(w in h.clause.heading for w in intent.headings)] or hits
    if hits:
        hits = [h for h in hits if h.score >= RELATIVE_CUTOFF * hits[0].score]
    clauses = [h.clause for h in hits]
    if regional:
        extra = [h.clause for h in retriever.search(question, k=2, doc_ids=regional)]
        clauses = clauses[: MAX_SOURCES - len(extra)] + [c for c in extra if c not in clauses]
    return clauses[:MAX_SOURCES]


def evidence_lead(
    retriever: Retriever,
    rules_edition: str,
    question: str,
    sources: list[Clause],
    regional: list[str],
    excluded: list[str],
    edition: str | None,
    profile: dict[str, Any],
) -> tuple[list[str], list[Clause]] | None:
    """The lead composed from the sentences of the applicable clauses (compose.py), and the
    sources extended by the clauses it cites; None when it finds nothing to say."""
    corpus = retriever.index.corpus
    parts = asked_parts(question)
    pool = list(sources)
    for hit in retriever.search(question, k=3, doc_ids=regional) if regional else []:
        if hit.clause not in pool:
            pool.insert(0, hit.clause)

    lexical = retriever.lexical  # the follow-up searches are keyword queries

    def search(query: str) -> list[Clause]:
        hits = lexical.search(query, k=4, edition=edition)
        if regional:
            hits += lexical.search(query, k=2, edition=edition, doc_ids=regional)
        return [h.clause for h in hits if h.clause.doc_id not in excluded]

    silence = silence_note(corpus, rules_edition, question, parts, profile)
    similarity = SentenceSimilarity(retriever, question)
    similarity.prefetch(pool)
    composed = compose(
        question,
        pool,
        label=lambda clause: _label(corpus, clause),
        silence=silence,
        search=search,
        prefer=[*regional, *named_edition_docs(corpus, question)],
        expand=retriever.index.synonyms.expand,
        similarity=similarity,
        siblings=lambda clause: _siblings(corpus, clause),
    )
    if not composed.lines:
        return None
    cited = [c for c in map(corpus.get, composed.cited) if c is not None]
    if cited and not composed.silent:
        note = other_tier_note(corpus, lexical, question, cited[0], edition)
        if note is not None:
            line, clause = note
            composed.lines.insert(0, line)
            cited.append(clause)
    quoted = [*cited, *[c for c in sources if c not in cited]][: max(MAX_SOURCES, len(cited))]
    return composed.lines, quoted


_WHO_RUNS_IT = re.compile(r"认定|自建自评|推荐|组织开展")
_WHO_RUNS_BY_PREFERENCE = (re.compile(r"认定|自建自评|组织开展"), re.compile(r"推荐"))


def other_tier_note(
    corpus: Corpus, lexical: Retriever, question: str, lead_clause: Clause, edition: str | None
) -> tuple[str, Clause] | None:
    """When the question names one tier and the lead's clause sits in a section of another tier
    ("想报先进级，要准备什么材料" led by 附件3, 卓越级's materials list), the line to put first:
    that the documents set this only for that tier, and what they say of the asked tier (who
    runs it), quoted and cited. None when the asked tier has a section of the same name (要素条件
    repeats each item per tier: then the lead merely picked the wrong tier's, and nothing is
    absent), or when the lead's section names no tier."""
    asked = mentioned_tiers(question)
    if len(asked) != 1:
        return None
    tier = next(iter(asked))
    said = [t for t in TIERS if t in lead_clause.heading]
    if not said or tier in said:
        return None
    counterpart = _section(re.sub("|".join(said), tier, lead_clause.heading))
    if any(_section(clause.heading) == counterpart for clause in corpus.clauses):
        return None
    runs = who_runs(lexical, tier, edition)
    if runs is None:
        return None
    rule, clause = runs
    return (
        f"现有文件中这一项只针对{'、'.join(said)}，没有{tier}的规定。"
        f"关于{tier}，文件规定：{rule}【{clause.clause_id}】。",
        clause,
    )


#: Asking how, where, when or by whom a tier is applied for, or whether it can be now.
APPLYING = re.compile(
    r"(能|可以|怎么|如何|去哪|在哪|哪里|何时|什么时候|啥时候|今年|这次|本次|这批|现在)[^，。？?]{0,4}(申?报|申请|参评|评定|认定)"
    r"|(直接|跳过[^，。？?]{0,3})(上|冲|报|申报|申请|评)"
    r"|(申?报|申请|认定|评定)[^，。？?]{0,4}(流程|程序|渠道|入口|途径|时间|找谁|谁来|由谁)"
    r"|(谁|哪个部门|哪一级)[^，。？?]{0,4}(认定|评定|评审|组织)"
)
#: Asking what a tier requires, which the 要素条件 answers for every tier.
REQUIREMENT_WORDS = re.compile(r"条件|要求|要素|指标|成熟度|材料|准备|几级|水平")


def who_runs(
    lexical: Retriever, tier: str, edition: str | None, wording: re.Pattern[str] | None = None
) -> tuple[str, Clause] | None:
    """The documents' sentence on who runs a tier (基础级: 自建自评; 先进级: the province's
    评审认定; 领航级: 推荐 by region or 中央企业), from an official document."""
    candidates = [
        (sentence.rstrip("。；;"), hit.clause)
        for hit in lexical.search(f"{tier}智能工厂 认定 推荐 自建自评", k=12, edition=edition)
        if hit.clause.status == "official"
        for sentence in sentences(hit.clause)
        if tier in sentence
    ]
    # Who recognises or organises it first; who merely recommends it only when nothing says more.
    for pattern in (wording,) if wording else _WHO_RUNS_BY_PREFERENCE:
        for sentence, clause in candidates:
            if pattern.search(sentence):
                return sentence, clause
    return None


#: Asking who recognises, assesses or organises a tier.
ASKS_WHO = re.compile(r"谁|哪个部门|哪级|哪一级|哪些部门|什么部门|认定主体|负责认定")


#: Who recognises a tier, by level: the enterprise itself, the province, the ministries. A text
#: is of a level when it names that one only ("省级工业和信息化主管部门" is the province's).
LEVELS = (
    ("enterprise", re.compile(r"自建自评|企业自己|自己评|自评")),
    ("province", re.compile(r"省|自治区|厅|盟市|地方|市里|市工信局")),
    ("nation", re.compile(r"工业和信息化部|工信部|部里|国家|国务院|中央|部委")),
)
#: A question about the enterprise's own standing or eligibility.
_ABOUT_THE_ENTERPRISE = re.compile(
    r"我们|我司|我厂|咱们|资格|能报|能不能报|可以报|够格|没拿|拿过|获评过|评上过"
)
#: Asking whether, or by whom, a tier is recognised ("卓越级是自治区工信厅认定的吧？").
RECOGNISED_BY = re.compile(r"认定|评定|评审|批准|审批|谁评|谁来评|推荐")
YES_NO_END = re.compile(r"[吗么吧嘛][？?。！!]*$|是不是|是否|对吗|对吧")


def _level(text: str) -> str | None:
    """The level a text names first ("省级工业和信息化主管部门…有关中央企业…" is the province's)."""
    found = [(match.start(), name) for name, pattern in LEVELS if (match := pattern.search(text))]
    return min(found)[1] if found else None


def one_tier_who_lead(
    lexical: Retriever, question: str, edition: str | None
) -> tuple[list[str], list[Clause]] | None:
    """ "先进级是不是由工信部认定" / "卓越级是谁认定的": who recognises the one tier named, from
    the documents; a yes/no question about one body is answered 是/不是 first when the body's
    level (the enterprise, the province, the ministries) and the documents' are each clear."""
    named = sorted(mentioned_tiers(question), key=TIERS.index)
    if len(named) != 1 or not RECOGNISED_BY.search(question) or REQUIREMENT_WORDS.search(question):
        return None
    if _ABOUT_THE_ENTERPRISE.search(question):
        return None  # "没拿过自治区认定，是不是就没资格报卓越了": eligibility, not who recognises
    if value_ask(question) is not None or not (ASKS_WHO.search(question) or YES_NO_END.search(question)):
        return None
    tier = named[0]
    runs = who_runs(lexical, tier, edition)
    if runs is None:
        return None
    sentence, clause = runs
    asked, said = _level(question.replace(tier, "").replace(tier[:2], "")), _level(sentence)
    answer = ""
    # Only a sentence on who recognises it settles a yes/no (领航级's says who recommends it).
    if YES_NO_END.search(question) and asked and said and re.search(r"认定|自建自评", sentence):
        answer = "是。" if asked == said else "不是。"
        # "是工信部一家单独组织的吧" of a sentence that says 会同/联合: not alone.
        if re.search(r"单独|一家|独自|自己", question) and re.search(r"会同|联合", sentence):
            answer = "不是，是多个部门共同组织。"
    return [f"{answer}按文件规定，{tier}：{sentence}【{clause.clause_id}】。"], [clause]


def each_tier_lead(
    lexical: Retriever, question: str, edition: str | None
) -> tuple[list[str], list[Clause]] | None:
    """ "基础级、先进级、卓越级分别由谁认定": each tier named (or all four, "各层级"), with the
    documents' sentence on who runs it, in the tiers' order; one tier is one_tier_who_lead's."""
    named = sorted(mentioned_tiers(question), key=TIERS.index) or [t for t in TIERS if t[:2] in question]
    if re.search(r"各层级|各个层级|四个层级|各级|每一级|每个层级", question):
        named = list(TIERS)
    if len(named) == 1:
        return one_tier_who_lead(lexical, question, edition)
    if len(named) < 2 or not ASKS_WHO.search(question) or REQUIREMENT_WORDS.search(question):
        return None
    lines: list[str] = []
    cited: list[Clause] = []
    for tier in named:
        runs = who_runs(lexical, tier, edition)
        if runs is None:
            lines.append(f"- {tier}：现有文件未写明由谁认定。")
            continue
        sentence, clause = runs
        lines.append(f"- {tier}：{sentence}【{clause.clause_id}】。")
        cited.append(clause)
    return (lines, list(dict.fromkeys(cited))) if cited else None


def other_round_tier_lead(
    lexical: Retriever,
    question: str,
    application_tier: str,
    round_name: str,
    edition: str | None,
) -> tuple[list[str], list[Clause]] | None:
    """ "领航级今年能报吗" / "基础级在哪里申报": the round's application is for another tier, so
    the answer is that, and who runs the tier asked (from the documents); None when the question
    names no other tier, asks what a tier requires, or asks nothing about applying."""
    # The tier asked for, not one said of the enterprise ("没拿过先进级，能直接报卓越吗").
    tier = asked_tier(question)
    # A question that names the round's own tier is about the round ("卓越级是不是必须先拿到先进级").
    # "能直接报领航级，跳过卓越吗" names the round's tier only as the one to skip.
    skipped = re.search(rf"(跳过|越过|绕过|不经过|不用先?评|不拿){application_tier[:2]}", question)
    if (
        tier == application_tier
        or tier[:2] not in question
        or (application_tier[:2] in question and not skipped)
    ):
        return None
    if REQUIREMENT_WORDS.search(question) or not APPLYING.search(question):
        return None
    theirs = who_runs(lexical, tier, edition)
    ours = who_runs(lexical, application_tier, edition, re.compile(f"组织开展{application_tier}"))
    if theirs is None:
        return None
    # No 能/不能 first: the notice runs other tiers elsewhere (a province's 先进级, 领航级 recommended
    # for 卓越级 factories), so "not in this round" is the answer, not "cannot".
    lines = [f"现有文件中，本轮申报（{round_name}）只针对{application_tier}，{tier}不在其中。"]
    if ours is not None:
        lines[0] = lines[0].rstrip("。") + f"：{ours[0]}【{ours[1].clause_id}】。"
    lines.append(f"关于{tier}，文件规定：{theirs[0]}【{theirs[1].clause_id}】。")
    return lines, [theirs[1], *([ours[1]] if ours else [])]


def _section(heading: str) -> tuple[str, ...]:
    """A heading path without its numbering ("四、卓越级智能工厂 › (二)建设成效" → the names)."""
    return tuple(NUMBERING.sub("", part.strip()) for part in heading.split("›"))


def _siblings(corpus: Corpus, clause: Clause) -> list[Clause]:
    """The clauses of the same document under the same heading: a numbered list's items."""
    return [c for c in corpus.clauses if c.doc_id == clause.doc_id and c.heading == clause.heading]


def _label(corpus: Corpus, clause: Clause) -> str:
    """A document's name before its claim when several documents answer one part; the full
    title when the short one carries a number of its own (附件3), so no lead number comes
    from outside the clause cited."""
    short = short_title(corpus, clause)
    return f"{book_title(clause.title) if re.search(r'[0-9]', short) else short}："


def catalog_lead(catalog: ScenarioCatalog, question: str) -> list[str]:
    """Where a named 环节 or scenario sits among the five links, from the scenario catalog: an
    edition that lists only 环节 (附件2's footnotes) by 环节 name, one that lists scenarios by
    scenario name or common alias. The editions are the catalog's data, oldest first."""
    lines: list[str] = []
    for key in sorted(catalog.editions):
        edition = catalog.edition(key)
        line = (
            _scenario_line(catalog, edition, question)
            if edition.has_scenarios
            else _segment_line(edition, question)
        )
        if line:
            lines.append(line)
    return lines


def _guide_name(edition: Edition) -> str:
    name = f"《智能制造典型场景参考指引({edition.edition}年版)》"
    return f"{name}征求意见稿" if edition.is_draft else name


def _segment_line(edition: Edition, question: str) -> str:
    # Longest name first, so a 环节 named inside a longer one is not taken for it.
    for segment_name in sorted(edition.segments, key=len, reverse=True):
        segment = edition.segments[segment_name]
        if segment_name in question and segment.link:
            return (
                f"“{segment_name}”是{_guide_name(edition)}的环节，归入要素条件的“{segment.link}”环节"
                f"【{segment.clause_id}】。"
            )
    return ""


def _scenario_line(catalog: ScenarioCatalog, edition: Edition, question: str) -> str:
    scenarios = edition.scenarios
    named = [n for n in sorted(scenarios, key=len, reverse=True) if n in question]
    match = catalog.match(question, edition.edition, kind="scenario")
    name = named[0] if named else (match.name if match.confident else None)
    if not name:
        return ""
    scenario = scenarios[name]
    via = "" if name in question else f"（“{match.via}”通常指该场景，请确认）"
    derived = (
        f"（此对应关系为本助手推定【{edition.mapping_clause_id}】）"
        if edition.link_mapping_status == "derived"
        else ""
    )
    return (
        f"“{name}”{via}是{_guide_name(edition)}中“{scenario.segment}”环节的场景"
        f"【{scenario.clause_id}】，对应要素条件的“{scenario.link}”环节{derived}。"
    )


def kpi_overview(corpus: Corpus, doc_id: str) -> str:
    """The KPI reference list at a glance (``doc_id``: the round's, named by its rules): how
    many indicators, in which categories, counted from the corpus."""
    document = corpus.document(doc_id)
    groups: dict[str, list[str]] = {}
    for clause in document.clauses if document else ():
        if len(clause.heading_path) > 1:
            groups.setdefault(clause.heading_path[-1], []).append(clause.clause_id.split("#")[1])
    if document is None or not groups:
        return ""
    total = sum(len(ids) for ids in groups.values())

    def span(ids: list[str]) -> str:
        marks = "".join(f"【{doc_id}#{i}】" for i in dict.fromkeys([ids[0], ids[-1]]))
        return f"第{number_range(ids)}项{marks}"

    parts = "；".join(f"{name}（{span(ids)}）" for name, ids in groups.items())
    return f"{document.short_title}《{document.title}》共{total}项指标，分为{len(groups)}类：{parts}。"


def number_range(ids: list[str]) -> str:
    """A run of clause numbers as 1–6; a single one as 20, not 20–20."""
    return ids[0] if ids[0] == ids[-1] else f"{ids[0]}–{ids[-1]}"
