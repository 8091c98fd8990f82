"""The drafting form keeps an empty figure empty and a zero as zero: the investment text box and
the KPI table (interfaces/ui/forms.py)."""

from __future__ import annotations

import json

from assistant.config import REPO_ROOT
from assistant.interfaces.ui.forms import draft_form_from_spec, draft_spec_from_form, kpi_rows

EXAMPLE = json.loads((REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))


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
