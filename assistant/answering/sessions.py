"""Conversation sessions in SQLite: messages plus the enterprise profile gathered so far.

One file under data/ by default (several API workers can share it: SQLite serialises writers and
each call opens its own connection). History handed to the LLM is trimmed to a budget of
characters, newest first, because Chinese text runs at roughly one token per character.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import InputError, NotFoundError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    profile TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS messages (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE TABLE IF NOT EXISTS facts (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    field TEXT NOT NULL,
    fact TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (session_id, field)
);
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL,
    rating INTEGER NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL
);
"""
#: One vote per answer and key; rows from before the key column (key '') are left as they were.
FEEDBACK_KEY = """
ALTER TABLE feedback ADD COLUMN key TEXT NOT NULL DEFAULT '';
"""
FEEDBACK_ONCE = """
CREATE UNIQUE INDEX IF NOT EXISTS feedback_once ON feedback(answer_id, key) WHERE key != '';
"""


@dataclass(frozen=True)
class Message:
    role: str  # "user" | "assistant"
    content: str


def merge_profiles(base: dict[str, Any], update: dict[str, Any]) -> dict[str, Any]:
    """Section-wise merge: facts stated later override earlier ones, others are kept. A null
    section states nothing (every section is optional), so it never erases known facts; a null
    field inside a section (e.g. status.recognised_tier) is a statement and is kept."""
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in base.items()}
    for key, value in update.items():
        if value is None and merged.get(key) is not None:
            continue
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


class SessionStore:
    """Create, read and append to sessions; ids are opaque hex strings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(feedback)")}
            if "key" not in columns:
                db.executescript(FEEDBACK_KEY)
            db.executescript(FEEDBACK_ONCE)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
            db.commit()
        finally:
            db.close()

    def open(self, session_id: str | None) -> str:
        """Return an existing session id, or create one (also for an id we do not know)."""
        now = time.time()
        with self._connect() as db:
            if session_id and db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                return session_id
            if session_id and not (len(session_id) <= 64 and session_id.replace("-", "").isalnum()):
                raise InputError("会话编号格式不正确：应为不超过64位的字母、数字或连字符")
            new_id = session_id or uuid.uuid4().hex
            db.execute("INSERT INTO sessions (id, created, updated) VALUES (?, ?, ?)", (new_id, now, now))
            return new_id

    def append(self, session_id: str, role: str, content: str, answer_id: str | None = None) -> None:
        """Add a message; an assistant message's `answer_id` is recorded so feedback can name it."""
        with self._connect() as db:
            if answer_id:
                db.execute("INSERT INTO answers VALUES (?, ?, ?)", (answer_id, session_id, time.time()))
            (seq,) = db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = ?", (session_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO messages VALUES (?, ?, ?, ?, ?)", (session_id, seq, role, content, time.time())
            )
            db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (time.time(), session_id))

    def history(self, session_id: str, budget_chars: int = 4000) -> list[Message]:
        """The most recent messages whose total length fits the budget, oldest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT role, content FROM messages WHERE session_id = ? ORDER BY seq DESC", (session_id,)
            ).fetchall()
        kept: list[Message] = []
        used = 0
        for role, content in rows:
            if used + len(content) > budget_chars and kept:
                break
            kept.append(Message(role, content))
            used += len(content)
        return list(reversed(kept))

    def profile(self, session_id: str) -> dict[str, Any]:
        with self._connect() as db:
            row = db.execute("SELECT profile FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def update_profile(self, session_id: str, facts: dict[str, Any]) -> dict[str, Any]:
        """Merge newly gathered facts into the stored profile and return the result."""
        merged = merge_profiles(self.profile(session_id), facts)
        with self._connect() as db:
            db.execute(
                "UPDATE sessions SET profile = ?, updated = ? WHERE id = ?",
                (json.dumps(merged, ensure_ascii=False), time.time(), session_id),
            )
        return merged

    def facts(self, session_id: str) -> list[dict[str, Any]]:
        """The facts understood so far in the session, each with the words it came from,
        oldest statement first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT fact FROM facts WHERE session_id = ? ORDER BY updated, rowid", (session_id,)
            ).fetchall()
        return [dict(json.loads(row[0])) for row in rows]

    def update_facts(self, session_id: str, facts: list[dict[str, Any]]) -> None:
        """Record facts (one per field: a later statement replaces the earlier one)."""
        with self._connect() as db:
            for fact in facts:
                db.execute(
                    "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?)",
                    (session_id, fact["field"], json.dumps(fact, ensure_ascii=False), time.time()),
                )

    def has_answer(self, answer_id: str) -> bool:
        with self._connect() as db:
            return db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is not None

    def add_feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """Record a vote on an answer we gave; one per (answer, key): a second vote replaces the
        first. The row id is returned. Unknown answer ids raise NotFoundError."""
        key = key or "anonymous"
        with self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                raise NotFoundError(f"没有编号为 {answer_id} 的回答：只能对本服务给出的回答提交反馈。")
            db.execute(
                "INSERT INTO feedback (answer_id, rating, comment, created, key) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (answer_id, key) WHERE key != '' "
                "DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created = excluded.created",
                (answer_id, rating, comment, time.time(), key),
            )
            (row_id,) = db.execute(
                "SELECT id FROM feedback WHERE answer_id = ? AND key = ?", (answer_id, key)
            ).fetchone()
            return int(row_id)
