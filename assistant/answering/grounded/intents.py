"""What kind of question this is: the intent table, and the wording that asks for a verdict.

Routing is data (corpus/data/intents.yaml): the first intent with a keyword in the question
wins. The patterns here catch what the table cannot: a follow-up on the session's profile
("还差什么？"), a verdict asked in another topic's words ("成熟度四级，能到哪级"), the user speaking
of their own enterprise, and which tier a question targets as opposed to one it states.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.answering.understanding.facts import Fact
from assistant.errors import CorpusInvalidError
from assistant.knowledge.datafile import read_yaml
from assistant.language import segments
from assistant.vocabulary import DEFAULT_TIER

FOLLOW_UP = re.compile(r"还差什么|还缺什么|差什么|缺什么|还差哪|还缺哪|呢[？?。!！]*$")
ASKS_SOMETHING = re.compile(
    r"[？?]|吗|呢|么|什么|怎么|哪|几|多少|是否|能不能|可不可以|有没有|是不是|如何|谁|啥|咋|不$"
)
#: Asking for a verdict in words the intent table files under another topic ("成熟度四级，能到哪级").
VERDICT_ASK = re.compile(
    r"冲(?:基础|先进|卓越|领航)|够(?:基础|先进|卓越|领航)|能(?:直接|单独|独立)?(?:申)?(?:报|请)|够吗|够不够|够得着|够得上|够格|能到|达得到|哪级|行吗|能(?:直接)?上|上得了"
    r"|能评上|评得上|有戏|报得了|可以报|帮看看|帮我看看|判断"
    # Whether what the user said of the company stands in the way ("分厂要紧吗", "会卡住吗").
    r"|要紧吗|要不要紧|会卡|卡住|卡不卡|有影响吗|影响吗|影响申报|碍事|拖后腿"
    r"|够了吧|够了吗|算够|够格吗|达标吗|(?:基础|先进|卓越|领航)级?(?:可以|行|够)(?:吗|吧|不)"
    r"|能评(?:基础|先进|卓越|领航)|能过(?:吗|不|么)|过得了|没戏|能以[^，。？?]{0,8}(?:申)?报"
)
#: A question about the maturity level a tier requires ("要几级", "二级就行吧", "L4够不够").
MATURITY_LEVEL_ASK = re.compile(r"几级|多少级|什么等级|哪一级|哪级|[一二两三四五1-5]级|l[1-5]|要求")
#: Asking what is required ("成熟度要求是几级", "需要到几级").
REQUIREMENT_ASK = re.compile(r"要求|需要|须|得到|要到|要几|达到几|起码|至少|要不要|得不得")
#: Eligibility keywords that name the conditions without asking whether they are met.
CONDITION_WORDS = {"条件", "申报条件"}
#: The user speaking about their own enterprise.
ABOUT_US = re.compile(r"我们|我司|我厂|我公司|我单位|本公司|本企业|本厂|咱们|咱|俺们|我这|我家")
_TIER_SHORT = {"基础": "基础级", "先进": "先进级", "卓越": "卓越级", "领航": "领航级"}


@dataclass(frozen=True)
class Intent:
    name: str
    keywords: tuple[str, ...] = ()
    docs: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    #: What a keyword cannot say: a request's shape ("推荐…供应商", "往大了写").
    patterns: tuple[re.Pattern[str], ...] = ()

    def said_in(self, text: str) -> bool:
        """Whether the (lower-cased) text carries one of the intent's keywords or patterns."""
        return any(k in text for k in self.keywords) or any(p.search(text) for p in self.patterns)


def _patterns(item: dict[str, object], path: Path) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in item.get("patterns") or []:  # type: ignore[attr-defined]
        try:
            compiled.append(re.compile(str(pattern)))
        except re.error as exc:
            raise CorpusInvalidError(
                f"{path.name}：意图 {item.get('name')} 的 pattern {pattern!r} 有误（{exc}）"
            ) from exc
    return tuple(compiled)


class IntentTable:
    """Keyword routing loaded from corpus/data/intents.yaml."""

    def __init__(self, intents: list[Intent], out_of_scope: tuple[str, ...], edition: str) -> None:
        self.intents = intents
        self.out_of_scope = out_of_scope
        self.edition = edition

    @classmethod
    def load(cls, path: Path) -> IntentTable:
        data = read_yaml(path)
        intents = [
            Intent(
                name=item["name"],
                keywords=tuple(str(k).lower() for k in item.get("keywords", [])),
                docs=tuple(item.get("docs", [])),
                headings=tuple(item.get("headings", [])),
                patterns=_patterns(item, path),
            )
            for item in data.get("intents", [])
        ]
        return cls(intents, tuple(data.get("out_of_scope", [])), str(data.get("edition", "")))

    def classify(self, question: str) -> Intent:
        text = question.lower()
        for intent in self.intents:
            if intent.said_in(text):
                return intent
        return Intent("general")

    def asks_eligibility(self, question: str) -> bool:
        """Whether the question asks for a verdict, whatever else it is about."""
        return bool(self.eligibility_words(question))

    def eligibility_words(self, question: str) -> set[str]:
        """The eligibility keywords the question contains."""
        eligibility = next((i for i in self.intents if i.name == "eligibility"), None)
        return {k for k in (eligibility.keywords if eligibility else ()) if k in question.lower()}

    def without_intent(self, question: str, name: str) -> str:
        """The question less its sentences that carry one of the intent's keywords."""
        intent = next((i for i in self.intents if i.name == name), None)
        if intent is None:
            return question
        kept = [s for s in segments(question, semicolons=True) if not intent.said_in(s.lower())]
        return "".join(kept).strip()

    def is_out_of_scope(self, question: str) -> bool:
        return any(topic in question for topic in self.out_of_scope)


def asked_tier(question: str, facts: list[Fact] | None = None, default: str | None = None) -> str:
    """The tier the user asks about: one named as a target ("能报卓越级吗", "那先进级呢"), not one
    that is part of a stated fact ("评上了先进级"); else `default` (the tier the conversation is
    about), else DEFAULT_TIER."""
    return named_tier(question, facts) or default or DEFAULT_TIER


def named_tier(question: str, facts: list[Fact] | None = None) -> str | None:
    """The tier the question names as its subject (a target before a tier merely mentioned), or
    None when it names none."""
    said = [f.said for f in facts or []]
    found: list[tuple[int, str, bool, bool]] = []  # (position, tier, a target, a title held)
    for match in re.finditer(r"(基础|先进|卓越|领航)级?", question):
        if any(
            match.group(0) in s
            and s in question
            and question.find(s) <= match.start() < question.find(s) + len(s)
            for s in said
        ):
            continue
        before = question[max(0, match.start() - 3) : match.start()]
        # "拿到先进级" / "评上了先进级" states a title held; "够到/冲/报卓越级" names a target.
        held = re.search(r"(拿到|得到|获得|获评|评上|评为|已是|已经是)了?$", before)
        target = not held and bool(re.search(r"(报|申报|冲|够|到|评|上|那|申请)$", before))
        found.append((match.start(), _TIER_SHORT[match.group(1)], target, bool(held)))
    if not found:
        return None
    targets = [f for f in found if f[2]]
    # No target named: the tier spoken of, not the one the enterprise holds ("已经是先进级了").
    spoken = [f for f in found if not f[3]]
    return (targets or spoken or found)[-1][1]
