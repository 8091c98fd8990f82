"""Hybrid search: BM25 over jieba words, BM25 over character bigrams, and dense vectors, fused.

Why this shape: on Chinese questions against this corpus jieba-BM25 alone finds the right clause
in the top 5 about nine times in ten, and rank fusion (RRF) throws away how far ahead a BM25 hit
is, so each ranking's scores are scaled to [0, 1] and summed with weights. The dense side is the
bundled multilingual-e5-small over sentence units (knowledge/units.py): a clause scores as its
best sentence, and the ``dense_candidates`` best clauses get a dense score. e5 similarities sit in
a narrow band (0.75–0.9 for anything on topic), so they are min-max scaled over the candidates
rather than divided by the best one, which would give every candidate nearly the same boost. The
dense query also hears the synonym table: a clause's dense score mixes its similarity to the
question with its similarity to the question pulled towards the documents' words for it. When the
lexical rankings lead by more than the dense side could overturn, the dense side is skipped, and
with it the query embedding that is most of a search's cost. A small fourth
ranking, BM25 over section headings, lifts the section a question names (申报材料清单, 联系方式).
The defaults (dense weight, candidates, expansion mix, heading weight, skip lead) were chosen on
evals/retrieval_gold.yaml and evals/retrieval_heldout.yaml together (grid in README): a setting
is kept only if it lowers no figure of either set; clause-level vectors, a prior against
reference/draft documents and rank fusion did not earn their place. ASSISTANT_DENSE_WEIGHT
overrides the dense weight; 0 loads neither model nor Chroma.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from cachetools import LRUCache

from assistant.config import Settings
from assistant.errors import RetrievalError
from assistant.knowledge.corpus import Clause
from assistant.knowledge.index import Index, SentenceHit, split_sentences
from assistant.knowledge.text import normalise
from assistant.vocabulary import TIERS

MAX_K = 50
MAX_QUERY_CHARS = 500
#: Measured default weight of the dense ranking (README, "Evaluation"), for any embedding model.
DEFAULT_DENSE_WEIGHT = 0.8
#: Below this match evidence (Retriever.match_evidence) a user's search returns no hits. Measured
#: (README, "Searches that match nothing"): every gold and held-out question, domain term and word
#: of the corpus scores at least 0.02; keyboard mash, random strings, digits and punctuation score 0
#: (6 of 500 generated strings more, by sharing a real word with the corpus).
MIN_SEARCH_EVIDENCE = 0.01
#: What every interface says when a search has no hits.
NO_MATCH_MESSAGE = "没有找到相关条款。请换一种说法，或使用申报文件中的词语（如“卓越级”“关键设备数控化率”）。"
#: Searches whose hits are kept (per process): a repeated helpdesk question costs a lookup.
RESULT_CACHE_SIZE = 1024
# Typos users make for tier names: one wrong character in the suffix (卓越极, 领航及).
_TIER_TYPO = re.compile(r"(基础|先进|卓越|领航)[极及机集]")


@dataclass(frozen=True)
class FusionConfig:
    """Weights of each ranking in score fusion, and query-side options."""

    word_weight: float = 1.0
    bigram_weight: float = 1.0
    dense_weight: float = DEFAULT_DENSE_WEIGHT
    #: Clauses (ranked by their best sentence) that get a dense score per query; others get 0.
    dense_candidates: int = 40
    #: Share of a clause's dense score that comes from the query pulled towards its synonym
    #: expansion (Index.expansion_vector); 0 uses the user's words alone.
    dense_expansion_mix: float = 0.3
    #: Weight of BM25 over the clauses' section headings (index.section_heading), scaled like
    #: the other rankings: a question naming 申报材料清单 or 联系方式 lifts that section.
    heading_weight: float = 0.1
    #: A query whose lexical leader (BM25 sides, boosted) leads the runner-up by at least this ×
    #: the dense weight is ranked without the dense side, so it costs no query embedding
    #: (Retriever._lexical_lead_decides). Measured (README, "Evaluation"): at 1.25 it skips 34 %
    #: of the gold questions and 24 % of the held-out ones and changes no retrieval or answer eval
    #: figure (at 1.0 it skips 46 % / 42 % and costs gold MRR .004 and one held-out answer);
    #: ``math.inf`` never skips.
    dense_skip_lead: float = 1.25
    tier_boost: float = 0.3
    label_boost: float = 0.2
    synonym_weight: float = 0.5

    @classmethod
    def for_settings(cls, settings: Settings) -> FusionConfig:
        base = cls()
        if settings.dense_weight >= 0:
            return replace(base, dense_weight=settings.dense_weight)
        return base  # measured on the bundled model; re-measure another (README)


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


def _informative(tokens: list[str]) -> list[str]:
    """Tokens that can show a query is about something: two characters or more, and not one
    character repeated ("哈哈", "111", "www"). A lone digit or character matches by chance."""
    return [t for t in tokens if len(t) >= 2 and len(set(t)) > 1]


def _scaled(scores: np.ndarray) -> np.ndarray:
    """Scores divided by the best one, so rankings on different scales can be summed."""
    best = float(scores.max()) if scores.size else 0.0
    return scores / best if best > 0 else np.zeros_like(scores)


def _min_max(similarities: dict[int, float]) -> dict[int, float]:
    """Candidate similarities mapped to [0, 1]: the best 1, the weakest candidate 0."""
    if not similarities:
        return {}
    low, high = min(similarities.values()), max(similarities.values())
    span = high - low
    return {i: (s - low) / span if span > 0 else 1.0 for i, s in similarities.items()}


@dataclass(frozen=True)
class Query:
    """A query tokenised once per search: BM25, the evidence gate and the dense side share it."""

    text: str  # normalised, tier typos fixed
    expansion: str  # synonym expansion terms ("" when none)
    expansion_terms: list[str]  # the same, one table term each
    words: list[str]
    bigrams: list[str]
    expansion_words: list[str]
    expansion_bigrams: list[str]


def validate_query(query: str) -> None:
    """A user's search terms: not empty, at most MAX_QUERY_CHARS."""
    if not query or not query.strip():
        raise RetrievalError("查询内容不能为空，请输入要查找的问题或关键词")
    if len(query) > MAX_QUERY_CHARS:
        raise RetrievalError(f"查询内容过长（{len(query)}字），请控制在{MAX_QUERY_CHARS}字以内")


