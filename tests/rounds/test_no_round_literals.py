"""Rounds are data: no string in the core code names a year or a clause id (DESIGN.md, issue
"rounds as data"). The only exceptions are examples in help texts, listed here one by one: a new
literal fails this test until it moves to a rules file, a manifest or a document's front matter.

Docstrings and comments are not counted: they explain with examples. evaluation/ is not core (it
reads gold sets) and interfaces/ only translate (their OpenAPI examples and option help are
examples by nature)."""

from __future__ import annotations

import ast
import re

from assistant.config import REPO_ROOT

CORE = REPO_ROOT / "assistant"
NOT_CORE = {"evaluation", "interfaces"}
#: A year a round could have (not "Word 2007+").
YEAR = re.compile(r"(?<!\d)20[1-9]\d(?!\d)")
CLAUSE_ID = re.compile(r"\b[a-z][a-z0-9]*#\S")
#: (file, the start of the string): each an example in a help text, not a value the code uses.
HELP_TEXT_EXAMPLES = {
    ("answering/llm/agent.py", "检索申报文件条款。query: 中文问题或关键词；edition: 可选，版本年份如2024"),
    ("answering/llm/agent.py", "按编号查看一条条款原文，如 notice#"),
    ("console/documents.py", "请填写文件所属的申报批次（版本，如 2025）"),
    ("knowledge/ingest.py", "edition（版本，如 2025）不能为空"),
    ("knowledge/ingest.py", "edition（申报批次）应为四位年份，如 2025"),
    ("service/answers.py", "notice#二.(一).1"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def round_literals() -> list[tuple[str, int, str]]:
    """(file, line, string) of every string constant in the core that names a year or a clause."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE)
        if relative.parts[0] in NOT_CORE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in skip:
                continue
            if YEAR.search(node.value) or CLAUSE_ID.search(node.value):
                found.append((relative.as_posix(), node.lineno, node.value))
    return found


def test_the_core_names_no_year_and_no_clause_id_outside_help_text_examples() -> None:
    unexplained = [
        f"{file}:{line}: {text[:60]!r}"
        for file, line, text in round_literals()
        if not any(file == where and text.startswith(start) for where, start in HELP_TEXT_EXAMPLES)
    ]
    assert unexplained == [], (
        "round values belong in corpus/rules/<year>.yaml or the documents:\n" + "\n".join(unexplained)
    )


def test_every_listed_example_is_still_there() -> None:
    """An exception that is gone is taken off the list, so the list stays the truth."""
    present = {(file, text) for file, _, text in round_literals()}
    stale = [
        example
        for example in HELP_TEXT_EXAMPLES
        if not any(file == example[0] and text.startswith(example[1]) for file, text in present)
    ]
    assert stale == []
