"""The 建设起止时间 a draft states against the dates its text gives elsewhere: construction (or a
phase of it) said to start before the period or finish after it, a whole project said to finish
in another month, a system said to go live after the period ended. An expert checks the period
first; the two must agree (附件3 二 lists 建设起止时间).

A phase inside the period ("一期2022年3月建成") and an acceptance after it ("2024年3月竣工验收")
are no contradiction.
"""

from __future__ import annotations

import re

from assistant.drafting.declaration import parts
from assistant.drafting.findings import Finding
from assistant.drafting.reading import Block
from assistant.language import sentences
from assistant.rules import RuleSet

_YM = r"(?P<{0}y>20\d\d)\s*(?:年|\.|/|-)\s*(?P<{0}m>\d{{1,2}})\s*月?"
#: "建设起止时间：2021年3月至2023年12月", "建设起止时间 2021.07—2023.12".
_PERIOD = re.compile(
    r"建设起止时间[^\d\n]{0,6}" + _YM.format("s") + r"\s*(?:至|—|－|–|-|~|～|到)\s*" + _YM.format("e")
)
#: "2020年5月启动建设", "于2024年5月完成建设并投入使用".
_STARTED = re.compile(_YM.format("") + r"[^。；;\d]{0,4}?(?:启动|开工|开始|动工)(?:建设)?")
_FINISHED = re.compile(_YM.format("") + r"[^。；;\d]{0,4}?(?:完成建设|建成|竣工|完工|全部建成)(?!验收)")
_LIVE = re.compile(_YM.format("") + r"[^。；;\d]{0,4}?(?:上线|投用|投运|投入使用|投入运行)")
_PHASE = re.compile(r"[一二三四]期|阶段")


def _month(match: re.Match[str], key: str) -> tuple[int, int]:
    return int(match.group(f"{key}y")), int(match.group(f"{key}m"))


def period_findings(blocks: list[Block], rules: RuleSet) -> list[Finding]:
    """Start or completion dates the text gives that differ from 建设起止时间."""
    text = "\n".join(b.text for b in blocks)
    period = _PERIOD.search(text)
    if period is None:
        return []
    start, end = _month(period, "s"), _month(period, "e")
    findings = []
    for sentence in sentences(text, semicolons=True):
        if _PERIOD.search(sentence):
            continue
        phase = bool(_PHASE.search(sentence))
        checks = (
            (_STARTED, lambda m: m < start or m > end, "开始"),
            # the whole project's completion is the period's end; a phase's must fall inside it
            (_FINISHED, (lambda m: m < start or m > end) if phase else (lambda m: m != end), "完成"),
            (_LIVE, lambda m: m > end, "上线"),
        )
        for pattern, wrong, what in checks:
            said = pattern.search(sentence)
            if said and wrong(_month(said, "")):
                findings.append(
                    Finding(
                        severity="建议修改",
                        code="date_inconsistent",
                        message=f"正文写“{said.group()}”，与建设起止时间（{period.group().split('时间')[-1].lstrip('：: ')}）"
                        f"不一致（{what}时间），请统一。",
                        clause_ids=[parts(rules)[1].clause_id],
                        excerpt=said.group(),
                    )
                )
    return findings
