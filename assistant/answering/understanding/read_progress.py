"""Reading how far the enterprise has come: its maturity level, recognised tier and links.

Two different maturity levels in one text ("第三方评2级、自评3级") are kept as a conflict to ask
about, never a silent choice; a tier that is a target ("想冲卓越级") is not a recognised one; a
tier stated for "all links" or "the other links" fills the links not named one by one.
"""

from __future__ import annotations

import re

from assistant.answering.understanding.facts import Fact
from assistant.answering.understanding.phrases import FIRST_PERSON, Phrase, Reading, modal, negated
from assistant.language import to_int
from assistant.vocabulary import LINK_SYNONYMS, LINKS, TIERS

_TIER_WORDS = "|".join(TIERS)
_LEVEL = r"([一二两三四五1-5])\s*级"


def read_maturity(reading: Reading) -> None:
    levels: list[tuple[int, str | None, str, Phrase]] = []
    for clause in reading.clauses:
        text = clause.text
        # The context may sit in another clause of the sentence ("以第三方评估为准，是二级").
        context = re.search(
            r"成熟度|自评|第三方|三方|评估|c3mep|测评|诊断|评了|评的|评为|评定|说错了|更正", clause.sentence
        ) or (
            # "领航级成熟度要几级？我们现在是四级": the level said of us after a maturity question.
            FIRST_PERSON.search(clause.text) and re.search(r"成熟度", reading.text)
        )
        if not context:
            continue
        segment_start = 0
        for match in re.finditer(_LEVEL, text):
            tail = text[match.end() : match.end() + 3]
            before = text[max(0, match.start() - 6) : match.start()]
            if re.search(
                r"(要求|需要|至少|不低于|起码|必须|须|达到几|要到|得到|要)[^，]{0,3}$",
                text[: match.start()][-6:],
            ):
                continue
            if re.match(r"(智能工厂|单位|子公司|公司|医院|企业)", tail) or re.search(r"等保$", before):
                continue
            if negated(text, match.start()) or re.search(r"(没到|不到|没达到|达不到|未达到|不够)$", before):
                continue
            if re.search(r"几$|哪$", before) or re.match(
                r"(以上)?(才行|才能|才可以|就行|行吗|够吗|可以吗|是[^，]{0,4}目标|的目标)",
                text[match.end() :],
            ):
                continue
            if not FIRST_PERSON.search(reading.text) and re.search(r"(是不是|是否)[^，]{0,6}$", before):
                continue  # "领航级是不是成熟度三级就够了": a rule asked about, said of no one
            level = to_int(match.group(1))
            if level is None:  # pragma: no cover - _LEVEL matches a numeral 1..5 only
                continue
            segment = text[segment_start : match.start()]
            source = None
            if re.search(r"第三方|三方|机构评|专家评", segment):
                source = "third_party"
            elif re.search(r"自评|自己评|自测|自我评估", segment):
                source = "self"
            said = text[max(segment_start, match.start() - 8) : match.end()].lstrip("、和与及")
            segment_start = match.end()
            levels.append((level, source, said, clause))
    if not levels:
        return
    distinct = list(dict.fromkeys(level for level, *_ in levels))
    first = levels[0]
    if len(distinct) > 1:
        said = "、".join(dict.fromkeys(s for _, _, s, _ in levels))
        reading.facts["maturity.level"] = Fact(
            "maturity.level", distinct[0], said, first[3].hypothetical, conflict=tuple(distinct[1:])
        )
        return
    reading.put("maturity.level", first[0], first[2], first[3])
    sources = {s for _, s, _, _ in levels if s}
    if not sources:
        # "成熟度三级，是第三方评的": the source named elsewhere in the same sentence.
        sentence = first[3].sentence
        if re.search(r"第三方|三方机构", sentence):
            sources = {"third_party"}
        elif re.search(r"自评|自己评|自测", sentence):
            sources = {"self"}
    if sources:
        source = "third_party" if "third_party" in sources else "self"
        word = "第三方" if source == "third_party" else "自评"
        reading.put("maturity.assessed_by", source, word, first[3])


