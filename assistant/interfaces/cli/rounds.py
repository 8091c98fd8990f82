"""`assistant rounds list|check|diff`: the held rounds, whether each traces to its own
documents, and what changed between two.

Only translation: the core (`assistant.rules` rounds) decides; this prints a table or JSON.
`rounds check` exits 1 when a round has problems, so an operator's script can stop on it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import UnknownEditionError
from assistant.interfaces.cli import state
from assistant.interfaces.cli.check import parse_as_of
from assistant.interfaces.cli.errors import friendly_errors
from assistant.interfaces.cli.files import read_json_file
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.scenarios import load_catalog
from assistant.rules import (
    Rounds,
    RuleSet,
    check_round,
    diff_rounds,
    parse_profile,
    rule_values,
    verdict_changes,
    window_closes,
)
from assistant.vocabulary import STATUS_LABELS

rounds_app = typer.Typer(
    help="申报轮次：列出、校验（条款是否出自本轮文件）、比较两轮规则的变化。", no_args_is_help=True
)
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（仅一个 JSON 文档）")]


def _rounds() -> Rounds:
    return Rounds.load(state.settings.corpus_dir / "rules")


def _round(rounds: Rounds, edition: str) -> RuleSet:
    rules = rounds.get(edition)
    if rules is None:
        raise UnknownEditionError(f"没有 {edition} 年度的规则文件；现有：{'、'.join(rounds.editions)}")
    return rules


def round_problems(editions: list[str] | None = None) -> dict[str, list[dict[str, str]]]:
    """Each round's problems (empty list: clean), for the rounds named or all held."""
    rounds, corpus = _rounds(), load_corpus(state.settings.corpus_dir)
    catalogue = load_catalog(state.settings.corpus_dir).editions
    found: dict[str, list[dict[str, str]]] = {}
    for edition in editions or [*rounds.editions, *rounds.broken]:
        if edition in rounds.broken:
            found[edition] = [
                {"kind": "invalid_rules", "subject": edition, "message": rounds.broken[edition]}
            ]
            continue
        problems = check_round(_round(rounds, edition), corpus, rounds.owned(edition, corpus), catalogue)
        found[edition] = [{"kind": p.kind, "subject": p.subject, "message": p.message} for p in problems]
    return found


def round_diff(before: str, after: str, profile: Path | None, as_of: str | None) -> dict[str, Any]:
    """The changed values, both sides cited, and for a profile the tiers whose verdict moves."""
    rounds = _rounds()
    old, new = _round(rounds, before), _round(rounds, after)
    changes = [
        {
            "key": c.key,
            "label": c.label,
            "before": {"value": c.before.value, "clause_ids": list(c.before.clause_ids)}
            if c.before
            else None,
            "after": {"value": c.after.value, "clause_ids": list(c.after.clause_ids)} if c.after else None,
        }
        for c in diff_rounds(old, new)
    ]
    result: dict[str, Any] = {"before": before, "after": after, "changes": changes}
    if profile is not None:
        facts = parse_profile(read_json_file(profile, "画像文件"))
        moved = verdict_changes(old, new, facts, parse_as_of(as_of))
        result["verdict_changes"] = [
            {"tier": m.subject, "label": m.label, "before": m.before, "after": m.after} for m in moved
        ]
    return result


def register(app: typer.Typer) -> None:
    """Add `rounds list|check|diff` to the CLI."""
    app.add_typer(rounds_app, name="rounds")

    @rounds_app.command("list")
    @friendly_errors
    def list_command(as_json: JsonOpt = False) -> None:
        """列出已有规则文件的申报轮次：年度、名称、企业申报截止日期、所辖文件。"""
        rounds, corpus = _rounds(), load_corpus(state.settings.corpus_dir)
        rows: list[dict[str, Any]] = [
            {
                "edition": r.edition,
                "title": r.title,
                "closes": window_closes(r).isoformat(),
                "region": r.manifest.region if r.manifest else None,
                "documents": sorted(rounds.owned(r.edition, corpus)),
            }
            for r in (_round(rounds, e) for e in rounds.editions)
        ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        table = _table("年度", "名称", "企业申报截止", "地区", "文件")
        for row in rows:
            table.add_row(
                row["edition"],
                row["title"],
                row["closes"],
                row["region"] or "全国",
                "、".join(row["documents"]),
            )
        Console().print(table)

    @rounds_app.command("check")
    @friendly_errors
    def check_command(
        editions: Annotated[list[str] | None, typer.Argument(help="年度，如 2024；不填则校验全部")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """校验轮次：清单中的文件是否都在、规则引用的每个条款是否存在且出自本轮文件。"""
        found = round_problems(editions)
        if as_json:
            typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
        else:
            for edition, problems in found.items():
                if not problems:
                    typer.echo(f"{edition} 年度：通过（规则引用的条款均出自本轮文件）")
                for problem in problems:
                    typer.echo(f"{edition} 年度：{problem['message']}")
        if any(found.values()):
            raise typer.Exit(1)

    @rounds_app.command("diff")
    @friendly_errors
    def diff_command(
        before: Annotated[str, typer.Argument(help="较早的年度，如 2024")],
        after: Annotated[str, typer.Argument(help="较晚的年度")],
        profile: Annotated[
            Path | None, typer.Option("--profile", help="企业画像 JSON：同时说明变化对其核验结论的影响")
        ] = None,
        as_of: Annotated[str | None, typer.Option("--as-of", help="评估日期 YYYY-MM-DD，默认今天")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """比较两轮规则：列出不同的值（门槛、环节、截止日期、名额等），两边各注条款。"""
        result = round_diff(before, after, profile, as_of)
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        _print_diff(result)

    rounds_app.command("show")(friendly_errors(_show_command))


def _table(*headers: str) -> Table:
    """A table whose Chinese cells wrap instead of being cut (they have no spaces to wrap at)."""
    table = Table()
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _side(side: dict[str, Any] | None, edition: str) -> str:
    if side is None:
        return f"（{edition}年度未规定）"
    return f"{side['value']}【{'】【'.join(side['clause_ids'])}】"


def _print_diff(result: dict[str, Any]) -> None:
    before, after = result["before"], result["after"]
    if not result["changes"]:
        typer.echo(f"{after} 年度与 {before} 年度的规则没有不同的值。")
    table = _table("项目", f"{before} 年度", f"{after} 年度")
    for change in result["changes"]:
        table.add_row(change["label"], _side(change["before"], before), _side(change["after"], after))
    Console().print(table)
    for moved in result.get("verdict_changes", []):
        old, new = STATUS_LABELS[moved["before"]], STATUS_LABELS[moved["after"]]
        typer.echo(f"对该画像：{moved['label']} 由“{old}”变为“{new}”")
    if "verdict_changes" in result and not result["verdict_changes"]:
        typer.echo("对该画像：各层级核验结论不变。")


def _show_command(
    edition: Annotated[str, typer.Argument(help="年度，如 2024")], as_json: JsonOpt = False
) -> None:
    """显示一轮的规则：每个值及其出处条款。"""
    values = rule_values(_round(_rounds(), edition))
    if as_json:
        rows: list[dict[str, Any]] = [
            {"key": v.key, "label": v.label, "value": v.value, "clause_ids": list(v.clause_ids)}
            for v in values
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = _table("项目", "值", "条款")
    for value in values:
        table.add_row(value.label, value.value, "、".join(value.clause_ids))
    Console().print(table)
