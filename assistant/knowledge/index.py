"""The two indexes: Chroma (dense, over sentences) and BM25 (sparse, over clauses).

Dense units are sentences, not clauses: each clause is split into its lines and sentences, each
prefixed with the clause's heading path (so "四、卓越级智能工厂 › (一)建设内容" travels with every
sentence under it), and a clause scores as its best sentence. A whole clause mixes several
requirements into one vector; its one sentence about 材料邮寄 does not drown that way.

Chroma holds the unit vectors with clause_id, doc_id, edition and region in their metadata
(filters run inside the Chroma query). It is persisted under data/chroma, or served by a Chroma
server when ASSISTANT_CHROMA_URL is set. A stamp collection records which units collection is
live, with the corpus hash and the model; a build writes a *new* collection and swaps the stamp
only at the end, so an interrupted build leaves the previous index live. A build reuses the
vectors of unchanged units from the live collection (same model only), so ingesting a document
embeds only its own sentences; a model change embeds everything. BM25 over the clauses builds in
milliseconds, so it is rebuilt in memory on load rather than persisted.

No downloads at run time: the embedder is bundled or a local folder (knowledge/embedding.py);
Chroma telemetry is off and Chroma never gets the chance to fetch its default ONNX model because
we always pass our embedding function.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexBuildError
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.embedding import Embedder, load_embedder
from assistant.knowledge.text import Synonyms, Tokenizer, cached_tokenizer
from assistant.vocabulary import TIERS

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

log = logging.getLogger("assistant.index")

STAMP_COLLECTION = "assistant_index_stamp"
UNITS_PREFIX = "units_"
#: Bump when the way clauses are cut into units changes: a stamp of another scheme rebuilds.
UNIT_SCHEME = "sentences-v2"
MANIFEST = "index_manifest.json"
EMBED_BATCH = 32
ADD_BATCH = 1000
LOG_EVERY = 200
MIN_SENTENCE_CHARS = 8
_SENTENCE_END = re.compile(r"(?<=[。；！？!?;])")

#: progress(done, total) while unit texts are embedded.
Progress = Callable[[int, int], None]


def split_sentences(text: str) -> list[str]:
    """A clause's lines, each cut after 。；！？; a fragment shorter than MIN_SENTENCE_CHARS
    stays with the sentence before it on its line."""
    sentences: list[str] = []
    for line in text.splitlines():
        pieces = [p.strip() for p in _SENTENCE_END.split(line) if p.strip()]
        first = len(sentences)
        for piece in pieces:
            if len(sentences) > first and len(piece) < MIN_SENTENCE_CHARS:
                sentences[-1] += piece
            else:
                sentences.append(piece)
    return sentences


@dataclass(frozen=True)
class Unit:
    """One sentence of one clause: what is embedded and stored in Chroma."""

    unit_id: str
    clause_id: str
    doc_id: str
    edition: str
    region: str
    sentence: str
    text: str  # heading path + sentence: what the model sees

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()[:20]

    def metadata(self) -> dict[str, str]:
        return {
            "clause_id": self.clause_id,
            "doc_id": self.doc_id,
            "edition": self.edition,
            "region": self.region,
            "sentence": self.sentence,
            "digest": self.digest,
        }


def unit_text(heading_path: tuple[str, ...], sentence: str) -> str:
    """What the model embeds for a sentence: the sentence under its own (innermost) heading.

    Measured: the whole heading path (document title › 二、… › (三)联系方式) is longer than most
    sentences and pulls every sentence of a document towards the same vector, so "申报材料寄到哪里"
    found 材料邮寄：北京市海淀区花园北路52号 at rank 13; the innermost heading alone keeps what
    the sentence is about without drowning it. The document title is left out (BM25 sees it).
    """
    inner = heading_path[1:] if len(heading_path) > 1 else ()
    return f"{inner[-1]}：{sentence}" if inner else sentence


def corpus_units(corpus: Corpus) -> list[Unit]:
    """Every clause's sentences, in corpus order; ids are ``<clause_id>|<n>``."""
    units = []
    for document in corpus.documents:
        for clause in document.clauses:
            for n, sentence in enumerate(split_sentences(clause.text) or [clause.text]):
                units.append(
                    Unit(
                        unit_id=f"{clause.clause_id}|{n}",
                        clause_id=clause.clause_id,
                        doc_id=clause.doc_id,
                        edition=clause.edition,
                        region=document.region or "",
                        sentence=sentence,
                        text=unit_text(clause.heading_path, sentence),
                    )
                )
    return units


