"""The 建设起止时间 a draft states against the dates its text gives elsewhere: construction said to
start or finish in another month than the period says. An expert checks the period first; the
two must agree (附件3 二 lists 建设起止时间).

A phase's own dates ("一期2022年3月建成") are no contradiction and are not compared.
"""

from __future__ import annotations

import re

from assistant.drafting.declaration import parts
from assistant.drafting.findings import Finding
from assistant.drafting.reading import Block
from assistant.rules import RuleSet

_YM = r"(?P<{0}y>20\d\d)\s*(?:年|\.|/|-)\s*(?P<{0}m>\d{{1,2}})\s*月?"
#: "建设起止时间：2021年3月至2023年12月", "建设起止时间 2021.07—2023.12".
_PERIOD = re.compile(
    r"建设起止时间[^\d\n]{0,6}" + _YM.format("s") + r"\s*(?:至|—|－|–|-|~|～|到)\s*" + _YM.format("e")
)
#: "2020年5月启动建设", "于2024年5月完成建设并投入使用".
_STARTED = re.compile(_YM.format("") + r"[^。；;\d]{0,4}?(?:启动|开工|开始|动工)(?:建设)?")
_FINISHED = re.compile(_YM.format("") + r"[^。；;\d]{0,4}?(?:完成建设|建成|竣工|完工|全部建成)")
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
    for sentence in re.split(r"(?<=[。；;\n])", text):
        if _PERIOD.search(sentence) or _PHASE.search(sentence):
            continue
        for pattern, expected, what in ((_STARTED, start, "开始"), (_FINISHED, end, "完成")):
            said = pattern.search(sentence)
            if said and _month(said, "") != expected:
                findings.append(
                    Finding(
                        severity="建议修改",
                        code="date_inconsistent",
                        message=f"正文写“{said.group()}”，与建设起止时间（{period.group().split('时间')[-1].lstrip('：: ')}）的"
                        f"{what}时间不一致，请统一。",
                        clause_ids=[parts(rules)[1].clause_id],
                        excerpt=said.group(),
                    )
                )
    return findings
