"""The web UI's pure helpers (interfaces/ui/format.py, forms.py), and two promises of the UI that
need no browser: building the page never touches the service, and analytics are off."""

from __future__ import annotations

import datetime as dt
import json
import re
from types import SimpleNamespace
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.config import REPO_ROOT
from assistant.interfaces.ui.format import (
    answer_html,
    as_text,
    clause_detail,
    clause_href,
    clause_list,
    findings_html,
    gap_table,
    highlight_placeholders,
    link_citations,
    severity_summary,
    source_cards,
    tier_ladder,
    verdict_block,
)
from assistant.interfaces.ui.forms import (
    DRAFT_FIELDS,
    KPI_HEADERS,
    NONE,
    PROFILE_FIELDS,
    UNKNOWN,
    FormValueError,
    draft_form_from_spec,
    draft_spec_from_form,
    figures_from_rows,
    kpi_rows,
    profile_to_values,
    values_to_profile,
)
from assistant.rules import ENUM_VALUES, EnterpriseProfile, check, load_rules, parse_profile
from assistant.vocabulary import LINKS

EXAMPLE_PROFILE = json.loads((REPO_ROOT / "examples" / "profile.json").read_text(encoding="utf-8"))
EXAMPLE_SPEC = json.loads((REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))
EVIL = '<script>alert("x")</script>'


def _report(**tiers: str) -> dict[str, Any]:
    return {
        "edition": "2024",
        "as_of": "2024-11-01",
        "highest_tier": "基础级",
        "reachable_tier": "卓越级",
        "tiers": {name: {"status": status} for name, status in tiers.items()},
        "gaps": [
            {
                "tier": "卓越级",
                "id": "maturity",
                "status": "not_met",
                "title": "成熟度三级",
                "reason": f"成熟度为二级 {EVIL}",
                "action": "开展成熟度评估",
                "clause_ids": ["conditions#一.5"],
            }
        ],
        "application": {
            "round": "2024年度卓越级智能工厂",
            "status": "unknown",
            "window_message": "窗口已截止",
        },
    }


# ---------------------------------------------------------------------------------------------
# Citations and answers
# ---------------------------------------------------------------------------------------------


def test_clause_href_is_a_deep_link_that_survives_the_hash() -> None:
    assert clause_href("notice#二.(一).1") == "?clause=notice%23%E4%BA%8C.%28%E4%B8%80%29.1"


def test_link_citations_links_clause_ids_and_escapes_everything_else() -> None:
    html = link_citations(f"见【notice#二.(一).1】和【待补充：联系人】{EVIL}")
    assert '<a class="cite" href="?clause=notice%23' in html and ">【notice#二.(一).1】</a>" in html
    assert "【待补充：联系人】" in html and "<a" not in html.split("</a>", 1)[1]  # not an id: left as text
    assert "<script>" not in html and "&lt;script&gt;" in html


def _shown(html_text: str) -> str:
    """What a reader sees of an HTML fragment: tags dropped, entities decoded."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def test_document_text_shows_literally_and_links_only_the_url() -> None:
    """Issue #27: the chat renders Markdown, so "188****5758" showed as bold "188**5758" and
    "(www.c3mep.cn)开展…" became one link with the Chinese sentence in its address."""
    phones = "联系电话：188****5758　150****5395，填写____处"
    html_text = as_text(phones)
    assert _shown(html_text) == phones
    assert "**" not in html_text and "__" not in html_text  # nothing a Markdown renderer acts on
    url = as_text("通过公共服务平台(www.c3mep.cn)开展自评估。另见 https://www.miit.gov.cn/zwgk/。")
    links = re.findall(r'<a class="doc-url" href="([^"]+)"[^>]*>(.*?)</a>', url)
    assert [(href, _shown(text)) for href, text in links] == [
        ("http://www.c3mep.cn", "www.c3mep.cn"),
        ("https://www.miit.gov.cn/zwgk/", "https://www.miit.gov.cn/zwgk/"),
    ]
    assert _shown(url) == "通过公共服务平台(www.c3mep.cn)开展自评估。另见 https://www.miit.gov.cn/zwgk/。"
    assert "www.c3mep" not in re.sub(r'href="[^"]+"', "", url)  # the renderer cannot autolink it again


def test_a_grounded_answer_quotes_literally_a_model_keeps_its_emphasis() -> None:
    text = "联系电话：188****5758【notice#二.(三)】；**请注意**截止日期"
    grounded = answer_html({"answer": text, "mode": "grounded"})
    assert "188&#42;&#42;&#42;&#42;5758" in grounded and "**" not in grounded
    llm = answer_html({"answer": text, "mode": "llm"})
    assert "188&#42;&#42;&#42;&#42;5758" in llm and "**请注意**" in llm  # the model's bold stays Markdown
    assert 'href="?clause=notice%23' in grounded and 'href="?clause=notice%23' in llm


def test_a_lead_in_after_a_bullet_is_not_drawn_inside_it() -> None:
    """Issue #27: "要给出确定结论，请告诉我：" rendered inside the bullet above it."""
    text = "结论。\n- 已获评先进级。\n- 成熟度三级。\n要给出确定结论，请告诉我：（一）…\n  续行\n1. 一\n2. 二\n以下情况需推荐单位确认："
    html_text = answer_html({"answer": text, "mode": "grounded"})
    assert "- 成熟度三级。\n\n要给出确定结论" in html_text
    assert "2. 二\n\n以下情况" in html_text
    assert "- 已获评先进级。\n- 成熟度三级。" in html_text  # a list itself stays one list


