"""Review an existing declaration draft (DOCX, TXT or MD) and list what to fix.

Helpdesk staff receive drafts written by hand, by consultants or by this assistant; the same rules
apply to all of them. Each finding has a severity (必须修改 / 建议修改 / 提示) and the clause or
format rule behind it:

- instance lines not in 附件4's ``环节名—场景名—实例名`` form, naming a 环节 or scenario that is
  not in the edition's catalog, or with a vague instance name (form#示例);
- link coverage short of the target tier (附件2 二~五.(一));
- KPIs of 附1 without before/after figures or outside their plausible range (kpi#N, materials#4);
- 附件3 sections 3 and 4 or their items missing (materials#3, materials#4);
- placeholders left in (【待补充】, XX, 待定 …);
- 国内领先/国际领先/全球领先 claims with no figure behind them (the tier's (二).1 clause).

Reading is deliberately forgiving (numbering, bullets, Markdown tables, dash variants); judging is
the same code the drafter uses, so a draft produced by ``assistant draft`` and one typed by hand
are held to one standard.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.drafting.draft import OUTCOME_CLAUSE, SECTIONS, corpus_dir_or_default
from assistant.drafting.findings import (
    Finding,
    claim_and_secret_findings,
    coverage_findings,
    duplicate_instance_findings,
    edition_findings,
    instance_name_findings,
    sort_findings,
)
from assistant.drafting.resolve import draft_match, draft_name_note, merge_draft_notes
from assistant.drafting.wording import DASH_VARIANTS, SEP, leadership_claims
from assistant.errors import DraftFileError
from assistant.knowledge.kpis import Kpi, KpiCatalog, load_kpis
from assistant.knowledge.scenarios import ScenarioCatalog, load_catalog, normalise_name
from assistant.rules import RuleSet, load_rules
from assistant.vocabulary import TIERS


@dataclass
class Block:
    """A line of the document: a paragraph line, or a table row (with its cells and the
    header row of its table, so KPI columns 建设前/建设后 can be read by position)."""

    text: str
    cells: list[str] | None = None
    header: list[str] | None = None


class ReviewedInstance(BaseModel):
    line: str
    segment: str | None = None
    scenario: str | None = None
    instance_name: str | None = None
    link: str | None = None


class ReviewReport(BaseModel):
    file: str | None = None
    round: str = ""
    edition: str
    tier: str
    instances: list[ReviewedInstance]
    links_covered: list[str]
    findings: list[Finding]
    summary: dict[str, int]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def read_blocks(path: Path) -> list[Block]:
    """The document as blocks, in reading order. DOCX: paragraphs and table rows; TXT/MD: lines
    (Markdown tables become rows)."""
    path = Path(path)
    if not path.exists():
        raise DraftFileError(f"找不到要审阅的文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        blocks = _docx_blocks(path)
    elif suffix in (".txt", ".md", ".markdown"):
        blocks = text_blocks(_read_text(path))
    elif suffix == ".doc":
        raise DraftFileError(f"{path.name} 是旧版 Word 格式（.doc），请另存为 .docx 后再审阅。")
    else:
        raise DraftFileError(f"不支持的文件类型 {suffix or '（无扩展名）'}：请提供 .docx、.txt 或 .md 文件。")
    if not any(b.text.strip() for b in blocks):
        raise DraftFileError(f"{path.name} 中没有可审阅的文字内容。")
    return blocks


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DraftFileError(f"无法识别 {path.name} 的文字编码，请另存为 UTF-8 文本。")


def _docx_blocks(path: Path) -> list[Block]:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged file
        # Not the exception's text: python-docx names the full server path ("Package not found at …").
        raise DraftFileError(
            f"无法打开 {path.name}：文件已损坏或不是有效的 DOCX 文件，请用 Word 另存为 .docx 后重新上传。"
        ) from exc
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks += [Block(line) for line in item.text.splitlines() if line.strip()]
        elif isinstance(item, Table):
            header: list[str] | None = None
            for row in item.rows:
                cells = _unique_cells(row.cells)
                texts = [c.text.strip() for c in cells]
                if header is None:
                    header = texts
                    blocks.append(Block(" | ".join(texts), texts, None))
                    continue
                blocks.append(Block(" | ".join(t.replace("\n", " ") for t in texts), texts, header))
    return blocks


def _unique_cells(cells: list[Any]) -> list[Any]:
    """Merged cells repeat in python-docx's row.cells; keep each once."""
    seen: set[int] = set()
    out = []
    for cell in cells:
        key = id(cell._tc)  # type: ignore[attr-defined]
        if key not in seen:
            seen.add(key)
            out.append(cell)
    return out


