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
from assistant.rules import RuleSet

_CHANGE_PAIR = re.compile(
    r"(?:由|从)[^\d，。；]{0,16}?(?P<b>\d+(?:\.\d+)?)[^\d，。；]{0,12}?"
    r"(?:提升|提高|增加|增长|下降|降低|减少|缩短|降|升|变)?(?:至|到|为)[^\d，。；]{0,6}?(?P<a>\d+(?:\.\d+)?)"
)
_FIGURE = re.compile(r"(?<![\d.第])(?P<n>\d+(?:\.\d+)?)(?![\d.]|\s*[年月日号项])(?P<pct>\s*%)?")


@dataclass
class _KpiSeen:
    has_pair: bool = False
    mentioned_with_figure: bool = False
    out_of_range: bool = False
    excerpt: str = ""


def read_figures(text: str) -> list[tuple[float, bool]]:
    """Numbers that read as figures (not years, months, dates or item numbers), with a % flag."""
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
        found = kpis.find_in(block.text)
        norm = unicodedata.normalize("NFKC", block.text)
        previous_end = 0
        for n, (kpi, end) in enumerate(found):
            stop = len(norm)
            if n + 1 < len(found):
                stop = norm.find(unicodedata.normalize("NFKC", found[n + 1][0].name), end)
                stop = len(norm) if stop < 0 else stop
            # The figures of a KPI usually come just before its name ("…由2.4%降至0.9%，产品不良率
            # 下降62.5%"): read back to the previous sentence break for the before/after pair; the
            # range is judged on the KPI's own clause only (its name up to the next KPI or break),
            # so a neighbour's figure is never held against it.
            name_start = end - len(unicodedata.normalize("NFKC", kpi.name))
            start = max(norm.rfind(p, 0, name_start) for p in "。；;") + 1
            start = max(start, previous_end)
            breaks = [i for i in (norm.find(p, end) for p in "，。；;,") if i >= 0]
            own_end = min([stop, *breaks])
            previous_end = own_end
            _kpi_text(kpi, norm[start:stop], norm[name_start:own_end], seen)
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

    cells = block.cells

    def figs(col: int | None) -> list[tuple[float, bool]]:
        return read_figures(cells[col]) if col is not None and col < len(cells) else []

    before, after, change = figs(col_b), figs(col_a), figs(col_c)
    if before or after or change:
        state.mentioned_with_figure = True
    if before and after:
        state.has_pair = True
    row_bad = (kpi.kind == "level" and kpi.is_rate and any(not 0 <= v <= 100 for v, _ in before + after)) or (
        kpi.kind == "down" and any(v > 100 for v, _ in change)
    )
    if row_bad:
        if not state.out_of_range:
            state.excerpt = block.text[:80]  # the row at fault, unless a sentence already is
        state.out_of_range = True
    if col_b is None and col_a is None:
        _kpi_text(kpi, block.text, block.text, seen)


def _kpi_text(kpi: Kpi, segment: str, own: str, seen: dict[int, _KpiSeen]) -> None:
    """``segment``: the KPI's sentence part (for the before/after pair); ``own``: the fragment
    from its name to the next KPI or break (for the range), which is also the excerpt."""
    name = unicodedata.normalize("NFKC", kpi.name)
    state = seen.setdefault(kpi.number, _KpiSeen(excerpt=own[:80]))
    segment = segment.replace(name, " ")
    figures = read_figures(segment)
    if not figures:
        return
    state.mentioned_with_figure = True
    pair = _CHANGE_PAIR.search(segment)
    if pair or ("建设前" in segment and "建设后" in segment and len(figures) >= 2):
        state.has_pair = True
    own_figures = [(v, pct) for v, pct in read_figures(own.replace(name, " ")) if pct]
    own_pair = _CHANGE_PAIR.search(own)
    after_pair = own[own_pair.end() :] if own_pair else own
    if (kpi.kind == "level" and kpi.is_rate and any(not 0 <= v <= 100 for v, _ in own_figures)) or (
        kpi.kind == "down" and any(v > 100 for v, pct in read_figures(after_pair.replace(name, " ")) if pct)
    ):
        if not state.out_of_range:
            state.excerpt = own[:80]  # the first fragment at fault
        state.out_of_range = True
