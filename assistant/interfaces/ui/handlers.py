"""The web UI's event handlers: UI values in, one service call, UI values out.

Every handler goes through ``AssistantService`` (chat, check, draft, export, review, search);
the forms' translation to and from JSON is ``forms``, the HTML is ``format``. Errors: the core's
AssistantError messages are Chinese and written for users, so they are shown as they are; any
other exception is logged and replaced by a neutral sentence (``friendly``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from assistant.config import REPO_ROOT
from assistant.drafting import Draft, KpiCatalog, load_kpis, parse_spec
from assistant.errors import AssistantError
from assistant.interfaces.ui.common import Outputs
from assistant.interfaces.ui.format import (
    EDITION_ALL,
    THINKING_HTML,
    answer_html,
    check_panel,
    clause_detail,
    clause_list,
    error_html,
    esc,
    findings_html,
    gap_table,
    highlight_placeholders,
    instance_lines_html,
    severity_summary,
    streaming_html,
)
from assistant.interfaces.ui.forms import (
    DRAFT_FIELDS,
    PROFILE_FIELDS,
    FormValueError,
    draft_form_from_spec,
    draft_spec_from_form,
    figures_from_rows,
    instance_rows,
    kpi_rows,
    lines,
    profile_name,
    profile_to_values,
    values_to_profile,
)
from assistant.knowledge.scenarios import ScenarioCatalog
from assistant.rules import render_markdown
from assistant.service import AssistantService
from assistant.vocabulary import DEFAULT_CATALOG_EDITION, SEVERITIES

log = logging.getLogger("assistant.ui")

EXAMPLE_SPEC = REPO_ROOT / "examples" / "draft_spec.json"
#: Chat turns kept in the browser (the server session keeps its own history for the model).
MAX_STORED_MESSAGES = 40
TAB_IDS = ("chat", "check", "draft", "clauses")

ASK_WITH_PROFILE = "请根据我的企业画像，判断我们目前能达到哪个层级、能否申报卓越级，还差哪些条件？"
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


def empty_store() -> dict[str, Any]:
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


class Handlers:
    """The event handlers; every one translates UI values into a service call and back."""

    def __init__(self, service: AssistantService) -> None:
        # The service is not touched here nor while the layout is built: the API hands over a
        # stand-in that builds the real service (index, model) on first attribute access, and
        # that must happen in its lifespan, not at import. Data-dependent choices are filled in
        # by the page-load event instead (see ``on_load``).
        self.service = service
        self.outputs = Outputs()
        self._kpis: KpiCatalog | None = None

    def load_kpis(self) -> KpiCatalog:
        """附1's KPIs (the table's rows), loaded on first use; AssistantError if the corpus lacks them."""
        if self._kpis is None:
            self._kpis = load_kpis(self.service.settings.corpus_dir)
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
        return self.service.catalog

    # ------------------------------------------------------------------------------------------
    # 咨询
    # ------------------------------------------------------------------------------------------

    async def chat(
        self,
        message: str,
        history: list[dict[str, Any]] | None,
        store: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        as_of: str | None = None,
    ) -> AsyncIterator[tuple[Any, Any, Any]]:
        """Stream one answer: a thinking line, then tokens, then the final answer with verdict and
        source cards (the final text replaces the streamed one: guards may have changed it).

        ``as_of`` is the 评估日期 handed over from 自评 with the profile (ISO; empty = today): the
        answer judges deadlines by it and says so."""
        question = (message or "").strip()
        if not question:
            gr.Warning("请先输入问题。", title="提示")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        store = dict(store or empty_store())
        history = [*(history or []), {"role": "user", "content": esc(question)}]
        history.append({"role": "assistant", "content": THINKING_HTML})
        yield history, gr.skip(), ""
        text, notices, answer = "", [], None
        try:
            date = self._as_of(as_of or "")
            async for event in self.service.ask_events(
                question, session=store.get("session"), profile=profile or None, as_of=date
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
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            history[-1] = {"role": "assistant", "content": error_html(message)}
            yield history, gr.skip(), question
            raise gr.Error(message, title=ERROR_TITLE, print_exception=False) from None
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
        history[-1] = {"role": "assistant", "content": answer_html(data, notices, as_of=date.isoformat())}
        answers = dict(store.get("answers") or {})
        answers[str(len(history) - 1)] = data["answer_id"]
        messages, answers = _trim(history, answers)
        new_store = {"session": data["session"], "messages": messages, "answers": answers}
        yield history, new_store, gr.skip()

    def new_chat(self) -> tuple[Any, ...]:
        """A fresh session: nothing of the previous conversation or profile carries over."""
        hidden = gr.update(value="", visible=False)
        return [], empty_store(), None, None, hidden, gr.update(visible=False), None

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

    def attach_chip(self, profile: dict[str, Any] | None, as_of: str | None = None) -> tuple[Any, Any]:
        if not profile:
            return gr.update(value="", visible=False), gr.update(visible=False)
        date = f"，按评估日期 <b>{esc(as_of)}</b> 判断" if as_of else ""
        chip = (
            f'<div class="profile-chip">提问时将附带自评画像：<b>{esc(profile_name(profile))}</b>'
            f"（助手据此核验层级{date}）</div>"
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
        path = self.outputs.fresh() / f"企业画像-{name}.json"
        path.write_text(json.dumps(profile, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return gr.update(value=str(path), visible=True)

    def reset_profile(self) -> list[Any]:
        return [f.default for f in PROFILE_FIELDS]

    def ask_with_profile(self, profile: dict[str, Any] | None, as_of: str) -> tuple[Any, ...]:
        """To the chat with the profile and the 评估日期 the form judged by (empty = today)."""
        if not profile:
            gr.Warning("画像为空：助手将只按问题作答。可先在表单中填写企业情况。", title="提示")
        try:
            date = self._as_of(as_of).isoformat() if (as_of or "").strip() else None
        except FormValueError as exc:
            gr.Warning(f"{exc}；将按今天的日期判断。", title="提示")
            date = None
        return profile or None, date, gr.Tabs(selected="chat"), ASK_WITH_PROFILE

    # ------------------------------------------------------------------------------------------
    # 起草
    # ------------------------------------------------------------------------------------------

    def edition_choices(self) -> list[tuple[str, str]]:
        out = []
        for ed in reversed(self.service.scenario_editions()):
            note = "征求意见稿" if ed.is_draft else "正式"
            note += "，含场景名" if ed.has_scenarios else "，仅环节（场景名未收录）"
            out.append((f"{ed.edition}年版（{note}）", ed.edition))
        return out

    def round_choices(self) -> list[tuple[str, str]]:
        """The rounds (rules editions) held, newest first."""
        return [(f"{e}年度", e) for e in reversed(self.service.rule_editions())]

    def round_edition(self, round_: str | None) -> str | None:
        """The catalogue edition a round refers to (the same year), else the default one held."""
        held = [v for _, v in self.edition_choices()]
        for edition in (round_, DEFAULT_CATALOG_EDITION):
            if edition in held:
                return edition
        return held[0] if held else None

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
        rounds = [v for _, v in self.round_choices()]
        round_ = fields.get("round") or self.service.current_round()
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
        path = self.outputs.fresh() / f"草稿输入-{_safe_name(spec.get('project_name', ''), 'draft')}.json"
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
        polish_text = bool(use_llm and self.service.llm is not None)
        if polish_text:
            progress(0.5, desc="大模型润色（逐段核对数字与占位符）")
        draft = self.service.draft(spec, polish_text=polish_text)
        progress(0.8, desc="导出 DOCX 与附件4")
        out = self.outputs.fresh()
        name = _safe_name(draft.project_name, "draft")
        docx = out / f"申报书草稿-{name}.docx"
        docx.write_bytes(self.service.export([draft], "docx"))
        sections = [(f"{sec.key}、{sec.title}", i) for i, sec in enumerate(draft.sections)]
        xlsx = out / f"附件4推荐汇总表-{name}.xlsx"
        xlsx.write_bytes(self.service.export([draft], "xlsx", recommender or None))
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
        name = _safe_name(f"{sec.key}、{sec.title}-{draft.project_name}", "section")
        path = self.outputs.fresh() / f"申报书分部分-{name}.docx"
        path.write_bytes(self.service.export_section(draft, index))
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
        report = self.service.review_upload(path.name, path.read_bytes(), tier, edition)
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

        The outputs are ````Layout.build``'s ``load_outputs````, in the order built there."""
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
            self.load_kpis()
            problem = ""
        except AssistantError as exc:
            log.warning("drafting unavailable: %s", exc.message)
            problem = exc.message
        editions = self.edition_choices()
        values = [v for _, v in editions]
        default: str | None = DEFAULT_CATALOG_EDITION
        if default not in values:
            default = values[0] if values else None
        round_ = self.service.current_round() if rule_editions else None
        draft_default = self.round_edition(round_)
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
            gr.update(choices=editions, value=draft_default),
            gr.update(choices=self.round_choices(), value=round_),
            gr.update(choices=editions, value=default),
            gr.update(choices=self.scenario_choices(draft_default or ""), value=None),
            gr.update(choices=self.segment_choices(draft_default or ""), value=None),
            kpi_rows(self._kpi_catalog_rows()),
            gr.update(visible=not grounded),
            gr.update(choices=[EDITION_ALL, *self.service.editions()], value=EDITION_ALL),
            doc,
            detail,
            '<span class="ready">ready</span>',
        ]
