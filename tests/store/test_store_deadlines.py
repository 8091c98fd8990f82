"""The store's time bounds (the settings reach libpq; a transaction past its deadline is never
committed) and sessions made in memory, created in the transaction of their first turn. On both
engines where it matters (store_url: SQLite and a real Postgres, tests/servers.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.config import Settings
from assistant.errors import NotFoundError, StoreUnavailableError
from assistant.store import Store, StoreTimeouts, TurnWrite, make_engine, upgrade
from assistant.store.database import postgres_connect_args
from assistant.store.schema import sessions_table
from tests.servers import PostgresServer
from tests.store.test_store import record


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


def test_a_session_made_in_memory_is_created_with_its_first_turn(store_url: str) -> None:
    store = Store.open(store_url)
    session = store.sessions.new_id()
    assert len(session) == 32 and session != store.sessions.new_id()
    with pytest.raises(NotFoundError):
        store.sessions.open(session, "key-aaaaaaaaaaaaaaaa")  # nothing written yet
    fact = {"field": "enterprise.province", "value": "内蒙古自治区", "said": "内蒙古"}
    store.sessions.record_first_turn(
        session,
        "key-aaaaaaaaaaaaaaaa",
        TurnWrite(
            "我们在内蒙古",
            "好的",
            {"enterprise": {"province": "内蒙古自治区"}},
            record("first1", session),
            [fact],
        ),
        within=5.0,
    )
    assert store.sessions.open(session, "key-aaaaaaaaaaaaaaaa") == session  # bound to its owner
    with pytest.raises(NotFoundError):
        store.sessions.open(session, "key-bbbbbbbbbbbbbbbb")
    loaded = store.sessions.load(session, "key-aaaaaaaaaaaaaaaa", within=5.0)
    assert loaded.profile == {"enterprise": {"province": "内蒙古自治区"}} and loaded.facts == [fact]
    assert [m.content for m in store.sessions.history(session)] == ["我们在内蒙古", "好的"]
    logged = store.answers.get("first1")
    assert logged is not None and logged["session_id"] == session

    # One transaction: when the turn cannot be written (its answer id is taken), neither is the session.
    other = store.sessions.new_id()
    with pytest.raises(sa.exc.IntegrityError):
        store.sessions.record_first_turn(
            other, "key-aaaaaaaaaaaaaaaa", TurnWrite("问", "答", {}, record("first1", other))
        )
    with pytest.raises(NotFoundError):
        store.sessions.open(other, "key-aaaaaaaaaaaaaaaa")
    assert store.sessions.count_messages(other) == 0
    store.dispose()
