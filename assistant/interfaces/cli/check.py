"""`assistant check P.json [--edition E] [--as-of YYYY-MM-DD] [--json]`: the checker's verdict.

The command only translates: file -> profile, options -> rules and date, report -> table or JSON.
Every input problem becomes a Chinese message on stderr with exit code 2, never a traceback,
because helpdesk staff run this on files enterprises send them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.errors import AssistantError, InputError
from assistant.interfaces.cli import state
from assistant.interfaces.cli.errors import friendly_errors
from assistant.interfaces.cli.files import read_json_file
from assistant.knowledge.corpus import load_corpus
from assistant.rules import CheckReport, check, load_rules, parse_profile, render_markdown, render_table


def _read_profile_json(path: Path) -> object:
    return read_json_file(path, "画像文件")


def parse_as_of(value: str | None) -> dt.date:
    """``--as-of`` as a date; today when omitted (deadlines are judged against it)."""
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"评估日期 --as-of 应为 YYYY-MM-DD 格式的日期，收到 {value!r}") from exc


def run_check(profile_path: Path, edition: str | None, as_of: str | None) -> CheckReport:
    """Everything the command does except printing; raises AssistantError."""
    data = _read_profile_json(profile_path)
    day = parse_as_of(as_of)
    profile = parse_profile(data)
    rules = load_rules(state.settings.corpus_dir / "rules", edition)
    return check(profile, rules, day)


def _clause_lookup() -> dict[str, str]:
    """Clause texts for quoting in --markdown; quoting is optional, so a broken corpus only
    drops the quotes instead of failing the verdict."""
    try:
        corpus = load_corpus(state.settings.corpus_dir)
    except AssistantError:
        return {}
    return {clause.clause_id: clause.text for clause in corpus.clauses}


def register(app: typer.Typer) -> None:
    """Add the `check` command to the CLI."""

    @app.command("check")
    @friendly_errors
    def check_command(
        profile: Annotated[Path, typer.Argument(help="企业画像 JSON 文件（字段见 docs/contracts.md）")],
        edition: Annotated[str | None, typer.Option("--edition", help="规则版本，默认最新")] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="评估日期 YYYY-MM-DD，默认今天（用于判断截止日期）")
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="输出一个 JSON 文档（CheckReport）")] = False,
        as_markdown: Annotated[
            bool, typer.Option("--markdown", help="输出 Markdown（结论、差距及条款原文）")
        ] = False,
    ) -> None:
        """对照要素条件判定企业可达的智能工厂层级、差距和本轮卓越级申报条件。"""
        report = run_check(profile, edition, as_of)
        if as_json:
            typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
        elif as_markdown:
            typer.echo(render_markdown(report, _clause_lookup().get, field_paths=True))
        else:
            Console().print(render_table(report))