def read_recognised(reading: Reading) -> None:
    verbs = r"评上|评上了|评过|评为|获评|被评为|认定为|认定过|认定|被认定为|认定了|入选|拿到|拿了|拿过|获得|获过|通过了?|评了|是"
    quals = r"(省级|省里的?|省工信厅的?|省|自治区级?的?|区级|市级|市里的?|国家级?的?|工信厅的?|的)?"
    for clause in reading.clauses:
        text = clause.text
        if none := re.search(
            rf"(没|没有|未|还没|从没)(参加|参与|申报|报)过?({_TIER_WORDS})?(的)?(评定|评选|认定)|(没|没有|未|还没)(评上|获评|评过)(任何|过任何)(层级|级别)"
            r"|(啥|什么|任何|哪)(级|层级|级别)?(都|也)(还)?(没|没有|未)(评|拿|获|认定)"
            # "就是还没评先进级" / "先进级还没评": a title not held, said with the bare verb.
            rf"|(没|没有|未|还没|尚未)(评|获评)({_TIER_WORDS})|({_TIER_WORDS})(还|也|都)?(没|没有|未|尚未)评(?!审|估|价)",
            text,
        ):
            # "研发设计没评先进级水平" speaks of a link's level, not of a title.
            of_link = any(n in text[: none.start()] for n in [*LINKS, *LINK_SYNONYMS])
            if not (of_link or re.match(r"水平|标准|程度", text[none.end() :])):
                reading.put("status.recognised_tier", None, none.group(0), clause)
                return
        match = (
            re.search(rf"({verbs}){quals}({_TIER_WORDS})", text)
            or re.search(
                rf"({_TIER_WORDS})(智能工厂)?[^，]{{0,6}}?(已经|已|去年|前年|今年)?(评上|获评|认定|拿到|通过)"
                # "先进级也有": a title held, said in passing.
                rf"|({_TIER_WORDS})(智能工厂)?(也|都|已经)(有了|有|拿了|评了)(?![^，]{{0,3}}(吗|么))",
                text,
            )
            # "评了省级先进": the short name, only with the level that awarded it.
            or re.search(
                rf"({verbs})(省级|省里的|省|自治区级|区级|市级)(基础|先进|卓越|领航)(?!技术|水平|制造|经验)",
                text,
            )
        )
        if not match:
            continue
        tier = next(t for t in TIERS if t[:2] in match.group(0))
        if re.search(r"算不算|算是|能不能算|可不可以算|能否算|是否算|等不等于|等同", text):
            continue  # "算不算已经获评先进级": whether a title counts is asked, not a title held
        if re.search(r"谁|哪个|哪里|哪儿|怎么|如何|多少|几年|什么", text) and not re.search(
            r"已经|已|去年|前年|今年|我们|我司|我厂|客户", text
        ):
            continue  # "先进级是谁来认定的": the recognition as a topic
        before = text[max(0, match.start() - 6) : match.start()]
        # "评上卓越级以后给多少钱": a title hoped for, not held.
        if re.match(
            r"(智能工厂)?(以后|之后|后|的话|了以后|国家给|能给|会给|给多少|有什么|有啥|能拿)",
            text[match.end() :],
        ) and not re.search(r"(已经|已|去年|前年|今年|我们|我司|我厂)", before):
            continue
        # "卓越级认定需要什么条件" / "先进级认定后有效期多久": the recognition as a topic, not a title held.
        if re.match(
            r"(需要|需|要|的?条件|的?标准|的?要求|的?流程|的?程序|办法|后|以后|之后|由|是|工作|有效|周期)",
            text[match.end() :],
        ):
            continue
        if any(link in text[: match.start()] for link in [*LINKS, *LINK_SYNONYMS]):
            continue  # "研发设计已经是卓越级了" speaks of a link's level
        if match.group(0).startswith("是") and not (
            re.search(r"(已经|已)$", before) or "智能工厂" in text[match.end() : match.end() + 4]
        ):
            continue  # "是卓越级" alone may be a link's tier or a wish
        if re.search(
            r"(能|能不能|可以|想|要|争取|打算|准备|计划|有望|怎么|如何|必须|需要|要先|得先|先)$", before
        ):
            continue
        if re.search(r"吗|么", text[match.end() : match.end() + 3]) and not re.search(
            r"已经|已|去年|前年", before
        ):
            continue
        pending_result = re.search(
            r"(才|还没|尚未|未)出结果|还在(评|审)|评审中|公示中|还没下来|结果还没", text
        )
        if (
            pending_result
            or negated(text, match.start())
            or (
                re.search(r"(没有|没|还没|未|尚未|从没)[^，]{0,3}$", before)
                # "我们不是没拿过先进级": two negations, the title is held.
                and not re.search(r"(不是|并非|并不是)(没有|没|未)[^，]{0,3}$", before)
            )
        ):
            reading.put("status.recognised_tier", None, text[max(0, match.start() - 3) : match.end()], clause)
        else:
            reading.put("status.recognised_tier", tier, match.group(0), clause)
        return


