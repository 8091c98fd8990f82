"""Chroma as the store of record of the unit vectors: client, stamp, incremental builds.

Chroma holds the unit vectors with clause_id, doc_id, edition and region in their metadata. It
is persisted under data/chroma, or served by a Chroma server when ASSISTANT_CHROMA_URL is set. A
stamp collection records which units collection is live, with the corpus hash and the model; a
build writes a *new* collection and swaps the stamp only at the end, so an interrupted build
leaves the previous index live. A build reuses the vectors of unchanged units from the live
collection (same model only), so ingesting a document embeds only its own sentences; a model
change embeds everything. Searches rank the vectors from memory (knowledge/units.py says why).

No downloads at run time: the embedder is bundled or a local folder (knowledge/embedding.py);
Chroma telemetry is off and Chroma never gets the chance to fetch its default ONNX model because
we always pass our embedding function.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from assistant.config import Settings
from assistant.errors import IndexBuildError
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.embedding import Embedder
from assistant.knowledge.units import UNIT_SCHEME, corpus_units

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

log = logging.getLogger("assistant.index")

STAMP_COLLECTION = "assistant_index_stamp"
UNITS_PREFIX = "units_"
MANIFEST = "index_manifest.json"
EMBED_BATCH = 32
ADD_BATCH = 1000
LOG_EVERY = 200

#: progress(done, total) while unit texts are embedded.
Progress = Callable[[int, int], None]


def chroma_embedding_function(embedder: Embedder) -> Any:
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


def sync_collection(
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
    function = chroma_embedding_function(embedder)
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


def open_chroma(settings: Settings, function_for_probe: Any) -> Any:
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
