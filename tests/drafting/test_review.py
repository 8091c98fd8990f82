"""Review mode: findings on an existing draft (DOCX/TXT/MD), each with a severity and the clause or
format rule behind it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from docx import Document
from typer.testing import CliRunner

from assistant.config import REPO_ROOT
from assistant.drafting import (
    DraftFileError,
    ReviewReport,
    build_draft,
    parse_spec,
    read_blocks,
    review_file,
    review_text,
    write_docx,
)
from assistant.interfaces.cli import draft as cli_draft
from assistant.knowledge.corpus import Corpus

EXAMPLE = REPO_ROOT / "examples" / "draft_spec.json"

HAND_WRITTEN = """XX有限公司智能工厂申报书
一、典型场景实例
1.生产作业(环节名)—人机协同作业(场景名)—多机协同的发动机壳体柔性加工与检测(实例名)
2.生产管理-AI排产-壳体加工排产
3.质量管控—质量追溯系统
4.研发设计—产品数字化设计—三维设计平台建设
二、智能工厂场景建设情况
（一）项目总体情况
本项目总投资【待补充：总投资】万元。
三、智能工厂建设成效
本项目达到国际领先水平。
产品不良率下降45%。
关键设备数控化率由85%提升至120%。
单位产品综合能耗降低130%。
"""


def by_code(report: ReviewReport, code: str) -> list[Any]:
    return [f for f in report.findings if f.code == code]


@pytest.fixture(scope="module")
def example_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    draft = build_draft(parse_spec(json.loads(EXAMPLE.read_text(encoding="utf-8"))))
    return write_docx(draft, tmp_path_factory.mktemp("review") / "example.docx")


@pytest.fixture(scope="module")
def hand_written() -> ReviewReport:
    return review_text(HAND_WRITTEN, edition="2025")


def test_the_assistants_own_complete_draft_passes_review(example_docx: Path) -> None:
    report = review_file(example_docx)
    assert report.summary == {"必须修改": 0, "建议修改": 0, "提示": 2}
    assert report.round == "2024"
    assert {f.code for f in report.findings} == {"edition_scenarios_not_held", "draft_edition_name"}
    assert len(report.instances) == 7
    assert report.links_covered == ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]


def test_the_same_draft_as_markdown_passes_review(tmp_path: Path) -> None:
    draft = build_draft(parse_spec(json.loads(EXAMPLE.read_text(encoding="utf-8"))))
    path = tmp_path / "draft.md"
    path.write_text(draft.text(), encoding="utf-8")
    report = review_file(path)
    assert report.summary["必须修改"] == 0 and report.summary["建议修改"] == 0


def test_instance_lines_not_in_three_part_form_must_be_fixed(hand_written: ReviewReport) -> None:
    finding = by_code(hand_written, "instance_format")[0]
    assert finding.severity == "必须修改"
    assert finding.excerpt == "质量管控—质量追溯系统"
    assert finding.clause_ids == ["form#示例"]


def test_the_examples_part_labels_left_in_are_pointed_out(hand_written: ReviewReport) -> None:
    finding = by_code(hand_written, "instance_markers")[0]
    assert finding.severity == "建议修改" and "去掉" in finding.message


def test_scenarios_not_in_the_editions_catalog_must_be_fixed_with_candidates(
    hand_written: ReviewReport,
) -> None:
    finding = by_code(hand_written, "scenario_not_in_catalog")[0]
    assert finding.severity == "必须修改"
    assert "车间智能排产" in finding.message
    assert "guide2025#说明" in finding.clause_ids


def test_a_link_name_written_as_the_segment_is_a_suggestion(hand_written: ReviewReport) -> None:
    finding = by_code(hand_written, "segment_is_link")[0]
    assert finding.severity == "建议修改" and "产品研发、工艺设计" in finding.message


def test_link_coverage_short_of_卓越级_cites_四_一(hand_written: ReviewReport) -> None:
    coverage = by_code(hand_written, "link_coverage")
    assert [f.severity for f in coverage] == ["必须修改", "建议修改"]
    assert "运营管理" in coverage[0].message and "工厂建设" in coverage[1].message
    assert all("conditions#四.(一)" in f.clause_ids for f in coverage)


def test_kpis_out_of_range_or_without_before_after_are_flagged(hand_written: ReviewReport) -> None:
    ranges = {f.clause_ids[0]: f for f in by_code(hand_written, "kpi_range")}
    assert set(ranges) == {"kpi#1", "kpi#16"}
    assert all(f.severity == "必须修改" for f in ranges.values())
    single = {f.clause_ids[0] for f in by_code(hand_written, "kpi_before_after")}
    assert "kpi#9" in single
    assert "kpi#1" not in single  # 由85%提升至120% is a pair (out of range, but a pair)


def test_placeholders_left_in_must_be_fixed(hand_written: ReviewReport) -> None:
    left = by_code(hand_written, "placeholder_left")
    assert {f.excerpt for f in left} == {"XX有限公司智能工厂申报书", "本项目总投资【待补充：总投资】万元。"}
    assert all(f.severity == "必须修改" and f.rule for f in left)


def test_a_leadership_claim_without_a_figure_is_flagged(hand_written: ReviewReport) -> None:
    finding = by_code(hand_written, "claim_unsupported")[0]
    assert finding.excerpt == "国际领先水平" and finding.clause_ids == ["notice#二.(二).1"]
    assert finding.severity == "建议修改"


def test_missing_附件3_items_are_listed(hand_written: ReviewReport) -> None:
    missing = {f.message for f in by_code(hand_written, "section_item_missing")}
    assert any("系统集成情况" in m for m in missing)
    assert any("后续实施计划" in m for m in missing)
    assert all(
        f.clause_ids in (["materials#1"], ["materials#2"], ["materials#3"], ["materials#4"])
        for f in by_code(hand_written, "section_item_missing")
    )


def test_a_draft_without_sections_instances_or_kpis_must_be_fixed_on_each() -> None:
    report = review_text("我们工厂很先进，处于国内领先水平。")
    must = {f.code for f in report.findings if f.severity == "必须修改"}
    assert {"section_missing", "instances_missing", "kpi_missing", "claim_without_kpi"} <= must
    sections = {f.clause_ids[0] for f in by_code(report, "section_missing")}
    assert sections == {"materials#1", "materials#2", "materials#3", "materials#4"}


def test_ocr_dashes_are_read_as_separators_and_2024_names_are_not_verified() -> None:
    report = review_text("1.生产作业一人机协同作业一多机协同的发动机壳体柔性加工与检测", edition="2024")
    assert report.instances[0].instance_name == "多机协同的发动机壳体柔性加工与检测"
    assert report.instances[0].link == "生产作业"
    assert "instance_separator" in {f.code for f in report.findings}
    assert "edition_scenarios_not_held" in {f.code for f in report.findings if f.severity == "提示"}


def test_a_docx_kpi_table_with_only_one_column_filled_lacks_before_after(tmp_path: Path) -> None:
    document = Document()
    document.add_paragraph("1.生产作业—在线智能检测—电驱壳体气密缺陷视觉在线检测")
    table = document.add_table(rows=3, cols=4)
    for row, values in zip(
        table.rows,
        [
            ["指标", "建设前", "建设后", "变化幅度"],
            ["产品不良率下降", "", "", "45%"],
            ["关键设备数控化率", "70%", "95%", ""],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    path = tmp_path / "table.docx"
    document.save(str(path))
    report = review_file(path)
    flagged = {f.clause_ids[0] for f in by_code(report, "kpi_before_after")}
    assert flagged == {"kpi#9"}


def test_a_draft_with_placeholders_from_the_drafter_is_caught_in_docx(tmp_path: Path) -> None:
    spec = parse_spec(
        {
            "enterprise": "示例有限公司（虚构）",
            "project_name": "示例智能工厂",
            "scenarios": [{"scenario": "在线智能检测", "instance_name": "壳体气密缺陷视觉在线检测"}],
        }
    )
    path = write_docx(build_draft(spec), tmp_path / "partial.docx")
    report = review_file(path)
    assert len(by_code(report, "placeholder_left")) >= 5


def test_every_clause_id_in_review_findings_exists(hand_written: ReviewReport, corpus: Corpus) -> None:
    for finding in hand_written.findings:
        for clause_id in finding.clause_ids:
            assert corpus.get(clause_id) is not None, clause_id
        assert finding.clause_ids or finding.rule


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("draft.pdf", b"%PDF", "不支持的文件类型 .pdf"),
        ("draft.doc", b"\xd0\xcf", "另存为 .docx"),
        ("empty.txt", b"   \n", "没有可审阅的文字内容"),
        ("broken.docx", b"not a zip", "不是有效的 DOCX 文件"),
    ],
)
def test_unreadable_files_get_chinese_errors(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DraftFileError, match=expected):
        review_file(path)


def test_gb18030_text_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes(HAND_WRITTEN.encode("gb18030"))
    assert review_file(path).summary == review_text(HAND_WRITTEN).summary


def test_review_cli_json_is_one_document_and_bad_input_exits_2(tmp_path: Path) -> None:
    app = typer.Typer()
    cli_draft.register(app)
    runner = CliRunner()
    path = tmp_path / "draft.txt"
    path.write_text(HAND_WRITTEN, encoding="utf-8")
    result = runner.invoke(app, ["review", str(path), "--tier", "卓越级", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["tier"] == "卓越级" and data["summary"]["必须修改"] > 0
    assert {"severity", "code", "message", "clause_ids", "rule", "excerpt"} <= set(data["findings"][0])

    bad_tier = runner.invoke(app, ["review", str(path), "--tier", "超级级"])
    assert bad_tier.exit_code == 2 and "可选：基础级、先进级、卓越级、领航级" in bad_tier.stderr
    missing = runner.invoke(app, ["review", str(tmp_path / "nope.docx"), "--json"])
    assert missing.exit_code == 2 and missing.stdout == "" and "找不到要审阅的文件" in missing.stderr
    assert "Traceback" not in missing.stderr

    human = runner.invoke(app, ["review", str(path)])
    assert human.exit_code == 0 and "审阅意见" in human.stdout


REVIEW_2024 = """1.质量管控—在线智能检测—电驱壳体气密与外观缺陷视觉在线检测
2.设备管理—设备故障诊断与预测—压铸岛关键设备振动监测与故障预测
3.智能仓储—立体库自动化—成品立体库
关键设备数控化率由60%提升至135%，运营成本由212元/件降至42元/件，运营成本下降80%，单位产品综合能耗由3.6降至0.18，单位产品综合能耗降低95%。
我司产品良率全球第一，填补国内空白，仓储人员减少100%。熔炼温度控制在680-720℃，催化剂与原料配比为1:40。
"""


def test_the_2024_round_accepts_2024_names_and_points_at_the_fragment_at_fault() -> None:
    report = review_text(REVIEW_2024)
    assert report.round == "2024" and report.edition == "2024"
    assert [i.link for i in report.instances[:2]] == ["生产作业", "生产作业"]
    assert not [f for f in report.findings if f.code == "segment_not_in_catalog"]
    unparsed = by_code(report, "instance_unrecognised")
    assert [f.excerpt for f in unparsed] == ["智能仓储"] and unparsed[0].severity == "必须修改"
    ranges = by_code(report, "kpi_range")
    assert [f.excerpt for f in ranges] == ["关键设备数控化率由60%提升至135%"]
    claims = {f.excerpt: f for f in by_code(report, "claim_unsupported")}
    assert set(claims) == {"全球第一", "填补国内空白", "仓储人员减少100%"}
    assert all(f.severity == "建议修改" and f.clause_ids == ["notice#二.(二).1"] for f in claims.values())
    secrets = {f.excerpt for f in by_code(report, "trade_secret")}
    assert any(s.endswith("680-720℃") for s in secrets) and any("配比" in s for s in secrets)
    assert all(f.severity == "提示" for f in by_code(report, "trade_secret"))


def test_review_eval_meets_its_thresholds_on_the_seeded_gold_set(tmp_path: Path) -> None:
    from assistant.config import Settings
    from assistant.evaluation import review as eval_review

    result = eval_review.run(Settings(data_dir=tmp_path))
    assert result.metrics["drafts"] >= 6 and result.metrics["defects"] >= 30
    assert result.passed, result.failures


def test_a_corrupt_docx_gets_a_chinese_message_without_a_path(tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"this is not a docx file!!")
    with pytest.raises(DraftFileError) as caught:
        read_blocks(junk)
    message = caught.value.message
    assert "junk.docx" in message and str(tmp_path) not in message and "Package" not in message


# -- figures that contradict themselves (issue: review that catches what a consultant catches) --


def _codes(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for finding in review_text(text).findings:
        found.setdefault(finding.code, []).append(finding.excerpt or "")
    return found


def test_a_stated_change_that_contradicts_its_before_and_after_must_be_fixed() -> None:
    wrong_size = _codes("四、智能工厂建设成效\n产品不良率由2.0%降至1.5%，产品不良率下降40%。")
    assert "kpi_change_mismatch" in wrong_size
    wrong_way = _codes("四、智能工厂建设成效\n运营成本由1200万元降低至1350万元，运营成本下降12.5%。")
    assert "kpi_change_mismatch" in wrong_way
    right = _codes("四、智能工厂建设成效\n产品不良率由2.0%降至1.5%，产品不良率下降25%。")
    assert "kpi_change_mismatch" not in right  # relative change
    points = _codes("四、智能工厂建设成效\n产品不良率由2.0%降至1.5%，产品不良率下降0.5个百分点。")
    assert "kpi_change_mismatch" not in points


def test_a_rate_that_cannot_exceed_100_is_caught_for_a_提升_kpi_too() -> None:
    found = _codes("四、智能工厂建设成效\n设备综合利用率由82%提升至106%，设备综合利用率提升24个百分点。")
    assert "kpi_range" in found
    turnover = _codes("四、智能工厂建设成效\n库存周转率由450%提升至620%，库存周转率提升37.8%。")
    assert "kpi_range" not in turnover  # a turnover ratio may exceed 100


def test_a_minus_sign_in_an_instance_name_is_not_a_dash() -> None:
    found = _codes("三、智能工厂场景建设情况\n生产作业—仓储物流—−20℃冷库无人叉车自动出入库")
    assert "instance_name_dash" not in found


def test_a_total_stated_twice_differently_or_exceeded_by_its_parts_must_be_fixed() -> None:
    twice = _codes(
        "二、智能工厂基本情况\n总投资：12000万元。\n四、智能工厂建设成效\n项目总投资1.5亿元，已全部投入。"
    )
    assert "total_inconsistent" in twice
    same = _codes("二、智能工厂基本情况\n总投资：12000万元。\n四、智能工厂建设成效\n项目总投资1.2亿元。")
    assert "total_inconsistent" not in same  # the same amount in another unit
    parts = _codes("二、智能工厂基本情况\n总投资8000万元，其中设备投资6000万元、软件投资3500万元。")
    assert "total_parts" in parts
    fine = _codes("二、智能工厂基本情况\n总投资8000万元，其中设备投资6000万元、软件投资2000万元。")
    assert "total_parts" not in fine


def test_what_the_draft_says_of_its_company_is_judged_by_the_checker() -> None:
    low = _codes("一、申报单位基本信息\n智能制造能力成熟度评估为二级。")
    assert "eligibility_maturity" in low
    unfinished = _codes("二、智能工厂基本情况\n建设起止时间：2022年3月—2025年9月，二期产线正在施工。")
    assert "eligibility_construction_completed" in unfinished
    steel = _codes("一、申报单位基本信息\n企业性质：某集团分公司\n所属行业：钢铁")
    assert "eligibility_legal_form" in steel
    allowed = _codes("一、申报单位基本信息\n企业性质：某集团分公司\n所属行业：有色金属冶炼\n成熟度三级")
    assert not any(code.startswith("eligibility_") for code in allowed)


def test_trade_secrets_by_meaning_not_by_the_degree_sign() -> None:
    ambient = _codes(
        "二、智能工厂基本情况\n干燥房露点稳定控制在-40℃以下；定型机温控精度±0.5℃；低温冷库（-20℃）；"
        "洁净室温度22±0.5℃；成品冷链全程2～6℃。"
    )
    assert "trade_secret" not in ambient
    process = _codes("四、智能工厂建设成效\n芯片键合温度175±5℃，精轧终轧温度880±10℃。")
    assert len(process["trade_secret"]) == 2
    price = _codes("四、智能工厂建设成效\n与华驰汽车股份有限公司签订长期协议，2024年合同单价为0.46元/Wh。")
    assert "trade_secret" in price


def test_kpis_named_by_what_they_measure_and_arrow_pairs_are_checked() -> None:
    arrow = _codes("四、智能工厂建设成效\n订单准时交付率：92%→103%。")
    assert "kpi_range" in arrow
    measured = _codes("四、智能工厂建设成效\n生产效率由18台/班提升至24台/班，提升25%。")
    assert "kpi_change_mismatch" in measured


def test_not_above_size_and_not_yet_recognised_are_the_checkers_findings() -> None:
    found = _codes(
        "一、申报单位基本信息\n企业2023年营收1650万元，尚未纳入规模以上工业企业统计；目前尚未获评先进级智能工厂。"
    )
    assert "eligibility_scale" in found and "eligibility_recognised_advanced" in found
    assert "全球首创" in _codes("四、智能工厂建设成效\n该工艺为全球首创。")["claim_unsupported"]


def test_any_quantitys_pair_is_checked_not_only_the_kpis_of_附1() -> None:
    rise = _codes("四、智能工厂建设成效\n吨钢综合能耗由548 kgce/t降至561 kgce/t，降低2.4%。")
    assert "figure_inconsistent" in rise
    oee = _codes("四、智能工厂建设成效\n设备综合效率（OEE）由78%提升至106%。")
    assert "figure_inconsistent" in oee
    fine = _codes("四、智能工厂建设成效\n吨钢综合能耗由561 kgce/t降至548 kgce/t，降低2.3%。")
    assert "figure_inconsistent" not in fine


def test_slash_separated_lines_and_instance_table_rows_are_read() -> None:
    slashed = review_text("三、智能工厂场景建设情况\n生产作业/智能在线检测/布面瑕疵AI视觉检测")
    assert [i.segment for i in slashed.instances] == ["生产作业"]
    assert "instance_separator" in {f.code for f in slashed.findings}
    table = "三、智能工厂场景建设情况\n| 序号 | 环节 | 场景 | 实例名称 |\n|---|---|---|---|\n| 1 | 生产作业 |  | 焊接机器人群健康监测与故障预警 |"
    row = review_text(table)
    assert any(f.code == "instance_format" and "缺少场景名" in f.message for f in row.findings)


def test_dates_that_contradict_the_construction_period_are_pointed_out() -> None:
    found = _codes(
        "二、智能工厂基本情况\n建设起止时间：2021年7月至2023年12月。\n项目于2020年5月启动建设，于2024年5月完成建设并投入使用。"
    )
    assert sorted(found["date_inconsistent"]) == ["2020年5月启动建设", "2024年5月完成建设"]
    agreed = _codes(
        "二、智能工厂基本情况\n建设起止时间：2021.07—2023.12\n项目2021年7月开工，2023年12月全部建成；一期2022年3月建成。"
    )
    assert "date_inconsistent" not in agreed
    secrets = _codes("四、智能工厂建设成效\n每批投入粗品200kg、丙酮1250L；超声功率85±3 mW；定位精度±0.02mm。")
    assert len(secrets["trade_secret"]) == 2


def test_a_part_is_found_by_its_heading_not_by_its_words_anywhere() -> None:
    """Part 四 deleted: "建设成效" in 二's 项目简介 does not stand in for it."""
    draft = (
        "一、申报单位基本信息\n企业名称：某公司\n"
        "二、智能工厂基本情况\n项目简介：本项目建设成效显著，真实性承诺见后。\n"
        "三、智能工厂场景建设情况\n（一）项目总体情况\n生产作业—人机协同作业—多机协同的壳体柔性加工与检测\n"
    )
    found = review_text(draft).findings
    assert any(f.code == "section_missing" and "智能工厂建设成效" in f.message for f in found)


