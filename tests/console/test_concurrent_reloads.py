"""An operator changes the corpus through one worker while another reloads its index and
searches in a loop: no search or reload fails, no change fails, and at the end the change log
tells the corpus's story and both workers serve it. Dense retrieval on, with the real bundled
model: the two workers share one Chroma (one folder on one host; a Chroma server and Postgres
for several hosts), where a build used to delete the collection the other was building or
loading."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.console import Upload
from assistant.knowledge.corpus import load_corpus
from assistant.service import AssistantService
from assistant.store import make_engine, upgrade
from tests.console.workers import (
    QINGHAI,
    QINGHAI_QUESTION,
    assert_log_tells_the_corpus,
    cites,
    notice_lines,
    shared_corpus,
    worker,
)
from tests.interfaces.api.test_admin import docx_bytes

QUERIES = ["卓越级智能工厂一次性奖补380万元", "申报材料寄到哪里", QINGHAI_QUESTION, "甘肃省奖补标准"]


def operator_changes(documents: Any) -> list[str]:
    """Upload two notices, replace one, retire the other, re-index: what went wrong, if anything."""
    steps = [
        lambda: documents.upload(
            Upload("qh.docx", docx_bytes(QINGHAI), "qinghai2025", "2025", "青海省"), "op"
        ),
        lambda: documents.upload(
            Upload("gs.docx", docx_bytes(notice_lines("甘肃省", 300)), "gansu2025", "2025", "甘肃省"), "op"
        ),
        lambda: documents.upload(
            Upload("qh2.docx", docx_bytes(notice_lines("青海省", 420)), "qinghai2025"), "op", replace=True
        ),
        lambda: documents.retire("gansu2025", "op", "到期"),
        lambda: documents.reindex("op"),
    ]
    failures = []
    for step in steps:
        try:
            step()
        except Exception as exc:  # every one counts
            failures.append(repr(exc))
    return failures


def reload_and_search(service: AssistantService, stop: threading.Event, counts: dict[str, Any]) -> None:
    while not stop.is_set():
        try:
            service.reload_index()
            counts["reloads"] += 1
            for query in QUERIES:
                service.search(query, k=5)
                counts["searches"] += 1
        except Exception as exc:
            counts["errors"].append(repr(exc))


def run(a: AssistantService, b: AssistantService) -> None:
    stop = threading.Event()
    counts: dict[str, Any] = {"reloads": 0, "searches": 0, "errors": []}
    follower = threading.Thread(target=reload_and_search, args=(b, stop, counts))
    follower.start()
    try:
        time.sleep(0.5)
        failures = operator_changes(a.console.documents)
        time.sleep(0.5)
    finally:
        stop.set()
        follower.join(120)
    assert failures == []
    assert counts["errors"] == [] and counts["reloads"] >= 2 and counts["searches"] > 0, counts
    print(f"follower: {counts['reloads']} reloads, {counts['searches']} searches, 0 errors")
    assert_log_tells_the_corpus(a.store.changes.recent(), a.settings.corpus_dir)
    b.reload_index()
    served = load_corpus(a.settings.corpus_dir).content_hash
    assert a.corpus.content_hash == b.corpus.content_hash == served
    for service in (a, b):
        assert service.retriever.index.has_dense
        assert cites(service, "qinghai2025") and "420万元" in service.ask(QINGHAI_QUESTION).answer
        assert service.clause("gansu2025#一.1") is None


@pytest.mark.slow
def test_one_host_two_workers_one_chroma_folder(tmp_path: Path) -> None:
    corpus_dir = shared_corpus(tmp_path)
    url = f"sqlite:///{tmp_path / 'data' / 'sessions.db'}"
    a = worker(corpus_dir, url, tmp_path / "data", dense=True)
    b = worker(corpus_dir, url, tmp_path / "data", dense=True)
    try:
        run(a, b)
    finally:
        a.store.dispose()
        b.store.dispose()


@pytest.mark.slow
def test_two_hosts_one_chroma_server_and_postgres(tmp_path: Path, chroma_server: Any, postgres: Any) -> None:
    from tests.system.test_multihost import chroma_of, empty_chroma

    empty_chroma(chroma_of(chroma_server))
    url = postgres.create_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    corpus_dir = shared_corpus(tmp_path)  # shared by the hosts (a shared volume)
    a = worker(corpus_dir, url, tmp_path / "a", dense=True, chroma_url=chroma_server.url)
    b = worker(corpus_dir, url, tmp_path / "b", dense=True, chroma_url=chroma_server.url)
    try:
        run(a, b)
    finally:
        a.store.dispose()
        b.store.dispose()
