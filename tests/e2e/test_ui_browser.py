"""The web UI in a real browser (chromium) against a live server: what an enterprise user does.

Each test is one user journey and saves a screenshot of the tab it ends on. The fixtures (see
conftest.py) fail a test if the page makes any request to a host other than the test server.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from assistant.config import REPO_ROOT

EXAMPLE_PROFILE = REPO_ROOT / "examples" / "profile.json"
#: Rows in the instance table: Gradio's grid says how many rows it has (header included).
INSTANCE_ROWS = (
    "Number(document.querySelector('#instance-table [role=grid]')?.getAttribute('aria-rowcount') || 1) - 1"
)


#: An internal field path or list position ("enterprise.above_designated_size", "links.生产作业",
#: "kpis[0]"): the page names things in Chinese, so none of these may show (issue #27).
INTERNAL_PATH = re.compile(r"\b(?:enterprise|basic|maturity|links|outcomes|status|kpis|scenarios)(?:\.|\[\d)")


def _ask(page: Any, question: str) -> Any:
    """Type a question, send it, and wait until the final answer (with its source cards) is in."""
    before = page.locator("#chatbot details.src-card").count()
    page.fill("#chat-input textarea", question)
    page.click("#chat-send")
    page.wait_for_function(
        "n => document.querySelectorAll('#chatbot details.src-card').length > n", arg=before
    )
    return page.locator("#chatbot [data-testid='bot']").last


def _in_view(page: Any, selector: str) -> bool:
    """The element's top is inside the viewport (not below the fold, not scrolled past)."""
    return bool(
        page.evaluate(
            "s => { const r = document.querySelector(s).getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight - 20; }",
            selector,
        )
    )


def _choose(page: Any, selector: str, option: str) -> None:
    """Open the Gradio dropdown at ``selector`` and click the option whose text starts with ``option``."""
    page.click(f"{selector} input")
    page.locator("[role=listbox] [role=option]", has_text=option).first.click()
    page.wait_for_function(
        "([s, o]) => document.querySelector(s + ' input')?.value.startsWith(o)", arg=[selector, option]
    )


def _download(page: Any, selector: str, folder: Path) -> Path:
    """Click selector and save the download under its suggested name in folder."""
    with page.expect_download() as download:
        page.click(selector)
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def _ladder(page: Any, scope: str) -> dict[str, str]:
    """Tier name -> status class of each ladder step under ``scope``."""
    steps = page.locator(f"{scope} ol.ladder li.step")
    out = {}
    for i in range(steps.count()):
        step = steps.nth(i)
        status = next(c for c in step.get_attribute("class").split() if c.startswith("st-"))
        out[step.locator(".tier").inner_text()] = status.removeprefix("st-")
    return out


def test_chat_answers_with_citations_sources_and_feedback(ui: Any, screenshot: Any) -> None:
    page = ui.open()
    assert page.locator("#mode-note").is_visible()
    assert "条款直答模式" in page.locator("#mode-note").inner_text()

    answer = _ask(page, "分公司能申报卓越级智能工厂吗？")
    # A cited answer: the clause id is a link in the text, and every source is a folded card.
    link = answer.locator("a.cite", has_text="【notice#二.(一).1】").first
    assert link.is_visible()
    card = answer.locator("details.src-card", has=page.locator(".cid", has_text="【notice#二.(一).1】"))
    assert card.get_attribute("open") is None
    # The verdict block: a four-step ladder, each step with words as well as a colour.
    assert list(_ladder(page, "#chatbot")) == ["基础级", "先进级", "卓越级", "领航级"]
    assert answer.locator(".ladder .st").first.inner_text() in ("满足", "不满足", "待确认", "原则上未满足")

    # Clicking the 【clause_id】 opens that source in place.
    link.click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('#chatbot details.src-card')].some(d => d.open)"
    )
    assert "独立法人资格" in card.locator(".src-text").inner_text()
    # For the picture: the verdict and the opened source in view inside the chat.
    page.wait_for_timeout(600)  # let the card's smooth scroll finish first
    page.evaluate(
        "() => document.querySelector('#chatbot .verdict').scrollIntoView({block: 'start', behavior: 'instant'})"
    )
    screenshot(page, "chat")

    # Thumbs up is stored at once; the optional comment then replaces that vote (one per answer).
    answer_box = page.locator("#chatbot .message-row").last
    answer_box.hover()
    page.locator("#chatbot button[aria-label='赞']").last.click()
    page.wait_for_selector("#feedback-panel textarea", state="visible")
    assert page.locator("#feedback-panel").count() == 1  # one element with that id
    page.wait_for_function(  # the comment box is brought into view, not left below the fold
        "() => document.querySelector('#feedback-panel').getBoundingClientRect().bottom <= innerHeight"
    )
    page.fill("#feedback-panel textarea", "引用准确")
    page.get_by_role("button", name="提交说明").click()
    page.wait_for_selector("#feedback-panel", state="hidden")
    with sqlite3.connect(ui.server.settings.data_dir / "sessions.db") as db:
        rows = db.execute("SELECT rating, comment FROM feedback ORDER BY id").fetchall()
    assert rows == [(5, "引用准确")]  # 赞 on the 1–5 scale; the comment completes the same vote

    # From the source card to the clause browser.
    card.locator("a.to-browser").click()
    page.wait_for_selector("#clause-detail .cd-id")
    assert page.locator("#clause-detail .cd-id").inner_text() == "【notice#二.(一).1】"
    assert "clause=notice" in page.url

    # The session is kept per browser: a reload shows the conversation again.
    page.goto(ui.server.url)
    page.wait_for_selector("#chatbot details.src-card")
    assert page.locator("#chatbot").inner_text().count("分公司能申报卓越级智能工厂吗") == 1


