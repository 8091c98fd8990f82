"""The `assistant` command line: translates arguments to the core and results to text or JSON.

Every command takes --json: one JSON document on stdout and nothing else there; logs and
progress go to stderr. Errors from the core (AssistantError) become a Chinese message on stderr
and exit code 2, never a traceback (``errors.friendly_errors``, one path for every command).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import InputError
from assistant.interfaces.cli import check as cli_check
from assistant.interfaces.cli import db as cli_db
from assistant.interfaces.cli import draft as cli_draft
from assistant.interfaces.cli import rounds as cli_rounds
from assistant.interfaces.cli import state
from assistant.interfaces.cli.errors import friendly_errors
from assistant.interfaces.cli.files import read_json_file

app = typer.Typer(
    name="assistant",
    help="智能工厂申报助手：条款检索、层级自评、申报问答。",
    no_args_is_help=True,
    add_completion=False,
)
out = Console()
err = Console(stderr=True)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _dense_enabled() -> bool:
    """Build the dense index only when fusion gives it weight (ASSISTANT_DENSE_WEIGHT=0 skips the model)."""
    from assistant.knowledge.retrieval import FusionConfig

    return FusionConfig.for_settings(state.settings).dense_weight > 0


JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（仅一个 JSON 文档）")]


@app.command()
@friendly_errors
def index(
    rebuild: Annotated[bool, typer.Option("--rebuild", help="无论是否变化都重建索引")] = False,
    json_output: JsonOpt = False,
) -> None:
    """构建或刷新 corpus/ 的检索索引（仅在语料或模型变化时重建）。"""
    from assistant.knowledge.index import load_index

    with _embedding_progress() as progress:
        idx, info = load_index(state.settings, rebuild=rebuild, dense=_dense_enabled(), progress=progress)
    summary = {
        "rebuilt": info.rebuilt,
        "seconds": round(info.seconds, 2),
        "clauses": info.clauses,
        "documents": len(idx.corpus.documents),
        "editions": idx.corpus.editions,
        "corpus_hash": info.corpus_hash,
        "model": info.model,
        "units": info.units,
        "embedded": info.embedded,
    }
    if json_output:
        print_json(summary)
        return
    counts = f"{info.clauses} 条条款，{len(idx.corpus.documents)} 份文件"
    took = f"版本 {'、'.join(idx.corpus.editions)}，用时 {info.seconds:.1f} 秒"
    if not info.model:  # BM25 only: built in memory at every start, nothing persisted
        err.print(f"已建好关键词索引：{counts}，{took}（未启用向量检索：ASSISTANT_DENSE_WEIGHT=0）")
        return
    outcome = "已是最新，无需重建" if not info.rebuilt else ("已重建" if info.replaced else "已首次构建")
    err.print(
        f"向量索引{outcome}：{counts}，{info.units} 个句子单元（本次新编码 {info.embedded} 个），"
        f"{took}（向量模型 {info.model}）"
    )


@contextmanager
def _embedding_progress() -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on stderr for the sentences being embedded (shown only when some are)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("正在编码句子"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = None

        def update(done: int, total: int) -> None:
            nonlocal task
            if total == 0:
                return
            if task is None:
                task = bar.add_task("embed", total=total)
            bar.update(task, completed=done, total=total)

        yield update


@app.command()
@friendly_errors
def ingest(
    file: Annotated[Path, typer.Argument(help="要加入的 PDF/DOCX/MD/TXT 文件")],
    doc_id: Annotated[str, typer.Option("--doc-id", help="文档编号，如 guide2025-official")],
    edition: Annotated[str, typer.Option("--edition", help="版本年份，如 2025")],
    title: Annotated[str | None, typer.Option("--title", help="文档标题（默认取首行）")] = None,
    status: Annotated[str, typer.Option("--status", help="official / draft / reference")] = "official",
    region: Annotated[
        str | None, typer.Option("--region", help="省级文件所属省份，如 辽宁省（只适用于该省企业）")
    ] = None,
    replace: Annotated[bool, typer.Option("--replace", help="覆盖同名文档")] = False,
    json_output: JsonOpt = False,
) -> None:
    """把一份文件加入 corpus/ 并重建索引；文件有问题时语料保持不变。"""
    from assistant.filelimits import ReadLimits
    from assistant.knowledge.corpus import load_corpus
    from assistant.knowledge.index import load_index
    from assistant.knowledge.ingest import ingest_file
    from assistant.knowledge.regions import province_of

    if not file.exists():
        raise InputError(f"找不到文件：{file}")
    with err.status("正在读取并切分文档…"):
        path = ingest_file(
            file,
            doc_id=doc_id,
            edition=edition,
            corpus_dir=state.settings.corpus_dir,
            title=title,
            status=status,
            replace=replace,
            region=province_of(region, state.settings.corpus_dir / "data") if region else None,
            limits=ReadLimits.from_settings(state.settings),
        )
        document = load_corpus(state.settings.corpus_dir).document(doc_id)
    with err.status("正在更新索引…"):
        _, info = load_index(state.settings, dense=_dense_enabled())
    clauses = len(document.clauses) if document else 0
    if json_output:
        print_json(
            {
                "path": str(path),
                "doc_id": doc_id,
                "edition": edition,
                "region": region,
                "clauses": clauses,
                "index_seconds": round(info.seconds, 2),
            }
        )
        return
    err.print(f"已加入 {path.name}：{clauses} 条条款；索引用时 {info.seconds:.1f} 秒")


def _hits_table(query: str, hits: list[dict[str, Any]]) -> Table:
    table = Table(title=f"检索：{query}", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("条款", style="cyan", no_wrap=True)
    table.add_column("位置与原文")
    table.add_column("得分", justify="right")
    for rank, hit in enumerate(hits, 1):
        table.add_row(
            str(rank),
            str(hit["clause_id"]),
            f"[dim]{hit['heading']}[/dim]\n{hit['text']}",
            f"{hit['score']:.3f}",
        )
    return table


@app.command()
@friendly_errors
def search(
    query: Annotated[str | None, typer.Argument(help="问题或关键词")] = None,
    k: Annotated[int, typer.Option("-k", help="返回条数")] = 5,
    edition: Annotated[str | None, typer.Option("--edition", help="只检索某版本，如 2024")] = None,
    batch: Annotated[Path | None, typer.Option("--batch", help="每行一个查询的文本文件")] = None,
    json_output: JsonOpt = False,
) -> None:
    """混合检索条款（BM25 词 + 字二元组 + 向量，加权融合）。"""
    from assistant.service import AssistantService

    if (query is None) == (batch is None):
        raise InputError("请给出一个查询，或用 --batch 指定查询文件（二者选一）")
    queries = [query] if query is not None else _read_lines(batch)  # type: ignore[arg-type]
    with err.status("正在加载索引…"):
        service = AssistantService.from_settings(state.settings)
    results: list[dict[str, Any]] = []
    for q in queries:
        hits = [h.to_dict() for h in service.search(q, k=k, edition=edition)]
        # Fields as in GET /v1/search: no_match, and the message to show when it is true.
        results.append(
            {
                "query": q,
                "hits": hits,
                "no_match": not hits,
                "message": None if hits else service.no_match_message,
            }
        )
    if json_output:
        print_json(results if batch is not None else results[0])
        return
    for result in results:
        if result["hits"]:
            out.print(_hits_table(result["query"], result["hits"]))
        else:
            out.print(f"“{result['query']}”：{result['message']}")


def _read_lines(path: Path) -> list[str]:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取查询文件 {path}：{exc}") from exc
    queries = [line for line in lines if line]
    if not queries:
        raise InputError(f"查询文件 {path} 中没有内容")
    return queries


def _load_profile(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    data = read_json_file(path, "企业画像文件")
    if not isinstance(data, dict):
        raise InputError(f"企业画像文件 {path} 应为 JSON 对象")
    return data


#: The answer's routes (answering/grounded/plan.py) as `--explain` names them.
ROUTE_NAMES = {
    "refuse_fabrication": "拒绝：编造或夸大",
    "refuse_secrets": "拒绝：系统信息",
    "refuse_personal": "拒绝：个人隐私或他人申报材料",
    "refuse_vendor": "拒绝：推荐服务商",
    "out_of_scope": "文件未覆盖",
    "other_round_tier": "本轮不受理的层级",
    "verdict": "规则核验（已知企业情况）",
    "eligibility": "规则核验（申报资格）",
    "documents": "依据文件条款",
}


def _plan_table(plan: dict[str, Any] | None) -> None:
    """`ask --explain`: how the question was read and which route answered it."""
    if not plan:
        err.print("[dim]（大模型回答没有解析步骤）[/dim]")
        return
    table = Table(title="问题解析", show_header=False)
    table.add_row("意图", plan["intent"])
    table.add_row("回答路径", f"{ROUTE_NAMES.get(plan['route'], plan['route'])}（{plan['route']}）")
    parts = "；".join(f"{p['kind']}：{p['text']}" for p in plan["parts"])
    table.add_row("所问", parts or "—")
    table.add_row("层级", plan["tier"] or "—")
    table.add_row("是非问", "是" if plan["yes_no"] else "否")
    table.add_row("企业事实", "；".join(plan["facts"]) or "—")
    table.add_row("文件可能未规定的数值", plan["value_asked"] or "—")
    table.add_row("步骤", " → ".join(plan["steps"]) or "—")
    err.print(table)


def _answer_table(answer: Any) -> None:
    if answer.mode == "llm":
        mode = "大模型"
    elif "llm_fallback" in answer.flags:
        mode = "依据条款直接回答（大模型调用失败，已自动切换）"
    else:
        mode = "依据条款直接回答（未配置大模型）"
    out.print(answer.answer)
    err.print(f"[dim]模式：{mode}｜会话：{answer.session}｜引用 {len(answer.citations)} 条[/dim]")


@app.command()
@friendly_errors
def ask(
    question: Annotated[str | None, typer.Argument(help="要咨询的问题")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="企业画像 JSON 文件")] = None,
    session: Annotated[str | None, typer.Option("--session", help="会话编号（多轮对话）")] = None,
    edition: Annotated[str | None, typer.Option("--edition", help="只依据某版本，如 2024")] = None,
    batch: Annotated[
        Path | None, typer.Option("--batch", help="批量提问：每行一问的文本，或含“问题”列的 CSV/XLSX")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="批量结果写入 answers.xlsx")] = None,
    explain: Annotated[bool, typer.Option("--explain", help="同时显示问题解析与回答路径")] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="按哪一天回答 YYYY-MM-DD，默认今天（截止日期、窗口是否已过）"),
    ] = None,
    json_output: JsonOpt = False,
) -> None:
    """回答申报问题，附条款出处；给出企业画像时附规则核验结论。"""
    from assistant.interfaces.cli import batch as batch_io
    from assistant.interfaces.cli.check import parse_as_of
    from assistant.service import AssistantService

    day = parse_as_of(as_of) if as_of else None
    if (question is None) == (batch is None):
        raise InputError("请给出一个问题，或用 --batch 指定问题文件（二者选一）")
    given_profile = _load_profile(profile)
    with err.status("正在加载索引…"):
        service = AssistantService.from_settings(state.settings)
    if question is not None:
        answer = service.ask(question, session=session, profile=given_profile, edition=edition, as_of=day)
        if json_output:
            print_json(answer.model_dump(mode="json"))
        else:
            _answer_table(answer)
            if explain:
                _plan_table(answer.plan)
        return
    questions = batch_io.read_questions(batch)  # type: ignore[arg-type]
    answers = batch_io.answer_all(service, questions, given_profile, edition, err, as_of=day)
    if out_file is not None:
        batch_io.write_xlsx(out_file, questions, answers)
        err.print(f"已写入 {out_file}（{len(answers)} 条）")
    if json_output:
        print_json([a.model_dump(mode="json") for a in answers])
    elif out_file is None:
        for q, a in zip(questions, answers, strict=True):
            out.rule(q)
            _answer_table(a)


EVALS = ("retrieval", "checker", "answers", "extraction", "guards", "review", "conversations")
#: Reported only, never a gate, so `all` leaves them out: run them by name.
EXTRA_EVALS = ("answers_heldout", "fresh")


@app.command("eval")
@friendly_errors
def eval_command(
    which: Annotated[
        str,
        typer.Argument(
            help="retrieval | checker | answers | extraction | guards | review | conversations | answers_heldout | fresh | all"
        ),
    ] = "all",
    json_output: JsonOpt = False,
) -> None:
    """运行 evals/ 下的评测集并打印得分表；未达标时退出码为 1。"""
    from assistant.evaluation import answers as eval_answers
    from assistant.evaluation import checker as eval_checker
    from assistant.evaluation import conversations as eval_conversations
    from assistant.evaluation import extraction as eval_extraction
    from assistant.evaluation import fresh as eval_fresh
    from assistant.evaluation import guards as eval_guards
    from assistant.evaluation import retrieval as eval_retrieval
    from assistant.evaluation import review as eval_review

    runners = {
        "retrieval": eval_retrieval.run,
        "checker": eval_checker.run,
        "answers": eval_answers.run,
        "extraction": eval_extraction.run,
        "guards": eval_guards.run,
        "review": eval_review.run,
        "conversations": eval_conversations.run,
        "answers_heldout": eval_answers.run_heldout,
        "fresh": eval_fresh.run,
    }
    if which not in (*EVALS, *EXTRA_EVALS, "all"):
        raise InputError(f"未知的评测 {which!r}；可选：{' | '.join((*EVALS, *EXTRA_EVALS, 'all'))}")
    names = EVALS if which == "all" else (which,)
    results = []
    for name in names:
        with err.status(f"正在运行 {name} 评测…"):
            results.append(runners[name](state.settings))
    if json_output:
        print_json(
            [
                {
                    "name": r.name,
                    "metrics": r.metrics,
                    "thresholds": r.thresholds,
                    "passed": r.passed,
                    "report": str(r.report_path),
                }
                for r in results
            ]
        )
    else:
        table = Table(title="评测结果")
        for column in ("评测", "指标", "数值", "门槛", "结果"):
            table.add_column(column)
        for r in results:
            for key, value in r.metrics.items():
                bound = r.thresholds.get(key)
                ok = "" if bound is None else ("通过" if value >= bound else "未达标")
                table.add_row(r.name, key, f"{value:.3f}", "" if bound is None else f"≥ {bound}", ok)
        out.print(table)
        for r in results:
            err.print(f"{r.name} 报告：{r.report_path}")
    if not all(r.passed for r in results):
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    workers: Annotated[int, typer.Option(help="工作进程数")] = 1,
) -> None:
    """启动 API 与网页界面。"""
    import os
    import shutil

    import uvicorn

    if workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker keeps its own counters; a shared, emptied directory lets /metrics sum them.
        metrics_dir = state.settings.data_dir / "prometheus"
        shutil.rmtree(metrics_dir, ignore_errors=True)
        metrics_dir.mkdir(parents=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    if workers > 1 and "OMP_NUM_THREADS" not in os.environ:
        from assistant.knowledge.embedding import openmp_threads_per_worker

        # Read by each worker's embedding engine when it loads (workers inherit the environment).
        os.environ["OMP_NUM_THREADS"] = str(openmp_threads_per_worker(workers))
    # uvicorn's proxy headers are on: X-Forwarded-Proto/-For count when they come from an address
    # in FORWARDED_ALLOW_IPS (default loopback). The web login's Secure cookie and its per-client
    # throttle rely on that behind a TLS proxy (docs/operations.md, "Behind TLS").
    uvicorn.run(
        "assistant.interfaces.api.app:create_app", factory=True, host=host, port=port, workers=workers
    )


cli_check.register(app)
cli_draft.register(app)
cli_db.register(app)
cli_rounds.register(app)
