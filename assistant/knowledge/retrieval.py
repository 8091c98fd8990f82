"""Hybrid search: BM25 over jieba words, BM25 over character bigrams, and dense vectors, fused.

Why this shape: on Chinese questions against this corpus jieba-BM25 alone finds the right clause
in the top 5 about nine times in ten, the bundled English-centric MiniLM alone about one in five,
and equal-weight RRF of the two is far worse than BM25 alone (0.53 recall@5). Rank fusion throws
away how far ahead a BM25 hit is, so each ranking's scores are scaled to [0, 1] by its best score
and summed with weights. With the bundled model the dense side does not earn its place: at
weights 0.05–0.1 it changes no ranking of the gold or held-out sets, at 0.2 it trades one
recall@1 for one recall@5, and its query embedding is 97% of search time (it caps the API at
~75 searches/s on 2 cores against ~1500 without). So the measured default gives the bundled
model weight 0 and neither it nor Chroma is loaded; any other model (a Chinese one such as
bge-small-zh, by path) gets weight 0.8, and ASSISTANT_DENSE_WEIGHT overrides both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from assistant.config import BUNDLED_EMBEDDING_MODEL, Settings
from assistant.errors import RetrievalError
from assistant.knowledge.corpus import Clause
from assistant.knowledge.index import Index
from assistant.knowledge.text import normalise
from assistant.vocabulary import TIERS

MAX_K = 50
MAX_QUERY_CHARS = 500
DENSE_CANDIDATES = 50
# Typos users make for tier names: one wrong character in the suffix (卓越极, 领航及).
_TIER_TYPO = re.compile(r"(基础|先进|卓越|领航)[极及机集]")


@dataclass(frozen=True)
class FusionConfig:
    """Weights of each ranking in score fusion, and query-side options."""

    word_weight: float = 1.0
    bigram_weight: float = 1.0
    dense_weight: float = 0.0
    tier_boost: float = 0.3
    label_boost: float = 0.2
    synonym_weight: float = 0.5

    @classmethod
    def for_settings(cls, settings: Settings) -> FusionConfig:
        base = cls()
        if settings.dense_weight >= 0:
            return replace(base, dense_weight=settings.dense_weight)
        if settings.embedding_model != BUNDLED_EMBEDDING_MODEL:
            # Chinese/multilingual models were not measurable offline here; weigh them near BM25.
            return replace(base, dense_weight=0.8)
        return base  # bundled English model: weight 0, measured (module docstring)


@dataclass(frozen=True)
class Hit:
    """A clause with its fused score."""

    clause: Clause
    score: float

    def to_dict(self) -> dict[str, object]:
        return self.clause.to_hit(self.score)


def mentioned_tiers(query: str) -> set[str]:
    """Tier names in the query, also when typed with a common wrong last character."""
    fixed = _TIER_TYPO.sub(lambda m: m.group(1) + "级", query)
    return {tier for tier in TIERS if tier in fixed}


def _scaled(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the best one, so rankings on different scales can be summed."""
    best = float(scores.max()) if scores.size else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)


