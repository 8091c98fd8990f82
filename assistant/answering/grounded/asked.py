"""A question as the answer's steps need it, worked out once (``Asked``), and where its answer is
looked for (``Scope``). Kept apart so the answerer reads as the steps it takes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.answering.grounded.intents import Intent
from assistant.answering.grounded.plan import QuestionPlan
from assistant.answering.understanding import Fact
from assistant.knowledge.corpus import Clause
from assistant.rules import CheckReport


@dataclass
class Scope:
    """Where the answer is looked for: the guide edition asked about, the regional notices that
    apply and those ruled out, the autonomous region assumed for a bare "自治区" (or ""), and the
    clauses to quote."""

    edition: str | None
    regional: list[str]
    excluded: list[str]
    assumed: str
    sources: list[Clause]


@dataclass
class Asked:
    """One question as the answer's steps need it, worked out once: its intent and the kinds of
    answer it asks for, the enterprise facts and the checker's report on them, and its scope."""

    question: str
    intent: Intent
    kinds: set[str]
    profile: dict[str, Any]
    #: The profile's fields that are set ("maturity.level").
    stated: set[str]
    report: CheckReport
    facts: list[Fact]
    what_if: bool
    scope: Scope
    plan: QuestionPlan
    #: The tier under discussion in the conversation (None: the question's own, or the round's).
    tier: str | None = None
    #: Links the question says are covered, their level not said: link -> words.
    covered: dict[str, str] = field(default_factory=dict)
