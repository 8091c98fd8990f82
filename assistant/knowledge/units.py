"""Sentence units (what is embedded) and the in-memory matrix of their vectors (what is ranked).

Dense units are sentences, not clauses: each clause is split into its lines and sentences, each
under its innermost heading, and a clause scores as its best sentence. A whole clause mixes
several requirements into one vector; its one sentence about 材料邮寄 does not drown that way.

Why rank from a matrix rather than with a Chroma query (the issue asked to "filter on them in the
Chroma query"): Chroma stays the store of record (built, persisted or served, shared between
hosts, and read back here), but a search ranks the unit vectors held in memory as one float32
matrix: one matmul, an argpartition, and edition/region/clause filters as boolean masks.
Measured on this corpus (234 units; README, "Benchmarks"): a filtered Chroma query cost ~6 ms of
a search (request building, the Rust binding, metadata filtering, result marshalling), the
matmul ~0.05 ms; on the 50x corpus (~12k units, 18 MB per worker) ~1 ms. It is also exact where
HNSW is approximate, and a filter cannot starve it of candidates (HNSW with a selective
``where`` can return fewer than n). The cost: n × dim × 4 bytes per worker, and a worker ranks
the units it loaded — a rebuild by another host reaches it at its next load or reload, as BM25
always did. Past a few hundred thousand units the matmul would lose to HNSW; then query Chroma.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.knowledge.corpus import Corpus
from assistant.language import sentences

#: Bump when the way clauses are cut into units changes: a stamp of another scheme rebuilds.
UNIT_SCHEME = "sentences-v2"
#: A fragment shorter than this ("是。") is no unit of its own: it stays with the sentence before it.
MIN_SENTENCE_CHARS = 8


def split_sentences(text: str) -> list[str]:
    """A clause's units (assistant.language.sentences): its lines and sentences, ；ending one
    too, a fragment shorter than MIN_SENTENCE_CHARS kept with the sentence before it on its line."""
    return sentences(text, semicolons=True, min_chars=MIN_SENTENCE_CHARS)


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


@dataclass(frozen=True)
class SentenceHit:
    """A sentence of a clause with its cosine similarity to a question."""

    clause_id: str
    sentence: str
    score: float


class UnitMatrix:
    """Unit vectors as one normalised float32 matrix, with the metadata to filter them."""

    def __init__(
        self,
        vectors: np.ndarray,
        clause_ids: list[str],
        sentences: list[str],
        editions: list[str],
        regions: list[str],
    ) -> None:
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(clause_ids), -1)
        self.clause_ids = clause_ids
        self.sentences = sentences
        self.editions = np.asarray(editions, dtype=object)
        self.regions = np.asarray(regions, dtype=object)
        self._clause_index = np.asarray(clause_ids, dtype=object)
        # Each unit's clause as a small int, so a clause's best sentence is one ufunc call.
        self.clauses, self._clause_codes = np.unique(self._clause_index, return_inverse=True)

    @classmethod
    def from_collection(cls, collection: Any) -> UnitMatrix:
        """Every unit of a Chroma collection (embedded or over HTTP), in a stable order."""
        stored = collection.get(include=["embeddings", "metadatas"])
        order = sorted(range(len(stored["ids"])), key=lambda i: stored["ids"][i])
        metas = [stored["metadatas"][i] or {} for i in order]
        vectors = np.asarray([stored["embeddings"][i] for i in order], dtype=np.float32)
        return cls(
            vectors,
            [str(m.get("clause_id", "")) for m in metas],
            [str(m.get("sentence", "")) for m in metas],
            [str(m.get("edition", "")) for m in metas],
            [str(m.get("region", "")) for m in metas],
        )

    def __len__(self) -> int:
        return len(self.clause_ids)

    def mask(
        self,
        *,
        edition: str | None = None,
        region: str | None = None,
        clause_ids: list[str] | None = None,
    ) -> np.ndarray | None:
        """Units allowed by the filters (None: all of them)."""
        keep: np.ndarray | None = None
        for column, wanted in ((self.editions, edition), (self.regions, region)):
            if wanted is not None:
                match = column == wanted
                keep = match if keep is None else keep & match
        if clause_ids is not None:
            match = np.isin(self._clause_index, list(clause_ids))
            keep = match if keep is None else keep & match
        return keep

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of every unit to a normalised query vector."""
        return self.vectors @ np.asarray(vector, dtype=np.float32)

    def nearest(
        self,
        vector: np.ndarray,
        n: int,
        *,
        edition: str | None = None,
        region: str | None = None,
        clause_ids: list[str] | None = None,
    ) -> list[SentenceHit]:
        """The n units nearest to the vector among those the filters allow, best first."""
        if not len(self) or n < 1:
            return []
        scores = self.similarities(vector)
        keep = self.mask(edition=edition, region=region, clause_ids=clause_ids)
        if keep is not None:
            scores = np.where(keep, scores, -np.inf)
            n = min(n, int(keep.sum()))
        n = min(n, len(self))
        if n < 1:
            return []
        top = np.argpartition(-scores, n - 1)[:n] if n < len(self) else np.arange(len(self))
        top = top[np.argsort(-scores[top], kind="stable")]
        return [SentenceHit(self.clause_ids[i], self.sentences[i], float(scores[i])) for i in top]

    def clause_similarities(self, vector: np.ndarray, *, edition: str | None = None) -> np.ndarray:
        """Each clause's (``self.clauses``) best-sentence similarity to the vector, -inf for a
        clause with no unit the filter allows."""
        scores = self.similarities(vector).astype(np.float64)
        keep = self.mask(edition=edition)
        if keep is not None:
            scores = np.where(keep, scores, -np.inf)
        best = np.full(len(self.clauses), -np.inf)
        np.maximum.at(best, self._clause_codes, scores)
        return best

    def top_clauses(self, best: np.ndarray, n: int) -> list[tuple[str, float]]:
        """The n clauses with the highest of per-clause scores ``best``, best first."""
        n = min(n, int(np.isfinite(best).sum()))
        if n < 1:
            return []
        top = np.argpartition(-best, n - 1)[:n] if n < len(best) else np.arange(len(best))
        top = top[np.argsort(-best[top], kind="stable")]
        return [(str(self.clauses[i]), float(best[i])) for i in top]
