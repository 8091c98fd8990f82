"""The 运维 tab's handlers (assistant/interfaces/ui/operator.py) and the operator check behind it.

The browser flow (upload → replace → ask → retire → ask) is tests/e2e/test_ui_operator_browser.py;
here the parts a browser test would be slow or blind to: who counts as an operator, that every
handler checks the login cookie of its own event (never the Gradio session's state) and refuses
without an operator's, the off notice and the link to /login, replacing a document and refused replacements,
the queue's date filters, marking and export (and that exports do not pile up), the statistics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from openpyxl import load_workbook

from assistant.interfaces.ui.common import Outputs
from assistant.interfaces.ui.operator import OperatorTab, stats_html
from assistant.interfaces.ui.operator_layout import OPS_OFF, build_console
from assistant.service import LOGIN_COOKIE, AssistantService
from tests.interfaces.api.test_admin import NOTICE_LINES, blank_pdf, docx_bytes, log, make_service, snapshot

KEY = "op-ui-secret"


def request(token: str | None = None, session_hash: str = "gradio-session-1") -> gr.Request:
    """An event's request as Gradio hands it to a handler: its cookies and its session_hash."""
    return gr.Request(cookies={LOGIN_COOKIE: token} if token else {}, headers={}, session_hash=session_hash)


def operator_request(service: AssistantService, session_hash: str = "gradio-session-1") -> gr.Request:
    """The request of a browser that logged in at /login with the operator key."""
    operator = service.console.identify(KEY)
    assert operator is not None
    return request(service.logins.open(operator, True), session_hash)


def test_operator_keys_plain_and_hashed_identify_like_the_api(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"hashed-one").hexdigest()
    service = make_service(tmp_path, operator_keys=f"{KEY}, sha256:{digest}")
    ops = service.console
    assert ops.enabled
    assert ops.identify(KEY) == "key-" + hashlib.sha256(KEY.encode()).hexdigest()[:16]
    assert ops.identify("hashed-one") == "key-" + digest[:16]
    assert ops.identify(f"sha256:{digest}") is None  # the digest itself is not a key
    assert ops.identify("") is None and ops.identify("wrong") is None
    assert ops.is_operator("key-" + digest[:16]) and not ops.is_operator("key-0000000000000000")


def test_without_operator_keys_the_tab_says_operator_functions_are_off(tmp_path: Path) -> None:
    service = make_service(tmp_path)
    assert not service.console.enabled
    assert service.console.identify("anything") is None
    with gr.Blocks():
        on_load, (off, *_) = build_console(OperatorTab(service), gr.HTML())
    assert "运维功能未启用" in off.value and "ASSISTANT_OPERATOR_KEYS" in off.value
    shown, status_update, console_update, *_, bar_value = on_load(request())
    assert (
        shown["visible"] is True and status_update["visible"] is False and console_update["visible"] is False
    )
    assert bar_value == {"value": "", "visible": False, "__type__": "update"}
    token = service.logins.open("key-0123456789abcdef", True)  # even a session claiming to be one
    with pytest.raises(gr.Error, match="运维密钥"):
        OperatorTab(service).refresh_documents(request(token))
    assert "ASSISTANT_OPERATOR_KEYS" in OPS_OFF


def test_without_an_operators_login_the_tab_links_to_the_login_page(tmp_path: Path) -> None:
    tab = OperatorTab(make_service(tmp_path, operator_keys=KEY))
    off, status, console, *lists, bar = tab.on_load(request())
    assert off["visible"] is False and console["visible"] is False and status["visible"] is True
    assert 'href="/login"' in status["value"] and "运维密钥" in status["value"]
    assert all(item == gr.skip() for item in lists) and bar["visible"] is False


def test_a_users_login_is_told_it_has_no_operator_rights_and_offered_a_logout(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    user = service.logins.open("key-0123456789abcdef", False)
    _, status, console, *_, bar = OperatorTab(service).on_load(request(user))
    assert console["visible"] is False and "没有运维权限" in status["value"]
    assert 'action="/logout"' in status["value"] and 'href="/login"' in status["value"]
    assert "key-0123456789abcdef" in bar["value"] and 'action="/logout"' in bar["value"] and bar["visible"]


def test_building_the_tab_does_not_build_the_service() -> None:
    class Untouchable:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"service.{name} read while building the layout")

    with gr.Blocks():
        build_console(OperatorTab(Untouchable()), gr.HTML())  # type: ignore[arg-type]


