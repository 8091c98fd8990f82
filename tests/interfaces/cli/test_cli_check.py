"""`assistant check` on its own small typer app, and the Markdown/table renderings of a report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from assistant.config import REPO_ROOT
from assistant.interfaces.cli.check import register
from assistant.knowledge.corpus import load_corpus
from assistant.rules import CheckReport, check, load_rules, parse_profile, render_markdown, render_table
from tests.profiles import EXCELLENT as BASE_EXCELLENT
from tests.profiles import LEADING, variant

RULES = load_rules(REPO_ROOT / "corpus" / "rules")

# 卓越级 with 工厂建设 only at 先进级 (原则上 → conditional) and the fifth link under its 领航级
# name 经营管理: the application is conditional, the highest met tier 先进级.
EXCELLENT: dict[str, Any] = variant(
    BASE_EXCELLENT,
    {"maturity.assessed_by": "self"},
    unset=("links",),
)
EXCELLENT["links"] = {
    "工厂建设": "先进级",
    "研发设计": "卓越级",
    "生产作业": "卓越级",
    "生产管理": "卓越级",
    "经营管理": "卓越级",
}


@pytest.fixture
def app() -> typer.Typer:
    """A fresh app with a callback, so `check` stays a named subcommand as in the real CLI."""
    application = typer.Typer()

    @application.callback()
    def main() -> None:
        """测试用命令行。"""

    register(application)
    return application


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(tmp_path: Path, content: str, name: str = "p.json") -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def _profile_file(tmp_path: Path, data: dict[str, Any] | None = None) -> Path:
    return _write(tmp_path, json.dumps(EXCELLENT if data is None else data, ensure_ascii=False))


def test_json_output_is_one_check_report(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_profile_file(tmp_path)), "--as-of", "2024-11-15", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    report = CheckReport.model_validate(payload)
    assert (report.highest_tier, report.reachable_tier) == ("先进级", "卓越级")
    assert payload["as_of"] == "2024-11-15"
    assert payload["application"]["status"] == "conditional"
    assert payload["edition"] == "2024"


def test_json_output_after_the_deadline_says_the_window_closed(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    result = runner.invoke(app, ["check", str(_profile_file(tmp_path)), "--as-of", "2026-11-25", "--json"])
    payload = json.loads(result.stdout)
    assert payload["application"]["window_open"] is False
    assert "2024年11月22日" in payload["application"]["window_message"]
    assert payload["highest_tier"] == "先进级"


def test_default_as_of_is_today(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_profile_file(tmp_path)), "--json"])
    assert json.loads(result.stdout)["as_of"] == dt.date.today().isoformat()


def test_edition_option_selects_the_rules(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_profile_file(tmp_path)), "--edition", "2024", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["edition"] == "2024"


def test_table_output_has_chinese_headings(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(_profile_file(tmp_path)), "--as-of", "2024-11-15"])
    assert result.exit_code == 0
    for heading in ("层级评估", "差距与建议", "2024年度卓越级智能工厂申报", "时间节点与推荐名额"):
        assert heading in result.stdout


def test_markdown_output_quotes_the_clause(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["check", str(_profile_file(tmp_path)), "--as-of", "2024-11-15", "--markdown"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("## 结论")
    assert "原则上应覆盖全部五个环节" in result.stdout  # conditions#四.(一) quoted


@pytest.mark.parametrize(
    "content,args,message",
    [
        ("{not json", [], "不是合法的 JSON：第1行"),
        ('{"maturity": {"level": 7}}', [], "成熟度等级 maturity.level 应为1–5，收到 7"),
        ('{"outcomes": {"talent": "great"}}', [], "outcomes.talent 应为 none | professional"),
        ("[1, 2]", [], "企业画像应为 JSON 对象"),
        ("{}", ["--as-of", "2024/11/22"], "评估日期 --as-of 应为 YYYY-MM-DD"),
        ("{}", ["--edition", "1999"], "未知的规则版本 '1999'"),
    ],
)
def test_bad_input_is_a_chinese_error_with_exit_code_2(
    app: typer.Typer, runner: CliRunner, tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["check", str(_write(tmp_path, content)), *args, "--json"])
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_missing_profile_file_is_a_chinese_error(app: typer.Typer, runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path / "none.json")])
    assert result.exit_code == 2
    assert "找不到画像文件" in result.stderr


def test_non_utf8_profile_file_is_a_chinese_error(
    app: typer.Typer, runner: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "gbk.json"
    path.write_bytes('{"enterprise": {"name": "某公司"}}'.encode("gbk"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "UTF-8" in result.stderr


# --- renderings ---------------------------------------------------------------------------------


def _report(data: dict[str, Any] = EXCELLENT, as_of: dt.date = dt.date(2024, 11, 15)) -> CheckReport:
    return check(parse_profile(data), RULES, as_of)


def test_markdown_puts_the_verdict_first_then_gaps_with_action_and_quote() -> None:
    corpus = load_corpus(REPO_ROOT / "corpus")
    text = render_markdown(_report(), lambda cid: c.text if (c := corpus.get(cid)) else None)
    verdict, gaps, application = text.index("## 结论"), text.index("## 差距"), text.index("申报条件")
    assert verdict == 0 and verdict < gaps < application
    assert "已满足的最高层级：**先进级**" in text
    assert "可达层级" in text and "**卓越级**" in text
    assert "建议：" in text
    assert "原文【conditions#四.(一).1】：> 1.工厂建设：开展工厂级数字化规划与建设" in text
    assert "【conditions#四.(一)】" in text


def test_markdown_without_clause_texts_still_cites_ids() -> None:
    text = render_markdown(_report(), {}.get)
    assert "原文【" not in text
    assert "【conditions#四.(一).1】" in text


def test_markdown_lists_every_missing_field_of_a_gap() -> None:
    data = {**EXCELLENT, "basic": {}}
    text = render_markdown(_report(data), field_paths=True)
    assert (
        "需补充的信息：近三年经营和财务状况良好（`basic.finance_sound_3y`）、无不良信用记录（`basic.no_bad_credit`）、"
        "无较大及以上安全、环保等事故（`basic.no_major_accident`）" in text
    )
    # The web page's report (the default) names the facts in Chinese only.
    shown = render_markdown(_report(data))
    assert "需补充的信息：近三年经营和财务状况良好、无不良信用记录" in shown and "basic." not in shown


def test_markdown_for_a_closed_window_and_inner_mongolia() -> None:
    data = {**EXCELLENT, "enterprise": {**EXCELLENT["enterprise"], "province": "内蒙古自治区"}}
    text = render_markdown(_report(data, dt.date(2024, 11, 20)))
    assert "适用地方要求：内蒙古自治区" in text
    assert "2024年11月18日截止" in text
    assert "纸质版、电子版各3份" in text
    assert "不超过20个" in text


def test_markdown_for_a_leading_firm_says_there_are_no_gaps() -> None:
    # Self-assessed and recognised only at 先进级, as the rest of this file's firm.
    leading = variant(LEADING, {"maturity.assessed_by": "self", "status.recognised_tier": "先进级"})
    text = render_markdown(_report(leading))
    assert "没有差距" in text


def test_table_renders_every_section_in_chinese() -> None:
    console = Console(record=True, width=160)
    console.print(render_table(_report()))
    output = console.export_text()
    assert output.startswith("按2024年版要素条件")
    for expected in (
        "层级评估",
        "差距与建议",
        "原则上（请向推荐单位确认）",
        "原则上覆盖工厂建设环节",  # requirement titles, not rule ids
        "不超过5个",
        "2024年11月29日",
    ):
        assert expected in output
