"""The web UI: a Gradio Blocks app for enterprise staff and helpdesk, mounted on the API's app.

Four tabs, each a thin translation of one part of the service into a screen:

- 咨询: streaming chat through ``AssistantService.ask_events``; every answer shows its sources as
  expandable cards, the checker's verdict as a tier ladder, and takes thumbs up/down feedback;
- 自评: the enterprise profile as a grouped form, recomputed by ``service.check`` on every change;
- 起草: drafting (drafter.build_draft, export) and reviewing (review.review_file) a declaration;
- 条款: the corpus by edition and document, with search, deep-linkable as ``/?clause=<id>``.

Privacy is a requirement, not a preference: nothing about a user's questions may leave the
machine. So Gradio's analytics are switched off (the environment variable is set before gradio
is imported, and ``analytics_enabled=False`` on the Blocks), the theme uses system fonts only
(no Google Fonts request), run history is off, and the browser test asserts that the page makes
no request to any host other than the server.

Clause links: everything that cites a clause renders ``<a class="cite" href="?clause=<id>">``
(see ui_format). A small script in the page head intercepts those clicks: inside a chat answer
it unfolds that answer's source card; elsewhere it opens the clause in the 条款 tab through a
hidden textbox + button, and updates the address bar so the view can be shared.

Run standalone (UI only, no /v1 API): ``.venv/bin/python -m assistant.interfaces.ui.app --port 7860``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

# Must precede the gradio import: gradio reads it when deciding whether to phone home.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import fastapi
import gradio as gr

from assistant.config import REPO_ROOT
from assistant.drafting import (
    KpiCatalog,
    build_draft,
    load_kpis,
    parse_spec,
    polish,
    review_file,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.errors import AssistantError
from assistant.interfaces.ui.format import (
    DRAFT_FIELDS,
    EDITION_ALL,
    INSTANCE_HEADERS,
    KPI_HEADERS,
    PROFILE_FIELDS,
    PROFILE_GROUPS,
    PROVINCES,
    THINKING_HTML,
    FormField,
    FormValueError,
    answer_html,
    check_panel,
    clause_detail,
    clause_list,
    draft_form_from_spec,
    draft_spec_from_form,
    error_html,
    esc,
    figures_from_rows,
    findings_html,
    gap_table,
    highlight_placeholders,
    instance_lines_html,
    instance_rows,
    kpi_rows,
    lines,
    profile_name,
    profile_to_values,
    severity_summary,
    streaming_html,
    values_to_profile,
)
from assistant.knowledge.scenarios import ScenarioCatalog, load_catalog
from assistant.rules import render_markdown
from assistant.service import AssistantService
from assistant.vocabulary import TIERS

log = logging.getLogger("assistant.ui")

APP_TITLE = "智能工厂申报助手"
EXAMPLE_SPEC = REPO_ROOT / "examples" / "draft_spec.json"
#: Chat turns kept in the browser (the server session keeps its own history for the model).
MAX_STORED_MESSAGES = 40
#: Generated files older than this are removed when the next one is written.
OUTPUT_TTL_SECONDS = 3600
TAB_IDS = ("chat", "check", "draft", "clauses")
PRIVATE: dict[str, Any] = {"api_visibility": "private"}  # the /v1 API is the programmatic surface

EXAMPLE_QUESTIONS = (
    "分公司能申报卓越级智能工厂吗？",
    "卓越级对智能制造能力成熟度有什么要求？",
    "我们是内蒙古的有色金属企业，成熟度三级，已获评先进级，能申报卓越级吗？",
    "申报书的典型场景实例应该怎么写？",
)
ASK_WITH_PROFILE = "请根据我的企业画像，判断我们目前能达到哪个层级、能否申报卓越级，还差哪些条件？"
GROUNDED_NOTE = (
    "当前为<b>条款直答模式</b>（未配置大模型）：回答由检索到的条款原文和规则核验结果直接组成，"
    "不做自由发挥；每条结论都附出处，点击【条款编号】可查看原文。"
)
PRIVACY_NOTE = "所有问答与文件仅在本机服务中处理，不向外部发送。"
UNEXPECTED_ERROR = "处理时出现意外错误，请稍后再试；如持续出现，请联系管理员并告知操作步骤。"
ERROR_TITLE = "出错了"

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn the core's errors into gr.Error popups in Chinese; never show a traceback.

    AssistantError messages are written for users already; anything else is logged with its
    traceback and replaced by a neutral sentence, because an exception text is not for users.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            raise gr.Error(message, title=ERROR_TITLE, print_exception=False) from None
        except Exception:
            log.exception("UI handler %s failed", fn.__name__)
            raise gr.Error(UNEXPECTED_ERROR, title=ERROR_TITLE, print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def _empty_store() -> dict[str, Any]:
    return {"session": None, "messages": [], "answers": {}}


def _trim(messages: list[dict[str, Any]], answers: dict[str, str]) -> tuple[list, dict[str, str]]:
    """Keep the newest MAX_STORED_MESSAGES messages, re-keying answer ids to the new positions."""
    drop = max(0, len(messages) - MAX_STORED_MESSAGES)
    if drop % 2:
        drop += 1  # keep question and answer together
    kept = {str(int(k) - drop): v for k, v in answers.items() if int(k) >= drop}
    return messages[drop:], kept


def _safe_name(text: str, fallback: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", text or "").strip("._")
    return name[:40] or fallback


class AssistantUI:
    """Builds the Blocks and holds the handlers; every handler goes through ``service``."""

    def __init__(self, service: AssistantService) -> None:
        # The service is not touched here nor while the layout is built: the API hands over a
        # stand-in that builds the real service (index, model) on first attribute access, and
        # that must happen in its lifespan, not at import. Data-dependent choices are filled in
        # by the page-load event instead (see ``on_load``).
        self.service = service
        self.work_dir = Path(tempfile.mkdtemp(prefix="assistant-ui-"))
        self._drafting: tuple[ScenarioCatalog, KpiCatalog] | None = None
        # The same for every worker of one installation, so any worker can read the browser state.
        self.store_secret = hashlib.sha256(f"assistant-ui:{REPO_ROOT}".encode()).hexdigest()[:16]
        self.parts: dict[str, Any] = {}

    @property
    def corpus_dir(self) -> Path:
        return self.service.settings.corpus_dir

    def drafting(self) -> tuple[ScenarioCatalog, KpiCatalog]:
        """The scenario catalog and 附1's KPIs, loaded on first use (AssistantError if broken)."""
        if self._drafting is None:
            self._drafting = (load_catalog(self.corpus_dir), load_kpis(self.corpus_dir))
        return self._drafting

    @property
    def catalog(self) -> ScenarioCatalog | None:
        try:
            return self.drafting()[0]
        except AssistantError:
            return None

    @property
    def kpis(self) -> KpiCatalog | None:
        try:
            return self.drafting()[1]
        except AssistantError:
            return None

    # ------------------------------------------------------------------------------------------
    # 咨询
    # ------------------------------------------------------------------------------------------

    async def chat(
        self,
        message: str,
        history: list[dict[str, Any]] | None,
        store: dict[str, Any] | None,
        profile: dict[str, Any] | None,
    ) -> AsyncIterator[tuple[Any, Any, Any]]:
        """Stream one answer: a thinking line, then tokens, then the final answer with verdict and
        source cards (the final text replaces the streamed one: guards may have changed it)."""
        question = (message or "").strip()
        if not question:
            gr.Warning("请先输入问题。", title="提示")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        store = dict(store or _empty_store())
        history = [*(history or []), {"role": "user", "content": esc(question)}]
        history.append({"role": "assistant", "content": THINKING_HTML})
        yield history, gr.skip(), ""
        text, notices, answer = "", [], None
        try:
            async for event in self.service.ask_events(
                question, session=store.get("session"), profile=profile or None
            ):
                if event["type"] == "token":
                    text += event["text"]
                    history[-1] = {"role": "assistant", "content": streaming_html(text)}
                    yield history, gr.skip(), gr.skip()
                elif event["type"] == "notice":
                    notices.append(event["text"])
                    gr.Warning(event["text"], title="提示")
                elif event["type"] == "final":
                    answer = event["answer"]
        except AssistantError as exc:
            history[-1] = {"role": "assistant", "content": error_html(exc.message)}
            yield history, gr.skip(), question
            raise gr.Error(exc.message, title=ERROR_TITLE, print_exception=False) from None
        except Exception:
            log.exception("chat failed")
            history[-1] = {"role": "assistant", "content": error_html(UNEXPECTED_ERROR)}
            yield history, gr.skip(), question
            raise gr.Error(UNEXPECTED_ERROR, title=ERROR_TITLE, print_exception=False) from None
        if answer is None:  # the service always ends with a final event; be safe anyway
            history[-1] = {"role": "assistant", "content": error_html(UNEXPECTED_ERROR)}
            yield history, gr.skip(), question
            return
        data = answer.model_dump(mode="json")
        history[-1] = {"role": "assistant", "content": answer_html(data, notices)}
        answers = dict(store.get("answers") or {})
        answers[str(len(history) - 1)] = data["answer_id"]
        messages, answers = _trim(history, answers)
        new_store = {"session": data["session"], "messages": messages, "answers": answers}
        yield history, new_store, gr.skip()

    def new_chat(self) -> tuple[Any, ...]:
        """A fresh session: nothing of the previous conversation or profile carries over."""
        return [], _empty_store(), None, gr.update(value="", visible=False), gr.update(visible=False), None

    def pick_example(self, evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value or "")

    def like(self, store: dict[str, Any] | None, evt: gr.LikeData) -> tuple[Any, ...]:
        """Store the thumb at once (most people never comment), then offer a comment box."""
        answer_id = ((store or {}).get("answers") or {}).get(str(evt.index))
        if evt.liked is None or evt.liked == "":
            return gr.skip(), gr.skip(), gr.skip()
        if not answer_id:
            gr.Info("这条消息不是助手的回答，无法评价。", title="提示")
            return gr.skip(), gr.skip(), gr.skip()
        rating = 1 if evt.liked is True or str(evt.liked).lower() in ("like", "true") else -1
        try:
            self.service.feedback(answer_id, rating, "")
        except Exception:
            log.exception("feedback failed")
            raise gr.Error("反馈保存失败，请稍后再试。", title=ERROR_TITLE, print_exception=False) from None
        word = "有帮助" if rating > 0 else "没帮助"
        prompt = f"已记录：{word}。可以补充说明原因（可选），帮助我们改进："
        return {"answer_id": answer_id, "rating": rating}, gr.update(visible=True), gr.update(value=prompt)

    @friendly
    def send_comment(self, pending: dict[str, Any] | None, comment: str) -> tuple[Any, ...]:
        """A comment is stored as a further row for the same answer: the latest row is final."""
        comment = (comment or "").strip()
        if pending and comment:
            self.service.feedback(str(pending["answer_id"]), int(pending["rating"]), comment[:2000])
            gr.Info("感谢反馈，已记录。", title="提示")
        return None, gr.update(visible=False), ""

    def attach_chip(self, profile: dict[str, Any] | None) -> tuple[Any, Any]:
        if not profile:
            return gr.update(value="", visible=False), gr.update(visible=False)
        chip = (
            f'<div class="profile-chip">提问时将附带自评画像：<b>{esc(profile_name(profile))}</b>'
            "（助手据此核验层级）</div>"
        )
        return gr.update(value=chip, visible=True), gr.update(visible=True)

    # ------------------------------------------------------------------------------------------
    # 自评
    # ------------------------------------------------------------------------------------------

    def _as_of(self, text: str) -> dt.date:
        text = (text or "").strip()
        if not text:
            return self.service.today()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise FormValueError(f"评估日期应为“年-月-日”格式，例如 2024-11-01，收到“{text}”") from None

    def check_view(self, edition: str | None, as_of: str, *values: Any) -> tuple[Any, ...]:
        """Recompute on every change. Never pops up an error: mid-typing states are normal, so
        problems show in the result panel instead."""
        profile = values_to_profile(dict(zip([f.path for f in PROFILE_FIELDS], values, strict=True)))
        profile_json = json.dumps(profile, ensure_ascii=False, indent=2)
        try:
            report = self.service.check(profile, edition or None, self._as_of(as_of))
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            return error_html(message), "", "", profile_json, profile
        except Exception:
            log.exception("self-check failed")
            return error_html(UNEXPECTED_ERROR), "", "", profile_json, profile
        data = report.model_dump(mode="json")
        full = render_markdown(report, self.service.clause_text)
        return check_panel(data), gap_table(data), full, profile_json, profile

    @friendly
    def import_profile(self, file: str | None) -> list[Any]:
        if not file:
            return [gr.skip()] * len(PROFILE_FIELDS)
        try:
            data = json.loads(Path(file).read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FormValueError(f"画像文件不是合法的 UTF-8 JSON：{exc}") from None
        self.service.check(data)  # validates; a bad profile raises ProfileError in Chinese
        values = profile_to_values(data)
        gr.Info(f"已导入画像：{profile_name(data)}", title="提示")
        return [values[f.path] for f in PROFILE_FIELDS]

    @friendly
    def export_profile(self, profile: dict[str, Any] | None) -> Any:
        profile = profile or {}
        name = _safe_name(profile_name(profile), "enterprise")
        path = self._output_dir() / f"企业画像-{name}.json"
        path.write_text(json.dumps(profile, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def reset_profile(self) -> list[Any]:
        return [f.default for f in PROFILE_FIELDS]

    def ask_with_profile(self, profile: dict[str, Any] | None) -> tuple[Any, ...]:
        if not profile:
            gr.Warning("画像为空：助手将只按问题作答。可先在表单中填写企业情况。", title="提示")
        return profile or None, gr.Tabs(selected="chat"), ASK_WITH_PROFILE

    # ------------------------------------------------------------------------------------------
    # 起草
    # ------------------------------------------------------------------------------------------

    def _output_dir(self) -> Path:
        """A fresh folder per generated file set; old ones are pruned on the way."""
        now = time.time()
        for old in self.work_dir.iterdir():
            try:
                if now - old.stat().st_mtime > OUTPUT_TTL_SECONDS:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=self.work_dir))

    def _catalog(self) -> ScenarioCatalog:
        return self.drafting()[0]  # AssistantError -> a Chinese popup via @friendly

    def edition_choices(self) -> list[tuple[str, str]]:
        if self.catalog is None:
            return []
        out = []
        for key in sorted(self.catalog.editions, reverse=True):
            ed = self.catalog.editions[key]
            note = "征求意见稿" if ed.is_draft else "正式"
            note += "，含场景名" if ed.has_scenarios else "，仅环节（场景名未收录）"
            out.append((f"{key}年版（{note}）", key))
        return out

    def scenario_choices(self, edition: str) -> list[tuple[str, str]]:
        if self.catalog is None or edition not in self.catalog.editions:
            return []
        ed = self.catalog.edition(edition)
        return [(f"{s.name}（{s.segment}）", s.name) for s in ed.scenarios.values()]

    def segment_choices(self, edition: str) -> list[tuple[str, str]]:
        if self.catalog is None or edition not in self.catalog.editions:
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
        if self.catalog is None or not scenario or edition not in self.catalog.editions:
            return gr.skip()
        found = self.catalog.scenario(scenario, edition)
        return gr.update(value=found.segment) if found else gr.skip()

    @friendly
    def match_scenario(self, query: str, edition: str) -> tuple[Any, Any, Any]:
        """What the user calls it ("AI质检") -> the catalog's name, or candidates to choose from."""
        query = (query or "").strip()
        if not query:
            raise FormValueError("请输入要查找的场景，例如“AI质检”“排产”“能耗管理”。")
        result = self._catalog().match(query, edition)
        if result.confident and result.kind == "scenario":
            return gr.update(value=result.name), gr.update(value=result.segment), f"已对应：{result.message}"
        if result.confident and result.kind == "segment":
            return gr.skip(), gr.update(value=result.name), f"已对应环节：{result.message}"
        names = [c.name for c in result.candidates]
        message = result.message
        if names:
            message += "\n\n候选：" + "、".join(names) + "（可在“场景”下拉框中选择）"
        if result.status == "not_held":  # the edition holds no scenario names: keep the user's words
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
    ) -> tuple[Any, ...]:
        name = (name or "").strip()
        if not (scenario or segment):
            raise FormValueError("请先选择场景或环节（可用“查找场景”按常用说法查找）。")
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

    def _kpi_catalog_rows(self) -> list[tuple[int, str, str]]:
        return [(k.number, k.name, k.unit) for k in self.kpis.kpis] if self.kpis else []

    def _resolve_kpi(self, name: str) -> str | None:
        found = self.kpis.get(name) if self.kpis else None
        return found.name if found else None

    def _fill_draft_form(self, spec: dict[str, Any]) -> list[Any]:
        fields, instances, figures = draft_form_from_spec(spec)
        table = kpi_rows(self._kpi_catalog_rows(), figures, self._resolve_kpi)
        editions = dict(self.edition_choices())
        edition = fields.get("edition") or "2025"
        if edition not in editions.values():
            raise FormValueError(f"没有 {edition} 年版的场景指引数据；可选：{'、'.join(editions.values())}")
        values = [fields.get(key) if fields.get(key) != "" else None for key in DRAFT_FIELDS]
        return [*values, instances, *self._instance_views(instances), table]

    @friendly
    def load_example(self) -> list[Any]:
        if not EXAMPLE_SPEC.exists():
            raise FormValueError("示例文件 examples/draft_spec.json 不存在。")
        gr.Info("已载入示例（虚构企业），可直接生成草稿。", title="提示")
        return self._fill_draft_form(json.loads(EXAMPLE_SPEC.read_text(encoding="utf-8")))

    @friendly
    def import_spec(self, file: str | None) -> list[Any]:
        if not file:
            return [gr.skip()] * (len(DRAFT_FIELDS) + 4)
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
        path = self._output_dir() / f"草稿输入-{_safe_name(spec.get('project_name', ''), 'draft')}.json"
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
        self._catalog()
        if not instances:
            raise FormValueError("请至少添加一个场景实例；也可以点“载入示例”查看完整示例。")
        progress(0.1, desc="校验输入")
        spec = parse_spec(self._spec(instances, table, values))
        progress(0.3, desc="生成草稿")
        draft = build_draft(spec, corpus_dir=self.corpus_dir)
        if use_llm and self.service.llm is not None:
            progress(0.5, desc="大模型润色（逐段核对数字与占位符）")
            draft = polish(draft, self.service.llm)
        progress(0.8, desc="导出 DOCX 与附件4")
        out = self._output_dir()
        name = _safe_name(draft.project_name, "draft")
        docx = write_docx(draft, out / f"申报书草稿-{name}.docx")
        xlsx = write_recommendation_xlsx([draft], out / f"附件4推荐汇总表-{name}.xlsx", recommender or None)
        checks = [f.model_dump() for f in draft.checks]
        counts = {
            sev: sum(1 for f in checks if f["severity"] == sev) for sev in ("必须修改", "建议修改", "提示")
        }
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
        )

    @friendly
    def review(self, file: str | None, tier: str, edition: str) -> tuple[str, str, str]:
        if not file:
            raise FormValueError("请先上传待审阅的申报书草稿（.docx / .txt / .md）。")
        report = review_file(Path(file), tier=tier, edition=edition, corpus_dir=self.corpus_dir)
        covered = "、".join(report.links_covered) or "无"
        summary = (
            f'<div class="draft-sum">审阅完成（{esc(tier)}，场景指引{esc(edition)}年版）：'
            f"{esc(severity_summary(report.summary))}；识别到{len(report.instances)}个场景实例，"
            f"覆盖环节：{esc(covered)}。</div>"
        )
        found = instance_lines_html([{"line": i.line} for i in report.instances])
        return summary, findings_html([f.model_dump() for f in report.findings]), found

    # ------------------------------------------------------------------------------------------
    # 条款
    # ------------------------------------------------------------------------------------------

    def doc_choices(self, edition: str | None) -> list[tuple[str, str]]:
        docs = self.service.corpus.documents
        return [
            (f"{d.title}（{d.edition}）", d.doc_id)
            for d in docs
            if edition in (None, "", EDITION_ALL) or d.edition == edition
        ]

    def on_clause_edition(self, edition: str) -> Any:
        return gr.update(choices=self.doc_choices(edition), value=None)

    @friendly
    def clause_search(self, query: str, edition: str) -> str:
        query = (query or "").strip()
        if not query:
            raise FormValueError("请输入要查找的关键词或问题。")
        hits = self.service.search(query, k=20, edition=None if edition == EDITION_ALL else edition)
        return clause_list([h.to_dict() for h in hits], empty=self.service.no_match_message)

    def show_document(self, doc_id: str | None) -> Any:
        if not doc_id:
            return gr.skip()
        doc = self.service.corpus.document(doc_id)
        if doc is None:
            return clause_list([], empty="没有这个文档。")
        return clause_list([c.to_hit() for c in doc.clauses])

    def clause_view(self, clause_id: str) -> str:
        clause_id = (clause_id or "").strip()
        clause = self.service.clause(clause_id) if clause_id else None
        if clause is None:
            return clause_detail(None, missing_id=clause_id or None)
        doc = self.service.corpus.document(clause.doc_id)
        siblings = list(doc.clauses) if doc else [clause]
        at = next((i for i, c in enumerate(siblings) if c.clause_id == clause_id), 0)
        before = siblings[at - 1].to_hit() if at > 0 else None
        after = siblings[at + 1].to_hit() if at + 1 < len(siblings) else None
        return clause_detail(clause.to_hit(), before, after)

    def open_clause(self, clause_id: str) -> tuple[Any, str]:
        return gr.Tabs(selected="clauses"), self.clause_view(clause_id)

    # ------------------------------------------------------------------------------------------
    # Page load
    # ------------------------------------------------------------------------------------------

    def on_load(self, store: dict[str, Any] | None, request: gr.Request) -> list[Any]:
        """Fill in everything that depends on the service (see ``__init__``), restore this
        browser's conversation, and honour ``?clause=<id>`` and ``?tab=<id>``.

        The outputs are ``self.parts["load_outputs"]``, in the order built there."""
        params = dict(request.query_params) if request is not None else {}
        messages = (store or {}).get("messages") or []
        clause_id = (params.get("clause") or "").strip()
        tab = params.get("tab") if params.get("tab") in TAB_IDS else None
        grounded = self.service.llm is None
        rule_editions = self.service.rule_editions()

        clause = self.service.clause(clause_id) if clause_id else None
        doc_choices = self.doc_choices(EDITION_ALL)
        if clause_id:
            tab = "clauses"
            detail: Any = self.clause_view(clause_id)
            doc: Any = gr.update(choices=doc_choices, value=clause.doc_id if clause else None)
        else:
            detail = gr.skip()
            doc = gr.update(choices=doc_choices)

        try:
            self.drafting()
            problem = ""
        except AssistantError as exc:
            log.warning("drafting unavailable: %s", exc.message)
            problem = exc.message
        editions = self.edition_choices()
        values = [v for _, v in editions]
        default = "2025" if "2025" in values else (values[0] if values else None)
        return [
            messages,
            gr.Tabs(selected=tab) if tab else gr.skip(),
            gr.update(visible=grounded),
            gr.update(
                choices=[(f"{e}年版要素条件", e) for e in rule_editions],
                value=rule_editions[-1] if rule_editions else None,
            ),
            self.service.today().isoformat(),
            gr.update(
                value=f'<div class="notice error">起草功能不可用：{esc(problem)}</div>' if problem else "",
                visible=bool(problem),
            ),
            gr.update(choices=editions, value=default),
            gr.update(choices=editions, value=default),
            gr.update(choices=self.scenario_choices(default or ""), value=None),
            gr.update(choices=self.segment_choices(default or ""), value=None),
            kpi_rows(self._kpi_catalog_rows()),
            gr.update(visible=not grounded),
            gr.update(choices=[EDITION_ALL, *self.service.editions()], value=EDITION_ALL),
            doc,
            detail,
            '<span class="ready">ready</span>',
        ]

    # ------------------------------------------------------------------------------------------
    # Layout
    # ------------------------------------------------------------------------------------------

    def build(self) -> gr.Blocks:
        with gr.Blocks(
            title=APP_TITLE, analytics_enabled=False, delete_cache=(3600, 3600), fill_width=False
        ) as blocks:
            store = gr.BrowserState(
                _empty_store(), storage_key="zhineng-shenbao-chat", secret=self.store_secret
            )
            chat_profile = gr.State(None)
            gr.HTML(
                f'<header class="app-header"><h1>{APP_TITLE}</h1><span class="tagline">'
                "依据《关于开展2024年度智能工厂梯度培育行动的通知》及附件作答，结论附条款出处</span></header>"
            )
            with gr.Tabs(selected="chat") as tabs:
                with gr.Tab("咨询", id="chat"):
                    chat_parts = self._chat_tab(store, chat_profile)
                with gr.Tab("自评", id="check"):
                    check_parts = self._check_tab()
                with gr.Tab("起草", id="draft"):
                    self._draft_tab()
                with gr.Tab("条款", id="clauses"):
                    clause_parts = self._clause_tab()
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
                self.open_clause, jump, [tabs, clause_parts["detail"]], show_progress="hidden", **PRIVATE
            )

            chatbot, textbox = chat_parts["chatbot"], chat_parts["textbox"]
            check_parts["ask"].click(
                self.ask_with_profile, check_parts["profile"], [chat_profile, tabs, textbox], **PRIVATE
            ).then(
                self.attach_chip, chat_profile, [chat_parts["chip"], chat_parts["detach"]], **PRIVATE
            ).then(self.chat, [textbox, chatbot, store, chat_profile], [chatbot, store, textbox], **PRIVATE)

            p = self.parts
            load_outputs = [
                chatbot,
                tabs,
                p["mode_note"],
                p["check_edition"],
                p["check_as_of"],
                p["draft_problem"],
                p["draft_edition"],
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
            blocks.load(self.on_load, [store], load_outputs, show_progress="hidden", **PRIVATE).then(
                self.check_view,
                check_parts["inputs"],
                check_parts["outputs"],
                show_progress="hidden",
                **PRIVATE,
            )
        blocks.queue(default_concurrency_limit=8)
        return blocks

    def _chat_tab(self, store: gr.BrowserState, chat_profile: gr.State) -> dict[str, Any]:
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
            self.chat,
            [textbox, chatbot, store, chat_profile],
            [chatbot, store, textbox],
            show_progress="hidden",
            concurrency_limit=16,
            **PRIVATE,
        )
        chatbot.example_select(self.pick_example, None, textbox, **PRIVATE).then(
            self.chat,
            [textbox, chatbot, store, chat_profile],
            [chatbot, store, textbox],
            show_progress="hidden",
            **PRIVATE,
        )
        chatbot.like(self.like, store, [pending, panel, prompt], **PRIVATE)
        submit.click(self.send_comment, [pending, comment], [pending, panel, comment], **PRIVATE)
        close.click(lambda: (None, gr.update(visible=False), ""), None, [pending, panel, comment], **PRIVATE)
        # The chatbot's own trash button clears the display; the session must go with it, or the
        # stored answer ids would point at the wrong messages.
        for trigger in (new.click, chatbot.clear):
            trigger(
                self.new_chat, None, [chatbot, store, chat_profile, chip, detach, pending], **PRIVATE
            ).then(lambda: gr.update(visible=False), None, panel, **PRIVATE)
        detach.click(lambda: None, None, chat_profile, **PRIVATE).then(
            self.attach_chip, chat_profile, [chip, detach], **PRIVATE
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
            self.check_view,
            all_inputs,
            outputs,
            trigger_mode="always_last",
            **recompute,
        )
        upload.upload(self.import_profile, upload, inputs, **PRIVATE).then(
            self.check_view, all_inputs, outputs, **recompute
        )
        export.click(self.export_profile, profile, exported, **PRIVATE)
        reset.click(self.reset_profile, None, inputs, **PRIVATE).then(
            self.check_view, all_inputs, outputs, **recompute
        )
        return {"inputs": all_inputs, "outputs": outputs, "profile": profile, "ask": ask}

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
            "即可生成“环节—场景—实例”清单、附件3第3、4部分草稿和附件4推荐汇总表。缺少的信息以"
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
                    list(TIERS), value="卓越级", label="目标层级", min_width=140
                )
                fields["edition"] = gr.Dropdown([], value=None, label="场景指引版本", min_width=240)
                fields["industry"] = gr.Textbox(label="所属行业", max_lines=1, min_width=160)
            with gr.Row():
                fields["contact_name"] = gr.Textbox(label="联系人", max_lines=1, min_width=120)
                fields["contact_mobile"] = gr.Textbox(label="联系方式（手机号）", max_lines=1, min_width=150)
                fields["period_start"] = gr.Textbox(
                    label="建设开始", placeholder="2022年3月", max_lines=1, min_width=120
                )
                fields["period_end"] = gr.Textbox(
                    label="建设完成", placeholder="2024年6月", max_lines=1, min_width=120
                )
                fields["investment"] = gr.Number(label="总投资（万元）", value=None, min_width=120)
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
                datatype=["number", "str", "str", "number", "number", "number", "str", "str", "str", "str"],
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
        with gr.Accordion("申报书草稿预览（附件3第3、4部分与附件4行）", open=True):
            preview = gr.Markdown(elem_id="draft-preview", line_breaks=True)

        self.parts.update(
            draft_edition=fields["edition"], scenario=scenario, segment=segment, kpi_table=kpi_table
        )
        field_inputs = [fields[key] for key in DRAFT_FIELDS]
        fill_outputs = [*field_inputs, instances, table, remove_pick, kpi_table]
        fields["edition"].change(
            self.on_edition, fields["edition"], [scenario, segment, match_note], **PRIVATE
        )
        scenario.change(
            self.on_scenario, [scenario, fields["edition"]], segment, show_progress="hidden", **PRIVATE
        )
        gr.on(
            [find.click, query.submit],
            self.match_scenario,
            [query, fields["edition"]],
            [scenario, segment, match_note],
            **PRIVATE,
        )
        add.click(
            self.add_instance,
            [instances, scenario, segment, name, built, description, integration],
            [instances, table, remove_pick, name, built, description, integration],
            **PRIVATE,
        )
        remove.click(
            self.remove_instance, [instances, remove_pick], [instances, table, remove_pick], **PRIVATE
        )
        example.click(self.load_example, None, fill_outputs, **PRIVATE)
        upload.upload(self.import_spec, upload, fill_outputs, **PRIVATE)
        export.click(self.export_spec, [instances, kpi_table, *field_inputs], exported, **PRIVATE)
        generate.click(
            self.generate,
            [instances, kpi_table, use_llm, recommender, *field_inputs],
            [summary, checks, lines_view, preview, docx, xlsx],
            scroll_to_output=True,
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
                tier = gr.Dropdown(list(TIERS), value="卓越级", label="目标层级")
                edition = gr.Dropdown([], value=None, label="对照的场景指引版本")
                self.parts["review_edition"] = edition
                start = gr.Button("开始审阅", variant="primary", elem_id="start-review")
            with gr.Column(scale=3, min_width=320):
                summary = gr.HTML(elem_id="review-summary")
                findings = gr.HTML(elem_id="review-findings")
                with gr.Accordion("识别到的场景实例", open=False):
                    found = gr.HTML()
        start.click(self.review, [file, tier, edition], [summary, findings, found], **PRIVATE)

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
        edition.change(self.on_clause_edition, edition, doc, **PRIVATE)
        gr.on([search.click, query.submit], self.clause_search, [query, edition], results, **PRIVATE)
        doc.change(self.show_document, doc, results, show_progress="hidden", **PRIVATE)
        return {"detail": detail, "doc": doc}


# ---------------------------------------------------------------------------------------------
# Theme, style and the page script
# ---------------------------------------------------------------------------------------------

#: System fonts only: a GoogleFont here would make every page view fetch from Google.
_SANS = ["Noto Sans CJK SC", "Noto Sans SC", "PingFang SC", "Microsoft YaHei", "system-ui", "sans-serif"]
_MONO = ["Noto Sans Mono CJK SC", "DejaVu Sans Mono", "Consolas", "monospace"]


def make_theme() -> gr.themes.Base:
    return gr.themes.Default(primary_hue="blue", neutral_hue="slate", font=_SANS, font_mono=_MONO)


CSS = """
:root { --st-met:#17703a; --st-met-bg:#e6f4ea; --st-cond:#8a5a00; --st-cond-bg:#fff3d1;
        --st-unk:#475467; --st-unk-bg:#eef1f5; --st-not:#b42318; --st-not-bg:#fdeceb; }
.dark { --st-met:#6ee7a0; --st-met-bg:#10311d; --st-cond:#fcd34d; --st-cond-bg:#3a2c05;
        --st-unk:#cbd5e1; --st-unk-bg:#1f2937; --st-not:#fca5a5; --st-not-bg:#3b1111; }
.gradio-container { max-width: 1240px !important; width: 100% !important; margin: 0 auto; }
.ghost { display: none !important; }
.app-header { display:flex; flex-wrap:wrap; align-items:baseline; gap:.2rem 1rem; padding:.2rem 0 0; }
.app-header h1 { font-size:1.45rem; margin:0; }
.app-header .tagline { color: var(--body-text-color-subdued); font-size:.9rem; }
.app-footer { color: var(--body-text-color-subdued); font-size:.82rem; text-align:center; padding:.4rem 0; }
.mode-note { background:#eef4ff; border:1px solid #c7d7f7; color:#1e3a8a; border-radius:8px;
             padding:.45rem .75rem; font-size:.88rem; }
.dark .mode-note { background:#172554; border-color:#1e40af; color:#dbeafe; }
#chat-send, #chat-new { max-height: 3.2rem; align-self: flex-end; }
.chat-hint, .form-hint { color: var(--body-text-color-subdued); font-size:.85rem; margin:.2rem 0; }
.chat-placeholder { text-align:center; color: var(--body-text-color-subdued); line-height:1.8; }
.profile-chip { display:inline-block; background:#eef4ff; border:1px solid #c7d7f7; border-radius:999px;
                padding:.15rem .8rem; font-size:.88rem; color:#1e3a8a; }
.dark .profile-chip { background:#172554; color:#dbeafe; }
a.cite { color: var(--link-text-color, #1d4ed8); text-decoration:none; cursor:pointer; white-space:nowrap; }
a.cite:hover, a.cite:focus { text-decoration:underline; }
.thinking { color: var(--body-text-color-subdued); }
.spinner { display:inline-block; width:.9em; height:.9em; border:2px solid currentColor; border-right-color:transparent;
           border-radius:50%; animation: as-spin .8s linear infinite; margin-right:.45em; vertical-align:-.1em; }
@keyframes as-spin { to { transform: rotate(360deg); } }
.cursor { animation: as-blink 1s step-end infinite; }
@keyframes as-blink { 50% { opacity:0; } }
.mode-tag { display:inline-block; font-size:.75rem; color: var(--body-text-color-subdued);
            border:1px solid var(--border-color-primary); border-radius:4px; padding:0 .4em; }
.notice { background: var(--st-cond-bg); color: var(--st-cond); border-radius:6px; padding:.3rem .6rem; margin:.3rem 0; }
.notice.error { background: var(--st-not-bg); color: var(--st-not); }
.badge { display:inline-flex; align-items:center; gap:.25em; padding:0 .55em; border-radius:999px; font-size:.82em;
         font-weight:600; white-space:nowrap; border:1px solid currentColor; line-height:1.6; }
.st-met { color: var(--st-met); background: var(--st-met-bg); }
.st-conditional { color: var(--st-cond); background: var(--st-cond-bg); }
.st-unknown { color: var(--st-unk); background: var(--st-unk-bg); }
.st-not_met { color: var(--st-not); background: var(--st-not-bg); }
.verdict { border:1px solid var(--border-color-primary); border-radius:10px; padding:.6rem .8rem; margin:.6rem 0;
           background: var(--background-fill-primary); }
.verdict-head { font-weight:700; margin-bottom:.2rem; }
.verdict ol.ladder { display:flex; flex-wrap:wrap; list-style:none !important; padding:0 !important; margin:.5rem 0 !important;
                     gap:.5rem 1rem; }
.verdict ol.ladder > li.step { flex:1 1 0; min-width:72px; margin:0 !important; padding:.35rem .3rem !important;
                     border:2px solid currentColor; border-radius:10px; display:flex; flex-direction:column;
                     align-items:center; position:relative; text-align:center; line-height:1.35; }
.verdict ol.ladder > li.step::marker { content:""; }
.verdict ol.ladder > li.step + li.step::before { content:"→"; position:absolute; left:-.95rem; top:50%;
                     transform:translateY(-50%); color: var(--body-text-color-subdued); font-weight:400; }
.ladder .ico { font-size:1.05rem; font-weight:800; }
.ladder .tier { font-weight:700; }
.ladder .st { font-size:.85rem; }
.ladder .mark { font-size:.72rem; margin-top:.15rem; padding:0 .4em; border-radius:4px; font-weight:700; }
.ladder .mark.reached { background: var(--st-met); color: var(--st-met-bg); }
.ladder .mark.reachable { border:1px dashed currentColor; }
.verdict.big ol.ladder > li.step { padding:.6rem .3rem !important; }
.verdict.big .ladder .tier { font-size:1.1rem; }
.verdict-sum { margin:.2rem 0; }
.verdict-sum .sep, .cd-meta .sep { color: var(--body-text-color-subdued); margin:0 .3em; }
.verdict-sum .hint, .verdict-window { color: var(--body-text-color-subdued); font-size:.82rem; }
.verdict-app { margin:.25rem 0; }
.gaps-title { font-weight:700; margin-top:.5rem; }
details.gap-details { margin-top:.5rem; }
details.gap-details > summary { cursor:pointer; font-weight:700; }
ol.gaps { margin:.2rem 0 0 1.2rem !important; padding:0 !important; }
ol.gaps > li { margin:.35rem 0 !important; }
ol.gaps .why { font-size:.9rem; margin-top:.1rem; }
ol.gaps .todo { font-size:.9rem; color: var(--body-text-color-subdued); }
.more, .no-gaps { color: var(--body-text-color-subdued); font-size:.9rem; }
.sources { margin-top:.6rem; }
.sources-title { font-size:.82rem; color: var(--body-text-color-subdued); margin-bottom:.2rem; }
details.src-card { border:1px solid var(--border-color-primary); border-radius:8px; margin:.3rem 0;
                   padding:.25rem .6rem; background: var(--background-fill-secondary); }
details.src-card > summary { cursor:pointer; list-style-position: inside; }
details.src-card .cid { font-weight:600; color: var(--link-text-color, #1d4ed8); }
details.src-card .path { color: var(--body-text-color-subdued); font-size:.85em; margin-left:.3em; }
details.src-card .src-text { margin:.35rem 0; padding-left:.6rem; border-left:3px solid #93b4f0; }
details.src-card .src-more { font-size:.85rem; text-align:right; }
details.src-card.flash { outline:3px solid #f59e0b; transition: outline-color 1s; }
.table-wrap { overflow-x:auto; }
table.gap-table { border-collapse:collapse; width:100%; font-size:.88rem;
                 border:1px solid var(--border-color-primary) !important; }
table.gap-table th, table.gap-table td { border-bottom:1px solid var(--border-color-primary); padding:.35rem .4rem;
                                          vertical-align:top; text-align:left; }
table.gap-table th { background: var(--background-fill-secondary); white-space:nowrap; }
table.gap-table .why { margin-top:.15rem; }
table.gap-table .todo { color: var(--body-text-color-subdued); margin-top:.15rem; }
table.gap-table .basis { font-size:.82rem; margin-top:.15rem; }
table.gap-table a.cite { white-space:normal; }
.nowrap { white-space:nowrap; }
#check-result { align-self: stretch !important; }
#check-sticky { flex: none !important; position: sticky; top: 0; z-index: 5; background: var(--body-background-fill); padding-bottom: .4rem; }
.form-group .form-grid { flex-wrap: wrap; }
.compact-radio .wrap { gap:.3rem !important; }
.findings .sev-group { border-left:4px solid; padding:.1rem 0 .1rem .7rem; margin:.5rem 0; }
.findings .sev-title { font-weight:700; }
.findings .sev-title .ico { display:inline-block; width:1.2em; text-align:center; }
.findings ol { margin:.2rem 0 0 1.1rem; padding:0; }
.findings li { margin:.3rem 0; }
.findings .basis, .findings .where { font-size:.85rem; color: var(--body-text-color-subdued); }
.sev-must { border-color: var(--st-not) !important; } .sev-must .sev-title { color: var(--st-not); }
.sev-should { border-color: var(--st-cond) !important; } .sev-should .sev-title { color: var(--st-cond); }
.sev-info { border-color: #3b82f6 !important; } .sev-info .sev-title { color: #1d4ed8; }
.dark .sev-info .sev-title { color: #93c5fd; }
.draft-sum { background: var(--background-fill-secondary); border-radius:8px; padding:.45rem .7rem; }
mark.todo-mark { background:#fde68a; color:#713f12; padding:0 .15em; border-radius:3px; }
ol.instance-lines { margin:.2rem 0 0 1.3rem; padding:0; } ol.instance-lines li { margin:.2rem 0; }
ol.clause-list { list-style:none; margin:0; padding:0; max-height:62vh; overflow-y:auto; }
ol.clause-list li { padding:.45rem .2rem; border-bottom:1px solid var(--border-color-primary); }
ol.clause-list .path { display:block; color: var(--body-text-color-subdued); font-size:.8rem; }
ol.clause-list .snip { font-size:.9rem; }
.clause-detail { border:1px solid var(--border-color-primary); border-radius:10px; padding:1rem 1.1rem;
                 background: var(--background-fill-primary); }
.clause-detail.empty { color: var(--body-text-color-subdued); }
.cd-id { font-size:1.2rem; font-weight:700; color: var(--link-text-color, #1d4ed8); }
.cd-meta, .cd-path, .cd-link { color: var(--body-text-color-subdued); font-size:.88rem; margin:.15rem 0; }
.cd-text { font-size:1.05rem; line-height:1.85; margin:.8rem 0; }
.cd-nav { display:flex; justify-content:space-between; gap:1rem; flex-wrap:wrap; font-size:.9rem; }
.cd-link a { word-break: break-all; }
/* An error already shows as a toast in Chinese (and in the chat as a message): Gradio's extra
   "错误" overlay on every output would hide the user's work, so it is not shown. */
[data-testid="status-tracker"]:has(> span.error) { display:none !important; }
/* Gradio 6 titles grouped toasts by type in English; say it in Chinese. */
.toast-title { font-size:0 !important; }
.toast-title::after { font-size: var(--text-md); }
.toast-title.info::after { content:"提示"; }
.toast-title.warning::after { content:"注意"; }
.toast-title.error::after { content:"出错了"; }
.toast-title.success::after { content:"完成"; }
@media (max-width: 640px) {
  .app-header h1 { font-size:1.2rem; }
  .app-header .tagline { font-size:.8rem; }
  .verdict ol.ladder { gap:.4rem .55rem; }
  .verdict ol.ladder > li.step { min-width:0; font-size:.85rem; padding:.3rem .1rem !important; }
  .verdict ol.ladder > li.step + li.step::before { left:-.55rem; font-size:.7rem; }
  .verdict .ladder .tier, .verdict.big .ladder .tier { font-size:.95rem; white-space:nowrap; }
  #check-sticky { position: static; }
  #check-result { order: -1; }  /* the verdict first on a phone; the form follows */
  .cd-text { font-size:1rem; }
}
"""

#: Clause-link handling (see the module docstring). Plain JavaScript, no external resources.
HEAD = """
<script>
(function () {
  document.documentElement.lang = "zh-CN";
  function clauseOf(a) {
    try { return new URL(a.getAttribute("href"), location.href).searchParams.get("clause"); }
    catch (e) { return null; }
  }
  function openInBrowser(cid) {
    var box = document.querySelector("#clause-jump textarea, #clause-jump input");
    var btn = document.querySelector("#clause-jump-btn");
    if (!box || !btn) { location.search = "?clause=" + encodeURIComponent(cid); return; }
    box.value = cid;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () { btn.click(); }, 30);
    try { history.replaceState(null, "", "?clause=" + encodeURIComponent(cid)); } catch (e) {}
  }
  function openCard(a, cid) {
    var scope = a.closest(".message") || a.closest(".message-content");
    if (!scope) return false;
    var cards = scope.querySelectorAll("details.src-card");
    for (var i = 0; i < cards.length; i++) {
      var label = cards[i].querySelector(".cid");
      if (label && label.textContent === "\\u3010" + cid + "\\u3011") {
        var card = cards[i];
        card.open = true;
        card.scrollIntoView({ block: "nearest", behavior: "smooth" });
        card.classList.add("flash");
        setTimeout(function () { card.classList.remove("flash"); }, 1400);
        return true;
      }
    }
    return false;
  }
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href*='clause=']") : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var cid = clauseOf(a);
    if (!cid) return;
    e.preventDefault();
    e.stopPropagation();
    if (!a.classList.contains("to-browser") && openCard(a, cid)) return;
    openInBrowser(cid);
  }, true);
})();
</script>
"""


def mount_ui(app: fastapi.FastAPI, service: AssistantService) -> None:
    """Mount the web UI at "/" on ``app``. Call it last in create_app: a mount at "/" answers
    every path that no earlier route matched."""
    blocks = AssistantUI(service).build()
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        footer_links=[],
        run_history=False,
        theme=make_theme(),
        css=CSS,
        head=HEAD,
        show_error=True,
        max_file_size="20mb",
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
    )


def create_ui_app(service: AssistantService) -> fastapi.FastAPI:
    """A FastAPI app serving only the UI: for running it standalone and for the browser tests."""
    app = fastapi.FastAPI(title=APP_TITLE, docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    mount_ui(app, service)
    return app


def main(argv: list[str] | None = None) -> None:
    """``python -m assistant.interfaces.ui.app``: the web UI alone on one port (the API is ``assistant serve``)."""
    import uvicorn

    from assistant.config import settings

    parser = argparse.ArgumentParser(description="只启动网页界面（完整服务请用 assistant serve）")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7860)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    service = AssistantService.from_settings(settings)
    uvicorn.run(create_ui_app(service), host=args.host, port=args.port, log_level="info")


if __name__ == "__main__":
    main()
