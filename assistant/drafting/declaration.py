"""The round's 申报书 as its rules file states it: the parts, the clauses and the wording that
drafts and reviews cite.

Read here, from the RuleSet the caller already holds, so that no module of this package names a
round's clause or figure in code: a later round is a new rules file (``declaration:``), not new
code. What the rules already say elsewhere is derived rather than repeated: the clause of a
tier's 建设成效 from its requirement on ``outcomes.kpi_standing``.
"""

from __future__ import annotations

from assistant.errors import RulesInvalidError
from assistant.rules import RuleSet
from assistant.rules.ruleset import OUTCOME_FIELD, DeclarationPartSpec, DeclarationSpec


def declaration_of(rules: RuleSet) -> DeclarationSpec:
    """The rules' declaration block: without one there is no 申报书 to draft or review against."""
    if rules.declaration is None:
        raise RulesInvalidError(
            f"规则文件 {rules.edition}.yaml 缺少 declaration（申报书的组成部分与引用条款），无法起草或审阅申报书"
        )
    return rules.declaration


def parts(rules: RuleSet) -> list[DeclarationPartSpec]:
    """The 申报书's parts in order; the drafter writes one builder per part."""
    return list(declaration_of(rules).parts)


def outcomes_part(rules: RuleSet) -> DeclarationPartSpec:
    """The last part, 建设成效: where KPI figures belong, so what a KPI finding cites."""
    return declaration_of(rules).parts[-1]


def outcome_of(rules: RuleSet, tier: str) -> tuple[str, str]:
    """The tier's 建设成效 clause (its requirement on the KPI standing) and, in the clause's
    words, what it asks of the main indicators."""
    spec = next(t for t in rules.tiers if t.name == tier)
    requirement = next(r for r in spec.requirements if any(c.field == OUTCOME_FIELD for c in r.checks))
    return requirement.clause_ids[0], declaration_of(rules).outcome_wording[spec.name]


def standard_name(rules: RuleSet) -> str:
    """The measurement standard as a draft names it: code and 《title》."""
    standard = declaration_of(rules).kpi.standard
    return f"{standard.code}《{standard.title}》"
