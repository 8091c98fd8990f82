"""Day ranges of the console's filters: any date a client can send is a bound or no bound, never
a 500 (schemathesis sent since=0001-01-01: local midnight of year 1 is before the epoch's range
on this clock and `timestamp()` raised)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.console.periods import day_bounds
from assistant.errors import InputError


@given(st.dates(), st.dates())
def test_every_date_pair_gives_bounds_or_a_chinese_input_error(since: dt.date, until: dt.date) -> None:
    try:
        low, high = day_bounds(since, until)
    except InputError as exc:
        assert since > until and "晚于" in exc.message
        return
    if low is not None and high is not None:
        assert low < high


def test_the_extremes_are_open_ends_and_an_ordinary_day_is_a_day() -> None:
    assert day_bounds(dt.date.min, dt.date.max) == (None, None)
    low, high = day_bounds(dt.date(2024, 11, 1), dt.date(2024, 11, 1))
    assert low is not None and high is not None and high - low == pytest.approx(86400, abs=3600)
