"""Which failures mean "the disk is full", wherever they were raised.

A full data disk shows up differently at each layer a corpus change touches: an OSError with
ENOSPC (or EDQUOT, a quota) from a file write or fsync, SQLITE_FULL from the SQLite file,
SQLSTATE 53100 (disk_full) from Postgres, each possibly wrapped by SQLAlchemy (``orig``) or
re-raised as one of our own errors (``__cause__``). The console answers all of them the same
way (507, nothing changed), so one function reads them all. Duck-typed: no driver is imported."""

from __future__ import annotations

import errno

#: errno values of a full file system or an exhausted quota.
FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
SQLITE_FULL = 13
POSTGRES_DISK_FULL = "53100"


def disk_full(exc: BaseException | None) -> bool:
    """Whether `exc`, or anything it was raised from or wraps, says a disk is full."""
    pending: list[BaseException] = [exc] if exc is not None else []
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in FULL_ERRNOS:
            return True
        if getattr(current, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if getattr(current, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        for linked in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(linked, BaseException):
                pending.append(linked)
    return False
