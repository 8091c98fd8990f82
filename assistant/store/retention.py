"""How long the store keeps what users typed: answers (questions verbatim, phone numbers and
all), their feedback and marks, and sessions idle for longer than the retention period.

`purge` deletes in one transaction and reports what went, so an operator (or a cron job running
`assistant db purge`) can see the effect; ``ASSISTANT_ANSWER_RETENTION_DAYS`` sets the period.
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from assistant.store.database import Database
from assistant.store.schema import (
    answer_reviews_table,
    answers_table,
    facts_table,
    feedback_table,
    messages_table,
    sessions_table,
)

DAY_SECONDS = 86_400


def purge(db: Database, days: int, now: float | None = None) -> dict[str, int]:
    """Delete answers created, and sessions last used, more than `days` days ago (with their
    feedback, marks, messages and facts). Returns how many rows of each kind went."""
    cutoff = (time.time() if now is None else now) - days * DAY_SECONDS
    with db.connection(write=True) as conn:
        old_answers = sa.select(answers_table.c.answer_id).where(answers_table.c.created < cutoff)
        old_sessions = sa.select(sessions_table.c.id).where(sessions_table.c.updated < cutoff)
        counts = {
            "feedback": conn.execute(
                feedback_table.delete().where(feedback_table.c.answer_id.in_(old_answers))
            ).rowcount,
            "marks": conn.execute(
                answer_reviews_table.delete().where(answer_reviews_table.c.answer_id.in_(old_answers))
            ).rowcount,
            "answers": conn.execute(answers_table.delete().where(answers_table.c.created < cutoff)).rowcount,
            "messages": conn.execute(
                messages_table.delete().where(messages_table.c.session_id.in_(old_sessions))
            ).rowcount,
            "facts": conn.execute(
                facts_table.delete().where(facts_table.c.session_id.in_(old_sessions))
            ).rowcount,
            "sessions": conn.execute(
                sessions_table.delete().where(sessions_table.c.updated < cutoff)
            ).rowcount,
        }
    return counts
