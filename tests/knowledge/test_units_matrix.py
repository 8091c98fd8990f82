"""The in-memory unit matrix that searches rank from: same ranking as Chroma, filters as masks."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.evaluation.retrieval import load_gold
from assistant.knowledge.index import Index
from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE, Retriever
from assistant.knowledge.text import normalise
from assistant.knowledge.units import UnitMatrix


def small_matrix() -> UnitMatrix:
    vectors = np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0]]
    vectors[4] = np.array([0.8, 0.6, 0, 0], dtype=np.float32)
    return UnitMatrix(
        vectors,
        clause_ids=["a", "b", "c", "d", "e"],
        sentences=["a0", "b0", "c0", "d0", "e0"],
        editions=["2024", "2024", "2025", "2025", "2025"],
        regions=["", "北京", "", "北京", "北京"],
    )


def test_nearest_ranks_by_cosine_best_first() -> None:
    hits = small_matrix().nearest(np.array([1, 0.1, 0, 0], dtype=np.float32), 3)
    assert [h.clause_id for h in hits] == ["a", "e", "b"]
    assert hits[0].score == pytest.approx(1.0) and hits[0].sentence == "a0"


def test_filters_are_masks_on_edition_region_and_clauses() -> None:
    matrix = small_matrix()
    query = np.array([1, 0.1, 0.05, 0.02], dtype=np.float32)
    assert [h.clause_id for h in matrix.nearest(query, 5, edition="2025")] == ["e", "c", "d"]
    assert [h.clause_id for h in matrix.nearest(query, 5, region="北京")] == ["e", "b", "d"]
    both = matrix.nearest(query, 5, edition="2025", region="北京")
    assert [h.clause_id for h in both] == ["e", "d"]  # n above what the filter allows: only those
    assert [h.clause_id for h in matrix.nearest(query, 5, clause_ids=["c", "b"])] == ["b", "c"]
    assert matrix.nearest(query, 5, edition="2099") == []
    assert matrix.nearest(query, 0) == []


def test_a_clause_scores_as_its_best_sentence_among_those_the_filter_allows() -> None:
    matrix = UnitMatrix(
        np.array([[1, 0], [0, 1], [0.6, 0.8], [0.8, 0.6]], dtype=np.float32),
        clause_ids=["x", "x", "y", "z"],
        sentences=["x0", "x1", "y0", "z0"],
        editions=["2024", "2024", "2024", "2025"],
        regions=["", "", "", ""],
    )
    query = np.array([0, 1], dtype=np.float32)

    def best_clauses(n: int, edition: str | None = None) -> list[tuple[str, float]]:
        """How Index.dense_ranking ranks clauses by a query vector."""
        return matrix.top_clauses(matrix.clause_similarities(query, edition=edition), n)

    ranking = best_clauses(5)
    assert [cid for cid, _ in ranking] == ["x", "y", "z"]  # x by its second sentence, once
    assert ranking[0][1] == pytest.approx(1.0)
    assert [cid for cid, _ in best_clauses(1)] == ["x"]
    assert [cid for cid, _ in best_clauses(5, edition="2025")] == ["z"]


@pytest.mark.slow
def test_matrix_ranking_equals_chromas_on_the_shipped_corpus(full_index: Index) -> None:
    """Searches rank from memory; Chroma (the store of record) ranks the same units the same way."""
    assert full_index.matrix is not None and full_index.embedder is not None
    assert len(full_index.matrix) == full_index.collection.count()
    questions = [g["question"] for g in load_gold(full_index.settings.evals_dir / "retrieval_gold.yaml")]
    for question, edition in [(q, None) for q in questions[:15]] + [(q, "2025") for q in questions[15:20]]:
        vector = full_index.embedder.query(normalise(question))
        mine = full_index.matrix.nearest(vector, 10, edition=edition)
        chroma = full_index.collection.query(
            query_embeddings=[vector],
            n_results=10,
            where={"edition": edition} if edition else None,
            include=["distances", "metadatas"],
        )
        theirs = [
            (str(m["clause_id"]), str(m["sentence"]), 1.0 - float(d))
            for m, d in zip(chroma["metadatas"][0], chroma["distances"][0], strict=True)
        ]
        assert [h.score for h in mine] == pytest.approx([s for _, _, s in theirs], abs=1e-4)
        # Same units; the order may differ only between units of equal similarity.
        assert {(h.clause_id, h.sentence) for h in mine[:-1]} <= {(c, s) for c, s, _ in theirs}


@pytest.mark.slow
def test_the_evidence_gate_shares_tokens_without_changing_rankings(full_index: Index) -> None:
    retriever = Retriever(full_index)
    for question in ["卓越级智能工厂申报条件", "申报材料寄到哪里", "数字孪生 工厂的 建设要求？"]:
        gated = [
            (h.clause.clause_id, round(h.score, 9))
            for h in retriever.search(question, 5, min_evidence=MIN_SEARCH_EVIDENCE)
        ]
        plain = [(h.clause.clause_id, round(h.score, 9)) for h in retriever.search(question, 5)]
        assert gated == plain and gated
