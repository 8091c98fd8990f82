"""The 运维 tab's handlers (assistant/interfaces/ui/operator.py) and the operator check behind it.

The browser flow (upload → replace → ask → retire → ask) is tests/e2e/test_ui_operator_browser.py;
here the parts a browser test would be slow or blind to: who counts as an operator, that every
handler refuses without a login, the off notice, replacing a document and refused replacements,
the queue's date filters, marking and export (and that exports do not pile up), the statistics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import gradio as gr
import pytest
from openpyxl import load_workbook

from assistant.interfaces.ui.common import Outputs
from assistant.interfaces.ui.operator import OperatorTab, stats_html
from assistant.interfaces.ui.operator_layout import OPS_OFF, build_console
from tests.interfaces.api.test_admin import NOTICE_LINES, blank_pdf, docx_bytes, log, make_service, snapshot

KEY = "op-ui-secret"


def test_operator_keys_plain_and_hashed_identify_like_the_api(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"hashed-one").hexdigest()
    service = make_service(tmp_path, operator_keys=f"{KEY}, sha256:{digest}")
    ops = service.console
    assert ops.enabled
    assert ops.identify(KEY) == "key-" + hashlib.sha256(KEY.encode()).hexdigest()[:16]
    assert ops.identify("hashed-one") == "key-" + digest[:16]
    assert ops.identify(f"sha256:{digest}") is None  # the digest itself is not a key
    assert ops.identify("") is None and ops.identify("wrong") is None


def test_without_operator_keys_the_tab_says_operator_functions_are_off(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    assert not service.console.enabled
    assert service.console.identify("anything") is None
    with gr.Blocks():
        on_load, (off, _, _) = build_console(OperatorTab(service))
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
        build_console(OperatorTab(Untouchable()))  # type: ignore[arg-type]


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
        lambda: tab.preview(None, "x.txt", "nmg", "", "", "", True),
        lambda: tab.commit(None, "x.txt", "nmg", "", "", "", True),
    ]
    for call in calls:
        with pytest.raises(gr.Error, match="运维密钥"):
            call()
    assert (tab.ops.documents.corpus_dir / "nmg.md").exists()


def test_queue_marking_export_and_stats_through_the_tab(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = service.console.identify(KEY)
    log(service.store, "a1", ["refused"], intent="other")
    log(service.store, "a2", [], citations=("notice#一",))
    service.store.answers.add_feedback("a2", 1, "没答到", key="key-u")

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


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / "uploads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return str(path)


def test_replace_previews_then_commits_a_new_version_recorded_as_replace(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = service.console.identify(KEY)
    v1 = _file(tmp_path, "v1.docx", docx_bytes(NOTICE_LINES))
    tab.commit(operator, v1, "qinghai2025", "2025", "青海省", "official")
    v2 = _file(tmp_path, "v2.docx", docx_bytes([line.replace("380万元", "420万元") for line in NOTICE_LINES]))
    before = snapshot(service.settings.corpus_dir)

    html, commit = tab.preview(operator, v2, "qinghai2025", "", "", "", True)
    assert "预览" in html and "420万元" in html and commit["interactive"] is True
    assert snapshot(service.settings.corpus_dir) == before  # a preview changes nothing

    html, commit, docs, picks, replace_picks = tab.commit(operator, v2, "qinghai2025", "", "", "", True)
    assert "420万元" in html and "380万元" not in html and commit["interactive"] is False
    clause = service.clause("qinghai2025#一.1")
    assert clause is not None and "420万元" in clause.text
    row = next(r for r in docs if r[0] == "qinghai2025")
    assert row[2:4] == ["2025", "青海省"]  # empty fields keep the old round and region
    assert picks["choices"] == replace_picks["choices"] and picks["value"] is None
    assert "qinghai2025" in {value for _, value in replace_picks["choices"]}
    assert [c["action"] for c in service.console.documents.changes("qinghai2025")] == ["replace", "upload"]


@pytest.mark.parametrize(
    ("doc_id", "name", "data", "words"),
    [
        ("nmg", "tool.exe", b"MZ\x90\x00binary", "不是可导入的文件类型"),
        ("nmg", "scan.pdf", None, "OCR"),
        ("nmg", "big.txt", "1. 很长的文字。".encode() * 5000, "文件过大"),
        ("nosuch", "v.docx", docx_bytes(NOTICE_LINES), "没有正在使用的编号为 nosuch"),
        (None, "v.docx", docx_bytes(NOTICE_LINES), "请先选择要替换的文件"),
    ],
)
def test_a_refused_replacement_says_why_in_chinese_and_changes_nothing(
    tmp_path: Path, doc_id: str | None, name: str, data: bytes | None, words: str
) -> None:
    service = make_service(tmp_path, operator_keys=KEY, max_upload_bytes=100_000)
    tab = OperatorTab(service)
    operator = service.console.identify(KEY)
    path = _file(tmp_path, name, data if data is not None else blank_pdf())
    before = snapshot(service.settings.corpus_dir)
    for handler in (tab.preview, tab.commit):
        with pytest.raises(gr.Error, match=words) as caught:
            handler(operator, path, doc_id, "", "", "", True)
        assert str(tmp_path) not in str(caught.value.message)  # no server path
    assert snapshot(service.settings.corpus_dir) == before
    assert service.console.documents.changes() == []


def test_queue_and_stats_take_a_date_range_and_refuse_a_bad_date(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = service.console.identify(KEY)
    log(service.store, "a1", ["refused"], intent="other")
    today = dt.date.today()
    yesterday, tomorrow = (
        (today - dt.timedelta(days=1)).isoformat(),
        (today + dt.timedelta(days=1)).isoformat(),
    )

    assert [row[0] for row in tab.refresh_queue(operator, [], today.isoformat(), today.isoformat())[0]] == [
        "a1"
    ]
    assert tab.refresh_queue(operator, [], tomorrow, "")[0] == []
    assert tab.refresh_queue(operator, [], "", yesterday)[0] == []
    assert tab.mark(operator, "a1", "correct", "", [], tomorrow, "")[0] == []
    assert "共 1 个问题" in tab.stats(operator, yesterday, tomorrow)
    assert "共 0 个问题" in tab.stats(operator, tomorrow, "")
    sheet = load_workbook(tab.export(operator, [], tomorrow, "")["value"]).active
    assert sheet is not None and sheet.max_row == 1  # the header only

    for call in (
        lambda: tab.refresh_queue(operator, [], "2025/01/31", ""),
        lambda: tab.export(operator, [], "昨天", ""),
        lambda: tab.stats(operator, "2025-02-30", ""),
    ):
        with pytest.raises(gr.Error, match="起始日期应为“年-月-日”格式"):
            call()
    with pytest.raises(gr.Error, match="截止日期应为"):
        tab.stats(operator, "", "tomorrow")
    with pytest.raises(gr.Error, match="晚于截止日期"):
        tab.refresh_queue(operator, [], tomorrow, yesterday)


def test_queue_exports_go_to_a_pruned_temp_folder_not_the_data_dir(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    outputs = Outputs(ttl_seconds=60)
    tab = OperatorTab(service, outputs)
    operator = service.console.identify(KEY)
    first = Path(tab.export(operator, [])["value"])
    assert first.is_file() and first.parent.parent == outputs.root
    old = first.parent.stat().st_mtime - 120
    os.utime(first.parent, (old, old))  # an export from two minutes ago
    second = Path(tab.export(operator, [])["value"])
    assert second.is_file() and not first.exists()
    assert list(outputs.root.iterdir()) == [second.parent]
    assert not (Path(service.settings.data_dir) / "ui-output").exists()


def test_the_download_folder_goes_with_the_process() -> None:
    """Downloads (queue exports, drafts) never outlive the server that made them."""
    import subprocess
    import sys

    code = (
        "from assistant.interfaces.ui.common import Outputs\n"
        "o = Outputs(); (o.fresh() / 'x.xlsx').write_bytes(b'x'); print(o.root)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    root = Path(done.stdout.strip())
    assert root.name.startswith("assistant-ui-") and not root.exists()
