"""A corpus change is one transaction: when the data disk fills up at any step (the corpus file,
the change log's database), the upload, replacement or retirement answers 507 with a Chinese
message saying the library was not changed, and it was not: the corpus folder is the same byte
for byte, the change log has no row, and the running index answers as before.

The full disk is injected where the file system answers: `os.fsync` of a file under the data
folder or the corpus fails with ENOSPC (what a full disk reports when the data reaches it), and
the store's SQLite driver answers the change-log INSERT, or its COMMIT, with SQLITE_FULL
(SQLAlchemy's `do_execute` hook and the dialect's `do_commit` stand in for the driver's own
calls, so the error travels the real path). The service, the store, the corpus and Chroma are
real."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa

from assistant.knowledge.index import STAMP_COLLECTION
from assistant.knowledge.store import chroma_client
from assistant.service import AssistantService
from tests.console.workers import QINGHAI, cites, notice_lines, shared_corpus, worker
from tests.interfaces.api.test_admin import OP, client_for, docx_bytes, snapshot, upload
from tests.knowledge.test_embedding_index import HashEmbedder


def _under(fd: Any, roots: tuple[Path, ...]) -> bool:
    number = fd if isinstance(fd, int) else fd.fileno()
    try:
        target = Path(os.readlink(f"/proc/self/fd/{number}"))
    except OSError:
        return False
    return any(target.is_relative_to(root) for root in roots)


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Folders on the "full disk": fsync of any file under them fails with ENOSPC."""
    roots: list[Path] = []
    real = os.fsync

    def fsync(fd: Any) -> None:
        if _under(fd, tuple(roots)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    yield roots


def _sqlite_full() -> sqlite3.OperationalError:
    error = sqlite3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13  # type: ignore[attr-defined]
    error.sqlite_errorname = "SQLITE_FULL"  # type: ignore[attr-defined]
    return error


def full_database(service: AssistantService, at: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store's SQLite answers as a full disk makes it answer, for the change-log's
    transaction only: at its INSERT (before the change's files are renamed and its stamp
    swapped), or at its COMMIT (after: in WAL mode that is where SQLite writes to the disk)."""
    engine = service.store.db.engine
    marked: set[int] = set()

    def refuse(cursor: Any, statement: str, parameters: Any, context: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CORPUS_CHANGES"):
            if at == "insert":
                raise _sqlite_full()
            marked.add(id(cursor.connection))

    real_commit = engine.dialect.do_commit

    def commit(connection: Any) -> None:
        driver = getattr(connection, "dbapi_connection", connection)  # the pool's proxy unwrapped
        if id(driver) in marked:
            marked.discard(id(driver))
            raise _sqlite_full()  # not committed: the pool rolls the connection back
        real_commit(connection)

    sa.event.listen(engine, "do_execute", refuse)
    monkeypatch.setattr(engine.dialect, "do_commit", commit)


@pytest.fixture()
def service(tmp_path: Path) -> Iterator[AssistantService]:
    corpus_dir = shared_corpus(tmp_path)
    worker_service = worker(corpus_dir, f"sqlite:///{tmp_path / 'data' / 'sessions.db'}", tmp_path / "data")
    yield worker_service
    worker_service.store.dispose()


def assert_unchanged(
    service: AssistantService, response: Any, before: dict[str, bytes], changes: list[Any], generation: int
) -> None:
    assert snapshot(service.settings.corpus_dir) == before, response.text  # byte for byte, no stray files
    assert service.console.documents.changes() == changes
    assert service.store.changes.generation() == generation
    assert response.status_code == 507, response.text
    error = response.json()["error"]
    assert error["code"] == "storage_full"
    assert "磁盘空间不足" in error["message"] and "文件库未改动" in error["message"]


def fill_disk(
    service: AssistantService, where: str, full_disk: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fill the disk where the change will write next: the corpus and data folders' files, or the
    change log's INSERT or COMMIT."""
    if where == "corpus":
        full_disk += [service.settings.corpus_dir.resolve(), service.settings.data_dir.resolve()]
    else:
        full_database(service, where, monkeypatch)


@pytest.mark.parametrize("where", ["corpus", "insert", "commit"])
def test_a_full_disk_during_an_upload_changes_nothing(
    service: AssistantService, full_disk: list[Path], where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(service)
    before = snapshot(service.settings.corpus_dir)
    changes, generation = service.console.documents.changes(), service.store.changes.generation()
    fill_disk(service, where, full_disk, monkeypatch)

    response = upload(client, docx_bytes(QINGHAI))

    assert_unchanged(service, response, before, changes, generation)
    assert not cites(service, "qinghai2025")  # the running index is the old one
    assert service.clause("qinghai2025#一.1") is None


@pytest.mark.parametrize("where", ["corpus", "insert", "commit"])
@pytest.mark.parametrize("action", ["retire", "replace"])
def test_a_full_disk_during_a_retirement_or_replacement_changes_nothing(
    service: AssistantService, full_disk: list[Path], where: str, action: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = client_for(service)
    assert upload(client, docx_bytes(QINGHAI)).status_code == 201
    assert cites(service, "qinghai2025")
    before = snapshot(service.settings.corpus_dir)
    changes, generation = service.console.documents.changes(), service.store.changes.generation()
    fill_disk(service, where, full_disk, monkeypatch)

    if action == "retire":
        response = client.post("/v1/admin/documents/qinghai2025/retire", headers=OP, json={"note": "到期"})
    else:
        new = docx_bytes(notice_lines("青海省", 420))
        response = client.put("/v1/admin/documents/qinghai2025", headers=OP, files={"file": ("v2.docx", new)})

    assert_unchanged(service, response, before, changes, generation)
    # The index still holds the document as it was: cited, with its old figure.
    assert cites(service, "qinghai2025")
    clause = service.clause("qinghai2025#一.1")
    assert clause is not None and "380万元" in clause.text
    hits = client.get("/v1/search", params={"q": "卓越级智能工厂一次性奖补380万元"}, headers=OP).json()
    assert hits["hits"][0]["doc_id"] == "qinghai2025"


def test_after_the_disk_is_freed_the_same_upload_succeeds(
    service: AssistantService, full_disk: list[Path]
) -> None:
    """Nothing was half-done: the retry is a plain upload, not a 409."""
    client = client_for(service)
    full_disk.append(service.settings.corpus_dir.resolve())
    assert upload(client, docx_bytes(QINGHAI)).status_code == 507
    full_disk.clear()
    retried = upload(client, docx_bytes(QINGHAI))
    assert retried.status_code == 201, retried.text
    assert cites(service, "qinghai2025")
    assert [c["action"] for c in service.console.documents.changes()] == ["upload"]


class FlakyEmbedder(HashEmbedder):
    """Hash vectors that fail on demand, as an embedding engine that crashed would."""

    broken = False

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.broken:
            raise RuntimeError("engine crashed")
        return super()._embed_passages(texts)


@pytest.fixture()
def dense_service(tmp_path: Path) -> Iterator[AssistantService]:
    corpus_dir = shared_corpus(tmp_path)
    url = f"sqlite:///{tmp_path / 'data' / 'sessions.db'}"
    dense = worker(corpus_dir, url, tmp_path / "data", embedder=FlakyEmbedder())
    yield dense
    dense.store.dispose()


def collections(service: AssistantService) -> tuple[str, set[str]]:
    """The collection the stamp names and every units collection in the service's Chroma."""
    client = chroma_client(service.settings)
    stamp = client.get_collection(STAMP_COLLECTION).metadata or {}
    return str(stamp["active"]), {str(c.name) for c in client.list_collections()} - {STAMP_COLLECTION}


@pytest.mark.parametrize("where", ["index", "commit"])
def test_a_change_failing_before_or_after_the_swap_leaves_the_old_index_live(
    dense_service: AssistantService, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new collection is built before the commit and swapped in inside it: an index that
    cannot be built, or a commit that fails after the swap, leaves the stamp on the old one
    and no new collection behind."""
    client = client_for(dense_service)
    before, (live, names) = snapshot(dense_service.settings.corpus_dir), collections(dense_service)
    if where == "index":
        assert isinstance(dense_service.retriever.index.embedder, FlakyEmbedder)
        dense_service.retriever.index.embedder.broken = True
    else:
        full_database(dense_service, where, monkeypatch)

    response = upload(client, docx_bytes(QINGHAI))

    assert response.status_code == (503 if where == "index" else 507), response.text
    message = response.json()["error"]["message"]
    assert "文件库未改动" in message and ("检索索引未能建成" in message or where == "commit")
    assert snapshot(dense_service.settings.corpus_dir) == before
    assert dense_service.console.documents.changes() == []
    assert collections(dense_service) == (live, names)
    assert dense_service.retriever.index.collection.name == live and not cites(dense_service, "qinghai2025")
