"""The programme's words, typed once: tiers, links, statuses and their Chinese labels, defaults.

Every module that names a tier, a link or a status imports it from here, so a label is changed
in one place and the order of tiers (which the checker compares by position) cannot drift.
Which links each tier must cover is not here: that is a rule of a round and lives in the
round's rules file (``corpus/rules/<edition>.yaml``), read through ``assistant.rules``.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Tier = Literal["基础级", "先进级", "卓越级", "领航级"]
Link = Literal["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]
Status = Literal["met", "not_met", "conditional", "unknown"]
Severity = Literal["必须修改", "建议修改", "提示"]

#: Lowest first: the checker compares tiers by position.
TIERS: tuple[str, ...] = get_args(Tier)
#: The five links of 附件2 in the order the documents list them.
LINKS: tuple[str, ...] = get_args(Link)
#: The 领航级 text says 经营管理 where the lower tiers say 运营管理: one link, two names.
LINK_SYNONYMS: dict[str, str] = {"经营管理": "运营管理"}
STATUSES: tuple[str, ...] = get_args(Status)
SEVERITIES: tuple[str, ...] = get_args(Severity)

#: The tier an enterprise asks about when it does not say: the 2024 round recommends 卓越级.
DEFAULT_TIER = "卓越级"

#: Worst first when sorting; "worst of" picks the highest severity.
STATUS_SEVERITY: dict[str, int] = {"met": 0, "conditional": 1, "unknown": 2, "not_met": 3}

#: Chinese label of each checker status: long (sentences, reports) and short (table cells).
STATUS_LABELS: dict[str, str] = {
    "met": "满足",
    "not_met": "不满足",
    "conditional": "原则上要求未满足（请向推荐单位确认）",
    "unknown": "待确认（缺少信息）",
}
STATUS_SHORT_LABELS: dict[str, str] = {
    "met": "满足",
    "not_met": "不满足",
    "conditional": "原则上（请向推荐单位确认）",
    "unknown": "待确认",
}

#: A corpus document's status as readers see it (documents' front matter, the 运维 lists).
DOC_STATUS_LABELS: dict[str, str] = {
    "official": "正式文件",
    "draft": "征求意见稿",
    "reference": "参考信息",
    "retired": "已停用",
}
#: The kinds of question (corpus/data/intents.yaml's names, and "other") as an operator reads
#: them in the statistics.
INTENT_LABELS: dict[str, str] = {
    "fabricate": "要求编造或夸大",
    "secrets": "打听系统信息",
    "personal": "个人隐私或他人材料",
    "vendor": "推荐服务商",
    "deadline": "申报时间",
    "quota": "推荐名额",
    "contact": "联系方式",
    "materials": "申报材料",
    "link_mapping": "环节对应",
    "scenario": "典型场景",
    "kpi": "关键绩效指标",
    "maturity": "成熟度",
    "platform": "评估平台",
    "eligibility": "申报资格",
    "other": "其他",
}

#: The one feedback scale (1–5, 5 best), used by the API, the page's thumbs and the review queue:
#: a thumb up is recorded as RATING_UP and a thumb down as RATING_DOWN, so a vote reads the same
#: wherever it was given. THUMBS_DOWN_MAX and below is a thumbs-down, THUMBS_UP_MIN and above a
#: thumbs-up, and in between a plain score.
RATING_UP = 5
RATING_DOWN = 1
THUMBS_DOWN_MAX = 2
THUMBS_UP_MIN = 4


def rating_word(rating: int) -> str:
    """A rating as an operator reads it: 赞, 踩, or the score in between (3分)."""
    if rating >= THUMBS_UP_MIN:
        return "赞"
    if rating <= THUMBS_DOWN_MAX:
        return "踩"
    return f"{rating}分"


def tier_rank(tier: str | None) -> int:
    """0 for no tier, 1 for 基础级 … 4 for 领航级; unknown names rank 0."""
    return TIERS.index(tier) + 1 if tier in TIERS else 0


_TWO_BEFORE_JI = re.compile(r"([\u4e00-\u9fff]{2})级")


#: Key terms typed with a homophone ("成熟渡三级", "自平二级"), where the context leaves no doubt.
_TERM_TYPOS = (
    (re.compile(r"成熟(?:渡|读|都|杜|肚|读)"), "成熟度"),
    (re.compile(r"自平(?=[一二两三四五1-5]级)"), "自评"),
    # The five 环节 as pinyin input mistypes them ("生厂作业", "运赢管理").
    (re.compile(r"生[厂场](?=作业|管理)"), "生产"),
    (re.compile(r"生产做业"), "生产作业"),
    (re.compile(r"研[法伐]设计"), "研发设计"),
    (re.compile(r"运[赢盈](?=管理)"), "运营"),
    (re.compile(r"工场(?=建设)"), "工厂"),
    # Tier and key-term names without 级 typed by sound ("报桌越", "只能制造", "智能功厂"), and
    # the formal numerals (叁级).
    (re.compile(r"[桌琢](?=越)"), "卓"),
    (re.compile(r"只能(?=制造|工厂)"), "智能"),
    (re.compile(r"(?<=智能)(功|公)厂"), "工厂"),
    (re.compile(r"叁(?=级)"), "三"),
    (re.compile(r"贰(?=级)"), "二"),
    (re.compile(r"肆(?=级)"), "四"),
)


def fix_tier_typos(text: str) -> str:
    """Tier names typed with one wrong character ("先近级", "卓跃级", "领行级") written right: a
    two-character word before 级 that differs from one tier's name in one character only; and
    the key terms users mistype by sound ("成熟渡")."""

    def fixed(match: re.Match[str]) -> str:
        word = match.group(1)
        near = [t for t in TIERS if sum(a != b for a, b in zip(word, t[:2], strict=True)) == 1]
        return near[0] if len(near) == 1 else match.group(0)

    for typo, right in _TERM_TYPOS:
        text = typo.sub(right, text)
    return _TWO_BEFORE_JI.sub(fixed, text)
