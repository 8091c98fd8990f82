"""The tier checker: an enterprise profile, a round's rules file and a date in; a CheckReport out.

The decision is pure (no I/O, no clock); ``load_rules`` reads ``corpus/rules/<edition>.yaml``.
Modules: ``profile`` (the input schema and its labels), ``ruleset`` (a round's rules),
``report`` (the output), ``decide`` (the verdict), ``coverage`` (links a tier must cover), ``render`` (Markdown and terminal tables),
``rounds`` (the held rounds: which one applies, whether it traces to its documents, what changed).
Code outside this package imports from here, not from its modules.
"""

from assistant.rules.coverage import RequiredLinks, coverage_gaps, required_links
from assistant.rules.decide import check
from assistant.rules.profile import (
    ENUM_VALUES,
    FIELD_LABELS,
    ORDINAL_SCALES,
    EnterpriseProfile,
    field_label,
    parse_profile,
    value_label,
    without_field_ids,
)
from assistant.rules.render import render_markdown, render_table
from assistant.rules.report import CheckReport, RequirementResult
from assistant.rules.rounds import (
    RoundChoice,
    RoundProblem,
    Rounds,
    RuleChange,
    RuleValue,
    VerdictChange,
    check_round,
    diff_rounds,
    rule_values,
    verdict_changes,
    window_closes,
)
from assistant.rules.ruleset import RuleSet, available_editions, cited_clause_ids, load_rules, parse_rules

__all__ = [
    "ENUM_VALUES",
    "FIELD_LABELS",
    "ORDINAL_SCALES",
    "CheckReport",
    "EnterpriseProfile",
    "RequiredLinks",
    "RequirementResult",
    "RoundChoice",
    "RoundProblem",
    "Rounds",
    "RuleChange",
    "RuleSet",
    "RuleValue",
    "VerdictChange",
    "available_editions",
    "check",
    "check_round",
    "cited_clause_ids",
    "coverage_gaps",
    "diff_rounds",
    "field_label",
    "load_rules",
    "parse_profile",
    "parse_rules",
    "render_markdown",
    "render_table",
    "required_links",
    "rule_values",
    "value_label",
    "verdict_changes",
    "window_closes",
    "without_field_ids",
]