#: Where the first line of the latest answer is, and the chat's visible box: the first text that is
#: the answer itself (after the mode tags and notices), measured as it is, without scrolling.
ANSWER_START = """() => {
  const bot = [...document.querySelectorAll('#chatbot [data-testid=bot]')].at(-1);
  const walker = document.createTreeWalker(bot, NodeFilter.SHOW_TEXT, {acceptNode: n =>
    n.textContent.trim() && !n.parentElement.closest('.answer-tags, .notice')
      ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
  const node = walker.nextNode();
  const range = document.createRange();
  range.setStart(node, 0);
  range.setEnd(node, 1);
  const line = range.getBoundingClientRect();
  const box = document.querySelector('#chatbot .bubble-wrap').getBoundingClientRect();
  return {text: node.textContent.trim().slice(0, 30), top: line.top, bottom: line.bottom,
          boxTop: box.top, boxBottom: box.bottom, window: window.innerHeight};
}"""


def _answer_start_in_view(page: Any) -> dict[str, Any]:
    """Assert that the latest answer's first line is inside the chat box and the window."""
    page.wait_for_timeout(1500)  # past ui.js's release of the pin, and any late layout
    where = page.evaluate(ANSWER_START)
    assert where["boxTop"] <= where["top"] and where["bottom"] <= where["boxBottom"], where
    assert where["top"] >= 0 and where["bottom"] <= where["window"], where
    return dict(where)


@pytest.mark.parametrize("device", ["laptop", "phone"])
def test_the_answer_starts_in_view_after_each_reply(device: str, request: pytest.FixtureRequest) -> None:
    """Issue #27: after a long reply (verdict, gaps, source cards) the chat shows the start of the
    answer, not the source cards at its bottom; the same for a second question below the first."""
    page = request.getfixturevalue(device).open()
    _ask(page, "我们是内蒙古的有色金属企业，成熟度三级，已获评先进级，能申报卓越级吗？")
    first = _answer_start_in_view(page)
    assert first["text"].startswith("（按"), first
    # The question asked back is its own paragraph, not drawn inside the bullet above it.
    bot = page.locator("#chatbot [data-testid='bot']").last
    assert bot.locator("p", has_text="要给出确定结论").count() == 1
    assert bot.locator("li", has_text="要给出确定结论").count() == 0
    _ask(page, "分公司能申报卓越级智能工厂吗？")
    _answer_start_in_view(page)
    # The sources stay one scroll away: the last card is below the visible box, not gone.
    assert page.locator("#chatbot details.src-card").last.count() == 1


