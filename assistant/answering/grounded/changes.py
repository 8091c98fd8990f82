"""What changed between two held rounds, when a question asks: each rule value that differs,
both sides cited, and for a company that has said something, what the change does to its verdict.

A comparison is the one answer that names two rounds' figures side by side (every other lead
keeps to one round). The values compared are the rules files' (``rules.diff_rounds``), so the
answer is the same one ``assistant rounds diff`` prints.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from assistant.language import sentences
from assistant.rules import RuleChange, RuleSet, RuleValue, diff_rounds, parse_profile, verdict_changes
from assistant.vocabulary import STATUS_LABELS

#: A question that asks what differs between rounds ("2025年和2024年有什么变化").
_ASKS_CHANGE = re.compile(r"变化|变动|变了|区别|不同|差异|对比|比较|调整|改了|改动|一样吗|有何新")
#: Status words of the checker, as a reader says them.
_STATUS = {
    "met": "满足",
    "not_met": "不满足",
    "conditional": "原则上不满足（需向推荐单位确认）",
    "unknown": "暂不能判断",
}


def asks_change(question: str) -> bool:
    return bool(_ASKS_CHANGE.search(question))


def _side(value: RuleValue | None, edition: str) -> str:
    if value is None:
        return f"{edition}年度未规定"
    cited = "".join(f"【{c}】" for c in value.clause_ids[:1])
    return f"{value.value}{cited}"


def change_line(change: RuleChange, before: str, after: str) -> str:
    """ "- 先进级：成熟度等级：二级【…】→ 三级【…】"."""
    return f"- {change.label}：{_side(change.before, before)} → {_side(change.after, after)}"


def verdict_lines(before: RuleSet, after: RuleSet, profile: dict[str, Any], as_of: dt.date) -> list[str]:
    """For the company's stated facts: each tier whose verdict the change moves, both sides."""
    if not profile:
        return []
    moved = [
        f"{c.label}：按{before.edition}年度规则为{STATUS_LABELS[c.before]}，按{after.edition}年度规则为{STATUS_LABELS[c.after]}"
        for c in verdict_changes(before, after, parse_profile(profile), as_of)
    ]
    if not moved:
        return ["对您说的情况：这些变化不改变各层级的核验结论。"]
    return ["对您说的情况，变化影响核验结论：" + "；".join(moved) + "。"]


#: What a comparison may ask about, and how the changed values of that topic are told apart.
_TOPICS: tuple[tuple[re.Pattern[str], str, Callable[[RuleChange], bool]], ...] = (
    (
        re.compile(r"截止|日期|时间|哪天|几号|什么时候"),
        "截止日期",
        lambda c: c.key.startswith(("deadline/", "overlay/")),
    ),
    (re.compile(r"名额|推荐几个|推几个|多少个|上限|数量"), "推荐名额", lambda c: c.key.startswith("quota/")),
    (re.compile(r"成熟度|几级"), "成熟度要求", lambda c: "maturity.level" in c.key),
    (
        re.compile(r"分公司|分厂|分支|法人|哪些行业|什么行业"),
        "申报主体（法人形式、允许分支机构申报的行业）",
        lambda c: "legal_form" in c.key,
    ),
)


def _asked_changes(question: str, changes: list[RuleChange]) -> tuple[str, list[RuleChange]]:
    """(what was asked about, its changes) when the sentence asking for the change names topics
    ("名额有变化吗"); ("规则", all) else. Facts stated beside it ("我们成熟度二级") are no topic."""
    asking = "".join(s for s in sentences(question, semicolons=True) if _ASKS_CHANGE.search(s))
    topics = [(name, keep) for pattern, name, keep in _TOPICS if pattern.search(asking)]
    if not topics:
        return "规则", changes
    kept = [c for c in changes if any(keep(c) for _, keep in topics)]
    return "、".join(name for name, _ in topics), kept


def changes_lead(
    before: RuleSet, after: RuleSet, question: str, profile: dict[str, Any], as_of: dt.date
) -> list[str]:
    """The lead of a comparison: how many values of what was asked changed, each one, then what
    it means for the company (``profile``: the facts it stated; empty: nothing said about it).
    ``before`` is the earlier round."""
    topic, changes = _asked_changes(question, diff_rounds(before, after))
    if not changes:
        return [f"{after.edition}年度与{before.edition}年度相比，{topic}没有变化。"]
    head = f"{after.edition}年度与{before.edition}年度相比，{topic}有{len(changes)}处变化："
    lines = [change_line(c, before.edition, after.edition) for c in changes]
    return [head, *lines, *verdict_lines(before, after, profile, as_of)]
