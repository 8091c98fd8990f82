"""Human renderings of a CheckReport: Markdown for chat and UI, a rich table for the terminal.

Rendering never decides anything: it only arranges the checker's verdicts and reasons. It does no
I/O either; the caller passes ``clause_text`` (clause id -> text) so the quote comes from whatever
corpus the caller has loaded, and tests can pass a dict's ``get``.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from assistant.rules.decide import cn_date
from assistant.rules.profile import field_label
from assistant.rules.report import CheckReport, RequirementResult
from assistant.vocabulary import STATUS_LABELS, STATUS_SHORT_LABELS

ClauseText = Callable[[str], str | None]

_STATUS_STYLE: dict[str, str] = {
    "met": "green",
    "not_met": "red",
    "conditional": "yellow",
    "unknown": "cyan",
}
_QUOTE_LIMIT = 160


def _cite(clause_ids: list[str]) -> str:
    return "".join(f"【{cid}】" for cid in clause_ids)


def _quote(clause_text: str | None) -> str:
    text = " ".join((clause_text or "").split())
    return text if len(text) <= _QUOTE_LIMIT else text[: _QUOTE_LIMIT - 1] + "…"


def _verdict_lines(report: CheckReport) -> list[str]:
    app = report.application
    lines = [
        f"## 结论（{report.edition}年版，评估日期 {cn_date(report.as_of)}）",
        "",
        f"- 已满足的最高层级：**{report.highest_tier or '无'}**",
        f"- 可达层级（待确认事项均有利、“原则上”要求获认可时）：**{report.reachable_tier or '无'}**",
        f"- {app.round}申报：**{STATUS_LABELS[app.status]}**",
    ]
    if app.region_overlay:
        lines.append(f"- 适用地方要求：{app.region_overlay}")
    lines.append(f"- {app.window_message}")
    tier_states = "；".join(f"{name}：{STATUS_LABELS[t.status]}" for name, t in report.tiers.items())
    lines += ["", f"各层级：{tier_states}。"]
    return lines


def _missing(fields: list[str], paths: bool) -> str:
    """The facts a gap needs, by their Chinese names; with ``paths`` (the CLI, whose user edits
    the profile JSON) each also with its field path."""
    return "、".join(f"{field_label(f)}（`{f}`）" if paths else field_label(f) for f in fields)


def _gap_lines(report: CheckReport, clause_text: ClauseText, paths: bool) -> list[str]:
    if not report.gaps:
        return [
            "## 差距",
            "",
            "没有差距：已满足全部层级要求。" if report.highest_tier else "没有可列出的差距。",
        ]
    lines = ["## 差距与建议（按重要性排序）", ""]
    for number, gap in enumerate(report.gaps, start=1):
        lines.append(f"{number}. **[{gap.tier}] {gap.title or gap.id}**（{STATUS_LABELS[gap.status]}）")
        lines.append(f"   - 原因：{gap.reason}{_cite(gap.clause_ids)}")
        if gap.missing_fields:
            lines.append(f"   - 需补充的信息：{_missing(gap.missing_fields, paths)}")
        if gap.action:
            lines.append(f"   - 建议：{gap.action}")
        for cid in gap.clause_ids:
            quoted = _quote(clause_text(cid))
            if quoted:
                lines.append(f"   - 原文【{cid}】：> {quoted}")
    return lines


def _requirement_line(item: RequirementResult) -> str:
    return f"- {item.title or item.id}：{STATUS_LABELS[item.status]}。{item.reason}{_cite(item.clause_ids)}"


def _application_lines(report: CheckReport) -> list[str]:
    app = report.application
    lines = [f"## {app.round}申报条件", ""]
    lines += [_requirement_line(item) for item in app.requirements]
    lines += ["", "### 时间节点", ""]
    for deadline in app.deadlines:
        state = "已截止" if deadline.passed else "未截止"
        lines.append(f"- {cn_date(deadline.date)}前：{deadline.who}（{state}）{_cite(deadline.clause_ids)}")
    lines += ["", "### 推荐名额", ""]
    lines += [f"- {quota.who}：不超过{quota.max_projects}个" for quota in app.quotas]
    lines += ["", "### 提示", ""]
    lines += [
        f"- {note.text}{_cite(note.clause_ids)}" for note in app.notes if note.id != "application.window"
    ]
    return lines


def render_markdown(
    report: CheckReport, clause_text: ClauseText = lambda _cid: None, *, field_paths: bool = False
) -> str:
    """Verdict first, then the gaps (what to do, the clause quoted), then the application block.
    ``field_paths`` adds each missing fact's profile path (for the CLI, whose user edits the
    JSON); the web page names facts only in Chinese."""
    lines = [
        *_verdict_lines(report),
        "",
        *_gap_lines(report, clause_text, field_paths),
        "",
        *_application_lines(report),
    ]
    return "\n".join(lines).rstrip() + "\n"


def _status_cell(status: str) -> Text:
    return Text(STATUS_SHORT_LABELS[status], style=_STATUS_STYLE[status])


def _table(title: str, *headings: str) -> Table:
    """Chinese has no spaces to wrap at: fold long cells instead of cutting them off."""
    table = Table(title=title, show_lines=True)
    for heading in headings:
        table.add_column(heading, overflow="fold")
    return table


def _tiers_table(report: CheckReport) -> Table:
    title = f"层级评估（{report.edition}年版，评估日期 {report.as_of.isoformat()}）"
    table = _table(title, "层级", "状态", "未满足 / 待确认事项")
    for name, tier in report.tiers.items():
        open_items = "；".join(r.title or r.id for r in tier.requirements if r.status != "met")
        table.add_row(name, _status_cell(tier.status), open_items or "—")
    return table


def _gaps_table(report: CheckReport) -> Table:
    table = _table("差距与建议（按重要性排序）", "层级", "状态", "原因与建议", "依据")
    for gap in report.gaps:
        advice = f"{gap.reason}\n建议：{gap.action}" if gap.action else gap.reason
        table.add_row(gap.tier, _status_cell(gap.status), advice, "\n".join(gap.clause_ids))
    return table


def _application_table(report: CheckReport) -> Table:
    app = report.application
    overlay = f"，适用{app.region_overlay}要求" if app.region_overlay else ""
    table = _table(
        f"{app.round}申报：{STATUS_LABELS[app.status]}{overlay}", "申报条件", "状态", "原因", "依据"
    )
    for item in app.requirements:
        table.add_row(
            item.title or item.id, _status_cell(item.status), item.reason, "\n".join(item.clause_ids)
        )
    return table


def _deadlines_table(report: CheckReport) -> Table:
    table = _table("时间节点与推荐名额", "事项", "截止日期 / 名额", "状态")
    for deadline in report.application.deadlines:
        state = Text("已截止", style="red") if deadline.passed else Text("未截止", style="green")
        table.add_row(deadline.who, cn_date(deadline.date), state)
    for quota in report.application.quotas:
        table.add_row(f"推荐名额：{quota.who}", f"不超过{quota.max_projects}个", "—")
    return table


def render_table(report: CheckReport) -> RenderableType:
    """The terminal view: verdict line, tiers, gaps, application, deadlines and notes."""
    parts: list[RenderableType] = [Text(report.summary, style="bold"), _tiers_table(report)]
    if report.gaps:
        parts.append(_gaps_table(report))
    parts += [_application_table(report), _deadlines_table(report)]
    parts += [Text(f"·{note.text}") for note in report.application.notes]
    return Group(*parts)
