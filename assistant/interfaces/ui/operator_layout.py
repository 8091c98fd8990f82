"""The 运维 tab's page: a status line (the off notice, the way to /login, or who is logged in),
then the console's four sub-tabs (文件, 轮次, 复核队列, 统计), wired to ``operator.OperatorTab``'s
handlers. There is no key field: an operator logs in at /login, and every handler reads the
login from the event's request, so no component holds who the operator is.

Split from ``operator`` so that each module has one job: that one answers events through
``service.console``, this one only lays out components and connects them (nothing computed).
Every event is private (``api_visibility``): the /v1/admin API is the programmatic surface.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.console import OUTCOMES, QUEUE_KINDS
from assistant.interfaces.ui.common import PRIVATE
from assistant.interfaces.ui.operator_rounds import ROUND_HEADERS
from assistant.vocabulary import DOC_STATUS_LABELS

if TYPE_CHECKING:
    from assistant.interfaces.ui.operator import OperatorTab

OPS_OFF = (
    "运维功能未启用：服务端没有配置运维密钥。管理员可在环境变量 <code>ASSISTANT_OPERATOR_KEYS</code> "
    "中设置一个或多个运维密钥（逗号分隔，可写成 sha256:&lt;摘要&gt;）后重启服务。"
)
DOC_HEADERS = ["编号", "标题", "批次", "地区", "状态", "使用中", "条款数", "添加时间", "添加人"]
QUEUE_HEADERS = ["回答编号", "提问时间", "问题", "复核原因", "评分", "复核结论", "复核说明"]
UPLOAD_STATUSES = [(DOC_STATUS_LABELS[s], s) for s in ("official", "draft", "reference")]
#: Replacing: an empty field keeps the document's current value (the service's rule).
REPLACE_STATUSES = [("沿用原状态", ""), *UPLOAD_STATUSES]
DATE_HINT = "年-月-日，如 2025-01-31；不填为不限"


def _file_input(elem_id: str, label: str) -> gr.File:
    return gr.File(label=label, file_types=[".pdf", ".docx", ".md", ".txt"], type="filepath", elem_id=elem_id)


def _metadata(prefix: str, *, replacing: bool) -> tuple[gr.Textbox, gr.Textbox, gr.Textbox, gr.Dropdown]:
    """标题, 批次, 地区 and 状态 of an upload; for a replacement, empty keeps the document's own.
    The title is what chat names the document by (《…》): without one it is the document's first
    line, or its file name."""
    title = gr.Textbox(
        label="标题",
        max_lines=1,
        placeholder="不填则沿用原标题" if replacing else "不填则取文件首行（如通知名称）",
        elem_id=f"{prefix}title",
        min_width=240,
    )
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
    return title, edition, region, kind


def _actions(prefix: str, preview_label: str, commit_label: str) -> tuple[gr.Button, gr.Button, gr.HTML]:
    """Preview, then commit (enabled by a successful preview), and where the clauses show."""
    with gr.Row():
        preview = gr.Button(preview_label, elem_id=f"{prefix}preview")
        commit = gr.Button(commit_label, variant="primary", interactive=False, elem_id=f"{prefix}commit")
    return preview, commit, gr.HTML(elem_id=f"{prefix}preview-result")


@dataclass(frozen=True)
class _UploadForm:
    """A document to import, or a new version of one: the file, its 编号 (typed for a new
    document, picked for a replacement), 批次/地区/状态, and preview before commit."""

    file: gr.File
    doc: gr.Textbox | gr.Dropdown
    edition: gr.Textbox
    region: gr.Textbox
    kind: gr.Dropdown
    title: gr.Textbox
    preview: gr.Button
    commit: gr.Button
    previewed: gr.HTML


@dataclass(frozen=True)
class _DocumentsTab:
    """文件: the documents, re-indexing, a document's clauses, retiring, uploading, replacing."""

    table: gr.Dataframe
    refresh: gr.Button
    reindex: gr.Button
    reindexed: gr.HTML
    doc: gr.Dropdown
    note: gr.Textbox
    retire: gr.Button
    retired: gr.HTML
    clauses: gr.HTML
    upload: _UploadForm
    replace: _UploadForm


