"""Helpdesk batch work: read many questions (TXT, CSV or XLSX with a 问题 column), answer them
with a progress bar on stderr, and write answers beside the questions in an XLSX."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assistant.errors import AssistantError, InputError
from assistant.xlsx import append_row

QUESTION_COLUMN = "问题"


def _from_rows(rows: list[list[Any]], path: Path) -> list[str]:
    if not rows:
        raise InputError(f"文件 {path.name} 是空的")
    header = [str(c or "").strip() for c in rows[0]]
    if QUESTION_COLUMN not in header:
        raise InputError(
            f"文件 {path.name} 的首行没有“{QUESTION_COLUMN}”列；现有列：{'、'.join(h for h in header if h)}"
        )
    index = header.index(QUESTION_COLUMN)
    return [str(row[index]).strip() for row in rows[1:] if len(row) > index and str(row[index] or "").strip()]


def read_questions(path: Path) -> list[str]:
    """Questions from a .txt (one per line), .csv or .xlsx (column 问题); blank ones skipped."""
    if not path.exists():
        raise InputError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            from openpyxl import load_workbook

            sheet = load_workbook(path, read_only=True).active
            questions = _from_rows([list(r) for r in sheet.iter_rows(values_only=True)], path)  # type: ignore[union-attr]
        elif suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as handle:
                questions = _from_rows(list(csv.reader(handle)), path)
        else:
            questions = [
                line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    except AssistantError:
        raise
    except Exception as exc:  # corrupt workbook, bad encoding: say which file and why
        raise InputError(f"无法读取问题文件 {path.name}：{exc}") from exc
    if not questions:
        raise InputError(f"文件 {path.name} 中没有问题")
    return questions


def answer_all(
    service: Any,
    questions: list[str],
    profile: dict[str, Any] | None,
    edition: str | None,
    console: Console,
    as_of: dt.date | None = None,
) -> list[Any]:
    """Answer each question in its own session (on `as_of`, default today); a failing question
    gets its error as the answer."""
    answers = []
    columns = (TextColumn("正在回答"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("answers", total=len(questions))
        for question in questions:
            try:
                answers.append(service.ask(question, profile=profile, edition=edition, as_of=as_of))
            except AssistantError as exc:
                answers.append(_error_answer(exc.message))
            progress.advance(task)
    return answers


def _error_answer(message: str) -> Any:
    from assistant.service import Answer

    return Answer(
        answer=f"（未能回答：{message}）", mode="grounded", citations=[], session="", flags=["error"]
    )


def write_xlsx(path: Path, questions: list[str], answers: list[Any]) -> None:
    """问题 | 回答 | 引用条款 | 核验结论 | 模式, one row per question, in input order."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "答复"  # type: ignore[union-attr]
    sheet.append(["问题", "回答", "引用条款", "核验结论", "模式"])  # type: ignore[union-attr]
    for question, answer in zip(questions, answers, strict=True):
        cites = "\n".join(f"【{c.clause_id}】{c.text}" for c in answer.citations)
        verdict = (answer.verdict or {}).get("summary", "") if answer.verdict else ""
        append_row(sheet, [question, answer.answer, cites, verdict, answer.mode])
    for column, width in zip("ABCDE", (30, 80, 60, 40, 10), strict=True):
        sheet.column_dimensions[column].width = width  # type: ignore[union-attr]
    for row in sheet.iter_rows(min_row=2):  # type: ignore[union-attr]
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:  # type: ignore[index]
        cell.font = Font(bold=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        book.save(path)
    except OSError as exc:
        raise InputError(f"无法写入 {path}：{exc.strerror or exc}") from exc
