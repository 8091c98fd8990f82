"""Store.corpus_lock: one corpus change at a time over the workers of a host (a file lock beside
the SQLite file) and over hosts (a Postgres advisory lock on a connection of its own), a bounded
wait ending in the Chinese "busy" error, and no lock left behind by a process killed holding it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from assistant.config import REPO_ROOT
from assistant.errors import CorpusBusyError
from assistant.store import Store

BUSY = "另一位运维人员正在修改文件库，请稍后重试"

HOLDER = """
import sys, time
from assistant.store import Store
with Store.open(sys.argv[1]).corpus_lock(wait=5):
    print("held", flush=True)
    time.sleep(600)
"""


def test_two_workers_take_turns(store_url: str) -> None:
    """Two stores over one database (two workers' pools): the second waits for the first."""
    first, second = Store.open(store_url), Store.open(store_url)
    order: list[str] = []
    inside = threading.Event()

    def hold() -> None:
        with first.corpus_lock(wait=5):
            inside.set()
            time.sleep(0.5)
            order.append("first out")

    thread = threading.Thread(target=hold)
    try:
        thread.start()
        assert inside.wait(10)
        with second.corpus_lock(wait=10):
            order.append("second in")
        thread.join(10)
        assert order == ["first out", "second in"]
        with first.corpus_lock(wait=0), second.changes.db.connection() as conn:  # free again
            assert conn is not None
    finally:
        first.dispose()
        second.dispose()


def test_busy_after_the_wait_in_chinese(store_url: str) -> None:
    first, second = Store.open(store_url), Store.open(store_url)
    try:
        with first.corpus_lock(wait=0):
            started = time.monotonic()
            with pytest.raises(CorpusBusyError, match=BUSY) as caught, second.corpus_lock(wait=0.3):
                pass
            assert 0.25 < time.monotonic() - started < 3
            assert caught.value.status_code == 409 and caught.value.code == "corpus_busy"
            assert "文件库未改动" in caught.value.message
    finally:
        first.dispose()
        second.dispose()


def test_the_lock_dies_with_the_process_holding_it(store_url: str) -> None:
    """A worker killed mid-change (kill -9) does not leave the library locked: the file lock
    and the advisory lock both go with the process (its file descriptor, its connection)."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url], stdout=subprocess.PIPE, env=env, cwd=REPO_ROOT
    )
    store = Store.open(store_url)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"held"
        with pytest.raises(CorpusBusyError, match=BUSY), store.corpus_lock(wait=0.3):
            pass
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(10)
        started = time.monotonic()
        with store.corpus_lock(wait=10):
            assert time.monotonic() - started < 5
    finally:
        if holder.poll() is None:
            holder.kill()
        store.dispose()


def test_a_waiter_is_not_starved_by_a_worker_taking_the_lock_again_at_once(store_url: str) -> None:
    """An operator whose changes follow each other back to back lets go and takes the lock
    again within microseconds; another worker waiting for it still gets its turn at the next
    release (waiting in the lock's own queue, not by polling), well within its wait."""
    first, second = Store.open(store_url), Store.open(store_url)
    stop = threading.Event()
    holding = threading.Event()

    def back_to_back() -> None:
        while not stop.is_set():
            with first.corpus_lock(wait=10):
                holding.set()
                time.sleep(0.1)

    thread = threading.Thread(target=back_to_back)
    try:
        thread.start()
        assert holding.wait(10)
        started = time.monotonic()
        with second.corpus_lock(wait=3):
            waited = time.monotonic() - started
        assert waited < 1.0
    finally:
        stop.set()
        thread.join(10)
        first.dispose()
        second.dispose()
