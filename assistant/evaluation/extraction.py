"""Extraction eval over evals/extraction_gold.yaml: field-level precision and recall.

Each sentence's gold lists the facts a careful reader takes from it: stated facts, what-ifs and
conflicts. A prediction is a (kind, field, value) triple; precision is the share of predicted
triples that are in the gold, recall the share of gold triples predicted. A fact read from a
sentence that states nothing costs precision, so "电子版" read as an industry counts against.
"""

from __future__ import annotations

from typing import Any

import yaml

from assistant.answering.understanding.extract import Extraction, extract
from assistant.config import Settings
from assistant.evaluation.common import EvalResult

THRESHOLDS = {"precision": 0.97, "recall": 0.90}

Triple = tuple[str, str, Any]


def predicted(reading: Extraction) -> set[Triple]:
    out: set[Triple] = {("stated", f.field, f.value) for f in reading.stated()}
    out |= {("what_if", f.field, f.value) for f in reading.hypothetical()}
    out |= {("conflict", f.field, None) for f in reading.conflicts()}
    return out


def expected(item: dict[str, Any]) -> set[Triple]:
    out: set[Triple] = {("stated", k, v) for k, v in (item.get("facts") or {}).items()}
    out |= {("what_if", k, v) for k, v in (item.get("what_if") or {}).items()}
    out |= {("conflict", k, None) for k in item.get("conflict") or []}
    return out


def run(settings: Settings) -> EvalResult:
    items = yaml.safe_load((settings.evals_dir / "extraction_gold.yaml").read_text(encoding="utf-8")) or []
    hits = n_pred = n_gold = exact = 0
    failures: list[dict[str, object]] = []
    for item in items:
        got = predicted(extract(item["text"], settings.corpus_dir / "data"))
        want = expected(item)
        hits += len(got & want)
        n_pred += len(got)
        n_gold += len(want)
        exact += got == want
        if got != want:
            failures.append(
                {
                    "text": item["text"],
                    "extra": sorted(map(str, got - want)),
                    "missed": sorted(map(str, want - got)),
                }
            )
    metrics = {
        "sentences": float(len(items)),
        "facts": float(n_gold),
        "precision": hits / n_pred if n_pred else 1.0,
        "recall": hits / n_gold if n_gold else 1.0,
        "sentence_exact": exact / len(items) if items else 1.0,
    }
    result = EvalResult("extraction", metrics, dict(THRESHOLDS), failures=failures)
    result.write_report(settings.data_dir / "eval")
    return result