def test_source_cards_show_id_path_and_quote_in_one_html_block() -> None:
    html = source_cards(
        [
            {
                "clause_id": "kpi#1",
                "title": "附1",
                "heading": "附1 › (一)能力提升类指标",
                "text": f"1.数控化率\n\n{EVIL}",
            }
        ]
    )
    assert "【kpi#1】" in html and "附1 › (一)能力提升类指标" in html
    assert "<script>" not in html
    assert "\n" not in html  # a blank line would end the HTML block inside the chat's Markdown
    assert 'class="cite to-browser"' in html  # the card links on to the clause browser
    assert source_cards([]) == ""


def test_tier_ladder_has_four_steps_in_order_with_words_and_icons() -> None:
    html = tier_ladder(_report(基础级="met", 先进级="conditional", 卓越级="unknown", 领航级="not_met"))
    steps = re.findall(
        r'<li class="step st-(\w+)".*?<span class="tier">(.+?)</span><span class="st">(.+?)</span>', html
    )
    assert steps == [
        ("met", "基础级", "满足"),
        ("conditional", "先进级", "原则上未满足"),
        ("unknown", "卓越级", "待确认"),
        ("not_met", "领航级", "不满足"),
    ]
    assert html.count('class="ico"') == 4  # colour is never the only signal
    assert (
        '<span class="mark reached">已达到</span>' in html
        and '<span class="mark reachable">可达</span>' in html
    )


def test_verdict_block_lists_gaps_escaped_with_clickable_clauses() -> None:
    html = verdict_block(_report(基础级="met", 先进级="met", 卓越级="not_met", 领航级="not_met"))
    assert "已满足的最高层级：<b>基础级</b>" in html and "可达层级：<b>卓越级</b>" in html
    assert "差距与建议（1项：不满足1项）" in html and "建议：开展成熟度评估" in html
    assert 'href="?clause=conditions%23' in html and "<script>" not in html
    assert verdict_block(None) == ""


def test_answer_html_keeps_blocks_apart_and_tags_grounded_mode() -> None:
    answer = {
        "answer": "可以申报【notice#二.(一).1】。\n- 第二行",
        "mode": "grounded",
        "citations": [
            {"clause_id": "notice#二.(一).1", "text": "1.申报主体……", "heading": "", "title": "通知"}
        ],
        "verdict": _report(基础级="met", 先进级="met", 卓越级="unknown", 领航级="unknown"),
    }
    html = answer_html(answer, notices=["大模型暂不可用"])
    blocks = html.split("\n\n")
    assert blocks[0].startswith('<div class="notice">') and "条款直答" in blocks[1]
    assert "- 第二行" in blocks[2]  # the answer stays Markdown
    assert blocks[3].startswith('<div class="verdict">') and blocks[4].startswith('<div class="sources">')
    assert all("\n\n" not in block for block in blocks)
    assert "条款直答" not in answer_html({**answer, "mode": "llm"})


# ---------------------------------------------------------------------------------------------
# Self-check
# ---------------------------------------------------------------------------------------------


def test_gap_table_rows_and_empty_states() -> None:
    report = _report(基础级="met", 先进级="met", 卓越级="not_met", 领航级="not_met")
    html = gap_table(report)
    assert html.count('<tr class="gap-') == 1 and "不满足" in html and "<script>" not in html
    assert "已满足全部层级要求" in gap_table({**report, "gaps": [], "highest_tier": "领航级"})
    assert "没有可列出的差距" in gap_table({**report, "gaps": [], "highest_tier": None})


