"""The store: sessions, their messages and gathered profile, the answer log and feedback.

One SQLAlchemy 2 engine with pooled connections. An SQLite file under data/ by default (embedded:
its schema is brought up to date on first use, as before), or Postgres when several hosts serve
(`ASSISTANT_DATABASE_URL=postgresql+psycopg://...`): then the schema is changed only by
`assistant db upgrade`, and a service finding it behind refuses to start and says so.

A turn (the question, the answer, the merged profile and the answer-log row) is written in one
transaction, so a host killed mid-answer leaves either the whole turn or none of it. History
handed to the LLM is trimmed to a budget of characters, newest first, because Chinese text runs
at roughly one token per character.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError

from assistant.errors import InputError, NotFoundError, StoreSchemaError, StoreUnavailableError

log = logging.getLogger("assistant.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "请先运行 `assistant db upgrade` 升级数据库结构，再启动服务"
UNAVAILABLE = "会话数据库暂时无法连接，本次会话无法读取或保存；不带会话的提问仍可正常回答，请稍后重试。"

metadata = sa.MetaData()
sessions_table = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("profile", sa.Text, nullable=False, server_default="{}"),
)
messages_table = sa.Table(
    "messages",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("content", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
answers_table = sa.Table(
    "answers",
    metadata,
    sa.Column("answer_id", sa.String(64), primary_key=True),
    sa.Column("session_id", sa.String(64), nullable=True),
    sa.Column("question", sa.Text, nullable=False),
    sa.Column("lead", sa.Text, nullable=False),
    sa.Column("answer", sa.Text, nullable=False),
    sa.Column("citations", sa.Text, nullable=False),
    sa.Column("mode", sa.String(16), nullable=False),
    sa.Column("intent", sa.String(64), nullable=False),
    sa.Column("edition", sa.String(16), nullable=False),
    sa.Column("latency_ms", sa.Float, nullable=False),
    sa.Column("flags", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
facts_table = sa.Table(
    "facts",
    metadata,
    sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
    sa.Column("field", sa.String(64), primary_key=True),
    sa.Column("fact", sa.Text, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
feedback_table = sa.Table(
    "feedback",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("answer_id", sa.String(64), nullable=False),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("rating", sa.Integer, nullable=False),
    sa.Column("comment", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
corpus_changes_table = sa.Table(
    "corpus_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("doc_id", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("created", sa.Float, nullable=False),
)
answer_reviews_table = sa.Table(
    "answer_reviews",
    metadata,
    sa.Column("answer_id", sa.String(64), primary_key=True),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=False),
    sa.Column("who", sa.String(64), nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
#: One row (id 1): the counter every corpus change moves on (see `record_change`).
corpus_generation_table = sa.Table(
    "corpus_generation",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("generation", sa.Integer, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Message:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class AnswerRecord:
    """One row of the answer log: what a helpdesk reviews."""

    answer_id: str
    question: str
    lead: str
    answer: str
    mode: str
    latency_ms: float
    citations: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    session_id: str | None = None
    intent: str = ""
    edition: str = ""


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


def lead_of(text: str) -> str:
    """The lead is the answer's first paragraph (docs/contracts.md)."""
    return text.strip().split("\n\n", 1)[0].strip()


# ---------------------------------------------------------------------------------------------
# Engine and migrations
# ---------------------------------------------------------------------------------------------


def make_engine(url: str) -> Engine:
    """A pooled engine. Postgres: pre-ping, so a restarted server costs one retry, not a
    restart of the app; a short connect timeout, so a dead server fails fast. SQLite: WAL and
    `BEGIN IMMEDIATE` for writes, so concurrent turns queue instead of failing."""
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see below)
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=NORMAL")

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            immediate = conn.get_execution_options().get("immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    connect_args = {"connect_timeout": 3} if url.startswith("postgresql") else {}
    return sa.create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=10,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args=connect_args,
    )


