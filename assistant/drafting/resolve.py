"""Which 环节 and 场景 one scenario instance names: matched against the edition's catalog, every
correspondence made (alias, fuzzy) reported as a finding, a placeholder where there is none.
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.drafting.findings import Finding
from assistant.drafting.spec import ScenarioInstance
from assistant.drafting.wording import cn_count, placeholder
from assistant.knowledge.scenarios import MatchKind, MatchResult, ScenarioCatalog


class _Resolved(BaseModel):
    segment: str
    scenario: str
    link: str | None
    match: MatchResult | None


def resolve_instance(
    inst: ScenarioInstance, i: int, catalog: ScenarioCatalog, edition: str, findings: list[Finding]
) -> _Resolved:
    """环节 and 场景 of one instance from what the user typed, reporting every correspondence
    made (alias, fuzzy) and leaving a placeholder where there is none to make."""
    ed = catalog.edition(edition)
    field = f"scenarios[{i}]"
    query = inst.scenario or inst.text
    scenario_name: str | None = None
    segment_name: str | None = None
    link: str | None = None
    match: MatchResult | None = None

    if ed.has_scenarios:
        if query:
            match = catalog.match(query, edition, kind="scenario")
            if match.confident:
                scenario_name, segment_name, link = match.name, match.segment, match.link
                if match.status != "exact":
                    findings.append(
                        Finding(
                            severity="提示",
                            code="scenario_matched",
                            message=f"已将{match.message}",
                            clause_ids=[ed.segments[segment_name].clause_id] if segment_name else [],
                            field=f"{field}.scenario" if inst.scenario else f"{field}.text",
                        )
                    )
                if match.multi_link:
                    findings.append(
                        Finding(
                            severity="提示",
                            code="multi_link",
                            message=f"“{scenario_name}”涉及多个环节，本助手将其归入生产管理；"
                            "申报时可说明其覆盖的其他环节。",
                            clause_ids=[f"guide{edition}#对应"],
                            field=field,
                        )
                    )
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="scenario_not_in_catalog",
                        message=match.message,
                        clause_ids=["form#示例", ed.status_clause_id],
                        field=f"{field}.scenario" if inst.scenario else f"{field}.text",
                    )
                )
        else:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="scenario_missing",
                    message=f"第{cn_count(i + 1)}个实例“{inst.instance_name}”未填写场景名（scenario 或 text）。",
                    clause_ids=["form#示例"],
                    field=f"{field}.scenario",
                )
            )
        if inst.segment:
            seg = catalog.match(inst.segment, edition, kind="segment")
            if segment_name:
                if seg.confident and seg.name != segment_name:
                    findings.append(
                        Finding(
                            severity="建议修改",
                            code="segment_mismatch",
                            message=f"场景“{scenario_name}”在{edition}年版指引中属于“{segment_name}”环节，"
                            f"不属于所填的“{inst.segment}”；草稿已按指引写作“{segment_name}”。",
                            clause_ids=[ed.segments[segment_name].clause_id],
                            field=f"{field}.segment",
                        )
                    )
                elif not seg.confident:
                    findings.append(
                        Finding(
                            severity="提示",
                            code="segment_from_scenario",
                            message=f"{seg.message} 草稿按场景“{scenario_name}”所属环节写作“{segment_name}”。",
                            clause_ids=[ed.segments[segment_name].clause_id],
                            field=f"{field}.segment",
                        )
                    )
            elif seg.confident:
                segment_name, link = seg.name, seg.link
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="segment_not_in_catalog",
                        message=seg.message,
                        clause_ids=[ed.status_clause_id],
                        field=f"{field}.segment",
                    )
                )
    else:
        # 2024: 环节 can be checked, scenario names cannot (not held). Names of a consultation
        # draft (2025) are accepted with a 提示 saying so; the body stays free of the caveat.
        draft_scenario = draft_match(catalog, query, edition, "scenario") if query else None
        if inst.segment:
            seg = catalog.match(inst.segment, edition, kind="segment")
            if seg.confident:
                segment_name, link = seg.name, seg.link
                if seg.status != "exact":
                    findings.append(
                        Finding(
                            severity="提示",
                            code="segment_matched",
                            message=f"已将{seg.message}",
                            clause_ids=[ed.segments[seg.name].clause_id] if seg.name else [],
                            field=f"{field}.segment",
                        )
                    )
            elif (other := draft_match(catalog, inst.segment, edition, "segment")) is not None:
                segment_name, link = other[0].name, other[0].link
                findings.append(
                    draft_name_note(str(segment_name), "环节", other[1], edition, f"{field}.segment")
                )
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="segment_not_in_catalog",
                        message=seg.message,
                        clause_ids=ed.clause_ids or [ed.status_clause_id],
                        field=f"{field}.segment",
                    )
                )
        elif draft_scenario is not None and draft_scenario[0].segment:
            segment_name, link = draft_scenario[0].segment, draft_scenario[0].link
            if segment_name not in ed.segments:
                findings.append(
                    draft_name_note(segment_name, "环节", draft_scenario[1], edition, f"{field}.segment")
                )
        else:
            hint = catalog.match(query, edition, kind="scenario").message if query else ""
            findings.append(
                Finding(
                    severity="必须修改",
                    code="segment_missing",
                    message=f"第{cn_count(i + 1)}个实例未填写环节（segment）。{hint}",
                    clause_ids=ed.clause_ids or [ed.status_clause_id],
                    field=f"{field}.segment",
                )
            )
        if draft_scenario is not None and draft_scenario[0].name:
            scenario_name = draft_scenario[0].name
            findings.append(
                draft_name_note(scenario_name, "场景", draft_scenario[1], edition, f"{field}.scenario")
            )
        elif inst.scenario:
            scenario_name = inst.scenario
        else:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="scenario_missing",
                    message=f"第{cn_count(i + 1)}个实例未填写场景名；{edition}年版指引的场景名本库未收录，"
                    "请对照指引原文填写。",
                    clause_ids=[ed.status_clause_id],
                    field=f"{field}.scenario",
                )
            )

    if scenario_name is None:
        options = "、".join(c.name for c in match.candidates) if match and match.candidates else ""
        scenario_name = placeholder(f"场景名，候选：{options}" if options else "场景名（对照指引场景清单）")
    if segment_name is None:
        segment_name = placeholder("环节名")
    return _Resolved(segment=segment_name, scenario=scenario_name, link=link, match=match)


def draft_match(
    catalog: ScenarioCatalog, text: str | None, edition: str, kind: MatchKind
) -> tuple[MatchResult, str] | None:
    """A confident match of ``text`` in another edition that is a consultation draft (the 2025
    征求意见稿 seen from the 2024 round), with that edition's key; None when there is none."""
    if not text:
        return None
    for key in sorted(catalog.editions, reverse=True):
        other = catalog.edition(key)
        if key == edition or not other.is_draft:
            continue
        match = catalog.match(text, key, kind=kind)
        if match.confident and match.name:
            return match, key
    return None


