"""What every tab of the web UI shares: errors shown to users, dates typed by users, and where
generated files go.

Errors: the core's AssistantError messages are Chinese and written for users, so they are shown
as they are; any other exception is logged and replaced by a neutral sentence (``friendly``).

Downloads (drafts, profiles, the review queue's XLSX) are written under one temporary folder
per process, a fresh sub-folder per file set so names never clash between users; anything older
than ``OUTPUT_TTL_SECONDS`` is removed when the next one is written, so they never accumulate.
Gradio copies a returned file into its own cache (pruned by the Blocks' ``delete_cache``), so
the originals are only needed until the response is sent.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import gradio as gr

from assistant.errors import AssistantError
from assistant.interfaces.ui.forms import FormValueError

log = logging.getLogger("assistant.ui")

#: Every UI event is private: the /v1 API is the programmatic surface.
PRIVATE: dict[str, Any] = {"api_visibility": "private"}

#: Generated files older than this are removed when the next one is written.
OUTPUT_TTL_SECONDS = 3600

UNEXPECTED_ERROR = "处理时出现意外错误，请稍后再试；如持续出现，请联系管理员并告知操作步骤。"
ERROR_TITLE = "出错了"

F = TypeVar("F", bound=Callable[..., Any])


def friendly(fn: F) -> F:
    """Turn the core's errors into gr.Error popups in Chinese; never show a traceback.

    AssistantError messages are written for users already; anything else is logged with its
    traceback and replaced by a neutral sentence, because an exception text is not for users.
    """

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            raise gr.Error(message, title=ERROR_TITLE, print_exception=False) from None
        except Exception:
            log.exception("UI handler %s failed", fn.__name__)
            raise gr.Error(UNEXPECTED_ERROR, title=ERROR_TITLE, print_exception=False) from None

    return wrapper  # type: ignore[return-value]


def safe_name(text: str, fallback: str) -> str:
    """A file-name-safe rendering of a user's text (a project or enterprise name)."""
    name = re.sub(r'[\\/:*?"<>|\s]+', "_", text or "").strip("._")
    return name[:40] or fallback


def parse_date(text: str | None, label: str) -> dt.date | None:
    """A date typed by the user (评估日期, 起始日期, …): empty is None; anything but YYYY-MM-DD
    is a FormValueError naming the field (``friendly`` shows it as it is)."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FormValueError(f"{label}应为“年-月-日”格式，例如 2024-11-01，收到“{text}”") from None


def parse_as_of(text: str | None, today: dt.date) -> dt.date:
    """The 评估日期 field: empty is ``today``."""
    return parse_date(text, "评估日期") or today


class Outputs:
    """One temporary folder per process for generated downloads, pruned as it is used."""

    def __init__(self, ttl_seconds: float = OUTPUT_TTL_SECONDS) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="assistant-ui-"))
        self.ttl_seconds = ttl_seconds
        # Gone when the process ends (or this object does): downloads never outlive the server.
        self._remove = weakref.finalize(self, shutil.rmtree, self.root, ignore_errors=True)

    def fresh(self) -> Path:
        """A new, empty folder for one file set; old ones are pruned on the way."""
        now = time.time()
        for old in self.root.iterdir():
            try:
                if now - old.stat().st_mtime > self.ttl_seconds:
                    shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
            except OSError:
                pass
        return Path(tempfile.mkdtemp(dir=self.root))


def local_time(text: str | None, zone: str) -> str:
    """A time from the service (ISO 8601 with its offset, as the API gives it) as the page shows
    it: ``2026-12-08 06:28`` in ``zone`` (settings.timezone), not the server's UTC. Anything that
    is not such a time is shown as it is."""
    if not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
