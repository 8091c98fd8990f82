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
    old_answers = sa.select(answers_table.c.answer_id).where(answers_table.c.created < cutoff)
    old_sessions = sa.select(sessions_table.c.id).where(sessions_table.c.updated < cutoff)
    # What hangs off a row goes before the row itself.
    plan = (
        ("feedback", feedback_table, feedback_table.c.answer_id.in_(old_answers)),
        ("marks", answer_reviews_table, answer_reviews_table.c.answer_id.in_(old_answers)),
        ("answers", answers_table, answers_table.c.created < cutoff),
        ("messages", messages_table, messages_table.c.session_id.in_(old_sessions)),
        ("facts", facts_table, facts_table.c.session_id.in_(old_sessions)),
        ("sessions", sessions_table, sessions_table.c.updated < cutoff),
    )
    with db.connection(write=True) as conn:
        return {
            name: conn.execute(table.delete().where(condition)).rowcount for name, table, condition in plan
        }
