"""The store's database: engine, migrations and the connection every query runs in.

One SQLAlchemy 2 engine with pooled connections. An SQLite file under data/ by default (embedded:
its schema is brought up to date on first use), or Postgres when several hosts serve
(`ASSISTANT_DATABASE_URL=postgresql+psycopg://...`): then the schema is changed only by
`assistant db upgrade`, and a service finding it behind refuses to start and says so. Apart from
the queries (sessions, answer_log, change_log) because how to connect, migrate and report an
unreachable database is one concern, shared by all of them: each of those holds a `Database`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import OperationalError

from assistant.errors import StoreSchemaError, StoreUnavailableError

log = logging.getLogger("assistant.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "请先运行 `assistant db upgrade` 升级数据库结构，再启动服务"
UNAVAILABLE = "会话数据库暂时无法连接，本次会话无法读取或保存；不带会话的提问仍可正常回答，请稍后重试。"


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


class Database:
    """A database with its schema checked, and `connection` for the queries built on it.

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
        with self.connection() as conn:
            conn.execute(sa.text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
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


def schema_revisions(url: str) -> tuple[str | None, str]:
    """The database's schema revision (None: empty) and the one this code needs."""
    engine = make_engine(url)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()


def upgrade_schema(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at `url` to `revision`; the revisions before and after."""
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        return before, upgrade(engine, revision)
    finally:
        engine.dispose()
