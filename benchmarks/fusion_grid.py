"""Fusion grid: retrieval eval figures for dense weights × candidate clauses × expansion mix ×
heading weight × skip lead, on gold and held-out, with how many questions skip the dense side.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/fusion_grid.py [--weights 0,0.1,0.2] [--candidates 30,60]
    [--mixes 0,0.3] [--headings 0,0.1] [--skip-leads 1,1.25,inf]
Builds (or reuses) the index of the configured embedding model under a temporary data dir and
prints one Markdown row per setting: the tables in docs/evaluation.md come from here.
Query embeddings are cached, so the grid costs one embedding per distinct question.
"""

from __future__ import annotations

import argparse
import itertools
import tempfile
from dataclasses import replace
from pathlib import Path

from assistant.config import Settings
from assistant.evaluation.retrieval import load_gold, score
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import FusionConfig, Retriever


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", default="0,0.7,0.8")
    # Clauses (ranked by their best sentence) given a dense score; the rest get 0.
    parser.add_argument("--candidates", default="20,40")
    # Share of the dense score from the query + its synonym expansion (FusionConfig).
    parser.add_argument("--mixes", default="0,0.3")
    # Weight of BM25 over section headings (FusionConfig.heading_weight).
    parser.add_argument("--headings", default="0,0.1")
    # FusionConfig.dense_skip_lead: a lexical lead of this × the dense weight skips the dense side.
    parser.add_argument("--skip-leads", default="1.25")
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    settings = Settings(data_dir=args.data_dir or Path(tempfile.mkdtemp(prefix="grid-")))
    index, info = load_index(settings)
    gold = load_gold(settings.evals_dir / "retrieval_gold.yaml")
    heldout = load_gold(settings.evals_dir / "retrieval_heldout.yaml")
    print(f"model {info.model}; {info.units} sentence units over {info.clauses} clauses")
    print(
        "| dense weight | candidates | expansion mix | heading weight | skip lead "
        "| gold R@1 | gold R@5 | gold MRR | gold skipped "
        "| held-out R@1 | held-out R@5 | held-out MRR | held-out skipped |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    floats = lambda text: [float(x) for x in text.split(",")]  # noqa: E731
    for candidates, weight, mix, heading, lead in itertools.product(
        [int(c) for c in args.candidates.split(",")],
        floats(args.weights),
        floats(args.mixes),
        floats(args.headings),
        floats(args.skip_leads),
    ):
        fusion = replace(
            FusionConfig(),
            dense_weight=weight,
            dense_candidates=candidates,
            dense_expansion_mix=mix,
            heading_weight=heading,
            dense_skip_lead=lead,
        )
        retriever = Retriever(index, fusion)
        g, _ = score(retriever, gold)
        h, _ = score(retriever, heldout)
        skipped = [
            sum(retriever.skips_dense(item["question"]) for item in items) for items in (gold, heldout)
        ]
        print(
            f"| {weight:g} | {candidates} | {mix:g} | {heading:g} | {lead:g} "
            f"| {g['recall@1']:.3f} | {g['recall@5']:.3f} | {g['mrr']:.3f} | {skipped[0]}/{len(gold)} "
            f"| {h['recall@1']:.3f} | {h['recall@5']:.3f} | {h['mrr']:.3f} | {skipped[1]}/{len(heldout)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
