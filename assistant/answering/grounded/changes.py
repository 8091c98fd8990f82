"""What changed between two held rounds, when a question asks: each rule value that differs,
both sides cited, and for a company that has said something, what the change does to its verdict.

A comparison is the one answer that names two rounds' figures side by side (every other lead
keeps to one round). The values compared are the rules files' (``rules.diff_rounds``), so the
answer is the same one ``assistant rounds diff`` prints.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

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
        f"{c.tier}：按{before.edition}年度规则为{STATUS_LABELS[c.before]}，按{after.edition}年度规则为{STATUS_LABELS[c.after]}"
        for c in verdict_changes(before, after, parse_profile(profile), as_of)
    ]
    if not moved:
        return ["对您说的情况：这些变化不改变各层级的核验结论。"]
    return ["对您说的情况，变化影响核验结论：" + "；".join(moved) + "。"]


def changes_lead(before: RuleSet, after: RuleSet, profile: dict[str, Any], as_of: dt.date) -> list[str]:
    """The lead of a comparison: how many values changed, each one, then what it means for the
    company. ``before`` is the earlier round."""
    changes = diff_rounds(before, after)
    if not changes:
        return [
            f"{after.edition}年度与{before.edition}年度相比，本助手核验的规则（层级条件、申报条件、"
            "截止日期、推荐名额）没有变化。"
        ]
    head = f"{after.edition}年度与{before.edition}年度相比，规则有{len(changes)}处变化："
    lines = [change_line(c, before.edition, after.edition) for c in changes]
    return [head, *lines, *verdict_lines(before, after, profile, as_of)]
