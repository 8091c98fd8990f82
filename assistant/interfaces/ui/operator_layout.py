"""The 运维 tab's page: login row, then the console's three sub-tabs (文件, 复核队列, 统计),
wired to ``operator.OperatorTab``'s handlers.

Split from ``operator`` so that each module has one job: that one answers events through
``service.console``, this one only lays out components and connects them (nothing computed).
Every event is private (``api_visibility``): the /v1/admin API is the programmatic surface.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.console import OUTCOMES, QUEUE_KINDS
from assistant.interfaces.ui.common import PRIVATE

if TYPE_CHECKING:
    from assistant.interfaces.ui.operator import OperatorTab

OPS_OFF = (
    "运维功能未启用：服务端没有配置运维密钥。管理员可在环境变量 <code>ASSISTANT_OPERATOR_KEYS</code> "
    "中设置一个或多个运维密钥（逗号分隔，可写成 sha256:&lt;摘要&gt;）后重启服务。"
)
LOGIN_NOTE = "请输入运维密钥。密钥只在本次浏览器会话中使用，不会保存；刷新页面后需重新输入。"
DOC_HEADERS = ["编号", "标题", "批次", "地区", "状态", "使用中", "条款数", "添加时间", "添加人"]
QUEUE_HEADERS = ["回答编号", "提问时间", "问题", "复核原因", "评分", "复核结论", "复核说明"]
UPLOAD_STATUSES = [("正式文件", "official"), ("征求意见稿", "draft"), ("参考资料", "reference")]
#: Replacing: an empty field keeps the document's current value (the service's rule).
REPLACE_STATUSES = [("沿用原状态", ""), *UPLOAD_STATUSES]
DATE_HINT = "年-月-日，如 2025-01-31；不填为不限"


def _file_input(elem_id: str, label: str) -> gr.File:
    return gr.File(label=label, file_types=[".pdf", ".docx", ".md", ".txt"], type="filepath", elem_id=elem_id)


def _metadata(prefix: str, *, replacing: bool) -> tuple[gr.Textbox, gr.Textbox, gr.Dropdown]:
    """批次, 地区 and 状态 of an upload; for a replacement, empty keeps the document's own."""
    edition = gr.Textbox(
        label="申报批次",
        max_lines=1,
        placeholder="不填则沿用原批次" if replacing else "如 2025",
        elem_id=f"{prefix}edition",
    )
    region = gr.Textbox(
        label="地区",
        max_lines=1,
        placeholder="不填则沿用原地区" if replacing else "如 江苏省",
        elem_id=f"{prefix}region",
    )
    statuses = REPLACE_STATUSES if replacing else UPLOAD_STATUSES
    kind = gr.Dropdown(statuses, value=statuses[0][1], label="状态", elem_id=f"{prefix}status-pick")
    return edition, region, kind


def _actions(prefix: str, preview_label: str, commit_label: str) -> tuple[gr.Button, gr.Button, gr.HTML]:
    """Preview, then commit (enabled by a successful preview), and where the clauses show."""
    with gr.Row():
        preview = gr.Button(preview_label, elem_id=f"{prefix}preview")
        commit = gr.Button(commit_label, variant="primary", interactive=False, elem_id=f"{prefix}commit")
    return preview, commit, gr.HTML(elem_id=f"{prefix}preview-result")