def test_document_text_in_answers_shows_as_written(ui: Any) -> None:
    """Issue #27: quoted document text went through the chat's Markdown: a masked phone number
    turned bold and lost its asterisks, and a URL swallowed the Chinese sentence after it."""
    page = ui.open()
    answer = _ask(page, "申报咨询电话是多少？")
    page.evaluate("() => document.querySelectorAll('#chatbot details.src-card').forEach(d => d.open = true)")
    shown = answer.inner_text()
    assert shown.count("188****5758　150****5395") >= 2, shown  # the answer and its source card
    assert answer.locator("strong, em").count() == 0
    answer = _ask(page, "成熟度自评估在哪个平台做？")
    links = answer.locator("a[href*='c3mep']")
    assert links.count() >= 1
    for i in range(links.count()):
        assert links.nth(i).get_attribute("href") == "http://www.c3mep.cn"
        assert links.nth(i).text_content() == "www.c3mep.cn"  # some sit in folded cards


def test_understood_facts_are_chips_that_start_a_correction(ui: Any, screenshot: Any) -> None:
    """Issue #12: the facts read from the question show as chips; tapping one starts a correction
    in the input, and the corrected fact is what the next answer understands."""
    page = ui.open()
    answer = _ask(page, "我们是内蒙古一家电解铝分公司，能报卓越级吗？")
    chips = answer.locator(".understood .u-chip")
    texts = [chips.nth(i).inner_text() for i in range(chips.count())]
    assert any("所属行业：有色金属" in t and "电解铝" in t for t in texts), texts
    assert any("法人形式" in t for t in texts), texts
    screenshot(page, "chat-understood")
    answer.locator(".understood a.u-chip", has_text="所属行业").click()
    assert page.input_value("#chat-input textarea") == "更正：所属行业是"
    page.locator("#chat-input textarea").press("End")
    page.locator("#chat-input textarea").type("石油石化")
    page.click("#chat-send")
    page.wait_for_function("() => [...document.querySelectorAll('#chatbot .understood')].length >= 2")
    last = page.locator("#chatbot .understood").last.inner_text()
    assert "所属行业：石油石化" in last and "有色金属" not in last


def test_self_check_shows_the_tier_ladder_and_hands_the_profile_to_chat(
    ui: Any, screenshot: Any, tmp_path: Path
) -> None:
    page = ui.open("?tab=check")
    page.wait_for_selector("#check-panel ol.ladder")
    assert set(_ladder(page, "#check-panel").values()) == {"unknown"}  # nothing filled in yet
    # The full report asks for the missing facts by their Chinese names, not profile paths.
    page.get_by_text("完整评估报告（含申报条件、时间节点与名额）").click()
    page.locator("#full-report", has_text="需补充的信息").wait_for()
    report = page.locator("#full-report").inner_text()
    assert "规模以上工业企业" in report
    assert not INTERNAL_PATH.search(report), INTERNAL_PATH.search(report)

    # Import a complete profile: the ladder updates at once, and the gaps say what to do.
    page.set_input_files("input[data-testid='导入画像 JSON-upload-button']", str(EXAMPLE_PROFILE))
    page.wait_for_function("() => document.querySelector('#check-panel li.step.st-met') !== null")
    ladder = _ladder(page, "#check-panel")
    assert ladder["基础级"] == "met" and ladder["先进级"] == "met" and ladder["卓越级"] == "not_met"
    assert "已满足的最高层级：先进级" in page.locator("#check-panel .verdict-sum").inner_text()
    assert page.locator("#gap-table tbody tr").count() >= 1
    assert page.locator("#pf-enterprise-name input").input_value() == "某某有限公司"

    # Changing one answer recomputes: maturity level one fails even 基础级.
    page.locator("#pf-maturity-level label", has_text="一级").click()
    page.wait_for_function(
        "() => document.querySelector('#check-panel li.step.st-not_met .tier')?.textContent === '基础级'"
    )
    assert "无" in page.locator("#check-panel .verdict-sum b").first.inner_text()
    page.locator("#pf-maturity-level label", has_text="三级").click()
    page.wait_for_function("() => document.querySelector('#check-panel li.step.st-met') !== null")
    screenshot(page, "check")

    # Export gives back the same profile as JSON.
    page.click("#export-profile")
    with page.expect_download() as download:
        page.locator("#exported-profile a[data-testid='download-link']").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported == json.loads(EXAMPLE_PROFILE.read_text(encoding="utf-8"))

    # 问助手: the chat answers with this profile and this 评估日期 attached, verdict included.
    page.fill("#check-as-of input", "2024-11-15")
    page.locator("#check-as-of input").dispatch_event("input")
    page.click("#ask-with-profile")
    page.wait_for_selector("#profile-chip", state="visible")
    chip = page.locator("#profile-chip").inner_text()
    assert "某某有限公司" in chip and "2024-11-15" in chip
    page.wait_for_selector("#chatbot .verdict ol.ladder")
    chat_ladder = _ladder(page, "#chatbot .verdict")
    assert chat_ladder["基础级"] == "met" and chat_ladder["先进级"] == "met"
    assert "判断日期：2024-11-15" in page.locator("#chatbot [data-testid='bot']").last.inner_text()


