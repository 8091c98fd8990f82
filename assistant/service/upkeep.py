"""The store's upkeep, for the CLI's `assistant db …` commands: schema revisions and migrations
(from the store) and the retention purge. Here so the interfaces reach the database through the
service package only."""

from __future__ import annotations

from assistant.config import Settings
from assistant.store import Store, schema_revisions, upgrade_schema

__all__ = ["purge_old_records", "schema_revisions", "upgrade_schema"]


def purge_old_records(settings: Settings, days: int | None = None) -> dict[str, int]:
    """Delete answers and idle sessions older than `days` (default: the retention setting)."""
    store = Store.from_settings(settings)
    try:
        return store.purge(days if days is not None else settings.answer_retention_days)
    finally:
        store.dispose()
