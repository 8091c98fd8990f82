"""The checker's leads: the eligibility verdict in plain Chinese, the schedule and the quotas.

The verdict comes from the checker alone (assistant.rules.check); this module only words it:
the asked tier's status first, then the requirements that decide it (or the rule the question
is about, in the documents' own words), then at most three questions for the missing facts that
decide the most. Field ids and the evaluation date never reach the user.
"""

from __future__ import annotations

import datetime as dt
import re

from assistant.answering.grounded.intents import VERDICT_ASK, asked_tier
from assistant.answering.grounded.values import closest
from assistant.answering.understanding.facts import Fact
from assistant.knowledge.corpus import Clause
from assistant.knowledge.retrieval import Retriever
from assistant.language import cn_count, cn_index, read_dates, sentences
from assistant.rules import CheckReport, RequirementResult, RuleSet, field_label
from assistant.rules.report import Deadline
from assistant.vocabulary import STATUS_SEVERITY, TIERS

MAX_MISSING = 8
#: Before the rule a verdict question is about, when it leads the answer.
RULE_FIRST = "按文件规定："
#: Before what the user's one fact settles, when it leads the answer.
FACT_FIRST = "就您说的这一点："
#: With 暂不能判断, ask at most this many questions: the missing facts that decide the most.
MAX_QUESTIONS = 3
#: A requirement's sentence is quoted as the rule a verdict question is about when it shares at
#: least this many word bigrams with the question (after synonyms; tier names left out).
MIN_RULE_OVERLAP = 2
#: With nothing failing, "已知的情况都符合要求" leads (not 暂不能判断) once the user's facts meet
#: at least this many requirements, or as many as are still open: a full introduction is met.
MIN_SETTLED_TO_SAY_MET = 4
#: "可达X" is said only when at least this many facts are known (never on an almost empty profile).
MIN_FACTS_FOR_REACHABLE = 6
#: A field id in parentheses inside a checker reason, e.g. "（enterprise.industry）".
_FIELD_ID = re.compile(r"[（(][a-z_]+(\.[a-z_\u4e00-\u9fff]+)+[)）]")
#: The checker's window message names the evaluation date: not a figure of any clause.
_AS_OF_NOTE = re.compile(r"[；;，,]?\s*评估日期为[^。；;]*")
#: How to ask for a missing fact, in plain Chinese (fields not listed are asked by their label).
QUESTIONS: dict[str, str] = {
    "enterprise.province": "企业在哪个省（区、市）？",
    "enterprise.industry": "企业属于什么行业？",
    "enterprise.registered_in_prc": "企业是否在中国境内注册？",
    "enterprise.legal_form": "申报主体是独立法人，还是分公司等分支机构？",
    "enterprise.above_designated_size": "是否为规模以上工业企业？",
    "maturity.level": "智能制造能力成熟度（GB/T 39116）评估是几级？",
    "status.recognised_tier": "是否已获评先进级智能工厂？",
    "status.construction_completed": "智能工厂是否已完成建设？",
    "outcomes.kpi_standing": "主要技术经济指标处于什么水平（省内领先、国内领先等）？",
    "status.cooperates_with_checks": "是否愿意配合现场核查、技术推广和典型案例交流？",
    "basic.finance_sound_3y": "近三年经营和财务状况是否良好？",
    "basic.no_bad_credit": "是否有不良信用记录？",
    "basic.no_major_accident": "近三年是否发生过较大及以上安全、环保等事故？",
    "basic.no_violation": "是否有违法违规行为？",
    "basic.secure_controllable": "关键技术装备和软件是否安全可控、网络和数据安全风险是否可控？",
    "basic.organisation_and_talent": "是否建立了智能工厂的组织机制、有智能制造专业人才？",
    "basic.competitive": "企业和产品是否具有较强市场竞争力？",
    "outcomes.leads_industry": "在行业中起到什么范围的引领带动作用（省内、国内）？",
    "outcomes.drives_supply_chain": "是否带动了供应链上下游协同数智化升级？",
    "outcomes.solutions": "是否形成了具有行业推广价值的解决方案？",
    "outcomes.standards_group": "是否在探索构建企业智能制造“标准群”？",
    "outcomes.talent": "智能制造人才培养做到什么程度（专业人才、复合型人才培养体系）？",
}


def _application_tier(report: CheckReport) -> str | None:
    """The tier the round's application is for (卓越级 in 2024), read from its name."""
    return next((t for t in TIERS if t in report.application.round), None)


def _worst(items: list[RequirementResult]) -> str:
    return max((i.status for i in items), key=STATUS_SEVERITY.__getitem__, default="met")


def missing_facts(report: CheckReport, stated: set[str]) -> list[str]:
    """Fields the checker needs (unknown), application first, as Chinese questions."""
    fields: list[str] = []
    unknown = [r for r in report.application.requirements if r.status == "unknown"]
    unknown += [g for g in report.gaps if g.status == "unknown"]  # type: ignore[misc]
    for item in unknown:
        candidates = getattr(item, "fields", None) or [item.field]
        for path in candidates:
            if path and path not in stated and path not in fields:
                fields.append(path)
    return [field_label(path) for path in fields[:MAX_MISSING]]


