"""Issue #19's web-UI defects that need no browser: investment range, wording, review messages,
the chat's judging date, and empty-versus-zero in the drafting form."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.answering.grounded.answerer import _number_range
from assistant.config import REPO_ROOT
from assistant.drafting import build_draft, parse_spec, read_blocks
from assistant.drafting.wording import cn_quantity
from assistant.errors import DraftFileError, DraftSpecError
from assistant.interfaces.ui.format import answer_html
from assistant.interfaces.ui.forms import draft_form_from_spec, draft_spec_from_form, kpi_rows

EXAMPLE = json.loads((REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", [-1, -0.5, 2e8, float("nan")])
def test_investment_out_of_range_is_refused_in_chinese(bad: float) -> None:
    with pytest.raises(DraftSpecError, match="总投资"):
        parse_spec({**EXAMPLE, "investment": bad})


def test_investment_zero_is_a_value_and_empty_is_a_placeholder() -> None:
    zero = build_draft(parse_spec({**EXAMPLE, "investment": 0})).text()
    assert "总投资0万元" in zero
    spec = {k: v for k, v in EXAMPLE.items() if k != "investment"}
    empty = build_draft(parse_spec(spec)).text()
    assert "总投资【待补充" in empty and "总投资0万元" not in empty


def test_the_form_keeps_empty_investment_empty_and_zero_as_zero() -> None:
    spec = {k: v for k, v in EXAMPLE.items() if k != "investment"}
    fields, instances, figures = draft_form_from_spec(spec)
    assert fields["investment"] == ""  # an empty text box, not None shown as 0
    assert "investment" not in draft_spec_from_form(fields, instances, figures)
    assert draft_spec_from_form({**fields, "investment": "0"}, instances, figures)["investment"] == 0


def test_kpi_table_is_empty_by_default_and_shows_a_zero_figure() -> None:
    catalog = [(1, "关键设备数控化率", "%"), (2, "生产效率提升", "%")]
    rows = kpi_rows(catalog)
    assert all(cell == "" for row in rows for cell in row[3:])
    rows = kpi_rows(catalog, [{"name": "关键设备数控化率", "before": 0.0, "after": 35}])
    assert rows[0][3:5] == ["0", "35"]


def test_counts_read_two_not_er() -> None:
    assert cn_quantity(2) == "两" and cn_quantity(3) == "三" and cn_quantity(12) == "十二"


def test_a_single_number_is_not_a_range() -> None:
    assert _number_range(["20"]) == "20"
    assert _number_range(["1", "2", "6"]) == "1–6"


def test_a_corrupt_docx_gets_a_chinese_message_without_a_path(tmp_path: Path) -> None:
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"this is not a docx file!!")
    with pytest.raises(DraftFileError) as caught:
        read_blocks(junk)
    message = caught.value.message
    assert "junk.docx" in message and str(tmp_path) not in message and "Package" not in message


def test_the_answer_says_which_date_it_judges_by() -> None:
    html = answer_html({"answer": "可以。", "mode": "grounded"}, as_of="2024-11-15")
    assert "判断日期：2024-11-15" in html
