"""The evidence helpers grounded answers quote from (answering/grounded/evidence.py)."""

from __future__ import annotations

from assistant.answering.grounded.evidence import number_range


def test_a_single_number_is_not_a_range() -> None:
    assert number_range(["20"]) == "20"
    assert number_range(["1", "2", "6"]) == "1–6"
