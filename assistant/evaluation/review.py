"""Review eval: drafts with seeded defects (evals/review_gold/), scored on precision and recall.

Each case is a complete draft (the assistant's own example, which reviews clean) with defects
seeded in: figures out of range next to sound ones, absolute claims, trade secrets, instance
lines in the wrong form, parts of 附件3 missing, link coverage, names outside the catalogue. The
gold lists each defect as a finding code and a fragment the finding must point at (its excerpt,
or failing that its message).

Scored findings are every 必须修改 and 建议修改 plus the content 提示 (trade secrets, KPIs outside
附1); context notes (which edition was used, names taken from the 征求意见稿) are not defects.
- precision: scored findings that match a gold defect / scored findings;
- recall: gold defects matched by some finding / gold defects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.drafting import Finding, review_file
from assistant.evaluation.common import EvalResult

GOLD_DIR = Path("review_gold")
#: 提示 findings that report a defect (the other 提示 are context notes).
CONTENT_NOTES = frozenset({"trade_secret", "kpi_not_in_catalog"})


def scored(finding: Finding) -> bool:
    return finding.severity != "提示" or finding.code in CONTENT_NOTES


def _matches(finding: Finding, defect: dict[str, str]) -> bool:
    if finding.code != defect["code"]:
        return False
    fragment = defect["fragment"]
    return (
        fragment in (finding.excerpt or "")
        or (not finding.excerpt and fragment in finding.message)
        or (fragment in finding.message)
    )


def _score_case(case: dict[str, Any], gold_dir: Path, settings: Settings) -> dict[str, Any]:
    report = review_file(gold_dir / case["file"], edition=case.get("edition"), corpus_dir=settings.corpus_dir)
    findings = [f for f in report.findings if scored(f)]
    defects: list[dict[str, str]] = case["defects"]
    false_positives = [f for f in findings if not any(_matches(f, d) for d in defects)]
    missed = [d for d in defects if not any(_matches(f, d) for f in findings)]
    return {
        "file": case["file"],
        "findings": len(findings),
        "true_positives": len(findings) - len(false_positives),
        "defects": len(defects),
        "found": len(defects) - len(missed),
        "false_positives": [
            {"code": f.code, "severity": f.severity, "excerpt": f.excerpt, "message": f.message}
            for f in false_positives
        ],
        "missed": missed,
    }


def run(settings: Settings) -> EvalResult:
    gold_dir = settings.evals_dir / GOLD_DIR
    gold = yaml.safe_load((gold_dir / "cases.yaml").read_text(encoding="utf-8")) or {}
    results = [_score_case(case, gold_dir, settings) for case in gold.get("cases", [])]
    predicted = sum(r["findings"] for r in results)
    defects = sum(r["defects"] for r in results)
    result = EvalResult(
        name="review",
        metrics={
            "precision": sum(r["true_positives"] for r in results) / predicted if predicted else 0.0,
            "recall": sum(r["found"] for r in results) / defects if defects else 0.0,
            "drafts": float(len(results)),
            "defects": float(defects),
        },
        thresholds={"precision": 0.9, "recall": 0.9},
        failures=[r for r in results if r["false_positives"] or r["missed"]],
    )
    result.write_report(settings.data_dir / "eval", extra={"cases": results})
    return result
