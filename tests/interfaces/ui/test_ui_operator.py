"""The 运维 tab's handlers (assistant/interfaces/ui/operator.py) and the operator check behind it.

The browser flow (upload → ask → retire → ask) is tests/e2e/test_ui_operator.py; here the parts a
browser test would be slow or blind to: who counts as an operator, that every handler refuses
without a login, the off notice, the queue's marking and export, the statistics' bars.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import gradio as gr
import pytest
from openpyxl import load_workbook

from assistant.interfaces.ui.operator import OPS_OFF, OperatorTab, stats_html
from tests.interfaces.api.test_admin import log, make_service

KEY = "op-ui-secret"


def test_operator_keys_plain_and_hashed_identify_like_the_api(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"hashed-one").hexdigest()
    service = make_service(tmp_path, operator_keys=f"{KEY}, sha256:{digest}")
    ops = service.operations
    assert ops.enabled
    assert ops.identify(KEY) == "key-" + hashlib.sha256(KEY.encode()).hexdigest()[:8]
    assert ops.identify("hashed-one") == "key-" + digest[:8]
    assert ops.identify(f"sha256:{digest}") is None  # the digest itself is not a key
    assert ops.identify("") is None and ops.identify("wrong") is None


def test_without_operator_keys_the_tab_says_operator_functions_are_off(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    assert not service.operations.enabled
    assert service.operations.identify("anything") is None
    with gr.Blocks():
        on_load, (off, _, _) = OperatorTab(service).build()
    assert "运维功能未启用" in off.value and "ASSISTANT_OPERATOR_KEYS" in off.value
    shown, login, _ = on_load()
    assert shown["visible"] is True and login["visible"] is False
    assert OperatorTab(service).login("anything")[0] is None
    assert "ASSISTANT_OPERATOR_KEYS" in OPS_OFF


def test_with_operator_keys_the_tab_shows_the_key_field_on_load(tmp_path: Path) -> None:
    shown, login, status = OperatorTab(make_service(tmp_path, operator_keys=KEY)).on_load()
    assert shown["visible"] is False and login["visible"] is True and status["visible"] is True


def test_building_the_tab_does_not_build_the_service() -> None:
    class Untouchable:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"service.{name} read while building the layout")

    with gr.Blocks():
        OperatorTab(Untouchable()).build()  # type: ignore[arg-type]


def test_login_keeps_only_the_operator_id_and_a_wrong_key_opens_nothing(tmp_path: Path) -> None:
    tab = OperatorTab(make_service(tmp_path, operator_keys=KEY))
    refused = tab.login("wrong")
    assert refused[0] is None and refused[2]["visible"] is False and "无效" in refused[3]
    operator, key_box, console, _, docs, *_ = tab.login(KEY)
    assert operator.startswith("key-") and KEY not in operator
    assert key_box == "" and console["visible"] is True
    assert any(row[0] == "nmg" for row in docs)


def test_every_handler_refuses_without_a_login(tmp_path: Path) -> None:
    tab = OperatorTab(make_service(tmp_path, operator_keys=KEY))
    calls = [
        lambda: tab.refresh_documents(None),
        lambda: tab.show_document(None, "nmg"),
        lambda: tab.retire(None, "nmg", ""),
        lambda: tab.reindex(None),
        lambda: tab.refresh_queue(None, []),
        lambda: tab.mark(None, "a1", "correct", "", []),
        lambda: tab.export(None, []),
        lambda: tab.stats(None),
    ]
    for call in calls:
        with pytest.raises(gr.Error, match="运维密钥"):
            call()
    assert (tab.ops.corpus_dir / "nmg.md").exists()


def test_queue_marking_export_and_stats_through_the_tab(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = service.operations.identify(KEY)
    log(service.sessions, "a1", ["refused"], intent="other")
    log(service.sessions, "a2", [], citations=("notice#一",))
    service.sessions.add_feedback("a2", 1, "没答到", key="key-u")

    table, _ = tab.refresh_queue(operator, ["refused"])
    assert [row[0] for row in table] == ["a1"] and table[0][3] == "拒答"
    table, note = tab.mark(operator, "a1", "missing_document", "缺少本省通知", [])
    assert note == ""
    assert {row[0]: row[5:] for row in table}["a1"] == ["缺少文件", "缺少本省通知"]

    exported = tab.export(operator, [])
    sheet = load_workbook(exported["value"]).active
    assert sheet is not None
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"a1", "a2"}

    html = tab.stats(operator)
    assert "共 2 个问题" in html and "拒答占比 50.0%" in html and "notice#一" in html


def test_stats_html_without_answers_says_so() -> None:
    html = stats_html(
        {
            "questions": 0,
            "per_day": [],
            "refused_share": 0.0,
            "top_intents": [],
            "top_clauses": [],
            "median_latency_ms": None,
        }
    )
    assert "共 0 个问题" in html and "暂无数据" in html and "<script" not in html
