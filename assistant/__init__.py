"""智能工厂申报助手: clause-cited answers, a deterministic tier checker and drafting help.

The public API is the service facade and what it takes and returns; everything else is reached
through it. Names load lazily, so ``import assistant.config`` does not pull in the LLM stack.

    from assistant import AssistantService, Settings
    service = AssistantService.from_settings(Settings())
    service.ask("卓越级的申报截止时间？").answer
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name → module that defines it
_EXPORTS: dict[str, str] = {
    "AssistantService": "assistant.service",
    "Answer": "assistant.service",
    "Citation": "assistant.service",
    "Settings": "assistant.config",
    "AssistantError": "assistant.errors",
    "InputError": "assistant.errors",
    "NotFoundError": "assistant.errors",
    "CorpusError": "assistant.errors",
    "IndexBuildError": "assistant.errors",
    "RetrievalError": "assistant.errors",
    "LLMError": "assistant.errors",
    "ProfileError": "assistant.errors",
    "UnknownEditionError": "assistant.errors",
    "CheckReport": "assistant.rules",
    "EnterpriseProfile": "assistant.rules",
    "Hit": "assistant.knowledge.retrieval",
    "DraftSpec": "assistant.drafting",
    "Draft": "assistant.drafting",
    "ReviewReport": "assistant.drafting",
    "TIERS": "assistant.vocabulary",
    "LINKS": "assistant.vocabulary",
}

__all__ = [
    "LINKS",
    "TIERS",
    "Answer",
    "AssistantError",
    "AssistantService",
    "CheckReport",
    "Citation",
    "CorpusError",
    "Draft",
    "DraftSpec",
    "EnterpriseProfile",
    "Hit",
    "IndexBuildError",
    "InputError",
    "LLMError",
    "NotFoundError",
    "ProfileError",
    "RetrievalError",
    "ReviewReport",
    "Settings",
    "UnknownEditionError",
    "__version__",
]

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.drafting import Draft, DraftSpec, ReviewReport
    from assistant.errors import (
        AssistantError,
        CorpusError,
        IndexBuildError,
        InputError,
        LLMError,
        NotFoundError,
        ProfileError,
        RetrievalError,
        UnknownEditionError,
    )
    from assistant.knowledge.retrieval import Hit
    from assistant.rules import CheckReport, EnterpriseProfile
    from assistant.service import Answer, AssistantService, Citation
    from assistant.vocabulary import LINKS, TIERS


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(__all__)
