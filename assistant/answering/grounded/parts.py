"""A question that asks two things, cut into one question per thing.

"纸质申报书寄到什么地址，收件的是工信部哪个司？" and "先进级和卓越级对成熟度的要求分别是几级？" are
each two questions that the answerer answers well one at a time: the lead of a two-part question
otherwise answers the part its best sentence fills and drops the other. Cutting is by the
question's own stretches (one per asking phrase, the stretches that only state the context put in
front of each) and by "X和Y…分别…" (one question per subject). A stretch that only states, or a
tag ("对吧", "是吗"), is never a part of its own.
"""

from __future__ import annotations

import re

from assistant.vocabulary import TIERS

#: A stretch that asks something: a question word, a yes/no particle or form.
_ASKS = re.compile(
    r"[吗么呢吧嘛][？?。！!]*$|什么|哪|几|多少|谁|怎么|如何|是否|是不是|能不能|可不可以|有没有|要不要|"
    r"需不需要|够不够|行不行|算不算|啥|咋"
)
#: A tag after a statement: it asks whether the statement holds, it is not a question apart.
_TAG = re.compile(
    r"^(对吧|对吗|是吗|是吧|行吗|行不行|可以吗|没错吧|对不对|是不是"
    r"|(文件|通知|里面)(里|中|上)?[^，,]{0,6}(吗|没有|没))[？?。！!]*$"
)
#: A stretch that sets up what follows ("深圳是计划单列市吧，…", "那先进级呢，…"): context of
#: the question after it, not a question apart.
_LEANS = re.compile(r"[吧呢][？?。！!]*$")
#: "X和Y（的…）分别…": one question per subject.
_EACH = re.compile(r"(?P<x>[^，,。？?和与跟及]{2,24})(?:和|与|跟|及|以及)(?P<y>[^，,。？?]{2,30}?)分别")
#: Where a question is cut: its sentence ends and its commas.
_CUT = re.compile(r"(?<=[，,。？?！!；;])")
#: Shorter than this, a stretch leans on the one before it ("电话多少？"): not a question apart.
MIN_PART = 6


def split_question(question: str) -> list[str]:
    """The questions within `question`, each whole (its context in front); one item when it asks
    one thing."""
    stretches = [s for s in _CUT.split(question.strip()) if s.strip()]
    context: list[str] = []
    parts: list[str] = []
    for index, stretch in enumerate(stretches):
        bare = stretch.strip().rstrip("，,；;")
        last = index == len(stretches) - 1
        if parts and (_TAG.match(bare) or len(bare.rstrip("？?。！!")) < MIN_PART):
            parts[-1] += stretch  # "…是5个，对吧" / "多少？" belongs to the part before it
        elif _ASKS.search(bare) and not (_LEANS.search(bare) and not last):
            parts.append("".join(context) + stretch)
        elif parts:
            parts[-1] += stretch  # a statement after a question qualifies that question
        else:
            context.append(stretch)
    parts = [_tidy(p) for p in parts] or [question]
    if len(parts) == 1:
        return _each(parts[0])
    return [q for part in _with_tier(parts) for q in _each(part)]


def _with_tier(parts: list[str]) -> list[str]:
    """ "领航级成熟度要几级？五个环节要全覆盖吗": a later part that names no tier asks of the tier
    the part before it named."""
    carried: list[str] = []
    tier: str | None = None
    for part in parts:
        named = [t for t in TIERS if t[:2] in part]
        if named:
            tier = named[0] if len(named) == 1 else None
        elif tier is not None:
            part = tier + part
        carried.append(part)
    return carried


def _each(question: str) -> list[str]:
    """ "先进级和卓越级对成熟度的要求分别是几级" → one question per subject: the first subject put
    where the second stands when the second carries the rest of the phrase ("卓越级对成熟度的要
    求"), else each subject with the question's ending."""
    match = _EACH.search(question)
    if match is None:
        return [question]
    x, y = match.group("x"), match.group("y")
    x = re.split(r"[，,：:]", x)[-1]
    if "、" in x:
        return [question]  # "基础级、先进级和领航级分别由谁认定": a list the answerer takes whole
    start = match.start("x") + match.group("x").rfind(x)
    before, after = question[:start], question[match.end() :]
    head = next((y[:n] for n in range(len(y), 1, -1) if len(x) == n and _same_kind(x, y[:n])), None)
    first = f"{before}{x}{y[len(head) :]}" if head else f"{before}{x}"
    second = f"{before}{y}"
    return [_tidy(first + after), _tidy(second + after)]


def _same_kind(x: str, y: str) -> bool:
    """Two subjects of one kind ("先进级" / "卓越级"): the same length and the same last character."""
    return len(x) == len(y) and x[-1] == y[-1]


def _tidy(text: str) -> str:
    """A part as a question of its own: its trailing comma a question mark."""
    text = text.strip().rstrip("，,；;")
    return text if re.search(r"[？?。！!]$", text) else text + "？"