class Retriever:
    """Search the index; the one place where rankings are fused and filters applied."""

    def __init__(self, index: Index, fusion: FusionConfig | None = None) -> None:
        self.index = index
        self.fusion = fusion or FusionConfig.for_settings(index.settings)
        self._position = {c.clause_id: i for i, c in enumerate(index.corpus.clauses)}
        # Item labels ("生产作业" of "3.生产作业：…"), with 经营管理 read as 运营管理 as 附件2 does.
        self._labels = [normalise(c.label).replace("经营管理", "运营管理") for c in index.corpus.clauses]

    @property
    def editions(self) -> list[str]:
        return self.index.corpus.editions

    def prepare_query(self, query: str) -> tuple[str, str]:
        """(normalised query with tier typos fixed, synonym expansion terms)."""
        text = _TIER_TYPO.sub(lambda m: m.group(1) + "级", normalise(query))
        return text, self.index.synonyms.expand(text) if self.fusion.synonym_weight else ""

    def _sparse(self, score: Callable[[str], np.ndarray], text: str, expansion: str) -> np.ndarray:
        scores = score(text)
        if expansion:
            scores = scores + self.fusion.synonym_weight * score(expansion)
        return _scaled(scores)

    def _validate(self, query: str, k: int, edition: str | None) -> None:
        if not query or not query.strip():
            raise RetrievalError("查询内容不能为空，请输入要查找的问题或关键词")
        if len(query) > MAX_QUERY_CHARS:
            raise RetrievalError(f"查询内容过长（{len(query)}字），请控制在{MAX_QUERY_CHARS}字以内")
        if not 1 <= k <= MAX_K:
            raise RetrievalError(f"返回条数 k 应在1–{MAX_K}之间，收到 {k}")
        if edition is not None and edition not in self.editions:
            raise RetrievalError(f"没有 {edition} 年版的文件；现有版本：{'、'.join(self.editions)}")

    def fused_scores(self, query: str, edition: str | None = None) -> np.ndarray:
        """Weighted sum of the scaled rankings, with a boost for the one tier the query names."""
        fusion = self.fusion
        text, expansion = self.prepare_query(query)
        sparse = self.index.sparse
        fused = np.zeros(len(self.index.corpus.clauses), dtype=np.float64)
        if fusion.word_weight:
            fused += fusion.word_weight * self._sparse(sparse.word_scores, text, expansion)
        if fusion.bigram_weight:
            fused += fusion.bigram_weight * self._sparse(sparse.bigram_scores, text, expansion)
        if fusion.dense_weight and self.index.has_dense:
            dense = np.zeros_like(fused)
            for clause_id, similarity in self.index.dense_ranking(
                normalise(query), DENSE_CANDIDATES, edition
            ):
                dense[self._position[clause_id]] = max(similarity, 0.0)
            fused += fusion.dense_weight * _scaled(dense)
        tiers = mentioned_tiers(text)
        tier = next(iter(tiers)) if len(tiers) == 1 else None
        for i, clause in enumerate(self.index.corpus.clauses):
            if tier and tier in clause.heading:
                fused[i] *= 1 + fusion.tier_boost
            if self._labels[i] and self._labels[i] in text:
                fused[i] *= 1 + fusion.label_boost
        return fused

    def evidence(self, query: str) -> float:
        """How strongly the corpus matches the query at all: the best raw BM25 word score plus the
        best raw bigram score (synonym terms at their weight). Unlike fused scores, which are scaled
        to the best hit, this is comparable across queries, so a refusal threshold can be set on it.
        """
        text, expansion = self.prepare_query(query)
        sparse = self.index.sparse
        total = 0.0
        for score in (sparse.word_scores, sparse.bigram_scores):
            raw = score(text)
            if expansion:
                raw = raw + self.fusion.synonym_weight * score(expansion)
            total += float(raw.max()) if raw.size else 0.0
        return total

    def search(
        self, query: str, k: int = 5, edition: str | None = None, doc_ids: list[str] | None = None
    ) -> list[Hit]:
        """Top-k clauses for the query, optionally restricted to an edition and/or documents."""
        self._validate(query, k, edition)
        scores = self.fused_scores(query, edition)
        clauses = self.index.corpus.clauses
        hits = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] <= 0:
                break
            clause = clauses[int(i)]
            if edition and clause.edition != edition:
                continue
            if doc_ids and clause.doc_id not in doc_ids:
                continue
            hits.append(Hit(clause, float(scores[i])))
            if len(hits) == k:
                break
        return hits


def load_retriever(settings: Settings, *, rebuild: bool = False) -> Retriever:
    """Index + retriever for the configured settings; skips the model when dense has no weight."""
    from assistant.knowledge.index import load_index

    fusion = FusionConfig.for_settings(settings)
    index, _ = load_index(settings, rebuild=rebuild, dense=fusion.dense_weight > 0)
    return Retriever(index, fusion)
