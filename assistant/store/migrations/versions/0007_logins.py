"""Login sessions of the web page: a login at /login is a row here, and the browser's cookie
holds only its token. The token itself is never stored: only its SHA-256 digest, so a copy of
the database (a backup, a read replica) opens no one's session.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "logins",
        sa.Column("token_digest", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("operator", sa.Boolean, nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        sa.Column("last_used", sa.Float, nullable=False),
        sa.Column("expires", sa.Float, nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("logins")
