"""Retrieval eval: recall@1, recall@5, MRR and latency over evals/retrieval_gold.yaml.

A question counts as found at rank r when any of its expected clause ids is the r-th hit.
Latency is measured warm (after one untimed query) and reported as p50/p95 in milliseconds.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.evaluation.common import EvalResult
from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE, Retriever, load_retriever

THRESHOLDS = {"recall@5": 0.97, "mrr": 0.85}


def load_gold(path: Path) -> list[dict[str, Any]]:
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [item for item in items if item.get("question") and item.get("expected")]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def score(retriever: Retriever, gold: list[dict[str, Any]], k: int = 5) -> tuple[dict[str, float], list]:
    """Metrics and the list of misses (question, expected, what came back)."""
    retriever.search("预热", k=1)  # warm caches so latency is the steady state
    reciprocal, at1, at5, latencies, misses = [], 0, 0, [], []
    for item in gold:
        expected = set(item["expected"])
        started = time.perf_counter()
        hits = retriever.search(item["question"], k=k, min_evidence=MIN_SEARCH_EVIDENCE)
        latencies.append((time.perf_counter() - started) * 1000)
        ids = [h.clause.clause_id for h in hits]
        rank = next((r for r, cid in enumerate(ids, 1) if cid in expected), None)
        reciprocal.append(1 / rank if rank else 0.0)
        at1 += rank == 1
        at5 += rank is not None and rank <= 5
        if rank != 1:
            misses.append(
                {
                    "id": item.get("id"),
                    "question": item["question"],
                    "expected": sorted(expected),
                    "rank": rank,
                    "got": ids,
                }
            )
    n = len(gold)
    metrics = {
        "questions": float(n),
        "recall@1": at1 / n,
        "recall@5": at5 / n,
        "mrr": statistics.fmean(reciprocal),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
    }
    return metrics, misses


def run(settings: Settings, retriever: Retriever | None = None) -> EvalResult:
    """Score the gold set (thresholds apply) and, when present, the held-out set (reported only:
    it was written separately and is never used to tune, so it shows how far results generalise)."""
    retriever = retriever or load_retriever(settings)
    metrics, misses = score(retriever, load_gold(settings.evals_dir / "retrieval_gold.yaml"))
    heldout_path = settings.evals_dir / "retrieval_heldout.yaml"
    if heldout_path.exists():
        heldout, _ = score(retriever, load_gold(heldout_path))
        metrics.update({f"heldout {key}": value for key, value in heldout.items() if "ms" not in key})
    result = EvalResult("retrieval", metrics, dict(THRESHOLDS), failures=misses)
    result.write_report(settings.data_dir / "eval", {"fusion": retriever.fusion.__dict__})
    return result