def text_blocks(text: str) -> list[Block]:
    """Plain text or Markdown as blocks; ``| a | b |`` rows keep their cells and header."""
    blocks: list[Block] = []
    header: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("|") and line.endswith("|"):
            cells = [c.strip().replace("<br>", "\n") for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if header is None:
                header = cells
                blocks.append(Block(" | ".join(cells), cells, None))
            else:
                blocks.append(Block(" | ".join(c.replace("\n", " ") for c in cells), cells, header))
            continue
        header = None
        line = re.sub(r"^#{1,6}\s*", "", line)
        line = re.sub(r"^[*+]\s+|^-\s+(?=\S)", "", line)
        line = line.replace("**", "")
        if line:
            blocks.append(Block(line))
    return blocks


# ---------------------------------------------------------------------------------------------
# Instance lines
# ---------------------------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[.．、)）]|[(（]\s*\d{1,2}\s*[)）]|[①-⑳])\s*")
_MARKERS = re.compile(r"[(（]\s*(环节名|场景名|实例名)\s*[)）]")
_SEPARATOR = re.compile(r"\s*(?:——|[—―－–]|(?<!\d)-(?!\d))\s*")


#: A line shaped like an instance entry whatever its first part: three short dash-separated parts.
_INSTANCE_SHAPE = re.compile(
    r"^[^，。；;,：:|]{2,12}\s*(?:——|[—―－–])\s*[^，。；;,：:|]{2,24}\s*(?:——|[—―－–])\s*[^，。；;,：:|]{2,40}$"
)


def _instance_candidates(
    blocks: list[Block], catalog: ScenarioCatalog, edition: str, unknown: list[str] | None = None
) -> list[str]:
    """Lines that look like 附件4 instance entries: their first part names a 环节 (of this
    edition, any edition, or one of the five links), followed by a separator. Lines of the
    same three-part shape whose first part is no 环节 at all go to ``unknown`` (reported, never
    dropped silently)."""
    names = {s for e in catalog.editions.values() for s in e.segments} | set(catalog.links)
    names |= set(catalog.link_synonyms)
    lines: list[tuple[str, str]] = []
    for block in blocks:
        texts = [block.text] if block.cells is None else [t for c in block.cells for t in c.split("\n")]
        for text in texts:
            numbered = _NUMBERING.match(text.strip())
            number = re.sub(r"\D", "", numbered.group(0)) if numbered else ""
            body = _NUMBERING.sub("", text.strip())
            head = _MARKERS.sub("", body)
            for name in sorted(names, key=len, reverse=True):
                if head.startswith(name):
                    rest = head[len(name) :].lstrip()
                    if rest[:1] and (rest[0] in DASH_VARIANTS or rest[0] == "一"):
                        lines.append((number, body))
                    break
            else:
                if unknown is not None and _INSTANCE_SHAPE.match(head) and body not in unknown:
                    unknown.append(body)
    # The same instance appears in the list, as a heading in 具体场景建设情况 and in the 附件4
    # row: one numbered instance is one entry (the first seen), even where the copies differ.
    seen: set[str] = set()
    unique = []
    for number, line in lines:
        key = f"{number}|{normalise_name(_SEPARATOR.split(line)[-1])}" if number else normalise_name(line)
        if key not in seen:
            seen.add(key)
            unique.append(line)
    return unique


def _ocr_dashes(line: str, catalog: ScenarioCatalog) -> str:
    """The seed's own OCR turns "—" into "一": after a known 环节 name, and after a known scenario
    name that follows it, read "一" as the separator (the separator finding then says so)."""
    segments = sorted({*catalog.links, *(s for e in catalog.editions.values() for s in e.segments)}, key=len)
    scenarios = sorted({s for e in catalog.editions.values() for s in e.scenarios}, key=len)
    for name in reversed(segments):
        if line.startswith(name + "一"):
            line = name + "－" + line[len(name) + 1 :]
            rest = line[len(name) + 1 :]
            for scenario in reversed(scenarios):
                if rest.startswith(scenario + "一"):
                    line = line[: len(name) + 1] + scenario + "－" + rest[len(scenario) + 1 :]
                    break
            break
    return line


def _review_instance(
    line: str,
    catalog: ScenarioCatalog,
    edition: str,
    findings: list[Finding],
    notes: list[tuple[str, str, str]],
) -> ReviewedInstance:
    ed = catalog.edition(edition)
    result = ReviewedInstance(line=line)
    if _MARKERS.search(line):
        findings.append(
            Finding(
                severity="建议修改",
                code="instance_markers",
                message="附件4示例中的“(环节名)(场景名)(实例名)”只是说明各部分含义，正式填写时应去掉。",
                clause_ids=["form#示例"],
                excerpt=line,
            )
        )
    plain = _MARKERS.sub("", line)
    plain = _ocr_dashes(plain, catalog)
    separators = set(_SEPARATOR.findall(plain))
    if any(s.strip() != SEP for s in separators):
        findings.append(
            Finding(
                severity="提示",
                code="instance_separator",
                message="各部分之间建议统一使用附件4示例中的破折号“—”。",
                clause_ids=["form#示例"],
                excerpt=line,
            )
        )
    parts = [p.strip() for p in _SEPARATOR.split(plain)]
    if len(parts) != 3 or not all(parts):
        findings.append(
            Finding(
                severity="必须修改",
                code="instance_format",
                message=f"“{line}”不是“环节名—场景名—实例名”三段式："
                + ("缺少场景名或实例名。" if len(parts) < 3 else "实例名中不要再使用破折号。"),
                clause_ids=["form#示例"],
                excerpt=line,
            )
        )
        if len(parts) < 2:
            return result
    segment_text, scenario_text = parts[0], parts[1]
    instance_name = SEP.join(parts[2:]) if len(parts) > 2 else ""
    result.instance_name = instance_name or None

    segment = catalog.match(segment_text, edition, kind="segment")
    link: str | None = None
    other_segment = None if segment.confident else draft_match(catalog, segment_text, edition, "segment")
    if other_segment is not None:
        result.segment, link = other_segment[0].name, other_segment[0].link
        notes.append((str(other_segment[0].name), "环节", other_segment[1]))
    elif segment.confident:
        result.segment, link = segment.name, segment.link
        if segment.status != "exact":
            findings.append(
                Finding(
                    severity="建议修改",
                    code="segment_name",
                    message=f"环节应写指引中的名称：{segment.message}",
                    clause_ids=[ed.segments[segment.name].clause_id] if segment.name else [],
                    excerpt=line,
                )
            )
    elif catalog.canonical_link(segment_text):
        link = catalog.canonical_link(segment_text)
        findings.append(
            Finding(
                severity="建议修改",
                code="segment_is_link",
                message=segment.message,
                clause_ids=[ed.status_clause_id],
                excerpt=line,
            )
        )
    else:
        findings.append(
            Finding(
                severity="必须修改",
                code="segment_not_in_catalog",
                message=segment.message,
                clause_ids=[ed.status_clause_id],
                excerpt=line,
            )
        )

    if ed.has_scenarios:
        scenario = catalog.match(scenario_text, edition, kind="scenario")
        if scenario.confident:
            result.scenario, link = scenario.name, scenario.link
            if scenario.status != "exact":
                findings.append(
                    Finding(
                        severity="建议修改",
                        code="scenario_name",
                        message=f"场景名应与指引一致：{scenario.message}",
                        clause_ids=[ed.segments[scenario.segment].clause_id] if scenario.segment else [],
                        excerpt=line,
                    )
                )
            if result.segment and scenario.segment and result.segment != scenario.segment:
                findings.append(
                    Finding(
                        severity="建议修改",
                        code="segment_mismatch",
                        message=f"场景“{scenario.name}”在{edition}年版指引中属于“{scenario.segment}”环节，"
                        f"不属于“{result.segment}”。",
                        clause_ids=[ed.segments[scenario.segment].clause_id],
                        excerpt=line,
                    )
                )
        else:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="scenario_not_in_catalog",
                    message=scenario.message,
                    clause_ids=["form#示例", ed.status_clause_id],
                    excerpt=line,
                )
            )
    else:
        result.scenario = scenario_text
        other_scenario = draft_match(catalog, scenario_text, edition, "scenario")
        if other_scenario is not None and other_scenario[0].name:
            result.scenario = other_scenario[0].name
            link = link or other_scenario[0].link
            notes.append((other_scenario[0].name, "场景", other_scenario[1]))
    result.link = link
    if instance_name:
        for finding in instance_name_findings(instance_name, result.scenario, result.segment):
            finding.excerpt = line
            findings.append(finding)
    return result


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------

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


