"""Which 环节 and 场景 one scenario instance names: matched against the edition's catalog, every
correspondence made (alias, fuzzy) reported as a finding, a placeholder where there is none.

The drafter's side of name matching: a spec names 环节 and 场景 in separate fields, and the
drafter writes the guide's name into the draft. The lookup itself is shared with the review
(``names``).
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.drafting.findings import Finding
from assistant.drafting.names import draft_match, draft_name_note, look_up
from assistant.drafting.spec import ScenarioInstance
from assistant.drafting.wording import placeholder
from assistant.knowledge.scenarios import MatchResult, ScenarioCatalog
from assistant.language import cn_count
from assistant.vocabulary import Severity


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
    query_field = f"{field}.scenario" if inst.scenario else f"{field}.text"
    scenario_name: str | None = None
    segment_name: str | None = None
    link: str | None = None
    match: MatchResult | None = None

    def flag(severity: Severity, code: str, message: str, clause_ids: list[str], at: str) -> None:
        findings.append(
            Finding(severity=severity, code=code, message=message, clause_ids=clause_ids, field=at)
        )

    def add(finding: Finding | None) -> None:
        if finding is not None:
            findings.append(finding)

    if ed.has_scenarios:
        if query:
            scenario = look_up(catalog, query, edition, "scenario", drafts=False)
            match = scenario.match
            if match.confident:
                scenario_name, segment_name, link = match.name, match.segment, match.link
                add(scenario.correction(ed, corrected=True, field=query_field))
                if match.multi_link:
                    flag(
                        "提示",
                        "multi_link",
                        f"“{scenario_name}”涉及多个环节，本助手将其归入生产管理；申报时可说明其覆盖的其他环节。",
                        [f"guide{edition}#对应"],
                        field,
                    )
            else:
                add(scenario.not_found(["form#示例", ed.status_clause_id], field=query_field))
        else:
            flag(
                "必须修改",
                "scenario_missing",
                f"第{cn_count(i + 1)}个实例“{inst.instance_name}”未填写场景名（scenario 或 text）。",
                ["form#示例"],
                f"{field}.scenario",
            )
        if inst.segment:
            seg = look_up(catalog, inst.segment, edition, "segment", drafts=False)
            if segment_name:
                if seg.match.confident and seg.match.name != segment_name:
                    flag(
                        "建议修改",
                        "segment_mismatch",
                        f"场景“{scenario_name}”在{edition}年版指引中属于“{segment_name}”环节，"
                        f"不属于所填的“{inst.segment}”；草稿已按指引写作“{segment_name}”。",
                        [ed.segments[segment_name].clause_id],
                        f"{field}.segment",
                    )
                elif not seg.match.confident:
                    flag(
                        "提示",
                        "segment_from_scenario",
                        f"{seg.match.message} 草稿按场景“{scenario_name}”所属环节写作“{segment_name}”。",
                        [ed.segments[segment_name].clause_id],
                        f"{field}.segment",
                    )
            elif seg.match.confident:
                segment_name, link = seg.match.name, seg.match.link
            else:
                add(seg.not_found([ed.status_clause_id], field=f"{field}.segment"))
    else:
        # 2024: 环节 can be checked, scenario names cannot (not held). Names of a consultation
        # draft (2025) are accepted with a 提示 saying so; the body stays free of the caveat.
        draft_scenario = draft_match(catalog, query, edition, "scenario") if query else None
        if inst.segment:
            seg = look_up(catalog, inst.segment, edition, "segment")
            if seg.match.confident:
                segment_name, link = seg.match.name, seg.match.link
                add(seg.correction(ed, corrected=True, field=f"{field}.segment"))
            elif seg.draft is not None:
                segment_name, link = seg.draft[0].name, seg.draft[0].link
                add(draft_name_note(str(segment_name), "环节", seg.draft[1], edition, f"{field}.segment"))
            else:
                add(seg.not_found(ed.clause_ids or [ed.status_clause_id], field=f"{field}.segment"))
        elif draft_scenario is not None and draft_scenario[0].segment:
            segment_name, link = draft_scenario[0].segment, draft_scenario[0].link
            if segment_name not in ed.segments:
                add(draft_name_note(segment_name, "环节", draft_scenario[1], edition, f"{field}.segment"))
        else:
            hint = catalog.match(query, edition, kind="scenario").message if query else ""
            flag(
                "必须修改",
                "segment_missing",
                f"第{cn_count(i + 1)}个实例未填写环节（segment）。{hint}",
                ed.clause_ids or [ed.status_clause_id],
                f"{field}.segment",
            )
        if draft_scenario is not None and draft_scenario[0].name:
            scenario_name = draft_scenario[0].name
            add(draft_name_note(scenario_name, "场景", draft_scenario[1], edition, f"{field}.scenario"))
        elif inst.scenario:
            scenario_name = inst.scenario
        else:
            flag(
                "必须修改",
                "scenario_missing",
                f"第{cn_count(i + 1)}个实例未填写场景名；{edition}年版指引的场景名本库未收录，请对照指引原文填写。",
                [ed.status_clause_id],
                f"{field}.scenario",
            )

    if scenario_name is None:
        options = "、".join(c.name for c in match.candidates) if match and match.candidates else ""
        scenario_name = placeholder(f"场景名，候选：{options}" if options else "场景名（对照指引场景清单）")
    if segment_name is None:
        segment_name = placeholder("环节名")
    return _Resolved(segment=segment_name, scenario=scenario_name, link=link, match=match)
