"""What the answer log says in figures: questions per day, share refused, the commonest kinds
of question and cited clauses, median latency."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from typing import Any

from assistant.console.periods import day_bounds
from assistant.store import AnswerLog


def _ranked(counts: Counter[str], top: int) -> list[tuple[str, int]]:
    """Most frequent first; ties by name, so the order does not depend on the log's order."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


class AnswerStatistics:
    """Counts over the answers logged in a period (days, inclusive)."""

    def __init__(self, answers: AnswerLog) -> None:
        self.answers = answers

    def summary(
        self, since: dt.date | None = None, until: dt.date | None = None, top: int = 10
    ) -> dict[str, Any]:
        answers = self.answers.between(*day_bounds(since, until))
        per_day = Counter(dt.datetime.fromtimestamp(a["created"]).date().isoformat() for a in answers)
        intents = Counter(a["intent"] or "其他" for a in answers)
        cited = Counter(c for a in answers for c in dict.fromkeys(a["citations"]))
        refused = sum(1 for a in answers if "refused" in a["flags"])
        return {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "questions": len(answers),
            "per_day": [{"day": day, "questions": n} for day, n in sorted(per_day.items())],
            "refused_share": round(refused / len(answers), 4) if answers else 0.0,
            "top_intents": [{"intent": k, "questions": n} for k, n in _ranked(intents, top)],
            "top_clauses": [{"clause_id": k, "citations": n} for k, n in _ranked(cited, top)],
            "median_latency_ms": round(statistics.median(a["latency_ms"] for a in answers), 1)
            if answers
            else None,
        }