def test_the_form_covers_every_profile_field_and_enum_value() -> None:
    """If the profile schema gains a field or a value, the form must gain it too."""
    schema: set[str] = set()
    for section, info in EnterpriseProfile.model_fields.items():
        if section == "links":
            schema |= {f"links.{link}" for link in LINKS}
        else:
            model = next(a for a in get_args(info.annotation) if a is not type(None))
            schema |= {f"{section}.{key}" for key in model.model_fields}
    assert {f.path for f in PROFILE_FIELDS} == schema
    for f in PROFILE_FIELDS:
        if f.path in ENUM_VALUES and f.kind == "choice":
            assert {v for _, v in f.choices()} == {UNKNOWN, *map(str, ENUM_VALUES[f.path])}


def test_example_profile_round_trips_through_the_form() -> None:
    values = profile_to_values(EXAMPLE_PROFILE)
    assert values["enterprise.legal_form"] == "independent" and values["maturity.level"] == "3"
    assert values_to_profile(values) == EXAMPLE_PROFILE


def test_unfilled_means_unknown_and_links_follow_the_contract() -> None:
    empty = {f.path: f.default for f in PROFILE_FIELDS}
    assert values_to_profile(empty) == {}  # nothing filled in: everything unknown, links too
    one = {**empty, "links.生产作业": "卓越级", "links.工厂建设": NONE, "status.recognised_tier": NONE}
    assert values_to_profile(one) == {
        "links": {"生产作业": "卓越级", "工厂建设": None},
        "status": {"recognised_tier": None},
    }
    # A profile with links: the links it leaves out read back as 未覆盖, not 未填写.
    values = profile_to_values({"links": {"经营管理": "领航级"}})
    assert values["links.运营管理"] == "领航级" and values["links.研发设计"] == NONE


_choice = st.sampled_from


@st.composite
def form_values(draw: st.DrawFn) -> dict[str, str]:
    values = {}
    for f in PROFILE_FIELDS:
        if f.kind == "text":
            values[f.path] = draw(st.sampled_from(["", "某某公司", "内蒙古自治区"]))
        else:
            values[f.path] = draw(_choice([v for _, v in f.choices()]))
    return values


RULES = load_rules(REPO_ROOT / "corpus" / "rules")


@settings(max_examples=150, deadline=None)
@given(form_values())
def test_any_form_state_is_a_valid_profile_that_reads_back_the_same(values: dict[str, str]) -> None:
    profile = values_to_profile(values)
    parse_profile(profile)  # the checker accepts whatever the form can produce
    shown = profile_to_values(profile)
    again = values_to_profile(shown)
    assert profile_to_values(again) == shown  # the form shows what it sent, stably
    # ...and means the same to the checker (a link left out and a link set to null are one fact).
    as_of = dt.date(2024, 11, 1)
    assert check(parse_profile(again), RULES, as_of) == check(parse_profile(profile), RULES, as_of)


# ---------------------------------------------------------------------------------------------
# Drafting and review
# ---------------------------------------------------------------------------------------------

CATALOG = [(1, "关键设备数控化率", "%"), (11, "产品不良率下降", "%")]


def test_kpi_table_round_trip_and_number_reading() -> None:
    figures = [{"name": "产品不良率下降", "before": 2.4, "after": 0.9, "change": 62.5, "measure_unit": "%"}]
    rows = kpi_rows(CATALOG, figures)
    assert [row[:3] for row in rows] == [[1, "关键设备数控化率", "%"], [11, "产品不良率下降", "%"]]
    assert len(rows[0]) == len(KPI_HEADERS)
    assert figures_from_rows(rows) == figures
    rows[0][3:5] = ["1,200", "95%"]
    assert figures_from_rows(rows)[0] == {"name": "关键设备数控化率", "before": 1200.0, "after": 95.0}
    rows[0][3] = "约七成"
    with pytest.raises(FormValueError, match=r"关键设备数控化率.*建设前.*约七成"):
        figures_from_rows(rows)
    with pytest.raises(FormValueError, match="不是附1"):
        kpi_rows(CATALOG, [{"name": "利润率"}], resolve=lambda name: None)