def deadline_lead(report: CheckReport) -> list[str]:
    """The checker's schedule (a region's earlier deadline included when it applies)."""
    app = report.application
    lines = [
        f"- {d.who}：{d.date.year}年{d.date.month}月{d.date.day}日前"
        + "".join(f"【{c}】" for c in d.clause_ids[:1])
        for d in app.deadlines
    ]
    text = [f"按{report.edition}年度文件，时间节点如下：", *lines]
    if not app.window_open and app.window_message:
        text.append(app.window_message)
    return text


def maturity_thresholds(rules: RuleSet) -> list[tuple[str, int, str]]:
    """(tier, the maturity level it requires, its clause) from the rules file, tier order."""
    found: list[tuple[str, int, str]] = []
    for tier in rules.tiers:
        for requirement in tier.requirements:
            for check in requirement.checks:
                if check.field == "maturity.level" and isinstance(check.at_least, int):
                    found.append((tier.name, check.at_least, requirement.clause_ids[0]))
    return found


def maturity_name(rules: RuleSet) -> str:
    """The maturity requirement as the rules title it ("智能制造能力成熟度（<standard>）"),
    without its place in the list ("（基础要求5）"): the standard is the round's, not ours."""
    for tier in rules.tiers:
        for requirement in tier.requirements:
            if any(check.field == "maturity.level" for check in requirement.checks):
                return _PLACE_IN_LIST.sub("", requirement.title)
    return "智能制造能力成熟度"


#: "（基础要求5）" at the end of a requirement's title.
_PLACE_IN_LIST = re.compile(r"（[^（）]*要求\d*）$")


def maturity_lead(rules: RuleSet, tier: str | None, level: int | None) -> list[str]:
    """The maturity level a tier requires, read from the rules file ("领航级要求…四级及以上"),
    and whether the enterprise's level reaches it; every tier's in one line when none is named."""
    thresholds = maturity_thresholds(rules)
    asked = [t for t in thresholds if t[0] == tier]
    name_of = maturity_name(rules)
    if not asked:
        parts = "，".join(f"{name}{cn_count(n)}级及以上" for name, n, _ in thresholds)
        cites = "".join(f"【{c}】" for c in dict.fromkeys(c for *_, c in thresholds))
        return [f"{name_of}要求：{parts}{cites}。"] if thresholds else []
    name, need, clause = asked[0]
    line = f"{name}要求{name_of}达到{cn_count(need)}级及以上【{clause}】。"
    if level is not None:
        line += f"您的成熟度为{cn_count(level)}级，" + ("已达到。" if level >= need else "还不够。")
    return [line]


#: A maturity level said only as a bound ("没到三级", "达不到3级").
MATURITY_BELOW = re.compile(r"(没到|不到|没达到|达不到|未达到|低于|不够)([一二三四五1-5])级")


def below_maturity_lead(rules: RuleSet, tier: str, bound: int, question: str) -> list[str] | None:
    """ "成熟度没到三级，卓越级这条卡不卡": below `bound` fails a tier that needs `bound` or more;
    against a lower need, the exact level decides."""
    asked = [t for t in maturity_thresholds(rules) if t[0] == tier]
    if not asked:
        return None
    name, need, clause = asked[0]
    rule = f"{name}要求{maturity_name(rules)}达到{cn_count(need)}级及以上【{clause}】"
    if bound <= need:
        word = _condition_word("not_met", question)
        return [f"{word}。{rule}；您说没到{cn_count(bound)}级，达不到这一条。"]
    return [f"{_condition_word('unknown', question)}。{rule}；没到{cn_count(bound)}级时，要看具体是几级。"]


def own_quota_line(rules: RuleSet, words: str) -> str | None:
    """The quota of the recommender the asker names ("兵团能推几个", "我们在宁波"), from the rules
    file, before the whole sentence; None when the words name none or several."""
    spec = rules.application.quotas
    named = [q for q in spec.items if any(word in words for word in q.known_as)]
    if len(named) != 1:
        return None
    cite = "".join(f"【{c}】" for c in spec.clause_ids[:1])
    return f"{named[0].who}推荐项目数量不超过{named[0].max_projects}个{cite}。"


def quota_lead(report: CheckReport) -> list[str]:
    """The round's recommendation quotas, said to be the recommenders' limit."""
    quotas = "；".join(f"{q.who}不超过{q.max_projects}个" for q in report.application.quotas)
    return [f"推荐名额（{report.edition}年度卓越级）：{quotas}。名额是推荐单位的上限，不是企业的申报条件。"]


