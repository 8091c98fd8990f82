"""Answer eval over evals/answers_gold.yaml, for the mode in use (grounded unless an LLM is set).

- key-fact accuracy: share of questions whose answer contains every key fact (a list inside the
  list means any one of those forms); for questions that must be refused, refusing counts;
- citation precision: share of 【ids】 in answers that exist in the index and are listed in the
  answer's citations; citation recall: share of the gold clause ids the answers cite;
- verdict agreement: for questions with a profile, the answer's verdict equals what the checker
  says for that profile (and, reported apart, what the gold set expects);
- refusal accuracy, and latency p50/p95 per question (warm).
"""

from __future__ import annotations

import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from assistant.answering.citations import cited_ids
from assistant.answering.sessions import SessionStore
from assistant.config import Settings
from assistant.evaluation.common import EvalResult
from assistant.evaluation.retrieval import percentile
from assistant.service import Answer, AssistantService

THRESHOLDS = {"key_fact_accuracy": 0.90, "citation_precision": 1.0, "verdict_agreement": 1.0}


def has_fact(text: str, fact: str | list[str]) -> bool:
    options = fact if isinstance(fact, list) else [fact]
    return any(str(option) in text for option in options)


def _verdict(report: dict[str, Any] | None) -> tuple[Any, Any, Any]:
    if not report:
        return (None, None, None)
    return (report.get("highest_tier"), report.get("reachable_tier"), report["application"]["status"])


def score_item(service: AssistantService, item: dict[str, Any], answer: Answer) -> dict[str, Any]:
    refused = "refused" in answer.flags
    must_refuse = bool(item.get("refuse"))
    facts = item.get("key_facts") or []
    facts_ok = all(has_fact(answer.answer, f) for f in facts) and (refused or not must_refuse)
    if must_refuse and not facts:
        facts_ok = refused
    markers = cited_ids(answer.answer)
    listed = {c.clause_id for c in answer.citations}
    valid = [m for m in markers if m in listed and service.clause(m) is not None]
    gold_cites = item.get("cite") or []
    result: dict[str, Any] = {
        "id": item.get("id"),
        "facts_ok": facts_ok,
        "refused": refused,
        "must_refuse": must_refuse,
        "markers": len(markers),
        "valid_markers": len(valid),
        "gold_cites": len(gold_cites),
        "gold_cited": sum(1 for c in gold_cites if c in markers),
    }
    if item.get("profile"):
        as_of = dt.date.fromisoformat(str(item.get("as_of") or "2024-11-01"))
        expected = service.check(item["profile"], as_of=as_of).model_dump(mode="json")
        result["verdict_agrees"] = _verdict(answer.verdict) == _verdict(expected)
        gold = item.get("expected") or {}
        result["gold_agrees"] = _verdict(answer.verdict) == (
            gold.get("highest_tier"),
            gold.get("reachable_tier"),
            gold.get("application"),
        )
    return result


def run(settings: Settings, service: AssistantService | None = None) -> EvalResult:
    items = yaml.safe_load((settings.evals_dir / "answers_gold.yaml").read_text(encoding="utf-8")) or []
    if service is None:
        service = AssistantService.from_settings(settings)
    # Answers go to a throwaway session store so the eval never writes into real sessions.
    service.sessions = SessionStore(Path(tempfile.mkdtemp()) / "eval-sessions.db")
    service.ask("预热")
    rows, latencies = [], []
    for item in items:
        as_of = dt.date.fromisoformat(str(item.get("as_of") or dt.date.today().isoformat()))
        started = time.perf_counter()
        answer = service.ask(item["question"], profile=item.get("profile"), as_of=as_of)
        latencies.append((time.perf_counter() - started) * 1000)
        row = score_item(service, item, answer)
        row["question"] = item["question"]
        if not row["facts_ok"]:
            row["answer"] = answer.answer[:400]
            row["key_facts"] = item.get("key_facts")
        rows.append(row)
    with_profile = [r for r in rows if "verdict_agrees" in r]
    markers = sum(r["markers"] for r in rows)
    gold_cites = sum(r["gold_cites"] for r in rows)
    metrics = {
        "questions": float(len(rows)),
        "key_fact_accuracy": statistics.fmean(r["facts_ok"] for r in rows),
        "citation_precision": (sum(r["valid_markers"] for r in rows) / markers) if markers else 1.0,
        "citation_recall": (sum(r["gold_cited"] for r in rows) / gold_cites) if gold_cites else 1.0,
        "verdict_agreement": statistics.fmean(r["verdict_agrees"] for r in with_profile)
        if with_profile
        else 1.0,
        "verdict_vs_gold": statistics.fmean(r["gold_agrees"] for r in with_profile) if with_profile else 1.0,
        "refusal_accuracy": statistics.fmean(r["refused"] == r["must_refuse"] for r in rows),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
    }
    failures = [
        r
        for r in rows
        if not r["facts_ok"] or r.get("verdict_agrees") is False or r["refused"] != r["must_refuse"]
    ]
    result = EvalResult("answers", metrics, dict(THRESHOLDS), failures=failures)
    result.write_report(settings.data_dir / "eval", {"mode": "llm" if service.llm else "grounded"})
    return result
