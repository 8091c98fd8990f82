"""Client-side deadlines for the store's calls on its database.

A server that stops answering while its kernel still acknowledges TCP (a frozen — SIGSTOPped —
or wedged Postgres, a backend stuck on its disk) defeats every guard the server or TCP offers:
`statement_timeout` runs inside the frozen server, keepalive probes are acknowledged by its
kernel, and psycopg (sync) waits on the socket for ever. So the client keeps its own clock:

- `Watchdog` holds the deadline of each call in progress (per thread) and the DBAPI connections
  the call has checked out of the pool. When a deadline passes it shuts those connections'
  sockets down (an SQLite connection is interrupted instead), so the blocked read fails at once,
  the pool drops the connection, and the call's transaction is never committed.
- `Bounded` runs a call in a helper thread and waits for it at most its deadline, so a caller is
  answered in time even while the call is still connecting (a connect is bounded only by the
  driver's connect timeout, at least 2 s with libpq).

database.py wires both into the engine (pool checkout/checkin events) and `Database.connection`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import math
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from assistant.errors import StoreUnavailableError

log = logging.getLogger("assistant.store")

T = TypeVar("T")

NO_ANSWER = "会话数据库暂时没有响应，本次会话无法读取或保存；不带会话的提问仍可正常回答，请稍后重试。"
#: How long past its deadline a caller of `Bounded.run` waits for the aborted call to report why.
ABORT_GRACE = 0.1


class Deadline:
    """One call's deadline (a `time.monotonic` instant) and the connections it holds."""

    __slots__ = ("connections", "expired", "expires")

    def __init__(self, expires: float) -> None:
        self.expires = expires
        self.expired = False
        self.connections: list[Any] = []


def abort(dbapi_connection: Any) -> None:
    """Make whatever this DBAPI connection is blocked on fail now.

    psycopg: shut the socket down (on a duplicate of its descriptor, so psycopg still owns and
    closes the original); the pending read sees end-of-file and raises OperationalError.
    sqlite3: `interrupt()`, which SQLite allows from another thread."""
    interrupt = getattr(dbapi_connection, "interrupt", None)
    if interrupt is not None:
        with contextlib.suppress(Exception):  # closed meanwhile: nothing is waiting on it
            interrupt()
        return
    try:
        duplicate = os.dup(dbapi_connection.fileno())
    except Exception:  # already closed: nothing is waiting on it
        return
    try:
        sock = socket.socket(fileno=duplicate)
    except OSError:
        os.close(duplicate)
        return
    with sock, contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class Watchdog:
    """Aborts the connections of calls that outlive their deadline (one daemon thread, started
    on first use, asleep while no deadline is pending)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: set[Deadline] = set()
        self._wake_at = math.inf
        self._local = threading.local()
        self._thread: threading.Thread | None = None
        self.aborted = 0  # connections aborted so far (for tests and logs)

    def current(self) -> Deadline | None:
        """The deadline of the call this thread is in, if any."""
        return getattr(self._local, "deadline", None)

    @contextlib.contextmanager
    def watch(self, seconds: float | None) -> Iterator[Deadline | None]:
        """The block gets `seconds` (None: no deadline of its own); an enclosing deadline that
        ends sooner still applies."""
        outer = self.current()
        if seconds is None:
            yield outer
            return
        expires = self._clock() + seconds
        if outer is not None and outer.expires <= expires:
            yield outer
            return
        deadline = Deadline(expires)
        with self._cond:
            self._pending.add(deadline)
            if expires < self._wake_at:
                self._wake_at = expires
                self._start()
                self._cond.notify()
        self._local.deadline = deadline
        try:
            yield deadline
        finally:
            self._local.deadline = outer
            with self._cond:
                self._pending.discard(deadline)

    def attach(self, dbapi_connection: Any) -> Deadline | None:
        """Watch a connection just checked out by this thread; its deadline (None when it has
        none, or when it has passed already: the caller checks `expired`)."""
        deadline = self.current()
        if deadline is None:
            return None
        with self._cond:
            if deadline.expired:
                return None
            deadline.connections.append(dbapi_connection)
        return deadline

    def detach(self, deadline: Deadline, dbapi_connection: Any) -> None:
        """The connection went back to the pool: the deadline no longer concerns it."""
        with self._cond:
            if dbapi_connection in deadline.connections:
                deadline.connections.remove(dbapi_connection)

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="store-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._cond:
            while True:
                now = self._clock()
                for deadline in [d for d in self._pending if d.expires <= now]:
                    self._pending.discard(deadline)
                    deadline.expired = True
                    for connection in deadline.connections:
                        self.aborted += 1
                        abort(connection)
                    deadline.connections.clear()
                self._wake_at = min((d.expires for d in self._pending), default=math.inf)
                self._cond.wait(None if self._wake_at == math.inf else self._wake_at - now)


class Bounded:
    """Runs calls on the database in helper threads, answering each caller by its deadline."""

    def __init__(self, watchdog: Watchdog, workers: int = 8) -> None:
        self._watchdog = watchdog
        self._workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def run(self, seconds: float, work: Callable[..., T], *args: Any) -> T:
        """`work(*args)` under a deadline of `seconds`: its result, or StoreUnavailableError when
        the database does not answer in time (the call is then aborted, never committed)."""
        expires = time.monotonic() + seconds

        def call() -> T:
            remaining = expires - time.monotonic()
            if remaining <= 0:  # queued behind stuck calls: do not start what nobody awaits
                raise StoreUnavailableError(NO_ANSWER)
            with self._watchdog.watch(remaining):
                return work(*args)

        context = contextvars.copy_context()  # the request id follows into the log lines
        future = self._pool().submit(context.run, call)
        try:
            return future.result(timeout=seconds + ABORT_GRACE)
        except FutureTimeout:
            future.cancel()
            raise StoreUnavailableError(NO_ANSWER) from None

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(self._workers, thread_name_prefix="store-bounded")
            return self._executor

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=False, cancel_futures=True)
                self._executor = None