def draft_name_note(
    name: str, what: str, draft_edition: str, edition: str, field: str | None = None
) -> Finding:
    """The 提示 that a name comes from a consultation draft, not from the round's own guide."""
    return Finding(
        severity="提示",
        code="draft_edition_name",
        message=f"{what}名“{name}”取自《智能制造典型场景参考指引({draft_edition}年版)》征求意见稿；"
        f"本轮申报参考{edition}年版指引，该名称可以沿用，提交前请对照正式文本核实。",
        clause_ids=[f"guide{draft_edition}#说明"],
        field=field,
        excerpt=name,
    )


def merge_draft_notes(findings: list[Finding], edition: str) -> list[Finding]:
    """All ``draft_edition_name`` notes as one 提示 listing the names, in order of appearance."""
    notes = [f for f in findings if f.code == "draft_edition_name"]
    if len(notes) <= 1:
        return findings
    names = list(dict.fromkeys(f.excerpt or "" for f in notes))
    clause_ids = list(dict.fromkeys(c for f in notes for c in f.clause_ids))
    draft_editions = "、".join(c.removeprefix("guide").removesuffix("#说明") for c in clause_ids)
    merged = Finding(
        severity="提示",
        code="draft_edition_name",
        message=f"以下名称取自《智能制造典型场景参考指引({draft_editions}年版)》征求意见稿：{'、'.join(names)}；"
        f"本轮申报参考{edition}年版指引，这些名称可以沿用，提交前请对照正式文本核实。",
        clause_ids=clause_ids,
    )
    first = findings.index(notes[0])
    rest = [f for f in findings if f.code != "draft_edition_name"]
    return [*rest[:first], merged, *rest[first:]]