def test_self_check_reads_the_industry_typed_as_chat_does(ui: Any) -> None:
    """Issue #27: "电解铝" typed in 自评 was an industry of its own there, while chat read it as
    有色金属; the form now shows what it understood, as a chip, and judges by it."""
    page = ui.open("?tab=check")
    page.wait_for_selector("#check-panel ol.ladder")
    # As an input method commits Chinese text: an insertText, no key press (which is all that
    # Gradio's own "input" event listened to, so the result never followed typed Chinese).
    page.locator("#pf-enterprise-industry input").click()
    page.keyboard.insert_text("电解铝")
    chip = page.locator("#check-panel .understood .u-chip", has_text="所属行业")
    chip.wait_for()
    assert "有色金属" in chip.inner_text() and "电解铝" in chip.inner_text()
    assert page.locator("#pf-enterprise-industry input").input_value() == "电解铝"  # as typed


def test_draft_from_catalog_search_downloads_docx_and_xlsx_and_reviews(
    ui: Any, screenshot: Any, tmp_path: Path
) -> None:
    from docx import Document
    from openpyxl import load_workbook

    page = ui.open("?tab=draft")
    # Nothing typed means nothing: no 0 in 总投资 nor in the KPI table.
    assert page.locator("#draft-investment input").input_value() == ""
    page.get_by_text("3. 关键绩效指标").click()
    page.wait_for_function(
        "() => (document.querySelector('#kpi-table')?.innerText ?? '').includes('数控化率')"
    )
    lines = page.locator("#kpi-table").inner_text().split("\n")
    assert "关键设备数控化率" in lines and "0" not in lines  # empty cells, not zeros
    page.click("#load-example")
    page.wait_for_function(f"() => {INSTANCE_ROWS} >= 7")
    rows_before = page.evaluate(f"() => {INSTANCE_ROWS}")
    # The example is for the 2024 round, so the catalogue follows it to the 2024 guide.
    assert page.locator("#draft-round input").input_value() == "2024年度"
    page.wait_for_function(
        "() => document.querySelector('#draft-edition input')?.value.startsWith('2024年版')"
    )

    # The user picks the 2025 guide; choosing the round afterwards keeps the user's choice.
    _choose(page, "#draft-edition", "2025年版")
    _choose(page, "#draft-round", "2024年度")
    page.wait_for_timeout(300)
    assert page.locator("#draft-edition input").input_value().startswith("2025年版")

    # Catalog search in the user's words: "AI质检" is the 2025 guide's 在线智能检测 in 生产作业.
    page.fill("#scenario-query input", "AI质检")
    page.click("#scenario-find")
    page.wait_for_function(
        "() => document.querySelector('#scenario-pick input')?.value.includes('在线智能检测')"
    )
    assert page.locator("#segment-pick input").input_value().startswith("生产作业")
    page.fill("#instance-name input", "电驱壳体装配线螺栓拧紧质量的AI在线判定")
    page.click("#add-instance")
    page.wait_for_function(f"n => {INSTANCE_ROWS} === n + 1", arg=rows_before)

    # An absurd investment is refused in Chinese; then the example's own figure is restored.
    kept = page.locator("#draft-investment input").input_value()
    page.fill("#draft-investment input", "-5")
    page.click("#generate-draft")
    page.locator(".toast-body", has_text="总投资").wait_for()
    page.locator(".toast-body", has_text="总投资").locator("xpath=..").locator("button").first.click()
    page.fill("#draft-investment input", kept)
    page.click("#generate-draft")
    page.wait_for_selector("#draft-checks .findings, #draft-checks .no-gaps")
    lines = page.locator("#draft-lines li").all_inner_texts()
    assert "生产作业—在线智能检测—电驱壳体装配线螺栓拧紧质量的AI在线判定" in lines
    assert "必须修改" in page.locator("#draft-summary").inner_text()  # the summary counts by severity
    screenshot(page, "draft", scroll_to="#generate-draft")
    # The preview holds all of 附件3: parts 一 to 四, with the 真实性承诺 in part 二.
    preview = page.locator("#draft-preview").inner_text()
    heads = [
        "一、申报单位基本信息",
        "二、智能工厂基本情况",
        "三、智能工厂场景建设情况",
        "四、智能工厂建设成效",
    ]
    assert [preview.find(h) for h in heads] == sorted(preview.find(h) for h in heads)
    assert all(h in preview for h in heads) and "真实性承诺" in preview
    assert "本单位郑重承诺" in preview

    # One part alone: pick 二 in the dropdown and download it as a DOCX.
    assert "一、申报单位基本信息" in page.locator("#download-section").inner_text()  # the first by default
    _choose(page, "#section-pick", "二、")
    page.locator("#download-section", has_text="二、智能工厂基本情况").wait_for()
    part_path = _download(page, "#download-section", tmp_path)
    assert part_path.suffix == ".docx"
    part = Document(str(part_path))
    part_heads = [p.text for p in part.paragraphs if p.style.name.startswith("Heading")]
    assert part_heads[0] == "二、智能工厂基本情况" and "（六）真实性承诺" in part_heads
    assert not any(h.startswith(("三、", "四、", "附件4")) for h in part_heads)

    docx_path = _download(page, "#download-docx", tmp_path)
    assert docx_path.suffix == ".docx"
    document = Document(str(docx_path))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "新能源汽车电驱动壳体智能工厂" in text
    assert "生产作业—在线智能检测—电驱壳体装配线螺栓拧紧质量的AI在线判定" in text
    assert "智能工厂场景建设情况" in text and "智能工厂建设成效" in text

    xlsx_path = _download(page, "#download-xlsx", tmp_path)
    sheet = load_workbook(xlsx_path).active
    assert sheet.cell(3, 2).value == "申报单位名称"
    assert sheet.cell(4, 3).value == "新能源汽车电驱动壳体智能工厂"

    # 审阅: the DOCX just produced, uploaded back, gets findings grouped by severity.
    page.get_by_role("tab", name="审阅已有草稿").click()
    page.set_input_files("#review-file input[type=file]", str(docx_path))
    page.wait_for_selector("#review-file .file-preview, #review-file table", timeout=15_000)
    page.click("#start-review")
    page.wait_for_selector("#review-findings .findings, #review-findings .no-gaps")
    assert "识别到8个场景实例" in page.locator("#review-summary").inner_text()
    screenshot(page, "review")

    # A corrupt file: a Chinese message without any server path, and no stale results left.
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a real docx, 25 bytes")
    page.locator(
        "#review-file button[aria-label='清除'], #review-file button[aria-label='Clear']"
    ).first.click()
    page.wait_for_function("() => !document.querySelector('#review-summary').innerText.trim()")
    page.wait_for_timeout(300)
    page.set_input_files("#review-file input[type=file]", str(junk))
    page.locator("#review-file", has_text="junk.docx").wait_for()
    page.click("#start-review")
    toast = page.locator(".toast-body", has_text="junk.docx")
    toast.wait_for()
    assert "Package" not in toast.inner_text() and "/" not in toast.inner_text()
    assert page.locator("#review-summary").inner_text().strip() == ""
    assert page.locator("#review-findings").inner_text().strip() == ""


