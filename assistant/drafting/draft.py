"""Draft the scenario part of a 卓越级 declaration from what the enterprise tells us.

Input is a ``DraftSpec`` (``spec``); output is a ``Draft`` (``model``):

1. each typical scenario instance as ``环节名—场景名—实例名``, the form 附件4's example uses
   (form#示例). The example's ``(环节名)(场景名)(实例名)`` markers label the parts *of the
   example*; a filled-in table lists plain names, so lines carry no markers
   (``format_instance(..., markers=True)`` reproduces the example itself, and a test holds the
   two forms together);
2. 附件3 section 3 (场景建设情况: 项目总体情况, 具体场景建设情况, 系统集成情况; materials#3) and
   section 4 (建设成效: 先进性与特色, 实施成效 with a KPI table, 后续实施计划; materials#4);
3. the 附件4 row for this project;
4. checks, each with a severity (必须修改 / 建议修改 / 提示) and the clause ids behind it.

This module decides what is drafted and makes every check; ``sections`` writes the 附件3 text.

Nothing is invented. Every figure in the draft is one the user gave; where a figure or a fact is
missing the draft shows ``【待补充：…】`` instead, and the change of a 提升/下降 KPI is never
computed from before/after (a derived number is still a number the enterprise did not state).

Edition: the default is ``"2025"``. The 2024 round's notice names the 2024 guide, but the corpus
does not hold its scenario names (only its 14 环节), so a 2024 draft can check 环节 and links but
never a scenario name. The 2025 list is a 征求意见稿 as reported by third parties: drafts built on
it carry a 提示 saying so and citing guide2025#说明, and the link mapping is our derivation
(guide2025#对应). Choose ``"2024"`` explicitly to draft against the 2024 guide's 环节.
"""

from __future__ import annotations

from pathlib import Path

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.drafting.declaration import (
    catalogue_of,
    declaration_of,
    kpi_doc,
    outcome_of,
    outcomes_part,
    parts,
    standard_name,
)
from assistant.drafting.findings import (
    Finding,
    claim_and_secret_findings,
    coverage_findings,
    duplicate_instance_findings,
    edition_findings,
    instance_name_findings,
    kpi_findings,
    sort_findings,
)
from assistant.drafting.model import Draft, FormRow, InstanceLine
from assistant.drafting.names import merge_draft_notes
from assistant.drafting.resolve import resolve_instance
from assistant.drafting.sections import section1, section2, section3, section4
from assistant.drafting.spec import Contact, DraftSpec, KpiFigure, parse_spec
from assistant.drafting.wording import format_instance, leadership_claims, placeholder
from assistant.errors import DraftSpecError
from assistant.knowledge.kpis import Kpi, KpiCatalog, kpi_kind, load_kpis
from assistant.knowledge.scenarios import Edition, ScenarioCatalog, load_catalog
from assistant.language import cn_quantity
from assistant.rules import RuleSet, available_editions, load_rules, required_links

#: A KPI as drafted: the spec field it came from, the 附1 KPI, the user's figures, its scope.
_KpiRow = tuple[str, Kpi, KpiFigure, str]


def _kpi_rows(
    spec: DraftSpec, kpis: KpiCatalog, findings: list[Finding], rules: RuleSet
) -> tuple[list[_KpiRow], dict[int, list[tuple[Kpi, KpiFigure]]]]:
    """Resolve every KPI name and run the KPI checks; a KPI outside 附1 is kept, with a note
    citing the round's 建设成效 part (where its figures go)."""
    outcomes = outcomes_part(rules).clause_id
    rows: list[_KpiRow] = []
    per_instance: dict[int, list[tuple[Kpi, KpiFigure]]] = {}
    sources: list[tuple[str, KpiFigure, str, int | None]] = [
        (f"kpis[{k}]", fig, "全厂", None) for k, fig in enumerate(spec.kpis)
    ]
    for i, inst in enumerate(spec.scenarios):
        sources += [
            (f"scenarios[{i}].kpis[{k}]", fig, inst.instance_name, i) for k, fig in enumerate(inst.kpis)
        ]
    for field, fig, scope, owner in sources:
        kpi = kpis.get(fig.name)
        if kpi is None:
            # 附1 is a reference list: another indicator is kept, with a note.
            near = "、".join(f"“{n}”" for n in kpis.closest(fig.name))
            kpi = Kpi(
                number=0,
                name=fig.name,
                unit="%" if kpi_kind(fig.name) != "level" else (fig.measure_unit or ""),
                clause_id=outcomes,
                kind=kpi_kind(fig.name),
            )
            findings.append(
                Finding(
                    severity="提示",
                    code="kpi_not_in_catalog",
                    message=f"“{fig.name}”不在附1《智能工厂建设关键绩效指标参考》所列指标中，草稿照录；"
                    f"附1为参考清单，可保留，建议同时给出附1中相近的指标（如{near}）。",
                    clause_ids=[outcomes],
                    field=f"{field}.name",
                )
            )
        findings.extend(kpi_findings(kpi, fig, field, rules))
        rows.append((field, kpi, fig, scope))
        if owner is not None:
            per_instance.setdefault(owner, []).append((kpi, fig))
    return rows, per_instance


