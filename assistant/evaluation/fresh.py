"""Fresh batches (evals/fresh/*.yaml): questions written by someone who saw neither the code nor
the other eval sets, golds first, and never used for tuning. Reported only, never a gate.

Each item is ``{id, kind, question, must: [regex], must_not: [regex]}``. A lead passes when its
first two sentences match every ``must`` and no ``must_not`` (the way the batch's author judged
it: the first sentences a user reads must carry the answer). Beside it, per kind, the baseline
the issue asks the lead to beat: the top retrieved clause quoted verbatim, judged by the same
regexes. A regex share is a floor on a reading: the closing notes report the strict reading.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.evaluation.common import EvalResult
from assistant.language import sentences
from assistant.service import AssistantService

#: The date the batches are written for: before every deadline of the 2024 round, as the gold sets.
AS_OF = "2024-11-01"


def first_sentences(text: str, n: int = 2) -> str:
    """The first `n` sentences of a lead, as the batch's author read them."""
    return "".join(sentences(text)[:n])


def passes(text: str, item: dict[str, Any]) -> bool:
    """Every ``must`` regex found in `text`, and no ``must_not``."""
    return all(re.search(p, text) for p in item.get("must") or []) and not any(
        re.search(p, text) for p in item.get("must_not") or []
    )


def batch_files(settings: Settings) -> list[Path]:
    return sorted((settings.evals_dir / "fresh").glob("*.yaml"))


def run(
    settings: Settings, service: AssistantService | None = None, files: list[Path] | None = None
) -> EvalResult:
    """Every fresh batch (or `files`): per kind, the share of leads that pass and of top clauses
    that would."""
    items = [
        item for path in files or batch_files(settings) for item in yaml.safe_load(path.read_text("utf-8"))
    ]
    if service is None:
        throwaway = f"sqlite:///{Path(tempfile.mkdtemp()) / 'fresh-sessions.db'}"
        service = AssistantService.from_settings(settings.model_copy(update={"database_url": throwaway}))
    as_of = dt.date.fromisoformat(AS_OF)
    lead_ok: dict[str, list[bool]] = defaultdict(list)
    top_ok: dict[str, list[bool]] = defaultdict(list)
    failures = []
    for item in items:
        answer = service.ask(item["question"], as_of=as_of)
        hits = service.retriever.search(item["question"], k=1)
        top = hits[0].clause.text if hits else ""
        ok = passes(first_sentences(answer.lead), item)
        lead_ok[item["kind"]].append(ok)
        top_ok[item["kind"]].append(passes(top, item))
        if not ok:
            failures.append({"id": item["id"], "question": item["question"], "lead": answer.lead[:300]})
    metrics: dict[str, float] = {"questions": float(len(items))}
    every_lead = [v for values in lead_ok.values() for v in values]
    every_top = [v for values in top_ok.values() for v in values]
    metrics["lead_share"] = sum(every_lead) / len(every_lead) if every_lead else 0.0
    metrics["top_clause_share"] = sum(every_top) / len(every_top) if every_top else 0.0
    for kind in sorted(lead_ok):
        metrics[f"lead_{kind}"] = sum(lead_ok[kind]) / len(lead_ok[kind])
        metrics[f"top_clause_{kind}"] = sum(top_ok[kind]) / len(top_ok[kind])
    result = EvalResult("fresh", metrics, {}, failures=failures)
    result.write_report(settings.data_dir / "eval", {"mode": "llm" if service.llm else "grounded"})
    return result