def _type_in_cell(page: Any, table: str, row_text: str, column: int, keys: str) -> Any:
    """Click a cell of the Gradio table ``table`` (the row holding ``row_text``) and type ``keys``
    with real key events, then Enter, as a user does; returns the cell."""
    cell = page.locator(f"{table} [role=row]", has_text=row_text).locator("[role=gridcell]").nth(column)
    cell.click()
    page.keyboard.type(keys)
    page.keyboard.press("Enter")
    return cell


def test_kpi_table_keeps_every_keystroke_into_the_docx(ui: Any, tmp_path: Path) -> None:
    """Issue #27: the first key typed on a selected cell opened the editor and was lost ("62" was
    stored as "2"), and the wrong figure went into the DOCX."""
    from docx import Document

    page = ui.open("?tab=draft")
    page.click("#load-example")
    page.wait_for_function(f"() => {INSTANCE_ROWS} >= 7")
    page.get_by_text("3. 关键绩效指标").click()
    page.locator("#kpi-table [role=row]", has_text="68").wait_for()
    # A filled cell is replaced by what is typed; an empty one takes it; columns 3/4 = 建设前/建设后.
    for row, column, keys in (
        ("关键设备数控化率", 3, "62"),
        ("先进过程控制投用率", 3, "30"),
        ("先进过程控制投用率", 4, "75"),
    ):
        cell = _type_in_cell(page, "#kpi-table", row, column, keys)
        assert cell.inner_text().split("\n")[0] == keys, (row, column)
    page.wait_for_timeout(300)
    page.click("#generate-draft")
    page.wait_for_selector("#draft-checks .findings, #draft-checks .no-gaps")
    document = Document(str(_download(page, "#download-docx", tmp_path)))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    checks = page.locator("#draft-checks").text_content() or ""
    assert not INTERNAL_PATH.search(checks), INTERNAL_PATH.search(checks)
    assert "关键设备数控化率由建设前的62%" in text
    assert "先进过程控制投用率由建设前的30%" in text and "75%" in text
    assert "建设前的2%" not in text and "建设前的68%" not in text