def test_cross_checks_a_second_consultant_asked_for() -> None:
    """From an untuned set's misses: 累计投入 is the total investment, a count's breakdown must
    add up, plain-text pipe tables are tables, a time that falls may be an efficiency that rises,
    hours and minutes are no pair, a process window is a secret, a buyer named by 向…供货 too."""
    spent = _codes("二、智能工厂基本情况\n总投资3.86亿元。\n项目累计投入28,600万元，分两期推进。")
    assert "total_inconsistent" in spent
    counted = _codes(
        "三、智能工厂场景建设情况\n项目共建成典型场景17个，其中工厂建设2个、研发设计2个、生产作业5个、生产管理4个、运营管理2个。"
    )
    assert "total_parts" in counted
    table = _codes(
        "四、智能工厂建设成效\n指标 | 建设前 | 建设后 | 变化\n产品不良率 | 1.9% | 1.1% | 下降42.1%"
    )
    assert "kpi_before_after" not in table and "kpi_change_mismatch" not in table
    inverse = _codes("四、智能工厂建设成效\n生产节拍由96秒缩短至74秒，生产效率提升29.7%。")
    assert "kpi_change_mismatch" not in inverse and "figure_inconsistent" not in inverse
    units = _codes("四、智能工厂建设成效\n排程时间由4小时缩短至15分钟。")
    assert "figure_inconsistent" not in units
    window = _codes(
        "三、智能工厂场景建设情况\n固化的高压铸造工艺窗口为压射速度4.2–4.6 m/s、增压压力88–92 MPa。"
    )
    assert "trade_secret" in window
    buyer = _codes("四、智能工厂建设成效\n2024年向某集采项目供货的组件合同单价为0.873元/W。")
    assert "trade_secret" in buyer