def build_console(tab: OperatorTab) -> tuple[Any, list[Any]]:
    """The 运维 tab's content wired to ``tab``'s handlers; call inside ``gr.Tab("运维")``. Returns
    the page-load handler and its outputs, for the caller to register on the Blocks."""
    off = gr.HTML(f'<div class="notice" id="ops-off">{OPS_OFF}</div>', visible=False, elem_id="ops-off-box")
    operator = gr.State(None)
    with gr.Row(elem_id="ops-login", visible=False) as login_row:
        key = gr.Textbox(
            label="运维密钥", type="password", placeholder=LOGIN_NOTE, scale=4, elem_id="ops-key"
        )
        enter = gr.Button("进入运维", variant="primary", scale=1, min_width=100, elem_id="ops-enter")
    status = gr.HTML(f'<p class="ops-note">{LOGIN_NOTE}</p>', elem_id="ops-status", visible=False)
    with gr.Column(visible=False, elem_id="ops-console") as console, gr.Tabs():
        with gr.Tab("文件", id="ops-docs"):
            docs = gr.Dataframe(headers=DOC_HEADERS, interactive=False, wrap=True, elem_id="ops-doc-table")
            with gr.Row():
                refresh = gr.Button("刷新列表", size="sm", elem_id="ops-doc-refresh")
                reindex = gr.Button("重建索引", size="sm", elem_id="ops-reindex")
            reindexed = gr.HTML(elem_id="ops-reindexed")
            doc = gr.Dropdown([], value=None, label="查看条款 / 停用文件", elem_id="ops-doc-pick")
            with gr.Row():
                note = gr.Textbox(label="停用说明（可选）", max_lines=1, scale=4, elem_id="ops-retire-note")
                retire = gr.Button("停用该文件", variant="stop", scale=1, min_width=100, elem_id="ops-retire")
            retired = gr.HTML(elem_id="ops-retired")
            clauses = gr.HTML(elem_id="ops-doc-clauses")
            with gr.Accordion("上传文件", open=True, elem_id="ops-upload"):
                file = _file_input("ops-file", "文件（PDF、DOCX、MD、TXT）")
                with gr.Row():
                    doc_id = gr.Textbox(label="文件编号", max_lines=1, elem_id="ops-doc-id")
                    edition, region, kind = _metadata("ops-", replacing=False)
                preview, commit, previewed = _actions("ops-", "预览条款", "确认导入")
            with gr.Accordion("替换文件（新版本沿用原编号）", open=False, elem_id="ops-replace"):
                replace_doc = gr.Dropdown([], value=None, label="要替换的文件", elem_id="ops-replace-pick")
                replace_file = _file_input("ops-replace-file", "新版本文件（PDF、DOCX、MD、TXT）")
                with gr.Row():
                    replace_edition, replace_region, replace_kind = _metadata("ops-replace-", replacing=True)
                replace_preview, replace_commit, replaced = _actions(
                    "ops-replace-", "预览新版本条款", "确认替换"
                )
        with gr.Tab("复核队列", id="ops-queue"):
            kinds = gr.CheckboxGroup(
                [(label, k) for k, label in QUEUE_KINDS.items()],
                value=[],
                label="类别（不选为全部）",
                elem_id="ops-kinds",
            )
            with gr.Row():
                since = gr.Textbox(
                    label="起始日期", max_lines=1, placeholder=DATE_HINT, elem_id="ops-queue-since"
                )
                until = gr.Textbox(
                    label="截止日期", max_lines=1, placeholder=DATE_HINT, elem_id="ops-queue-until"
                )
            with gr.Row():
                load_queue = gr.Button("刷新队列", size="sm", elem_id="ops-queue-refresh")
                export = gr.Button("导出 XLSX", size="sm", elem_id="ops-export")
            exported = gr.File(
                label="复核队列 XLSX", visible=False, interactive=False, elem_id="ops-exported"
            )
            queue = gr.Dataframe(
                headers=QUEUE_HEADERS, interactive=False, wrap=True, elem_id="ops-queue-table"
            )
            answer = gr.Dropdown([], value=None, label="要标记的回答", elem_id="ops-answer")
            outcome = gr.Radio(
                [(label, k) for k, label in OUTCOMES.items()], label="复核结论", elem_id="ops-outcome"
            )
            mark_note = gr.Textbox(label="说明", max_lines=2, elem_id="ops-mark-note")
            mark = gr.Button("保存标记", variant="primary", elem_id="ops-mark")
        with gr.Tab("统计", id="ops-stats"):
            with gr.Row():
                stats_since = gr.Textbox(
                    label="起始日期", max_lines=1, placeholder=DATE_HINT, elem_id="ops-stats-since"
                )
                stats_until = gr.Textbox(
                    label="截止日期", max_lines=1, placeholder=DATE_HINT, elem_id="ops-stats-until"
                )
            load_stats = gr.Button("刷新统计", size="sm", elem_id="ops-stats-refresh")
            stats = gr.HTML(elem_id="ops-stats-view")

    login_outputs = [operator, key, console, status, docs, doc, replace_doc, queue, stats]
    login = enter.click(tab.login, [key], login_outputs, **PRIVATE)
    key.submit(tab.login, [key], login_outputs, **PRIVATE)
    doc_lists = [docs, doc, replace_doc]
    queue_filter = [operator, kinds, since, until]
    login.then(tab.refresh_queue, queue_filter, [queue, answer], **PRIVATE)
    refresh.click(tab.refresh_documents, [operator], doc_lists, **PRIVATE)
    reindex.click(tab.reindex, [operator], [reindexed], **PRIVATE)
    doc.change(tab.show_document, [operator, doc], [clauses], **PRIVATE)
    retire.click(tab.retire, [operator, doc, note], [retired, *doc_lists], **PRIVATE)
    upload_inputs = [operator, file, doc_id, edition, region, kind]
    preview.click(tab.preview, upload_inputs, [previewed, commit], **PRIVATE)
    for changed in (file, doc_id, edition, region, kind):
        changed.change(lambda: gr.update(interactive=False), None, [commit], **PRIVATE)
    commit.click(tab.commit, upload_inputs, [previewed, commit, *doc_lists], **PRIVATE)
    # The same handlers with replace=True, the document picked in the list instead of typed.
    replace_inputs = [
        operator,
        replace_file,
        replace_doc,
        replace_edition,
        replace_region,
        replace_kind,
        gr.State(True),
    ]
    replace_preview.click(tab.preview, replace_inputs, [replaced, replace_commit], **PRIVATE)
    for changed in (replace_doc, replace_file, replace_edition, replace_region, replace_kind):
        changed.change(lambda: gr.update(interactive=False), None, [replace_commit], **PRIVATE)
    replace_commit.click(tab.commit, replace_inputs, [replaced, replace_commit, *doc_lists], **PRIVATE)
    load_queue.click(tab.refresh_queue, queue_filter, [queue, answer], **PRIVATE)
    kinds.change(tab.refresh_queue, queue_filter, [queue, answer], **PRIVATE)
    for day in (since, until):  # on Enter, not on every keystroke: half a date is not an error
        day.submit(tab.refresh_queue, queue_filter, [queue, answer], **PRIVATE)
    mark.click(
        tab.mark,
        [operator, answer, outcome, mark_note, kinds, since, until],
        [queue, mark_note],
        **PRIVATE,
    )
    export.click(tab.export, queue_filter, [exported], **PRIVATE)
    stats_filter = [operator, stats_since, stats_until]
    load_stats.click(tab.stats, stats_filter, [stats], **PRIVATE)
    for day in (stats_since, stats_until):
        day.submit(tab.stats, stats_filter, [stats], **PRIVATE)
    return tab.on_load, [off, login_row, status]