_WHOLE = re.compile(r"(五个|5个|所有|全部|各个|每个|几个|这五个)环节|全环节|五大环节")
_OTHERS = re.compile(r"(其他|其余|剩下|别的|另外)(的)?(四个|4个|三个|3个|几个)?(环节)?")
#: A phrase that asks about links or their requirements, not one that states them...
_LINK_ASKS = re.compile(r"吗|么|是不是|是否|要求|需要|至少|必须|能不能|够不够|哪|什么|多少|怎么|如何")
#: ...unless it says a requirement is reached ("都达到卓越级那个要求了", "按卓越级要求做了").
_STATES_REACHED = re.compile(r"了吗|(达到|到了|满足|符合)[^，]{0,8}要求了?$|按[^，]{0,6}要求(做|建|搞)")
#: A link said not covered (not done, not started, still by hand).
_UNCOVERED = re.compile(
    r"(没做|没有做|还没做|基本没做|没覆盖|没有覆盖|未覆盖|空白|缺失|没开展|还没开展|没有涉及|不涉及|是空的|没搞"
    r"|没动|还没动|没上|还没上|没有上|没弄|还没弄|没建|还没建|没有建|没开始|还没开始|未开始|没启动|还没启动"
    r"|还是人工|靠人工|基本人工|全是人工|手工为主)"
)
#: "除了X，其他都上系统了" (and no tier said): X is the one not covered.
_ALL_BUT = re.compile(r"除了[^，。]*?[，,]?(其他|其余|别的|剩下)[^。]*?都(上|做|建|有|覆盖|搞|弄|实现|完成)")
#: A link said covered, its level not said ("覆盖了", "都有", "都建了", "做了").
_COVERED = re.compile(r"覆盖|都有|有了|都建|建了|都做|做了|都上|上了|都搞|搞了|只做|就做")
#: A link said done without a level ("就做了生产作业", "生产作业…都有了").
_DONE_UNLEVELLED = re.compile(r"做了|有了|上了|建了|搞了|覆盖了|都有|已经做")
#: A what-if that a link gets done, its level not said ("要是运营管理也补上").
_RAISED = re.compile(r"补上|补齐|补全|补到|做上|搞上|上了|做了|建了|建起来|覆盖了|也有了|也做|也上|也建")
#: A link said to fall one step short of the others ("研发设计差一档，其余都是卓越级").
_ONE_BELOW = re.compile(
    r"差一档|差一级|低一档|低一级|差一个档次|差一截|弱一档|弱一级|差一点|差点|弱一点|稍弱|稍差"
)


