"""Login sessions of the web page, shared by every worker and host through the database.

A login at /login (an API key or an operator key) becomes one row; the browser's cookie holds
only an unguessable token (`secrets.token_urlsafe(32)`, 256 bits), and the row holds only the
token's SHA-256 digest, so neither a copy of the database nor the log can open a session. A
session ends at the first of: its absolute expiry (`expires`, fixed when it is opened), the idle
timeout after its last use (`last_used`, moved on by `touch`), or `close` (logout).

Apart from `Sessions` (conversations) because a login is about who may use the page, not what
was said: it has its own lifetime and is never purged with the answers.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from assistant.store.database import Database
from assistant.store.schema import logins_table

#: Bytes of randomness in a token (token_urlsafe: 43 characters).
TOKEN_BYTES = 32
#: A presented token longer than this is not ours: refused before it is hashed or looked up.
MAX_TOKEN_CHARS = 128


def token_digest(token: str) -> str:
    """The SHA-256 hex digest under which a token's session is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Login:
    """One login session, as stored: whose key opened it (its id, never the key), whether that
    key was an operator's, and its times (seconds since the epoch)."""

    key_id: str
    operator: bool
    created: float
    last_used: float
    expires: float

    def expired(self, idle_seconds: float, now: float) -> bool:
        """Past its absolute expiry, or unused for longer than the idle timeout."""
        return now >= self.expires or now - self.last_used >= idle_seconds


class Logins:
    """Open, identify, touch and close login sessions; purge the expired ones."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def open(self, key_id: str, operator: bool, lifetime_seconds: float, now: float | None = None) -> str:
        """A new session for `key_id`; returns its token (the only time it exists in clear)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = time.time() if now is None else now
        with self.db.connection(write=True) as conn:
            conn.execute(
                logins_table.insert().values(
                    token_digest=token_digest(token),
                    key_id=key_id,
                    operator=operator,
                    created=now,
                    last_used=now,
                    expires=now + lifetime_seconds,
                )
            )
        return token

    def get(self, token: str) -> Login | None:
        """The stored session of `token`, expired or not; None when there is none."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        columns = logins_table.c
        with self.db.connection() as conn:
            row = conn.execute(
                sa.select(
                    columns.key_id, columns.operator, columns.created, columns.last_used, columns.expires
                ).where(columns.token_digest == token_digest(token))
            ).first()
        return Login(row[0], bool(row[1]), row[2], row[3], row[4]) if row else None

    def identify(self, token: str, idle_seconds: float, now: float | None = None) -> Login | None:
        """The session of `token` while it is valid; None when unknown, idle for longer than
        `idle_seconds` or past its absolute expiry (an expired row is deleted on the way)."""
        login = self.get(token)
        if login is None:
            return None
        if login.expired(idle_seconds, time.time() if now is None else now):
            self.close(token)
            return None
        return login

    def touch(self, token: str, now: float | None = None) -> None:
        """Mark the session used now (the idle timeout counts from here)."""
        now = time.time() if now is None else now
        with self.db.connection(write=True) as conn:
            conn.execute(
                logins_table.update()
                .where(logins_table.c.token_digest == token_digest(token))
                .values(last_used=now)
            )

    def close(self, token: str) -> bool:
        """End the session (logout); whether there was one."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return False
        with self.db.connection(write=True) as conn:
            done = conn.execute(
                logins_table.delete().where(logins_table.c.token_digest == token_digest(token))
            )
        return bool(done.rowcount)

    def purge_expired(self, idle_seconds: float, now: float | None = None) -> int:
        """Delete every session past its absolute expiry or idle for longer than `idle_seconds`;
        how many went."""
        now = time.time() if now is None else now
        columns = logins_table.c
        with self.db.connection(write=True) as conn:
            done = conn.execute(
                logins_table.delete().where(
                    (columns.expires <= now) | (columns.last_used <= now - idle_seconds)
                )
            )
        return int(done.rowcount)

    def count(self) -> int:
        with self.db.connection() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(logins_table)).scalar_one())