def _alembic_config(connection: Connection) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    config = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Apply migrations up to `revision`; return the revision now current.

    On SQLite the transaction takes the write lock first (BEGIN IMMEDIATE): workers of one host
    starting together on a fresh file then migrate one after the other, and the later ones find
    the schema current instead of creating the same tables twice."""
    from alembic import command

    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn = conn.execution_options(immediate=True)
        with conn.begin():
            command.upgrade(_alembic_config(conn), revision)
    return current_revision(engine)


def downgrade(engine: Engine, revision: str) -> str | None:
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), revision)
    return current_revision(engine)


def _unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | SAInterfaceError) or (
        isinstance(exc, sa.exc.DBAPIError) and exc.connection_invalidated
    )


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


class SessionStore:
    """Create, read and append to sessions; log answers; take feedback. Ids are opaque hex.

    `target` is an SQLAlchemy URL or (as before) the path of an SQLite file. `auto_upgrade`
    defaults to True for SQLite (embedded) and False for a server database.
    """

    def __init__(self, target: str | Path, *, auto_upgrade: bool | None = None) -> None:
        url = target if isinstance(target, str) else f"sqlite:///{target}"
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.auto_upgrade = self.is_sqlite if auto_upgrade is None else auto_upgrade
        self._checked = False
        self._check_lock = threading.Lock()
        try:
            self.ensure_schema()
        except StoreSchemaError:
            raise
        except StoreUnavailableError:
            # Started while the database is down: sessionless questions are still answered; the
            # schema is checked on the first call that reaches the database.
            log.warning("session store unreachable at start-up", extra={"dialect": self.engine.dialect.name})

    @classmethod
    def from_settings(cls, settings: Any) -> SessionStore:
        return cls(settings.store_url)

    @property
    def path(self) -> Path | None:
        """The SQLite file, when the store is one."""
        database = self.engine.url.database
        return Path(database) if self.is_sqlite and database else None

    def ensure_schema(self) -> None:
        """Upgrade (embedded) or verify (server) that the schema is at the code's head."""
        if self._checked:
            return
        with self._check_lock:
            if self._checked:
                return
            try:
                head = head_revision()
                current = current_revision(self.engine)
                if current != head:
                    if not self.auto_upgrade:
                        raise StoreSchemaError(
                            f"数据库结构版本落后（当前 {current or '空库'}，需要 {head}）：{UPGRADE_HINT}。"
                        )
                    upgrade(self.engine)
            except (OperationalError, SAInterfaceError) as exc:
                raise StoreUnavailableError(UNAVAILABLE) from exc
            self._checked = True

    def ping(self) -> None:
        """Raise StoreUnavailableError unless the database answers (for /readyz)."""
        self.ensure_schema()
        with self._connection() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A pooled connection in one transaction; database failures become StoreUnavailableError."""
        try:
            self.ensure_schema()
            with self.engine.connect() as conn:
                if write and self.is_sqlite:
                    conn = conn.execution_options(immediate=True)
                with conn.begin():
                    yield conn
        except sa.exc.DBAPIError as exc:
            if _unavailable(exc):
                raise StoreUnavailableError(UNAVAILABLE) from exc
            raise

    # -- sessions -------------------------------------------------------------------------------

    def open(self, session_id: str | None) -> str:
        """Return an existing session id, or create one (also for an id we do not know)."""
        if session_id and not (len(session_id) <= 64 and session_id.replace("-", "").isalnum()):
            raise InputError("会话编号格式不正确：应为不超过64位的字母、数字或连字符")
        now = time.time()
        with self._connection(write=True) as conn:
            if (
                session_id
                and conn.execute(
                    sa.select(sessions_table.c.id).where(sessions_table.c.id == session_id)
                ).first()
            ):
                return session_id
            new_id = session_id or uuid.uuid4().hex
            try:
                with conn.begin_nested():
                    conn.execute(sessions_table.insert().values(id=new_id, created=now, updated=now))
            except IntegrityError:  # another host created the same id a moment ago
                pass
            return new_id

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
        with self._connection(write=True) as conn:
            if self._lock_session(conn, session_id) is None:
                raise NotFoundError(f"会话 {session_id} 不存在")
            self._append(conn, session_id, [(role, content)])
            conn.execute(
                sessions_table.update().where(sessions_table.c.id == session_id).values(updated=time.time())
            )

    def history(self, session_id: str, budget_chars: int = 4000) -> list[Message]:
        """The most recent messages whose total length fits the budget, oldest first."""
        with self._connection() as conn:
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
        with self._connection() as conn:
            return int(conn.execute(query).scalar_one())

    def profile(self, session_id: str) -> dict[str, Any]:
        with self._connection() as conn:
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

    def update_profile(self, session_id: str, facts: dict[str, Any]) -> dict[str, Any]:
        """Merge newly gathered facts into the stored profile and return the result."""
        with self._connection(write=True) as conn:
            base = self._lock_session(conn, session_id)
            if base is None:
                return merge_profiles({}, facts)
            return self._save_profile(conn, session_id, base, facts)

    def facts(self, session_id: str) -> list[dict[str, Any]]:
        """The facts understood so far in the session, each with the words it came from,
        oldest statement first."""
        with self._connection() as conn:
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

    def update_facts(self, session_id: str, facts: Sequence[dict[str, Any]]) -> None:
        """Record facts (one per field: a later statement replaces the earlier one)."""
        with self._connection(write=True) as conn:
            self._save_facts(conn, session_id, facts)

    def record_turn(
        self,
        session_id: str,
        question: str,
        text: str,
        profile: dict[str, Any],
        record: AnswerRecord,
        facts: Sequence[dict[str, Any]] = (),
    ) -> None:
        """The whole turn in one transaction: both messages, the merged profile, the facts
        understood and the log row."""
        with self._connection(write=True) as conn:
            base = self._lock_session(conn, session_id)
            if base is None:
                raise NotFoundError(f"会话 {session_id} 不存在")
            self._append(conn, session_id, [("user", question), ("assistant", text)])
            if profile:
                self._save_profile(conn, session_id, base, profile)
            else:
                conn.execute(
                    sessions_table.update()
                    .where(sessions_table.c.id == session_id)
                    .values(updated=time.time())
                )
            self._save_facts(conn, session_id, facts)
            self._insert_answer(conn, record)

    # -- answer log and feedback ----------------------------------------------------------------

    @staticmethod
    def _insert_answer(conn: Connection, record: AnswerRecord) -> None:
        conn.execute(
            answers_table.insert().values(
                answer_id=record.answer_id,
                session_id=record.session_id,
                question=record.question,
                lead=record.lead,
                answer=record.answer,
                citations=json.dumps(record.citations, ensure_ascii=False),
                mode=record.mode,
                intent=record.intent,
                edition=record.edition,
                latency_ms=round(record.latency_ms, 1),
                flags=json.dumps(record.flags, ensure_ascii=False),
                created=time.time(),
            )
        )

    def log_answer(self, record: AnswerRecord) -> None:
        """Add an answer to the log (a turn with a session goes through `record_turn`)."""
        with self._connection(write=True) as conn:
            self._insert_answer(conn, record)

    def answer_exists(self, answer_id: str) -> bool:
        with self._connection() as conn:
            return (
                conn.execute(
                    sa.select(answers_table.c.answer_id).where(answers_table.c.answer_id == answer_id)
                ).first()
                is not None
            )

    def answer(self, answer_id: str) -> dict[str, Any] | None:
        """One logged answer with its feedback (one entry per key), or None."""
        with self._connection() as conn:
            row = conn.execute(sa.select(answers_table).where(answers_table.c.answer_id == answer_id)).first()
            if row is None:
                return None
            votes = conn.execute(
                sa.select(feedback_table.c.key, feedback_table.c.rating, feedback_table.c.comment)
                .where(feedback_table.c.answer_id == answer_id)
                .order_by(feedback_table.c.id)
            ).all()
        out = dict(row._mapping)
        out["citations"] = json.loads(out["citations"])
        out["flags"] = json.loads(out["flags"])
        out["feedback"] = [{"key": k, "rating": r, "comment": c} for k, r, c in votes]
        return out

    def recent_answers(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._connection() as conn:
            ids = conn.execute(
                sa.select(answers_table.c.answer_id).order_by(answers_table.c.created.desc()).limit(limit)
            ).scalars()
            wanted = list(ids)
        return [a for a in (self.answer(i) for i in wanted) if a is not None]

    def add_feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per (answer, key): a second vote replaces the first. Unknown answer → 404."""
        key = key or "anonymous"
        now = time.time()
        for _attempt in range(2):
            with self._connection(write=True) as conn:
                if (
                    conn.execute(
                        sa.select(answers_table.c.answer_id).where(answers_table.c.answer_id == answer_id)
                    ).first()
                    is None
                ):
                    raise NotFoundError(f"没有编号为 {answer_id} 的回答，无法提交反馈")
                existing = conn.execute(
                    sa.select(feedback_table.c.id).where(
                        feedback_table.c.answer_id == answer_id, feedback_table.c.key == key
                    )
                ).first()
                if existing is not None:
                    conn.execute(
                        feedback_table.update()
                        .where(feedback_table.c.id == existing[0])
                        .values(rating=rating, comment=comment, updated=now)
                    )
                    return int(existing[0])
                try:
                    with conn.begin_nested():
                        result = conn.execute(
                            feedback_table.insert().values(
                                answer_id=answer_id,
                                key=key,
                                rating=rating,
                                comment=comment,
                                created=now,
                                updated=now,
                            )
                        )
                    return int(result.inserted_primary_key[0])  # type: ignore[index]
                except IntegrityError:  # the same key voted on another host a moment ago
                    continue
        raise StoreUnavailableError(UNAVAILABLE)

    # -- the operator console: corpus changes, answers in a period, review marks ----------------

    def record_change(self, doc_id: str, action: str, who: str, detail: dict[str, Any]) -> int:
        """One change to the corpus (upload, replace, retire, reindex): who, when, what. The
        corpus generation moves on in the same transaction (every worker and host sharing this
        store then reloads its index, see `corpus_generation`); return the new generation."""
        now = time.time()
        with self._connection(write=True) as conn:
            conn.execute(
                corpus_changes_table.insert().values(
                    doc_id=doc_id,
                    action=action,
                    who=who,
                    detail=json.dumps(detail, ensure_ascii=False),
                    created=now,
                )
            )
            table = corpus_generation_table
            # An UPDATE of the one row, so two hosts changing the corpus at once queue on its lock.
            bumped = conn.execute(
                table.update().where(table.c.id == 1).values(generation=table.c.generation + 1, updated=now)
            )
            if bumped.rowcount == 0:
                conn.execute(table.insert().values(id=1, generation=1, updated=now))
            return int(conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar_one())

    def corpus_generation(self) -> int:
        """How many corpus changes the store has seen: one indexed single-row read, cheap enough
        for every worker to poll (the service does so at most every few seconds)."""
        table = corpus_generation_table
        with self._connection() as conn:
            value = conn.execute(sa.select(table.c.generation).where(table.c.id == 1)).scalar()
        return int(value or 0)

    def changes(self, doc_id: str | None = None, limit: int = 500) -> list[dict[str, Any]]:
        """Corpus changes, newest first."""
        query = sa.select(corpus_changes_table).order_by(corpus_changes_table.c.id.desc()).limit(limit)
        if doc_id is not None:
            query = query.where(corpus_changes_table.c.doc_id == doc_id)
        with self._connection() as conn:
            rows = conn.execute(query).all()
        out = []
        for row in rows:
            item = dict(row._mapping)
            item["detail"] = json.loads(item["detail"])
            out.append(item)
        return out

    def answers_between(
        self, since: float | None = None, until: float | None = None, limit: int = 20_000
    ) -> list[dict[str, Any]]:
        """Logged answers created in [since, until), newest first, each with its votes
        (`ratings`) and the operator's mark (`review`, or None)."""
        query = sa.select(answers_table).order_by(answers_table.c.created.desc()).limit(limit)
        if since is not None:
            query = query.where(answers_table.c.created >= since)
        if until is not None:
            query = query.where(answers_table.c.created < until)
        with self._connection() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query).all()]
            ids = [r["answer_id"] for r in rows]
            votes: dict[str, list[dict[str, Any]]] = {}
            marks: dict[str, dict[str, Any]] = {}
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for answer_id, rating, comment in conn.execute(
                    sa.select(feedback_table.c.answer_id, feedback_table.c.rating, feedback_table.c.comment)
                    .where(feedback_table.c.answer_id.in_(chunk))
                    .order_by(feedback_table.c.id)
                ):
                    votes.setdefault(answer_id, []).append({"rating": rating, "comment": comment})
                for mark in conn.execute(
                    sa.select(answer_reviews_table).where(answer_reviews_table.c.answer_id.in_(chunk))
                ):
                    marks[mark.answer_id] = dict(mark._mapping)
        for row in rows:
            row["citations"] = json.loads(row["citations"])
            row["flags"] = json.loads(row["flags"])
            row["ratings"] = votes.get(row["answer_id"], [])
            row["review"] = marks.get(row["answer_id"])
        return rows

    def mark_answer(self, answer_id: str, outcome: str, note: str, who: str) -> dict[str, Any]:
        """Record an operator's verdict on a logged answer (a later mark replaces it)."""
        now = time.time()
        with self._connection(write=True) as conn:
            if (
                conn.execute(
                    sa.select(answers_table.c.answer_id).where(answers_table.c.answer_id == answer_id)
                ).first()
                is None
            ):
                raise NotFoundError(f"没有编号为 {answer_id} 的回答，无法标注")
            conn.execute(answer_reviews_table.delete().where(answer_reviews_table.c.answer_id == answer_id))
            values = {"answer_id": answer_id, "outcome": outcome, "note": note, "who": who, "updated": now}
            conn.execute(answer_reviews_table.insert().values(**values))
        return values
