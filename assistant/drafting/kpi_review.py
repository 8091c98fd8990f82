"""KPI figures in a written draft: per KPI of 附1 named, is there a before/after pair, and are
the figures plausible (kpi#N, materials#4).

Its own module because reading figures out of prose and tables is the most intricate part of a
review (which sentence a figure belongs to, dates that are not figures, KPI columns by header).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from assistant.drafting.declaration import outcomes_part
from assistant.drafting.findings import Finding
from assistant.drafting.reading import Block
from assistant.knowledge.kpis import Kpi, KpiCatalog
from assistant.language import sentences, spell_percentages
from assistant.rules import RuleSet

_CHANGE_PAIR = re.compile(
    r"(?:由|从)[^\d，。；]{0,16}?(?P<b>\d+(?:\.\d+)?)[^\d，。；]{0,12}?"
    r"(?:提升|提高|增加|增长|下降|降低|减少|缩短|降|升|变)?(?:至|到|为)[^\d，。；]{0,6}?(?P<a>\d+(?:\.\d+)?)"
)
#: "92%→103%", "548→561 kgce/t": a before/after pair written with an arrow.
_ARROW_PAIR = re.compile(
    r"(?P<b>\d+(?:\.\d+)?)\s*(?:%|[^\d\s，。；;,→]{1,8})?\s*(?:→|->|=>|—>)\s*(?P<a>\d+(?:\.\d+)?)"
)


def change_pair(text: str) -> re.Match[str] | None:
    """The first before/after pair ("由…至…" or an arrow) whose figures are in one unit: "由4小时
    缩短至15分钟" compares hours with minutes, so it is no pair to check."""
    found = [m for m in (_CHANGE_PAIR.search(text), _ARROW_PAIR.search(text)) if m]
    pairs = [
        m
        for m in found
        if _unit_after(text, m.end("b")) == _unit_after(text, m.end("a")) or not _unit_after(text, m.end("a"))
    ]
    return min(pairs, key=lambda m: m.start()) if pairs else None


#: A figure that is a time ("96 s", "4.5小时", "12天"): it falls as the work gets faster.
_TIMED = re.compile(r"\d\s*(?:s|秒|min|分钟|h|小时|天)\b|\d\s*(?:秒|分钟|小时|天)")

#: Units a figure may carry, longest first where one is the start of another.
_UNIT = re.compile(r"\s*(%|个百分点|小时|分钟|秒|天|月|年|h|min|s|ms)")


def _unit_after(text: str, at: int) -> str:
    unit = _UNIT.match(text, at)
    return unit.group(1) if unit else ""


_FIGURE = re.compile(r"(?<![\d.第])(?P<n>\d+(?:\.\d+)?)(?![\d.]|\s*[年月日号项])(?P<pct>\s*%)?")


@dataclass
class _KpiSeen:
    has_pair: bool = False
    mentioned_with_figure: bool = False
    out_of_range: bool = False
    excerpt: str = ""
    #: What a stated change gets wrong about its own before/after figures ("" when consistent).
    mismatch: str = ""
    mismatch_excerpt: str = ""


#: Words that say which way a figure moved.
_UP_WORDS = ("提升", "提高", "增加", "增长", "升至", "升到", "升")
_DOWN_WORDS = ("下降", "降低", "减少", "缩短", "降至", "降到", "降")
#: A change stated after the pair: "下降40%", "提升了约25.5%".
_STATED_CHANGE = re.compile(
    r"(?P<w>提升|提高|增加|增长|下降|降低|减少|缩短)了?\s*(?:约|近|超过)?\s*(?P<c>\d+(?:\.\d+)?)\s*(?:%|个百分点)"
)
#: Measures bounded by 100 % whatever way they move (利用率, 交付率, 不良率, 数控化率…); not a
#: turnover ratio (周转率) or a productivity (劳动生产率), which may exceed it.
_BOUNDED_RATE = re.compile(r"(利用率|交付率|不良率|合格率|良率|化率|投用率|比例|综合效率|OEE)$")


_DIRECTION_WORDS = re.compile("|".join(sorted({*_UP_WORDS, *_DOWN_WORDS}, key=len, reverse=True)))


