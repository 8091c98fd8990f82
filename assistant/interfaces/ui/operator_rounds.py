"""The 运维 tab's 轮次 sub-tab: the held rounds (documents, validation), one round's rule values
with their clauses, and a new round's rules file previewed then uploaded (``service.console.rounds``).

Like the rest of the console, every handler checks the event's login (the 运维 tab's check);
a rules file that fails validation is refused by the service with a Chinese message and the
library is not changed. The preview must succeed before 确认上传 is enabled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

from assistant.interfaces.ui.common import friendly
from assistant.interfaces.ui.format import esc

ROUND_HEADERS = ["年度", "名称", "企业申报截止", "地区", "所辖文件", "校验"]


def rounds_table(rounds: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["edition"],
            r["title"],
            r.get("closes", ""),
            r.get("region") or "全国",
            "、".join(d["doc_id"] + ("" if d["present"] else "（缺）") for d in r["documents"]),
            "通过" if r["valid"] else "未通过：" + "；".join(r["problems"]),
        ]
        for r in rounds
    ]


def values_html(values: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{esc(v['label'])}</td><td>{esc(v['value'])}</td><td>{esc('、'.join(v['clause_ids']))}</td></tr>"
        for v in values
    )
    return f'<table class="ops-round-values"><tr><th>项目</th><th>值</th><th>条款</th></tr>{rows}</table>'


def preview_html(preview: dict[str, Any]) -> str:
    """What the rules file would be: validation first, then what changes and a sample verdict."""
    head = "预览（尚未写入）" if not preview["committed"] else "已写入"
    verdict = preview.get("verdict") or {}
    problems = "".join(f"<li>{esc(p)}</li>" for p in preview["problems"])
    status = "校验通过" if preview["valid"] else f"校验未通过，不能上传：<ul>{problems}</ul>"
    changes = "".join(
        f"<li>{esc(c['label'])}：{esc(c['before'] or '未规定')} → {esc(c['after'] or '未规定')}</li>"
        for c in preview["changes"]
    )
    compared = preview.get("compared_with")
    change_block = f"<h5>与 {esc(compared)} 年度相比的变化</h5><ul>{changes or '<li>没有不同的值</li>'}</ul>"
    sample = "".join(
        f"<li>{esc(k if k != 'application' else '本轮申报')}：{esc(v)}</li>" for k, v in verdict.items()
    )
    return (
        f'<div class="ops-round-preview" data-edition="{esc(preview["edition"])}">'
        f"<h4>{esc(preview['title'])}（{esc(head)}）</h4><p>{status}</p>"
        + (change_block if compared else "")
        + (f"<h5>样例企业的核验结论</h5><ul>{sample}</ul>" if sample else "")
        + values_html(preview["values"])
        + "</div>"
    )


class RoundsPanel:
    """Answers the 轮次 sub-tab's events. ``console`` gives the service's console (read when an
    event comes: the service is built lazily); ``operator`` is the 运维 tab's check of the
    event's login, returning the operator's id or raising a Chinese gr.Error."""

    def __init__(self, console: Callable[[], Any], operator: Callable[[gr.Request | None], str]) -> None:
        self._console = console
        self._operator = operator

    @property
    def rounds(self) -> Any:
        return self._console().rounds

    def table(self) -> list[list[Any]]:
        return rounds_table(self.rounds.all())

    def choices(self) -> Any:
        return gr.update(
            choices=[(f"{r['edition']}年度", r["edition"]) for r in self.rounds.all()], value=None
        )

    @friendly
    def refresh(self, request: gr.Request) -> tuple[Any, Any]:
        self._operator(request)
        return self.table(), self.choices()

    @friendly
    def show(self, request: gr.Request, edition: str | None) -> str:
        self._operator(request)
        return values_html(self.rounds.get(edition)["values"]) if edition else ""

    @staticmethod
    def _read(file: str | None, profile: str | None) -> tuple[bytes, dict[str, Any] | None]:
        if not file:
            raise gr.Error("请先选择规则文件（corpus/rules/<年度>.yaml 格式）。", print_exception=False)
        sample = None
        if (profile or "").strip():
            try:
                sample = json.loads(profile or "")
            except json.JSONDecodeError as exc:
                raise gr.Error(
                    f"样例画像不是合法的 JSON：{exc.msg}（第{exc.lineno}行）", print_exception=False
                ) from exc
            if not isinstance(sample, dict):
                raise gr.Error(
                    '样例画像应为 JSON 对象，如 {"maturity": {"level": 3}}。', print_exception=False
                )
        return Path(file).read_bytes(), sample

    @friendly
    def preview(self, request: gr.Request, file: str | None, profile: str | None) -> tuple[str, Any]:
        """Validation, changes and the sample's verdict; 确认上传 only when it validates."""
        self._operator(request)
        data, sample = self._read(file, profile)
        previewed = self.rounds.preview(data, sample)
        return preview_html(previewed), gr.update(interactive=previewed["valid"])

    @friendly
    def commit(
        self, request: gr.Request, file: str | None, profile: str | None, replace: bool
    ) -> tuple[Any, ...]:
        who = self._operator(request)
        data, _ = self._read(file, profile)
        done = self.rounds.upload(data, who, replace=bool(replace))
        gr.Info(
            f"已{'替换' if done['exists'] else '添加'} {done['edition']} 年度规则，下一个问题起按其回答。"
        )
        return preview_html(done), gr.update(interactive=False), self.table(), self.choices()
