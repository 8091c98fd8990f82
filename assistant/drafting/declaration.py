"""The round's 申报书 as its rules file states it: the parts, the clauses and the wording that
drafts and reviews cite.

Read here, from the RuleSet the caller already holds, so that no module of this package names a
round's clause or figure in code: a later round is a new rules file (``declaration:``), not new
code. What the rules already say elsewhere is derived rather than repeated: the clause of a
tier's 建设成效 from its requirement on ``outcomes.kpi_standing``, the quota sentence from
``application.quotas``.
"""

from __future__ import annotations

import re
from itertools import groupby

from assistant.errors import RulesInvalidError
from assistant.rules import RuleSet
from assistant.rules.ruleset import OUTCOME_FIELD, DeclarationPartSpec, DeclarationSpec

#: A recommender's "per each" qualifier (有关中央企业（每家）): implied once the sentence says
#: 推荐数量, so the quota sentence leaves it out.
_PER_EACH = re.compile(r"（每[^）]*）$")


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


def kpi_doc(rules: RuleSet) -> str:
    """The round's KPI reference list (the document of the clause its declaration cites)."""
    return declaration_of(rules).kpi.clause_id.partition("#")[0]


def catalogue_of(rules: RuleSet) -> str:
    """The scenario guide edition the round's notice names (its manifest), else its year."""
    return (rules.manifest.catalogue if rules.manifest else None) or rules.edition


def standard_name(rules: RuleSet) -> str:
    """The measurement standard as a draft names it: code and 《title》."""
    standard = declaration_of(rules).kpi.standard
    return f"{standard.code}《{standard.title}》"


def quota_ceiling(rules: RuleSet) -> int:
    """The most projects any recommender may list (the 推荐汇总表 refuses more)."""
    return max(q.max_projects for q in rules.application.quotas.items)


def _quota_groups(rules: RuleSet) -> list[tuple[int, list[str]]]:
    """Recommenders grouped by their ceiling, in the order the rules list them."""
    items = rules.application.quotas.items
    return [
        (n, [_PER_EACH.sub("", q.who) for q in group])
        for n, group in groupby(items, key=lambda q: q.max_projects)
    ]


def top_quota_holders(rules: RuleSet) -> str:
    """Who may list the most projects (各省（区、市）), for the message on a ceiling out of range."""
    ceiling = quota_ceiling(rules)
    return "、".join(name for n, names in _quota_groups(rules) for name in names if n == ceiling)


def quota_sentence(rules: RuleSet) -> str:
    """What the notice and the form say of the quotas, each part citing its clause: the ceilings
    per recommender 【notice clause】, and the form's note on them 【form clause】."""
    limits = "，".join(
        f"{'、'.join(names)}{'推荐数量' if k == 0 else ''}不超过{n}个"
        for k, (n, names) in enumerate(_quota_groups(rules))
    )
    notes = {note.clause_id: note.text for note in declaration_of(rules).form.notes}
    clause_ids = rules.application.quotas.clause_ids
    cited = "".join(f"【{c}】" for c in clause_ids if c not in notes)
    from_form = "".join(f"，且{notes[c]}【{c}】" for c in clause_ids if c in notes)
    return f"通知规定{limits}{cited}{from_form}。"
