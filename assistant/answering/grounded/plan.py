"""A question's plan: how it was read and which steps answered it.

A wrong answer is traced to the step that went wrong: the intent the table gave it, the parts
and kinds of answer read from it, the tier it asks about, the facts it states, the route the
answerer took (a refusal, the round's other tier, the checker's verdict, the documents) and what
happened on the way (a silence said first, the rule put before the verdict, a lead read from
data). `assistant ask --explain` prints it; `--json` and the API carry it as ``plan``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.answering.grounded.asks import asked_parts, value_ask
from assistant.answering.grounded.intents import ABOUT_US, asked_tier
from assistant.answering.understanding import Fact
from assistant.vocabulary import TIERS

#: The routes an answer takes, in the order the answerer tries them.
ROUTES = (
    "refuse_fabrication",
    "refuse_secrets",
    "refuse_personal",
    "refuse_vendor",
    "out_of_scope",
    "other_round_tier",
    "verdict",
    "eligibility",
    "documents",
    "round_changes",
    "parts",
    "drafting",
)
#: Asked by 吗/么 or an A-not-A form: answered yes, no, in principle, or "not set".
YES_NO = re.compile(
    r"[吗么嘛吧][？?。！!]*$|是不是|能不能|可不可以|有没有|要不要|需不需要|用不用|会不会|算不算|够不够|行不行"
    r"|是否|可否|能否|对吗|对吧"
)


@dataclass
class QuestionPlan:
    question: str
    intent: str
    route: str = "documents"
    #: (kind, the stretch of the question asking it), in the order asked.
    parts: list[tuple[str, str]] = field(default_factory=list)
    #: The tier asked about, when the question names one.
    tier: str | None = None
    yes_no: bool = False
    about_enterprise: bool = False
    #: The facts about the enterprise the answer used, this question's and the session's ("所属行业：电解铝").
    facts: list[str] = field(default_factory=list)
    #: A kind of value the documents may not set (threshold, amount, validity, fee, length).
    value_asked: str | None = None
    #: What happened on the way, in order ("rule_first", "unset_requirement: 附审计报告").
    steps: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, question: str, intent: str, facts: list[Fact] | None = None) -> QuestionPlan:
        """Everything that can be read from the question itself (the route comes later)."""
        named = any(t[:2] in question for t in TIERS)
        ask = value_ask(question)
        return cls(
            question=question,
            intent=intent,
            parts=[(p.kind, p.text) for p in asked_parts(question)],
            tier=asked_tier(question, facts) if named else None,
            yes_no=bool(YES_NO.search(question)),
            about_enterprise=bool(ABOUT_US.search(question)),
            facts=[f"{f.label}：{f.said}" for f in facts or []],
            value_asked=ask.name if ask else None,
        )

    def took(self, route: str) -> QuestionPlan:
        """The plan with the route the answer took."""
        assert route in ROUTES, route
        self.route = route
        return self

    def note(self, step: str) -> None:
        self.steps.append(step)

    def as_dict(self) -> dict[str, Any]:
        return {
            "intent": self.intent,
            "route": self.route,
            "parts": [{"kind": kind, "text": text} for kind, text in self.parts],
            "tier": self.tier,
            "yes_no": self.yes_no,
            "about_enterprise": self.about_enterprise,
            "facts": list(self.facts),
            "value_asked": self.value_asked,
            "steps": list(self.steps),
        }