def test_example_draft_spec_round_trips_through_the_form() -> None:
    fields, instances, figures = draft_form_from_spec(EXAMPLE_SPEC)
    assert fields["contact_mobile"] == "13800000000" and len(instances) == 7
    assert fields["round"] == "2024" and fields["nature"] == "民营企业"
    assert fields["address"].startswith("江苏省常州市")
    assert (fields["contact_phone"], fields["contact_email"]) == ("0519-00000000", "linxiao@example.com")
    # Everything but the self-check profile (a JSON object, not a form field) comes back.
    expected = {k: v for k, v in EXAMPLE_SPEC.items() if k != "profile"}
    assert draft_spec_from_form(fields, instances, figures) == expected


def test_draft_form_basic_information_both_ways() -> None:
    """地址、企业性质、联系电话、邮箱 and 轮次: spec -> form -> spec; blanks are left out, so the
    drafter marks them 【待补充】 rather than writing empty text."""
    spec = {
        "enterprise": "甲公司",
        "project_name": "乙工厂",
        "round": "2024",
        "edition": "2025",
        "address": "  上海市浦东新区某路1号 ",
        "nature": "国有企业",
        "contact": {"name": "张三", "phone": "021-12345678", "email": "zs@example.com"},
        "scenarios": [{"segment": "生产作业", "instance_name": "某实例"}],
    }
    fields, instances, figures = draft_form_from_spec(spec)
    assert fields["contact_mobile"] == "" and fields["contact_phone"] == "021-12345678"
    assert fields["address"] == "  上海市浦东新区某路1号 "
    back = draft_spec_from_form(fields, instances, figures)
    assert back["address"] == "上海市浦东新区某路1号"  # trimmed
    assert back["contact"] == {"name": "张三", "phone": "021-12345678", "email": "zs@example.com"}
    assert (back["round"], back["edition"], back["nature"]) == ("2024", "2025", "国有企业")
    blank = {**fields, "address": " ", "nature": "", "contact_phone": "", "contact_email": "", "round": ""}
    back = draft_spec_from_form(blank, instances, figures)
    assert not {"address", "nature", "round"} & back.keys() and back["contact"] == {"name": "张三"}
    assert set(DRAFT_FIELDS) >= {"round", "address", "nature", "contact_phone", "contact_email"}


def test_the_catalogue_follows_the_round_unless_the_user_chose_one() -> None:
    """起草: a new round moves the catalogue dropdown to the round's own edition; an edition the
    user picked stays; a round without a catalogue of its year falls back to the default one."""
    from assistant.config import Settings
    from assistant.interfaces.ui.common import Outputs
    from assistant.interfaces.ui.drafting import DraftHandlers
    from assistant.service import DraftingDesk

    # The handlers need only the service's drafting part: a stand-in holding a real one.
    service = SimpleNamespace(drafting=DraftingDesk.from_settings(Settings(), llm=None))
    handlers = DraftHandlers(service, Outputs())  # type: ignore[arg-type]
    assert handlers.on_round("2024", "2025", False) == {"__type__": "update", "value": "2024"}
    skip = {"__type__": "update"}  # gr.skip(): no value, nothing changes
    assert handlers.on_round("2024", "2025", True) == skip  # the user's choice stays
    assert handlers.on_round("2024", "2024", False) == skip
    assert handlers.round_edition("2030") == "2025"


def test_findings_say_where_in_chinese_never_the_spec_path() -> None:
    """Issue #27: the page showed "位置：kpis[0]"; the enterprise knows its table rows, not paths."""
    html_text = findings_html(
        [
            {"severity": "必须修改", "message": "缺少建设前数值", "field": "kpis[0].before"},
            {"severity": "建议修改", "message": "描述过短", "field": "scenarios[2].description"},
            {"severity": "提示", "message": "概况提到了保密信息", "field": "overview"},
        ]
    )
    assert "位置：关键绩效指标第1项·建设前数值" in html_text
    assert "位置：场景实例第3项·实例描述" in html_text and "位置：智能工厂建设概况" in html_text
    assert not re.search(r"kpis|scenarios|overview|\[\d+\]", html_text)


def test_findings_grouped_by_severity_worst_first() -> None:
    findings = [
        {"severity": "提示", "message": "征求意见稿", "clause_ids": ["guide2025#说明"]},
        {
            "severity": "必须修改",
            "message": f"缺少指标{EVIL}",
            "rule": "提交前不得保留占位符",
            "field": "kpis",
        },
        {"severity": "必须修改", "message": "缺少实例", "clause_ids": ["form#示例"]},
    ]
    html = findings_html(findings)
    assert html.index("必须修改（2项）") < html.index("提示（1项）") and "建议修改" not in html
    assert "依据：提交前不得保留占位符" in html and "位置：关键绩效指标" in html and "<script>" not in html
    assert findings_html([], empty="没问题") == '<p class="no-gaps">没问题</p>'
    assert severity_summary({"必须修改": 2, "提示": 1}) == "必须修改2项，建议修改0项，提示1项"


