"""The page: the Gradio Blocks of the four tabs, wired to ``handlers.Handlers``.

Nothing here computes anything: each component's events call a handler, and the handler talks
to the service. The look is ``static/ui.css``; ``static/ui.js`` is the page script that opens
clause links (inside a chat answer it unfolds that answer's source card; elsewhere it opens the
clause in the 条款 tab through a hidden textbox + button and updates the address bar).

Privacy: the theme uses system fonts only (a GoogleFont would make every page view fetch from
Google) and the Blocks have analytics off (see ``app``, which sets the environment first).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import REPO_ROOT
from assistant.interfaces.ui.format import EDITION_ALL, clause_detail
from assistant.interfaces.ui.forms import (
    DRAFT_FIELDS,
    INSTANCE_HEADERS,
    KPI_HEADERS,
    PROFILE_GROUPS,
    PROVINCES,
    FormField,
)
from assistant.interfaces.ui.handlers import Handlers, empty_store
from assistant.interfaces.ui.operator import OperatorTab
from assistant.vocabulary import DEFAULT_TIER, TIERS

APP_TITLE = "智能工厂申报助手"
PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # the /v1 API is the programmatic surface
STATIC = Path(__file__).parent / "static"

EXAMPLE_QUESTIONS = (
    "分公司能申报卓越级智能工厂吗？",
    "卓越级对智能制造能力成熟度有什么要求？",
    "我们是内蒙古的有色金属企业，成熟度三级，已获评先进级，能申报卓越级吗？",
    "申报书的典型场景实例应该怎么写？",
)
GROUNDED_NOTE = (
    "当前为<b>条款直答模式</b>（未配置大模型）：回答由检索到的条款原文和规则核验结果直接组成，"
    "不做自由发挥；每条结论都附出处，点击【条款编号】可查看原文。"
)
PRIVACY_NOTE = "所有问答与文件仅在本机服务中处理，不向外部发送。"
#: On a phone the clause shows below the search results: bring it into view (see ui.js).
REVEAL_CLAUSE = "() => { window.assistantReveal && window.assistantReveal('#clause-detail'); }"
REVEAL_DEEP_LINK = (
    "() => { if (new URLSearchParams(location.search).get('clause') && window.assistantReveal)"
    " window.assistantReveal('#clause-detail'); }"
)


def clear_review() -> tuple[str, str, str]:
    return "", "", ""


#: System fonts only: a GoogleFont here would make every page view fetch from Google.
_SANS = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
_MONO = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]


def make_theme() -> gr.themes.Base:
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=_SANS, font_mono=_MONO)


@cache
def css() -> str:
    return (STATIC / "ui.css").read_text(encoding="utf-8")


@cache
def head() -> str:
    """The page script, inline in <head> (no extra request, works before Gradio renders)."""
    return "<script>\n" + (STATIC / "ui.js").read_text(encoding="utf-8") + "</script>\n"


class Layout:
    """Builds the Blocks; ``parts`` collects the components the page-load event fills in."""

    def __init__(self, handlers: Handlers) -> None:
        self.h = handlers
        # The same for every worker of one installation, so any worker can read the browser state.
        self.store_secret = hashlib.sha256(f"assistant-ui:{REPO_ROOT}".encode()).hexdigest()[:16]
        self.parts: dict[str, Any] = {}

    def build(self) -> gr.Blocks:
        with gr.Blocks(
            title=APP_TITLE, analytics_enabled=False, delete_cache=(3600, 3600), fill_width=False
        ) as blocks:
            store = gr.BrowserState(
                empty_store(), storage_key="zhineng-shenbao-chat", secret=self.store_secret
            )
            chat_profile = gr.State(None)
            chat_as_of = gr.State(None)  # the 评估日期 handed over from 自评 with the profile
            gr.HTML(
                f'<header class="app-header"><h1>{APP_TITLE}</h1><span class="tagline">'
                "依据《关于开展2024年度智能工厂梯度培育行动的通知》及附件作答，结论附条款出处</span></header>"
            )
            with gr.Tabs(selected="chat") as tabs:
                with gr.Tab("咨询", id="chat"):
                    chat_parts = self._chat_tab(store, chat_profile, chat_as_of)
                with gr.Tab("自评", id="check"):
                    check_parts = self._check_tab()
                with gr.Tab("起草", id="draft"):
                    self._draft_tab()
                with gr.Tab("条款", id="clauses"):
                    clause_parts = self._clause_tab()
                with gr.Tab("运维", id="ops"):
                    ops_load, ops_outputs = OperatorTab(self.h.service, self.h.outputs).build()
            gr.HTML(
                f'<footer class="app-footer">{PRIVACY_NOTE}　API 文档：<a href="/docs" target="_blank">/docs</a>'
                "</footer>"
            )
            # The clause jump: the page script fills this box and clicks the button (see module doc).
            jump = gr.Textbox(elem_id="clause-jump", elem_classes="ghost", show_label=False, container=False)
            jump_btn = gr.Button("打开条款", elem_id="clause-jump-btn", elem_classes="ghost")
            # Set by the page-load event once the data-dependent parts are filled in.
            ready = gr.HTML("", elem_id="ui-ready", elem_classes="ghost")
            jump_btn.click(
                self.h.open_clause, jump, [tabs, clause_parts["detail"]], show_progress="hidden", **PRIVATE
            ).then(None, js=REVEAL_CLAUSE, **PRIVATE)

            chatbot, textbox = chat_parts["chatbot"], chat_parts["textbox"]
            check_parts["ask"].click(
                self.h.ask_with_profile,
                [check_parts["profile"], check_parts["as_of"]],
                [chat_profile, chat_as_of, tabs, textbox],
                **PRIVATE,
            ).then(
                self.h.attach_chip,
                [chat_profile, chat_as_of],
                [chat_parts["chip"], chat_parts["detach"]],
                **PRIVATE,
            ).then(
                self.h.chat,
                [textbox, chatbot, store, chat_profile, chat_as_of],
                [chatbot, store, textbox],
                **PRIVATE,
            )

            p = self.parts
            load_outputs = [
                chatbot,
                tabs,
                p["mode_note"],
                p["check_edition"],
                p["check_as_of"],
                p["draft_problem"],
                p["draft_edition"],
                p["draft_round"],
                p["review_edition"],
                p["scenario"],
                p["segment"],
                p["kpi_table"],
                p["use_llm"],
                p["clause_edition"],
                clause_parts["doc"],
                clause_parts["detail"],
                ready,
            ]
            loaded = blocks.load(self.h.on_load, [store], load_outputs, show_progress="hidden", **PRIVATE)
            loaded.then(None, js=REVEAL_DEEP_LINK, **PRIVATE)
            blocks.load(ops_load, None, ops_outputs, show_progress="hidden", **PRIVATE)
            loaded.then(
                self.h.check_view,
                check_parts["inputs"],
                check_parts["outputs"],
                show_progress="hidden",
                **PRIVATE,
            )
        blocks.queue(default_concurrency_limit=8)
        return blocks

    def _chat_tab(
        self, store: gr.BrowserState, chat_profile: gr.State, chat_as_of: gr.State
    ) -> dict[str, Any]:
        self.parts["mode_note"] = gr.HTML(
            f'<div class="mode-note">{GROUNDED_NOTE}</div>', elem_id="mode-note", visible=False
        )
        chatbot = gr.Chatbot(
            elem_id="chatbot",
            label="对话",
            show_label=False,
            height="min(62vh, 560px)",
            min_height=320,
            layout="bubble",
            placeholder="<div class='chat-placeholder'><b>您好！我可以解答智能工厂梯度培育申报问题</b><br>"
            "回答均依据通知及附件原文，并给出条款出处。可点击下方示例开始。<br>"
            "<span class='chat-hint'>会话保存在本浏览器中；点“新对话”可清除。</span></div>",
            examples=[{"text": q} for q in EXAMPLE_QUESTIONS],
            feedback_options=("Like", "Dislike"),
            buttons=["copy"],
            sanitize_html=True,
            render_markdown=True,
            line_breaks=True,
        )
        with gr.Row(equal_height=True, elem_classes="chip-row"):
            chip = gr.HTML(visible=False, elem_id="profile-chip")
            detach = gr.Button("移除画像", size="sm", visible=False, scale=0, min_width=90)
        with gr.Row(equal_height=True, elem_id="chat-input-row"):
            textbox = gr.Textbox(
                elem_id="chat-input",
                show_label=False,
                placeholder="输入问题，例如：卓越级要覆盖哪些环节？（Enter 发送，Shift+Enter 换行）",
                lines=1,
                max_lines=6,
                scale=8,
                container=False,
                autofocus=False,
            )
            send = gr.Button("发送", variant="primary", scale=1, min_width=70, elem_id="chat-send")
            new = gr.Button("新对话", scale=1, min_width=70, elem_id="chat-new")
        with gr.Group(visible=False, elem_id="feedback-panel") as panel:
            prompt = gr.Markdown("可以补充说明原因（可选）：")
            comment = gr.Textbox(
                show_label=False, placeholder="例如：引用的条款不对 / 没有回答我的问题", lines=2
            )
            with gr.Row():
                submit = gr.Button("提交说明", size="sm", variant="primary")
                close = gr.Button("不用了", size="sm")
        pending = gr.State(None)

        gr.on(
            [textbox.submit, send.click],
            self.h.chat,
            [textbox, chatbot, store, chat_profile, chat_as_of],
            [chatbot, store, textbox],
            show_progress="hidden",
            concurrency_limit=16,
            **PRIVATE,
        )
        chatbot.example_select(self.h.pick_example, None, textbox, **PRIVATE).then(
            self.h.chat,
            [textbox, chatbot, store, chat_profile, chat_as_of],
            [chatbot, store, textbox],
            show_progress="hidden",
            **PRIVATE,
        )
        chatbot.like(self.h.like, store, [pending, panel, prompt], **PRIVATE)
        submit.click(self.h.send_comment, [pending, comment], [pending, panel, comment], **PRIVATE)
        close.click(lambda: (None, gr.update(visible=False), ""), None, [pending, panel, comment], **PRIVATE)
        # The chatbot's own trash button clears the display; the session must go with it, or the
        # stored answer ids would point at the wrong messages.
        for trigger in (new.click, chatbot.clear):
            trigger(
                self.h.new_chat,
                None,
                [chatbot, store, chat_profile, chat_as_of, chip, detach, pending],
                **PRIVATE,
            ).then(lambda: gr.update(visible=False), None, panel, **PRIVATE)
        detach.click(lambda: (None, None), None, [chat_profile, chat_as_of], **PRIVATE).then(
            self.h.attach_chip, [chat_profile, chat_as_of], [chip, detach], **PRIVATE
        )
        return {"chatbot": chatbot, "textbox": textbox, "send": send, "chip": chip, "detach": detach}

    def _profile_input(self, f: FormField) -> gr.Textbox | gr.Dropdown | gr.Radio:
        """One form input; its elem_id is ``pf-<section>-<key>`` (tests and deep styling use it)."""
        elem_id = "pf-" + f.path.replace(".", "-")
        if f.path == "enterprise.province":
            return gr.Dropdown(
                choices=list(PROVINCES),
                value=None,
                allow_custom_value=True,
                label=f.label,
                filterable=True,
                elem_id=elem_id,
            )
        if f.kind == "text":
            return gr.Textbox(label=f.label, value="", max_lines=1, elem_id=elem_id)
        choices = f.choices()
        if f.kind == "choice" and max(len(label) for label, _ in choices) > 8:
            return gr.Dropdown(
                choices=choices, value=f.default, label=f.label, filterable=False, elem_id=elem_id
            )
        return gr.Radio(
            choices=choices, value=f.default, label=f.label, elem_classes="compact-radio", elem_id=elem_id
        )

    def _check_tab(self) -> dict[str, Any]:
        inputs: list[gr.Textbox | gr.Dropdown | gr.Radio] = []
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=340, elem_id="check-form"):
                with gr.Row():
                    edition = gr.Dropdown(
                        choices=[],
                        value=None,
                        label="规则版本",
                        scale=1,
                        min_width=150,
                    )
                    as_of = gr.Textbox(
                        value="",
                        placeholder="留空为今天",
                        label="评估日期（年-月-日）",
                        max_lines=1,
                        elem_id="check-as-of",
                        scale=1,
                        min_width=150,
                    )
                gr.HTML(
                    '<p class="form-hint">未填写的项按“待确认”处理；五个环节填写任一项后，其余未填写的环节视为未覆盖。'
                    "结果随填写即时更新。</p>"
                )
                for title, fields in PROFILE_GROUPS.items():
                    with (
                        gr.Accordion(title, open=True, elem_classes="form-group"),
                        gr.Row(equal_height=False, elem_classes="form-grid"),
                    ):
                        for f in fields:
                            with gr.Column(min_width=250):
                                inputs.append(self._profile_input(f))
                with gr.Row():
                    upload = gr.UploadButton(
                        "导入画像 JSON",
                        file_types=[".json"],
                        size="sm",
                        type="filepath",
                        elem_id="import-profile",
                    )
                    export = gr.Button("导出画像 JSON", size="sm", elem_id="export-profile")
                    reset = gr.Button("清空表单", size="sm")
                exported = gr.File(
                    label="画像文件", visible=False, interactive=False, elem_id="exported-profile"
                )
            with gr.Column(scale=2, min_width=320, elem_id="check-result"):
                with gr.Column(elem_id="check-sticky"):
                    panel = gr.HTML(elem_id="check-panel")
                    ask = gr.Button(
                        "问助手：带着这份画像去咨询", variant="primary", elem_id="ask-with-profile"
                    )
                gr.Markdown("#### 差距与建议")
                gaps = gr.HTML(elem_id="gap-table")
                with gr.Accordion("完整评估报告（含申报条件、时间节点与名额）", open=False):
                    full = gr.Markdown(elem_id="full-report")
                with gr.Accordion("画像 JSON（与 assistant check / POST /v1/check 相同格式）", open=False):
                    profile_json = gr.Code(language="json", interactive=False, show_label=False)
        profile = gr.State({})
        self.parts["check_edition"], self.parts["check_as_of"] = edition, as_of
        all_inputs: list[gr.Textbox | gr.Dropdown | gr.Radio] = [edition, as_of, *inputs]
        outputs = [panel, gaps, full, profile_json, profile]
        # ``input`` (user edits), not ``change``: an import sets thirty-odd values at once, and one
        # recomputation after it (``then``) is enough.
        recompute: dict[str, Any] = {"show_progress": "hidden", **PRIVATE}
        gr.on(
            [c.input for c in all_inputs],
            self.h.check_view,
            all_inputs,
            outputs,
            trigger_mode="always_last",
            **recompute,
        )
        upload.upload(self.h.import_profile, upload, inputs, **PRIVATE).then(
            self.h.check_view, all_inputs, outputs, **recompute
        )
        export.click(self.h.export_profile, profile, exported, **PRIVATE)
        reset.click(self.h.reset_profile, None, inputs, **PRIVATE).then(
            self.h.check_view, all_inputs, outputs, **recompute
        )
        return {"inputs": all_inputs, "outputs": outputs, "profile": profile, "ask": ask, "as_of": as_of}

    def _draft_tab(self) -> None:
        self.parts["draft_problem"] = gr.HTML(visible=False)
        with gr.Tabs():
            with gr.Tab("起草申报书", id="draft-write"):
                self._draft_writer()
            with gr.Tab("审阅已有草稿", id="draft-review"):
                self._draft_reviewer()

    def _draft_writer(self) -> None:
        gr.HTML(
            '<p class="form-hint">填写项目信息，按指引目录添加典型场景实例，录入附1关键绩效指标的建设前后数据，'
            "即可生成“环节—场景—实例”清单、附件3第一至四部分（含真实性承诺）草稿和附件4推荐汇总表。缺少的信息以"
            "<mark class='todo-mark'>【待补充：…】</mark>标出，不会编造。</p>"
        )
        with gr.Row():
            example = gr.Button("载入示例", size="sm", elem_id="load-example")
            upload = gr.UploadButton(
                "导入草稿输入 JSON", file_types=[".json"], size="sm", type="filepath", elem_id="import-spec"
            )
            export = gr.Button("导出草稿输入 JSON", size="sm")
        exported = gr.File(label="草稿输入文件", visible=False, interactive=False)
        fields: dict[str, Any] = {}
        with gr.Accordion("1. 项目信息", open=True):
            with gr.Row():
                fields["enterprise"] = gr.Textbox(label="申报单位名称", max_lines=1, min_width=240)
                fields["project_name"] = gr.Textbox(label="项目名称", max_lines=1, min_width=240)
            with gr.Row():
                fields["target_tier"] = gr.Dropdown(
                    list(TIERS), value=DEFAULT_TIER, label="目标层级", min_width=140
                )
                # The round decides the rules; the catalogue follows it until the user picks one.
                fields["round"] = gr.Dropdown(
                    [], value=None, label="申报年度（轮次）", min_width=140, elem_id="draft-round"
                )
                fields["edition"] = gr.Dropdown(
                    [], value=None, label="场景指引版本", min_width=240, elem_id="draft-edition"
                )
                fields["industry"] = gr.Textbox(label="所属行业", max_lines=1, min_width=160)
            with gr.Row():
                fields["address"] = gr.Textbox(label="地址", max_lines=1, min_width=240, scale=2)
                fields["nature"] = gr.Textbox(
                    label="企业性质", placeholder="如 民营企业、国有企业", max_lines=1, min_width=140
                )
            with gr.Row():
                fields["contact_name"] = gr.Textbox(label="联系人", max_lines=1, min_width=120)
                fields["contact_mobile"] = gr.Textbox(label="联系方式（手机号）", max_lines=1, min_width=150)
                fields["contact_phone"] = gr.Textbox(label="联系电话", max_lines=1, min_width=150)
                fields["contact_email"] = gr.Textbox(label="邮箱", max_lines=1, min_width=180)
            with gr.Row():
                fields["period_start"] = gr.Textbox(
                    label="建设开始", placeholder="2022年3月", max_lines=1, min_width=120
                )
                fields["period_end"] = gr.Textbox(
                    label="建设完成", placeholder="2024年6月", max_lines=1, min_width=120
                )
                # A Textbox, not gr.Number: Gradio's Number shows (and sends) 0 when empty, and an
                # empty field must stay empty (the draft marks it 【待补充】), not become "总投资0万元".
                fields["investment"] = gr.Textbox(
                    label="总投资（万元）",
                    placeholder="如 18600",
                    max_lines=1,
                    min_width=120,
                    elem_id="draft-investment",
                )
            fields["overview"] = gr.Textbox(label="项目总体情况", lines=3)
            with gr.Row():
                fields["integrators"] = gr.Textbox(label="系统集成商（每行一个）", lines=2, min_width=240)
                fields["integration"] = gr.Textbox(label="系统集成情况（每行一条）", lines=2, min_width=240)
            with gr.Row():
                fields["highlights"] = gr.Textbox(label="先进性与特色（每行一条）", lines=2, min_width=240)
                fields["benchmarks"] = gr.Textbox(
                    label="与同行业水平对比（每行一条）", lines=2, min_width=240
                )
            fields["plans"] = gr.Textbox(label="后续实施计划（每行一条）", lines=2)

        edition_chosen = gr.State(False)  # the user picked the catalogue edition themselves
        instances = gr.State([])
        with gr.Accordion("2. 典型场景实例（环节—场景—实例）", open=True):
            with gr.Row(equal_height=True):
                query = gr.Textbox(
                    label="查找场景（可输入常用说法，如 AI质检、APS、能耗管理）",
                    max_lines=1,
                    scale=4,
                    elem_id="scenario-query",
                )
                find = gr.Button("查找场景", scale=1, min_width=100, elem_id="scenario-find")
            match_note = gr.Markdown(elem_id="scenario-match")
            with gr.Row():
                scenario = gr.Dropdown(
                    [],
                    value=None,
                    label="场景（指引目录，可输入筛选）",
                    allow_custom_value=True,
                    filterable=True,
                    min_width=240,
                    elem_id="scenario-pick",
                )
                segment = gr.Dropdown(
                    [],
                    value=None,
                    label="环节",
                    allow_custom_value=True,
                    min_width=200,
                    elem_id="segment-pick",
                )
            name = gr.Textbox(
                label="实例名（简洁具体，如：多机协同的发动机壳体柔性加工与检测）",
                max_lines=1,
                elem_id="instance-name",
            )
            with gr.Row():
                built = gr.Textbox(label="建设内容（每行一项）", lines=2, min_width=220)
                description = gr.Textbox(label="实施情况", lines=2, min_width=220)
                integration = gr.Textbox(label="与其他系统的集成（每行一条）", lines=2, min_width=220)
            add = gr.Button("添加实例", variant="secondary", elem_id="add-instance")
            table = gr.Dataframe(
                headers=INSTANCE_HEADERS,
                value=[],
                interactive=False,
                wrap=True,
                label="已添加的实例",
                elem_id="instance-table",
                column_widths=["8%", "16%", "24%", "42%", "10%"],
            )
            with gr.Row():
                remove_pick = gr.Dropdown([], value=None, label="选择要删除的实例", min_width=240, scale=3)
                remove = gr.Button("删除所选实例", size="sm", scale=1, min_width=120)

        with gr.Accordion("3. 关键绩效指标（附1）：填写建设前后数据", open=False):
            gr.HTML(
                '<p class="form-hint">水平类指标（如关键设备数控化率）在“建设前/建设后”填指标本身；'
                "变化类指标（…提升、…下降）在“变化幅度(%)”填指标，“建设前/建设后”填衡量口径的数值，并注明口径及单位。"
                "只需填写有数据的行。</p>"
            )
            kpi_table = gr.Dataframe(
                headers=KPI_HEADERS,
                value=[],
                # Text cells: number cells show 0 when empty, and 0 is a value (forms.figures_from_rows
                # reads the numbers, with a Chinese message for anything else).
                datatype=["number", "str", "str", "str", "str", "str", "str", "str", "str", "str"],
                interactive=True,
                static_columns=[0, 1, 2],
                type="array",
                wrap=True,
                max_height=520,
                elem_id="kpi-table",
                label="附1 关键绩效指标",
            )

        with gr.Row(equal_height=True):
            use_llm = gr.Checkbox(
                label="用大模型润色文字（数字、占位符、实例行逐段核对，不符则保留模板）",
                value=False,
                visible=False,
            )
            self.parts["use_llm"] = use_llm
            recommender = gr.Textbox(label="推荐单位（附件4抬头，可选）", max_lines=1, min_width=200)
        generate = gr.Button("生成草稿", variant="primary", elem_id="generate-draft")
        summary = gr.HTML(elem_id="draft-summary")
        with gr.Row():
            docx = gr.DownloadButton("下载申报书草稿 DOCX", interactive=False, elem_id="download-docx")
            xlsx = gr.DownloadButton("下载附件4推荐汇总表 XLSX", interactive=False, elem_id="download-xlsx")
        with gr.Row(equal_height=False):
            with gr.Column(scale=1, min_width=300):
                gr.Markdown("#### 自查意见（按严重程度）")
                checks = gr.HTML(elem_id="draft-checks")
            with gr.Column(scale=1, min_width=300):
                gr.Markdown("#### 涉及典型场景实例（附件4格式）")
                lines_view = gr.HTML(elem_id="draft-lines")
        draft_state = gr.State(None)  # the last draft generated, for the per-part download
        with gr.Row(equal_height=True):
            section_pick = gr.Dropdown(
                [], value=None, label="单独下载申报书的一部分", min_width=240, scale=3, elem_id="section-pick"
            )
            section_docx = gr.DownloadButton(
                "下载所选部分 DOCX", interactive=False, scale=1, min_width=160, elem_id="download-section"
            )
        with gr.Accordion("申报书草稿预览（附件3第一至四部分、真实性承诺与附件4行）", open=True):
            preview = gr.Markdown(elem_id="draft-preview", line_breaks=True)

        self.parts.update(
            draft_edition=fields["edition"],
            draft_round=fields["round"],
            scenario=scenario,
            segment=segment,
            kpi_table=kpi_table,
        )
        field_inputs = [fields[key] for key in DRAFT_FIELDS]
        fill_outputs = [*field_inputs, edition_chosen, instances, table, remove_pick, kpi_table]
        fields["edition"].input(lambda: True, None, edition_chosen, show_progress="hidden", **PRIVATE)
        fields["round"].change(
            self.h.on_round,
            [fields["round"], fields["edition"], edition_chosen],
            fields["edition"],
            show_progress="hidden",
            **PRIVATE,
        )
        fields["edition"].change(
            self.h.on_edition, fields["edition"], [scenario, segment, match_note], **PRIVATE
        )
        scenario.change(
            self.h.on_scenario, [scenario, fields["edition"]], segment, show_progress="hidden", **PRIVATE
        )
        gr.on(
            [find.click, query.submit],
            self.h.match_scenario,
            [query, fields["edition"]],
            [scenario, segment, match_note],
            **PRIVATE,
        )
        add.click(
            self.h.add_instance,
            [instances, scenario, segment, name, built, description, integration],
            [instances, table, remove_pick, name, built, description, integration],
            **PRIVATE,
        )
        remove.click(
            self.h.remove_instance, [instances, remove_pick], [instances, table, remove_pick], **PRIVATE
        )
        example.click(self.h.load_example, None, fill_outputs, **PRIVATE)
        upload.upload(self.h.import_spec, upload, fill_outputs, **PRIVATE)
        export.click(self.h.export_spec, [instances, kpi_table, *field_inputs], exported, **PRIVATE)
        generate.click(
            self.h.generate,
            [instances, kpi_table, use_llm, recommender, *field_inputs],
            [summary, checks, lines_view, preview, docx, xlsx, draft_state, section_pick, section_docx],
            scroll_to_output=True,
            **PRIVATE,
        )
        section_pick.input(self.h.section_download, [draft_state, section_pick], section_docx, **PRIVATE)

    def _draft_reviewer(self) -> None:
        gr.HTML(
            '<p class="form-hint">上传已有的申报书草稿（.docx / .txt / .md），按附件3、附件4和要素条件逐项核对：'
            "场景实例格式与目录、环节覆盖、关键绩效指标、各部分是否齐全、占位符、领先性表述。</p>"
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=280):
                file = gr.File(
                    label="待审阅的草稿",
                    file_types=[".docx", ".txt", ".md"],
                    type="filepath",
                    elem_id="review-file",
                )
                tier = gr.Dropdown(list(TIERS), value=DEFAULT_TIER, label="目标层级")
                edition = gr.Dropdown([], value=None, label="对照的场景指引版本")
                self.parts["review_edition"] = edition
                start = gr.Button("开始审阅", variant="primary", elem_id="start-review")
            with gr.Column(scale=3, min_width=320):
                summary = gr.HTML(elem_id="review-summary")
                findings = gr.HTML(elem_id="review-findings")
                with gr.Accordion("识别到的场景实例", open=False):
                    found = gr.HTML()
        # A new file or a new run starts from a clean slate: results of an earlier file must not
        # stay on screen next to a failed (or still running) review of another one.
        results = [summary, findings, found]
        file.change(clear_review, None, results, show_progress="hidden", **PRIVATE)
        start.click(clear_review, None, results, show_progress="hidden", **PRIVATE).then(
            self.h.review, [file, tier, edition], results, **PRIVATE
        )

    def _clause_tab(self) -> dict[str, Any]:
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                edition = gr.Radio([EDITION_ALL], value=EDITION_ALL, label="版本", elem_id="clause-edition")
                self.parts["clause_edition"] = edition
                with gr.Row(equal_height=True):
                    query = gr.Textbox(
                        show_label=False,
                        placeholder="搜索条款，例如：成熟度、分公司、数控化率",
                        max_lines=1,
                        scale=4,
                        container=False,
                        elem_id="clause-query",
                    )
                    search = gr.Button(
                        "搜索", variant="primary", scale=1, min_width=70, elem_id="clause-search"
                    )
                doc = gr.Dropdown([], value=None, label="或按文档浏览", elem_id="clause-doc")
                results = gr.HTML(
                    '<p class="no-gaps">输入关键词搜索，或选择一个文档。</p>', elem_id="clause-results"
                )
            with gr.Column(scale=3, min_width=320):
                detail = gr.HTML(clause_detail(None), elem_id="clause-detail")
        edition.change(self.h.on_clause_edition, edition, doc, **PRIVATE)
        gr.on([search.click, query.submit], self.h.clause_search, [query, edition], results, **PRIVATE)
        doc.change(self.h.show_document, doc, results, show_progress="hidden", **PRIVATE)
        return {"detail": detail, "doc": doc}
