"""Review an existing declaration draft (DOCX, TXT or MD) and list what to fix.

Helpdesk staff receive drafts written by hand, by consultants or by this assistant; the same rules
apply to all of them. Each finding has a severity (必须修改 / 建议修改 / 提示) and the clause or
format rule behind it:

- instance lines not in 附件4's ``环节名—场景名—实例名`` form, naming a 环节 or scenario that is
  not in the edition's catalog, or with a vague instance name (form#示例);
- link coverage short of the target tier (附件2 二~五.(一));
- KPIs of 附1 without before/after figures or outside their plausible range (kpi#N, materials#4);
- 附件3's parts or their items missing (materials#1 … materials#4, as the round's rules list them);
- placeholders left in (【待补充】, XX, 待定 …);
- 国内领先/国际领先/全球领先 claims with no figure behind them (the tier's (二).1 clause).

Every clause cited and every part looked for is the round's, read from its rules (``declaration``).

Reading is deliberately forgiving (numbering, bullets, Markdown tables, dash variants); judging is
the same code the drafter uses, so a draft produced by ``assistant draft`` and one typed by hand
are held to one standard.

The parts live apart, each with one job: ``reading`` turns a file into blocks, ``instance_lines``
finds and judges the 附件4 lines, ``kpi_review`` reads the KPI figures; this module holds the
section, placeholder and claim checks and puts a report together.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from assistant.drafting.declaration import (
    catalogue_of,
    declaration_of,
    kpi_doc,
    outcome_of,
    outcomes_part,
    parts,
)
from assistant.drafting.draft import corpus_dir_or_default
from assistant.drafting.eligibility import eligibility_findings
from assistant.drafting.findings import (
    Finding,
    claim_and_secret_findings,
    coverage_findings,
    duplicate_instance_findings,
    edition_findings,
    sort_findings,
)
from assistant.drafting.instance_lines import ReviewedInstance, review_instances
from assistant.drafting.kpi_review import figure_findings, kpi_review, read_figures
from assistant.drafting.names import merge_draft_notes
from assistant.drafting.period import period_findings
from assistant.drafting.reading import Block, read_blocks, text_blocks
from assistant.drafting.totals import count_findings, total_findings, year_figure_findings
from assistant.drafting.wording import leadership_claims
from assistant.errors import DraftFileError
from assistant.filelimits import DEFAULT_LIMITS, ReadLimits
from assistant.knowledge.kpis import KpiCatalog, load_kpis
from assistant.knowledge.scenarios import load_catalog
from assistant.rules import RuleSet, load_rules
from assistant.vocabulary import TIERS, Severity


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
# Sections, placeholders, claims
# ---------------------------------------------------------------------------------------------

_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "申报单位基本信息": ("申报单位基本信息", "单位基本信息", "企业基本信息", "基本信息"),
    # Items are looked for within their part, so a short label ("名称：", "联系：") is enough.
    "企业名称": ("企业名称", "单位名称", "公司名称", "企业全称", "单位全称", "名称"),
    "地址": ("地址",),
    "性质": ("性质",),
    "行业": ("行业",),
    "联系方式": ("联系方式", "联系人", "联系电话", "手机", "电子邮箱", "联系"),
    "智能工厂基本情况": ("智能工厂基本情况", "基本情况"),
    "建设起止时间": ("起止时间", "建设周期", "建设时间", "建设起止", "起止"),
    "总投资": ("总投资", "投资总额"),
    "集成商": ("集成商",),
    "项目简介": ("项目简介", "项目概况", "项目概述", "简介", "概况"),
    "建设成效": ("建设成效",),
    "真实性承诺": ("真实性承诺", "承诺"),
    "智能工厂场景建设情况": ("场景建设情况",),
    "项目总体情况": ("总体情况", "总体", "整体情况", "总体架构"),
    "具体场景建设情况": ("具体场景", "各场景建设", "场景建设内容", "场景清单", "场景说明", "场景实例"),
    "系统集成情况": ("系统集成",),
    "智能工厂建设成效": ("建设成效",),
    "先进性与特色": ("先进性", "特色"),
    "实施成效": ("实施成效", "应用成效", "KPI", "关键绩效", "绩效指标"),
    "后续实施计划": ("后续实施计划", "后续计划", "下一步计划", "下一步工作"),
}
_PLACEHOLDER_ANY = re.compile(
    r"【待补充[^】]*】|【\s*】|(?<![A-Za-z])(?:XX+|xx+|××+)(?![A-Za-z])|TODO|待定|待填写|此处填写"
)


#: A line numbered the way 申报书 headings are ("一、", "（二）", "3.", "2.1", "第四部分"), short and
#: not a sentence: a heading even when the document has no heading styles.
_NUMBERED_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]{1,3}\s*[)）]|\d{1,2}(?:\.\d{1,2})*\s*[、.．)）]?\s*(?=\D)|第[一二三四五六七八九十\d]{1,3}部分)"
)


def _is_heading(block: Block) -> bool:
    text = block.text.strip()
    if block.cells is not None or not text:
        return False
    if block.heading:
        return True
    return bool(_NUMBERED_HEADING.match(text)) and len(text) <= 30 and not re.search(r"[。；;]", text)


def _names_part(heading: str, number: str, title: str) -> bool:
    """Whether a heading is the part's own: its number ("四、", "第四部分") or its whole title."""
    return title in heading or bool(re.match(rf"\s*(?:{number}\s*[、.．]|第{number}部分)", heading))


