"""`assistant db upgrade|current|purge`: the session store's schema (Alembic migrations) and
its retention.

With Postgres the service never changes the schema itself: an operator runs `assistant db
upgrade` once per release, before starting the hosts. The embedded SQLite file upgrades itself.
`purge` deletes answers and idle sessions older than the retention period (run it from cron).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.console import Console

from assistant.interfaces.cli import state

db_app = typer.Typer(help="会话数据库：查看或升级数据库结构。", no_args_is_help=True)
err = Console(stderr=True)
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（仅一个 JSON 文档）")]


def _report(as_json: bool, data: dict[str, object], text: str) -> None:
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    else:
        err.print(text)


def _fail(exc: Exception) -> None:
    err.print(
        f"[red]错误：[/red]无法连接会话数据库或升级失败（{type(exc).__name__}），请检查 ASSISTANT_DATABASE_URL。"
    )
    raise typer.Exit(2)


@db_app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Option(help="目标版本，默认最新")] = "head",
    as_json: JsonOpt = False,
) -> None:
    """把数据库结构升级到最新版本（多主机部署时，启动服务前运行一次）。"""
    from assistant.service import upgrade_schema

    try:
        before, after = upgrade_schema(state.settings.store_url, revision)
    except Exception as exc:
        _fail(exc)
        return
    _report(as_json, {"from": before, "to": after}, f"数据库结构：{before or '空库'} → {after}")


@db_app.command("purge")
def purge(
    days: Annotated[
        int | None, typer.Option(min=1, help="保留天数，默认取 ASSISTANT_ANSWER_RETENTION_DAYS（180）")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """删除超过保留期的回答记录（含提问原文、评价、复核标注）和长期未用的会话。"""
    from assistant.service import purge_old_records

    kept = days or state.settings.answer_retention_days
    try:
        counts = purge_old_records(state.settings, kept)
    except Exception as exc:
        _fail(exc)
        return
    text = f"已删除 {kept} 天前的记录：回答 {counts['answers']} 条，会话 {counts['sessions']} 个" + (
        f"（另有评价 {counts['feedback']} 条、复核标注 {counts['marks']} 条、消息 {counts['messages']} 条）"
    )
    _report(as_json, {"days": kept, **counts}, text)


@db_app.command("current")
def current(as_json: JsonOpt = False) -> None:
    """显示数据库结构的当前版本与代码需要的版本。"""
    from assistant.service import schema_revisions

    try:
        now, head = schema_revisions(state.settings.store_url)
    except Exception as exc:
        _fail(exc)
        return
    verdict = "已是最新" if now == head else "落后，请运行 assistant db upgrade"
    _report(as_json, {"current": now, "head": head}, f"当前 {now or '空库'}，需要 {head}：{verdict}")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
