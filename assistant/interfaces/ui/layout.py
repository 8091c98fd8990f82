"""The page: the Gradio Blocks of the five tabs, wired to ``handlers.Handlers``.

This module lays out 咨询, 自评 and 条款 and the wiring between tabs (profile → chat, clause
links, the page-load event); 起草 is ``draft_layout`` and 运维 ``operator_layout``, each large
enough to be a module of its own. Nothing here computes anything: each component's events call
a handler, and the handler talks to the service. The look is ``static/ui.css``; ``static/ui.js`` is the page script that opens
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
from assistant.interfaces.ui.chat import empty_store
from assistant.interfaces.ui.common import PRIVATE
from assistant.interfaces.ui.draft_layout import DraftLayout
from assistant.interfaces.ui.format import EDITION_ALL, clause_detail
from assistant.interfaces.ui.forms import PROFILE_GROUPS, PROVINCES, FormField
from assistant.interfaces.ui.handlers import Handlers
from assistant.interfaces.ui.operator import OperatorTab
from assistant.interfaces.ui.operator_layout import build_console

APP_TITLE = "智能工厂申报助手"
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
#: The comment box opens below the chat: bring it into view (it was below the fold at 1366×900).
REVEAL_FEEDBACK = "() => { window.assistantReveal && window.assistantReveal('#feedback-panel'); }"
REVEAL_DEEP_LINK = (
    "() => { if (new URLSearchParams(location.search).get('clause') && window.assistantReveal)"
    " window.assistantReveal('#clause-detail'); }"
)


#: System fonts only: a GoogleFont here would make every page view fetch from Google.
_SANS = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
_MONO = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]


def make_theme() -> gr.themes.Base:
    """Gradio's default blue/slate, one step darker where text says something: its subdued text
    (hints, source paths, the closed-window line) was slate-400 at 2.56:1 and its accent and
    primary buttons blue-500 at 3.68:1; WCAG AA asks 4.5:1 for body text."""
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=_SANS, font_mono=_MONO).set(
        body_text_color_subdued="*neutral_600",
        color_accent="*primary_700",
        link_text_color="*primary_700",
        link_text_color_hover="*primary_800",
        link_text_color_visited="*primary_800",
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        button_primary_text_color="white",
    )


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
                "依据智能工厂梯度培育行动各轮的国家通知、附件及收录的地方通知作答，结论附条款出处</span></header>"
            )
            # Who is logged in at /login, and the logout button (filled on load by the 运维 tab).
            login_bar = gr.HTML("", elem_id="login-bar", visible=False)
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
                    ops_load, ops_outputs = build_console(
                        OperatorTab(self.h.service, self.h.outputs), login_bar
                    )
            gr.HTML(
                f'<footer class="app-footer">{PRIVACY_NOTE}　API 文档：<a href="/docs" target="_blank">/docs</a>'
                "</footer>"
            )
            # The clause jump: the page script fills this box and clicks the button (see module doc).
            jump = gr.Textbox(
                label="条款编号",
                elem_id="clause-jump",
                elem_classes="ghost",
                show_label=False,
                container=False,
            )
            jump_btn = gr.Button("打开条款", elem_id="clause-jump-btn", elem_classes="ghost")
            # Set by the page-load event once the data-dependent parts are filled in.
            ready = gr.HTML("", elem_id="ui-ready", elem_classes="ghost")
            jump_btn.click(
                self.h.clauses.open_clause,
                jump,
                [tabs, clause_parts["detail"]],
                show_progress="hidden",
                **PRIVATE,
            ).then(None, js=REVEAL_CLAUSE, **PRIVATE)

            chatbot, textbox = chat_parts["chatbot"], chat_parts["textbox"]
            check_parts["ask"].click(
                self.h.check.ask_with_profile,
                [check_parts["profile"], check_parts["as_of"]],
                [chat_profile, chat_as_of, tabs, textbox],
                **PRIVATE,
            ).then(
                self.h.chat.attach_chip,
                [chat_profile, chat_as_of],
                [chat_parts["chip"], chat_parts["detach"]],
                **PRIVATE,
            ).then(
                self.h.chat.chat,
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
                self.h.check.check_view,
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
            # Gradio follows the bottom, i.e. the source cards: ui.js keeps the answer's start in view.
            autoscroll=False,
        )
        with gr.Row(equal_height=True, elem_classes="chip-row"):
            chip = gr.HTML(visible=False, elem_id="profile-chip")
            detach = gr.Button("移除画像", size="sm", visible=False, scale=0, min_width=90)
        with gr.Row(equal_height=True, elem_id="chat-input-row"):
            textbox = gr.Textbox(
                elem_id="chat-input",
                label="输入问题",
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
        # A Column, not a Group: Gradio writes a Group's elem_id on two nested divs (a duplicate id).
        with gr.Column(visible=False, elem_id="feedback-panel", variant="panel") as panel:
            prompt = gr.Markdown("可以补充说明原因（可选）：")
            comment = gr.Textbox(
                label="补充说明",
                show_label=False,
                placeholder="例如：引用的条款不对 / 没有回答我的问题",
                lines=2,
            )
            with gr.Row():
                submit = gr.Button("提交说明", size="sm", variant="primary")
                close = gr.Button("不用了", size="sm")
        pending = gr.State(None)

        gr.on(
            [textbox.submit, send.click],
            self.h.chat.chat,
            [textbox, chatbot, store, chat_profile, chat_as_of],
            [chatbot, store, textbox],
            show_progress="hidden",
            concurrency_limit=16,
            **PRIVATE,
        )
        chatbot.example_select(self.h.chat.pick_example, None, textbox, **PRIVATE).then(
            self.h.chat.chat,
            [textbox, chatbot, store, chat_profile, chat_as_of],
            [chatbot, store, textbox],
            show_progress="hidden",
            **PRIVATE,
        )
        chatbot.like(self.h.chat.like, store, [pending, panel, prompt], **PRIVATE).then(
            None, js=REVEAL_FEEDBACK, **PRIVATE
        )
        submit.click(self.h.chat.send_comment, [pending, comment], [pending, panel, comment], **PRIVATE)
        close.click(lambda: (None, gr.update(visible=False), ""), None, [pending, panel, comment], **PRIVATE)
        # The chatbot's own trash button clears the display; the session must go with it, or the
        # stored answer ids would point at the wrong messages.
        for trigger in (new.click, chatbot.clear):
            trigger(
                self.h.chat.new_chat,
                None,
                [chatbot, store, chat_profile, chat_as_of, chip, detach, pending],
                **PRIVATE,
            ).then(lambda: gr.update(visible=False), None, panel, **PRIVATE)
        detach.click(lambda: (None, None), None, [chat_profile, chat_as_of], **PRIVATE).then(
            self.h.chat.attach_chip, [chat_profile, chat_as_of], [chip, detach], **PRIVATE
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
                gr.Markdown("#### 差距与建议", elem_classes="section-title")
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
        # A Textbox's ``input`` comes from its keypress handler only: text typed through an input
        # method (every Chinese answer: 所属行业, 企业名称), pasted or deleted never fired it, so
        # the result did not follow. Text boxes recompute on ``change`` instead (an import changes
        # three of them; ``always_last`` keeps that to one run behind the import's own).
        gr.on(
            [c.change if isinstance(c, gr.Textbox) else c.input for c in all_inputs],
            self.h.check.check_view,
            all_inputs,
            outputs,
            trigger_mode="always_last",
            **recompute,
        )
        upload.upload(self.h.check.import_profile, upload, inputs, **PRIVATE).then(
            self.h.check.check_view, all_inputs, outputs, **recompute
        )
        export.click(self.h.check.export_profile, profile, exported, **PRIVATE)
        reset.click(self.h.check.reset_profile, None, inputs, **PRIVATE).then(
            self.h.check.check_view, all_inputs, outputs, **recompute
        )
        return {"inputs": all_inputs, "outputs": outputs, "profile": profile, "ask": ask, "as_of": as_of}

    def _draft_tab(self) -> None:
        DraftLayout(self.h.draft, self.parts).build()

    def _clause_tab(self) -> dict[str, Any]:
        with gr.Row(equal_height=False):
            with gr.Column(scale=2, min_width=300):
                edition = gr.Radio([EDITION_ALL], value=EDITION_ALL, label="版本", elem_id="clause-edition")
                self.parts["clause_edition"] = edition
                with gr.Row(equal_height=True):
                    query = gr.Textbox(
                        label="搜索条款",
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
        edition.change(self.h.clauses.on_clause_edition, edition, doc, **PRIVATE)
        gr.on(
            [search.click, query.submit], self.h.clauses.clause_search, [query, edition], results, **PRIVATE
        )
        doc.change(self.h.clauses.show_document, doc, results, show_progress="hidden", **PRIVATE)
        return {"detail": detail, "doc": doc}
