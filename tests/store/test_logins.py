"""The web page's login sessions in the store (assistant/store/logins.py), on SQLite and Postgres:
only the token's digest is stored, both expiries hold, logout and purge delete the row."""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

from assistant.store import Store, make_engine, token_digest

HOUR = 3600.0


def _rows(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM logins"))]
    engine.dispose()
    return rows


def test_the_store_holds_the_tokens_digest_never_the_token(store_url: str) -> None:
    store = Store.open(store_url)
    token = store.logins.open("key-0123456789abcdef", True, 24 * HOUR, now=1000.0)
    assert len(token) >= 43  # token_urlsafe(32): 256 bits
    rows = _rows(store_url)
    assert len(rows) == 1 and token not in repr(rows)
    assert rows[0][0] == token_digest(token) == hashlib.sha256(token.encode()).hexdigest()
    login = store.logins.identify(token, 8 * HOUR, now=1001.0)
    assert login is not None and login.key_id == "key-0123456789abcdef" and login.operator
    assert (login.created, login.last_used, login.expires) == (1000.0, 1000.0, 1000.0 + 24 * HOUR)
    assert (
        store.logins.identify(token_digest(token), 8 * HOUR, now=1001.0) is None
    )  # the digest opens nothing
    assert store.logins.identify("", 8 * HOUR) is None and store.logins.identify("x" * 500, 8 * HOUR) is None
    store.dispose()


def test_idle_and_absolute_expiry_and_touch(store_url: str) -> None:
    store = Store.open(store_url)
    idle = 8 * HOUR
    token = store.logins.open("key-a", False, 24 * HOUR, now=0.0)
    assert store.logins.identify(token, idle, now=idle - 1) is not None
    store.logins.touch(token, now=idle - 1)  # used: the idle timeout counts from here
    assert store.logins.identify(token, idle, now=2 * idle - 2) is not None
    store.logins.touch(token, now=23 * HOUR)
    assert store.logins.identify(token, idle, now=24 * HOUR) is None  # the absolute end, however busy
    assert store.logins.count() == 0  # an expired session is deleted when it is found

    idle_one = store.logins.open("key-b", False, 24 * HOUR, now=0.0)
    assert store.logins.identify(idle_one, idle, now=idle) is None  # eight hours unused
    store.dispose()


def test_close_and_purge(store_url: str) -> None:
    store = Store.open(store_url)
    kept = store.logins.open("key-a", False, 24 * HOUR, now=100.0)
    closed = store.logins.open("key-a", False, 24 * HOUR, now=100.0)
    store.logins.open("key-b", True, 24 * HOUR, now=0.0)  # idle since 0
    store.logins.open("key-c", True, 1.0, now=100.0)  # past its absolute end at 101
    assert store.logins.close(closed) and not store.logins.close(closed)
    assert store.logins.identify(closed, 8 * HOUR, now=101.0) is None
    assert store.logins.purge_expired(150.0, now=160.0) == 2
    assert store.logins.count() == 1 and store.logins.identify(kept, 150.0, now=160.0) is not None
    store.dispose()
