"""One lock for corpus changes, over the workers of a host and over hosts.

An upload, replacement, retirement or re-index reads the corpus, builds the next index beside
the live one and commits; two at once would each build on a corpus the other is about to
change, and both would be recorded. So a change holds this lock from before it reads the corpus
until after it commits. It lives in the store because the store is what every worker and host
sharing a change log already shares, and the console then need not know which database it is:

- **Postgres** (several hosts): a transaction-level advisory lock (``pg_advisory_xact_lock``)
  in a transaction held open, on a connection of its own outside the pool, for the whole
  change. Its own connection because the change runs several transactions of its own on
  pooled connections that go back to the pool between them; transaction-level, not
  session-level, because behind PgBouncer's transaction pooling a session lock would stay on a
  server connection PgBouncer hands to someone else, while an open transaction keeps its server
  connection. The transaction takes no snapshot past its one statement and writes nothing, so
  holding it open costs Postgres nothing (it sets ``idle_in_transaction_session_timeout`` off
  for itself). The lock goes with the transaction: a worker killed mid-change releases it when
  its connection closes, and the server's TCP keepalive (set on this connection) drops the
  connection of a host that vanished.
- **SQLite** (one host): ``fcntl.flock`` on a file beside the database file. A flock belongs to
  the open file, so two workers, and two threads of one worker, exclude each other; the kernel
  releases it when the process dies. An in-memory database is one process: a thread lock.

Both wait at most ``wait`` seconds, and wait where the lock is kept (Postgres' lock queue, the
kernel), so waiters are served as the lock comes free, not when a poll happens to come round.
Past the wait: CorpusBusyError (409 corpus_busy), nothing changed.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from assistant.errors import CorpusBusyError, StoreUnavailableError
from assistant.store.database import UNAVAILABLE, Database, postgres_connect_args

#: The advisory lock's key: the first 8 bytes of a hash of a fixed name (advisory locks are
#: per database, so two deployments on one Postgres server do not share it).
CORPUS_LOCK_KEY = int.from_bytes(
    hashlib.blake2b(b"assistant.corpus", digest_size=8).digest(), "big", signed=True
)
BUSY = "另一位运维人员正在修改文件库，请稍后重试（已等待 {seconds} 秒；本次修改未执行，文件库未改动）"
#: SQLSTATEs of a lock wait that ran out (lock_timeout) or a statement cut short.
LOCK_NOT_AVAILABLE, QUERY_CANCELED = "55P03", "57014"

_memory_lock = threading.Lock()


def _busy(wait: float) -> CorpusBusyError:
    return CorpusBusyError(BUSY.format(seconds=f"{wait:g}"))


@contextlib.contextmanager
def corpus_lock(db: Database, wait: float) -> Iterator[None]:
    """Hold the corpus lock of `db`'s deployment for the block (see the module docstring)."""
    if not db.is_sqlite:
        with _advisory_lock(db, wait):
            yield
    elif db.path is None:
        if not _memory_lock.acquire(timeout=max(0.0, wait)):
            raise _busy(wait)
        try:
            yield
        finally:
            _memory_lock.release()
    else:
        with _file_lock(db.path.with_name(db.path.name + ".corpus-lock"), wait):
            yield


class _Waiter(threading.Thread):
    """Waits in the kernel for an flock on `fd` (woken as soon as the holder lets go). If its
    caller gives up first, the waiter owns `fd` from then on and closes it, releasing the
    lock, once it gets it."""

    def __init__(self, fd: int) -> None:
        super().__init__(name="corpus-lock-waiter", daemon=True)
        self.fd = fd
        self.got = threading.Event()
        self._guard = threading.Lock()
        self._abandoned = False

    def run(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        with self._guard:
            if self._abandoned:
                os.close(self.fd)
            else:
                self.got.set()

    def abandon(self) -> bool:
        """Give up; False when the lock came meanwhile (the caller holds it after all)."""
        with self._guard:
            if self.got.is_set():
                return False
            self._abandoned = True
            return True


@contextlib.contextmanager
def _file_lock(path: Path, wait: float) -> Iterator[None]:
    """flock, waited for in the kernel rather than by polling: a worker that takes the lock
    again the moment it lets go (an operator's next change) would otherwise starve the others."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if wait <= 0:
            os.close(fd)
            raise _busy(wait) from None
        waiter = _Waiter(fd)
        waiter.start()
        if not waiter.got.wait(wait) and waiter.abandon():
            raise _busy(wait) from None  # the waiter closes fd
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock_connection(db: Database) -> Connection:
    """A connection of its own (no pool) whose server drops it soon after its client vanishes:
    TCP keepalive on both ends, from the store's timeouts."""
    url = sa.engine.make_url(db.url)
    keepalive = max(1, db.timeouts.keepalive)
    server_keepalive = (
        f"-c tcp_keepalives_idle={keepalive} -c tcp_keepalives_interval={max(1, keepalive // 3)} "
        "-c tcp_keepalives_count=3"
    )
    options = url.query.get("options")
    args: dict[str, Any] = postgres_connect_args(db.timeouts, options if isinstance(options, str) else None)
    args["options"] = f"{args.get('options', '')} {server_keepalive}".strip()
    engine = sa.create_engine(url, poolclass=NullPool, connect_args=args)
    try:
        return engine.connect()
    except sa.exc.DBAPIError as exc:
        raise StoreUnavailableError(UNAVAILABLE) from exc
    finally:
        engine.dispose()  # NullPool: the connection lives on until closed


def _take(conn: Connection, wait: float) -> bool:
    """Take the lock in `conn`'s open transaction, waiting at most `wait` seconds in Postgres'
    lock queue (waiters are served in order, so one that polled could be starved)."""
    key = {"key": CORPUS_LOCK_KEY}
    conn.execute(sa.text("SET LOCAL idle_in_transaction_session_timeout = 0"))
    if wait <= 0:
        return bool(conn.execute(sa.text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar())
    milliseconds = max(1, round(wait * 1000))
    conn.execute(sa.text(f"SET LOCAL lock_timeout = {milliseconds}"))
    conn.execute(sa.text(f"SET LOCAL statement_timeout = {milliseconds + 5000}"))
    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), key)
    return True


@contextlib.contextmanager
def _advisory_lock(db: Database, wait: float) -> Iterator[None]:
    conn = _lock_connection(db)
    try:
        transaction = conn.begin()
        try:
            held = _take(conn, wait)
        except sa.exc.DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) in (LOCK_NOT_AVAILABLE, QUERY_CANCELED):
                raise _busy(wait) from exc
            raise StoreUnavailableError(UNAVAILABLE) from exc
        if not held:
            raise _busy(wait)
        yield
        with contextlib.suppress(Exception):  # closing the connection releases it anyway
            transaction.rollback()  # ends the transaction: releases the lock
    finally:
        with contextlib.suppress(Exception):
            conn.close()