def eligibility_lead(
    retriever: Retriever,
    report: CheckReport,
    question: str,
    stated: set[str],
    facts: list[Fact],
    what_if: bool,
    discussed: str | None = None,
    covered: dict[str, str] | None = None,
) -> list[str]:
    """The verdict for the tier under discussion, in this order: the round in one line when its
    window has closed; the condition the question asks about (its fact's requirement: met, not
    met, 原则上 or unknown, with its clause); the tier's status in one line; what is missing,
    each condition once; at most three questions. `discussed` is the conversation's tier, used
    when the question names none."""
    tier = asked_tier(question, facts, default=discussed)
    # The application's "meets the tier's conditions" item repeats the tier's own items.
    items = _one_per_condition([i for i in _tier_items(report, tier) if i.kind != "tier_status"])
    status = _worst(items)
    round_name = report.application.round if tier == _application_tier(report) else ""
    scope = f"{tier}（{round_name}）" if round_name else tier
    prefix = "规则核验结论：" + ("假设按您说的情况，" if what_if else "")
    lines = [_round_line(report)] if round_name and not report.application.window_open else []
    not_met = [i for i in items if i.status == "not_met"]
    conditional = [i for i in items if i.status == "conditional"]
    unknown = [i for i in items if i.status == "unknown"]
    # What decides the verdict for what the user said: the requirements their own facts
    # settle (and the region's priority note), or the rule the question asks about.
    said = {f.field for f in facts}
    decided = [i for i in items if i.status == "met" and said & _fields(i) and i.reason]
    notes = [
        n
        for n in report.application.notes
        if round_name and n.id.endswith(".priority") and n.id.removesuffix(".priority") in said
    ]
    deciding = [_bullet(i) for i in decided[:2]] + [
        f"- {n.text}" + "".join(f"【{c}】" for c in n.clause_ids[:1]) for n in notes
    ]
    gaps_asked = bool(GAPS_ASK.search(question)) and status != "met"
    # "…运营管理还没动，还差什么": the list of what is missing answers, the condition among it.
    # A what-if asks about its supposed facts ("如果只做了自评估，自治区认吗"): they are the condition.
    condition = None if gaps_asked else _condition_asked(items, facts, question, what_if)
    if (
        condition is not None
        and condition.status == "met"
        and (status == "met" or (VERDICT_ASK.search(question) and not asks_condition(question)))
    ):
        # The tier is met, or only a general judgement is asked ("帮我大概判断下"), and this
        # condition holds: the verdict answers; the condition is one of its reasons.
        condition = None
    coverage = None if (what_if or gaps_asked) else coverage_line(items, tier, covered or {}, facts, question)
    if coverage is not None:
        # "覆盖了生产作业、生产管理、运营管理三个环节，先进级的环节要求够吗": coverage answers.
        lines.append(coverage)
        not_met = [i for i in not_met if i.category != "links"]
        conditional = [i for i in conditional if i.category != "links"]
    elif condition is None and (several := _conditions_asked(items, facts, question)):
        # "规上肯定是，成熟度也过了三级，这两条没问题吧": each condition asked, in one line.
        lines.append(several)
    elif condition is not None:
        said_here = {f.field for f in facts if f.said and f.said in question}
        lines.append(_condition_line(condition, question, said_here, status))
        deciding = [line for line in deciding if line != _bullet(condition)]
        not_met = [i for i in not_met if i is not condition]
        conditional = [i for i in conditional if i is not condition]
    elif (
        unrequired := None if what_if else _unrequired_line(report, tier, items, facts, question)
    ) is not None:
        lines.append(unrequired)
    elif (group := None if what_if else _links_asked(items, facts, question)) is not None:
        lines.append(_links_line(group, question, tier, _excepted(items, facts, question)))
        deciding = [line for line in deciding if line not in {_bullet(i) for i in group}]
        not_met = [i for i in not_met if i not in group]
        conditional = [i for i in conditional if i not in group]
    elif status == "unknown" and not decided:
        # The rule the question is about answers it first ("分公司能报吗" → the 独立法人 rule
        # and its exception), then 暂不能判断 and the questions.
        rule = _deciding_rule(retriever, question, items)
        if rule:
            lines.append(RULE_FIRST + rule.removeprefix("- "))
    if gaps_asked:
        lines.append(_gaps_line(tier, not_met, conditional, unknown, stated))
    lines += _status_lines(prefix + scope, status, items, not_met, conditional, unknown, len(decided))
    if status in ("unknown", "met"):
        lines += deciding
    elif notes:
        lines += deciding[-len(notes) :]
    lines += _open_lines(tier, status, unknown, stated, report, condition)
    return list(dict.fromkeys(_FIELD_ID.sub("", line) for line in lines))


#: A question whether a rule binds ("是不是必须先拿到先进级", "一定要…吗").
_ASKS_NECESSITY = re.compile(r"必须|一定要|一定得|非得|非要|是不是要|是否要|要先|得先|必需")


def rule_answer(question: str, line: str) -> str:
    """The rule a yes/no question asks about, with its word first: "原则上是" when the question
    asks whether it binds and the rule is "原则上应…" (the documents name no exception), "是" when
    it binds plainly; the rule alone otherwise."""
    rule = line.removeprefix(RULE_FIRST)
    if not _ASKS_NECESSITY.search(question):
        return line
    if "原则上" in rule:
        return f"原则上是。{RULE_FIRST}{rule.rstrip('。')}；文件用的是“原则上”，未规定例外如何认定。"
    if re.search(r"应|须|需", rule):
        return f"是。{line}"
    return line


def _fields(item: RequirementResult) -> set[str]:
    return set(item.fields or [item.field or ""])


def _one_per_condition(items: list[RequirementResult]) -> list[RequirementResult]:
    """Each condition once: of the asked tier's requirement and the same requirement at the tiers
    below (cumulative), the one that matters most (not met before 原则上 before unknown), the
    asked tier's on a tie. "未覆盖生产作业" is then one line, not one per tier."""
    kept: dict[tuple[str, ...], RequirementResult] = {}
    for item in items:
        key = tuple(sorted(_fields(item))) or (item.id,)
        held = kept.get(key)
        if held is None or STATUS_SEVERITY[item.status] > STATUS_SEVERITY[held.status]:
            kept[key] = item
    order = {id(item): n for n, item in enumerate(items)}
    return sorted(kept.values(), key=lambda i: order[id(i)])


