"""Days as the console shows and filters them: local time, inclusive day ranges."""

from __future__ import annotations

import datetime as dt

from assistant.errors import InputError


def iso(timestamp: float) -> str:
    """A stored timestamp as local ISO time, to the second."""
    return dt.datetime.fromtimestamp(timestamp).astimezone().isoformat(timespec="seconds")


def day_bounds(since: dt.date | None, until: dt.date | None) -> tuple[float | None, float | None]:
    """[since 00:00, the day after until 00:00) in local time, as timestamps; a range that
    ends before it starts is the caller's mistake, said in Chinese."""
    if since and until and since > until:
        raise InputError(f"起始日期 {since} 晚于截止日期 {until}")

    return (_start(since) if since else None, _start(until, days_after=1) if until else None)


def _start(day: dt.date, days_after: int = 0) -> float | None:
    """Local midnight of `day` (plus `days_after`) as a timestamp; None — no bound — for a day
    the clock cannot hold (0001-01-01 lies before any answer, 9999-12-31 after)."""
    try:
        return dt.datetime.combine(day + dt.timedelta(days=days_after), dt.time()).timestamp()
    except (ValueError, OverflowError, OSError):
        return None
