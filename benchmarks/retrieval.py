"""Retrieval benchmark: index build time, cold CLI search, warm search latency.

Run: .venv/bin/python benchmarks/retrieval.py [--rounds 3]
Prints figures with the machine's core count; numbers depend on load, so run on an idle machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from assistant.config import REPO_ROOT, Settings
from assistant.evaluation.retrieval import load_gold, percentile
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import FusionConfig, Retriever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the gold questions (warm)")
    args = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-"))
    settings = Settings(data_dir=data)

    started = time.perf_counter()
    index, info = load_index(settings, rebuild=True)
    build = time.perf_counter() - started
    questions = [g["question"] for g in load_gold(settings.evals_dir / "retrieval_gold.yaml")]

    env = {**os.environ, "ASSISTANT_DATA_DIR": str(data)}
    cli = str(Path(sys.executable).with_name("assistant"))
    started = time.perf_counter()
    subprocess.run(
        [cli, "search", "卓越级成熟度要求", "--json"], env=env, check=True, capture_output=True, cwd=REPO_ROOT
    )
    cold = time.perf_counter() - started

    rows = []
    for label, retriever in (
        ("default (BM25 words + bigrams)", Retriever(index)),
        (
            "with the bundled dense model at weight 0.1",
            Retriever(index, replace(FusionConfig(), dense_weight=0.1)),
        ),
    ):
        retriever.search("预热")
        timings = []
        for _ in range(args.rounds):
            for question in questions:
                t0 = time.perf_counter()
                retriever.search(question, k=5)
                timings.append((time.perf_counter() - t0) * 1000)
        rows.append((label, statistics.median(timings), percentile(timings, 0.95), len(timings)))

    print(f"machine: {os.cpu_count()} cores; corpus {info.clauses} clauses; model {info.model}")
    print(f"index build (fresh, embeddings + Chroma + BM25, as with a dense weight > 0): {build:.1f} s")
    print(f"cold `assistant search` (new process, index built, default settings): {cold:.1f} s")
    for label, p50, p95, n in rows:
        print(f"warm search, {label}: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {n} queries")


if __name__ == "__main__":
    main()