def test_a_time_column_that_falls_backs_a_rising_efficiency_in_a_table() -> None:
    table = "四、智能工厂建设成效\n| 指标 | 建设前 | 建设后 | 变化幅度 |\n|---|---|---|---|\n| 生产效率（单件节拍） | 96 s | 74 s | 生产效率提升29.7% |"
    assert "kpi_change_mismatch" not in _codes(table)


def test_percentages_in_words_superlatives_and_two_part_lines_are_caught() -> None:
    words = _codes("四、智能工厂建设成效\n铝灰渣综合利用率由百分之八十六提高到百分之一百零八。")
    assert "figure_inconsistent" in words
    claims = _codes("四、智能工厂建设成效\n组件制造良率全球最高，行业内无可比拟。")
    assert set(claims["claim_unsupported"]) == {"全球最高", "无可比拟"}
    lines = _codes(
        "三、智能工厂场景建设情况\n1. 生产作业—人机协同作业—多机协同的壳体柔性加工与检测\n5. 智能仓储—AGV与立库协同的组件成品自动入库"
    )
    assert lines["instance_unrecognised"] == ["智能仓储"]


def test_recipes_windows_dates_and_an_integrators_branch_as_a_third_consultant_wrote_them() -> None:
    recipe = _codes(
        "三、智能工厂场景建设情况\n现行腌制注射盐水配方（以原料肉计）为食盐2.2%、复合磷酸盐0.30%、亚硝酸钠0.010%。"
    )
    assert "trade_secret" in recipe
    window = _codes(
        "三、智能工厂场景建设情况\n目前控制窗口为：沉铜线化学铜槽液温度30.5—32.0℃、甲醛浓度3.2—3.6 g/L。"
    )
    assert "trade_secret" in window
    dates = _codes(
        "二、智能工厂基本情况\n建设起止时间：2021年1月至2023年12月。\n项目一期于2020年10月开工；2024年3月竣工验收；"
        "2024年10月上线的AOI系统已计入投资；二期2022年6月建成。"
    )
    assert sorted(dates["date_inconsistent"]) == ["2020年10月开工", "2024年10月上线"]
    integrator = _codes("二、智能工厂基本情况\n集成商：中国移动通信集团江苏有限公司常州分公司。")
    assert not any(code.startswith("eligibility_") for code in integrator)


