"""Grounded answers: composed from retrieved clauses and the checker, with no LLM.

`GroundedAnswerer.answer` reads what the question asks (`asks`, `intents`), decides which
documents and rounds apply (`scope`), words the checker's verdict (`verdict`) or composes a
lead from the sentences that carry the asked value (`evidence`, `compose`, `values`,
`similarity`), and quotes the clauses behind it. The result is a `Composed`.
"""

from __future__ import annotations

from assistant.answering.grounded.answerer import Composed, GroundedAnswerer
from assistant.answering.grounded.compose import lead_numbers_cited
from assistant.answering.grounded.intents import IntentTable, named_tier
from assistant.answering.grounded.scope import asked_years

__all__ = ["Composed", "GroundedAnswerer", "IntentTable", "asked_years", "lead_numbers_cited", "named_tier"]
