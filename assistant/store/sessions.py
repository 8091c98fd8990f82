"""Sessions: their messages, the profile gathered so far and the facts understood, each with
the words it came from.

A turn (the question, the answer, the merged profile and the answer-log row) is written in one
transaction, so a host killed mid-answer leaves either the whole turn or none of it. History
handed to the LLM is trimmed to a budget of characters, newest first, because Chinese text runs
at roughly one token per character.

The answer log is its own part (answer_log.AnswerLog); a turn's log row is written through it
inside the turn's transaction.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from assistant.errors import InputError, NotFoundError
from assistant.store.answer_log import AnswerLog, AnswerRecord
from assistant.store.database import Database
from assistant.store.schema import facts_table, messages_table, sessions_table

#: The owner of sessions opened without a key (keys not configured, the CLI, the evals).
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class TurnWrite:
    """What one answered turn writes: the question and the answer's text (the session's two
    messages), the profile to keep, the facts understood, and the answer-log row."""

    question: str
    text: str
    profile: dict[str, Any]
    record: AnswerRecord
    facts: Sequence[dict[str, Any]] = ()


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


#: How many of a session's last questions a turn reads to know what is being discussed.
RECENT_QUESTIONS = 4


@dataclass(frozen=True)
class Stored:
    """What a session holds for its next turn: the profile gathered and the facts understood."""

    profile: dict[str, Any]
    facts: list[dict[str, Any]]
    #: The user's last questions, newest first: what the conversation is about ("那还差什么"
    #: speaks of the tier asked a turn before).
    questions: tuple[str, ...] = ()


def _check_id(session_id: str) -> None:
    if not (0 < len(session_id) <= 64 and session_id.replace("-", "").isalnum()):
        raise InputError("会话编号格式不正确：应为不超过64位的字母、数字或连字符")


def _not_found(session_id: str) -> NotFoundError:
    return NotFoundError(f"会话 {session_id} 不存在或已失效：不带会话编号提问即可开始新的会话")


class Sessions:
    """Create, read and append to sessions. Ids are opaque hex (or the caller's, validated)."""

    def __init__(self, db: Database, answers: AnswerLog) -> None:
        self.db = db
        self.answers = answers

    @staticmethod
    def new_id() -> str:
        """An unguessable id for a session that exists only in memory until its first turn is
        recorded (`record_first_turn`): a new conversation waits on nothing."""
        return secrets.token_hex(16)

    def open(self, session_id: str | None, owner: str = ANONYMOUS) -> str:
        """A new session for `owner` (an unguessable id made here), or `session_id` when it
        exists and `owner` opened it. Any other id — unknown, another key's, or chosen by the
        client — is NotFoundError: a caller can neither read nor create another's session."""
        if session_id is None:
            new_id = self.new_id()
            with self.db.connection(write=True) as conn:
                self._create(conn, new_id, owner)
            return new_id
        _check_id(session_id)
        with self.db.connection() as conn:
            self._owned(conn, session_id, owner)
        return session_id

    def load(self, session_id: str, owner: str = ANONYMOUS, within: float | None = None) -> Stored:
        """The profile and facts of `owner`'s session, read in one transaction (NotFoundError as
        `open`); within `within` seconds when given, else StoreUnavailableError."""
        _check_id(session_id)
        if within is not None:
            return self.db.within(within, self.load, session_id, owner)
        with self.db.connection() as conn:
            self._owned(conn, session_id, owner)
            profile = self._profile(conn, session_id)
            facts = self._facts(conn, session_id)
            questions = self._questions(conn, session_id)
        return Stored(profile, facts, questions)

    @staticmethod
    def _questions(conn: Connection, session_id: str, last: int = RECENT_QUESTIONS) -> tuple[str, ...]:
        rows = conn.execute(
            sa.select(messages_table.c.content)
            .where(messages_table.c.session_id == session_id, messages_table.c.role == "user")
            .order_by(messages_table.c.seq.desc())
            .limit(last)
        ).all()
        return tuple(row[0] for row in rows)

    @staticmethod
    def _create(conn: Connection, session_id: str, owner: str) -> None:
        now = time.time()
        conn.execute(sessions_table.insert().values(id=session_id, owner=owner, created=now, updated=now))

    @staticmethod
    def _owned(conn: Connection, session_id: str, owner: str) -> None:
        found = conn.execute(
            sa.select(sessions_table.c.owner).where(sessions_table.c.id == session_id)
        ).first()
        if found is None or found[0] != owner:
            raise _not_found(session_id)

    def _lock_session(self, conn: Connection, session_id: str) -> dict[str, Any] | None:
        """The session's profile, its row locked until commit (Postgres; SQLite's writer lock
        already serialises); None when the session does not exist."""
        query = sa.select(sessions_table.c.profile).where(sessions_table.c.id == session_id)
        row = conn.execute(query.with_for_update()).first()
        return dict(json.loads(row[0])) if row else None

    def _append(self, conn: Connection, session_id: str, pairs: Sequence[tuple[str, str]]) -> None:
        (seq,) = conn.execute(
            sa.select(sa.func.coalesce(sa.func.max(messages_table.c.seq), 0)).where(
                messages_table.c.session_id == session_id
            )
        ).one()
        now = time.time()
        conn.execute(
            messages_table.insert(),
            [
                {"session_id": session_id, "seq": seq + i, "role": role, "content": content, "created": now}
                for i, (role, content) in enumerate(pairs, start=1)
            ],
        )

    def append(self, session_id: str, role: str, content: str) -> None:
        with self.db.connection(write=True) as conn:
            if self._lock_session(conn, session_id) is None:
                raise NotFoundError(f"会话 {session_id} 不存在")
            self._append(conn, session_id, [(role, content)])
            conn.execute(
                sessions_table.update().where(sessions_table.c.id == session_id).values(updated=time.time())
            )

    def history(self, session_id: str, budget_chars: int = 4000) -> list[Message]:
        """The most recent messages whose total length fits the budget, oldest first."""
        with self.db.connection() as conn:
            rows = conn.execute(
                sa.select(messages_table.c.role, messages_table.c.content)
                .where(messages_table.c.session_id == session_id)
                .order_by(messages_table.c.seq.desc())
            ).all()
        kept: list[Message] = []
        used = 0
        for role, content in rows:
            if used + len(content) > budget_chars and kept:
                break
            kept.append(Message(role, content))
            used += len(content)
        return list(reversed(kept))

    def count_messages(self, session_id: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(messages_table)
        if session_id is not None:
            query = query.where(messages_table.c.session_id == session_id)
        with self.db.connection() as conn:
            return int(conn.execute(query).scalar_one())

    def profile(self, session_id: str) -> dict[str, Any]:
        with self.db.connection() as conn:
            return self._profile(conn, session_id)

    @staticmethod
    def _profile(conn: Connection, session_id: str) -> dict[str, Any]:
        row = conn.execute(
            sa.select(sessions_table.c.profile).where(sessions_table.c.id == session_id)
        ).first()
        return dict(json.loads(row[0])) if row else {}

    def _save_profile(self, conn: Connection, session_id: str, base: dict, facts: dict) -> dict[str, Any]:
        merged = merge_profiles(base, facts)
        conn.execute(
            sessions_table.update()
            .where(sessions_table.c.id == session_id)
            .values(profile=json.dumps(merged, ensure_ascii=False), updated=time.time())
        )
        return merged

    def facts(self, session_id: str) -> list[dict[str, Any]]:
        """The facts understood so far in the session, each with the words it came from,
        oldest statement first."""
        with self.db.connection() as conn:
            return self._facts(conn, session_id)

    @staticmethod
    def _facts(conn: Connection, session_id: str) -> list[dict[str, Any]]:
        rows = conn.execute(
            sa.select(facts_table.c.fact)
            .where(facts_table.c.session_id == session_id)
            .order_by(facts_table.c.updated)
        ).all()
        return [dict(json.loads(row[0])) for row in rows]

    @staticmethod
    def _save_facts(conn: Connection, session_id: str, facts: Sequence[dict[str, Any]]) -> None:
        for fact in facts:
            key = {"session_id": session_id, "field": fact["field"]}
            conn.execute(
                facts_table.delete().where(
                    (facts_table.c.session_id == session_id) & (facts_table.c.field == fact["field"])
                )
            )
            conn.execute(
                facts_table.insert().values(
                    **key, fact=json.dumps(fact, ensure_ascii=False), updated=time.time()
                )
            )

    def record_turn(self, session_id: str, turn: TurnWrite) -> None:
        """The whole turn in one transaction: both messages, the merged profile, the facts
        understood and the log row."""
        with self.db.connection(write=True) as conn:
            self._record(conn, session_id, turn)

    def record_first_turn(
        self, session_id: str, owner: str, turn: TurnWrite, within: float | None = None
    ) -> None:
        """The first turn of a session made in memory (`new_id`): the session, bound to `owner`,
        is created in the turn's one transaction, so it exists with its first turn or not at all.
        Within `within` seconds when given, else StoreUnavailableError and nothing is written."""
        if within is not None:
            return self.db.within(within, self.record_first_turn, session_id, owner, turn)
        with self.db.connection(write=True) as conn:
            self._create(conn, session_id, owner)
            self._record(conn, session_id, turn)
        return None

    def _record(self, conn: Connection, session_id: str, turn: TurnWrite) -> None:
        base = self._lock_session(conn, session_id)
        if base is None:
            raise NotFoundError(f"会话 {session_id} 不存在")
        self._append(conn, session_id, [("user", turn.question), ("assistant", turn.text)])
        if turn.profile:
            self._save_profile(conn, session_id, base, turn.profile)
        else:
            conn.execute(
                sessions_table.update().where(sessions_table.c.id == session_id).values(updated=time.time())
            )
        self._save_facts(conn, session_id, turn.facts)
        self.answers.insert(conn, turn.record)