def test_clause_browser_search_and_deep_link(ui: Any, screenshot: Any) -> None:
    page = ui.open("?tab=clauses")
    page.click("#clause-search")  # nothing typed: a friendly Chinese message, no traceback
    page.locator(".toast-body", has_text="请输入要查找的关键词或问题").wait_for()
    page.fill("#clause-query input", "关键设备数控化率")
    page.click("#clause-search")
    page.wait_for_selector("#clause-results ol.clause-list li")
    first = page.locator("#clause-results a.cite").first
    clause_id = first.inner_text().strip("【】")
    assert clause_id.startswith("kpi#")
    first.click()
    page.wait_for_function(
        "id => document.querySelector('#clause-detail .cd-id')?.textContent === '【' + id + '】'",
        arg=clause_id,
    )
    assert "数控化率" in page.locator("#clause-detail .cd-text").inner_text()
    screenshot(page, "clauses")

    # Deep link: /?clause=<id> opens the 条款 tab on that clause, its document listed beside it.
    page = ui.open("?clause=notice%23二.(一).1")
    page.wait_for_selector("#clause-detail .cd-id")
    assert page.locator("#clause-detail .cd-id").inner_text() == "【notice#二.(一).1】"
    page.locator("#clause-results a.cite", has_text="【notice#二.(一).2】").wait_for()
    # The 本条链接 shown works when copied: the site's address, and "#" encoded (issue #27).
    page.wait_for_function("() => document.querySelector('#clause-detail a.permalink')?.dataset.absolute")
    shown = page.locator("#clause-detail a.permalink").inner_text()
    assert shown == ui.server.url + "?clause=notice%23二.(一).1"
    page.goto(shown)
    page.wait_for_selector("#ui-ready .ready", state="attached")
    page.wait_for_function(
        "() => document.querySelector('#clause-detail .cd-id')?.textContent === '【notice#二.(一).1】'"
    )
    # Unknown ids get a message, not an error.
    page = ui.open("?clause=kpi%2399")
    page.wait_for_selector("#clause-detail .empty")
    assert "kpi#99" in page.locator("#clause-detail").inner_text()