def _figures(text: str) -> list[tuple[float, bool]]:
    """Numbers that read as figures (not years, months, dates or item numbers), with a % flag."""
    text = re.sub(r"\d{4}\s*[-/.年]\s*\d{1,2}(\s*[-/.月]\s*\d{1,2}\s*日?)?", " ", text)
    text = re.sub(r"[–-]\s*\d{1,2}\s*月", " ", text)
    return [(float(m.group("n")), bool(m.group("pct"))) for m in _FIGURE.finditer(text)]


def _column(header: list[str], *keys: str) -> int | None:
    for i, name in enumerate(header):
        if any(k in name for k in keys):
            return i
    return None


def _kpi_review(blocks: list[Block], kpis: KpiCatalog) -> tuple[list[Finding], bool]:
    """Per KPI of 附1 named in the document: is there a before/after pair anywhere, are the
    figures plausible. Returns findings and whether the document has any KPI figures."""
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
                    clause_ids=[kpi.clause_id, "materials#4"],
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
        return _figures(cells[col]) if col is not None and col < len(cells) else []

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
    figures = _figures(segment)
    if not figures:
        return
    state.mentioned_with_figure = True
    pair = _CHANGE_PAIR.search(segment)
    if pair or ("建设前" in segment and "建设后" in segment and len(figures) >= 2):
        state.has_pair = True
    own_figures = [(v, pct) for v, pct in _figures(own.replace(name, " ")) if pct]
    own_pair = _CHANGE_PAIR.search(own)
    after_pair = own[own_pair.end() :] if own_pair else own
    if (kpi.kind == "level" and kpi.is_rate and any(not 0 <= v <= 100 for v, _ in own_figures)) or (
        kpi.kind == "down" and any(v > 100 for v, pct in _figures(after_pair.replace(name, " ")) if pct)
    ):
        if not state.out_of_range:
            state.excerpt = own[:80]  # the first fragment at fault
        state.out_of_range = True


