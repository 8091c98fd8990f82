"""Fixtures the system tests share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers import PostgresServer, have_postgres


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A Postgres server of the test module's own (one per module): its tests stop, restart or
    freeze it, which a session-wide server shared with other modules must not suffer."""
    if not have_postgres():
        pytest.skip("Debian's postgresql is not installed")
    server = PostgresServer()
    yield server
    server.close()
