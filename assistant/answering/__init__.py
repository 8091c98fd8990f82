"""Answering questions, in three rooms:

- `understanding`: the enterprise facts a user states (`EnterpriseReader`, `Extraction`, `Fact`);
- `grounded`: answers composed from clauses and the checker (`GroundedAnswerer`);
- `llm`: the tool-calling agent and the guard on what the model writes.

`grounded` and `llm` do not import each other; both may use `understanding` and `cite` (the
【clause_id】 pattern every room reads). Callers import the names below.
"""

from __future__ import annotations

from assistant.answering.cite import CITATION, cited_ids
from assistant.answering.grounded import (
    Composed,
    GroundedAnswerer,
    IntentTable,
    asked_years,
    lead_numbers_cited,
    named_tier,
)
from assistant.answering.llm import (
    Agent,
    SentenceGuard,
    Toolbox,
    TurnState,
    build_messages,
    confirm_questions,
)
from assistant.answering.understanding import (
    EnterpriseReader,
    Extraction,
    Fact,
    extract,
    facts_to_profile,
    implied_facts,
)

__all__ = [
    "CITATION",
    "Agent",
    "Composed",
    "EnterpriseReader",
    "Extraction",
    "Fact",
    "GroundedAnswerer",
    "IntentTable",
    "SentenceGuard",
    "Toolbox",
    "TurnState",
    "asked_years",
    "build_messages",
    "cited_ids",
    "confirm_questions",
    "extract",
    "facts_to_profile",
    "implied_facts",
    "lead_numbers_cited",
    "named_tier",
]
