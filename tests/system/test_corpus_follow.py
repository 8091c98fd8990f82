"""Two workers (or hosts) sharing one store and one corpus folder: a document uploaded or retired
through one is cited, then no longer cited, by the other once its corpus check comes round,
without a restart. SQLite (workers of one host) and a real Postgres (several hosts)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.console import Upload
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store
from tests.interfaces.api.test_admin import NOTICE_LINES, docx_bytes

QUESTION = "青海省卓越级智能工厂一次性奖补多少万元？"
INTERVAL = 2.0


class Clock:
    """The workers' monotonic clock, moved on by the test instead of by sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def tick(self) -> None:
        self.now += INTERVAL


def worker(name: str, corpus_dir: Path, url: str, tmp_path: Path, clock: Clock) -> AssistantService:
    settings = Settings(corpus_dir=corpus_dir, data_dir=tmp_path / name, chroma_url=None, database_url=url)
    index, _ = load_index(settings, dense=False)
    service = AssistantService(settings, Retriever(index), Store.open(url))
    service.follower._clock = clock
    service.follower._next = clock() + INTERVAL
    return service


def cites_qinghai(service: AssistantService) -> bool:
    answer = service.ask(QUESTION)
    return any(c.clause_id.startswith("qinghai2025#") for c in answer.citations)


def test_a_change_made_through_one_worker_reaches_the_other(store_url: str, tmp_path: Path) -> None:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus_dir)
    clock = Clock()
    a = worker("a", corpus_dir, store_url, tmp_path, clock)
    b = worker("b", corpus_dir, store_url, tmp_path, clock)
    try:
        clock.tick()
        assert not cites_qinghai(b)  # B has just read the store's generation

        upload = Upload("qinghai.docx", docx_bytes(NOTICE_LINES), "qinghai2025", "2025", "青海省")
        a.console.documents.upload(upload, "key-op")
        assert cites_qinghai(a)
        # Within the interval B does not ask the store: it still answers from its old index.
        assert not cites_qinghai(b)
        assert b.clause("qinghai2025#一.1") is None
        clock.tick()
        assert cites_qinghai(b)
        assert b.clause("qinghai2025#一.1") is not None

        a.console.documents.retire("qinghai2025", "key-op", "政策到期")
        assert not cites_qinghai(a)
        clock.tick()
        assert not cites_qinghai(b)
        assert b.search("卓越级智能工厂一次性奖补380万元") and all(
            h.clause.doc_id != "qinghai2025" for h in b.search("卓越级智能工厂一次性奖补380万元")
        )
        assert b.follower.seen == a.follower.seen == b.store.changes.generation() == 2

        # A re-index moves the generation on too; A itself, having reloaded, does not reload again.
        reloads: list[str] = []
        for name, service in (("a", a), ("b", b)):
            original = service.reload_index
            service.follower._reload = lambda o=original, n=name: (reloads.append(n), o())
        a.console.documents.reindex("key-op")
        clock.tick()
        a.search("奖补")
        b.search("奖补")
        assert reloads == ["b"] and a.follower.seen == b.follower.seen == 3
    finally:
        a.store.dispose()
        b.store.dispose()


def test_store_down_skips_the_check(tmp_path: Path) -> None:
    """A generation that cannot be read leaves the index alone until the next interval."""
    from assistant.errors import StoreUnavailableError
    from assistant.service import CorpusFollower

    calls: list[str] = []
    now = [0.0]

    def down() -> int:
        raise StoreUnavailableError("down")

    follower = CorpusFollower(down, lambda: calls.append("reload"), interval=2.0, clock=lambda: now[0])
    assert follower.seen is None and not follower.due()
    now[0] = 2.0
    assert follower.due() and follower.check() is False and calls == []
    follower._generation = lambda: 5
    now[0] = 3.0
    assert not follower.check()  # not due yet: no read at all
    now[0] = 4.0
    assert follower.check() and calls == ["reload"]


def test_a_reload_that_fails_keeps_the_index_and_tries_again(caplog: pytest.LogCaptureFixture) -> None:
    """The request that makes the check is answered from the index loaded before, never failed
    for the reload (a collection gone, Chroma away); the next check tries again."""
    from assistant.errors import IndexBuildError
    from assistant.service import CorpusFollower

    now = [0.0]
    attempts: list[str] = []

    def reload() -> None:
        attempts.append("reload")
        if len(attempts) == 1:
            raise IndexBuildError("向量索引构建失败（NotFoundError），原有索引保持不变")

    follower = CorpusFollower(lambda: 7, reload, interval=2.0, clock=lambda: now[0])
    follower.seen = 6
    now[0] = 2.0
    with caplog.at_level(logging.WARNING, logger="assistant.service"):
        assert follower.check() is False  # failed: no exception reaches the request
    assert follower.seen == 6 and any("failed" in r.getMessage() for r in caplog.records)
    now[0] = 4.0
    assert follower.check() is True and attempts == ["reload", "reload"]