def _section_findings(blocks: list[Block], rules: RuleSet) -> list[Finding]:
    """A part of the round's 申报书 not found at all must be added; a part missing one of its
    items should be completed. A part is found by a heading that names it (Word heading style,
    Markdown "#", or a numbered short line), not by its words anywhere: "建设成效" in 二's
    项目简介 is no part 四. Its items are looked for within the part (from its heading to the
    next part's). A draft with no headings at all is searched as one text. A title or item with
    no known synonyms is looked for as written."""
    text = "\n".join(b.text for b in blocks)
    headings = [(i, b.text) for i, b in enumerate(blocks) if _is_heading(b)]

    def names(name: str, where: str) -> bool:
        return any(k in where for k in _SECTION_KEYS.get(name, (name,)))

    part_list = parts(rules)
    starts: dict[str, int | None] = {}
    after = -1
    for part in part_list:
        found = [i for i, heading in headings if i > after and names(part.title, heading)]
        # "四、智能工厂建设成效" over 二's sub-heading "（五）建设成效": the part's number or its
        # whole title marks the part's own heading.
        own = [i for i in found if _names_part(blocks[i].text, part.number, part.title)]
        chosen: int | None = (own or found)[0] if own or found else None
        if not headings:
            chosen = 0 if names(part.title, text) else None
        starts[part.title] = chosen
        after = chosen if chosen is not None else after
    findings = []
    for n, part in enumerate(part_list):
        title, clause_id, items = part.title, part.clause_id, part.items
        start = starts[title]
        gaps: list[tuple[Severity, str, str]]
        if start is None:
            gaps = [
                (
                    "必须修改",
                    "section_missing",
                    f"未找到附件3要求的“{title}”部分（应包括{'、'.join(items)}）。",
                )
            ]
        else:
            later = [s for p in part_list[n + 1 :] if (s := starts[p.title]) is not None and s > start]
            span = "\n".join(b.text for b in blocks[start : min(later)]) if later and headings else text
            gaps = [
                (
                    "必须修改",  # 附件3 says each part 包括 its items
                    "section_item_missing",
                    f"“{title}”中未见“{item}”的内容，附件3要求包括该项信息。",
                )
                for item in items
                if not names(item, span)
            ]
        findings += [Finding(severity=s, code=c, message=m, clause_ids=[clause_id]) for s, c, m in gaps]
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