def _condition_asked(
    items: list[RequirementResult], facts: list[Fact], question: str, what_if: bool = False
) -> RequirementResult | None:
    """The one requirement this question's own facts bear on ("我们是分厂" → the legal form),
    or the one still open among several ("其余四个都是卓越，研发设计差一档" → 研发设计); None when
    the question states no fact, or many that settle many requirements alike."""
    said_here = _said_in(question, facts, what_if)
    touched = [i for i in items if said_here & _fields(i)]
    asked = asks_condition(question)
    if what_if and not (asked or re.search(r"认吗|认不认|算吗|算不算", question)):
        return None  # "要是运营管理也补上呢": the verdict under the what-if is what is asked
    if asked and len(touched) > 1:
        # "…规上，独立法人。去年出过一次一般事故，别的没有，影响吗": the fact in the sentence
        # that asks is the condition asked about.
        # The phrase that asks ("…项目建完了，能以分公司名义报卓越吗"), not its whole sentence.
        for asking in _asking_stretches(question):
            in_ask = _said_in(asking, facts, what_if)
            # "…成熟度在c3mep上自评三级。…成熟度三级报卓越级够不够": the subject the asking stretch names.
            in_ask |= {f for f in said_here if any(word in asking for word in _SUBJECT_WORDS.get(f, ()))}
            near = [i for i in touched if in_ask & _fields(i)]
            if len(near) == 1:
                return near[0]
    # An introduction states many facts: only a condition it fails (or 原则上) leads then.
    failed = [i for i in touched if i.status in ("not_met", "conditional")]
    if len(failed) == 1:
        return failed[0]
    if len(touched) != 1:
        return None
    # A condition still open leads only when asked about ("分厂要紧吗"), not in an introduction
    # ("我们规上，想报先进级"), where the verdict and its questions come first.
    return touched[0] if touched[0].status != "unknown" or asked else None


#: Facts that are conditions somewhere in the programme; a tier that does not ask for one can be
#: said not to (where the enterprise is, or its trade, is no condition of any tier).
CONDITION_FIELDS = ("status.", "maturity.", "basic.", "links.", "outcomes.", "enterprise.legal_form")


def _unrequired_line(
    report: CheckReport, tier: str, items: list[RequirementResult], facts: list[Fact], question: str
) -> str | None:
    """ "我们啥级都没评过，能直接申请先进级吗": the one fact asked about is no condition of the tier
    discussed, so it does not stand in the way; said with the tier's clause."""
    if not asks_condition(question):
        return None
    # A tier at or above the round's application tier has prerequisites in the notices (卓越级
    # "原则上应已获评先进级", 领航级 for 卓越级 factories) that its 要素条件 do not list: no claim.
    applied = _application_tier(report)
    if applied is None or TIERS.index(tier) >= TIERS.index(applied):
        return None
    read = {f for i in items for f in _fields(i)}
    said = {f for f in _said_in(question, facts) if f.startswith(CONDITION_FIELDS)}
    if len(said) != 1 or said & read:
        return None
    (field,) = said
    cite = "".join(f"【{c}】" for c in report.tiers[tier].clause_ids[:1])  # type: ignore[index]
    return f"{FACT_FIRST}{_condition_word('met', question)}。{tier}的要素条件对{field_label(field)}没有要求{cite}。"


def _links_asked(
    items: list[RequirementResult], facts: list[Fact], question: str
) -> list[RequirementResult] | None:
    """The link requirements the question's facts speak of, when it asks whether they are enough
    ("三个都做到先进级了，另外两个没搞，环节覆盖够了吧"): they are one condition, coverage."""
    said_here = _said_in(question, facts)
    touched = [i for i in items if said_here & _fields(i)]
    asked = asks_condition(question) or re.search(r"够|环节[^，。？?]{0,6}(满足|符合|达标)", question)
    links = [i for i in touched if i.category == "links"]
    if not (asked and len(links) > 1):
        return None
    if len(links) == len(touched):
        return links
    # Other facts too ("成熟度三级，五个环节都达到卓越级，能报卓越级吗"): coverage is the condition
    # only when the phrase that asks is about the links, not about the tier as a whole.
    phrase = _asking_stretches(question)[-1] or question
    return links if re.search(r"环节|覆盖|够", phrase) else None


def _excepted(items: list[RequirementResult], facts: list[Fact], question: str) -> list[RequirementResult]:
    """The tier's requirements for links the question excepts without saying their level
    ("除了研发设计，其他四个都做到卓越级了": 研发设计 is not like the others)."""
    span = re.search(r"除了([^，。？?]*)", question)
    if span is None:
        return []
    said = {f.field for f in facts}
    return [
        i
        for i in items
        if i.category == "links"
        and (i.field or "").removeprefix("links.") in span.group(1)
        and i.field not in said
    ]


def _links_line(
    group: list[RequirementResult],
    question: str,
    tier: str,
    excepted: list[RequirementResult] = (),  # type: ignore[assignment]
) -> str:
    """ "就您说的这一点：可以。生产作业、生产管理、运营管理环节均已达到先进级建设内容【…】"; a link
    the question excepts is said apart, with its rule at this tier."""
    status = _worst(group)
    if status == "met" and excepted:
        links = "、".join(field_label(i.field or "").removesuffix("环节") for i in group)
        rules = "；".join(f"{i.title}{''.join(f'【{c}】' for c in i.clause_ids[:1])}" for i in excepted)
        return f"{FACT_FIRST}还要看情况。{links}环节均已达到{tier}建设内容；但{tier}的要求还有：{rules}。"
    word = _condition_word(status, question)
    cite = "".join(f"【{c}】" for c in group[0].clause_ids[:1])
    if status == "met":
        links = "、".join(field_label(i.field or "").removesuffix("环节") for i in group)
        return f"{FACT_FIRST}{word}。{links}环节均已达到{tier}建设内容{cite}。"
    failing = [i for i in group if i.status != "met"]
    said = "；".join(i.reason.split("；")[0] for i in failing)
    rule = failing[0].reason.split("；", 1)[-1]
    return f"{FACT_FIRST}{word}。{said}；{rule}{cite}"


