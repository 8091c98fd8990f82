"""The corpus generation: one row whose counter every corpus change (upload, replace, retire,
re-index) moves on, so every worker and host sharing the store sees that its index is stale.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "corpus_generation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("updated", sa.Float, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0, "updated": time.time()}])


def downgrade() -> None:
    op.drop_table("corpus_generation")