# ---------------------------------------------------------------------------------------------
# Sections, placeholders, claims
# ---------------------------------------------------------------------------------------------

_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "申报单位基本信息": ("申报单位基本信息", "单位基本信息", "企业基本信息", "基本信息"),
    "企业名称": ("企业名称", "单位名称"),
    "地址": ("地址",),
    "性质": ("性质",),
    "行业": ("行业",),
    "联系方式": ("联系方式", "联系人", "联系电话", "手机", "电子邮箱"),
    "智能工厂基本情况": ("智能工厂基本情况", "基本情况"),
    "建设起止时间": ("起止时间", "建设周期", "建设时间"),
    "总投资": ("总投资", "投资总额"),
    "集成商": ("集成商",),
    "项目简介": ("项目简介", "项目概况", "项目概述"),
    "建设成效": ("建设成效",),
    "真实性承诺": ("真实性承诺", "承诺"),
    "智能工厂场景建设情况": ("场景建设情况",),
    "项目总体情况": ("总体情况",),
    "具体场景建设情况": ("具体场景", "各场景建设", "场景建设内容"),
    "系统集成情况": ("系统集成",),
    "智能工厂建设成效": ("建设成效",),
    "先进性与特色": ("先进性", "特色"),
    "实施成效": ("实施成效", "应用成效"),
    "后续实施计划": ("后续实施计划", "后续计划", "下一步计划", "下一步工作"),
}
_PLACEHOLDER_ANY = re.compile(
    r"【待补充[^】]*】|【\s*】|(?<![A-Za-z])(?:XX+|xx+|××+)(?![A-Za-z])|TODO|待定|待填写|此处填写"
)


