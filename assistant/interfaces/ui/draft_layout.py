"""The 起草 tab's page: the drafting form (project, scenario instances, 附1 KPIs) and the review
of an uploaded draft, wired to ``drafting.DraftHandlers``.

Split from ``layout`` because this form alone is as large as the other tabs together; like
``layout``, nothing here computes anything. Components that the page-load event fills in
(editions, rounds, scenario choices, the KPI table) are put in ``parts`` for ``layout`` to list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gradio as gr

from assistant.interfaces.ui.common import PRIVATE
from assistant.interfaces.ui.drafting import DraftHandlers
from assistant.interfaces.ui.forms import DRAFT_FIELDS, INSTANCE_HEADERS, KPI_HEADERS
from assistant.vocabulary import DEFAULT_TIER, TIERS


def clear_review() -> tuple[str, str, str]:
    """Empty review results: a new file or run must not show an earlier file's findings."""
    return "", "", ""


@dataclass(frozen=True)
class _SpecFiles:
    """The buttons that fill the form from the example or a JSON file, and save it as one."""

    example: gr.Button
    upload: gr.UploadButton
    export: gr.Button
    exported: gr.File


@dataclass(frozen=True)
class _ScenarioPicker:
    """Finding a 场景 in the guide (by a common name too) and picking it and its 环节."""

    query: gr.Textbox
    find: gr.Button
    match_note: gr.Markdown
    scenario: gr.Dropdown
    segment: gr.Dropdown


@dataclass(frozen=True)
class _InstanceForm:
    """Section 2: the 场景 picked, one instance's fields, and the instances added."""

    pick: _ScenarioPicker
    name: gr.Textbox
    built: gr.Textbox
    description: gr.Textbox
    integration: gr.Textbox
    add: gr.Button
    table: gr.Dataframe
    remove_pick: gr.Dropdown
    remove: gr.Button


@dataclass(frozen=True)
class _DraftResults:
    """The generate button and everything it fills: summary, downloads, checks, lines, preview."""

    use_llm: gr.Checkbox
    recommender: gr.Textbox
    generate: gr.Button
    summary: gr.HTML
    docx: gr.DownloadButton
    xlsx: gr.DownloadButton
    checks: gr.HTML
    lines_view: gr.HTML
    #: The last draft generated, for the per-part download.
    draft_state: gr.State
    section_pick: gr.Dropdown
    section_docx: gr.DownloadButton
    preview: gr.Markdown


