"""The service's login sessions (assistant/service/logins.py) over a real SQLite store: timeouts
from the settings, a per-worker cache that a logout elsewhere outlives by at most its few
seconds, and last use written once a minute, not on every request."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.service import LoginSessions
from assistant.store import Store

HOUR = 3600.0


class Clock:
    """Seconds since the epoch that a test moves on."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def sessions(store: Store, clock: Clock | None = None, **settings: Any) -> LoginSessions:
    return LoginSessions(Settings(_env_file=None, **settings), store.logins, clock or time.time)  # type: ignore[call-arg]


def test_timeouts_come_from_the_settings(tmp_path: Path) -> None:
    clock = Clock()
    logins = sessions(Store.open(tmp_path / "s.db"), clock, login_idle_hours=1, login_max_hours=2)
    token = logins.open("key-a", False)
    clock.now += HOUR - 1
    assert logins.identify(token) is not None  # used: idle counts again from here
    clock.now += HOUR - 1
    assert logins.identify(token) is not None
    clock.now += 2  # two hours after the login
    assert logins.identify(token) is None

    idle = logins.open("key-a", False)
    clock.now += HOUR
    assert logins.identify(idle) is None
    assert logins.identify(None) is None and logins.identify("") is None


def test_last_use_is_written_once_a_minute_not_per_request(tmp_path: Path) -> None:
    clock = Clock()
    store = Store.open(tmp_path / "s.db")
    logins = sessions(store, clock, login_cache_seconds=0)
    token = logins.open("key-a", False)
    opened = clock.now
    clock.now += 30
    logins.identify(token)
    assert store.logins.get(token).last_used == opened  # type: ignore[union-attr]
    clock.now += 31
    logins.identify(token)
    assert store.logins.get(token).last_used == clock.now  # type: ignore[union-attr]


def test_a_logout_on_one_worker_ends_the_session_on_another_within_the_cache_time(tmp_path: Path) -> None:
    """Two workers: two services' login sessions over one SQLite file, each with its own cache."""
    path = tmp_path / "s.db"
    one = sessions(Store.open(path), login_cache_seconds=0.5)
    two = sessions(Store.open(path), login_cache_seconds=0.5)
    token = one.open("key-a", True)
    login = two.identify(token)
    assert login is not None and login.key_id == "key-a" and login.operator
    assert one.close(token)
    assert one.identify(token) is None  # at once where the logout happened
    time.sleep(0.6)
    assert two.identify(token) is None  # and once its cache has let go, on the other worker too

    uncached = sessions(Store.open(path), login_cache_seconds=0)
    token = one.open("key-a", False)
    assert uncached.identify(token) is not None
    one.close(token)
    assert uncached.identify(token) is None  # without a cache: at once everywhere


def test_opening_a_login_purges_the_expired_ones(tmp_path: Path) -> None:
    clock = Clock()
    store = Store.open(tmp_path / "s.db")
    logins = sessions(store, clock, login_idle_hours=1)
    logins.open("key-a", False)
    clock.now += 2 * HOUR
    logins.open("key-b", False)
    assert store.logins.count() == 1