def _direction(words: str) -> int:
    """+1 for a rise, -1 for a fall, 0 when the words do not say."""
    if any(w in words for w in _DOWN_WORDS):
        return -1
    return 1 if any(w in words for w in _UP_WORDS) else 0


def change_mismatch(
    before: float, after: float, stated: float | None, words: str, timed: bool = False
) -> str:
    """What a stated change gets wrong about its own before/after figures: its direction, or its
    size (neither the relative change nor the difference in points). "" when it agrees.
    ``timed``: the figures are times (节拍 96 s → 74 s), so a fall may be the stated rise."""
    direction = 0 if timed else _direction(words)
    if direction and after != before and (after > before) != (direction > 0):
        said = "下降" if direction < 0 else "提升"
        return f"写的是{said}，但由{before:g}到{after:g}是{'上升' if after > before else '下降'}"
    if stated is None or before == 0 or after == before:
        return ""
    relative, points = abs(after - before) / before * 100, abs(after - before)
    # A time that falls is a rate that rises: "节拍由96秒缩短至74秒，效率提升29.7%" (96/74 − 1),
    # when the pair and the stated change move opposite ways.
    moves = [_direction(w) for w in _DIRECTION_WORDS.findall(words)]
    opposite = timed or len(set(moves) - {0}) == 2
    inverse = abs(before / after - 1) * 100 if after and opposite else relative
    if min(abs(stated - relative), abs(stated - points), abs(stated - inverse)) > max(1.0, 0.05 * stated):
        return f"写的变化幅度为{stated:g}%，但由{before:g}到{after:g}的相对变化约为{relative:.1f}%（相差{points:g}个百分点）"
    return ""


def plain_numbers(text: str) -> str:
    """ "9,800" as "9800" (a thousands separator splits no figure) and "百分之一百零八" as
    "108%" (a percentage in words is a figure too: the one reader's ``spell_percentages``)."""
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)
    return spell_percentages(text)


def read_figures(text: str) -> list[tuple[float, bool]]:
    """Numbers that read as figures (not years, months, dates or item numbers), with a % flag."""
    text = plain_numbers(text)
    text = re.sub(r"\d{4}\s*[-/.年]\s*\d{1,2}(\s*[-/.月]\s*\d{1,2}\s*日?)?", " ", text)
    text = re.sub(r"[–-]\s*\d{1,2}\s*月", " ", text)
    return [(float(m.group("n")), bool(m.group("pct"))) for m in _FIGURE.finditer(text)]


def _column(header: list[str], *keys: str) -> int | None:
    for i, name in enumerate(header):
        if any(k in name for k in keys):
            return i
    return None


def kpi_review(blocks: list[Block], kpis: KpiCatalog, rules: RuleSet) -> tuple[list[Finding], bool]:
    """Per KPI of 附1 named in the document: is there a before/after pair anywhere (a missing one
    cites the round's 建设成效 part), are the figures plausible. Returns findings and whether the
    document has any KPI figures."""
    seen: dict[int, _KpiSeen] = {}
    kpi_by_number = {k.number: k for k in kpis.kpis}
    for block in blocks:
        if block.cells is not None and block.header is not None:
            _kpi_row(block, kpis, seen)
            continue
        norm = plain_numbers(unicodedata.normalize("NFKC", block.text))
        found = kpis.find_spans(norm)
        previous_end = 0
        for n, (kpi, name_start, end) in enumerate(found):
            stop = found[n + 1][1] if n + 1 < len(found) else len(norm)
            # The figures of a KPI usually come just before its name ("…由2.4%降至0.9%，产品不良率
            # 下降62.5%"): read back to the previous sentence break for the before/after pair; the
            # range is judged on the KPI's own clause only (its name up to the next KPI or break),
            # so a neighbour's figure is never held against it.
            start = max(norm.rfind(p, 0, name_start) for p in "。；;") + 1
            start = max(start, previous_end)
            breaks = [i for i in (norm.find(p, end) for p in "，。；;,") if i >= 0]
            own_end = min([stop, *breaks])
            previous_end = own_end
            _kpi_text(kpi, norm[name_start:end], norm[start:stop], norm[name_start:own_end], seen)
    findings: list[Finding] = []
    for number, state in sorted(seen.items()):
        kpi = kpi_by_number[number]
        if state.out_of_range:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="kpi_range",
                    message=f"“{kpi.name}”的数值超出合理范围（比率应在0–100%之间，下降/降低幅度不超过100%），请核对。",
                    clause_ids=[kpi.clause_id],
                    excerpt=state.excerpt,
                )
            )
        if state.mismatch and not state.out_of_range:  # one finding per wrong figure
            findings.append(
                Finding(
                    severity="必须修改",
                    code="kpi_change_mismatch",
                    message=f"“{kpi.name}”的变化与建设前后数值不符：{state.mismatch}，请核对。",
                    clause_ids=[kpi.clause_id, outcomes_part(rules).clause_id],
                    excerpt=state.mismatch_excerpt,
                )
            )
        if state.mentioned_with_figure and not state.has_pair:
            findings.append(
                Finding(
                    severity="建议修改",
                    code="kpi_before_after",
                    message=f"“{kpi.name}”只给出了单个数值，未见建设前后对比数据；成效应以建设前后对比说明。",
                    clause_ids=[kpi.clause_id, outcomes_part(rules).clause_id],
                    excerpt=state.excerpt,
                )
            )
    has_figures = any(s.mentioned_with_figure for s in seen.values())
    return findings, has_figures


