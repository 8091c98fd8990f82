"""The 起草 tab's handlers: the drafting form to ``service.draft``/``export`` and back, and the
review of an uploaded draft (``service.review_upload``).

The form's translation to and from the drafter's JSON spec is ``forms``; this module only asks
the service and shapes the answer (choices, tables, files to download).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.config import REPO_ROOT
from assistant.drafting import Draft, KpiCatalog, load_kpis, parse_spec
from assistant.errors import AssistantError
from assistant.interfaces.ui.common import Outputs, friendly, safe_name
from assistant.interfaces.ui.format import (
    esc,
    findings_html,
    highlight_placeholders,
    instance_lines_html,
    severity_summary,
)
from assistant.interfaces.ui.forms import (
    DRAFT_FIELDS,
    FormValueError,
    draft_form_from_spec,
    draft_spec_from_form,
    figures_from_rows,
    instance_rows,
    kpi_rows,
    lines,
)
from assistant.knowledge.scenarios import ScenarioCatalog
from assistant.service import AssistantService, DraftingDesk
from assistant.vocabulary import SEVERITIES

EXAMPLE_SPEC = REPO_ROOT / "examples" / "draft_spec.json"


class DraftHandlers:
    """Drafting and review events; the scenario catalogue and 附1's KPIs feed the form's choices."""

    def __init__(self, service: AssistantService, outputs: Outputs) -> None:
        self.service = service
        self.outputs = outputs
        self._kpis: KpiCatalog | None = None

    @property
    def desk(self) -> DraftingDesk:
        """The service's drafting part, asked for at event time (the service is built lazily)."""
        return self.service.drafting

    def load_kpis(self) -> KpiCatalog:
        """附1's KPIs (the table's rows), loaded on first use; AssistantError if the corpus lacks them."""
        if self._kpis is None:
            self._kpis = load_kpis(self.desk.settings.corpus_dir)
        return self._kpis

    @property
    def kpis(self) -> KpiCatalog | None:
        try:
            return self.load_kpis()
        except AssistantError:
            return None

    @property
    def catalog(self) -> ScenarioCatalog:
        """The service's scenario catalogue (for matching the user's words and the dropdowns)."""
        return self.desk.catalog

    def edition_choices(self) -> list[tuple[str, str]]:
        out = []
        for ed in reversed(self.desk.scenario_editions()):
            note = "征求意见稿" if ed.is_draft else "正式"
            note += "，含场景名" if ed.has_scenarios else "，仅环节（场景名未收录）"
            out.append((f"{ed.edition}年版（{note}）", ed.edition))
        return out

    def round_choices(self) -> list[tuple[str, str]]:
        """The rounds (rules editions) held, newest first."""
        return [(f"{e}年度", e) for e in reversed(self.desk.rule_editions())]

    def round_edition(self, round_: str | None) -> str | None:
        """The catalogue edition a round's notice names, else the newest one held."""
        held = [v for _, v in self.edition_choices()]
        named = self.desk.round_catalogue(round_) if round_ in self.desk.rule_editions() else None
        if named in held:
            return named
        return max(held) if held else None

    def on_round(self, round_: str | None, edition: str | None, chosen: bool) -> Any:
        """A new round moves the catalogue edition to its own, unless the user picked one."""
        target = self.round_edition(round_)
        if chosen or not target or target == edition:
            return gr.skip()
        return gr.update(value=target)

    def scenario_choices(self, edition: str) -> list[tuple[str, str]]:
        if edition not in self.catalog.editions:
            return []
        ed = self.catalog.edition(edition)
        return [(f"{s.name}（{s.segment}）", s.name) for s in ed.scenarios.values()]

    def segment_choices(self, edition: str) -> list[tuple[str, str]]:
        if edition not in self.catalog.editions:
            return []
        ed = self.catalog.edition(edition)
        return [(f"{s.name}（{s.link}）" if s.link else s.name, s.name) for s in ed.segments.values()]

    def on_edition(self, edition: str) -> tuple[Any, Any, Any]:
        has = bool(self.scenario_choices(edition))
        hint = "" if has else "该版本的场景名未收录：请按指引原文填写场景名，并选择环节。"
        return (
            gr.update(choices=self.scenario_choices(edition), value=None),
            gr.update(choices=self.segment_choices(edition), value=None),
            hint,
        )

    def on_scenario(self, scenario: str | None, edition: str) -> Any:
        """Picking a catalog scenario fills its 环节, which the catalog knows."""
        if not scenario or edition not in self.catalog.editions:
            return gr.skip()
        found = self.catalog.scenario(scenario, edition)
        return gr.update(value=found.segment) if found else gr.skip()

    @friendly
    def match_scenario(self, query: str, edition: str) -> tuple[Any, Any, Any]:
        """What the user calls it ("AI质检") -> the catalog's name, or candidates to choose from."""
        query = (query or "").strip()
        if not query:
            raise FormValueError("请输入要查找的场景，例如“AI质检”“排产”“能耗管理”。")
        result = self.catalog.match(query, edition)
        if result.confident and result.kind == "scenario":
            return gr.update(value=result.name), gr.update(value=result.segment), f"已对应：{result.message}"
        if result.confident and result.kind == "segment":
            return gr.skip(), gr.update(value=result.name), f"已对应环节：{result.message}"
        names = [c.name for c in result.candidates]
        segments = bool(names) and all(c.kind == "segment" for c in result.candidates)
        message = result.message
        if names:
            # Candidates are offered in the dropdown of their kind: 环节 names were pointed at the
            # 场景 dropdown, which (in an edition without scenario names) stayed empty.
            box = "环节" if segments else "场景"
            message += "\n\n候选：" + "、".join(names) + f"（可在“{box}”下拉框中选择）"
        if result.status == "not_held":  # the edition holds no scenario names: keep the user's words
            if segments:
                ordered = [c for name in names for c in self.segment_choices(edition) if c[1] == name]
                rest = [c for c in self.segment_choices(edition) if c[1] not in names]
                return gr.update(value=query), gr.update(choices=ordered + rest, value=None), message
            return gr.update(value=query), gr.skip(), message
        if names and all(c.kind == "scenario" for c in result.candidates):
            ordered = [(f"{c.name}（{c.segment}）", c.name) for c in result.candidates]
            rest = [c for c in self.scenario_choices(edition) if c[1] not in names]
            return gr.update(choices=ordered + rest, value=None), gr.skip(), message
        return gr.skip(), gr.skip(), message

    @friendly
    def add_instance(
        self,
        instances: list[dict[str, Any]] | None,
        scenario: str | None,
        segment: str | None,
        name: str,
        built: str,
        description: str,
        integration: str,
        edition: str = "",
    ) -> tuple[Any, ...]:
        name = (name or "").strip()
        if not (scenario or segment):
            raise FormValueError("请先选择场景或环节（可用“查找场景”按常用说法查找）。")
        if not segment and edition in self.catalog.editions and not self.scenario_choices(edition):
            # An edition without scenario names cannot tell the 环节 from the 场景 typed: a row
            # "— | AI质检" was accepted and the draft then chose a 环节 the table never showed.
            raise FormValueError(
                f"{edition}年版指引的场景名本库未收录，无法据场景判断环节：请在“环节”下拉框中选择。"
            )
        if not name:
            raise FormValueError("请填写实例名：简洁具体，如“多机协同的发动机壳体柔性加工与检测”。")
        inst: dict[str, Any] = {"instance_name": name}
        if segment:
            inst["segment"] = segment
        if scenario:
            inst["scenario"] = scenario
        for key, text in (("built", built), ("integration", integration)):
            if lines(text):
                inst[key] = lines(text)
        if (description or "").strip():
            inst["description"] = description.strip()
        updated = [*(instances or []), inst]
        return (updated, *self._instance_views(updated), "", "", "", "")

    def _instance_views(self, instances: list[dict[str, Any]]) -> tuple[Any, Any]:
        choices = [(f"{n}. {inst.get('instance_name', '')}", n - 1) for n, inst in enumerate(instances, 1)]
        return instance_rows(instances), gr.update(choices=choices, value=None)

    def remove_instance(self, instances: list[dict[str, Any]] | None, index: int | None) -> tuple[Any, ...]:
        instances = list(instances or [])
        if index is None or not 0 <= int(index) < len(instances):
            gr.Warning("请先在下拉框中选择要删除的实例。", title="提示")
            return gr.skip(), gr.skip(), gr.skip()
        del instances[int(index)]
        return (instances, *self._instance_views(instances))

    def kpi_catalog_rows(self) -> list[tuple[int, str, str]]:
        return [(k.number, k.name, k.unit) for k in self.kpis.kpis] if self.kpis else []

    def _resolve_kpi(self, name: str) -> str | None:
        found = self.kpis.get(name) if self.kpis else None
        return found.name if found else None

    def _fill_draft_form(self, spec: dict[str, Any]) -> list[Any]:
        fields, instances, figures = draft_form_from_spec(spec)
        table = kpi_rows(self.kpi_catalog_rows(), figures, self._resolve_kpi)
        rounds = [v for _, v in self.round_choices()]
        round_ = fields.get("round") or self.desk.current_round()
        if round_ not in rounds:
            raise FormValueError(f"没有 {round_} 年度的核验规则；可选：{'、'.join(rounds)}")
        fields["round"] = round_  # a spec without a round is drafted for the round by date
        editions = dict(self.edition_choices())
        chosen = bool(fields.get("edition"))
        edition = fields.get("edition") or self.round_edition(round_)
        if edition not in editions.values():
            raise FormValueError(f"没有 {edition} 年版的场景指引数据；可选：{'、'.join(editions.values())}")
        fields["edition"] = edition  # a spec that names only its round gets the round's catalogue
        values = [fields.get(key) if fields.get(key) != "" else None for key in DRAFT_FIELDS]
        return [*values, chosen, instances, *self._instance_views(instances), table]

    @friendly
    def load_example(self) -> list[Any]:
        if not EXAMPLE_SPEC.exists():
            raise FormValueError("示例文件 examples/draft_spec.json 不存在。")
        gr.Info("已载入示例（虚构企业），可直接生成草稿。", title="提示")
        return self._fill_draft_form(json.loads(EXAMPLE_SPEC.read_text(encoding="utf-8")))

    @friendly
    def import_spec(self, file: str | None) -> list[Any]:
        if not file:
            return [gr.skip()] * (len(DRAFT_FIELDS) + 5)
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FormValueError(f"草稿输入文件不是合法的 UTF-8 JSON：{exc}") from None
        parse_spec(data)  # the drafter's own validation, with its Chinese field names
        return self._fill_draft_form(data)

    def _spec(self, instances: list[dict[str, Any]] | None, table: Any, values: tuple[Any, ...]) -> dict:
        rows = table.values.tolist() if hasattr(table, "values") else list(table or [])
        fields = dict(zip(DRAFT_FIELDS, values, strict=True))
        return draft_spec_from_form(fields, instances or [], figures_from_rows(rows))

    @friendly
    def export_spec(self, instances: list[dict[str, Any]] | None, table: Any, *values: Any) -> Any:
        spec = self._spec(instances, table, values)
        path = self.outputs.fresh() / f"草稿输入-{safe_name(spec.get('project_name', ''), 'draft')}.json"
        path.write_text(json.dumps(spec, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    @friendly
    def generate(
        self,
        instances: list[dict[str, Any]] | None,
        table: Any,
        use_llm: bool,
        recommender: str,
        *values: Any,
        progress: gr.Progress = gr.Progress(),  # noqa: B008 -- Gradio injects it by default value
    ) -> tuple[Any, ...]:
        """Spec -> Draft -> preview, checks, DOCX and 附件4 XLSX."""
        if not instances:
            raise FormValueError("请至少添加一个场景实例；也可以点“载入示例”查看完整示例。")
        progress(0.1, desc="校验输入")
        spec = parse_spec(self._spec(instances, table, values))
        progress(0.3, desc="生成草稿")
        polish_text = bool(use_llm and self.desk.llm is not None)
        if polish_text:
            progress(0.5, desc="大模型润色（逐段核对数字与占位符）")
        draft = self.desk.draft(spec, polish_text=polish_text)
        progress(0.8, desc="导出 DOCX 与附件4")
        out = self.outputs.fresh()
        name = safe_name(draft.project_name, "draft")
        docx = out / f"申报书草稿-{name}.docx"
        docx.write_bytes(self.desk.export([draft], "docx"))
        sections = [(f"{sec.key}、{sec.title}", i) for i, sec in enumerate(draft.sections)]
        xlsx = out / f"附件4推荐汇总表-{name}.xlsx"
        xlsx.write_bytes(self.desk.export([draft], "xlsx", recommender or None))
        checks = [f.model_dump() for f in draft.checks]
        counts = {sev: sum(1 for f in checks if f["severity"] == sev) for sev in SEVERITIES}
        placeholders = len(draft.placeholders)
        summary = (
            f'<div class="draft-sum">已生成（{esc(draft.edition)}年版指引，{"大模型润色" if draft.mode == "llm" else "模板文本"}）：'
            f"{len(draft.instances)}个场景实例，覆盖环节：{esc('、'.join(draft.links_covered) or '无')}；"
            f"自查意见 {esc(severity_summary(counts))}；待补充 {placeholders} 处。</div>"
        )
        notes = "".join(f'<div class="notice">{esc(note)}</div>' for note in draft.notes)
        return (
            summary + notes,
            findings_html(checks, empty="自查未发现问题。"),
            instance_lines_html([i.model_dump() for i in draft.instances]),
            highlight_placeholders(draft.text()),
            gr.update(value=str(docx), interactive=True),
            gr.update(value=str(xlsx), interactive=True),
            draft.model_dump(mode="json"),
            gr.update(choices=sections, value=0 if sections else None),
            self._section_file(draft, 0) if sections else gr.update(value=None, interactive=False),
        )

    def _section_file(self, draft: Draft, index: int) -> Any:
        sec = draft.sections[index]
        name = safe_name(f"{sec.key}、{sec.title}-{draft.project_name}", "section")
        path = self.outputs.fresh() / f"申报书分部分-{name}.docx"
        path.write_bytes(self.desk.export_section(draft, index))
        # The label names the part, so the user (and a test) sees what the button will give.
        return gr.update(value=str(path), label=f"下载“{sec.key}、{sec.title}”DOCX", interactive=True)

    @friendly
    def section_download(self, draft: dict[str, Any] | None, index: int | None) -> Any:
        """The part of 附件3 picked in the dropdown, alone as a DOCX, behind the download button."""
        if not draft or index is None:
            return gr.update(value=None, interactive=False)
        return self._section_file(Draft.model_validate(draft), int(index))

    @friendly
    def review(self, file: str | None, tier: str, edition: str) -> tuple[str, str, str]:
        if not file:
            raise FormValueError("请先上传待审阅的申报书草稿（.docx / .txt / .md）。")
        path = Path(file)  # Gradio keeps the user's file name as the last component
        report = self.desk.review_upload(path.name, path.read_bytes(), tier, edition)
        covered = "、".join(report.links_covered) or "无"
        summary = (
            f'<div class="draft-sum">审阅完成（{esc(tier)}，场景指引{esc(edition)}年版）：'
            f"{esc(severity_summary(report.summary))}；识别到{len(report.instances)}个场景实例，"
            f"覆盖环节：{esc(covered)}。</div>"
        )
        found = instance_lines_html([{"line": i.line} for i in report.instances])
        return summary, findings_html([f.model_dump() for f in report.findings]), found