#: What a screen reader or a low-vision reader meets on the page: duplicate ids, English names of
#: controls (aria-label, title, label and button text; the CLI command and API path named in the
#: profile JSON's heading are commands, not words), and text below WCAG AA contrast (4.5:1,
#: 3:1 for large text; each background found by walking up to the first opaque ancestor, and the
#: text faded by the opacity of its blocks), and links in running text told by colour alone.
A11Y_AUDIT = r"""() => {
  const ids = {}; document.querySelectorAll('[id]').forEach(e => { if (e.id) ids[e.id] = (ids[e.id]||0)+1; });
  const dup = Object.entries(ids).filter(([k,v]) => v > 1);
  const english = [];
  document.querySelectorAll('[aria-label], [title], label, button').forEach(e => {
    for (const v of [e.getAttribute('aria-label'), e.getAttribute('title'), (e.tagName==='BUTTON'||e.tagName==='LABEL') ? e.innerText : null]) {
      if (v && /[A-Za-z][a-z]{2,}/.test(v.replace(/assistant check|\/v1\/\S*/g, ''))) english.push(e.tagName + ':' + v.slice(0,40));
    }
  });
  const unlabelled = [];
  document.querySelectorAll('input:not([type=hidden]):not([type=file]), textarea, select').forEach(e => {
    if (e.closest('.ghost')) return;
    const r = e.getBoundingClientRect(); if (!r.width) return;
    const name = e.getAttribute('aria-label') || (e.labels && e.labels[0] && e.labels[0].innerText) || e.getAttribute('aria-labelledby');
    if (!name) unlabelled.push((e.closest('[id]')||{}).id + ':' + e.tagName + ':' + (e.placeholder||''));
  });
  function rgb(s){ const m = s.match(/[\d.]+/g); return m ? m.map(Number) : [0,0,0,0]; }
  function lum(c){ const a = c.slice(0,3).map(v => { v/=255; return v <= 0.03928 ? v/12.92 : Math.pow((v+0.055)/1.055, 2.4); }); return 0.2126*a[0]+0.7152*a[1]+0.0722*a[2]; }
  function bg(e){ while (e) { const c = rgb(getComputedStyle(e).backgroundColor); if (c.length < 4 || c[3] > 0.5) { if (c.length>=3 && !(c.length===4 && c[3]===0)) return c; } e = e.parentElement; } return [255,255,255]; }
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n; const seen = new Set();
  while ((n = walker.nextNode())) {
    const el = n.parentElement; if (!el || seen.has(el) || !n.textContent.trim()) continue; seen.add(el);
    const r = el.getBoundingClientRect(); if (!r.width || !r.height) continue;
    const cs = getComputedStyle(el); if (cs.visibility === 'hidden' || cs.display === 'none' || el.closest('.ghost,[aria-hidden=true]')) continue;
    if (el.closest('[disabled], [aria-disabled=true]')) continue;  // WCAG exempts inactive controls
    let fg = rgb(cs.color), b = bg(el);
    let alpha = 1; for (let a = el; a; a = a.parentElement) alpha *= +getComputedStyle(a).opacity;
    fg = fg.slice(0, 3).map((v, i) => v * alpha + b[i] * (1 - alpha));  // a faded block fades its text
    const L1 = lum(fg), L2 = lum(b); const ratio = (Math.max(L1,L2)+0.05)/(Math.min(L1,L2)+0.05);
    const big = parseFloat(cs.fontSize) >= 24 || (parseFloat(cs.fontSize) >= 18.66 && +cs.fontWeight >= 700);
    if (ratio < (big ? 3 : 4.5)) low.push(ratio.toFixed(2) + ' ' + el.tagName + '.' + (el.className||'').toString().slice(0,30) + ' "' + n.textContent.trim().slice(0,20) + '" ' + cs.color + ' on ' + b);
  }
  // A link inside running text must not be told by colour alone: it is underlined.
  const plain = [...document.querySelectorAll('p a[href], li a[href]')].filter(a =>
    a.getClientRects().length && !a.closest('.ghost') && !getComputedStyle(a).textDecorationLine.includes('underline'))
    .map(a => a.textContent.trim().slice(0, 20));
  return {dup, english: [...new Set(english)], unlabelled, low, plain};
}"""


