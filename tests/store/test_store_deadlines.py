"""The store's time bounds: the settings reach libpq, and a transaction past its deadline is
never committed (on SQLite, and on a real Postgres from tests/servers.py where a server is needed)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.config import Settings
from assistant.errors import NotFoundError, StoreUnavailableError
from assistant.store import Store, StoreTimeouts, make_engine, upgrade
from assistant.store.database import postgres_connect_args
from assistant.store.schema import sessions_table
from tests.servers import PostgresServer


def test_the_timeouts_are_read_from_the_settings() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_connect_timeout=4,
        database_statement_timeout=2.5,
        database_keepalive_seconds=6,
    )
    timeouts = StoreTimeouts.from_settings(settings)
    assert timeouts == StoreTimeouts(connect=4, statement=2.5, keepalive=6)
    assert timeouts.transaction == 3.5  # the client-side deadline: the server's own comes first
    assert postgres_connect_args(timeouts) == {
        "connect_timeout": 4,
        "options": "-c statement_timeout=2500",
        "keepalives": 1,
        "keepalives_idle": 6,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 6000,
    }
    # A URL's own options are kept; a statement timeout of 0 sets none (PgBouncer).
    assert postgres_connect_args(timeouts, "-c search_path=app")["options"] == (
        "-c search_path=app -c statement_timeout=2500"
    )
    off = StoreTimeouts(statement=0)
    assert "options" not in postgres_connect_args(off) and off.transaction is None
    assert StoreTimeouts.from_settings(Settings(_env_file=None)) == StoreTimeouts()  # type: ignore[call-arg]


@pytest.mark.servers
def test_the_timeouts_reach_the_server(postgres: PostgresServer) -> None:
    url = postgres.create_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=url,
        database_connect_timeout=4,
        database_statement_timeout=2.5,
        database_keepalive_seconds=6,
    )
    store = Store.from_settings(settings)
    try:
        with store.db.connection() as conn:
            assert conn.execute(sa.text("SHOW statement_timeout")).scalar() == "2500ms"
            params = conn.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
        assert params["connect_timeout"] == "4"
        assert (params["keepalives"], params["keepalives_idle"], params["tcp_user_timeout"]) == (
            "1",
            "6",
            "6000",
        )
        with pytest.raises(StoreUnavailableError), store.db.connection() as conn:  # the server's own timeout
            conn.execute(sa.text("SELECT pg_sleep(5)"))
    finally:
        store.dispose()


def test_a_transaction_past_its_deadline_is_rolled_back(tmp_path: Path) -> None:
    """The caller was told the store did not answer: what the call wrote must not appear later."""
    store = Store.open(tmp_path / "s.db")
    session = "late-write-1"

    def slow_write() -> None:
        with store.db.connection(write=True) as conn:
            conn.execute(sessions_table.insert().values(id=session, owner="a", created=0.0, updated=0.0))
            time.sleep(0.5)

    started = time.monotonic()
    with pytest.raises(StoreUnavailableError) as raised:
        store.db.within(0.2, slow_write)
    assert time.monotonic() - started < 0.45  # answered at the deadline, not when the work ended
    assert "没有响应" in raised.value.message
    time.sleep(0.5)  # the helper thread reaches its commit, finds the deadline passed, rolls back
    with pytest.raises(NotFoundError):
        store.sessions.open(session, "a")
    store.dispose()
