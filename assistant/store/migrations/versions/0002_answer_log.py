"""The answer log (what a helpdesk reviews) and feedback, one vote per answer and key.

Feedback written before this revision named answers that were never recorded; such a table is
kept as feedback_legacy rather than deleted.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table("feedback"):
        op.rename_table("feedback", "feedback_legacy")
    op.create_table(
        "answers",
        sa.Column("answer_id", sa.String(64), primary_key=True),
        sa.Column("session_id", sa.String(64), nullable=True, index=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("lead", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.Text, nullable=False, server_default="[]"),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False, server_default=""),
        sa.Column("edition", sa.String(16), nullable=False, server_default=""),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("flags", sa.Text, nullable=False, server_default="[]"),
        sa.Column("created", sa.Float, nullable=False, index=True),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("answer_id", sa.String(64), sa.ForeignKey("answers.answer_id"), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("rating", sa.Integer, nullable=False),
        sa.Column("comment", sa.Text, nullable=False, server_default=""),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
        sa.UniqueConstraint("answer_id", "key", name="uq_feedback_answer_key"),
    )


def downgrade() -> None:
    op.drop_table("feedback")
    op.drop_table("answers")
    if sa.inspect(op.get_bind()).has_table("feedback_legacy"):
        op.rename_table("feedback_legacy", "feedback")