@dataclass(frozen=True)
class _QueueTab:
    """复核队列: the filter (kinds, dates), the queue and its export, and marking an answer."""

    kinds: gr.CheckboxGroup
    since: gr.Textbox
    until: gr.Textbox
    refresh: gr.Button
    export: gr.Button
    exported: gr.File
    table: gr.Dataframe
    answer: gr.Dropdown
    outcome: gr.Radio
    note: gr.Textbox
    mark: gr.Button


@dataclass(frozen=True)
class _RoundsTab:
    """轮次: the rounds and their validation, one round's values, a new round's rules file."""

    table: gr.Dataframe
    refresh: gr.Button
    edition: gr.Dropdown
    values: gr.HTML
    file: gr.File
    profile: gr.Textbox
    replace: gr.Checkbox
    preview: gr.Button
    commit: gr.Button
    previewed: gr.HTML


@dataclass(frozen=True)
class _StatsTab:
    """统计: a date range and the figures for it."""

    since: gr.Textbox
    until: gr.Textbox
    refresh: gr.Button
    view: gr.HTML


def build_console(tab: OperatorTab, bar: gr.HTML) -> tuple[Any, list[Any]]:
    """The 运维 tab's content wired to ``tab``'s handlers; call inside ``gr.Tab("运维")``. `bar`
    is the page's login line (built by the caller, outside the tab), filled by the same page-load
    handler. Returns that handler and its outputs, for the caller to register on the Blocks."""
    off = gr.HTML(f'<div class="notice" id="ops-off">{OPS_OFF}</div>', visible=False, elem_id="ops-off-box")
    status = gr.HTML("", elem_id="ops-status", visible=False)
    with gr.Column(visible=False, elem_id="ops-console") as console, gr.Tabs():
        docs = _documents_tab()
        rounds = _rounds_tab()
        queue = _queue_tab()
        stats = _stats_tab()
    _wire_documents(tab, docs)
    _wire_rounds(tab, rounds)
    _wire_queue(tab, queue)
    _wire_stats(tab, stats)
    # What a page load fills: the notices, the console and every list in it, the login line.
    lists = [
        docs.table,
        docs.doc,
        docs.replace.doc,
        rounds.table,
        rounds.edition,
        queue.table,
        queue.answer,
        stats.view,
    ]
    return tab.on_load, [off, status, console, *lists, bar]


def _documents_tab() -> _DocumentsTab:
    """文件: the list, re-indexing, a document's clauses and retiring it, then the upload and
    replacement forms."""
    with gr.Tab("文件", id="ops-docs"):
        table = gr.Dataframe(headers=DOC_HEADERS, interactive=False, wrap=True, elem_id="ops-doc-table")
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
        upload = _upload_form()
        replace = _replace_form()
    return _DocumentsTab(
        table, refresh, reindex, reindexed, doc, note, retire, retired, clauses, upload, replace
    )


def _upload_form() -> _UploadForm:
    """A new document: file, 编号 typed, metadata, preview then import."""
    with gr.Accordion("上传文件", open=True, elem_id="ops-upload"):
        file = _file_input("ops-file", "文件（PDF、DOCX、MD、TXT）")
        with gr.Row():
            doc_id = gr.Textbox(label="文件编号", max_lines=1, elem_id="ops-doc-id")
            title, edition, region, kind = _metadata("ops-", replacing=False)
        preview, commit, previewed = _actions("ops-", "预览条款", "确认导入")
    return _UploadForm(file, doc_id, edition, region, kind, title, preview, commit, previewed)


def _replace_form() -> _UploadForm:
    """A new version of a document picked from the list (same 编号): empty metadata keeps its own."""
    with gr.Accordion("替换文件（新版本沿用原编号）", open=False, elem_id="ops-replace"):
        doc = gr.Dropdown([], value=None, label="要替换的文件", elem_id="ops-replace-pick")
        file = _file_input("ops-replace-file", "新版本文件（PDF、DOCX、MD、TXT）")
        with gr.Row():
            title, edition, region, kind = _metadata("ops-replace-", replacing=True)
        preview, commit, previewed = _actions("ops-replace-", "预览新版本条款", "确认替换")
    return _UploadForm(file, doc, edition, region, kind, title, preview, commit, previewed)


