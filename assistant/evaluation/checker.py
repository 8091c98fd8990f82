"""Checker eval: the gold profiles of evals/checker_gold.yaml must get exactly the expected verdicts.

The gold set is written from the text, so a mismatch is either a checker bug or a disagreement
about the reading of the text; either way it must be looked at, hence the 100% threshold.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.evaluation.common import EvalResult
from assistant.rules import CheckReport, check, load_rules, parse_profile

GOLD_FILE = "checker_gold.yaml"
DEFAULT_AS_OF = dt.date(2024, 11, 15)
_EXPECTED_KEYS = ("highest_tier", "reachable_tier", "application", "window_open", "region_overlay")


def _set_path(data: dict[str, Any], path: str, value: Any) -> None:
    section, _, name = path.partition(".")
    if not name:
        data[section] = value
        return
    data.setdefault(section, {})[name] = value


def _unset_path(data: dict[str, Any], path: str) -> None:
    section, _, name = path.partition(".")
    if not name:
        data.pop(section, None)
    elif isinstance(data.get(section), dict):
        data[section].pop(name, None)


def build_profile_data(case: Mapping[str, Any], bases: Mapping[str, Any]) -> dict[str, Any]:
    """A case's profile: a deep copy of its base, then ``unset`` paths, then ``set`` values."""
    data = copy.deepcopy(dict(bases.get(case.get("base", ""), {}) or {}))
    for path in case.get("unset", []) or []:
        _unset_path(data, path)
    for path, value in (case.get("set") or {}).items():
        _set_path(data, path, value)
    return data


def actual_values(report: CheckReport) -> dict[str, Any]:
    """The figures the gold set speaks about, in the gold set's vocabulary."""
    return {
        "highest_tier": report.highest_tier,
        "reachable_tier": report.reachable_tier,
        "application": report.application.status,
        "window_open": report.application.window_open,
        "region_overlay": report.application.region_overlay,
    }


def _score_case(case: Mapping[str, Any], bases: Mapping[str, Any], rules_dir: Path) -> dict[str, Any]:
    expected = {k: v for k, v in (case.get("expect") or {}).items() if k in _EXPECTED_KEYS}
    try:
        profile = parse_profile(build_profile_data(case, bases))
        rules = load_rules(rules_dir, case.get("edition"))
        report = check(profile, rules, case.get("as_of") or DEFAULT_AS_OF)
    except AssistantError as exc:
        return {"id": case.get("id"), "ok": False, "error": exc.message, "expected": expected}
    actual = actual_values(report)
    wrong = {k: {"expected": v, "actual": actual[k]} for k, v in expected.items() if actual[k] != v}
    return {"id": case.get("id"), "ok": not wrong, "wrong": wrong, "expected": expected}


def run(settings: Settings) -> EvalResult:
    """Score every gold case; accuracy = share of cases whose expected fields all match."""
    gold = yaml.safe_load((settings.evals_dir / GOLD_FILE).read_text(encoding="utf-8")) or {}
    bases, cases = gold.get("bases", {}), gold.get("cases", [])
    rules_dir = settings.corpus_dir / "rules"
    scored = [_score_case(case, bases, rules_dir) for case in cases]
    total = len(scored) or 1

    def field_accuracy(key: str) -> float:
        relevant = [s for s in scored if key in s["expected"]]
        good = [s for s in relevant if "error" not in s and key not in s["wrong"]]
        return len(good) / len(relevant) if relevant else 1.0

    result = EvalResult(
        name="checker",
        metrics={
            "accuracy": sum(s["ok"] for s in scored) / total,
            "highest_tier_accuracy": field_accuracy("highest_tier"),
            "reachable_tier_accuracy": field_accuracy("reachable_tier"),
            "application_accuracy": field_accuracy("application"),
            "cases": float(len(scored)),
        },
        thresholds={"accuracy": 1.0},
        failures=[s for s in scored if not s["ok"]],
    )
    result.write_report(settings.data_dir / "eval", extra={"gold_file": str(settings.evals_dir / GOLD_FILE)})
    return result
