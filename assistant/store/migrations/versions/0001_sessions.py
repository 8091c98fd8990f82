"""Sessions and their messages (the shape the embedded SQLite store always had).

A file written before migrations existed already holds these tables: they are kept as they are.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if not inspector.has_table("sessions"):
        op.create_table(
            "sessions",
            sa.Column("id", sa.String(64), primary_key=True),
            sa.Column("created", sa.Float, nullable=False),
            sa.Column("updated", sa.Float, nullable=False),
            sa.Column("profile", sa.Text, nullable=False, server_default="{}"),
        )
    if not inspector.has_table("messages"):
        op.create_table(
            "messages",
            sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("role", sa.String(16), nullable=False),
            sa.Column("content", sa.Text, nullable=False),
            sa.Column("created", sa.Float, nullable=False),
        )


def downgrade() -> None:
    op.drop_table("messages")
    op.drop_table("sessions")
