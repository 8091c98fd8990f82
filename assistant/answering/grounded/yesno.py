"""是 / 不是 first, for a yes/no question whose premise is a figure the documents set.

"计划单列市也是20个名额吧？" and "二级就够报卓越了吧？" carry a figure; the lead's sentence sets
the figure for the same subject ("计划单列市…不超过5个", "卓越级…三级及以上"). Comparing the two,
with the rule's direction (及以上 / 不超过 / 前), answers the question: 是 when the premise holds,
不是 when it does not. Nothing is said when the question has no figure, the rule's stretch about
the subject has none of the same unit, or the units differ: the rule then speaks for itself.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.answering.cite import CITATION
from assistant.language import Number, read_dates, read_numbers
from assistant.vocabulary import TIERS

#: A yes/no question (吗/吧/么, an A-not-A form, 对吗).
YES_NO = re.compile(r"[吗么吧嘛][？?。！!]*$|是不是|是否|对吗|对吧|能不能|可不可以|行不行|够不够|算不算")
#: The rule's direction after its figure.
AT_LEAST = re.compile(r"^(级|个|份|项|%|％)?(及以上|以上|或以上|起)")
AT_MOST = re.compile(r"^(级|个|份|项|%|％)?(及以下|以下|以内|之内)")
AT_MOST_BEFORE = re.compile(r"(不超过|不多于|最多|至多)$")
AT_LEAST_BEFORE = re.compile(r"(不低于|不少于|至少|达到)$")
#: Units that name the same kind of figure.
UNITS = {"级": "level", "个": "count", "份": "count", "项": "count", "家": "count", "%": "pct", "％": "pct"}
_STRETCH = re.compile(r"[，；;。]")


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"[\d一二三四五六七八九十百千万]", "", text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _kind(number: Number) -> str | None:
    return UNITS.get(number.unit)


#: The question states the rule's figure itself ("最多只能推10个", "要四级吗"): compared as equal.
STATES_THE_RULE = re.compile(r"最多|最少|至多|至少|只能|上限|下限|不超过|不低于")
#: The question asks whether its own figure is enough ("三级够吗", "能推荐25个吗"): compared with
#: the rule's direction.
ASKS_ENOUGH = re.compile(r"够|可以|行不行|行吗|就行|能报|能申报|能推|能不能推|达标|满足|符合")


def _holds(premise: Decimal, rule: Number, stretch: str, question: str) -> bool:
    if STATES_THE_RULE.search(question) or not ASKS_ENOUGH.search(question):
        return premise == rule.value
    after = stretch[rule.end :]
    before = stretch[: rule.start].rstrip()
    if AT_LEAST.match(after) or AT_LEAST_BEFORE.search(before):
        return premise >= rule.value
    if AT_MOST.match(after) or AT_MOST_BEFORE.search(before):
        return premise <= rule.value
    return premise == rule.value


def _by_date(question: str, lead_line: str) -> str | None:
    """ "是11月30号截止对吧": a day the question names against the one the rule sets. Only a
    question naming one day, against a rule line setting one day (of the same month when both
    name it), is settled; a day asked with 还能/来得及 is not a premise but a plan."""
    asked = [d for d in read_dates(question)]
    if len(asked) != 1 or re.search(r"还能|来得及|来不及|算数|赶得上", question):
        return None
    set_days = read_dates(CITATION.sub("", lead_line))
    if len(set_days) != 1:
        return None
    day, rule = asked[0], set_days[0]
    same = day.day == rule.day and (day.month is None or rule.month is None or day.month == rule.month)
    return "是" if same else "不是"


def yes_or_no(question: str, lead_line: str) -> str | None:
    """ "是" / "不是" when the question's figure can be checked against the lead's rule, else None."""
    if not YES_NO.search(question):
        return None
    dated = _by_date(question, lead_line)
    if dated is not None:
        return dated
    # "一个省" is an article, not a figure.
    premises = [n for n in read_numbers(question) if _kind(n) and not (n.chinese and n.value == 1)]
    if len(premises) != 1:
        return None
    premise = premises[0]
    text = CITATION.sub("", lead_line)
    stretches = [s for s in _STRETCH.split(text) if s.strip()]
    if not stretches:
        return None
    # The stretch of the rule about what the question is about: the one sharing most words.
    words = _bigrams(question)
    # 要素条件 sets each tier's figure in one sentence; users write the tier short ("卓越的").
    tiers = [t[:2] for t in TIERS if t[:2] in question]
    stretch = max(stretches, key=lambda s: (sum(t in s for t in tiers), len(_bigrams(s) & words)))
    rules = [n for n in read_numbers(stretch) if _kind(n) == _kind(premise)]
    if len(rules) != 1:
        return None
    holds = _holds(premise.value, rules[0], stretch, question)
    # Answered in the question's own verb: 能/不能, 可以/不可以, 够/不够, else 是/不是.
    asks_enough = ASKS_ENOUGH.search(question) and not STATES_THE_RULE.search(question)
    verb = next((v for v in ("可以", "能", "够") if v in question), "是") if asks_enough else "是"
    if holds and "原则上" in stretch:
        # "少一个都不行？" of "原则上应覆盖全部五个环节": the rule's own hedge, not a plain 是.
        return f"原则上{verb}（文件用的是“原则上”，未规定例外如何认定）"
    return verb if holds else f"不{verb}"


def yes_no_first(question: str, lines: list[str]) -> tuple[list[str], str | None]:
    """The lead's lines with 是/不是 (能/不能 …) before its first rule when the question's figure
    settles it, and the word said (None: the lines as they were)."""
    first = next((line for line in lines if line), "")
    if not first or first.startswith("现有文件"):
        return lines, None
    answer = yes_or_no(question, first)
    if answer is None:
        return lines, None
    index = lines.index(first)
    return [*lines[:index], f"{answer}。{first}", *lines[index + 1 :]], answer