def read_links(reading: Reading) -> None:
    names = sorted([*LINKS, *LINK_SYNONYMS], key=len, reverse=True)
    explicit: dict[str, _Said] = {}
    # ("all" | "others", tier or None for not covered, said, clause)
    group: tuple[str, str | None, str, Phrase] | None = None
    pending: list[str] = []
    below: list[str] = []
    # "五个环节都覆盖了，都到先进级的程度": the whole group said in the phrase before its tier.
    whole_before = previous_whole = False
    done: list[str] = []  # links said done at a level not said: not among "the others"
    for clause in reading.clauses:
        text = clause.text
        named = [n for n in names if n in text]
        # A name inside a longer one ("经营管理" in none of LINKS) is not a concern here.
        named = [LINK_SYNONYMS.get(n, n) for n in named]
        tiers = _link_tiers(text)
        whole = _WHOLE.search(text)
        others = _OTHERS.search(text)
        asks = _LINK_ASKS.search(text) and not _STATES_REACHED.search(text)
        if asks and not (named and tiers and not any(modal(text, p) for _, p in tiers)):
            pending = []
            continue
        uncovered = _UNCOVERED.search(text)
        if uncovered and re.search(r"(不是|并非|并不是)$", text[: uncovered.start()]):
            # "我们不是没覆盖研发设计，只是做得一般": covered, its level not said.
            uncovered = None
            for name in named:
                reading.covered.setdefault(name, text)
            pending = named
            continue
        if (
            named
            and "除了" in text
            and _ALL_BUT.search(clause.sentence)
            and not re.search(r"(?<![报冲评请])(基础|先进|卓越|领航)", clause.sentence)
        ):
            for name in named:  # "除了运营管理，其他都上系统了": the one excepted is not covered
                explicit[name] = (None, text, clause)
            reading.covered.update({link: clause.sentence for link in LINKS if link not in named})
            pending = []
            continue
        if named and not tiers and "除了" in text:
            below.extend(named)  # "除了研发设计，其他都是卓越级": not 卓越级, its level unsaid
            pending = named  # "…，其他四个环节都有": the others are the links not named here
            continue
        if named and not tiers and _ONE_BELOW.search(text):
            # "研发设计差一档": one tier below the others' stated tier, unless its own is said
            # next ("研发设计差点，只到先进级").
            below.extend(named)
            pending = named
            continue
        if others and uncovered and not tiers and not named:
            group = ("others", None, text, clause)  # "其他四个环节都还没做"
            pending = []
            continue
        # "研发设计外包给集团了，本厂没做": the phrase speaks of the link named just before.
        if (named or (pending and not others and not whole)) and uncovered and not tiers:
            start = min((text.find(n) for n in named if n in text), default=0)
            for name in named or pending:
                # The words from the link on ("领航级只差工厂建设没覆盖" → "工厂建设没覆盖"):
                # a tier before them is the one aimed at, not part of the fact.
                explicit[name] = (None, text[start:], clause)
            pending = []
            continue
        previous_whole, whole_before = whole_before, bool(whole) and not tiers and not named
        if not tiers and not uncovered and _COVERED.search(text) and not clause.hypothetical:
            # "覆盖了生产作业、生产管理、运营管理三个环节" / "五个环节都覆盖了" / "其他四个环节都有"
            said_links = named or (list(LINKS) if whole else [])
            for name in said_links:
                reading.covered.setdefault(name, text)
            first = min((text.find(n) for n in named if n in text), default=-1)
            if named and first > 0 and re.search(r"(只|仅|就)(做|有|上|建|搞|覆盖|弄)", text[:first]):
                # "只做了生产作业和生产管理两个环节": the links not named are not covered.
                for link in LINKS:
                    if link not in named and link not in explicit:
                        explicit[link] = (None, text, clause)
            if others and not named and not whole and (explicit or pending):
                # "…只差工厂建设没覆盖，其他四个环节都有": the others of the links named before.
                spoken = set(explicit) | set(pending)
                reading.covered.update({link: text for link in LINKS if link not in spoken})
        if not tiers and named and not uncovered and _DONE_UNLEVELLED.search(text):
            done.extend(named)  # "我们就做了生产作业这一个环节": covered, level not said
        if not tiers:
            if named and clause.hypothetical and _RAISED.search(text):
                for name in named:  # "要是运营管理也补上呢": covered, at the level discussed
                    reading.raised[name] = text
            pending = named if named else []
            continue
        if named and _first_name_at(text, named) > tiers[0][1]:
            pending = []
            continue  # "领航级里的经营管理…" speaks of a tier's text, not of this enterprise
        tier_word, position = tiers[0]
        tier = tier_word if tier_word.endswith("级") else tier_word + "级"
        if negated(text, position) or re.search(
            r"(没到|不到|没达到|达不到|未达到|够不上)$", text[max(0, position - 4) : position]
        ):
            pending = []
            continue
        # "其余四个环节都是卓越水平" speaks of the others, not of the link named just before.
        targets = named or ([] if others or whole else pending)
        if targets:
            for name in targets:
                explicit[name] = (tier, text, clause)
        elif others:
            group = ("others", tier, text, clause)
        elif whole or previous_whole:
            group = ("all", tier, text, clause)
        pending = []
    _put_links(reading, explicit, group, below, done)
    for name, said in explicit.items():
        if said[0] is None:
            reading.covered.pop(name, None)  # said not covered, whatever else was said of it


