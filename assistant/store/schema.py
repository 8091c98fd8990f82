"""The store's tables as the code reads and writes them (SQLAlchemy Core, no ORM).

The schema itself is made by the Alembic migrations in migrations/versions/ (one per change, never
edited once shipped); these declarations must match their head. Kept apart from the queries so
that a schema change is one file plus one migration."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()
ID = sa.String(64)


def required(**types: Any) -> list[sa.Column]:
    """NOT NULL columns, in the order given."""
    return [sa.Column(name, type_, nullable=False) for name, type_ in types.items()]


sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", ID, primary_key=True),
    *required(created=sa.Float, updated=sa.Float),
    sa.Column("profile", sa.Text, nullable=False, server_default="{}"),
    #: The key id (or `anonymous`) that opened the session: no other caller may use it.
    sa.Column("owner", ID, nullable=False, server_default=""),
)
messages_table = sa.Table(
    "messages",
    metadata,
    sa.Column("session_id", ID, sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    *required(role=sa.String(16), content=sa.Text, created=sa.Float),
)
answers_table = sa.Table(
    "answers",
    metadata,
    sa.Column("answer_id", ID, primary_key=True),
    sa.Column("session_id", ID, nullable=True),
    *required(question=sa.Text, lead=sa.Text, answer=sa.Text, citations=sa.Text, mode=sa.String(16)),
    *required(intent=ID, edition=sa.String(16), latency_ms=sa.Float, flags=sa.Text, created=sa.Float),
)
facts_table = sa.Table(
    "facts",
    metadata,
    sa.Column("session_id", ID, sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("field", ID, primary_key=True),
    *required(fact=sa.Text, updated=sa.Float),
)
feedback_table = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *required(answer_id=ID, key=ID, rating=sa.Integer, comment=sa.Text, created=sa.Float, updated=sa.Float),
)
corpus_changes_table = sa.Table(
    "corpus_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", ID, nullable=False, index=True),
    *required(action=sa.String(16), who=ID, detail=sa.Text, created=sa.Float),
)
answer_reviews_table = sa.Table(
    "answer_reviews",
    metadata,
    sa.Column("answer_id", ID, primary_key=True),
    *required(outcome=sa.String(32), note=sa.Text, who=ID, updated=sa.Float),
)
#: One row (id 1): the counter every corpus change moves on (see `record_change`).
corpus_generation_table = sa.Table(
    "corpus_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    *required(generation=sa.Integer, updated=sa.Float),
)
