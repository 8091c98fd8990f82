"""Which 环节 and 场景 one scenario instance names: matched against the edition's catalog, every
correspondence made (alias, fuzzy) reported as a finding, a placeholder where there is none.

The drafter's side of name matching: a spec names 环节 and 场景 in separate fields, and the
drafter writes the guide's name into the draft. The lookup itself is shared with the review
(``names``).
"""

from __future__ import annotations

from pydantic import BaseModel

from assistant.drafting.declaration import declaration_of
from assistant.drafting.findings import Finding
from assistant.drafting.names import draft_match, draft_name_note, look_up
from assistant.drafting.spec import ScenarioInstance
from assistant.drafting.wording import placeholder
from assistant.knowledge.scenarios import MatchResult, ScenarioCatalog
from assistant.language import cn_count
from assistant.rules import RuleSet
from assistant.vocabulary import Severity


class _Resolved(BaseModel):
    segment: str
    scenario: str
    link: str | None
    match: MatchResult | None


class _InstanceResolver:
    """One instance's 环节 and 场景 being worked out from what the user typed.

    A class because every step shares the instance, its field path and where findings go, and a
    step may fill in a name that a later one reads (the held edition's 场景 decides its 环节)."""

    def __init__(
        self,
        inst: ScenarioInstance,
        i: int,
        catalog: ScenarioCatalog,
        edition: str,
        findings: list[Finding],
        rules: RuleSet,
    ) -> None:
        self.inst = inst
        self.number = cn_count(i + 1)
        self.catalog = catalog
        self.edition = edition
        self.ed = catalog.edition(edition)
        self.findings = findings
        #: The round's form example, cited when a 场景 is missing or not in the guide.
        self.example = declaration_of(rules).form.example_clause_id
        self.field = f"scenarios[{i}]"
        self.query = inst.scenario or inst.text
        self.query_field = f"{self.field}.scenario" if inst.scenario else f"{self.field}.text"
        self.scenario_name: str | None = None
        self.segment_name: str | None = None
        self.link: str | None = None
        self.match: MatchResult | None = None

    def flag(self, severity: Severity, code: str, message: str, clause_ids: list[str], at: str) -> None:
        """Report a problem the lookups do not word themselves."""
        self.findings.append(
            Finding(severity=severity, code=code, message=message, clause_ids=clause_ids, field=at)
        )

    def add(self, finding: Finding | None) -> None:
        """Report what a lookup says about a name, if it says anything."""
        if finding is not None:
            self.findings.append(finding)

    # -- an edition whose scenario names are held: the 场景 decides, the 环节 typed is checked --

    def scenario_from_catalog(self) -> None:
        """The 场景 (and through it the 环节 and link) from the catalog, or why there is none."""
        if not self.query:
            self.flag(
                "必须修改",
                "scenario_missing",
                f"第{self.number}个实例“{self.inst.instance_name}”未填写场景名（scenario 或 text）。",
                [self.example],
                f"{self.field}.scenario",
            )
            return
        scenario = look_up(self.catalog, self.query, self.edition, "scenario", drafts=False)
        match = self.match = scenario.match
        if not match.confident:
            self.add(scenario.not_found([self.example, self.ed.status_clause_id], field=self.query_field))
            return
        self.scenario_name, self.segment_name, self.link = match.name, match.segment, match.link
        self.add(scenario.correction(self.ed, corrected=True, field=self.query_field))
        if match.multi_link:
            self.flag(
                "提示",
                "multi_link",
                f"“{self.scenario_name}”涉及多个环节，本助手将其归入生产管理；申报时可说明其覆盖的其他环节。",
                [f"guide{self.edition}#对应"],
                self.field,
            )

    def segment_against_catalog(self) -> None:
        """The typed 环节: checked against the 场景's own, or the 环节 itself when no 场景 was found."""
        if not self.inst.segment:
            return
        seg = look_up(self.catalog, self.inst.segment, self.edition, "segment", drafts=False)
        if self.segment_name:
            self._segment_against_scenario(seg.match)
        elif seg.match.confident:
            self.segment_name, self.link = seg.match.name, seg.match.link
        else:
            self.add(seg.not_found([self.ed.status_clause_id], field=f"{self.field}.segment"))

    def _segment_against_scenario(self, typed: MatchResult) -> None:
        """The guide's 环节 of the 场景 is written; a different or unknown typed one is reported."""
        segment_name = str(self.segment_name)
        if typed.confident and typed.name == segment_name:
            return
        clause_ids = [self.ed.segments[segment_name].clause_id]
        if typed.confident:
            self.flag(
                "建议修改",
                "segment_mismatch",
                f"场景“{self.scenario_name}”在{self.edition}年版指引中属于“{segment_name}”环节，"
                f"不属于所填的“{self.inst.segment}”；草稿已按指引写作“{segment_name}”。",
                clause_ids,
                f"{self.field}.segment",
            )
        else:
            self.flag(
                "提示",
                "segment_from_scenario",
                f"{typed.message} 草稿按场景“{self.scenario_name}”所属环节写作“{segment_name}”。",
                clause_ids,
                f"{self.field}.segment",
            )

    # -- an edition without scenario names (2024): 环节 can be checked, scenario names cannot. --
    # Names of a consultation draft (2025) are accepted with a 提示 saying so; the body stays
    # free of the caveat.

    def segment_without_scenarios(self, draft_scenario: tuple[MatchResult, str] | None) -> None:
        """The 环节 typed, else the one a consultation draft gives the 场景, else a 必须修改."""
        field = f"{self.field}.segment"
        if self.inst.segment:
            seg = look_up(self.catalog, self.inst.segment, self.edition, "segment")
            if seg.match.confident:
                self.segment_name, self.link = seg.match.name, seg.match.link
                self.add(seg.correction(self.ed, corrected=True, field=field))
            elif seg.draft is not None:
                self.segment_name, self.link = seg.draft[0].name, seg.draft[0].link
                self.add(draft_name_note(str(self.segment_name), "环节", seg.draft[1], self.edition, field))
            else:
                self.add(seg.not_found(self.ed.clause_ids or [self.ed.status_clause_id], field=field))
        elif draft_scenario is not None and draft_scenario[0].segment:
            self.segment_name, self.link = draft_scenario[0].segment, draft_scenario[0].link
            if self.segment_name not in self.ed.segments:
                self.add(draft_name_note(self.segment_name, "环节", draft_scenario[1], self.edition, field))
        else:
            hint = self.catalog.match(self.query, self.edition, kind="scenario").message if self.query else ""
            self.flag(
                "必须修改",
                "segment_missing",
                f"第{self.number}个实例未填写环节（segment）。{hint}",
                self.ed.clause_ids or [self.ed.status_clause_id],
                field,
            )

    def scenario_without_scenarios(self, draft_scenario: tuple[MatchResult, str] | None) -> None:
        """The 场景 from a consultation draft, else as typed (unchecked), else a 必须修改."""
        if draft_scenario is not None and draft_scenario[0].name:
            self.scenario_name = draft_scenario[0].name
            self.add(
                draft_name_note(
                    self.scenario_name,
                    "场景",
                    draft_scenario[1],
                    self.edition,
                    f"{self.field}.scenario",
                    said=self.query,
                )
            )
        elif self.inst.scenario:
            self.scenario_name = self.inst.scenario
        else:
            self.flag(
                "必须修改",
                "scenario_missing",
                f"第{self.number}个实例未填写场景名；{self.edition}年版指引的场景名本库未收录，请对照指引原文填写。",
                [self.ed.status_clause_id],
                f"{self.field}.scenario",
            )

    def resolved(self) -> _Resolved:
        """The names found, a 【待补充】 (listing the candidates, if any) for each one missing."""
        scenario_name, segment_name, match = self.scenario_name, self.segment_name, self.match
        if scenario_name is None:
            options = "、".join(c.name for c in match.candidates) if match and match.candidates else ""
            scenario_name = placeholder(
                f"场景名，候选：{options}" if options else "场景名（对照指引场景清单）"
            )
        if segment_name is None:
            segment_name = placeholder("环节名")
        return _Resolved(segment=segment_name, scenario=scenario_name, link=self.link, match=match)


def resolve_instance(
    inst: ScenarioInstance,
    i: int,
    catalog: ScenarioCatalog,
    edition: str,
    findings: list[Finding],
    rules: RuleSet,
) -> _Resolved:
    """环节 and 场景 of one instance from what the user typed, reporting every correspondence
    made (alias, fuzzy) and leaving a placeholder where there is none to make."""
    resolver = _InstanceResolver(inst, i, catalog, edition, findings, rules)
    if resolver.ed.has_scenarios:
        resolver.scenario_from_catalog()
        resolver.segment_against_catalog()
    else:
        query = resolver.query
        draft_scenario = draft_match(catalog, query, edition, "scenario") if query else None
        resolver.segment_without_scenarios(draft_scenario)
        resolver.scenario_without_scenarios(draft_scenario)
    return resolver.resolved()
