"""How near in meaning each sentence of the retrieved clauses is to the question.

The lead (compose.py) picks sentences by the words they share with the question. That misses
paraphrases: "会有人来厂里现场看吗" shares no word with "组织专家开展现场核查". The dense index
already holds every sentence of every clause as an embedded unit (knowledge/index.py), so the
cosine of a sentence to the question is one query of the unit index away. This module fetches those
cosines for the clauses a lead looks at — once per batch of clauses, not once per sentence — and
maps compose's sentences onto the index's units (the two split a clause alike, except that the
index keeps a short fragment with the sentence before it and keeps item numbers).
"""

from __future__ import annotations

from collections.abc import Iterable

from assistant.knowledge.corpus import Clause
from assistant.knowledge.index import split_sentences
from assistant.knowledge.retrieval import Retriever
from assistant.knowledge.text import normalise


class SentenceSimilarity:
    """For one question: ``similarity(clause, sentence)`` → how near in meaning the sentence is,
    0 for the farthest and 1 for the nearest sentence of the clauses first fetched (the retrieved
    pool), or None when no dense index is loaded or the sentence is not one of the clause's units.

    Relative, because multilingual-e5 cosines of on-topic sentences sit in a band ~0.03 wide
    (0.86–0.89 for one question's pool): what tells the answer apart is its place in the band.
    """

    def __init__(self, retriever: Retriever, question: str) -> None:
        self._retriever = retriever
        self._query = normalise(question)
        self._units: dict[str, list[tuple[str, float]]] = {}
        self._band: tuple[float, float] | None = None  # (lowest, highest) cosine of the pool

    @property
    def available(self) -> bool:
        return self._retriever.index.has_dense

    def prefetch(self, clauses: Iterable[Clause]) -> None:
        """Fetch the cosines of every unit of these clauses in one query."""
        if not self.available:
            return
        wanted = {c.clause_id: c for c in clauses if c.clause_id not in self._units}
        if not wanted:
            return
        units = sum(len(split_sentences(c.text)) for c in wanted.values())
        for clause_id in wanted:
            self._units[clause_id] = []
        hits = self._retriever.index.sentences(self._query, list(wanted), units)
        for hit in hits:
            self._units.setdefault(hit.clause_id, []).append((normalise(hit.sentence), hit.score))
        if self._band is None and hits:
            self._band = (min(h.score for h in hits), max(h.score for h in hits))

    def __call__(self, clause: Clause, sentence: str) -> float | None:
        if not self.available:
            return None
        if clause.clause_id not in self._units:
            self.prefetch([clause])
        text = normalise(sentence).strip("。；;，, ")
        if not text:
            return None
        scores = [score for unit, score in self._units[clause.clause_id] if text in unit or unit in text]
        if not scores or self._band is None:
            return None
        low, high = self._band
        return min(1.0, max(0.0, (max(scores) - low) / (high - low))) if high > low else 1.0
