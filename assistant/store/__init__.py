"""The store: what the service remembers between requests, in one SQL database.

Four parts, each over the same `Database` (SQLAlchemy 2 engine, Alembic migrations):

- `Sessions`: messages, the profile gathered so far and the facts understood;
- `AnswerLog`: every answer given, users' feedback and operators' review marks;
- `ChangeLog`: corpus changes and the generation every worker follows;
- `Logins`: the web page's login sessions (the digest of the cookie's token, never the token).

`Store.corpus_lock` serialises corpus changes over every worker and host sharing the store.

`Store` holds the four; build it once per process (`Store.from_settings`). SQLite under data/
by default, Postgres when several hosts serve (``ASSISTANT_DATABASE_URL``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from assistant.config import Settings
from assistant.store.answer_log import AnswerLog, AnswerRecord
from assistant.store.change_log import ChangeLog
from assistant.store.corpus_lock import corpus_lock
from assistant.store.database import (
    UNAVAILABLE,
    UPGRADE_HINT,
    Database,
    StoreTimeouts,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    schema_revisions,
    upgrade,
    upgrade_schema,
)
from assistant.store.faults import disk_full
from assistant.store.logins import Login, Logins, token_digest
from assistant.store.retention import purge
from assistant.store.sessions import ANONYMOUS, Message, Sessions, Stored, TurnWrite, merge_profiles

__all__ = [
    "ANONYMOUS",
    "UNAVAILABLE",
    "UPGRADE_HINT",
    "AnswerLog",
    "AnswerRecord",
    "ChangeLog",
    "Database",
    "Login",
    "Logins",
    "Message",
    "Sessions",
    "Store",
    "StoreTimeouts",
    "Stored",
    "TurnWrite",
    "current_revision",
    "disk_full",
    "downgrade",
    "head_revision",
    "make_engine",
    "merge_profiles",
    "schema_revisions",
    "token_digest",
    "upgrade",
    "upgrade_schema",
]


@dataclass(frozen=True)
class Store:
    """Sessions, the answer log, the change log and the logins, composed over one database."""

    db: Database
    sessions: Sessions
    answers: AnswerLog
    changes: ChangeLog
    logins: Logins

    @classmethod
    def open(
        cls, target: str | Path, *, auto_upgrade: bool | None = None, timeouts: StoreTimeouts | None = None
    ) -> Store:
        """`target` is an SQLAlchemy URL or the path of an SQLite file. Migrations run on open
        for SQLite (embedded); a server database must be upgraded with `assistant db upgrade`.
        `timeouts` bound every call on a server database (the settings' defaults when None)."""
        db = Database(target, auto_upgrade=auto_upgrade, timeouts=timeouts)
        answers = AnswerLog(db)
        return cls(
            db=db, sessions=Sessions(db, answers), answers=answers, changes=ChangeLog(db), logins=Logins(db)
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Store:
        return cls.open(settings.store_url, timeouts=StoreTimeouts.from_settings(settings))

    def ping(self, within: float | None = None) -> None:
        """Raise StoreUnavailableError unless the database answers (for /readyz), within
        `within` seconds when given."""
        self.db.ping(within)

    def dispose(self) -> None:
        self.db.dispose()

    def corpus_lock(self, wait: float = 30.0) -> AbstractContextManager[None]:
        """Hold the lock for one corpus change over every worker and host sharing this store,
        waiting at most `wait` seconds for another change to finish (CorpusBusyError then): an
        advisory lock on Postgres, a file lock beside an SQLite file (store.corpus_lock)."""
        return corpus_lock(self.db, wait)

    def purge(self, days: int) -> dict[str, int]:
        """Delete answers and idle sessions older than `days` days (store.retention)."""
        return purge(self.db, days)