#: A question whether the links covered are enough ("环节要求够吗", "算全覆盖吗", "环节上够吗").
_ASKS_COVERAGE = re.compile(
    r"环节[^，。？?]{0,8}(够|满足|符合|达标|要求|行|算)|覆盖[^，。？?]{0,6}(够|吗|行|算)|全覆盖|能算|算得上|行不行|够不够|够吗"
)


def asks_coverage(question: str) -> bool:
    return bool(_ASKS_COVERAGE.search(question))


def coverage_line(
    items: list[RequirementResult], tier: str, covered: dict[str, str], facts: list[Fact], question: str
) -> str | None:
    """ "就您说的这一点：够了。先进级须覆盖生产作业、生产管理、运营管理【…】；您覆盖了…": the
    links said covered (their level not said) against the links the tier requires (plainly or
    原则上), when the question asks whether they are enough. The level each must reach is said
    as still to judge: covering a link is not yet reaching the tier's content."""
    if not covered or not asks_coverage(question):
        return None
    links = [i for i in items if i.category == "links" and i.field]
    if not links:
        return None
    name = {i.field: (i.field or "").removeprefix("links.") for i in links}
    uncovered = {
        f.field.removeprefix("links.") for f in facts if f.field.startswith("links.") and f.value is None
    }
    levelled = {f.field.removeprefix("links.") for f in facts if f.field.startswith("links.") and f.value}
    have = set(covered) | levelled
    must = [name[i.field] for i in links if not i.principle]
    principle = [name[i.field] for i in links if i.principle]
    cite = "".join(f"【{c}】" for c in links[0].clause_ids[:1])
    # The documents' own wording: "原则上应覆盖全部五个环节" when any link is 原则上.
    every = "、".join([*must, *principle])
    rule = f"{tier}原则上应覆盖{every}" if principle else f"{tier}须覆盖{every}"
    missing = [n for n in must if n in uncovered or n not in have]
    if any(n in uncovered for n in must):
        word = "不够"
    elif missing:
        word = "还要看情况"
    elif any(n in uncovered for n in principle):
        word = "原则上不够（文件未规定例外如何认定，请向推荐单位确认）"
    elif any(n not in have for n in principle):
        word = "还要看情况"
    else:
        word = "够了"
    said = "、".join(n for n in [*must, *principle] if n in have)
    gap = "、".join(n for n in [*must, *principle] if n not in have)
    state = "未覆盖" if set(gap.split("、")) <= uncovered else "未说明"
    tail = (f"；您覆盖了{said}" if said else "") + (f"{'，' if said else '；'}{gap}{state}" if gap else "")
    return f"{FACT_FIRST}{word}。{rule}{cite}{tail}；各环节还须达到{tier}建设内容。"


def _conditions_asked(items: list[RequirementResult], facts: list[Fact], question: str) -> str | None:
    """ "就您说的这几点：不影响。…；…": several conditions the question's facts settle, asked about
    together ("这两条没问题吧"), when each is met or fails (none still open)."""
    if not asks_condition(question) or not re.search(
        r"这(两|几|些|二|三)[条点项个]|都(没问题|没毛病|满足|符合|行)", question
    ):
        return None
    said_here = _said_in(question, facts)
    touched = [i for i in items if said_here & _fields(i)]
    if len(touched) < 2:
        return None
    reasons, statuses = [], []
    for item in touched:
        if item.status != "unknown":
            reasons.append(_bullet(item).removeprefix("- ").replace("。【", "【").rstrip("。"))
            statuses.append(item.status)
        elif said_here & set(item.missing_fields) or "enterprise.legal_form" in _fields(item):
            return None  # still open on what was said: not settled by these facts
        else:  # met as far as the facts said go ("规上" of 基础要求第1条)
            labels = "、".join(field_label(f) for f in sorted(said_here & _fields(item)))
            reasons.append(f"{labels}符合要求" + "".join(f"【{c}】" for c in item.clause_ids[:1]))
            statuses.append("met")
    word = _condition_word(max(statuses, key=STATUS_SEVERITY.__getitem__), question)
    return f"就您说的这几点：{word}。" + "；".join(reasons) + "。"


def asks_condition(text: str) -> bool:
    """Whether the text asks if something is allowed ("能报吗") or stands in the way ("要紧吗")."""
    return bool(_ASKS_HARM.search(text) or _ASKS_CAN.search(text))


def _condition_word(status: str, question: str) -> str:
    """The first word of a condition's answer, in the question's terms: 不影响 / 可以 / 满足…"""
    if status == "met" and re.search(r"没问题|没毛病", question):
        return "没问题"  # "这两条没问题吧"
    harm, can, plain = _CONDITION_WORDS[status]
    return harm if _ASKS_HARM.search(question) else can if _ASKS_CAN.search(question) else plain