class DraftLayout:
    """Builds the 起草 tab; ``parts`` is the page's dict of components filled on page load."""

    def __init__(self, handlers: DraftHandlers, parts: dict[str, Any]) -> None:
        self.h = handlers
        self.parts = parts

    def build(self) -> None:
        """The tab's content; call inside ``gr.Tab("起草")``."""
        self.parts["draft_problem"] = gr.HTML(visible=False)
        with gr.Tabs():
            with gr.Tab("起草申报书", id="draft-write"):
                self._draft_writer()
            with gr.Tab("审阅已有草稿", id="draft-review"):
                self._draft_reviewer()

    def _draft_writer(self) -> None:
        """The drafting form, top to bottom, then its events."""
        files = self._spec_files()
        fields = self._project_fields()
        edition_chosen = gr.State(False)  # the user picked the catalogue edition themselves
        instances = gr.State([])
        form = self._instance_form()
        kpi_table = self._kpi_form()
        results = self._draft_results()
        self.parts.update(
            draft_edition=fields["edition"],
            draft_round=fields["round"],
            scenario=form.pick.scenario,
            segment=form.pick.segment,
            kpi_table=kpi_table,
        )
        field_inputs = [fields[key] for key in DRAFT_FIELDS]
        self._wire_catalogue(fields, edition_chosen, form.pick)
        self._wire_instances(instances, form, fields["edition"])
        fill_outputs = [*field_inputs, edition_chosen, instances, form.table, form.remove_pick, kpi_table]
        files.example.click(self.h.load_example, None, fill_outputs, **PRIVATE)
        files.upload.upload(self.h.import_spec, files.upload, fill_outputs, **PRIVATE)
        files.export.click(
            self.h.export_spec, [instances, kpi_table, *field_inputs], files.exported, **PRIVATE
        )
        self._wire_results(
            results, [instances, kpi_table, results.use_llm, results.recommender, *field_inputs]
        )

    def _spec_files(self) -> _SpecFiles:
        """What the form is for, and the buttons to load or save its input as JSON."""
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
        return _SpecFiles(example, upload, export, exported)

    def _project_fields(self) -> dict[str, Any]:
        """Section 1, the project's fields by spec key (``forms.DRAFT_FIELDS`` lists their order)."""
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
            self._period_and_investment(fields)
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
        return fields

    @staticmethod
    def _period_and_investment(fields: dict[str, Any]) -> None:
        """建设起止时间 and 总投资: free text, so that an empty field stays empty."""
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

    @staticmethod
    def _instance_form() -> _InstanceForm:
        """Section 2: pick a 场景 and 环节, name and describe the instance, add it to the table;
        remove one picked from the table."""
        with gr.Accordion("2. 典型场景实例（环节—场景—实例）", open=True):
            pick = DraftLayout._scenario_picker()
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
        return _InstanceForm(pick, name, built, description, integration, add, table, remove_pick, remove)

    @staticmethod
    def _scenario_picker() -> _ScenarioPicker:
        """A search box for the guide's 场景 (common names such as "AI质检" too), how the search
        matched, and the 场景 and 环节 dropdowns it fills."""
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
                [], value=None, label="环节", allow_custom_value=True, min_width=200, elem_id="segment-pick"
            )
        return _ScenarioPicker(query, find, match_note, scenario, segment)

    @staticmethod
    def _kpi_form() -> gr.Dataframe:
        """Section 3: the 附1 KPI table, a row per indicator, filled where there are figures."""
        with gr.Accordion("3. 关键绩效指标（附1）：填写建设前后数据", open=False):
            gr.HTML(
                '<p class="form-hint">水平类指标（如关键设备数控化率）在“建设前/建设后”填指标本身；'
                "变化类指标（…提升、…下降）在“变化幅度(%)”填指标，“建设前/建设后”填衡量口径的数值，并注明口径及单位。"
                "只需填写有数据的行。</p>"
            )
            return gr.Dataframe(
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

    def _draft_results(self) -> _DraftResults:
        """The generate button and where the draft shows: summary, downloads, self-check,
        instance lines, a per-part download and the preview."""
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
                gr.Markdown("#### 自查意见（按严重程度）", elem_classes="section-title")
                checks = gr.HTML(elem_id="draft-checks")
            with gr.Column(scale=1, min_width=300):
                gr.Markdown("#### 涉及典型场景实例（附件4格式）", elem_classes="section-title")
                lines_view = gr.HTML(elem_id="draft-lines")
        draft_state = gr.State(None)
        with gr.Row(equal_height=True):
            section_pick = gr.Dropdown(
                [], value=None, label="单独下载申报书的一部分", min_width=240, scale=3, elem_id="section-pick"
            )
            section_docx = gr.DownloadButton(
                "下载所选部分 DOCX", interactive=False, scale=1, min_width=160, elem_id="download-section"
            )
        with gr.Accordion("申报书草稿预览（附件3第一至四部分、真实性承诺与附件4行）", open=True):
            preview = gr.Markdown(elem_id="draft-preview", line_breaks=True)
        return _DraftResults(
            use_llm,
            recommender,
            generate,
            summary,
            docx,
            xlsx,
            checks,
            lines_view,
            draft_state,
            section_pick,
            section_docx,
            preview,
        )

    def _wire_catalogue(
        self, fields: dict[str, Any], edition_chosen: gr.State, pick: _ScenarioPicker
    ) -> None:
        """Round → edition (until the user picks one) → the scenario choices → a scenario's
        环节; a search fills scenario and 环节 with the best match and says how it matched."""
        edition = fields["edition"]
        edition.input(lambda: True, None, edition_chosen, show_progress="hidden", **PRIVATE)
        fields["round"].change(
            self.h.on_round,
            [fields["round"], edition, edition_chosen],
            edition,
            show_progress="hidden",
            **PRIVATE,
        )
        edition.change(self.h.on_edition, edition, [pick.scenario, pick.segment, pick.match_note], **PRIVATE)
        pick.scenario.change(
            self.h.on_scenario, [pick.scenario, edition], pick.segment, show_progress="hidden", **PRIVATE
        )
        gr.on(
            [pick.find.click, pick.query.submit],
            self.h.match_scenario,
            [pick.query, edition],
            [pick.scenario, pick.segment, pick.match_note],
            **PRIVATE,
        )

    def _wire_instances(self, instances: gr.State, form: _InstanceForm, edition: gr.Dropdown) -> None:
        """Adding an instance clears its fields for the next; removing one updates the table.
        The edition decides whether a 场景 alone is enough (only where its names are held)."""
        instance_fields = [form.name, form.built, form.description, form.integration]
        form.add.click(
            self.h.add_instance,
            [instances, form.pick.scenario, form.pick.segment, *instance_fields, edition],
            [instances, form.table, form.remove_pick, *instance_fields],
            **PRIVATE,
        )
        form.remove.click(
            self.h.remove_instance,
            [instances, form.remove_pick],
            [instances, form.table, form.remove_pick],
            **PRIVATE,
        )

    def _wire_results(self, results: _DraftResults, inputs: list[Any]) -> None:
        """Generating fills every result and the part picker; picking a part offers its DOCX."""
        results.generate.click(
            self.h.generate,
            inputs,
            [
                results.summary,
                results.checks,
                results.lines_view,
                results.preview,
                results.docx,
                results.xlsx,
                results.draft_state,
                results.section_pick,
                results.section_docx,
            ],
            scroll_to_output=True,
            **PRIVATE,
        )
        results.section_pick.input(
            self.h.section_download,
            [results.draft_state, results.section_pick],
            results.section_docx,
            **PRIVATE,
        )

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