_Said = tuple[str | None, str, Phrase]  # (tier or None for not covered, the words, their phrase)


def _put_links(
    reading: Reading,
    explicit: dict[str, _Said],
    group: tuple[str, str | None, str, Phrase] | None,
    below: list[str],
    done: list[str],
) -> None:
    """The links read: each one named, and the group ("all" / "others") for the rest. A link
    said one step short takes the tier below the group's; one excepted, or said done at a level
    not said, stays unknown (a conversation's unstated links are unknown to the checker)."""
    result: dict[str, _Said] = {}
    if group and group[0] == "others" and not (explicit or below or done):
        # "三个都做到先进级了，另外两个没搞": "the others" of links never named are not known;
        # reading them as all five would turn the three done into false gaps.
        group = None
    if group:
        kind, tier, said, clause = group
        lower = TIERS[TIERS.index(tier) - 1] if tier is not None and TIERS.index(tier) > 0 else None
        for name in below:
            if name not in explicit and lower is not None and _ONE_BELOW.search(clause.sentence):
                explicit[name] = (lower, said, clause)
        excepted = [name for name in below if name not in explicit]
        for link in LINKS:
            if kind == "all" or (link not in explicit and link not in excepted and link not in done):
                result[link] = (tier, said, clause)
    result.update(explicit)
    for link in LINKS:
        if link in result:
            value, said, clause = result[link]
            reading.put(f"links.{link}", value, said, clause)


def _link_tiers(text: str) -> list[tuple[str, int]]:
    """The tier words of a phrase that can be a link's level: not a target ("报卓越"), not a
    title awarded ("去年评上自治区先进级")."""
    return [
        (m.group(1), m.start())
        for m in re.finditer(rf"({_TIER_WORDS}|卓越|领航)(水平|标准)?", text)
        if not re.search(
            r"(报|申报|申请|冲|评|够|想|争取|要求|评上|认定)$", text[max(0, m.start() - 2) : m.start()]
        )
        # "领航级只差工厂建设没覆盖": the tier aimed at, not a link's level; "先进级的覆盖要求
        # 满足了吗": the tier's requirement named; "先进级也有": a title held.
        and not re.match(r"(智能工厂)?(只|还|就)?差|(智能工厂)?(也|都|已经)(有|拿|评)", text[m.end() :])
        and not (
            re.match(r"的(覆盖|环节)?(要求|标准|条件)", text[m.end() :])
            and not re.search(r"(达到|到了|到|按|符合|满足)$", text[: m.start()])
        )
        and not re.search(
            r"(评上|获评|评了|认定|拿到|拿了|获得)[^，]{0,6}$", text[max(0, m.start() - 8) : m.start()]
        )
    ]


def _first_name_at(text: str, named: list[str]) -> int:
    """Where the first link name (or its synonym) of the phrase stands."""
    return min(
        text.find(n) for n in [*named, *(k for k, v in LINK_SYNONYMS.items() if v in named)] if n in text
    )