def _said_in(text: str, facts: list[Fact], hypothetical: bool = False) -> set[str]:
    """The fields of the facts said in `text` (stated ones, or the what-if's when `hypothetical`)."""
    return {f.field for f in facts if f.said and f.said in text and f.hypothetical == hypothetical}


def _asking_stretches(question: str) -> list[str]:
    """The sentence that asks ("…一般安全事故，别的没有，影响吗"), then its phrase that asks
    ("…项目建完了，能以分公司名义报卓越吗"): the narrower one decides when the sentence holds many
    facts."""
    sentence = next((s for s in sentences(question) if asks_condition(s)), "")
    phrase = next((p for p in reversed(re.split(r"[，,；;]", sentence)) if asks_condition(p)), "")
    return [sentence, phrase]


#: The words by which a question names a condition's subject ("成熟度…够不够").
_SUBJECT_WORDS: dict[str, tuple[str, ...]] = {
    "maturity.level": ("成熟度",),
    "enterprise.legal_form": ("法人", "分公司", "分厂", "分支"),
    "enterprise.registered_in_prc": ("注册",),
    "enterprise.above_designated_size": ("规上", "规模以上"),
    "status.recognised_tier": ("获评", "评上", "拿到", "认定"),
    "status.construction_completed": ("建成", "建完", "完工"),
    "outcomes.kpi_standing": ("指标",),
    "basic.no_major_accident": ("事故",),
    "basic.no_violation": ("违法", "违规", "罚"),
    "basic.no_bad_credit": ("信用",),
    "basic.finance_sound_3y": ("经营", "财务", "亏"),
}


#: A question whether something is allowed ("能报吗") or whether it harms ("要紧吗"): the
#: condition's first word answers it in the same terms.
_ASKS_CAN = re.compile(
    r"(?<![智功性技])能(?!力)|可以|行吗|行不行|可不可以|够不够|够吗|够了吧|够了吗|够吧|行吧|有戏|没戏"
)
_ASKS_HARM = re.compile(r"要紧|影响|卡住|卡不卡|会卡|有问题|没问题|没毛病|碍事|麻烦|拖后腿|扣分")
_CONDITION_WORDS: dict[str, tuple[str, str, str]] = {
    # status: (asked whether it harms, asked whether allowed, neither)
    "met": ("不影响", "可以", "满足"),
    "not_met": ("有影响，不满足", "不能", "不满足"),
    "conditional": ("原则上有影响", "原则上不能", "原则上不满足"),
    "unknown": ("还要看情况", "还要看情况", "还不能确定"),
}


def _condition_line(item: RequirementResult, question: str, said: set[str], overall: str = "unknown") -> str:
    """ "就您说的这一点：原则上不能。申报卓越级原则上应已获评先进级…【notice#二.(一).2】". A
    requirement the user's fact meets but other facts still leave open ("三年来没出过较大事故"
    of 基础要求第2条) is met as far as this fact goes: said so, and what else the rule asks."""
    # Settled as far as this fact goes: the rule only waits for other facts (not for the
    # recommender's judgement, which has no missing facts).
    settled = (
        item.status == "unknown"
        and bool(item.missing_fields)
        and not (said & set(item.missing_fields))
        # a branch's legal form holds only with its industry: not met "as far as it goes"
        and "enterprise.legal_form" not in _fields(item)
    )
    word = _condition_word("met" if settled else item.status, question)
    if word == "可以" and overall == "not_met":
        word = "这一点没问题，但整体不满足（见下）"  # "能直接冲卓越吗" is not answered 可以 when it fails
    if settled:
        facts = "、".join(field_label(f) for f in sorted(said & _fields(item)))
        cite = "".join(f"【{c}】" for c in item.clause_ids[:1])
        rest = "、".join(field_label(f) for f in item.missing_fields)
        return f"{FACT_FIRST}{word}。{facts}符合要求{cite}；这一条还要求{rest}。"
    return f"{FACT_FIRST}{word}。{_bullet(item).removeprefix('- ')}"


def _status_lines(
    head: str,
    status: str,
    items: list[RequirementResult],
    not_met: list[RequirementResult],
    conditional: list[RequirementResult],
    unknown: list[RequirementResult],
    settled: int = 0,
) -> list[str]:
    """The tier's status in one line, then the conditions that make it (each once). `settled`
    counts the requirements the user's facts meet, said when the verdict still waits for more."""
    if status == "met":
        return [f"{head}——满足。{_cite_all(items)}"]
    if status == "not_met" and len(not_met) == 1 and not conditional:
        # One reason is said in the verdict's own sentence: "——不满足：成熟度为二级，…要求三级".
        return [f"{head}——不满足：{_bullet(not_met[0]).removeprefix('- ')}"]
    if status == "not_met":
        lines = [f"{head}——不满足。" + ("原因：" if not_met else "")]
        lines += [_bullet(i) for i in not_met]
        if conditional:
            lines.append("另有“原则上”要求未满足（文件未规定例外如何认定，请向推荐单位确认）：")
            lines += [_bullet(i) for i in conditional]
        return lines
    if status == "conditional":
        lines = [
            f"{head}——有条件：有“原则上”要求未满足，文件未规定例外如何认定，请向推荐单位确认"
            + ("：" if conditional else "。")
        ]
        return lines + [_bullet(i) for i in conditional]
    pending = f"还有{cn_count(len(unknown))}项条件待确认"
    if settled and (settled >= len(unknown) or settled >= MIN_SETTLED_TO_SAY_MET) and not conditional:
        # Nothing the user said fails, and most is known: that is the answer they can act on,
        # then what is left (with one fact of twenty known, 暂不能判断 says it better).
        said = f"已知的情况都符合要求（{cn_count(settled)}项），{pending}，确认后才能下结论。"
        return [f"{head}——{said}{_cite_all(unknown)}"]
    known = f"您说的情况中{cn_count(settled)}项符合要求，" if settled else ""
    lines = [f"{head}——暂不能判断：{known}{pending}。{_cite_all(unknown)}"]
    if conditional:
        lines.append("其中“原则上”要求未满足（文件未规定例外如何认定，请向推荐单位确认）：")
        lines += [_bullet(i) for i in conditional]
    return lines


