"""`assistant ask` for a single question, a batch (TXT/CSV/XLSX) and the helpdesk XLSX output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.interfaces.cli import main as cli

runner = CliRunner()


@pytest.fixture(autouse=True)
def bm25_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", dense_weight=0.0, llm_base_url=None, llm_model=None)
    monkeypatch.setattr(cli.state, "settings", settings)
    return settings


def test_ask_json_is_the_answer_contract() -> None:
    result = runner.invoke(cli.app, ["ask", "每个省最多推荐几个项目", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"answer", "mode", "citations", "verdict", "missing_facts", "session"} <= data.keys()
    assert data["mode"] == "grounded" and "20个" in data["answer"]
    assert all(f"【{c['clause_id']}】" in data["answer"] for c in data["citations"])


def test_ask_with_profile_and_session(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"enterprise": {"legal_form": "branch", "industry": "有色金属"}}), "utf-8")
    first = json.loads(
        runner.invoke(cli.app, ["ask", "能报卓越级吗", "--profile", str(profile), "--json"]).stdout
    )
    legal = next(r for r in first["verdict"]["application"]["requirements"] if r["id"] == "app.legal_form")
    assert legal["status"] == "met"
    second = json.loads(
        runner.invoke(cli.app, ["ask", "成熟度三级", "--session", first["session"], "--json"]).stdout
    )
    assert second["session"] == first["session"]
    assert second["profile"]["enterprise"]["industry"] == "有色金属"


def test_batch_xlsx_in_xlsx_out_keeps_order(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["编号", "问题"])
    for i, q in enumerate(["企业线上申报截止时间", "", "质量管控属于哪个环节"]):
        book.active.append([i, q])
    source, target = tmp_path / "q.xlsx", tmp_path / "out" / "answers.xlsx"
    book.save(source)
    result = runner.invoke(cli.app, ["ask", "--batch", str(source), "--out", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(target).active.iter_rows(values_only=True))
    assert rows[0] == ("问题", "回答", "引用条款", "核验结论", "模式")
    assert [r[0] for r in rows[1:]] == ["企业线上申报截止时间", "质量管控属于哪个环节"]
    assert "2024年11月22日" in rows[1][1] and "notice#二.(二).1" in rows[1][2]


def test_batch_csv_json_list(tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("问题\n分公司能报吗\n内蒙古截止时间\n", encoding="utf-8")
    data = json.loads(runner.invoke(cli.app, ["ask", "--batch", str(source), "--json"]).stdout)
    assert len(data) == 2 and all(d["mode"] == "grounded" for d in data)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask"], "二者选一"),
        (["ask", "x", "--profile", "/nope.json"], "找不到企业画像文件"),
        (["ask", "--batch", "/nope.csv"], "找不到文件"),
        (["ask", "  "], "不能为空"),
        (["ask", "截止时间", "--as-of", "2024-13-01"], "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_a_chinese_error(args: list[str], message: str) -> None:
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_a_batch_is_answered_as_on_the_day_given(tmp_path: Path) -> None:
    """--as-of: a helpdesk (or a judge) answers as on a day, the window open or closed then."""
    source = tmp_path / "q.txt"
    source.write_text("企业线上申报截止时间？\n", encoding="utf-8")
    before, after = (
        json.loads(runner.invoke(cli.app, ["ask", "--batch", str(source), "--json", "--as-of", day]).stdout)[
            0
        ]
        for day in ("2024-11-01", "2026-12-07")
    )
    assert "已无法申报" not in before["lead"] and "本轮已无法申报" in after["lead"]


def test_batch_without_question_column_names_the_columns(tmp_path: Path) -> None:
    source = tmp_path / "q.csv"
    source.write_text("编号,内容\n1,截止时间\n", encoding="utf-8")
    result = runner.invoke(cli.app, ["ask", "--batch", str(source)])
    assert result.exit_code == 2 and "问题" in result.stderr and "编号、内容" in result.stderr


def test_bad_profile_json_names_the_field(tmp_path: Path) -> None:
    profile = tmp_path / "p.json"
    profile.write_text(json.dumps({"maturity": {"level": 7}}), "utf-8")
    result = runner.invoke(cli.app, ["ask", "能报吗", "--profile", str(profile)])
    assert result.exit_code == 2 and "maturity.level" in result.stderr and "7" in result.stderr


def test_explain_shows_how_the_question_was_read_and_answered() -> None:
    """A wrong answer is traced to its step: the plan names the route and what happened."""
    result = runner.invoke(cli.app, ["ask", "领航级今年能报吗", "--explain"])
    assert result.exit_code == 0, result.output
    assert "回答路径" in result.output and "other_round_tier" in result.output
    data = json.loads(runner.invoke(cli.app, ["ask", "申报需要附上专利证书吗", "--json"]).stdout)
    assert data["plan"]["yes_no"] is True and data["lead"].startswith("现有文件未提及“附上专利证书”")
    assert any(step.startswith("unset_requirement") for step in data["plan"]["steps"])
    refused = json.loads(runner.invoke(cli.app, ["ask", "推荐几家做MES的供应商", "--json"]).stdout)
    assert refused["plan"]["route"] == "refuse_vendor"
