"""Money figures a draft states more than once, or splits into parts: 总投资 in 万元 in one part
and another figure in 亿元 in another, or "其中" parts that do not add up to the total.

A consultant checks these first: an expert reading the 申报书 sees the contradiction at once, and
the draft's credibility goes with it. Only amounts written with their unit are compared.
"""

from __future__ import annotations

import re

from assistant.drafting.declaration import parts
from assistant.drafting.findings import Finding
from assistant.drafting.reading import Block
from assistant.rules import RuleSet

#: 万元 per unit, so amounts in different units compare.
_UNIT = {"亿元": 10_000.0, "万元": 1.0, "元": 0.0001}
_AMOUNT = r"(?P<n>\d+(?:,\d{3})*(?:\.\d+)?)\s*(?P<u>亿元|万元|元)"
#: "总投资1.2亿元", "项目总投资：12000万元", "项目累计投入28,600万元": the project's whole
#: investment, however a draft names it.
_TOTAL = re.compile(
    r"(?:总投资|总投入|累计投入|累计完成投资|实际完成投资)(?:额|金额)?[^\d，。；]{0,6}?" + _AMOUNT
)
#: "其中设备投资6000万元、软件投资3000万元": the parts after 其中 up to the sentence's end.
_BREAKDOWN = re.compile(r"其中[^。；]*")
_PART = re.compile(r"[^\d，、；。]{1,12}?" + _AMOUNT)
#: Differences below this share of the total are rounding ("约1.2亿元" for 11,980万元).
TOLERANCE = 0.01


def _wan(match: re.Match[str]) -> float:
    return float(match.group("n").replace(",", "")) * _UNIT[match.group("u")]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE * max(a, b)


#: "共建成典型场景17个，其中工厂建设2个、研发设计2个…": a count and its breakdown.
_COUNT = re.compile(
    r"共(?:建成|有|计|完成|实施|部署)?[^，。；;\d]{0,10}?(?P<n>\d+)\s*(?P<u>个|项|条|套|台|家)"
)


#: One year's revenue or output: stated twice, it must be the same amount.
_YEAR_FIGURE = re.compile(
    r"(?P<year>20\d\d)\s*年(?:度|全年)?[^，。；;\d]{0,8}?(?P<what>主营业务收入|营业收入|营收|工业总产值|产值|利润总额|净利润)"
    r"[^，。；;\d]{0,6}?" + _AMOUNT
)
_SAME_MEASURE = {"营收": "营业收入", "主营业务收入": "营业收入"}


def year_figure_findings(blocks: list[Block], rules: RuleSet) -> list[Finding]:
    """A year's revenue, output or profit stated with two different amounts."""
    seen: dict[tuple[str, str], tuple[float, str]] = {}
    findings = []
    for block in blocks:
        for figure in _YEAR_FIGURE.finditer(block.text):
            key = (figure.group("year"), _SAME_MEASURE.get(figure.group("what"), figure.group("what")))
            amount = _wan(figure)
            first = seen.setdefault(key, (amount, figure.group()))
            if not _same(first[0], amount):
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="figure_twice",
                        message=f"同一数据前后不一致：“{first[1]}”与“{figure.group()}”，请统一。",
                        clause_ids=[parts(rules)[0].clause_id],  # 申报单位基本信息
                        excerpt=figure.group(),
                    )
                )
    return findings


def count_findings(blocks: list[Block], rules: RuleSet) -> list[Finding]:
    """A count whose "其中" breakdown adds up to another number."""
    findings = []
    for block in blocks:
        for total in _COUNT.finditer(block.text):
            rest = block.text[total.end() :].lstrip("，,（( ")
            breakdown = _BREAKDOWN.match(rest)
            if breakdown is None:
                continue
            pieces = [int(n) for n in re.findall(rf"(\d+)\s*{total.group('u')}", breakdown.group())]
            if len(pieces) >= 2 and sum(pieces) != int(total.group("n")):
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="total_parts",
                        message=f"“{total.group()}”，其中各项合计{sum(pieces)}{total.group('u')}，与总数不符，请核对。",
                        clause_ids=[parts(rules)[2].clause_id],  # 三、场景建设情况: its 总体情况
                        excerpt=(total.group() + "，" + breakdown.group())[:80],
                    )
                )
    return findings


def total_findings(blocks: list[Block], rules: RuleSet) -> list[Finding]:
    """总投资 stated with different amounts, and "其中" parts that exceed or fall short of it."""
    stated: list[tuple[float, str]] = []
    findings: list[Finding] = []
    basics = parts(rules)[1].clause_id  # 二、智能工厂基本情况 lists 总投资
    for block in blocks:
        for total in _TOTAL.finditer(block.text):
            amount = _wan(total)
            stated.append((amount, total.group()))
            rest = block.text[total.end() :]
            breakdown = _BREAKDOWN.match(rest.lstrip("，,（( "))
            if breakdown is None:
                continue
            pieces = [_wan(p) for p in _PART.finditer(breakdown.group())]
            if len(pieces) < 2 or _same(sum(pieces), amount):
                continue
            over = sum(pieces) > amount
            findings.append(
                Finding(
                    # More than the total cannot be; less may be parts left unnamed.
                    severity="必须修改" if over else "建议修改",
                    code="total_parts",
                    message=f"“{total.group()}”的各部分合计{sum(pieces):g}万元，"
                    + ("超过总数，请核对。" if over else "与总数不符；如还有其他部分，请一并列出。"),
                    clause_ids=[basics],
                    excerpt=(total.group() + breakdown.group())[:80],
                )
            )
    first = stated[0] if stated else None
    for amount, said in stated[1:]:
        if first is not None and not _same(amount, first[0]):
            findings.append(
                Finding(
                    severity="必须修改",
                    code="total_inconsistent",
                    message=f"总投资前后不一致：“{first[1]}”与“{said}”（折合{first[0]:g}万元与{amount:g}万元），请统一。",
                    clause_ids=[basics],
                    excerpt=said,
                )
            )
    return findings