def test_an_operators_login_opens_the_console_filled_on_load(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    off, status, console, docs, picks, replace_picks, rounds, round_picks, queue, answers, stats, bar = (
        OperatorTab(service).on_load(operator_request(service))
    )
    operator = service.console.identify(KEY)
    assert console["visible"] is True and off["visible"] is False
    assert f"（{operator}）" in status["value"] and 'action="/logout"' in status["value"]
    assert any(row[0] == "nmg" for row in docs) and picks["choices"] == replace_picks["choices"]
    assert [row[0] for row in rounds] == ["2024"] and rounds[0][-1] == "通过"
    assert round_picks["choices"] == [("2024年度", "2024")]
    assert queue == [] and answers["choices"] == [] and "共 0 个问题" in stats
    assert f"{operator}，运维" in bar["value"]
    assert KEY not in repr((status, bar))  # the key never reaches the page


def test_every_handler_wired_on_the_page_gets_the_events_request(tmp_path: Path) -> None:
    """Gradio passes the request to a parameter annotated gr.Request, by position: each of the
    tab's handlers must take it first, or it would see the first input in its place."""
    import inspect

    from gradio.utils import get_type_hints

    tab = OperatorTab(make_service(tmp_path, operator_keys=KEY))
    with gr.Blocks() as blocks:
        on_load, _ = build_console(tab, gr.HTML())
    owners = (tab, tab.rounds_panel)
    wired = [f.fn for f in blocks.fns.values() if getattr(f.fn, "__self__", None) in owners] + [on_load]
    assert len(wired) >= 16
    for fn in wired:
        first = next(iter(inspect.signature(fn).parameters))
        assert get_type_hints(fn).get(first) is gr.Request, fn.__name__


def _handlers(tab: OperatorTab, req: gr.Request) -> list[Any]:
    return [
        lambda: tab.refresh_documents(req),
        lambda: tab.show_document(req, "nmg"),
        lambda: tab.retire(req, "nmg", ""),
        lambda: tab.reindex(req),
        lambda: tab.refresh_queue(req, []),
        lambda: tab.mark(req, "a1", "correct", "", []),
        lambda: tab.export(req, []),
        lambda: tab.stats(req),
        lambda: tab.preview(req, "x.txt", "nmg", "", "", "", True),
        lambda: tab.commit(req, "x.txt", "nmg", "", "", "", True),
        lambda: tab.rounds_panel.refresh(req),
        lambda: tab.rounds_panel.show(req, "2024"),
        lambda: tab.rounds_panel.preview(req, "x.yaml", ""),
        lambda: tab.rounds_panel.commit(req, "x.yaml", "", True),
    ]


def test_every_handler_rechecks_the_cookie_and_refuses_without_an_operators_login(tmp_path: Path) -> None:
    """A stolen Gradio session_hash is worth nothing: an earlier event of the "same" session
    that had the operator's cookie opens nothing for one without it."""
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    hijacked = "gradio-session-of-the-operator"
    assert tab.refresh_documents(operator_request(service, hijacked))[0]  # the operator's own event works
    user = service.logins.open("key-0123456789abcdef", False)
    closed = operator_request(service, hijacked)
    service.logins.close(closed.cookies.get(LOGIN_COOKIE))  # logged out (on any worker)
    refusals = {
        "no cookie": (request(None, hijacked), "运维功能需要用运维密钥登录"),
        "a user's login": (request(user, hijacked), "没有运维权限"),
        "a made-up token": (request("x" * 43, hijacked), "运维功能需要用运维密钥登录"),
        "a closed login": (closed, "运维功能需要用运维密钥登录"),
    }
    for what, (req, words) in refusals.items():
        for call in _handlers(tab, req):
            with pytest.raises(gr.Error, match=words):
                call()
        assert tab.on_load(req)[2]["visible"] is False, what
    assert (tab.ops.documents.corpus_dir / "nmg.md").exists()


def test_a_login_of_a_key_no_longer_an_operators_opens_nothing(tmp_path: Path) -> None:
    """The operator key was replaced in ASSISTANT_OPERATOR_KEYS (and the service restarted):
    a session it opened, still in the store, no longer opens the console."""
    old_operator = "key-" + hashlib.sha256(KEY.encode()).hexdigest()[:16]
    service = make_service(tmp_path, operator_keys="op-new-key")
    token = service.logins.open(old_operator, True)
    assert service.logins.identify(token) is not None  # a live session …
    with pytest.raises(gr.Error, match="没有运维权限"):  # … of a key that is no operator's now
        OperatorTab(service).stats(request(token))


def test_queue_marking_export_and_stats_through_the_tab(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = operator_request(service)
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


def test_a_thumb_from_the_page_reads_as_the_same_thumb_in_the_queue(tmp_path: Path) -> None:
    """Issue #27: the page saved 赞 as 1 and the queue counted ≤ 2 as 差评, so every thumbs-up
    was queued as a complaint. Thumbs now go through one 1–5 scale, shown as 赞/踩."""
    from assistant.interfaces.ui.chat import ChatHandlers

    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = operator_request(service)
    for answer_id in ("up", "down", "api"):
        log(service.store, answer_id, [])
    chat = ChatHandlers(service)
    store = {"session": None, "messages": [], "answers": {"1": "up", "3": "down"}}
    pending, _, _ = chat.like(store, gr.LikeData(target=None, data={"index": 1, "value": "", "liked": True}))
    chat.send_comment(pending, "说得清楚")
    chat.like(store, gr.LikeData(target=None, data={"index": 3, "value": "", "liked": False}))
    service.feedback("api", 1, "不对", key="key-u")  # the API's 1 is as bad as a thumb down

    table, _ = tab.refresh_queue(operator, [])
    assert {row[0]: row[3:5] for row in table} == {"down": ["用户点踩", "踩"], "api": ["用户点踩", "踩"]}
    with_up = service.console.reviews.queue()  # the thumbs-up is not a complaint: not queued
    assert "up" not in {item["answer_id"] for item in with_up}
    votes = service.store.answers.between()
    assert {a["answer_id"]: [v["rating"] for v in a["ratings"]] for a in votes} == {
        "up": [5],
        "down": [1],
        "api": [1],
    }


def test_the_tab_shows_statuses_kinds_and_times_as_an_operator_reads_them(tmp_path: Path) -> None:
    """Issue #27: the lists showed official/retired, intent codes and UTC ISO times."""
    service = make_service(tmp_path, operator_keys=KEY, timezone="Asia/Shanghai")
    tab = OperatorTab(service)
    operator = operator_request(service)
    log(service.store, "a1", ["refused"], intent="eligibility")
    tab.commit(
        operator,
        _file(tmp_path, "v1.docx", docx_bytes(NOTICE_LINES)),
        "qinghai2025",
        "2025",
        "青海省",
        "official",
    )
    tab.retire(operator, "qinghai2025", "测试")

    documents, _, _ = tab.refresh_documents(operator)
    statuses = {row[0]: row[4] for row in documents}
    assert statuses["qinghai2025"] == "已停用" and statuses["notice"] == "正式文件"
    assert set(statuses.values()) <= {"正式文件", "征求意见稿", "参考信息", "已停用"}
    beijing = dt.datetime.now(dt.timezone(dt.timedelta(hours=8)))
    added = {row[0]: row[7] for row in documents}["qinghai2025"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", added), added
    assert abs(dt.datetime.strptime(added, "%Y-%m-%d %H:%M") - beijing.replace(tzinfo=None)) < dt.timedelta(
        minutes=5
    )
    table, _ = tab.refresh_queue(operator, [])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", table[0][1])  # no "T…+00:00"
    html = tab.stats(operator)
    assert "申报资格" in html and "eligibility" not in html


def test_an_upload_takes_its_title_from_the_form_or_keeps_its_file_name_whole(tmp_path: Path) -> None:
    """Issue #27: there was no title field, and a title taken from the file name had （） as _."""
    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = operator_request(service)
    notice = _file(tmp_path, "v1.docx", docx_bytes(NOTICE_LINES))
    tab.commit(
        operator, notice, "qinghai2025", "2025", "青海省", "official", False, "青海省转发通知（2025年）"
    )
    titles = {row[0]: row[1] for row in tab.refresh_documents(operator)[0]}
    assert titles["qinghai2025"] == "青海省转发通知（2025年）"
    body = "各有关单位：" + "为做好智能工厂梯度培育工作，现将有关事项通知如下，请认真组织申报。" * 3
    text = _file(
        tmp_path,
        "关于申报的通知（征求意见稿）.txt",
        f"{body}\n一、申报条件\n1. 申报主体为独立法人。\n".encode(),
    )
    tab.commit(operator, text, "draft2025", "2025", "", "draft")
    titles = {row[0]: row[1] for row in tab.refresh_documents(operator)[0]}
    assert titles["draft2025"] == "关于申报的通知（征求意见稿）"


def test_a_broken_docx_is_refused_in_chinese_without_english_or_a_path(tmp_path: Path) -> None:
    """Issue #27: python-docx's own message (English, with the upload's temp path) was shown."""
    import io
    import zipfile

    service = make_service(tmp_path, operator_keys=KEY)
    tab = OperatorTab(service)
    operator = operator_request(service)
    good = docx_bytes(NOTICE_LINES)
    source = zipfile.ZipFile(io.BytesIO(good))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        for name in source.namelist():
            archive.writestr(
                name, b"<w:document><broken" if name == "word/document.xml" else source.read(name)
            )
    missing = io.BytesIO()
    with zipfile.ZipFile(missing, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    for name, data in (("坏的.docx", broken.getvalue()), ("缺页.docx", missing.getvalue())):
        with pytest.raises(gr.Error) as caught:
            tab.preview(operator, _file(tmp_path, name, data), "bad2025", "2025", "", "official")
        message = str(caught.value.message)
        assert message.startswith(f"{name}：无法读取 DOCX"), message
        detail = message.removeprefix(f"{name}：").replace("DOCX", "").replace("Word", "")
        assert not re.search(r"[A-Za-z]{4,}|/tmp|\\\\", detail), message  # no English, no path


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
    operator = operator_request(service)
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
    operator = operator_request(service)
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
    operator = operator_request(service)
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
    operator = operator_request(service)
    first = Path(tab.export(operator, [])["value"])
    assert first.is_file() and first.parent.parent == outputs.root
    old = first.parent.stat().st_mtime - 120
    os.utime(first.parent, (old, old))  # an export from two minutes ago
    second = Path(tab.export(operator, [])["value"])
    assert second.is_file() and not first.exists()
    assert list(outputs.root.iterdir()) == [second.parent]
    assert not (Path(service.settings.data_dir) / "ui-output").exists()


def test_the_download_folder_goes_with_its_owner() -> None:
    """Downloads (queue exports, drafts) never outlive the Outputs that made them: the folder is
    removed when the object goes, and at the latest when the process ends (weakref.finalize)."""
    import gc

    outputs = Outputs()
    (outputs.fresh() / "x.xlsx").write_bytes(b"x")
    root = outputs.root
    assert root.name.startswith("assistant-ui-") and root.exists()
    del outputs
    gc.collect()
    assert not root.exists()


def test_a_rules_file_is_previewed_before_upload_and_a_bad_one_cannot_be_committed(tmp_path: Path) -> None:
    service = make_service(tmp_path, operator_keys=KEY)
    panel = OperatorTab(service).rounds_panel
    req = operator_request(service)
    rules_dir = service.settings.corpus_dir / "rules"
    good = tmp_path / "2024.yaml"
    good.write_bytes((rules_dir / "2024.yaml").read_bytes())
    shown, commit = panel.preview(req, str(good), '{"maturity": {"level": 2}}')
    assert commit["interactive"] is True and "校验通过" in shown and "样例企业的核验结论" in shown
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("notice#二.(二).2", "notice#九.9"), encoding="utf-8"
    )
    shown, commit = panel.preview(req, str(bad), "")
    assert commit["interactive"] is False and "条款 notice#九.9 在文件 notice 中不存在" in shown
    before = snapshot(service.settings.corpus_dir)
    with pytest.raises(gr.Error, match="未通过校验"):
        panel.commit(req, str(bad), "", True)
    with pytest.raises(gr.Error, match="样例画像不是合法的 JSON"):
        panel.preview(req, str(good), "{maturity")
    assert snapshot(service.settings.corpus_dir) == before
    assert "2024年11月22日" in panel.show(req, "2024")
