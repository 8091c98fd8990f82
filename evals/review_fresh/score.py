"""Re-score a fresh review set (drafts + gold.yaml written by a consultant who had not seen the
code) against the review as it is now: `python -m evals.review_fresh.score evals/review_fresh/<set>`.

Approximate, for development only: a gold defect counts as found when a finding's excerpt or
message shares a run of four characters with the defect's `where` (or `context`/`detail`), and a
finding whose excerpt shares one with a clean passage counts as a false alarm. Precision needs a
reading of every finding; each set's report.md has the strict figures of its first, untuned run,
which are the ones to quote. After that first run a set is tuning data, like the gold sets.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

from assistant.drafting import review_file


def _grams(text: str | None, n: int = 4) -> set[str]:
    text = text or ""
    return {text[i : i + n] for i in range(max(0, len(text) - n + 1))}


def score(folder: Path) -> dict[str, Any]:
    """found/total per kind, the misses and the false alarms of the review now."""
    raw = yaml.safe_load((folder / "gold.yaml").read_text(encoding="utf-8"))
    drafts = raw.get("drafts", raw)
    kinds: dict[str, list[int]] = {}
    misses: list[str] = []
    alarms: list[str] = []
    for name, gold in drafts.items():
        findings = review_file(folder / name).findings
        said = [f"{f.excerpt or ''} {f.message}" for f in findings]
        for defect in gold["defects"]:
            wanted = _grams(defect["where"]) | _grams(defect.get("context")) | _grams(defect.get("detail"))
            hit = any(wanted & _grams(text) for text in said)
            tally = kinds.setdefault(defect["kind"], [0, 0])
            tally[0] += hit
            tally[1] += 1
            if not hit:
                misses.append(f"{name} {defect['id']} {defect['kind']}: {defect['where']}")
        for clean in gold.get("clean_passages", []):
            alarms += [
                f"{name} {clean['id']} {f.code}: {f.excerpt}"
                for f in findings
                if _grams(clean["where"]) & _grams(f.excerpt)
            ]
    found = sum(k[0] for k in kinds.values())
    total = sum(k[1] for k in kinds.values())
    return {"found": found, "total": total, "kinds": kinds, "misses": misses, "alarms": alarms}


def main() -> None:
    result = score(Path(sys.argv[1]))
    for line in result["misses"]:
        print("未找到", line)
    for line in result["alarms"]:
        print("误报", line)
    for kind, (hit, total) in sorted(result["kinds"].items()):
        print(f"  {kind}: {hit}/{total}")
    print(
        f"找到 {result['found']}/{result['total']}；干净段落上的误报 {len(result['alarms'])} 条（近似计分，仅供开发）"
    )


if __name__ == "__main__":
    main()
