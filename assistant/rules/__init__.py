"""The tier checker: an enterprise profile, a round's rules file and a date in; a CheckReport out.

The decision is pure (no I/O, no clock); ``load_rules`` reads ``corpus/rules/<edition>.yaml``.
Modules: ``profile`` (the input schema and its labels), ``ruleset`` (a round's rules),
``report`` (the output), ``decide`` (the verdict), ``coverage`` (links a tier must cover), ``render`` (Markdown and terminal tables).
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
)
from assistant.rules.render import render_markdown, render_table
from assistant.rules.report import CheckReport, RequirementResult
from assistant.rules.ruleset import RuleSet, available_editions, cited_clause_ids, load_rules, parse_rules

__all__ = [
    "ENUM_VALUES",
    "FIELD_LABELS",
    "ORDINAL_SCALES",
    "CheckReport",
    "EnterpriseProfile",
    "RequiredLinks",
    "RequirementResult",
    "RuleSet",
    "available_editions",
    "check",
    "cited_clause_ids",
    "coverage_gaps",
    "field_label",
    "load_rules",
    "parse_profile",
    "parse_rules",
    "render_markdown",
    "render_table",
    "required_links",
    "value_label",
]
