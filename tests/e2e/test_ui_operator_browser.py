"""Browser test of the 运维 tab (issues #15, #25): an operator logs in at /login with the
operator key (a wrong key first), lands on the 运维 tab, uploads a DOCX provincial notice, sees
its clauses, replaces it with a corrected version (preview, then commit), asks a question
answered from it in 咨询, retires it, asks again to see the answer change, and logs out.

This module's own server (overriding conftest's ``live_server``) is the whole app (the API with
/login, the page at "/", ASSISTANT_UI_ACCESS=open) with an operator key and a temporary copy of
corpus/, so the upload and the retirement never touch the repository's corpus. The key must
never show on the page, in the URL or in the browser's storage: the cookie holds a token.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document as new_docx

from assistant.config import REPO_ROOT
from assistant.service import LOGIN_COOKIE

TIMEOUT_MS = 30_000
OPERATOR_KEY = "op-e2e-secret"
QUESTION = "苏州市智能制造处的联系人和电话是什么？"
PHONE = "0512-68880000"
NOTICE = [
    "关于组织开展2024年度苏州市智能工厂梯度培育申报工作的通知",
    "各有关企业：",
    "一、申报材料报送",
    "（一）苏州市申报企业须将纸质申报书报送至苏州市工业和信息化局智能制造处（苏州市姑苏区三香路998号）。",
    "二、联系方式",
    f"（一）苏州市智能制造处联系人：王工，电话{PHONE}。",
]
OLD_ADDRESS, NEW_ADDRESS = "三香路998号", "干将西路1000号"


@pytest.fixture(scope="module")
def live_server(serve_ui: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    corpus = tmp_path_factory.mktemp("ops-corpus") / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    yield from serve_ui(
        tmp_path_factory.mktemp("ops-data"), api=True, corpus_dir=corpus, operator_keys=OPERATOR_KEY
    )


@pytest.fixture()
def notice_docx(tmp_path: Path) -> Path:
    document = new_docx()
    for line in NOTICE:
        document.add_paragraph(line)
    path = tmp_path / "苏州市通知.docx"
    document.save(str(path))
    return path


@pytest.fixture()
def notice_v2_docx(tmp_path: Path) -> Path:
    document = new_docx()
    for line in NOTICE:
        document.add_paragraph(line.replace(OLD_ADDRESS, NEW_ADDRESS))
    path = tmp_path / "苏州市通知（更正）.docx"
    document.save(str(path))
    return path


def _ask(page: Any, question: str) -> str:
    page.get_by_role("tab", name="咨询").click()
    before = page.locator("#chatbot [data-testid='bot']").count()
    page.fill("#chat-input textarea", question)
    page.click("#chat-send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot [data-testid=\"bot\"] details.src-card').length > 0"
        " && document.querySelectorAll('#chatbot [data-testid=\"bot\"]').length > n",
        arg=before,
    )
    page.wait_for_timeout(500)  # let the stream finish
    return str(page.locator("#chatbot [data-testid='bot']").last.inner_text())


def _key_nowhere_in_the_browser(page: Any) -> None:
    """Not on the page, not in its address, not in any storage; the cookie is an HttpOnly token."""
    assert OPERATOR_KEY not in page.content() and OPERATOR_KEY not in page.url
    stored = page.evaluate(
        "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
    )
    assert OPERATOR_KEY not in stored
    assert OPERATOR_KEY not in page.evaluate("() => document.cookie")  # HttpOnly: not even the token
    cookies = page.context.cookies()
    assert all(OPERATOR_KEY not in c["value"] for c in cookies)
    (login,) = [c for c in cookies if c["name"] == LOGIN_COOKIE]
    assert login["httpOnly"] and login["sameSite"] == "Strict" and login["path"] == "/"


def _log_in(page: Any, base: str) -> None:
    """At /login: a wrong key is refused on the form, the operator key opens the 运维 tab."""
    page.goto(base + "login")
    page.fill("#key", "wrong")
    page.click("#login-submit")
    page.wait_for_selector("p.err")
    assert "密钥无效" in page.locator("p.err").inner_text()
    page.fill("#key", OPERATOR_KEY)
    page.click("#login-submit")
    page.wait_for_url("**/?tab=ops")
    page.wait_for_selector("#ui-ready .ready", state="attached", timeout=TIMEOUT_MS)


def test_operator_uploads_a_notice_it_answers_from_then_retires_it(
    ui: Any, notice_docx: Path, notice_v2_docx: Path, live_server: Any
) -> None:
    page = ui.open()
    page.get_by_role("tab", name="运维").click()
    assert not page.locator("#ops-console").is_visible()
    page.wait_for_selector("#ops-need-login a[href='/login']")  # no key field: the way to /login

    _log_in(page, live_server.url)
    page.wait_for_selector("#ops-console", state="visible")  # ?tab=ops: the 运维 tab is open
    assert "已用运维密钥登录" in page.locator("#ops-who").inner_text()
    assert page.locator("#login-bar .logout-button").is_visible()
    page.wait_for_function(
        "() => (document.querySelector('#ops-doc-table')?.innerText ?? '').includes('nmg')"
    )
    _key_nowhere_in_the_browser(page)

    # 1. Upload: preview the parsed clauses, then commit.
    page.set_input_files("#ops-file input[type=file]", str(notice_docx))
    page.fill("#ops-doc-id input", "suzhou2024")
    page.fill("#ops-edition input", "2024")
    page.fill("#ops-region input", "江苏省")
    page.fill("#ops-title input", "苏州市转发通知（2024年）")  # what chat will call it
    page.wait_for_timeout(300)
    page.click("#ops-preview")
    page.wait_for_selector("#ops-preview-result .ops-doc")
    preview = page.locator("#ops-preview-result").inner_text()
    assert "预览" in preview and PHONE in preview
    assert not (Path(live_server.settings.corpus_dir) / "suzhou2024.md").exists()
    page.click("#ops-commit")
    page.wait_for_function(
        "() => (document.querySelector('#ops-doc-table')?.innerText ?? '').includes('suzhou2024')",
        timeout=TIMEOUT_MS,
    )
    assert (Path(live_server.settings.corpus_dir) / "suzhou2024.md").exists()
    # The list reads in Chinese and Beijing time: no official/retired, no UTC ISO (issue #27).
    listed = page.locator("#ops-doc-table").inner_text()
    assert "正式文件" in listed and "official" not in listed and "+00:00" not in listed
    assert "苏州市转发通知（2024年）" in listed
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", listed)

    # 2. See its clauses.
    page.locator("#ops-doc-pick input").click()
    page.get_by_role("option", name="suzhou2024", exact=False).first.click()
    page.wait_for_selector("#ops-doc-clauses .ops-doc[data-doc='suzhou2024']")
    clauses = page.locator("#ops-doc-clauses").inner_text()
    assert "suzhou2024#二.(一)" in clauses and PHONE in clauses and OLD_ADDRESS in clauses

    # 2b. Replace it with a corrected version: preview the new clauses, then commit.
    stored = Path(live_server.settings.corpus_dir) / "suzhou2024.md"
    page.get_by_text("替换文件（新版本沿用原编号）").click()
    page.locator("#ops-replace-pick input").click()
    page.get_by_role("option", name="suzhou2024", exact=False).first.click()
    page.set_input_files("#ops-replace-file input[type=file]", str(notice_v2_docx))
    page.wait_for_timeout(300)
    page.click("#ops-replace-preview")
    page.wait_for_selector("#ops-replace-preview-result .ops-doc")
    preview = page.locator("#ops-replace-preview-result").inner_text()
    assert "预览" in preview and NEW_ADDRESS in preview and OLD_ADDRESS not in preview
    assert OLD_ADDRESS in stored.read_text(encoding="utf-8")  # a preview changes nothing
    page.click("#ops-replace-commit")
    page.wait_for_function(
        "() => (document.querySelector('#ops-replace-preview-result')?.innerText ?? '').includes('使用中')",
        timeout=TIMEOUT_MS,
    )
    replaced = page.locator("#ops-replace-preview-result").inner_text()
    assert NEW_ADDRESS in replaced and "suzhou2024#一.(一)" in replaced
    text = stored.read_text(encoding="utf-8")
    assert NEW_ADDRESS in text and OLD_ADDRESS not in text

    # 3. Ask: the answer comes from the uploaded notice. The 运维 toasts stay behind in 运维.
    page.locator(".toast-body", has_text="已替换").wait_for()
    answer = _ask(page, QUESTION)
    assert page.locator(".toast-body", has_text="已替换").count() == 0
    assert PHONE in answer and "suzhou2024#" in answer

    # 4. Retire it.
    page.get_by_role("tab", name="运维").click()
    page.locator("#ops-doc-pick input").click()
    page.get_by_role("option", name="suzhou2024", exact=False).first.click()
    page.click("#ops-retire")
    page.wait_for_selector("#ops-retired .notice")
    assert "已停用" in page.locator("#ops-retired").inner_text()
    assert not (Path(live_server.settings.corpus_dir) / "suzhou2024.md").exists()

    # 5. Ask again: the notice is no longer used.
    again = _ask(page, QUESTION)
    assert PHONE not in again and "suzhou2024#" not in again
    assert again != answer
    _key_nowhere_in_the_browser(page)

    # 6. Log out (the button on the 运维 tab): the session ends and the console closes.
    page.get_by_role("tab", name="运维").click()
    page.click("#ops-who .logout-button")
    page.wait_for_url("**/login?logged_out=1")
    assert "您已退出登录" in page.content()
    assert not [c for c in page.context.cookies() if c["name"] == LOGIN_COOKIE]
    page.goto(live_server.url + "?tab=ops")
    page.wait_for_selector("#ui-ready .ready", state="attached", timeout=TIMEOUT_MS)
    page.wait_for_selector("#ops-need-login a[href='/login']")
    assert not page.locator("#ops-console").is_visible()
