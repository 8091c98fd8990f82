"""The CLI's one error path: any AssistantError becomes its Chinese message on stderr and exit 2.

Helpdesk staff run these commands on files enterprises send them, so an input problem is a
sentence they can act on, never a traceback; stdout stays empty (``--json`` promises exactly one
JSON document there, and an error is not one).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import typer

from assistant.errors import AssistantError

#: The exit code of every error the user can fix (bad input, unknown edition, unreadable file).
EXIT_BAD_INPUT = 2

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Run a command; on AssistantError print ``错误：<message>`` to stderr and exit 2."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except AssistantError as exc:
            typer.echo(f"错误：{exc.message}", err=True)
            raise typer.Exit(EXIT_BAD_INPUT) from None

    return wrapper  # type: ignore[return-value]