#: "还差什么" / "缺哪些": what is missing is the answer, before the verdict's line.
GAPS_ASK = re.compile(
    r"还差|还缺|差什么|缺什么|差哪|缺哪|还需要(什么|哪些|啥)|还要(准备|补)(什么|哪些|啥)|差距"
)


def _gaps_line(
    tier: str,
    not_met: list[RequirementResult],
    conditional: list[RequirementResult],
    unknown: list[RequirementResult],
    stated: set[str],
) -> str:
    """ "按已知情况，卓越级还差：不满足——运营管理环节：先进级；待确认——智能工厂建设、…"."""
    parts = []
    if not_met:
        parts.append("不满足——" + "、".join(_short(i) for i in not_met))
    if conditional:
        parts.append("“原则上”未满足——" + "、".join(_short(i) for i in conditional))
    facts = list(dict.fromkeys(f for i in unknown for f in i.missing_fields if f not in stated))
    if facts:
        # Labels hold "、" themselves ("无较大及以上安全、环保等事故"): listed with "，".
        limit = 4 if not_met else 6
        shown = "，".join(field_label(f) for f in facts[:limit]) + ("等" if len(facts) > limit else "")
        parts.append(f"待确认——{shown}")
    if not parts:
        parts.append("待推荐单位确认——" + "、".join(_short(i) for i in unknown))
    cites = _cite_all([*not_met, *conditional, *unknown])
    return f"按已知情况，{tier}还差：" + "；".join(parts) + f"。{cites}"


def _short(item: RequirementResult) -> str:
    """A requirement in a few words: a link's state ("运营管理环节：先进级"), else its fact's name."""
    if item.category == "links":
        return item.reason.split("；")[0].split("，")[0]
    return field_label(item.field or "") if item.field else item.title


def _open_lines(
    tier: str,
    status: str,
    unknown: list[RequirementResult],
    stated: set[str],
    report: CheckReport,
    condition: RequirementResult | None,
) -> list[str]:
    """What is still open after the verdict: facts to confirm, at most three questions (none
    once a requirement is not met: more facts cannot change it), and the tiers below in a line."""
    lines: list[str] = []
    judged_unknown = [
        i for i in unknown if not i.missing_fields and stated & _fields(i) and i is not condition
    ]
    if judged_unknown:
        lines.append("以下情况需推荐单位确认：")
        lines += [_bullet(i) for i in judged_unknown]
    questions = [] if status == "not_met" else _questions(unknown, stated)
    if questions:
        lead_in = (
            "要给出确定结论，请告诉我：" if status == "unknown" else f"{tier}还有待确认的情况，请告诉我："
        )
        # Numbered the way official documents do, so no Arabic digit in the lead is taken for
        # a figure from the documents (every lead number must be in a cited clause).
        lines.append(lead_in + "".join(f"{cn_index(n)}{q}" for n, q in enumerate(questions, 1)))
    if report.highest_tier and report.highest_tier != tier:
        lines.append(f"按已知情况，已满足{report.highest_tier}的全部要求。")
    reachable = report.reachable_tier
    # A tier above the one discussed is not what was asked ("报卓越" → not "可达领航级").
    beyond = reachable in TIERS and TIERS.index(reachable) > TIERS.index(tier)
    if (
        len(stated) >= MIN_FACTS_FOR_REACHABLE
        and reachable
        and reachable != report.highest_tier
        and not beyond
    ):
        lines.append(f"若待确认事项均有利、“原则上”要求获认可，可达{reachable}。")
    return lines


def _binding(report: CheckReport) -> tuple[Deadline, str, str] | None:
    """The deadline that opens or closes the round's window for this enterprise (the region's
    earlier one when it applies), its citation and its day in Chinese; None without one."""
    closing = [d for d in report.application.deadlines if d.window]
    if not closing:
        return None
    binding = min(closing, key=lambda d: d.date)
    cite = "".join(f"【{c}】" for c in binding.clause_ids[:1])
    return binding, cite, f"{binding.date.year}年{binding.date.month}月{binding.date.day}日"


def _closing(report: CheckReport) -> str:
    """ "已于2024年11月22日截止【notice#二.(二).1】": the deadline that closed the window."""
    found = _binding(report)
    if found is None:
        return "已截止"
    _, cite, day = found
    return f"已于{day}截止{cite}"


#: How the round's one line begins (an answer that leads with the closed window drops it).
ROUND_LINE_START = "（按"


def _round_line(report: CheckReport) -> str:
    """The round and its closed window in one line, before a verdict judged by its conditions."""
    return f"{ROUND_LINE_START}{report.application.round}通知：申报{_closing(report)}；以下按其要素条件判断）"