def test_placeholders_are_marked() -> None:
    assert highlight_placeholders("联系人：【待补充：联系人】") == (
        '联系人：<mark class="todo-mark">【待补充：联系人】</mark>'
    )


# ---------------------------------------------------------------------------------------------
# Clause browser
# ---------------------------------------------------------------------------------------------


def test_clause_list_and_detail() -> None:
    hit = {
        "clause_id": "kpi#2",
        "title": "附1",
        "edition": "2024",
        "status": "official",
        "heading": "附1",
        "text": EVIL,
    }
    listed = clause_list([hit])
    assert 'class="cite to-browser"' in listed and "<script>" not in listed
    detail = clause_detail(hit, {"clause_id": "kpi#1"}, {"clause_id": "kpi#3"})
    assert (
        "【kpi#2】" in detail
        and "正式文件" in detail
        and "‹ 上一条 kpi#1" in detail
        and "下一条 kpi#3 ›" in detail
    )
    # The shown link works when copied: "#" would start the fragment, so it is encoded there too.
    assert "?clause=kpi%232</a>" in detail and 'href="?clause=kpi%232"' in detail
    assert "kpi#99" in clause_detail(None, missing_id="kpi#99")
    assert "没有找到" in clause_list([])


# ---------------------------------------------------------------------------------------------
# assistant/ui.py without a browser
# ---------------------------------------------------------------------------------------------


class Untouchable:
    """Stands in for the API's lazy service: any attribute access would build the real one."""

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the UI touched service.{name} while building the page")


def test_building_and_mounting_the_ui_never_touches_the_service() -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from assistant.interfaces.ui.app import mount_ui

    app = FastAPI()
    mount_ui(app, Untouchable())  # type: ignore[arg-type]
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and "智能工厂申报助手" in page.text
        config = client.get("/config").json()
    assert config["analytics_enabled"] is False  # nothing about users' questions leaves the machine
    assert "fonts.googleapis.com" not in json.dumps(config) + page.text


def test_trim_keeps_pairs_and_reindexes_answer_ids() -> None:
    from assistant.interfaces.ui.chat import MAX_STORED_MESSAGES, trim_history

    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": str(i)} for i in range(50)]
    answers = {str(i): f"a{i}" for i in range(1, 50, 2)}
    kept, ids = trim_history(messages, answers)
    assert len(kept) == MAX_STORED_MESSAGES and kept[0]["role"] == "user"
    assert all(kept[int(k)]["content"] == v[1:] for k, v in ids.items())


def test_understood_facts_render_as_chips_with_the_words_they_came_from() -> None:
    from assistant.interfaces.ui.format import answer_html, understood_chips

    facts = [
        {"field": "enterprise.industry", "value": "有色金属", "label": "所属行业", "said": "电解铝"},
        {"field": "enterprise.legal_form", "value": "branch", "label": "法人形式", "said": "分公司"},
        {
            "field": "maturity.level",
            "value": 3,
            "label": "成熟度等级",
            "said": "如果成熟度到三级",
            "hypothetical": True,
        },
        {
            "field": "maturity.level",
            "value": None,
            "label": "成熟度等级",
            "said": "第三方评2级、自评3级",
            "conflict": [2, 3],
        },
    ]
    html = understood_chips(facts)
    assert "所属行业：有色金属" in html and "“电解铝”" in html
    assert "法人形式：法人的分支机构" in html and "branch" not in html  # Chinese labels, never codes
    assert html.count('class="u-chip"') == 2  # only stated facts start a correction
    assert "假设 · 成熟度等级：三级" in html and "待确认 · 成熟度等级：二级、三级" in html
    assert "correct=%E6%9B%B4%E6%AD%A3" in html  # 更正：… in the link
    assert understood_chips([]) == ""
    assert "u-chip" in answer_html({"answer": "好", "understood": facts[:1]})


def test_the_answer_says_which_date_it_judges_by() -> None:
    html = answer_html({"answer": "可以。", "mode": "grounded"}, as_of="2024-11-15")
    assert "判断日期：2024-11-15" in html