def _chroma_embedding_function(embedder: Embedder) -> Any:
    """Wrap our Embedder in Chroma's protocol so Chroma never falls back to its ONNX default."""
    from chromadb.api.types import Documents, EmbeddingFunction, Embeddings

    class AssistantEmbeddingFunction(EmbeddingFunction[Documents]):
        def __init__(self) -> None:
            self._embedder = embedder

        def __call__(self, input: Documents) -> Embeddings:
            return list(self._embedder.passages(list(input)))

        def embed_query(self, input: Documents) -> Embeddings:
            return [self._embedder.query(text) for text in input]

        @staticmethod
        def name() -> str:
            return "assistant-embedder"

        def get_config(self) -> dict[str, Any]:
            return {"model": embedder.model_id}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> AssistantEmbeddingFunction:
            raise NotImplementedError("the assistant always passes its embedding function")

    return AssistantEmbeddingFunction()


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
    def scores(bm25: Any, tokens: list[str]) -> np.ndarray:
        """Raw BM25 scores of every clause for the tokens (unknown tokens ignored)."""
        known = [t for t in tokens if t in bm25.vocab_dict]
        if not known:
            return np.zeros(bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(bm25.get_scores(known), dtype=np.float32)

    def word_scores(self, query: str) -> np.ndarray:
        return self.scores(self.words, self.tokenizer.words(query))

    def bigram_scores(self, query: str) -> np.ndarray:
        return self.scores(self.bigrams, self.tokenizer.bigrams(query))


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


@dataclass(frozen=True)
class SentenceHit:
    """A sentence of a clause with its cosine similarity to a question."""

    clause_id: str
    sentence: str
    score: float


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
        self.units = collection.count() if collection is not None else 0
        #: Dense queries that failed (and fell back to BM25): results then are not cached.
        self.dense_failures = 0

    @property
    def has_dense(self) -> bool:
        return self.embedder is not None and self.collection is not None

    def _query_units(self, query: str, n: int, where: dict[str, Any] | None) -> list[SentenceHit]:
        assert self.embedder is not None
        vector = self.embedder.query(query)
        try:
            result = self.collection.query(
                query_embeddings=[vector],
                n_results=max(1, min(n, self.units)),
                where=where,
                include=["distances", "metadatas"],
            )
        except Exception as exc:  # a collection swapped away by another host's rebuild, a dead server
            log.warning("dense query failed, BM25 only for this query: %s", exc)
            self.dense_failures += 1
            return []
        return [
            SentenceHit(str(meta["clause_id"]), str(meta["sentence"]), 1.0 - float(distance))
            for meta, distance in zip(result["metadatas"][0], result["distances"][0], strict=True)
        ]

    def dense_ranking(self, query: str, n: int, edition: str | None = None) -> list[tuple[str, float]]:
        """Clauses of the n nearest sentences as (clause_id, best cosine similarity), best first."""
        if not self.has_dense:
            return []
        best: dict[str, float] = {}
        for hit in self._query_units(query, n, {"edition": edition} if edition else None):
            best[hit.clause_id] = max(hit.score, best.get(hit.clause_id, -1.0))
        return sorted(best.items(), key=lambda item: -item[1])

    def sentences(self, query: str, clause_ids: list[str], k: int) -> list[SentenceHit]:
        """The k sentences of the given clauses nearest to the query, best first."""
        if not self.has_dense or not clause_ids:
            return []
        return self._query_units(query, k, {"clause_id": {"$in": list(clause_ids)}})


def _write_manifest(settings: Settings, manifest: dict[str, Any]) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")


@dataclass
class BuildInfo:
    """What `assistant index` reports: whether it rebuilt, how long it took, what it embedded."""

    rebuilt: bool
    seconds: float
    clauses: int
    corpus_hash: str
    model: str
    units: int = 0
    embedded: int = 0
    #: A rebuild replaced a live index (False for the first build of a data dir or Chroma server).
    replaced: bool = False


def log_progress(done: int, total: int) -> None:
    """The server's progress report: a line at the start, every LOG_EVERY units, and at the end."""
    if total and (done in (0, total) or done // LOG_EVERY != (done - min(done, EMBED_BATCH)) // LOG_EVERY):
        log.info("embedding index units: %d/%d", done, total)


def _stamp(client: Any, function: Any) -> dict[str, Any]:
    from chromadb.errors import NotFoundError

    try:
        return dict(client.get_collection(STAMP_COLLECTION, embedding_function=function).metadata or {})
    except NotFoundError:
        return {}


def _live_collection(client: Any, function: Any, stamp: dict[str, Any]) -> Any:
    if not stamp.get("active"):
        return None
    with contextlib.suppress(Exception):  # the stamp names a collection someone deleted
        return client.get_collection(str(stamp["active"]), embedding_function=function)
    return None


def _reusable_vectors(collection: Any) -> dict[str, Any]:
    """digest → vector of every unit in a collection built with the same model."""
    stored = collection.get(include=["metadatas", "embeddings"])
    return {
        str(meta["digest"]): vector
        for meta, vector in zip(stored["metadatas"], stored["embeddings"], strict=True)
        if meta and meta.get("digest")
    }


def _sync_collection(
    client: Any,
    corpus: Corpus,
    embedder: Embedder,
    settings: Settings,
    *,
    rebuild: bool,
    progress: Progress | None = None,
) -> tuple[Any, BuildInfo]:
    """Make the live units collection match the corpus, embedding only what is new.

    Fresh when the stamp matches corpus hash, model and unit scheme. Otherwise a new collection
    is filled (vectors of unchanged units copied from the live one when the model is the same),
    the stamp is swapped to it, and older collections are dropped. The stamp lives in Chroma, so
    every host sharing a Chroma server judges freshness from the same record.
    """
    units = corpus_units(corpus)
    wanted = {"corpus_hash": corpus.content_hash, "model": embedder.model_id, "scheme": UNIT_SCHEME}
    function = _chroma_embedding_function(embedder)
    started = time.perf_counter()
    stamp = _stamp(client, function)
    live = _live_collection(client, function, stamp)
    same_model = all(stamp.get(k) == wanted[k] for k in ("model", "scheme"))
    if (
        not rebuild
        and live is not None
        and all(stamp.get(k) == v for k, v in wanted.items())
        and live.count() == len(units)
    ):
        info = BuildInfo(
            False,
            time.perf_counter() - started,
            len(corpus.clauses),
            corpus.content_hash,
            embedder.model_id,
            len(units),
            0,
        )
        return live, info

    vectors: dict[str, Any] = (
        _reusable_vectors(live) if live is not None and same_model and not rebuild else {}
    )
    todo: dict[str, str] = {}  # digest → text, each distinct text embedded once
    for unit in units:
        if unit.digest not in vectors:
            todo.setdefault(unit.digest, unit.text)
    report = progress or log_progress
    name = f"{UNITS_PREFIX}{uuid.uuid4().hex[:16]}"
    try:
        collection = client.create_collection(
            name, embedding_function=function, metadata={"hnsw:space": "cosine", **wanted}
        )
        pending = list(todo.items())
        report(0, len(pending))
        for start in range(0, len(pending), EMBED_BATCH):
            batch = pending[start : start + EMBED_BATCH]
            embedded = embedder.passages([text for _, text in batch])
            vectors.update((digest, vector) for (digest, _), vector in zip(batch, embedded, strict=True))
            report(min(start + EMBED_BATCH, len(pending)), len(pending))
        for start in range(0, len(units), ADD_BATCH):
            batch_units = units[start : start + ADD_BATCH]
            collection.add(
                ids=[u.unit_id for u in batch_units],
                documents=[u.text for u in batch_units],
                embeddings=[vectors[u.digest] for u in batch_units],
                metadatas=[u.metadata() for u in batch_units],  # type: ignore[misc]
            )
        stamp_metadata = {**wanted, "active": name, "units": len(units)}
        holder = client.get_or_create_collection(STAMP_COLLECTION, embedding_function=function)
        holder.modify(metadata=stamp_metadata)
    except Exception as exc:
        with contextlib.suppress(Exception):  # leave no half-built collection behind
            client.delete_collection(name)
        raise IndexBuildError(f"向量索引构建失败（{type(exc).__name__}），原有索引保持不变") from exc
    _drop_other_collections(client, keep=name)
    seconds = time.perf_counter() - started
    _write_manifest(
        settings,
        {
            **wanted,
            "units": len(units),
            "embedded": len(todo),
            "clauses": len(corpus.clauses),
            "build_seconds": round(seconds, 2),
        },
    )
    return collection, BuildInfo(
        True,
        seconds,
        len(corpus.clauses),
        corpus.content_hash,
        embedder.model_id,
        len(units),
        len(todo),
        replaced=live is not None,
    )


def _drop_other_collections(client: Any, keep: str) -> None:
    """Delete units collections the stamp no longer names (the one it replaced, interrupted builds)."""
    with contextlib.suppress(Exception):
        for collection in client.list_collections():
            name = getattr(collection, "name", collection)
            if str(name).startswith(UNITS_PREFIX) and name != keep:
                with contextlib.suppress(Exception):
                    client.delete_collection(name)


def _open_chroma(settings: Settings, function_for_probe: Any) -> Any:
    """A Chroma client whose stamp can be read. An on-disk store that cannot be read (a corrupt
    or foreign data/chroma) is moved out of the way with a warning and rebuilt, once; a Chroma
    server that cannot be reached is an error."""
    try:
        client = chroma_client(settings)
        _stamp(client, function_for_probe)
        return client
    except Exception as exc:
        if settings.chroma_url:
            raise IndexBuildError(
                f"无法连接向量数据库（ASSISTANT_CHROMA_URL），请确认 Chroma 服务已启动（{type(exc).__name__}）"
            ) from exc
        log.warning("the Chroma store under data/chroma cannot be read (%s); rebuilding it", exc)
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    broken = settings.chroma_dir.with_name(settings.chroma_dir.name + ".corrupt")
    shutil.rmtree(broken, ignore_errors=True)
    with contextlib.suppress(OSError):
        settings.chroma_dir.rename(broken)
    shutil.rmtree(settings.chroma_dir, ignore_errors=True)
    try:
        client = chroma_client(settings)
        _stamp(client, function_for_probe)
        return client
    except Exception as exc:
        raise IndexBuildError(f"向量索引目录无法重建（{type(exc).__name__}），请检查数据目录的权限") from exc


def load_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    corpus: Corpus | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> tuple[Index, BuildInfo]:
    """Load the corpus and both indexes, building what is stale.

    ``dense=False`` skips the embedding model and Chroma entirely (BM25 only): used when the
    configured fusion gives the dense side no weight, and by fast tests. The embedder is loaded
    before Chroma is opened, so a bad model setting fails with the index untouched.
    """
    started = time.perf_counter()
    corpus = corpus or load_corpus(settings.corpus_dir)
    tokenizer = cached_tokenizer(domain_terms(corpus, settings))
    sparse = SparseIndex.build([c.search_text for c in corpus.clauses], tokenizer)
    synonyms = Synonyms.load(settings.corpus_dir / "data" / "synonyms.yaml")
    if not dense:
        info = BuildInfo(False, time.perf_counter() - started, len(corpus.clauses), corpus.content_hash, "")
        return Index(corpus, sparse, synonyms, settings), info
    embedder = embedder or load_embedder(settings.embedding_model)
    client = _open_chroma(settings, _chroma_embedding_function(embedder))
    collection, info = _sync_collection(
        client, corpus, embedder, settings, rebuild=rebuild, progress=progress
    )
    info.seconds = time.perf_counter() - started
    return Index(corpus, sparse, synonyms, settings, embedder, collection), info
