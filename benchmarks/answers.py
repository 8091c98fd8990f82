"""Grounded answer benchmark: warm latency of the composer alone and of a full ask (sessions
included), over the questions of evals/answers_gold.yaml.

Run: .venv/bin/python benchmarks/answers.py [--rounds 2]
Prints p50/p95 in ms with the machine's core count; numbers depend on load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path

import yaml

from assistant.config import Settings
from assistant.evaluation.retrieval import percentile
from assistant.service import AssistantService


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the gold questions (warm)")
    args = parser.parse_args()
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-")), chroma_url=None)
    items = yaml.safe_load((settings.evals_dir / "answers_gold.yaml").read_text(encoding="utf-8"))
    items = [i for i in items if not i.get("ingest")]
    service = AssistantService.from_settings(settings)
    as_of = dt.date(2024, 11, 1)
    service.ask("预热", as_of=as_of)
    composer, full = [], []
    for _ in range(args.rounds):
        for item in items:
            started = time.perf_counter()
            service.grounded.answer(item["question"], item.get("profile") or {}, as_of)
            composer.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            service.ask(item["question"], profile=item.get("profile"), as_of=as_of)
            full.append((time.perf_counter() - started) * 1000)
    print(f"cores={os.cpu_count()} questions={len(items)} rounds={args.rounds}")
    for name, values in (("grounded composer", composer), ("full ask", full)):
        print(f"{name}: p50={percentile(values, 0.5):.1f} ms  p95={percentile(values, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
