"""The store's tables as the code reads and writes them (SQLAlchemy Core, no ORM).

The schema itself is made by the Alembic migrations in migrations/versions/ (one per change, never
edited once shipped); these declarations must match their head. Kept apart from the queries so
that a schema change is one file plus one migration."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("profile", sa.Text, nullable=False, server_default="{}"),
)
messages_table = sa.Table(
    "messages",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
answers_table = sa.Table(
    "answers",
    metadata,
    sa.Column("answer_id", sa.String(64), primary_key=True),
    sa.Column("session_id", sa.String(64), nullable=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("lead", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("intent", sa.String(64), nullable=False),
    sa.Column("edition", sa.String(16), nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=False),
    sa.Column("flags", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
facts_table = sa.Table(
    "facts",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("field", sa.String(64), primary_key=True),
    sa.Column("fact", sa.Text, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
feedback_table = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer_id", sa.String(64), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
corpus_changes_table = sa.Table(
    "corpus_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
answer_reviews_table = sa.Table(
    "answer_reviews",
    metadata,
    sa.Column("answer_id", sa.String(64), primary_key=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
#: One row (id 1): the counter every corpus change moves on (see `record_change`).
corpus_generation_table = sa.Table(
    "corpus_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
