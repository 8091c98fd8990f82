"""Rows of user text written to XLSX so that a spreadsheet shows them and never runs them.

Questions, answers and draft fields are typed by users: a cell starting with ``=``, ``+``, ``-``
or ``@`` would otherwise be a live formula (formula injection), and a control character such as
NUL makes openpyxl refuse the whole workbook. Every XLSX the project writes (the review queue,
the 附件4 推荐汇总表, the helpdesk batch) appends its rows here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: What a spreadsheet reads as the start of a formula.
FORMULA_LEAD = ("=", "+", "-", "@")
#: Shown in place of a character XLSX cannot hold.
REPLACEMENT = "\ufffd"


def cell_text(value: Any) -> Any:
    """The value with the characters XLSX cannot hold replaced (non-text values as they are)."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value) if isinstance(value, str) else value


def append_row(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row; text that would read as a formula is stored as text (quote-prefixed)."""
    sheet.append([cell_text(v) for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEAD):
            cell.data_type = "s"
            cell.quotePrefix = True
