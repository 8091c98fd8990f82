"""The 自评 tab's handlers: the enterprise profile form to ``service.check`` and back.

The form is recomputed on every edit, so ``check_view`` never pops up an error (half-typed
values are normal); the profile travels to 咨询 with the 评估日期 it was judged by.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.interfaces.ui.common import UNEXPECTED_ERROR, Outputs, friendly, parse_as_of, safe_name
from assistant.interfaces.ui.format import check_panel, error_html, gap_table
from assistant.interfaces.ui.forms import (
    PROFILE_FIELDS,
    FormValueError,
    profile_name,
    profile_to_values,
    values_to_profile,
)
from assistant.rules import render_markdown
from assistant.service import AssistantService

log = logging.getLogger("assistant.ui")

ASK_WITH_PROFILE = "请根据我的企业画像，判断我们目前能达到哪个层级、能否申报卓越级，还差哪些条件？"


class CheckHandlers:
    """Self-assessment events: profile values in, the checker's report out."""

    def __init__(self, service: AssistantService, outputs: Outputs) -> None:
        self.service = service
        self.outputs = outputs

    def as_of(self, text: str) -> dt.date:
        return parse_as_of(text, self.service.today())

    def check_view(self, edition: str | None, as_of: str, *values: Any) -> tuple[Any, ...]:
        """Recompute on every change. Never pops up an error: mid-typing states are normal, so
        problems show in the result panel instead."""
        typed = values_to_profile(dict(zip([f.path for f in PROFILE_FIELDS], values, strict=True)))
        # 所属行业 and 所在省份 read as chat reads them; the profile handed on (JSON, 问助手) is the
        # one judged, so the API, the CLI and the chat reach the same verdict from it.
        profile, understood = self.service.read_profile_words(typed)
        profile_json = json.dumps(profile, ensure_ascii=False, indent=2)
        try:
            report = self.service.check(profile, edition or None, self.as_of(as_of))
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            return error_html(message), "", "", profile_json, profile
        except Exception:
            log.exception("self-check failed")
            return error_html(UNEXPECTED_ERROR), "", "", profile_json, profile
        data = report.model_dump(mode="json")
        full = render_markdown(report, self.service.clause_text)
        facts = [fact.model_dump() for fact in understood]
        return check_panel(data, facts), gap_table(data), full, profile_json, profile

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
        name = safe_name(profile_name(profile), "enterprise")
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
            date = self.as_of(as_of).isoformat() if (as_of or "").strip() else None
        except FormValueError as exc:
            gr.Warning(f"{exc}；将按今天的日期判断。", title="提示")
            date = None
        return profile or None, date, gr.Tabs(selected="chat"), ASK_WITH_PROFILE
