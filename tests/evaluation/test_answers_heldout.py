"""The held-out answer set loads, cites real clauses, and runs as its own eval with no gate."""

from __future__ import annotations

from pathlib import Path

import yaml

from assistant.config import REPO_ROOT
from assistant.evaluation import answers as eval_answers
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.retrieval import Retriever
from tests.fakes import make_service

HELDOUT = REPO_ROOT / "evals" / "answers_heldout.yaml"


def test_heldout_items_have_the_gold_schema_and_cite_real_clauses(corpus: Corpus) -> None:
    items = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    assert len(items) == 50 and len({i["id"] for i in items}) == 50
    for item in items:
        assert item["question"] and item["category"] and "refuse" in item, item["id"]
        assert all(corpus.get(c) is not None for c in item.get("cite") or []), item["id"]
        if item.get("profile"):
            assert set(item["expected"]) == {"highest_tier", "reachable_tier", "application"}


def test_heldout_eval_reads_its_own_file_and_is_never_a_gate(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    service = make_service(sparse_retriever, tmp_path)
    evals_dir = tmp_path / "evals"
    evals_dir.mkdir()
    items = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    picked = [i for i in items if i["id"] in ("h001", "h050")]
    (evals_dir / "answers_heldout.yaml").write_text(yaml.safe_dump(picked, allow_unicode=True), "utf-8")
    service.settings = service.settings.model_copy(update={"evals_dir": evals_dir})

    result = eval_answers.run_heldout(service.settings, service)

    assert result.name == "answers_heldout" and result.thresholds == {} and result.passed
    assert result.metrics["questions"] == 2.0
    assert result.report_path is not None and result.report_path.name == "answers_heldout.json"
