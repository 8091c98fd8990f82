"""Export: the declaration sections as DOCX and 附件4's 推荐汇总表 as XLSX, written and read
back with python-docx and openpyxl; and the `draft` command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from openpyxl import load_workbook
from typer.testing import CliRunner

from assistant.config import REPO_ROOT
from assistant.drafting import (
    FORM_HEADERS,
    Draft,
    ExportError,
    build_draft,
    export,
    form_notes,
    parse_spec,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.drafting.declaration import declaration_of
from assistant.interfaces.cli import draft as cli_draft
from assistant.knowledge.corpus import Corpus
from assistant.rules import load_rules
from tests.profiles import EXAMPLE_SPEC, example_spec


def partial_draft(name: str = "示例智能工厂") -> Draft:
    return build_draft(
        parse_spec(
            {
                "enterprise": "示例有限公司（虚构）",
                "project_name": name,
                "scenarios": [{"scenario": "在线智能检测", "instance_name": "壳体气密缺陷视觉在线检测"}],
            }
        )
    )


@pytest.fixture(scope="module")
def example_draft() -> Draft:
    return build_draft(parse_spec(example_spec()))


def docx_text(path: Path) -> tuple[list[str], list[str], list[list[list[str]]]]:
    document = Document(str(path))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    return headings, paragraphs, tables


# ---- DOCX ---------------------------------------------------------------------------------------


def test_docx_has_the_附件3_section_headings_in_order(example_draft: Draft, tmp_path: Path) -> None:
    headings, _, _ = docx_text(write_docx(example_draft, tmp_path / "d.docx"))
    top = [h for h in headings if h[:2] in ("三、", "四、")]
    assert top == ["三、智能工厂场景建设情况", "四、智能工厂建设成效"]
    for sub in ("（一）项目总体情况", "（二）具体场景建设情况", "（三）系统集成情况"):
        assert sub in headings
    for sub in ("（一）先进性与特色", "（二）实施成效", "（三）后续实施计划"):
        assert sub in headings
    assert "1.工厂建设—数字孪生工厂构建—压铸机加车间数字孪生与产线布局仿真优化" in headings


def test_docx_kpi_table_holds_the_users_figures(example_draft: Draft, tmp_path: Path) -> None:
    _, _, tables = docx_text(write_docx(example_draft, tmp_path / "d.docx"))
    info, kpi = tables[0], tables[1]
    assert [row[0] for row in info[1:4]] == ["企业名称", "地址", "性质"]
    assert kpi[0] == ["序号", "指标（附1）", "范围", "建设前", "建设后", "变化幅度", "口径说明"]
    row = next(r for r in kpi if r[1].startswith("产品不良率下降"))
    assert row[3:6] == ["2.4%", "0.9%", "62.5%"]
    assert len(kpi) == 1 + 15


def test_docx_ends_with_the_附件4_row(example_draft: Draft, tmp_path: Path) -> None:
    _, paragraphs, tables = docx_text(write_docx(example_draft, tmp_path / "d.docx"))
    form = tables[-1]
    assert form[0] == FORM_HEADERS
    assert form[1][1] == "青禾动力科技有限公司（虚构示例）"
    assert form[1][3].splitlines()[6] == "7.供应链管理—供应链数字化管理—主机厂订单驱动的供应商协同与准时交付"
    assert any(p.startswith("草稿说明") and "(2024年版)" in p for p in paragraphs)


def test_docx_highlights_every_placeholder(tmp_path: Path) -> None:
    path = write_docx(partial_draft(), tmp_path / "partial.docx")
    document = Document(str(path))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [
        r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs
    ]
    placeholders = [r for r in runs if r.text.startswith("【待补充")]
    assert placeholders
    assert all(r.font.highlight_color == WD_COLOR_INDEX.YELLOW for r in placeholders)
    assert not any(r.font.highlight_color for r in runs if "待补充" not in r.text)


# ---- XLSX ---------------------------------------------------------------------------------------


def test_xlsx_is_the_附件4_form_with_projects_in_priority_order(
    example_draft: Draft, tmp_path: Path, corpus: Corpus
) -> None:
    drafts = [partial_draft("甲项目"), example_draft, partial_draft("丙项目")]
    path = write_recommendation_xlsx(drafts, tmp_path / "form.xlsx", recommender="示例省工业和信息化厅")
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "卓越级智能工厂项目推荐汇总表"
    assert sheet["A2"].value == "推荐单位(盖章)：示例省工业和信息化厅"
    headers = [sheet.cell(3, c).value for c in range(1, 7)]
    assert headers == FORM_HEADERS == corpus.by_id["form#栏目"].text.splitlines()[1].split("｜")
    assert [sheet.cell(r, 1).value for r in (4, 5, 6)] == [1, 2, 3]
    assert [sheet.cell(r, 3).value for r in (4, 5, 6)] == ["甲项目", "新能源汽车电驱动壳体智能工厂", "丙项目"]
    assert sheet.cell(5, 4).value.startswith("1.工厂建设—数字孪生工厂构建—")
    assert sheet.cell(5, 6).value == "13800000000"
    rules = load_rules(REPO_ROOT / "corpus" / "rules", "2024")
    assert (
        sheet.cell(7, 1).value
        == form_notes(rules)
        == "注：1.推荐的卓越级智能工厂项目按优先次序排名；2.推荐数量不能超过通知中规定的上限。"
    )
    for note in declaration_of(rules).form.notes:
        assert note.text in corpus.by_id[note.clause_id].text


def test_xlsx_refuses_more_projects_than_the_quota(tmp_path: Path) -> None:
    rows = [partial_draft(f"项目{n}").form_row for n in range(21)]
    with pytest.raises(ExportError) as info:
        write_recommendation_xlsx(rows, tmp_path / "too_many.xlsx")
    assert "推荐项目共21个，超过上限20个" in info.value.message
    assert "notice#二.(二).2" in info.value.message
    assert not (tmp_path / "too_many.xlsx").exists()
    with pytest.raises(ExportError, match="超过上限5个"):
        write_recommendation_xlsx(rows[:6], tmp_path / "city.xlsx", quota=5)
    with pytest.raises(ExportError, match="1–20"):
        write_recommendation_xlsx(rows[:2], tmp_path / "q.xlsx", quota=25)
    assert write_recommendation_xlsx(rows[:20], tmp_path / "ok.xlsx").exists()


def test_export_picks_the_format_by_suffix(example_draft: Draft, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"不支持的输出格式 \.pdf"):
        export([example_draft], tmp_path / "x.pdf")
    with pytest.raises(ExportError, match="多个项目只能导出推荐汇总表"):
        export([example_draft, example_draft], tmp_path / "x.docx")
    assert export([example_draft], tmp_path / "x.xlsx").exists()


def test_one_part_exports_alone_through_the_desk(example_draft: Draft) -> None:
    """DraftingDesk.export_section: the title block and that part only (no instance list, no
    附件4 row); each of the five parts round-trips; an index out of range is a Chinese error."""
    import io

    from assistant.config import Settings
    from assistant.service import DraftingDesk

    desk = DraftingDesk.from_settings(Settings(), llm=None)
    assert [s.key for s in example_draft.sections] == ["一", "二", "三", "四"]

    def read(index: int) -> tuple[list[str], list[str], list[list[list[str]]]]:
        document = Document(io.BytesIO(desk.export_section(example_draft, index)))
        headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
        tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
        return headings, [p.text for p in document.paragraphs], tables

    headings, paragraphs, tables = read(1)
    assert headings[0] == "二、智能工厂基本情况" and "（六）真实性承诺" in headings
    assert not any(h[:2] in ("一、", "三、", "四、") for h in headings)
    assert "涉及典型场景实例" not in headings and not any(h.startswith("附件4") for h in headings)
    assert tables == [] and paragraphs[0] == example_draft.project_name
    headings, _, tables = read(3)
    assert headings[0] == "四、智能工厂建设成效" and tables[0][0][1] == "指标（附1）"
    assert FORM_HEADERS not in [t[0] for t in tables]
    whole = desk.export([example_draft], "docx")
    assert len(desk.export_section(example_draft, 0)) < len(whole)
    with pytest.raises(ExportError, match="没有第 5 部分"):
        desk.export_section(example_draft, 4)
    with pytest.raises(ExportError):
        desk.export_section(example_draft, -1)


# ---- the draft command ----------------------------------------------------------------------------


@pytest.fixture()
def runner_app() -> tuple[CliRunner, typer.Typer]:
    app = typer.Typer()
    cli_draft.register(app)
    return CliRunner(), app


def test_draft_json_is_one_document_and_the_docx_is_written(
    runner_app: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    runner, app = runner_app
    out = tmp_path / "out" / "draft.docx"
    result = runner.invoke(app, ["draft", str(EXAMPLE_SPEC), "--out", str(out), "--json", "--no-llm"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["output"] == str(out) and out.exists()
    assert data["instances"][0]["line"] == "工厂建设—数字孪生工厂构建—压铸机加车间数字孪生与产线布局仿真优化"
    assert data["form_row"]["enterprise"] == "青禾动力科技有限公司（虚构示例）"
    assert "## 三、智能工厂场景建设情况" in data["text"]
    assert {c["severity"] for c in data["checks"]} == {"提示"}


def test_draft_of_a_batch_writes_the_recommendation_table(
    runner_app: tuple[CliRunner, typer.Typer], tmp_path: Path
) -> None:
    runner, app = runner_app
    second = example_spec() | {"project_name": "第二个项目"}
    spec = tmp_path / "batch.json"
    spec.write_text(
        json.dumps(
            {"recommender": "示例省工业和信息化厅", "projects": [example_spec(), second]}, ensure_ascii=False
        ),
        encoding="utf-8",
    )
    out = tmp_path / "form.xlsx"
    result = runner.invoke(app, ["draft", str(spec), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.stderr
    assert [p["project_name"] for p in json.loads(result.stdout)["projects"]] == [
        "新能源汽车电驱动壳体智能工厂",
        "第二个项目",
    ]
    sheet = load_workbook(out).active
    assert sheet.cell(5, 3).value == "第二个项目"

    no_xlsx = runner.invoke(app, ["draft", str(spec)])
    assert no_xlsx.exit_code == 2 and "推荐汇总表" in no_xlsx.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"enterprise": "甲", "scenarios": []}', "字段 project_name（项目名称）：缺少必填字段"),
        ('{"enterprise": "甲",', "不是合法的 JSON：第1行"),
        (
            '{"enterprise": "甲", "project_name": "乙", "round": "2019", "scenarios": [{"instance_name": "丙"}]}',
            "没有 2019 年度的核验规则",
        ),
    ],
)
def test_bad_specs_exit_2_with_a_chinese_message_and_nothing_on_stdout(
    runner_app: tuple[CliRunner, typer.Typer], tmp_path: Path, content: str, expected: str
) -> None:
    runner, app = runner_app
    spec = tmp_path / "bad.json"
    spec.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["draft", str(spec), "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert expected in result.stderr and result.stderr.startswith("错误：")
    assert "Traceback" not in result.stderr


def test_draft_human_output_shows_the_text_and_the_checks(runner_app: tuple[CliRunner, typer.Typer]) -> None:
    runner, app = runner_app
    result = runner.invoke(app, ["draft", str(EXAMPLE_SPEC), "--no-llm"])
    assert result.exit_code == 0
    assert "1.工厂建设—数字孪生工厂构建—压铸机加车间数字孪生与产线布局仿真优化" in result.stdout
    assert "自查意见" in result.stdout


def test_a_figure_or_claim_the_checks_doubt_is_marked_where_it_is_printed(tmp_path: Path) -> None:
    spec = example_spec()
    spec["highlights"] = ["壳体加工技术水平国际领先，行业内首家实现全流程无人化。"]
    draft = build_draft(parse_spec(spec))
    flagged = [f for f in draft.checks if f.excerpt and f.severity != "提示"]
    assert flagged, [f.code for f in draft.checks]
    document = Document(str(write_docx(draft, tmp_path / "d.docx")))
    runs = [r for p in document.paragraphs for r in p.runs]
    marked = [r.text for r in runs if r.font.highlight_color == WD_COLOR_INDEX.TURQUOISE]
    for finding in flagged:
        assert finding.excerpt in marked and f"【请核对：{finding.message}】" in marked
    headings, paragraphs, _ = docx_text(tmp_path / "d.docx")
    assert headings[-1] == "提交前核对清单（提交前删除）"
    assert any(p.startswith("【建议修改】") and "国际领先" in p for p in paragraphs)


def test_an_indicator_outside_附1_is_labelled_as_the_companys_own(tmp_path: Path) -> None:
    spec = example_spec()
    spec["kpis"] = [*spec.get("kpis", []), {"name": "设备综合效率OEE", "before": 71, "after": 86}]
    draft = build_draft(parse_spec(spec))
    _, _, tables = docx_text(write_docx(draft, tmp_path / "d.docx"))
    kpi_table = next(t for t in tables if t[0][1].startswith("指标"))
    assert kpi_table[0][1] == "指标（附1/自定义）"
    assert any(
        row[1].startswith("设备综合效率OEE") and row[1].endswith("（自定义指标）") for row in kpi_table[1:]
    )