def _date_range(prefix: str) -> tuple[gr.Textbox, gr.Textbox]:
    """起始日期 and 截止日期 side by side (empty: no limit)."""
    with gr.Row():
        since = gr.Textbox(label="起始日期", max_lines=1, placeholder=DATE_HINT, elem_id=f"{prefix}-since")
        until = gr.Textbox(label="截止日期", max_lines=1, placeholder=DATE_HINT, elem_id=f"{prefix}-until")
    return since, until


def _queue_tab() -> _QueueTab:
    """复核队列: filter by kind and dates, refresh or export, and mark an answer with an outcome."""
    with gr.Tab("复核队列", id="ops-queue"):
        kinds = gr.CheckboxGroup(
            [(label, k) for k, label in QUEUE_KINDS.items()],
            value=[],
            label="类别（不选为全部）",
            elem_id="ops-kinds",
        )
        since, until = _date_range("ops-queue")
        with gr.Row():
            refresh = gr.Button("刷新队列", size="sm", elem_id="ops-queue-refresh")
            export = gr.Button("导出 XLSX", size="sm", elem_id="ops-export")
        exported = gr.File(label="复核队列 XLSX", visible=False, interactive=False, elem_id="ops-exported")
        table = gr.Dataframe(headers=QUEUE_HEADERS, interactive=False, wrap=True, elem_id="ops-queue-table")
        answer = gr.Dropdown([], value=None, label="要标记的回答", elem_id="ops-answer")
        outcome = gr.Radio(
            [(label, k) for k, label in OUTCOMES.items()], label="复核结论", elem_id="ops-outcome"
        )
        note = gr.Textbox(label="说明", max_lines=2, elem_id="ops-mark-note")
        mark = gr.Button("保存标记", variant="primary", elem_id="ops-mark")
    return _QueueTab(kinds, since, until, refresh, export, exported, table, answer, outcome, note, mark)


def _rounds_tab() -> _RoundsTab:
    """轮次: the list with validation, a round's values, then a rules file to preview and upload."""
    with gr.Tab("轮次", id="ops-rounds"):
        table = gr.Dataframe(headers=ROUND_HEADERS, interactive=False, wrap=True, elem_id="ops-round-table")
        refresh = gr.Button("刷新列表", size="sm", elem_id="ops-round-refresh")
        edition = gr.Dropdown([], value=None, label="查看一轮的规则（值与条款）", elem_id="ops-round-pick")
        values = gr.HTML(elem_id="ops-round-values")
        with gr.Accordion("上传一轮的规则文件", open=False, elem_id="ops-round-upload"):
            file = gr.File(label="规则文件（YAML）", file_types=[".yaml", ".yml"], elem_id="ops-round-file")
            profile = gr.Textbox(
                label="样例企业画像 JSON（可选，预览其核验结论）", lines=3, elem_id="ops-round-profile"
            )
            replace = gr.Checkbox(label="已有该年度时替换", value=False, elem_id="ops-round-replace")
            preview, commit, previewed = _actions("ops-round-", "校验并预览", "确认上传")
    return _RoundsTab(table, refresh, edition, values, file, profile, replace, preview, commit, previewed)


def _stats_tab() -> _StatsTab:
    """统计: a date range, refresh, the figures."""
    with gr.Tab("统计", id="ops-stats"):
        since, until = _date_range("ops-stats")
        refresh = gr.Button("刷新统计", size="sm", elem_id="ops-stats-refresh")
        view = gr.HTML(elem_id="ops-stats-view")
    return _StatsTab(since, until, refresh, view)


def _queue_filter(queue: _QueueTab) -> list[Any]:
    """The queue's filter fields, as the handlers take them (after the event's request, which
    Gradio passes itself)."""
    return [queue.kinds, queue.since, queue.until]


