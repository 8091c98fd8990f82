"""Findings (what is wrong or worth knowing, how bad, the rule behind it) and the checks that
produce them. The drafter and review share every check here, so a draft produced by
``assistant draft`` and one typed by hand are held to one standard.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel

from assistant.drafting.declaration import declaration_of, outcomes_part
from assistant.drafting.spec import KpiFigure
from assistant.drafting.wording import absolute_claims, secret_fragments
from assistant.knowledge.kpis import Kpi
from assistant.knowledge.scenarios import Edition, normalise_name
from assistant.language import cn_quantity
from assistant.rules import RuleSet, coverage_gaps
from assistant.vocabulary import Severity

SEVERITY_ORDER: dict[str, int] = {"必须修改": 0, "建议修改": 1, "提示": 2}

#: Words that make an instance name sound specific without naming anything.
GENERIC_WORDS = (
    "智能制造",
    "智能化",
    "数字化",
    "网络化",
    "信息化",
    "一体化",
    "智能",
    "数字",
    "系统",
    "平台",
    "建设",
    "应用",
    "项目",
    "场景",
    "管理",
    "工厂",
    "全面",
    "升级",
    "改造",
    "提升",
    "基于",
    "的",
    "与",
    "和",
    "及",
)
INSTANCE_NAME_MAX = 30
INSTANCE_NAME_MIN = 6

#: A dash in an instance name, unless it is a minus sign (before a digit: "−20℃冷库") or an
#: ASCII hyphen inside a term ("AOI-AI"), which nobody reads as the 环节—场景—实例 separator.
_DASH = re.compile(r"[—―－–](?!\d)|(?<![A-Za-z\d])-(?!\d)|(?<=[A-Za-z])-(?![A-Za-z\d])")


class Finding(BaseModel):
    """One check result: what is wrong or worth knowing, how bad, and the rule behind it."""

    severity: Severity
    code: str
    message: str
    clause_ids: list[str] = []
    rule: str | None = None
    field: str | None = None
    excerpt: str | None = None


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


def instance_name_findings(
    name: str,
    rules: RuleSet,
    scenario: str | None = None,
    segment: str | None = None,
    field: str | None = None,
) -> list[Finding]:
    """附件4 wants an instance name that is concise and specific (form#示例: 多机协同的发动机壳体
    柔性加工与检测 names the object, the process and the technique in 17 characters); findings
    cite the round's example clause."""
    findings: list[Finding] = []
    example = declaration_of(rules).form.example_clause_id
    rule = "附件4示例：实例名简洁具体，写明对象与做法"

    def add(severity: Severity, code: str, message: str, rule: str | None = rule) -> None:
        findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                clause_ids=[example],
                rule=rule,
                field=field,
            )
        )

    stripped = name.strip()
    if _DASH.search(stripped):
        add(
            "建议修改",
            "instance_name_dash",
            f"实例名“{stripped}”中含有破折号，会与“环节名—场景名—实例名”的分隔符混淆，"
            "建议改用顿号或“至”（如“涂布、辊压至分切”）。",
            rule=None,
        )
    if len(stripped) > INSTANCE_NAME_MAX:
        add(
            "建议修改",
            "instance_name_long",
            f"实例名“{stripped}”偏长，宜精炼为一个短语（附件4示例为十七个字）。",
        )
    if re.search(r"[、，,；;]|等$", stripped):
        add(
            "建议修改",
            "instance_name_list",
            f"实例名“{stripped}”像是罗列了多项内容；一个实例写一行，请拆分或收敛为一个具体实例。",
        )
    core = stripped
    for word in GENERIC_WORDS:
        core = core.replace(word, "")
    same_as_catalog = normalise_name(stripped) in {normalise_name(x) for x in (scenario, segment) if x}
    if same_as_catalog or len(stripped) < INSTANCE_NAME_MIN or len(core) < 4:
        add(
            "建议修改",
            "instance_name_generic",
            f"实例名“{stripped}”过于笼统，应写明具体对象和做法"
            "（如示例“多机协同的发动机壳体柔性加工与检测”），不要只重复场景名或使用泛称。",
        )
    return findings