def _claim_findings(
    blocks: list[Block], kpis: KpiCatalog, tier: str, has_figures: bool, rules: RuleSet
) -> list[Finding]:
    """A claim of leadership with no KPI behind it, under the tier's 建设成效 clause."""
    clause_id, requirement = outcome_of(rules, tier)
    measures = {unicodedata.normalize("NFKC", k.measure) for k in kpis.kpis} | {
        unicodedata.normalize("NFKC", k.name) for k in kpis.kpis
    }
    findings = []
    for block in blocks:
        claims = leadership_claims(block.text)
        if not claims:
            continue
        norm = unicodedata.normalize("NFKC", block.text)
        backed = bool(read_figures(norm)) or any(m in norm for m in measures)
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
    cover and, in its declaration, which parts the 申报书 must have and the clauses findings cite;
    ``edition`` (the scenario catalogue) defaults to the round of those rules."""
    if tier not in TIERS:
        raise DraftFileError(f"目标层级 {tier!r} 无效；可选：{'、'.join(TIERS)}")
    catalog = load_catalog(corpus_dir)
    rules = rules or load_rules(corpus_dir_or_default(corpus_dir) / "rules")
    edition = edition or catalogue_of(rules)
    if edition not in catalog.editions:
        raise DraftFileError(
            f"没有 {edition!r} 年版的场景指引数据；可选：{'、'.join(sorted(catalog.editions))}"
        )
    kpis = load_kpis(corpus_dir, kpi_doc(rules))
    ed = catalog.edition(edition)
    findings: list[Finding] = []
    findings += edition_findings(ed)

    instances, instance_findings = review_instances(blocks, catalog, edition, rules)
    findings += instance_findings
    covered = {i.link for i in instances if i.link}
    if instances:
        findings += coverage_findings(covered, tier, rules)
        findings += duplicate_instance_findings((i.instance_name or "" for i in instances), rules)
    else:
        findings.append(
            Finding(
                severity="必须修改",
                code="instances_missing",
                message="未识别到“环节名—场景名—实例名”形式的典型场景实例清单，无法核对场景与环节覆盖；"
                "请按附件4示例逐行列出，如“生产作业—人机协同作业—多机协同的发动机壳体柔性加工与检测”。",
                clause_ids=[declaration_of(rules).form.example_clause_id],
            )
        )

    full_text = "\n".join(b.text for b in blocks)
    findings += _section_findings(blocks, rules)
    kpi_findings, has_figures = kpi_review(blocks, kpis, rules)
    findings += kpi_findings
    findings += figure_findings(blocks, rules, kpi_findings)
    if not has_figures:
        clause_id, requirement = outcome_of(rules, tier)
        findings.append(
            Finding(
                severity="必须修改",
                code="kpi_missing",
                message=f"未找到附1关键绩效指标的数据；建设成效须参考附1给出主要指标（{tier}要求：{requirement}）。",
                clause_ids=[outcomes_part(rules).clause_id, clause_id],
            )
        )
    findings += _placeholder_findings(blocks)
    findings += total_findings(blocks, rules)
    findings += count_findings(blocks, rules)
    findings += year_figure_findings(blocks, rules)
    findings += period_findings(blocks, rules)
    findings += eligibility_findings(full_text, tier, rules)
    findings += _claim_findings(blocks, kpis, tier, has_figures, rules)
    for block in blocks:
        findings += claim_and_secret_findings(block.text, rules)
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


def review_draft(
    source: str | Path,
    tier: str = "卓越级",
    edition: str | None = None,
    *,
    corpus_dir: Path | None = None,
    rules: RuleSet | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> ReviewReport:
    """Review a draft: a str is pasted text (plain or Markdown), a Path an uploaded DOCX/TXT/MD
    file, which messages name as given, read within ``limits``."""
    if isinstance(source, Path):
        blocks, file = read_blocks(source, limits), str(source)
    elif source.strip():
        blocks, file = text_blocks(source), None
    else:
        raise DraftFileError("没有可审阅的文字内容。")
    return review_blocks(blocks, tier, edition, corpus_dir=corpus_dir, file=file, rules=rules)


#: The names callers use, for pasted text and for a file on disk.
review_text = review_file = review_draft
