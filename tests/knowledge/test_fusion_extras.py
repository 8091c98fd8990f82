"""Fusion extras on a small corpus: the section-heading ranking and the dense query that hears
the synonym table (both measured in README, "Retrieval")."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from assistant.config import Settings
from assistant.knowledge.corpus import Clause, Corpus, Document
from assistant.knowledge.embedding import Embedder
from assistant.knowledge.index import Index, SparseIndex, section_heading
from assistant.knowledge.retrieval import FusionConfig, Retriever
from assistant.knowledge.text import Synonyms, cached_tokenizer
from assistant.knowledge.units import UnitMatrix


def clause(doc_id: str, segment: str, path: tuple[str, ...], text: str) -> Clause:
    return Clause(f"{doc_id}#{segment}", doc_id, path[0], "2024", "official", "test", path, text)


def small_corpus() -> Corpus:
    documents = []
    for doc_id, title, clauses in (
        (
            "notice",
            "通知",
            [
                clause("notice", "1", ("通知", "组织实施"), "企业按要求准备申报材料清单所列材料并按时报送。"),
                clause("notice", "2", ("通知", "联系方式"), "联系电话010-12345678。"),
            ],
        ),
        (
            "materials",
            "附件",
            [clause("materials", "1", ("附件", "申报材料清单"), "企业基本情况、项目建设情况和成效。")],
        ),
    ):
        documents.append(
            Document(doc_id, title, "2024", "test", "official", title, "", None, None, tuple(clauses))
        )
    return Corpus(documents)


class RecordingEmbedder(Embedder):
    """Query vectors looked up by text; records what was embedded (a cached query is not)."""

    model_id = "stub"

    def __init__(self, vectors: dict[str, np.ndarray], default: np.ndarray) -> None:
        super().__init__()
        self.vectors, self.default, self.asked = vectors, default, []  # type: list[str]

    def _embed_query(self, text: str) -> np.ndarray:
        self.asked.append(text)
        return self.vectors.get(text, self.default)

    def _embed_passages(self, texts: list[str]) -> np.ndarray:
        raise AssertionError("a search embeds no passage")


#: The dense side on every query, however far ahead the lexical leader is.
ALWAYS_DENSE = FusionConfig(dense_skip_lead=math.inf)


def make_index(settings: Settings, synonyms: dict[str, list[str]] | None = None) -> Index:
    corpus = small_corpus()
    tokenizer = cached_tokenizer(())
    sparse = SparseIndex.build(
        [c.search_text for c in corpus.clauses], tokenizer, [section_heading(c) for c in corpus.clauses]
    )
    return Index(corpus, sparse, Synonyms(synonyms or {}), settings)


def test_section_heading_leaves_out_the_document_title(settings: Settings) -> None:
    corpus = small_corpus()
    assert [section_heading(c) for c in corpus.clauses] == ["组织实施", "联系方式", "申报材料清单"]


def test_a_question_naming_a_section_ranks_that_section_first(settings: Settings) -> None:
    index = make_index(settings)
    question = "申报材料清单里要写哪些内容"
    without = Retriever(index, FusionConfig(dense_weight=0, heading_weight=0)).search(question, k=3)
    with_headings = Retriever(index, FusionConfig(dense_weight=0)).search(question, k=3)
    # The notice's sentence repeats the words; the annex *is* the list the question names.
    assert without[0].clause.clause_id == "notice#1"
    assert with_headings[0].clause.clause_id == "materials#1"


def test_dense_ranking_mixes_in_the_query_pulled_towards_its_expansion(settings: Settings) -> None:
    index = make_index(settings)
    index.matrix = UnitMatrix(
        np.array([[1, 0], [0, 1], [0.6, 0.8]], dtype=np.float32),
        clause_ids=["notice#1", "notice#2", "materials#1"],
        sentences=["n1", "n2", "m1"],
        editions=["2024"] * 3,
        regions=[""] * 3,
    )
    asked = np.array([1, 0], dtype=np.float32)  # the user's words: nearest notice#1
    term = np.array([0, 1], dtype=np.float32)  # the documents' word: nearest notice#2
    index.embedder = RecordingEmbedder({"q": asked, "联系方式": term}, asked)
    assert index.dense_ranking("q", 1) == [("notice#1", 1.0)]
    assert index.dense_ranking("q", 1, expansion_terms=["联系方式"], expansion_mix=0) == [("notice#1", 1.0)]
    # Pulled halfway to the term, the query is nearest the clause near both.
    pulled = index.dense_ranking("q", 3, expansion_terms=["联系方式"], expansion_mix=1)
    assert pulled[0][0] == "materials#1"
    assert pulled[0][1] == pytest.approx((0.6 + 0.8) / np.sqrt(2), rel=1e-5)
    mixed = dict(index.dense_ranking("q", 3, expansion_terms=["联系方式"], expansion_mix=0.5))
    assert mixed["notice#1"] == pytest.approx(0.5 * 1 + 0.5 / np.sqrt(2), rel=1e-5)
    assert mixed["materials#1"] == pytest.approx(0.5 * 0.6 + 0.5 * (0.6 + 0.8) / np.sqrt(2), rel=1e-5)


def test_the_dense_query_carries_the_synonym_expansion_at_one_embedding(settings: Settings) -> None:
    """The expansion costs no embedding of its own once its terms are known: a term is embedded
    the first time any question expands to it, never again."""
    index = make_index(settings, {"电话": ["联系方式"]})
    unit = np.array([1, 0], dtype=np.float32)
    index.matrix = UnitMatrix(unit[None, :], ["notice#2"], ["n2"], ["2024"], [""])
    embedder = RecordingEmbedder({}, unit)
    index.embedder = embedder
    Retriever(index, ALWAYS_DENSE).search("发改委电话多少", k=1)
    assert embedder.asked == ["发改委电话多少", "联系方式"]
    embedder.asked.clear()
    Retriever(index, ALWAYS_DENSE).search("工信厅电话是什么", k=1)
    assert embedder.asked == ["工信厅电话是什么"]
    embedder.asked.clear()
    Retriever(index, replace(ALWAYS_DENSE, dense_expansion_mix=0)).search("发改委电话", k=1)
    assert embedder.asked == ["发改委电话"]


def test_warming_embeds_the_table_terms_once_for_every_later_search(settings: Settings) -> None:
    index = make_index(settings, {"电话": ["联系方式", "联系电话"], "座机": ["联系电话"]})
    unit = np.array([1, 0], dtype=np.float32)
    index.matrix = UnitMatrix(unit[None, :], ["notice#2"], ["n2"], ["2024"], [""])
    embedder = RecordingEmbedder({}, unit)
    index.embedder = embedder
    assert index.warm_terms() == 2 and sorted(embedder.asked) == ["联系方式", "联系电话"]
    embedder.asked.clear()
    Retriever(index, ALWAYS_DENSE).search("座机多少", k=1)
    assert embedder.asked == ["座机多少"]
    index.embedder = None
    assert index.warm_terms() == 0  # BM25 only: nothing to embed


def test_a_decisive_lexical_lead_skips_the_query_embedding(settings: Settings) -> None:
    """Only one clause says 联系电话: no dense score could overturn it, so none is computed. A
    question whose words two clauses share is still ranked with the dense side."""
    index = make_index(settings)
    index.matrix = UnitMatrix(
        np.eye(3, dtype=np.float32),
        ["notice#1", "notice#2", "materials#1"],
        ["n1", "n2", "m1"],
        ["2024"] * 3,
        [""] * 3,
    )
    embedder = RecordingEmbedder({}, np.array([1, 0, 0], dtype=np.float32))
    index.embedder = embedder
    retriever = Retriever(index, FusionConfig())
    assert retriever.skips_dense("联系电话") and not retriever.skips_dense("企业")
    assert retriever.search("联系电话", k=1)[0].clause.clause_id == "notice#2"
    assert embedder.asked == []
    retriever.search("企业", k=1)  # in notice#1 and materials#1 alike
    assert embedder.asked == ["企业"]
    embedder.asked.clear()
    Retriever(index, ALWAYS_DENSE).search("联系电话", k=1)
    assert embedder.asked == ["联系电话"]


def test_the_lexical_lead_is_judged_among_the_clauses_the_filters_keep(settings: Settings) -> None:
    retriever = Retriever(make_index(settings), FusionConfig())
    scores = np.array([3.0, 0.5, 0.4])
    assert retriever._lexical_lead_decides(scores, None)
    assert not retriever._lexical_lead_decides(scores, np.array([False, True, True]))
    assert retriever._lexical_lead_decides(scores, np.array([False, True, False]))  # one left
    assert not retriever._lexical_lead_decides(np.zeros(3), None)  # no lexical match at all


def test_the_lexical_twin_ranks_without_embedding_the_query(full_index: Index) -> None:
    """The answerer's follow-up keyword searches: BM25 only, so no query embedding is paid."""
    retriever = Retriever(full_index)
    twin = retriever.lexical
    assert twin is retriever.lexical and twin.fusion.dense_weight == 0
    embedder = full_index.embedder
    assert embedder is not None
    before = len(embedder._cache)
    hits = twin.search("材料邮寄 地址 从未问过的一句话", k=3)
    assert "notice#二.(三)" in [hit.clause.clause_id for hit in hits]
    assert len(embedder._cache) == before
    retriever.search("材料邮寄 地址 从未问过的一句话", k=3)
    assert len(embedder._cache) > before
