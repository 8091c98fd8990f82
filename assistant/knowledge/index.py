"""The two indexes: dense unit vectors (Chroma, ranked from memory) and BM25 (over clauses).

Dense units are sentences of clauses (knowledge/units.py); Chroma is their store of record
(knowledge/store.py: persisted or served, incremental builds, a stamp naming the live
collection), and each process ranks them from an in-memory matrix loaded from Chroma at start-up
and after every build (knowledge/units.py argues why). BM25 over the clauses builds in
milliseconds, so it is rebuilt in memory on load rather than persisted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.config import Settings
from assistant.errors import IndexBuildError
from assistant.knowledge.corpus import Clause, Corpus, load_corpus
from assistant.knowledge.embedding import Embedder, load_embedder
from assistant.knowledge.store import (
    LOG_EVERY,
    BuildInfo,
    chroma_embedding_function,
    log_progress,
    open_chroma,
    prepare_collection,
    settle_build,
)
from assistant.knowledge.swap import EMBED_BATCH, STAMP_COLLECTION, DenseBuild, Progress
from assistant.knowledge.text import Synonyms, Tokenizer, cached_tokenizer
from assistant.knowledge.units import SentenceHit, UnitMatrix, corpus_units, split_sentences
from assistant.vocabulary import TIERS

__all__ = [
    "EMBED_BATCH",
    "LOG_EVERY",
    "STAMP_COLLECTION",
    "BuildInfo",
    "Index",
    "IndexBuild",
    "SentenceHit",
    "SparseIndex",
    "corpus_units",
    "domain_terms",
    "load_index",
    "log_progress",
    "prepare_index",
    "split_sentences",
]


@dataclass
class SparseIndex:
    """BM25 indexes over the same clauses: jieba words and character bigrams of the whole text,
    and jieba words of the clause's headings below the document title (``headings``: what a
    section calls itself, 申报材料清单 or (三)联系方式, which a question often names)."""

    words: Any
    bigrams: Any
    tokenizer: Tokenizer
    headings: Any = None

    @classmethod
    def build(cls, texts: list[str], tokenizer: Tokenizer, headings: list[str] | None = None) -> SparseIndex:
        import bm25s

        # b=0.3: clause lengths vary little once the heading path is prepended, and a strong
        # length penalty let one-line preambles outrank the clause a question was about.
        words = bm25s.BM25(k1=1.2, b=0.3)
        words.index([tokenizer.words(t) or [""] for t in texts], show_progress=False)
        bigrams = bm25s.BM25(k1=1.2, b=0.3)
        bigrams.index([tokenizer.bigrams(t) or [""] for t in texts], show_progress=False)
        heading_index = None
        if headings is not None:
            heading_index = bm25s.BM25(k1=1.2, b=0.3)
            heading_index.index([tokenizer.words(h) or [""] for h in headings], show_progress=False)
        return cls(words, bigrams, tokenizer, heading_index)

    @staticmethod
    def scores(bm25: Any, tokens: list[str]) -> np.ndarray:
        """Raw BM25 scores of every clause for the tokens (unknown tokens ignored)."""
        known = [t for t in tokens if t in bm25.vocab_dict]
        if not known:
            return np.zeros(bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(bm25.get_scores(known), dtype=np.float32)


@lru_cache(maxsize=4)
def _guide_terms(text: str) -> frozenset[str]:
    """Links, 环节 and scenario names of a scenario_guide.yaml (parsed once per content: every
    index load needs them)."""
    import yaml

    data = yaml.safe_load(text)
    terms = set(data.get("links", []))
    for edition in data.get("editions", {}).values():
        terms |= set(edition.get("segments", {}))
        for names in edition.get("scenarios", {}).values():
            terms |= set(names)
    return frozenset(terms)


def domain_terms(corpus: Corpus, settings: Settings) -> tuple[str, ...]:
    """Terms jieba must keep whole: tiers, links, 环节/scenario names, KPI names, key phrases."""
    terms = {f"{tier}智能工厂" for tier in TIERS}
    terms |= {*TIERS, "成熟度", "分支机构", "独立法人", "规模以上"}
    guide = settings.corpus_dir / "data" / "scenario_guide.yaml"
    if guide.exists():
        terms |= _guide_terms(guide.read_text(encoding="utf-8"))
    for document in corpus.documents:
        if document.role != "kpi":  # 附1 and a later round's copy of it
            continue
        for clause in document.clauses:
            name = clause.text.split(".", 1)[-1]
            terms.add(name.split("(")[0])
    return tuple(sorted(t for t in terms if t))


def section_heading(clause: Clause) -> str:
    """The clause's heading path below the document title ("" for a document's preamble): the
    title is shared by every clause of a document, so it says nothing about which one is meant."""
    return " ".join(clause.heading_path[1:])


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
        #: The live collection's vectors, ranked in memory (knowledge/units.py).
        self.matrix = UnitMatrix.from_collection(collection) if collection is not None else None
        self.units = len(self.matrix) if self.matrix is not None else 0

    @property
    def has_dense(self) -> bool:
        return self.embedder is not None and self.matrix is not None

    def query_vector(self, query: str) -> np.ndarray:
        assert self.embedder is not None
        return self.embedder.query(query)

    def expansion_vector(self, query_vector: np.ndarray, terms: Sequence[str]) -> np.ndarray:
        """The query pulled towards the documents' words for it: normalise(q + normalise(Σ t)),
        t the vectors of the synonym table's terms the query expanded to.

        This stands in for embedding "question + terms" as a second query, and it measured the
        same on both eval sets (README, "Evaluation": gold .874/.993/.929, held-out .800/.980/.860
        either way) at a fraction of the cost: the second embedding was the longer text
        (~25 ms on this machine against ~10 ms for the question), while a term is one of the
        table's ~110 short document words, embedded once per process and kept (Embedder.term)."""
        assert self.embedder is not None
        pull = np.sum([self.embedder.term(term) for term in terms], axis=0)
        moved = np.asarray(query_vector, dtype=np.float32) + pull / max(float(np.linalg.norm(pull)), 1e-12)
        return moved / max(float(np.linalg.norm(moved)), 1e-12)

    def warm_terms(self) -> int:
        """Embed every document term of the synonym table now (a server does this at start-up:
        ~1 s for ~110 terms), so no search pays for a term it is the first to use; how many."""
        if self.embedder is None:
            return 0
        for term in self.synonyms.vocabulary():
            self.embedder.term(term)
        return self.embedder.terms_embedded

    def dense_ranking(
        self,
        query: str,
        n: int,
        edition: str | None = None,
        *,
        expansion_terms: Sequence[str] = (),
        expansion_mix: float = 0.0,
    ) -> list[tuple[str, float]]:
        """The n clauses nearest to the query as (clause_id, best sentence's cosine), best first.

        With ``expansion_terms`` (the documents' words for the query, from the synonym table) and
        ``expansion_mix`` > 0, a clause's score is (1 - mix) × its best cosine to the query +
        mix × its best cosine to the query pulled towards those words (``expansion_vector``):
        the user's phrasing keeps most of the say, the documents' vocabulary pulls the clause
        that uses it. One query embedding either way."""
        if not self.has_dense or n < 1:
            return []
        assert self.matrix is not None
        vector = self.query_vector(query)
        best = self.matrix.clause_similarities(vector, edition=edition)
        if expansion_terms and expansion_mix > 0:
            pulled = self.expansion_vector(vector, expansion_terms)
            other = self.matrix.clause_similarities(pulled, edition=edition)
            best = other if expansion_mix >= 1 else (1 - expansion_mix) * best + expansion_mix * other
        return self.matrix.top_clauses(best, n)

    def sentences(self, query: str, clause_ids: list[str], k: int) -> list[SentenceHit]:
        """The k sentences of the given clauses nearest to the query, best first."""
        if not self.has_dense or not clause_ids:
            return []
        assert self.matrix is not None
        return self.matrix.nearest(self.query_vector(query), k, clause_ids=clause_ids)