@pytest.mark.parametrize("tab", ["chat", "check", "draft", "clauses"])
def test_each_tab_is_named_in_chinese_with_contrast_and_visible_focus(ui: Any, tab: str) -> None:
    """Issue #27: hints and cite links at 2.56–3.68:1, "Select example 1:", "Copy message" and
    inputs announced as "Textbox", no focus ring on the chat input."""
    page = ui.open(f"?tab={tab}")
    if tab == "chat":
        _ask(page, "分公司能申报卓越级智能工厂吗？")
        page.locator("#chatbot .message-row").last.hover()  # its copy and thumb buttons too
    elif tab == "check":
        page.set_input_files("input[data-testid='导入画像 JSON-upload-button']", str(EXAMPLE_PROFILE))
        page.wait_for_selector("#check-panel li.step.st-met")
    page.wait_for_timeout(300)
    # Gradio fades a component to 20 % while its update is on the way: audit the page at rest.
    page.wait_for_function("() => !document.querySelector('.pending')")
    page.wait_for_timeout(300)
    audit = page.evaluate(A11Y_AUDIT)
    assert audit["dup"] == [], audit["dup"]
    assert audit["english"] == [], audit["english"]
    assert audit["unlabelled"] == [], audit["unlabelled"]
    assert audit["low"] == [], audit["low"]
    assert audit["plain"] == [], audit["plain"]
    if tab == "clauses":  # the tabs move with the arrow keys, as the ARIA tabs pattern says
        page.get_by_role("tab", name="条款", exact=True).focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.activeElement?.getAttribute('aria-selected') === 'true'")
        assert page.evaluate("() => document.activeElement.textContent") == "运维"
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => document.activeElement?.textContent === '起草'")
        assert page.get_by_role("tab", name="起草", exact=True).get_attribute("aria-selected") == "true"
    if tab == "chat":
        page.locator("#chat-input textarea").focus()
        ring = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert ring != "none"
        assert (
            page.locator("#chat-input textarea").get_attribute("aria-label")
            or page.get_by_label("输入问题").count()
        )


@pytest.mark.parametrize("tab", ["chat", "check", "draft", "clauses"])
def test_phone_width_has_no_horizontal_scroll(phone: Any, screenshot: Any, tab: str) -> None:
    page = phone.open(f"?tab={tab}")
    key = {"chat": "#chat-input textarea", "check": "#pf-enterprise-name input"}.get(tab, "")
    if key:  # the control the user came for is on screen without scrolling
        assert _in_view(page, key), f"{key} 不在手机首屏内"
    if tab == "chat":  # the welcome starts at its top, not scrolled to its bottom (issue #27)
        assert page.evaluate("() => document.querySelector('#chatbot .bubble-wrap').scrollTop") == 0
    if tab == "chat":
        _ask(page, "卓越级对智能制造能力成熟度有什么要求？")
    elif tab == "check":
        page.set_input_files("input[data-testid='导入画像 JSON-upload-button']", str(EXAMPLE_PROFILE))
        page.wait_for_selector("#check-panel li.step.st-met")
    elif tab == "draft":
        page.click("#load-example")
        page.wait_for_function(f"() => {INSTANCE_ROWS} >= 7")
    else:
        page.fill("#clause-query input", "分公司")
        page.click("#clause-search")
        page.wait_for_selector("#clause-results ol.clause-list li")
        page.locator("#clause-results a.cite").first.click()
        page.wait_for_selector("#clause-detail .cd-id")
        page.wait_for_function(
            "() => { const r = document.querySelector('#clause-detail').getBoundingClientRect();"
            " return r.top >= 0 && r.top < window.innerHeight - 20; }"
        )
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"页面在手机宽度下横向溢出 {overflow}px"
    if tab in ("chat", "check"):  # every ladder step wide enough for its words (issue #27)
        steps = page.locator(".verdict ol.ladder li.step")
        for i in range(steps.count()):
            width, clipped = steps.nth(i).evaluate(
                "e => [e.getBoundingClientRect().width,"
                " [...e.querySelectorAll('span')].some(s => s.scrollWidth > s.clientWidth + 1)]"
            )
            assert width >= 100 and not clipped, (i, width, clipped)
    if tab == "chat":  # the start of the answer in view as it is, for the picture too
        _answer_start_in_view(page)
    if tab in ("chat", "check"):
        screenshot(page, f"{tab}-phone")
    if tab == "check":  # the gap table scrolls sideways inside its box rather than being clipped
        wrap = page.locator("#gap-table .table-wrap")
        assert wrap.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        assert wrap.evaluate("e => e.getBoundingClientRect().right") <= 390


def test_phone_deep_link_shows_the_clause(phone: Any) -> None:
    page = phone.open("?clause=notice%23二.(一).1")
    page.wait_for_selector("#clause-detail .cd-id")
    page.wait_for_function(
        "() => { const r = document.querySelector('#clause-detail').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight - 20; }"
    )