def _section_findings(text: str) -> list[Finding]:
    findings = []
    for _, title, clause_id, items in SECTIONS:
        if not any(k in text for k in _SECTION_KEYS[title]):
            findings.append(
                Finding(
                    severity="必须修改",
                    code="section_missing",
                    message=f"未找到附件3要求的“{title}”部分（应包括{'、'.join(items)}）。",
                    clause_ids=[clause_id],
                )
            )
            continue
        for item in items:
            if not any(k in text for k in _SECTION_KEYS[item]):
                findings.append(
                    Finding(
                        severity="建议修改",
                        code="section_item_missing",
                        message=f"“{title}”中未见“{item}”的内容，附件3要求包括该项信息。",
                        clause_ids=[clause_id],
                    )
                )
    return findings


def _placeholder_findings(blocks: list[Block]) -> list[Finding]:
    findings = []
    for block in blocks:
        hits = _PLACEHOLDER_ANY.findall(block.text)
        if hits:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="placeholder_left",
                    message=f"仍有未补全的占位内容：{'、'.join(dict.fromkeys(hits))}。",
                    rule="提交前不得保留占位符",
                    excerpt=block.text[:120],
                )
            )
    return findings


def _claim_findings(blocks: list[Block], kpis: KpiCatalog, tier: str, has_figures: bool) -> list[Finding]:
    clause_id, requirement = OUTCOME_CLAUSE[tier]
    measures = {unicodedata.normalize("NFKC", k.measure) for k in kpis.kpis} | {
        unicodedata.normalize("NFKC", k.name) for k in kpis.kpis
    }
    findings = []
    for block in blocks:
        claims = leadership_claims(block.text)
        if not claims:
            continue
        norm = unicodedata.normalize("NFKC", block.text)
        backed = bool(_figures(norm)) or any(m in norm for m in measures)
        if backed and has_figures:
            continue
        findings.append(
            Finding(
                severity="建议修改" if has_figures else "必须修改",
                code="claim_without_kpi",
                message=(
                    f"“{'、'.join(dict.fromkeys(claims))}”的表述"
                    + (
                        "未引用具体指标，请在此处写明支撑该判断的关键绩效指标及同行业对比。"
                        if has_figures
                        else "在全文中没有关键绩效指标数据支撑，请补充附1指标的建设前后数据及同行业对比，或删去该表述。"
                    )
                    + f"（{tier}要求：{requirement}）"
                ),
                clause_ids=[clause_id],
                excerpt=block.text[:120],
            )
        )
    return findings


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------