def _wire_documents(tab: OperatorTab, docs: _DocumentsTab) -> None:
    """The list, re-indexing, a document's clauses, retiring; then upload and replace, which
    share the handlers (a replacement passes replace=True)."""
    doc_lists = [docs.table, docs.doc, docs.replace.doc]
    docs.refresh.click(tab.refresh_documents, None, doc_lists, **PRIVATE)
    docs.reindex.click(tab.reindex, None, [docs.reindexed], **PRIVATE)
    docs.doc.change(tab.show_document, [docs.doc], [docs.clauses], **PRIVATE)
    docs.retire.click(tab.retire, [docs.doc, docs.note], [docs.retired, *doc_lists], **PRIVATE)
    up = docs.upload
    watched = [up.file, up.doc, up.edition, up.region, up.kind, up.title]
    inputs = [up.file, up.doc, up.edition, up.region, up.kind, gr.State(False), up.title]
    _wire_upload(tab, up, inputs, watched, doc_lists)
    # The same handlers with replace=True, the document picked in the list instead of typed.
    new = docs.replace
    inputs = [new.file, new.doc, new.edition, new.region, new.kind, gr.State(True), new.title]
    watched = [new.doc, new.file, new.edition, new.region, new.kind, new.title]
    _wire_upload(tab, new, inputs, watched, doc_lists)


def _wire_upload(
    tab: OperatorTab, form: _UploadForm, inputs: list[Any], watched: list[Any], doc_lists: list[Any]
) -> None:
    """Preview enables commit; a change to any ``watched`` field disables it again (what is
    committed must be what was previewed); commit imports and refreshes the lists."""
    form.preview.click(tab.preview, inputs, [form.previewed, form.commit], **PRIVATE)
    for changed in watched:
        changed.change(lambda: gr.update(interactive=False), None, [form.commit], **PRIVATE)
    form.commit.click(tab.commit, inputs, [form.previewed, form.commit, *doc_lists], **PRIVATE)


def _wire_rounds(tab: OperatorTab, rounds: _RoundsTab) -> None:
    """A preview that validates enables 确认上传; a new file or sample disables it again."""
    panel = tab.rounds_panel
    lists = [rounds.table, rounds.edition]
    rounds.refresh.click(panel.refresh, None, lists, **PRIVATE)
    rounds.edition.change(panel.show, [rounds.edition], [rounds.values], **PRIVATE)
    form = [rounds.file, rounds.profile]
    rounds.preview.click(panel.preview, form, [rounds.previewed, rounds.commit], **PRIVATE)
    rounds.file.change(lambda: gr.update(interactive=False), None, [rounds.commit], **PRIVATE)
    rounds.profile.change(lambda: gr.update(interactive=False), None, [rounds.commit], **PRIVATE)
    rounds.commit.click(
        panel.commit, [*form, rounds.replace], [rounds.previewed, rounds.commit, *lists], **PRIVATE
    )


def _wire_queue(tab: OperatorTab, queue: _QueueTab) -> None:
    """The queue reloads on refresh, a change of kinds, or Enter in a date; marking reloads it."""
    queue_filter = _queue_filter(queue)
    shown = [queue.table, queue.answer]
    queue.refresh.click(tab.refresh_queue, queue_filter, shown, **PRIVATE)
    queue.kinds.change(tab.refresh_queue, queue_filter, shown, **PRIVATE)
    for day in (queue.since, queue.until):  # on Enter, not on every keystroke: half a date is not an error
        day.submit(tab.refresh_queue, queue_filter, shown, **PRIVATE)
    queue.mark.click(
        tab.mark,
        [queue.answer, queue.outcome, queue.note, *queue_filter],
        [queue.table, queue.note],
        **PRIVATE,
    )
    queue.export.click(tab.export, queue_filter, [queue.exported], **PRIVATE)


def _wire_stats(tab: OperatorTab, stats: _StatsTab) -> None:
    """The figures reload on refresh or Enter in a date."""
    stats_filter = [stats.since, stats.until]
    stats.refresh.click(tab.stats, stats_filter, [stats.view], **PRIVATE)
    for day in (stats.since, stats.until):
        day.submit(tab.stats, stats_filter, [stats.view], **PRIVATE)