def build_draft(
    spec: DraftSpec,
    *,
    corpus_dir: Path | None = None,
    catalog: ScenarioCatalog | None = None,
    kpis: KpiCatalog | None = None,
    rules: RuleSet | None = None,
) -> Draft:
    """The template draft for a spec: instance lines, sections 3 and 4, the 附件4 row, checks.

    ``rules`` (default: the newest rules file under the corpus) says which links the target tier
    must cover and, in its declaration, the 申报书's parts and the clauses and wording drafts cite
    (RulesInvalidError if it has none). Raises DraftSpecError for input that cannot be drafted at all (an edition we do not hold,
    a KPI name outside 附1); everything else becomes a check on the draft.
    """
    catalog = catalog or load_catalog(corpus_dir_or_default(corpus_dir))
    if rules is None or (spec.round is not None and rules.edition != spec.round):
        rules = _round_rules(spec.round, corpus_dir)
    kpis = kpis or load_kpis(corpus_dir_or_default(corpus_dir), kpi_doc(rules))
    round_ = spec.round or rules.edition
    # The guide edition the round's notice names (its manifest), else the round's own year.
    edition = spec.edition or catalogue_of(rules)
    ed = _held_edition(catalog, edition)
    findings = [*edition_findings(ed), *_edition_round_findings(ed, round_, rules)]

    # (1) instance lines
    instances = _instance_lines(spec, catalog, edition, findings, rules)
    findings += duplicate_instance_findings((i.instance_name for i in instances), rules)
    covered = {i.link for i in instances if i.link}
    need = required_links(rules, spec.target_tier)
    findings.extend(coverage_findings(covered, spec.target_tier, rules))

    # KPIs, and the claims they must support
    kpi_rows, per_instance = _kpi_rows(spec, kpis, findings, rules)
    outcome_clause, outcome_text = outcome_of(rules, spec.target_tier)
    findings += _outcome_findings(spec, kpi_rows, outcome_clause, outcome_text, rules)
    findings += _wording_findings(spec, rules)

    # (2) sections, the parts the round's 申报书 lists
    first, second, third, fourth = parts(rules)
    links_order = [link for link in catalog.links if link in covered]
    part3 = section3(spec, third, ed.edition, instances, links_order, per_instance, need)
    part4 = section4(spec, fourth, kpi_rows, outcome_text, standard_name(rules))

    # (3) the draft with its 附件4 row; then what it still leaves to fill in
    draft = Draft(
        enterprise=spec.enterprise,
        project_name=spec.project_name,
        target_tier=spec.target_tier,
        edition=ed.edition,
        edition_status=ed.status,
        instances=instances,
        links_covered=links_order,
        round=round_,
        sections=[section1(spec, first), section2(spec, second, kpi_rows), part3, part4],
        form_row=_form_row(spec, instances),
        checks=[],
    )
    findings += _placeholder_findings(draft)
    draft.checks = sort_findings(merge_draft_notes(findings, edition))
    return draft


def _held_edition(catalog: ScenarioCatalog, edition: str) -> Edition:
    """The scenario guide of ``edition``; a DraftSpecError naming the held ones if it is not held."""
    if edition not in catalog.editions:
        raise DraftSpecError(
            f"字段 edition（指引版本）：没有 {edition!r} 年版的场景指引数据；"
            f"可选：{'、'.join(sorted(catalog.editions))}"
        )
    return catalog.edition(edition)


def _edition_round_findings(ed: Edition, round_: str, rules: RuleSet) -> list[Finding]:
    """The 提示 that the guide chosen is not the one the round's notice names (its manifest's
    catalogue, in the clause that tells applicants which guide to follow, the truth clause)."""
    named = catalogue_of(rules)
    if ed.edition == named:
        return []
    return [
        Finding(
            severity="提示",
            code="edition_not_round",
            message=f"本轮为{round_}年度申报，通知要求参考{named}年版指引；草稿按所选的{ed.edition}年版核对场景名称。",
            clause_ids=[declaration_of(rules).truth_clause_id, ed.status_clause_id],
        )
    ]