def _kpi_row(block: Block, kpis: KpiCatalog, seen: dict[int, _KpiSeen]) -> None:
    assert block.cells is not None and block.header is not None
    found = kpis.find_in(" ".join(block.cells))
    if not found:
        return
    kpi = found[0][0]
    state = seen.setdefault(kpi.number, _KpiSeen(excerpt=block.text[:80]))
    col_b = _column(block.header, "建设前", "改造前", "实施前", "基准")
    col_a = _column(block.header, "建设后", "改造后", "实施后", "现状")
    col_c = _column(block.header, "变化", "幅度", "提升", "下降")
    years = [i for i, name in enumerate(block.header) if re.fullmatch(r"\s*20\d\d\s*年?(度|末|底)?\s*", name)]
    if col_b is None and col_a is None and len(years) >= 2:
        col_b, col_a = years[0], years[-1]  # "| 指标 | 2019年 | 2024年 | 变化 |": before and after by year

    cells = block.cells

    def figs(col: int | None) -> list[tuple[float, bool]]:
        """The cell's figures; a bare number in a % KPI's column reads as a percentage, one with
        a unit of its own ("1,200 ppm", "18台/班") does not."""
        if col is None or col >= len(cells):
            return []
        own_unit = re.search(r"[A-Za-z\u4e00-\u9fa5]", re.sub(r"建设[前后]|约|左右", "", cells[col]))
        return [(v, pct or (kpi.is_rate and not own_unit)) for v, pct in read_figures(cells[col])]

    before, after, change = figs(col_b), figs(col_a), figs(col_c)
    if before or after or change:
        state.mentioned_with_figure = True
    if before and after:
        state.has_pair = True
        if not state.mismatch:
            words = (cells[col_c] if col_c is not None and col_c < len(cells) else "") + kpi.name
            stated = change[0][0] if change else None
            timed = any(_TIMED.search(cells[c]) for c in (col_b, col_a) if c is not None and c < len(cells))
            state.mismatch = change_mismatch(before[0][0], after[0][0], stated, words, timed)
            state.mismatch_excerpt = block.text[:80]
    bounded = kpi.kind == "level" or _BOUNDED_RATE.search(kpi.measure) is not None
    row_bad = (bounded and kpi.is_rate and any(not 0 <= v <= 100 for v, pct in before + after if pct)) or (
        kpi.kind == "down" and any(v > 100 for v, _ in change)
    )
    if row_bad:
        if not state.out_of_range:
            state.excerpt = block.text[:80]  # the row at fault, unless a sentence already is
        state.out_of_range = True
    if col_b is None and col_a is None:
        text = plain_numbers(unicodedata.normalize("NFKC", block.text))
        _kpi_text(kpi, unicodedata.normalize("NFKC", kpi.name), text, text, seen)


