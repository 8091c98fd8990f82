"""Chroma as the store of record of the unit vectors: client, stamp, incremental builds.

Chroma holds the unit vectors with clause_id, doc_id, edition and region in their metadata. It
is persisted under data/chroma, or served by a Chroma server when ASSISTANT_CHROMA_URL is set. A
stamp collection records which units collection is live, with the corpus hash and the model; a
build writes a *new* collection beside the live one and swaps the stamp only at the end
(knowledge/swap.py, which also says when old collections are dropped), so an interrupted or
failed build leaves the previous index live, and an operator's change can build first and swap
when it commits. A build reuses the vectors of unchanged units from the live
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
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from assistant.config import Settings
from assistant.errors import IndexBuildError
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.embedding import Embedder
from assistant.knowledge.swap import (
    EMBED_BATCH,
    DenseBuild,
    Progress,
    build_beside,
    read_stamp,
)
from assistant.knowledge.units import UNIT_SCHEME, corpus_units

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

log = logging.getLogger("assistant.index")

MANIFEST = "index_manifest.json"
LOG_EVERY = 200


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


def prepare_collection(
    client: Any,
    corpus: Corpus,
    embedder: Embedder,
    *,
    rebuild: bool,
    progress: Progress | None = None,
) -> tuple[DenseBuild, BuildInfo]:
    """The collection an index of `corpus` serves from, without swapping anything in.

    The live one when the stamp matches corpus hash, model and unit scheme. Otherwise a new
    collection built beside it (knowledge/swap.py), vectors of unchanged units copied from the
    live one when the model is the same: the caller promotes it (swaps the stamp) when its
    change commits, or reverts it. The stamp lives in Chroma, so every host sharing a Chroma
    server judges freshness from the same record."""
    units = corpus_units(corpus)
    wanted = {"corpus_hash": corpus.content_hash, "model": embedder.model_id, "scheme": UNIT_SCHEME}
    function = chroma_embedding_function(embedder)
    started = time.perf_counter()
    stamp = read_stamp(client, function)
    live = _live_collection(client, function, stamp)
    same_model = all(stamp.get(k) == wanted[k] for k in ("model", "scheme"))
    info = BuildInfo(False, 0.0, len(corpus.clauses), corpus.content_hash, embedder.model_id, len(units), 0)
    if (
        not rebuild
        and live is not None
        and all(stamp.get(k) == v for k, v in wanted.items())
        and live.count() == len(units)
    ):
        info.seconds = time.perf_counter() - started
        return DenseBuild(client, function, live, None, dict(stamp)), info

    vectors: dict[str, Any] = (
        _reusable_vectors(live) if live is not None and same_model and not rebuild else {}
    )
    name, collection, embedded = build_beside(
        client, function, units, wanted, embedder, vectors, progress or log_progress
    )
    info.rebuilt, info.embedded, info.replaced = True, embedded, live is not None
    info.seconds = time.perf_counter() - started
    return DenseBuild(client, function, collection, name, {**wanted, "units": len(units)}), info


def settle_build(settings: Settings, build: DenseBuild, info: BuildInfo) -> None:
    """After a build is promoted for good: collect old collections, write the local manifest.
    Neither can undo the swap, so neither may fail it: a manifest that cannot be written (a
    full disk) is logged."""
    if build.name is None:
        return
    build.settle()
    try:
        _write_manifest(
            settings,
            {
                **{k: build.stamp[k] for k in ("corpus_hash", "model", "scheme")},
                "units": info.units,
                "embedded": info.embedded,
                "clauses": info.clauses,
                "build_seconds": round(info.seconds, 2),
            },
        )
    except OSError as exc:
        log.warning("index manifest not written: %s", exc)


def open_chroma(settings: Settings, function_for_probe: Any) -> Any:
    """A Chroma client whose stamp can be read. An on-disk store that cannot be read (a corrupt
    or foreign data/chroma) is moved out of the way with a warning and rebuilt, once; a Chroma
    server that cannot be reached is an error."""
    try:
        client = chroma_client(settings)
        read_stamp(client, function_for_probe)
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
        read_stamp(client, function_for_probe)
        return client
    except Exception as exc:
        raise IndexBuildError(f"向量索引目录无法重建（{type(exc).__name__}），请检查数据目录的权限") from exc