def _instance_lines(
    spec: DraftSpec, catalog: ScenarioCatalog, edition: str, findings: list[Finding], rules: RuleSet
) -> list[InstanceLine]:
    """Each scenario instance as its ``环节—场景—实例`` line, its names resolved and checked."""
    instances: list[InstanceLine] = []
    for i, inst in enumerate(spec.scenarios):
        resolved = resolve_instance(inst, i, catalog, edition, findings, rules)
        findings.extend(
            instance_name_findings(
                inst.instance_name,
                rules,
                None if resolved.scenario.startswith("【") else resolved.scenario,
                resolved.segment,
                field=f"scenarios[{i}].instance_name",
            )
        )
        instances.append(
            InstanceLine(
                index=i + 1,
                segment=resolved.segment,
                scenario=resolved.scenario,
                instance_name=inst.instance_name,
                link=resolved.link,
                line=format_instance(resolved.segment, resolved.scenario, inst.instance_name),
                match=resolved.match,
            )
        )
    return instances


def _outcome_findings(
    spec: DraftSpec, kpi_rows: list[_KpiRow], outcome_clause: str, outcome_text: str, rules: RuleSet
) -> list[Finding]:
    """What 建设成效 lacks for the target tier: KPIs at all, a peer comparison, figures behind a
    claim of leadership (citing the round's KPI reference list)."""
    findings: list[Finding] = []
    if not kpi_rows:
        findings.append(
            Finding(
                severity="必须修改",
                code="kpi_missing",
                message="没有填写任何关键绩效指标；建设成效须参考附1给出主要指标的建设前后数据。",
                clause_ids=[outcomes_part(rules).clause_id, outcome_clause],
            )
        )
    has_benchmark = bool(spec.benchmarks) or any(fig.benchmark for _, _, fig, _ in kpi_rows)
    if not has_benchmark:
        findings.append(
            Finding(
                severity="建议修改",
                code="benchmark_missing",
                message=f"{spec.target_tier}要求{outcome_text}；请补充主要指标与同行业水平的对比及数据来源。",
                clause_ids=[outcome_clause],
            )
        )
    has_figures = any(fig.after is not None or fig.change is not None for _, _, fig, _ in kpi_rows)
    if has_figures:
        return findings
    claim_text = "\n".join([spec.overview or "", *spec.highlights, *spec.benchmarks])
    for claim in sorted(set(leadership_claims(claim_text))):
        findings.append(
            Finding(
                severity="建议修改",
                code="claim_without_kpi",
                message=f"“{claim}”的表述没有关键绩效指标数据支撑，请补充指标或删去该表述。",
                clause_ids=[outcome_clause, declaration_of(rules).kpi.clause_id],
            )
        )
    return findings


def _wording_findings(spec: DraftSpec, rules: RuleSet) -> list[Finding]:
    """Claims and secrets in the user's own prose: the overview, highlights, benchmarks and each
    instance's description."""
    findings: list[Finding] = []
    for n, text in enumerate([spec.overview or "", *spec.highlights, *spec.benchmarks]):
        findings += claim_and_secret_findings(text, rules, field="overview" if n == 0 else None)
    for i, inst in enumerate(spec.scenarios):
        findings += claim_and_secret_findings(
            inst.description or "", rules, field=f"scenarios[{i}].description"
        )
    return findings


def _form_row(spec: DraftSpec, instances: list[InstanceLine]) -> FormRow:
    """The project's row of 附件4, a 【待补充】 for a contact not given."""
    contact = spec.contact or Contact()
    return FormRow(
        enterprise=spec.enterprise,
        project_name=spec.project_name,
        instances="\n".join(f"{i.index}.{i.line}" for i in instances),
        contact_name=contact.name or placeholder("联系人"),
        contact_mobile=contact.mobile or placeholder("手机号"),
    )


def _placeholder_findings(draft: Draft) -> list[Finding]:
    """The 必须修改 that the draft still holds 【待补充】 to fill in before it is submitted."""
    left = draft.placeholders
    if not left:
        return []
    return [
        Finding(
            severity="必须修改",
            code="placeholders_left",
            message=f"草稿中有{cn_quantity(len(left))}处【待补充】，均为输入中没有的信息，提交前须逐一补全。",
            rule="提交前不得保留占位符",
        )
    ]


def _round_rules(round_: str | None, corpus_dir: Path | None) -> RuleSet:
    """The rules of the round named (DraftSpecError if not held), or the newest held."""
    rules_dir = corpus_dir_or_default(corpus_dir) / "rules"
    held = available_editions(rules_dir)
    if round_ is not None and round_ not in held:
        raise DraftSpecError(
            f"字段 round（申报年度）：没有 {round_!r} 年度的核验规则；可选：{'、'.join(held)}"
        )
    return load_rules(rules_dir, round_)


def draft_from_data(data: object, corpus_dir: Path | None = None) -> Draft:
    """Parsed JSON → Draft: what the CLI, the API and the agent's draft tool call."""
    return build_draft(parse_spec(data), corpus_dir=corpus_dir)


def corpus_dir_or_default(corpus_dir: Path | None) -> Path:
    """The corpus named, or the shipped one (callers at the edges pass their Settings' folder)."""
    return corpus_dir if corpus_dir is not None else DEFAULT_CORPUS_DIR