class Retriever:
    """Search the index; the one place where rankings are fused and filters applied."""

    def __init__(
        self, index: Index, fusion: FusionConfig | None = None, hidden: frozenset[str] = frozenset()
    ) -> None:
        self.index = index
        self.fusion = fusion or FusionConfig.for_settings(index.settings)
        clauses = index.corpus.clauses
        self._position = {c.clause_id: i for i, c in enumerate(clauses)}
        #: Documents this retriever never returns: another round's (``hiding``).
        self.hidden = hidden
        self._hidden_rows = np.asarray(
            [i for i, c in enumerate(clauses) if c.doc_id in hidden], dtype=np.int64
        )
        # Item labels ("生产作业" of "3.生产作业：…"), with 经营管理 read as 运营管理 as 附件2 does;
        # boosts are applied as masks over the clauses, not a Python loop per clause.
        labels: dict[str, list[int]] = {}
        for i, clause in enumerate(clauses):
            label = normalise(clause.label).replace("经营管理", "运营管理")
            if label:
                labels.setdefault(label, []).append(i)
        self._labels = {label: np.asarray(rows) for label, rows in labels.items()}
        self._tier_rows = {
            tier: np.asarray([i for i, c in enumerate(clauses) if tier in c.heading], dtype=np.int64)
            for tier in TIERS
        }
        # cachetools' LRUCache is not thread-safe by itself: every access holds _results_lock.
        self._results: LRUCache[tuple[object, ...], list[Hit]] = LRUCache(maxsize=RESULT_CACHE_SIZE)
        self._results_lock = threading.Lock()
        self.result_cache_hits = 0

    @property
    def editions(self) -> list[str]:
        return self.index.corpus.editions

    @property
    def dense_on(self) -> bool:
        """Whether searches may use the dense side: it has weight and the index has vectors."""
        return bool(self.fusion.dense_weight) and self.index.has_dense

    @cached_property
    def lexical(self) -> Retriever:
        """A BM25-only twin over the same index (built once): for the answerer's own follow-up
        searches ("<part of the question> 联系电话"), keyword queries where a query embedding
        (~10 ms each on this machine) buys little."""
        if not self.fusion.dense_weight:
            return self
        return Retriever(self.index, replace(self.fusion, dense_weight=0.0), self.hidden)

    def hiding(self, doc_ids: frozenset[str]) -> Retriever:
        """A twin over the same index that never returns these documents: a round's answers
        read its own documents and the shared ones, never another round's."""
        return self if doc_ids == self.hidden else Retriever(self.index, self.fusion, doc_ids)

    def prepare_query(self, query: str) -> tuple[str, list[str]]:
        """(normalised query with tier typos fixed, synonym expansion terms)."""
        text = _TIER_TYPO.sub(lambda m: m.group(1) + "级", normalise(query))
        return text, self.index.synonyms.terms(text) if self.fusion.synonym_weight else []

    def tokenise(self, query: str) -> Query:
        text, terms = self.prepare_query(query)
        expansion = " ".join(terms)
        tokenizer = self.index.sparse.tokenizer
        return Query(
            text,
            expansion,
            terms,
            tokenizer.words(text),
            tokenizer.bigrams(text),
            tokenizer.words(expansion) if expansion else [],
            tokenizer.bigrams(expansion) if expansion else [],
        )

    def _raw(self, q: Query, *, informative: bool = False) -> list[np.ndarray]:
        """Raw BM25 scores (words, bigrams), synonym terms added at their weight."""
        sparse = self.index.sparse
        pick = _informative if informative else list
        out = []
        for bm25, tokens, extra in (
            (sparse.words, q.words, q.expansion_words),
            (sparse.bigrams, q.bigrams, q.expansion_bigrams),
        ):
            raw = sparse.scores(bm25, pick(tokens))
            if extra:
                raw = raw + self.fusion.synonym_weight * sparse.scores(bm25, pick(extra))
            out.append(raw)
        return out

    def _heading_scores(self, q: Query) -> np.ndarray:
        """Raw BM25 scores of the query's words against the section headings (synonym terms at
        their weight)."""
        sparse = self.index.sparse
        raw = sparse.scores(sparse.headings, q.words)
        if q.expansion_words and self.fusion.synonym_weight:
            raw = raw + self.fusion.synonym_weight * sparse.scores(sparse.headings, q.expansion_words)
        return raw

    def _validate(self, query: str, k: int, edition: str | None) -> None:
        validate_query(query)
        if not 1 <= k <= MAX_K:
            raise RetrievalError(f"返回条数 k 应在1–{MAX_K}之间，收到 {k}")
        if edition is not None and edition not in self.editions:
            raise RetrievalError(f"没有 {edition} 年版的文件；现有版本：{'、'.join(self.editions)}")

    def fused_scores(self, query: str, edition: str | None = None) -> np.ndarray:
        """Weighted sum of the scaled rankings, with a boost for the one tier the query names."""
        return self._fused(query, self.tokenise(query), edition)

    def _fused(
        self,
        query: str,
        q: Query,
        edition: str | None,
        raw: list[np.ndarray] | None = None,
        allowed: np.ndarray | None = None,
    ) -> np.ndarray:
        """The fused scores; ``allowed`` (a boolean row mask) marks the clauses the caller's
        filters keep, among which the lexical lead is judged."""
        fusion = self.fusion
        fused, boost = self._lexical(q, raw)
        if self.dense_on and not self._lexical_lead_decides(fused, allowed):
            ranking = self.index.dense_ranking(
                normalise(query),
                fusion.dense_candidates,
                edition,
                expansion_terms=q.expansion_terms,
                expansion_mix=fusion.dense_expansion_mix,
            )
            similarities = {self._position[cid]: s for cid, s in ranking if cid in self._position}
            for i, scaled in _min_max(similarities).items():
                fused[i] += fusion.dense_weight * scaled * boost[i]
        fused[self._hidden_rows] = 0.0
        return fused

    def _lexical(self, q: Query, raw: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(the BM25 rankings' weighted sum, boosted; the per-clause boosts)."""
        fusion = self.fusion
        words, bigrams = raw if raw is not None else self._raw(q)
        fused = np.zeros(len(self.index.corpus.clauses), dtype=np.float64)
        if fusion.word_weight:
            fused += fusion.word_weight * _scaled(words)
        if fusion.bigram_weight:
            fused += fusion.bigram_weight * _scaled(bigrams)
        if fusion.heading_weight and self.index.sparse.headings is not None:
            fused += fusion.heading_weight * _scaled(self._heading_scores(q))
        boost = self._boosts(q)
        return fused * boost, boost

    def skips_dense(self, query: str, edition: str | None = None) -> bool:
        """Whether a search for the query ranks without the dense side, so embeds nothing: the
        dense side is off, or the lexical lead decides (``dense_skip_lead``)."""
        if not self.dense_on:
            return True
        lexical, _ = self._lexical(self.tokenise(query))
        return self._lexical_lead_decides(lexical, self._allowed(edition, None))

    def _boosts(self, q: Query) -> np.ndarray:
        """Per-clause multipliers: the one tier the query names, item labels it names."""
        boost = np.ones(len(self.index.corpus.clauses), dtype=np.float64)
        tiers = mentioned_tiers(q.text)
        if len(tiers) == 1:
            boost[self._tier_rows[next(iter(tiers))]] *= 1 + self.fusion.tier_boost
        for label, rows in self._labels.items():
            if label in q.text:
                boost[rows] *= 1 + self.fusion.label_boost
        return boost

    def _lexical_lead_decides(self, lexical: np.ndarray, allowed: np.ndarray | None) -> bool:
        """Whether the lexical leader is so far ahead that the dense side is skipped (no query
        embedding): ahead of the runner-up by ``dense_skip_lead`` × the dense weight, the dense
        side at full strength (a scaled score of 1 for the runner-up, 0 for the leader) could
        not overturn it, save through a tier or label boost."""
        scores = lexical if allowed is None else lexical[allowed]
        if scores.size < 2:
            return scores.size == 1
        second, first = np.partition(scores, -2)[-2:]
        return bool(first > 0 and first - second >= self.fusion.dense_skip_lead * self.fusion.dense_weight)

    def evidence(self, query: str) -> float:
        """How strongly the corpus matches the query at all: the best raw BM25 word score plus the
        best raw bigram score (synonym terms at their weight). Unlike fused scores, which are scaled
        to the best hit, this is comparable across queries, so a refusal threshold can be set on it.
        """
        return sum(float(raw.max()) if raw.size else 0.0 for raw in self._raw(self.tokenise(query)))

    def match_evidence(self, query: str) -> float:
        """Like ``evidence``, counting only informative tokens (``_informative``): 0 when the query
        shares no real word with the corpus. Search gates on it (MIN_SEARCH_EVIDENCE), because the
        dense side ranks *something* first for any string at all."""
        return self._match_evidence(self.tokenise(query))[0]

    def _match_evidence(self, q: Query) -> tuple[float, list[np.ndarray] | None]:
        """(match evidence, the full raw scores when every token was informative, for reuse)."""
        every = (q.words, q.bigrams, q.expansion_words, q.expansion_bigrams)
        all_informative = all(len(_informative(tokens)) == len(tokens) for tokens in every)
        raw = self._raw(q, informative=True)
        total = sum(float(r.max()) if r.size else 0.0 for r in raw)
        return total, raw if all_informative else None

    def evidence_sentences(self, question: str, hits: list[Hit], k: int = 3) -> list[SentenceHit]:
        """The k sentences of the hit clauses that best match the question, with scores, best
        first: what an answer should quote. Cosine similarity of the sentence units when the dense
        index is loaded; otherwise the share of the question's character bigrams a sentence has."""
        if not hits or k < 1:
            return []
        clause_ids = [hit.clause.clause_id for hit in hits]
        if self.index.has_dense:
            found = self.index.sentences(normalise(question), clause_ids, k)
            if found:
                return found
        wanted = set(self.index.sparse.tokenizer.bigrams(question))
        if not wanted:
            return []
        scored = [
            SentenceHit(
                hit.clause.clause_id,
                sentence,
                len(wanted & set(self.index.sparse.tokenizer.bigrams(sentence))) / len(wanted),
            )
            for hit in hits
            for sentence in split_sentences(hit.clause.text)
        ]
        scored.sort(key=lambda s: -s.score)
        return [s for s in scored[:k] if s.score > 0]

    def search(
        self,
        query: str,
        k: int = 5,
        edition: str | None = None,
        doc_ids: list[str] | None = None,
        *,
        min_evidence: float = 0.0,
    ) -> list[Hit]:
        """Top-k clauses for the query, optionally restricted to an edition and/or documents.

        With ``min_evidence`` (MIN_SEARCH_EVIDENCE for a user's search), a query whose
        ``match_evidence`` is below it has no hits. Results are kept in a small LRU per retriever
        (the index never changes under it), so a repeated query costs a dictionary lookup.

        A query over MAX_QUERY_CHARS (a long question: the service takes up to 2,000 characters)
        is searched by its last MAX_QUERY_CHARS, where a question's ask is; a user's search is
        held to the limit before it gets here (`validate_query`)."""
        query = query[-MAX_QUERY_CHARS:]
        self._validate(query, k, edition)
        key = (query, k, edition, tuple(doc_ids) if doc_ids else None, min_evidence, self.fusion)
        with self._results_lock:
            cached = self._results.get(key)  # a hit becomes the most recently used
            if cached is not None:
                self.result_cache_hits += 1
                return list(cached)
        hits = self._search(query, k, edition, doc_ids, min_evidence)
        with self._results_lock:
            self._results[key] = hits  # evicts the least recently used when full
        return list(hits)

    def _search(
        self, query: str, k: int, edition: str | None, doc_ids: list[str] | None, min_evidence: float
    ) -> list[Hit]:
        q, raw = self.tokenise(query), None
        if min_evidence > 0:
            evidence, raw = self._match_evidence(q)
            if evidence < min_evidence:
                return []
        scores = self._fused(query, q, edition, raw, self._allowed(edition, doc_ids))
        clauses = self.index.corpus.clauses
        hits = []
        for i in np.argsort(-scores, kind="stable"):
            if scores[i] <= 0:
                break
            clause = clauses[int(i)]
            if edition and clause.edition != edition:
                continue
            if (doc_ids and clause.doc_id not in doc_ids) or clause.doc_id in self.hidden:
                continue
            hits.append(Hit(clause, float(scores[i])))
            if len(hits) == k:
                break
        return hits

    def _allowed(self, edition: str | None, doc_ids: list[str] | None) -> np.ndarray | None:
        """The clauses a search's filters keep, as a row mask (None: all)."""
        if not edition and not doc_ids and not self.hidden:
            return None
        clauses = self.index.corpus.clauses
        return np.fromiter(
            (
                (not edition or c.edition == edition)
                and (not doc_ids or c.doc_id in doc_ids)
                and c.doc_id not in self.hidden
                for c in clauses
            ),
            dtype=bool,
            count=len(clauses),
        )


def load_retriever(settings: Settings, *, rebuild: bool = False) -> Retriever:
    """Index + retriever for the configured settings; skips the model when dense has no weight."""
    from assistant.knowledge.index import load_index

    fusion = FusionConfig.for_settings(settings)
    index, _ = load_index(settings, rebuild=rebuild, dense=fusion.dense_weight > 0)
    return Retriever(index, fusion)