def _kpi_text(kpi: Kpi, name: str, segment: str, own: str, seen: dict[int, _KpiSeen]) -> None:
    """``name``: the words naming the KPI (its name or its measure); ``segment``: its sentence
    part (for the before/after pair); ``own``: the fragment from its name to the next KPI or
    break (for the range), which is also the excerpt."""
    state = seen.setdefault(kpi.number, _KpiSeen(excerpt=own[:80]))
    said = segment  # with the KPI's name, whose ending may be the change's word ("…下降40%")
    segment = segment.replace(name, " ")
    figures = read_figures(segment)
    if not figures:
        return
    state.mentioned_with_figure = True
    pair = change_pair(segment)
    if pair or ("建设前" in segment and "建设后" in segment and len(figures) >= 2):
        state.has_pair = True
    said_pair = change_pair(said)
    if pair and said_pair and not state.mismatch:
        stated = _STATED_CHANGE.search(said, said_pair.end())
        state.mismatch = change_mismatch(
            float(pair.group("b")),
            float(pair.group("a")),
            float(stated.group("c")) if stated else None,
            pair.group() + (stated.group("w") if stated else ""),
        )
        state.mismatch_excerpt = segment.strip()[:80]
    own_figures = [(v, pct) for v, pct in read_figures(own.replace(name, " ")) if pct]
    bounded = _BOUNDED_RATE.search(kpi.measure) is not None
    if pair and bounded and any(not 0 <= float(pair.group(k)) <= 100 for k in ("b", "a")):
        own_figures.append((float(pair.group("a")), True))  # "设备综合利用率由82%提升至106%"
    own_pair = change_pair(own)
    after_pair = own[own_pair.end() :] if own_pair else own
    if (
        (kpi.kind == "level" or bounded) and kpi.is_rate and any(not 0 <= v <= 100 for v, _ in own_figures)
    ) or (
        kpi.kind == "down" and any(v > 100 for v, pct in read_figures(after_pair.replace(name, " ")) if pct)
    ):
        if not state.out_of_range:
            state.excerpt = own[:80]  # the first fragment at fault
        state.out_of_range = True


#: A trailing parenthesis of a quantity's name ("设备综合效率（OEE）").
_PARENTHESIS = re.compile(r"[（(][^）)]*[）)]$")
#: The quantity a pair belongs to, written just before it ("吨钢综合能耗由…", "设备综合效率（OEE）由…").
_QUANTITY_BEFORE = re.compile(r"([\u4e00-\u9fa5A-Za-z（）()]{2,16})\s*[:：]?\s*$")


def figure_findings(blocks: list[Block], rules: RuleSet, reported: list[Finding]) -> list[Finding]:
    """Before/after pairs of any quantity, 附1's or not ("吨钢综合能耗由548 kgce/t降至561
    kgce/t，降低2.4%"): a change that contradicts its own figures, or a rate that cannot exceed
    100 % above it. Pairs a KPI finding already reported are left to it."""
    seen = [
        unicodedata.normalize("NFKC", f.excerpt)[:12] for f in reported if f.excerpt and len(f.excerpt) >= 6
    ]
    findings: list[Finding] = []
    for block in blocks:
        if block.cells is not None:
            continue  # tables are read by their columns (kpi_review)
        for clause in sentences(plain_numbers(unicodedata.normalize("NFKC", block.text)), semicolons=True):
            pair = change_pair(clause)
            if pair is None or any(excerpt in clause for excerpt in seen):
                continue  # its KPI's finding already says it
            named = _QUANTITY_BEFORE.search(clause[: pair.start()].rstrip("由从 "))
            quantity = named.group(1) if named else "该指标"
            before, after = float(pair.group("b")), float(pair.group("a"))
            stated = _STATED_CHANGE.search(clause, pair.end())
            problem = change_mismatch(
                before,
                after,
                float(stated.group("c")) if stated else None,
                pair.group() + (stated.group("w") if stated else ""),
            )
            percent = "%" in pair.group()
            if (
                not problem
                and percent
                and _BOUNDED_RATE.search(_PARENTHESIS.sub("", quantity))
                and max(before, after) > 100
            ):
                problem = f"{quantity}为比率，不应超过100%"
            if problem:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="figure_inconsistent",
                        message=f"“{quantity}”的数据前后矛盾：{problem}，请核对。",
                        clause_ids=[outcomes_part(rules).clause_id],
                        excerpt=clause.strip()[:80],
                    )
                )
    return findings
