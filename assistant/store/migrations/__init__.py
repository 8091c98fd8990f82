"""Alembic migrations of the session store (applied by `assistant db upgrade`)."""
