"""The store's database: engine, migrations and the connection every query runs in.

One SQLAlchemy 2 engine with pooled connections. An SQLite file under data/ by default (embedded:
its schema is brought up to date on first use), or Postgres when several hosts serve
(`ASSISTANT_DATABASE_URL=postgresql+psycopg://...`): then the schema is changed only by
`assistant db upgrade`, and a service finding it behind refuses to start and says so. Apart from
the queries (sessions, answer_log, change_log) because how to connect, migrate and report an
unreachable database is one concern, shared by all of them: each of those holds a `Database`.

On a server database every call is bounded in time (`StoreTimeouts`): connecting, each
statement (server side), idle connections (TCP keepalive) and, client side, each transaction as a
whole (deadline.py), so a database that hangs costs a request seconds, never the worker."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlalchemy.exc import OperationalError

from assistant.config import Settings
from assistant.errors import StoreSchemaError, StoreUnavailableError
from assistant.store.deadline import NO_ANSWER, Bounded, Deadline, Watchdog

T = TypeVar("T")

log = logging.getLogger("assistant.store")

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
UPGRADE_HINT = "请先运行 `assistant db upgrade` 升级数据库结构，再启动服务"


UNAVAILABLE = "会话数据库暂时无法连接，本次会话无法读取或保存；不带会话的提问仍可正常回答，请稍后重试。"
POOL_EXHAUSTED = "会话数据库连接已满，本次会话无法读取或保存；不带会话的提问仍可正常回答，请稍后重试。"
#: Client-side slack over the server's statement_timeout: the server's own, clearer error should
#: come first whenever the server is alive to send it.
TRANSACTION_GRACE = 1.0


@dataclass(frozen=True)
class StoreTimeouts:
    """How long the store waits on a server database (Postgres). The defaults are those of
    `Settings` (ASSISTANT_DATABASE_*; docs/operations.md explains each).

    SQLite, a local file, takes none of them: its writers queue on the file lock instead."""

    connect: float = 3.0
    statement: float = 5.0
    keepalive: int = 10

    @classmethod
    def from_settings(cls, settings: Settings) -> StoreTimeouts:
        return cls(
            connect=settings.database_connect_timeout,
            statement=settings.database_statement_timeout,
            keepalive=settings.database_keepalive_seconds,
        )

    @property
    def transaction(self) -> float | None:
        """The client-side deadline of one transaction (None: unbounded, statement timeout off)."""
        return self.statement + TRANSACTION_GRACE if self.statement > 0 else None


def postgres_connect_args(timeouts: StoreTimeouts, options: str | None = None) -> dict[str, Any]:
    """libpq parameters for psycopg 3: connect timeout (libpq's minimum is 2 s), the server-side
    statement timeout (added to any `options` the URL gives), TCP keepalive on idle connections
    and tcp_user_timeout for data the peer never acknowledges (a dead host, a cut link)."""
    keepalive = max(1, timeouts.keepalive)
    args: dict[str, Any] = {
        "connect_timeout": max(2, round(timeouts.connect)),
        "keepalives": 1,
        "keepalives_idle": keepalive,
        "keepalives_interval": max(1, keepalive // 3),
        "keepalives_count": 3,
        "tcp_user_timeout": keepalive * 1000,
    }
    if timeouts.statement > 0:
        statement = f"-c statement_timeout={round(timeouts.statement * 1000)}"
        options = f"{options} {statement}" if options else statement
    if options:
        args["options"] = options
    return args


def make_engine(url: str, timeouts: StoreTimeouts | None = None, watchdog: Watchdog | None = None) -> Engine:
    """A pooled engine. Postgres: the `timeouts` (defaults when None) as libpq parameters, so a
    dead or hung server fails fast instead of holding the request, and a pre-ping, so a restarted
    server costs one retry, not a restart of the app. SQLite: WAL and `BEGIN IMMEDIATE` for
    writes, so concurrent turns queue instead of failing. With a `watchdog`, every connection
    checked out is watched by the deadline of the call taking it (see `watch_pool`)."""
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

        if watchdog is not None:
            watch_pool(engine, watchdog, ping=False)
        return engine
    timeouts = timeouts or StoreTimeouts()
    connect_args: dict[str, Any] = {}
    if url.startswith("postgresql"):
        options = sa.engine.make_url(url).query.get("options")
        connect_args = postgres_connect_args(timeouts, options if isinstance(options, str) else None)
    engine = sa.create_engine(
        url,
        pool_pre_ping=watchdog is None,  # else watch_pool pings, under the call's deadline
        pool_size=5,
        max_overflow=10,
        pool_timeout=max(1.0, timeouts.statement) if timeouts.statement > 0 else 10,
        pool_recycle=1800,
        connect_args=connect_args,
    )
    if watchdog is not None:
        watch_pool(engine, watchdog, ping=True)
    return engine


def watch_pool(engine: Engine, watchdog: Watchdog, *, ping: bool) -> None:
    """Put each connection checked out under the deadline of the call taking it, and release it
    when it is checked in.

    With `ping`, a pooled connection is pinged on checkout, as SQLAlchemy's pre-ping would, but
    after it is watched: the pre-ping runs before any checkout event, so on a frozen server it
    would wait beyond the reach of the deadline. A ping that fails on a live deadline is a
    disconnect (the pool reconnects once); one cut short by the deadline ends the call."""

    @sa.event.listens_for(engine, "connect")
    def _fresh(_dbapi_connection: Any, record: Any) -> None:
        record.info["fresh"] = True  # just connected: no need to ping

    @sa.event.listens_for(engine, "checkout")
    def _watch(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        deadline = watchdog.attach(dbapi_connection)
        if deadline is not None:
            record.info["deadline"] = deadline
        elif (current := watchdog.current()) is not None and current.expired:
            return  # too late already: Database.connection ends the call, the connection stays pooled
        if not ping or record.info.pop("fresh", False):
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            if deadline is not None and deadline.expired:
                raise StoreUnavailableError(NO_ANSWER) from exc
            raise sa.exc.DisconnectionError(str(exc)) from exc

    @sa.event.listens_for(engine, "checkin")
    def _release(dbapi_connection: Any, record: Any) -> None:
        deadline: Deadline | None = record.info.pop("deadline", None)
        if deadline is not None:
            watchdog.detach(deadline, dbapi_connection)


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
    defaults to True for SQLite (embedded) and False for a server database. `timeouts` bound
    every call on a server database (defaults when None); `within` bounds one call more tightly.
    """

    def __init__(
        self,
        target: str | Path,
        *,
        auto_upgrade: bool | None = None,
        timeouts: StoreTimeouts | None = None,
    ) -> None:
        url = target if isinstance(target, str) else f"sqlite:///{target}"
        self.url = url
        self.timeouts = timeouts or StoreTimeouts()
        self.watchdog = Watchdog()
        self._bounded = Bounded(self.watchdog)
        self.engine = make_engine(url, self.timeouts, self.watchdog)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.auto_upgrade = self.is_sqlite if auto_upgrade is None else auto_upgrade
        #: Each transaction's client-side deadline: a server database only (SQLite's writers queue).
        self.transaction_deadline = None if self.is_sqlite else self.timeouts.transaction
        self._checked = False
        self._check_lock = threading.Lock()
        try:
            with self.watchdog.watch(self.transaction_deadline):
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

    def ping(self, within: float | None = None) -> None:
        """Raise StoreUnavailableError unless the database answers (for /readyz), within
        `within` seconds when given."""
        if within is not None:
            return self.within(within, self.ping)
        with self.connection() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None

    def within(self, seconds: float, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` (calls on this database) answered within `seconds`: past them the call
        is aborted and rolled back, and StoreUnavailableError raised (deadline.Bounded)."""
        return self._bounded.run(seconds, work, *args)

    def dispose(self) -> None:
        self._bounded.close()
        self.engine.dispose()

    @contextmanager
    def connection(self, *, write: bool = False) -> Iterator[Connection]:
        """A pooled connection in one transaction; database failures become StoreUnavailableError.

        The transaction runs under the call's deadline (the enclosing `within`, else
        `transaction_deadline`): one that outlives it is aborted and never committed."""
        with self.watchdog.watch(self.transaction_deadline) as deadline:
            try:
                self.ensure_schema()
                with self.engine.connect() as conn:
                    _in_time(deadline)
                    if write and self.is_sqlite:
                        conn = conn.execution_options(immediate=True)
                    with conn.begin():
                        yield conn
                        _in_time(deadline)  # past it: roll back, the caller has been told so
            except sa.exc.DBAPIError as exc:
                if deadline is not None and deadline.expired:
                    raise StoreUnavailableError(NO_ANSWER) from exc
                if _unavailable(exc):
                    raise StoreUnavailableError(UNAVAILABLE) from exc
                raise
            except sa.exc.TimeoutError as exc:  # no pooled connection came free in time
                raise StoreUnavailableError(POOL_EXHAUSTED) from exc


def _in_time(deadline: Deadline | None) -> None:
    if deadline is not None and deadline.expired:
        raise StoreUnavailableError(NO_ANSWER)


#: `assistant db upgrade` and `db current`: a migration may rewrite a large table, so no
#: statement timeout (the connect and keepalive bounds stay).
MIGRATION_TIMEOUTS = StoreTimeouts(statement=0)


def schema_revisions(url: str) -> tuple[str | None, str]:
    """The database's schema revision (None: empty) and the one this code needs."""
    engine = make_engine(url, MIGRATION_TIMEOUTS)
    try:
        return current_revision(engine), head_revision()
    finally:
        engine.dispose()


def upgrade_schema(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Upgrade the database at `url` to `revision`; the revisions before and after."""
    engine = make_engine(url, MIGRATION_TIMEOUTS)
    try:
        before = current_revision(engine)
        return before, upgrade(engine, revision)
    finally:
        engine.dispose()