@dataclass
class IndexBuild:
    """An index built beside the live one: loaded and ready to serve, its dense collection (if
    new) not yet named by the stamp. A corpus change promotes it when it commits and reverts it
    when it fails; `settle` runs once the swap is final."""

    index: Index
    info: BuildInfo
    dense: DenseBuild | None = None

    def promote(self) -> None:
        if self.dense is not None:
            self.dense.promote()

    def revert(self) -> None:
        if self.dense is not None:
            self.dense.revert()

    def settle(self) -> None:
        if self.dense is not None:
            settle_build(self.index.settings, self.dense, self.info)

    def swap_in(self) -> None:
        """Promote now (a worker loading or following, not part of a change): a failed swap
        reverts and is an IndexBuildError; then settle."""
        try:
            self.promote()
        except Exception as exc:
            self.revert()
            raise IndexBuildError(f"向量索引构建失败（{type(exc).__name__}），原有索引保持不变") from exc
        self.settle()

    def figures(self) -> dict[str, Any]:
        """What an operator is told about the index a change built (and the change log keeps
        for a re-index)."""
        return {
            "documents": len(self.index.corpus.documents),
            "clauses": self.info.clauses,
            "embedded": self.info.embedded,
            "seconds": round(self.info.seconds, 2),
            "corpus_hash": self.info.corpus_hash,
        }