def duplicate_instance_findings(names: Iterable[str], rules: RuleSet) -> list[Finding]:
    """One finding per instance name used more than once (compared after normalising), citing the
    round's form example (one instance per line)."""
    counts = Counter(normalise_name(name) for name in names if name)
    return [
        Finding(
            severity="建议修改",
            code="instance_duplicate",
            message=f"实例名“{name}”出现了{cn_quantity(count)}次，请区分不同实例。",
            clause_ids=[declaration_of(rules).form.example_clause_id],
        )
        for name, count in counts.items()
        if count > 1
    ]


def edition_findings(ed: Edition) -> list[Finding]:
    """What a draft or a review must say about the catalog edition it was checked against: a
    consultation draft (names to verify, link mapping ours), or an edition whose scenario names
    we do not hold (only 环节 and links can be checked)."""
    if ed.has_scenarios and ed.is_draft:
        return [
            Finding(
                severity="提示",
                code="edition_draft",
                message=f"场景名称依据《智能制造典型场景参考指引({ed.edition}年版)》征求意见稿（第三方转述）核对，"
                "提交前须以正式发布文本为准；场景与要素条件五个环节的对应为本助手推定。",
                clause_ids=[ed.status_clause_id, f"guide{ed.edition}#对应"],
            )
        ]
    if not ed.has_scenarios:
        return [
            Finding(
                severity="提示",
                code="edition_scenarios_not_held",
                message=f"本库未收录{ed.edition}年版指引的场景名称，只能核对环节及其对应的要素条件环节，"
                "场景名请对照指引原文逐一核实。",
                clause_ids=[ed.status_clause_id],
            )
        ]
    return []


def coverage_findings(links: set[str], tier: str, rules: RuleSet) -> list[Finding]:
    """Link coverage short of the tier's 建设内容 requirement (附件2 二~五.(一)) under ``rules``."""
    return [
        Finding(severity=sev, code="link_coverage", message=msg, clause_ids=clauses)
        for sev, msg, clauses in coverage_gaps(rules, links, tier)
    ]


