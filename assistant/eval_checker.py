"""Checker eval: placeholder until the checker lands (issue 4)."""

from assistant.config import Settings
from assistant.eval_common import EvalResult


def run(settings: Settings) -> EvalResult:
    raise NotImplementedError("checker eval lands with issue 4")
