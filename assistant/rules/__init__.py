"""The tier checker: an enterprise profile, a round's rules file and a date in; a CheckReport out.

The decision is pure (no I/O, no clock); ``load_rules`` reads ``corpus/rules/<edition>.yaml``.
Code outside this package imports from here, not from its modules.
"""

from assistant.rules.checker import (
    ENUM_VALUES,
    FIELD_LABELS,
    ORDINAL_SCALES,
    CheckReport,
    EnterpriseProfile,
    RequirementResult,
    RuleSet,
    available_editions,
    check,
    field_label,
    load_rules,
    parse_profile,
    parse_rules,
    value_label,
)
from assistant.rules.render import render_markdown, render_table

__all__ = [
    "ENUM_VALUES",
    "FIELD_LABELS",
    "ORDINAL_SCALES",
    "CheckReport",
    "EnterpriseProfile",
    "RequirementResult",
    "RuleSet",
    "available_editions",
    "check",
    "field_label",
    "load_rules",
    "parse_profile",
    "parse_rules",
    "render_markdown",
    "render_table",
    "value_label",
]
