"""`assistant draft SPEC.json [--out FILE.docx|FILE.xlsx] [--json]` and
`assistant review FILE [--tier 卓越级] [--json]`.

The commands only translate: file → spec → Draft → text/JSON/file, and file → ReviewReport.
Every input problem is a Chinese message on stderr naming the field, exit code 2, no traceback
(``errors.friendly_errors``). Both call the drafting part of the service facade (``desk``).
With ``--json`` stdout carries exactly one JSON document.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.drafting import Draft, Finding, ReviewReport, parse_specs
from assistant.errors import InputError
from assistant.interfaces.cli import state
from assistant.interfaces.cli.errors import friendly_errors
from assistant.interfaces.cli.files import read_json_file
from assistant.vocabulary import DEFAULT_TIER, TIERS

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.service import DraftingDesk

SEVERITY_STYLE = {"必须修改": "bold red", "建议修改": "yellow", "提示": "cyan"}


def desk(llm: BaseChatModel | None = None) -> DraftingDesk:
    """The drafting part of the service facade. Not the whole AssistantService: drafting needs no
    search index or session store, and loading them would double the command's run time."""
    from assistant.service import DraftingDesk

    return DraftingDesk.from_settings(state.settings, llm=llm)


def run_draft(
    spec_path: Path,
    out: Path | None = None,
    use_llm: bool = True,
    llm: BaseChatModel | None = None,
    round: str | None = None,
) -> tuple[list[Draft], str | None, Path | None]:
    """Everything `draft` does except printing; raises AssistantError. ``round`` overrides the
    spec's (default: the spec's, else by date)."""
    batch = parse_specs(read_json_file(spec_path, "申报草稿输入文件"))
    if round is not None:
        batch.projects = [p.model_copy(update={"round": round}) for p in batch.projects]
    if len(batch.projects) > 1 and (out is None or out.suffix.lower() != ".xlsx"):
        raise InputError(
            f"{spec_path} 含{len(batch.projects)}个项目：多个项目请用 --out 汇总表.xlsx 导出推荐汇总表；"
            "申报书（.docx）请逐个项目生成。"
        )
    service = desk(llm)
    drafts = [service.draft(spec, polish_text=use_llm) for spec in batch.projects]
    written = service.export_to(drafts, out, recommender=batch.recommender) if out else None
    return drafts, batch.recommender, written


def _draft_json(draft: Draft) -> dict[str, Any]:
    data = draft.model_dump(mode="json")
    data["text"] = draft.text()
    return data


def _findings_table(findings: list[Finding], title: str) -> Table:
    table = Table(title=title, show_lines=True)
    for column in ("级别", "问题", "依据", "位置"):
        table.add_column(column, overflow="fold")
    for f in findings:
        basis = "、".join(f"【{c}】" for c in f.clause_ids) or (f.rule or "")
        where = f.field or (f.excerpt or "")
        table.add_row(f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]", f.message, basis, where)
    return table


def register(app: typer.Typer) -> None:
    """Add the `draft` and `review` commands to the CLI."""

    @app.command("draft")
    @friendly_errors
    def draft_command(
        spec: Annotated[Path, typer.Argument(help="申报草稿输入 JSON（示例见 examples/draft_spec.json）")],
        out: Annotated[
            Path | None,
            typer.Option("--out", help="导出文件：.docx（申报书）或 .xlsx（附件4推荐汇总表）"),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")] = False,
        no_llm: Annotated[bool, typer.Option("--no-llm", help="即使配置了大模型也只用模板文本")] = False,
        round_: Annotated[
            str | None,
            typer.Option("--round", help="申报年度（核验规则版本）；默认取输入中的 round，否则按日期"),
        ] = None,
    ) -> None:
        """生成附件3申报书全部四部分（含真实性承诺）、典型场景实例（环节名—场景名—实例名）、附件4行及自查意见。"""
        drafts, recommender, written = run_draft(spec, out, use_llm=not no_llm, round=round_)
        if as_json:
            if len(drafts) == 1:
                data: dict[str, Any] = _draft_json(drafts[0])
            else:
                data = {"recommender": recommender, "projects": [_draft_json(d) for d in drafts]}
            data["output"] = str(written) if written else None
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        console = Console()
        for draft in drafts:
            console.print(draft.text(), markup=False, highlight=False)
            console.print(_findings_table(draft.checks, f"自查意见：{draft.project_name}"))
            for note in draft.notes:
                typer.echo(f"说明：{note}", err=True)
        if written:
            typer.echo(f"已写入 {written}", err=True)

    @app.command("review")
    @friendly_errors
    def review_command(
        file: Annotated[Path, typer.Argument(help="待审阅的申报书草稿（.docx / .txt / .md）")],
        tier: Annotated[str, typer.Option("--tier", help=f"目标层级：{' | '.join(TIERS)}")] = DEFAULT_TIER,
        edition: Annotated[
            str | None, typer.Option("--edition", help="对照的场景指引版本；默认与申报年度一致")
        ] = None,
        round_: Annotated[
            str | None, typer.Option("--round", help="申报年度（核验规则版本）；默认按日期")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档")] = False,
    ) -> None:
        """审阅已有申报书草稿：场景实例格式与目录、环节覆盖、指标、附件3各部分、占位符、领先性表述。"""
        if tier not in TIERS:
            raise InputError(f"--tier 取值 {tier!r} 无效；可选：{'、'.join(TIERS)}")
        report: ReviewReport = desk().review_file(file, tier=tier, edition=edition, round=round_)
        if as_json:
            sys.stdout.write(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
            return
        console = Console()
        counts = "，".join(f"{k}{v}项" for k, v in report.summary.items())
        covered = "、".join(report.links_covered) or "无"
        console.print(
            f"审阅 {file}（{report.round}年度，{tier}，场景指引{report.edition}年版）：{counts}；识别到{len(report.instances)}个场景实例，"
            f"覆盖环节：{covered}",
            markup=False,
        )
        console.print(_findings_table(report.findings, "审阅意见"))