def review_blocks(
    blocks: list[Block],
    tier: str = "卓越级",
    edition: str | None = None,
    *,
    corpus_dir: Path | None = None,
    file: str | None = None,
    rules: RuleSet | None = None,
) -> ReviewReport:
    """Findings on a document already split into blocks (see ``read_blocks``/``text_blocks``).

    ``rules`` (default: the newest rules file under the corpus) says which links ``tier`` must
    cover; ``edition`` (the scenario catalogue) defaults to the round of those rules."""
    if tier not in TIERS:
        raise DraftFileError(f"目标层级 {tier!r} 无效；可选：{'、'.join(TIERS)}")
    catalog = load_catalog(corpus_dir)
    rules = rules or load_rules(corpus_dir_or_default(corpus_dir) / "rules")
    edition = edition or rules.edition
    if edition not in catalog.editions:
        raise DraftFileError(
            f"没有 {edition!r} 年版的场景指引数据；可选：{'、'.join(sorted(catalog.editions))}"
        )
    kpis = load_kpis(corpus_dir)
    ed = catalog.edition(edition)
    findings: list[Finding] = []
    findings += edition_findings(ed)

    unknown: list[str] = []
    notes: list[tuple[str, str, str]] = []
    lines = _instance_candidates(blocks, catalog, edition, unknown)
    instances = [_review_instance(line, catalog, edition, findings, notes) for line in lines]
    findings += [draft_name_note(name, what, other, edition) for name, what, other in notes]
    for line in unknown:
        head = _SEPARATOR.split(line)[0]
        instances.append(ReviewedInstance(line=line))
        findings.append(
            Finding(
                severity="必须修改",
                code="instance_unrecognised",
                message=f"“{line}”像是场景实例行，但“{head}”不是{edition}年版指引的环节名，"
                "未能归入任何环节；请按“环节名—场景名—实例名”改写。",
                clause_ids=["form#示例", ed.status_clause_id],
                excerpt=head,
            )
        )
    covered = {i.link for i in instances if i.link}
    if instances:
        findings += coverage_findings(covered, tier, rules)
        findings += duplicate_instance_findings(i.instance_name or "" for i in instances)
    else:
        findings.append(
            Finding(
                severity="必须修改",
                code="instances_missing",
                message="未识别到“环节名—场景名—实例名”形式的典型场景实例清单，无法核对场景与环节覆盖；"
                "请按附件4示例逐行列出，如“生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测”。",
                clause_ids=["form#示例"],
            )
        )

    full_text = "\n".join(b.text for b in blocks)
    findings += _section_findings(full_text)
    kpi_findings, has_figures = _kpi_review(blocks, kpis)
    findings += kpi_findings
    if not has_figures:
        clause_id, requirement = OUTCOME_CLAUSE[tier]
        findings.append(
            Finding(
                severity="必须修改",
                code="kpi_missing",
                message=f"未找到附1关键绩效指标的数据；建设成效须参考附1给出主要指标（{tier}要求：{requirement}）。",
                clause_ids=["materials#4", clause_id],
            )
        )
    findings += _placeholder_findings(blocks)
    findings += _claim_findings(blocks, kpis, tier, has_figures)
    for block in blocks:
        findings += claim_and_secret_findings(block.text)
    findings = merge_draft_notes(findings, edition)

    unique: dict[tuple[str, str, str | None], Finding] = {}
    for finding in findings:
        unique.setdefault((finding.code, finding.message, finding.excerpt), finding)
    ordered = sort_findings(list(unique.values()))
    summary = Counter(f.severity for f in ordered)
    return ReviewReport(
        file=file,
        round=rules.edition,
        edition=edition,
        tier=tier,
        instances=instances,
        links_covered=[link for link in catalog.links if link in covered],
        findings=ordered,
        summary={k: summary.get(k, 0) for k in ("必须修改", "建议修改", "提示")},
    )


def review_text(
    text: str,
    tier: str = "卓越级",
    edition: str | None = None,
    *,
    corpus_dir: Path | None = None,
    rules: RuleSet | None = None,
) -> ReviewReport:
    """Review pasted text (plain or Markdown)."""
    if not text.strip():
        raise DraftFileError("没有可审阅的文字内容。")
    return review_blocks(text_blocks(text), tier, edition, corpus_dir=corpus_dir, rules=rules)


def review_file(
    path: Path,
    tier: str = "卓越级",
    edition: str | None = None,
    *,
    corpus_dir: Path | None = None,
    rules: RuleSet | None = None,
) -> ReviewReport:
    """Review an uploaded DOCX/TXT/MD draft."""
    return review_blocks(read_blocks(path), tier, edition, corpus_dir=corpus_dir, file=str(path), rules=rules)
