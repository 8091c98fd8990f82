"""assistant.xlsx: user text in a workbook is shown, never run, and never breaks the file."""

from __future__ import annotations

import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from assistant.xlsx import FORMULA_LEAD, append_row


def _round_trip(values: list[object]) -> list[object]:
    book = Workbook()
    append_row(book.active, values)
    out = io.BytesIO()
    book.save(out)
    return [c for c in next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())]


def test_formula_leads_are_stored_as_text_and_numbers_stay_numbers() -> None:
    cells = _round_trip(["=1+1", "+86 10", "-20℃", "@SUM(A1)", 42, "普通文字"])
    assert [c.value for c in cells] == ["=1+1", "+86 10", "-20℃", "@SUM(A1)", 42, "普通文字"]
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:4])
    assert cells[4].data_type == "n" and not cells[5].quotePrefix


@given(st.text(max_size=40))
def test_any_text_can_be_written_and_read_back(text: str) -> None:
    (cell,) = _round_trip([text])
    value = cell.value or ""
    assert len(value) == len(text) or text.strip() == ""  # replaced one for one, never dropped
    if text.startswith(FORMULA_LEAD):
        assert cell.data_type == "s"