def prepare_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    corpus: Corpus | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> IndexBuild:
    """Load the corpus (the settings' folder unless `corpus` is given) and build both indexes
    for it, beside what is live: BM25 in memory, and a new Chroma collection when the stamped
    one is stale. Nothing is swapped: see IndexBuild.

    ``dense=False`` skips the embedding model and Chroma entirely (BM25 only): used when the
    configured fusion gives the dense side no weight, and by fast tests. The embedder is loaded
    before Chroma is opened, so a bad model setting fails with the index untouched.
    """
    started = time.perf_counter()
    corpus = corpus or load_corpus(settings.corpus_dir)
    tokenizer = cached_tokenizer(domain_terms(corpus, settings))
    sparse = SparseIndex.build(
        [c.search_text for c in corpus.clauses], tokenizer, [section_heading(c) for c in corpus.clauses]
    )
    synonyms = Synonyms.load(settings.corpus_dir / "data" / "synonyms.yaml")
    if not dense:
        info = BuildInfo(False, time.perf_counter() - started, len(corpus.clauses), corpus.content_hash, "")
        return IndexBuild(Index(corpus, sparse, synonyms, settings), info)
    embedder = embedder or load_embedder(settings.embedding_model)
    client = open_chroma(settings, chroma_embedding_function(embedder))
    built, info = prepare_collection(client, corpus, embedder, rebuild=rebuild, progress=progress)
    try:
        index = Index(corpus, sparse, synonyms, settings, embedder, built.collection)
    except BaseException:
        built.revert()
        raise
    info.seconds = time.perf_counter() - started
    return IndexBuild(index, info, built)


def load_index(
    settings: Settings,
    *,
    rebuild: bool = False,
    dense: bool = True,
    corpus: Corpus | None = None,
    embedder: Embedder | None = None,
    progress: Progress | None = None,
) -> tuple[Index, BuildInfo]:
    """Load the corpus and both indexes, building what is stale and swapping it in at once (a
    worker starting or following a change; an operator's change uses prepare_index and swaps
    when it commits)."""
    build = prepare_index(
        settings, rebuild=rebuild, dense=dense, corpus=corpus, embedder=embedder, progress=progress
    )
    build.swap_in()
    return build.index, build.info