#: Asking whether there is still time ("还来得及吗", "现在报还赶得上吗").
IN_TIME_ASK = re.compile(
    r"来得及|来不来得及|赶得上|赶不赶得上|晚不晚|晚了吗|还有时间|迟了吗"
    # "还能报吗", "现在还能在网上申报卓越级吗": whether the window is still open.
    r"|(还|现在|目前)(能|可以)[^。？?，,]{0,8}(报|提交)"
)


def window_open_lead(report: CheckReport, question: str = "") -> str:
    """ "还来得及吗" inside the window: 来得及, and the date that closes it (the region's earlier
    one when it applies), with its clause; "要是20号才填完还来得及吗": that day against it."""
    found = _binding(report)
    if found is None:
        return ""
    binding, cite, day = found
    # Only the days the asker plans to finish on, not the rule's day they quote ("不是说22号截止么").
    asking = next((s for s in sentences(question) if IN_TIME_ASK.search(s)), question)
    planned = [
        dt.date(d.year or binding.date.year, d.month or binding.date.month, d.day) for d in read_dates(asking)
    ]
    late = any(p > binding.date for p in planned)
    return f"{'来不及' if late else '来得及'}。{binding.who}：{day}前{cite}。"


def window_closed_lead(report: CheckReport) -> str:
    """A schedule question asked after the round closed: that first, then the dates."""
    return f"{report.application.round}的申报{_closing(report)}，本轮已无法申报。"


def _deciding_rule(retriever: Retriever, question: str, items: list[RequirementResult]) -> str:
    """The sentence of the asked tier's requirement clauses that the question is about
    ("分公司能报吗" → the 独立法人 / 分支机构 rule), in the documents' own words; "" when the
    question names no particular requirement."""
    ids = dict.fromkeys(c for i in items for c in i.clause_ids)
    clauses = [c for c in map(retriever.index.corpus.get, ids) if c is not None]
    expansion = retriever.index.synonyms.expand(question)
    # The requirement's own clauses first, then what the documents say about the words asked
    # ("营收1500万" → the 规模以上工业企业 threshold in the reference notes).
    found: list[Clause] = []
    for hit in retriever.search(f"{question} {expansion}", k=3):
        document = retriever.index.corpus.document(hit.clause.doc_id)
        if hit.clause not in clauses and document is not None and not document.region:
            found.append(hit.clause)
    # The tier asked for says nothing about which requirement is asked; a tier said of the
    # enterprise ("没拿过先进级") does: it is the 先进级 prerequisite.
    target = asked_tier(question)
    # The user's own words pick the sentence first; the synonyms' document terms only when they
    # do not ("环节" expands to the scenario guide's title, which would pick the sentence naming
    # the guide over the one saying which 环节 must be covered).
    for words in (question, f"{question} {expansion}"):
        query = re.sub(rf"{target[:2]}级?|智能工厂|申报|能报|报吗", " ", words)
        # "先进" without its 级, so the sentence is not scored against 先进级's own section.
        query = re.sub(r"(基础|先进|卓越|领航)级", r"\1", query)
        for pool in (clauses, found):
            # Each clause on its own: the requirement list's order says nothing of which is asked.
            scored = [f for f in (closest(query, [clause]) for clause in pool) if f is not None]
            near = max(scored, key=lambda f: f.score, default=None)
            if near is not None and near.score >= MIN_RULE_OVERLAP:
                return f"- {near.span}【{near.clause.clause_id}】。"
    return ""


def _tier_items(report: CheckReport, tier: str) -> list[RequirementResult]:
    """The requirements that decide the asked tier: the round's application for the tier it
    is for (卓越级 in 2024), the tier's cumulative requirements otherwise."""
    # The asked tier's own requirements first, then the tiers below it: what is said first is
    # measured against the tier asked about ("三级，达到卓越级要求"), not against 基础级.
    below = TIERS[: TIERS.index(tier) + 1][::-1]
    cumulative = [r for t in below for r in report.tiers[t].requirements]  # type: ignore[index]
    if tier == _application_tier(report):
        return list(report.application.requirements) + cumulative
    return cumulative


def _bullet(item: RequirementResult) -> str:
    """A requirement's reason with (at most two of) its clause ids."""
    cite = "".join(f"【{c}】" for c in item.clause_ids[:2])
    return f"- {item.reason}{cite}"


def _cite_all(items: list[RequirementResult]) -> str:
    """The first clause id of each requirement, at most three."""
    ids = list(dict.fromkeys(c for i in items for c in i.clause_ids[:1]))[:3]
    return "".join(f"【{c}】" for c in ids)


def _questions(unknown: list[RequirementResult], stated: set[str]) -> list[str]:
    """The missing facts that decide the most requirements, at most MAX_QUESTIONS."""
    weight: dict[str, int] = {}
    for item in unknown:
        for path in item.missing_fields or []:
            if path not in stated:
                weight[path] = weight.get(path, 0) + 1
    # The round's own application facts (registration, legal form, construction...) first,
    # then by how many requirements a fact decides; report order breaks ties.
    application = {p for i in unknown if i.category == "application" for p in i.missing_fields or []}
    ranked = sorted(weight, key=lambda p: (p not in application, -weight[p]))
    out: list[str] = []
    for path in ranked:
        question = QUESTIONS.get(path) or (
            f"{field_label(path)}达到哪一层级？"
            if path.startswith("links.")
            else f"{field_label(path)}：是否符合？"
        )
        if question not in out:
            out.append(question)
        if len(out) == MAX_QUESTIONS:
            break
    return out
