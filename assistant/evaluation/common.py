"""What every eval returns, so `assistant eval all` can print one table and set one exit code."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class EvalResult:
    """One eval's figures: metrics by name, the thresholds they must meet, and where the report is."""

    name: str
    metrics: dict[str, float]
    thresholds: dict[str, float] = field(default_factory=dict)
    report_path: Path | None = None
    failures: list[dict[str, object]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(self.metrics.get(key, 0.0) >= bound for key, bound in self.thresholds.items())

    def write_report(self, directory: Path, extra: dict[str, object] | None = None) -> Path:
        """Write the JSON report (metrics, thresholds, failures, extra details) and remember its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.name}.json"
        payload = {k: v for k, v in asdict(self).items() if k != "report_path"}
        payload["passed"] = self.passed
        payload.update(extra or {})
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        self.report_path = path
        return path