def test_one_years_revenue_stated_twice_differently_and_hyphens_inside_terms() -> None:
    twice = _codes(
        "一、申报单位基本信息\n2023年营业收入28.6亿元。\n四、智能工厂建设成效\n2023年实现营收26.8亿元。"
    )
    assert "figure_twice" in twice
    other_year = _codes(
        "一、申报单位基本信息\n2023年营业收入28.6亿元。\n四、智能工厂建设成效\n2024年实现营收31.2亿元。"
    )
    assert "figure_twice" not in other_year
    term = _codes("三、智能工厂场景建设情况\n生产作业—在线智能检测—基于AOI-AI复判的PCB缺陷检测")
    assert "instance_name_dash" not in term and "instance_separator" not in term


def test_what_a_fourth_consultant_wrote_year_columns_short_labels_and_more() -> None:
    years = _codes(
        "四、智能工厂建设成效\n| 指标 | 2019年 | 2024年 | 变化 |\n|---|---|---|---|\n"
        "| 运营成本（万元/年） | 48,200 | 50,600 | 下降4.7% |"
    )
    assert "kpi_change_mismatch" in years and "kpi_before_after" not in years
    terse = _codes("一、申报单位基本信息\n名称：某公司；性质：民营；地址：某市；行业：化纤；联系：张工")
    assert not any("企业名称" in m or "联系方式" in m for m in terse.get("section_item_missing", []))
    claims = _codes(
        "四、智能工厂建设成效\n自动化水平位居亚洲第一，成为行业内唯一一家全流程无人化工厂；入选国内第一批试点。"
    )
    assert len(claims["claim_unsupported"]) == 2
    secret = _codes("四、智能工厂建设成效\n为中国重汽集团配套的全钢子午胎2024年协议结算价为1,386元/条。")
    assert "trade_secret" in secret
    site = _codes(
        "三、智能工厂场景建设情况\n场景实例（环节—场景—实例）\n能碳管理—能耗数据监测—分厂区能源计量与优化"
    )
    assert "instance_unrecognised" not in site and not any(c.startswith("eligibility_") for c in site)
    pending = _codes("一、申报单位基本信息\n公司已提交江苏省先进级智能工厂申报，目前认定结果尚未公布。")
    assert "eligibility_recognised_advanced" in pending


def test_a_window_fixed_into_a_model_and_work_still_under_way() -> None:
    window = _codes(
        "三、智能工厂场景建设情况\n冻胶纺丝主工艺窗口已固化入模型——溶液浓度8.5–9.2 wt%，纺丝温度285–292℃。"
    )
    assert "trade_secret" in window
    ongoing = _codes(
        "二、智能工厂基本情况\nPM3纸机及配套涂布线智能化改造目前仍在实施，计划2025年9月完成调试。"
    )
    assert "eligibility_construction_completed" in ongoing
