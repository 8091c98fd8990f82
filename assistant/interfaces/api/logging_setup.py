"""Structured JSON logs, one object per line, each carrying the id of the request it belongs to.

Why JSON: several workers write to one stream and operators search by request id (the id a user
reads off an error message, or the portal logs from the `X-Request-ID` header). The id lives in
a context variable, so it follows a request into `asyncio.to_thread` and threadpool work and
every log line of that request carries it without being passed around.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from typing import Any

#: The id of the request being served in this context ("" outside a request).
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

#: Attributes every LogRecord has; anything else was passed with `extra=` and is logged as a field.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id (kept if a caller set one explicitly)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", "request_id", "pid", ...extra}`; Chinese stays readable."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
            "pid": record.process,  # which worker, when several share the stream
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            # Server-side only: responses never carry a traceback, the log keeps it for operators.
            entry["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is at the time (test runners swap it per test)."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(level: str = "INFO", *, json_format: bool = True) -> None:
    """Send the assistant's and uvicorn's logs to stderr as JSON lines (idempotent).

    Only our loggers and uvicorn's get a handler, not the root logger, so tests and embedding
    applications keep their own logging. Calling it again replaces the handler, never adds one. uvicorn's access log is silenced because the API writes
    its own access line per request (with the request id, route and duration).
    """
    handler = _StderrHandler()
    handler.addFilter(RequestIdFilter())
    if json_format:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")
        )
    assistant = logging.getLogger("assistant")
    assistant.handlers = [handler]
    assistant.setLevel(level.upper())
    # Left propagating: the root logger has no handler under uvicorn, and test log capture
    # (which listens on the root) keeps working.
    uvicorn = logging.getLogger("uvicorn")  # uvicorn.error propagates here
    uvicorn.handlers = [handler]
    uvicorn.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers = []
    access.propagate = False
    access.disabled = True
