"""Workers for the corpus-change tests: services over one store, one corpus folder and, with the
dense side on, one Chroma (a folder or a server), as `assistant serve --workers 2` runs them in
two processes, here in one process so a test can interleave them. Also the one check every
such test ends with: the change log tells the corpus's story."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from assistant.config import REPO_ROOT, Settings
from assistant.knowledge.corpus import load_corpus, read_document
from assistant.knowledge.embedding import Embedder
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store
from tests.interfaces.api.test_admin import NOTICE_LINES as QINGHAI

QINGHAI_QUESTION = "青海省卓越级智能工厂一次性奖补多少万元？"


def notice_lines(province: str, amount: int) -> list[str]:
    """A small provincial notice like QINGHAI, for another province and amount."""
    return [line.replace("青海省", province).replace("380", str(amount)) for line in QINGHAI]


def shared_corpus(tmp_path: Path) -> Path:
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus_dir)
    return corpus_dir


def worker(
    corpus_dir: Path,
    store_url: str,
    data_dir: Path,
    *,
    dense: bool = False,
    embedder: Embedder | None = None,
    **settings: Any,
) -> AssistantService:
    """One worker: its own service and connection pool over the shared corpus, store and (when
    `dense`) the Chroma under `data_dir` or at `chroma_url`, with the bundled model unless an
    `embedder` is given."""
    options: dict[str, Any] = {"chroma_url": None, **settings}
    config = Settings(corpus_dir=corpus_dir, data_dir=data_dir, database_url=store_url, **options)
    index, _ = load_index(config, dense=dense or embedder is not None, embedder=embedder)
    return AssistantService(config, Retriever(index), Store.open(store_url))


def cites(service: AssistantService, doc_id: str, question: str = QINGHAI_QUESTION) -> bool:
    answer = service.ask(question)
    return any(c.clause_id.startswith(f"{doc_id}#") for c in answer.citations)


def corpus_state(corpus_dir: Path) -> tuple[set[str], set[str]]:
    """The doc_ids in use and those retired, read from the folder."""
    active = {d.doc_id for d in load_corpus(corpus_dir).documents}
    retired_dir = corpus_dir / "retired"
    retired = {read_document(p).doc_id for p in retired_dir.glob("*.md")} if retired_dir.is_dir() else set()
    return active, retired


def assert_log_tells_the_corpus(changes: list[dict[str, Any]], corpus_dir: Path) -> None:
    """Replaying the change log over the shipped corpus gives the folder's documents, in use and
    retired, and each document in use has the clauses its last upload or replacement recorded."""
    active = {d.doc_id for d in load_corpus(REPO_ROOT / "corpus").documents}
    retired: set[str] = set()
    last: dict[str, dict[str, Any]] = {}
    for change in sorted(changes, key=lambda c: c["id"]):
        doc_id, action = change["doc_id"], change["action"]
        if action == "upload":
            assert doc_id not in active | retired, f"{doc_id} uploaded twice"
            active.add(doc_id)
        elif action == "replace":
            assert doc_id in active, f"{doc_id} replaced while not in use"
        elif action == "retire":
            assert doc_id in active, f"{doc_id} retired while not in use"
            active.remove(doc_id)
            retired.add(doc_id)
        if action in ("upload", "replace"):
            last[doc_id] = change["detail"]
    assert corpus_state(corpus_dir) == (active, retired)
    documents = {d.doc_id: d for d in load_corpus(corpus_dir).documents}
    for doc_id, detail in last.items():
        if doc_id in active:
            assert len(documents[doc_id].clauses) == detail["clauses"], doc_id