def kpi_findings(kpi: Kpi, fig: KpiFigure, field: str, rules: RuleSet) -> list[Finding]:
    """Plausibility of one KPI's figures: ranges by unit, before/after behind every change,
    direction and consistency. Messages never state a number the user did not give; a missing
    figure cites the round's 建设成效 part, a missing change its measurement standard."""
    findings: list[Finding] = []
    clauses = [kpi.clause_id]
    outcomes = outcomes_part(rules).clause_id

    def add(severity: Severity, code: str, message: str, extra: list[str] | None = None) -> None:
        findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                clause_ids=clauses + (extra or []),
                field=field,
            )
        )

    before, after, change = fig.before, fig.after, fig.change
    if kpi.kind == "level":
        if before is None or after is None:
            missing = "、".join(x for x, v in (("建设前", before), ("建设后", after)) if v is None)
            add(
                "建议修改",
                "kpi_before_after",
                f"“{kpi.name}”缺少{missing}数值；成效应以建设前后对比说明。",
                [outcomes],
            )
        for label, value in (("建设前", before), ("建设后", after)):
            if value is None:
                continue
            if kpi.is_rate and not 0 <= value <= 100:
                add("必须修改", "kpi_range", f"“{kpi.name}”是比率（%），{label}数值应在0–100之间，请核对。")
            if kpi.unit in ("个", "家") and (value < 0 or value != int(value)):
                add("必须修改", "kpi_range", f"“{kpi.name}”以“{kpi.unit}”计，{label}数值应为非负整数。")
        if before is not None and after is not None and after < before:
            add("提示", "kpi_direction", f"“{kpi.name}”建设后低于建设前，请核对数据或说明原因。")
        if change is not None:
            add(
                "建议修改",
                "kpi_change_not_applicable",
                f"“{kpi.name}”是水平值，应填写建设前、建设后数值；填写的变化幅度（change）未写入草稿。",
            )
        return findings

    unit = (fig.measure_unit or "").strip()
    if before is None or after is None:
        add(
            "建议修改",
            "kpi_before_after",
            f"“{kpi.name}”是提升/下降类指标，应同时给出建设前、建设后的{fig.measure or kpi.measure}数据，"
            "否则幅度无从核对。",
            [outcomes],
        )
    if change is None:
        add(
            "建议修改",
            "kpi_change_missing",
            f"“{kpi.name}”未填写变化幅度（%）；本助手不代为计算，"
            f"请按{declaration_of(rules).kpi.standard.code}等口径核算后填写。",
            [outcomes],
        )
    elif kpi.kind == "down" and not 0 < change <= 100:
        add("必须修改", "kpi_range", f"“{kpi.name}”是下降/降低幅度（%），应大于0且不超过100，请核对。")
    elif kpi.kind == "up" and change <= 0:
        add("必须修改", "kpi_range", f"“{kpi.name}”是提升幅度（%），应为正数，请核对。")
    elif kpi.kind == "up" and change > 100:
        add("提示", "kpi_range", f"“{kpi.name}”提升幅度超过100%，请核对计算口径。")
    elif kpi.kind == "growth" and change < -100:
        add("必须修改", "kpi_range", f"“{kpi.name}”不应低于-100%，请核对。")
    if unit == "%":
        for label, value in (("建设前", before), ("建设后", after)):
            if value is not None and not 0 <= value <= 100:
                add(
                    "必须修改",
                    "kpi_range",
                    f"“{kpi.name}”的{label}{fig.measure or kpi.measure}以%计，应在0–100之间。",
                )
    if before is not None and after is not None:
        expected_up = kpi.kind in ("up", "growth")
        if (after > before) != expected_up and after != before:
            add(
                "提示",
                "kpi_direction",
                f"“{kpi.name}”的建设前后数据变化方向与指标名称不一致，请确认{fig.measure or kpi.measure}的口径。",
            )
        elif change is not None and before != 0:
            derived = (after - before) / before * 100 if expected_up else (before - after) / before * 100
            if abs(derived - change) > max(1.0, 0.05 * abs(change)):
                add(
                    "提示",
                    "kpi_consistency",
                    f"“{kpi.name}”填写的变化幅度与建设前后数据推算的结果不一致，请核对口径。",
                )
    return findings


def claim_and_secret_findings(text: str, rules: RuleSet, field: str | None = None) -> list[Finding]:
    """Absolute claims (全球第一, 国际领先, 填补国内空白, 人员减少100%) are 建议修改 and possible
    trade secrets (process temperatures and pressures, recipes, a customer with a price) are 提示,
    both under the round's truth clause (notice 二.(二).1: truthfulness; no 商业秘密). Each
    finding names its fragment."""
    findings: list[Finding] = []
    truth = declaration_of(rules).truth_clause_id
    for fragment in dict.fromkeys(absolute_claims(text)):
        staff = "100" in fragment
        findings.append(
            Finding(
                severity="建议修改",
                code="claim_unsupported",
                message=(
                    f"“{fragment}”意味着该岗位人员全部取消，请核实并写明人员去向（转岗等）或改为实际比例。"
                    if staff
                    else f"“{fragment}”属绝对化表述，申报主体须对申报内容真实性负责；"
                    "请给出权威来源（第三方评价、检测报告等）或改为有数据支撑的表述。"
                ),
                clause_ids=[truth],
                field=field,
                excerpt=fragment,
            )
        )
    for kind, fragment in dict.fromkeys(secret_fragments(text)):
        findings.append(
            Finding(
                severity="提示",
                code="trade_secret",
                message=f"“{fragment}”可能涉及商业秘密（{kind}）；申报材料不得涉及商业秘密，"
                "请确认可以公开，或改写为不含具体参数的表述。",
                clause_ids=[truth],
                field=field,
                excerpt=fragment,
            )
        )
    return findings
