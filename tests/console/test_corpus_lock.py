"""One lock for corpus changes across workers and hosts: two uploads at once in two workers are
serialised (both recorded, in order, or the second told the clear Chinese "busy"), never both
applied over each other and never a 500. On SQLite a file lock beside the database (the workers
of one host), on Postgres an advisory lock (every host): both parametrised over `store_url`.

The workers are two services over one store and one corpus folder, each with its own pool, as
`assistant serve --workers 2` runs them. To make two uploads really overlap, reading the upload
(the first step of ingesting it) waits at a barrier until both have got there, or 2 s."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import assistant.knowledge.ingest as ingest
from assistant.service import AssistantService
from tests.console.workers import (
    QINGHAI,
    assert_log_tells_the_corpus,
    cites,
    notice_lines,
    shared_corpus,
    worker,
)
from tests.interfaces.api.test_admin import client_for, docx_bytes, snapshot, upload

BUSY = "另一位运维人员正在修改文件库，请稍后重试"


@pytest.fixture()
def two_workers(store_url: str, tmp_path: Path) -> Iterator[tuple[AssistantService, AssistantService]]:
    corpus_dir = shared_corpus(tmp_path)
    a = worker(corpus_dir, store_url, tmp_path / "a")
    b = worker(corpus_dir, store_url, tmp_path / "b")
    yield a, b
    a.store.dispose()
    b.store.dispose()


def meet_while_reading(monkeypatch: pytest.MonkeyPatch, parties: int = 2, timeout: float = 2.0) -> None:
    """Each read of an upload waits until `parties` reads are under way (or `timeout` passed)."""
    barrier = threading.Barrier(parties, timeout=timeout)
    real = ingest.extract_text

    def extract_text(*args: Any, **kwargs: Any) -> str:
        # Broken: the other upload is not reading now (it waits for the lock, or is done).
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(ingest, "extract_text", extract_text)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_two_uploads_of_one_id_at_once_apply_one(
    two_workers: tuple[AssistantService, AssistantService], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_workers
    meet_while_reading(monkeypatch)
    first, second = docx_bytes(QINGHAI), docx_bytes(notice_lines("青海省", 420))
    responses = at_once(lambda: upload(client_for(a), first), lambda: upload(client_for(b), second))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409], [r.text for r in responses]
    refused = next(r for r in responses if r.status_code == 409).json()["error"]
    assert refused["code"] in ("conflict", "corpus_busy")
    changes = a.store.changes.recent()
    assert [(c["doc_id"], c["action"]) for c in changes] == [("qinghai2025", "upload")]
    assert_log_tells_the_corpus(changes, a.settings.corpus_dir)
    # The applied upload is the one recorded: its file, its figure.
    applied = next(r for r in responses if r.status_code == 201).json()
    text = (a.settings.corpus_dir / "qinghai2025.md").read_text("utf-8")
    assert applied["clauses"][0]["text"] in text


def test_two_uploads_at_once_are_serialised_and_recorded_in_order(
    two_workers: tuple[AssistantService, AssistantService], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = two_workers
    meet_while_reading(monkeypatch)
    gansu = docx_bytes(notice_lines("甘肃省", 300))
    responses = at_once(
        lambda: upload(client_for(a), docx_bytes(QINGHAI)),
        lambda: upload(client_for(b), gansu, doc_id="gansu2025", region="甘肃省"),
    )
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    changes = a.store.changes.recent()  # newest first
    assert sorted(c["doc_id"] for c in changes) == ["gansu2025", "qinghai2025"]
    assert_log_tells_the_corpus(changes, a.settings.corpus_dir)
    # The one recorded second was staged on the corpus the first left: its worker holds both.
    later = a if changes[0]["doc_id"] == "qinghai2025" else b
    assert later.clause("qinghai2025#一.1") is not None and later.clause("gansu2025#一.1") is not None


def test_a_change_while_another_worker_changes_the_corpus_is_busy(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker B's upload is under way (held while reading its file); worker A's waits at most
    ASSISTANT_CORPUS_LOCK_WAIT, then answers 409 corpus_busy in Chinese, changing nothing."""
    corpus_dir = shared_corpus(tmp_path)
    a = worker(corpus_dir, store_url, tmp_path / "a", corpus_lock_wait=0.5)
    b = worker(corpus_dir, store_url, tmp_path / "b", corpus_lock_wait=0.5)
    reading, release = threading.Event(), threading.Event()
    real = ingest.extract_text

    def slow_for_b(source: Path, *args: Any, **kwargs: Any) -> str:
        if Path(source).name.startswith("gansu"):  # B's upload
            reading.set()
            release.wait(30)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(ingest, "extract_text", slow_for_b)
    gansu = docx_bytes(notice_lines("甘肃省", 300))
    done: dict[str, Any] = {}
    thread = threading.Thread(
        target=lambda: done.update(
            b=upload(client_for(b), gansu, name="gansu.docx", doc_id="gansu2025", region="甘肃省")
        )
    )
    try:
        thread.start()
        assert reading.wait(30)
        before = snapshot(corpus_dir)
        started = time.monotonic()
        busy = upload(client_for(a), docx_bytes(QINGHAI))
        waited = time.monotonic() - started
        assert busy.status_code == 409, busy.text
        assert busy.json()["error"]["code"] == "corpus_busy" and busy.headers["Retry-After"] == "5"
        assert BUSY in busy.json()["error"]["message"] and "文件库未改动" in busy.json()["error"]["message"]
        assert 0.4 < waited < 10
        assert snapshot(corpus_dir) == before
        assert a.store.changes.recent() == []
    finally:
        release.set()
        thread.join(60)
    assert done["b"].status_code == 201, done["b"].text
    assert [c["doc_id"] for c in a.store.changes.recent()] == ["gansu2025"]
    assert not cites(a, "qinghai2025")
    retried = upload(client_for(a), docx_bytes(QINGHAI))  # the lock is free again
    assert retried.status_code == 201, retried.text
    assert_log_tells_the_corpus(a.store.changes.recent(), corpus_dir)
    a.store.dispose()
    b.store.dispose()
