"""The one facade that the API, the web UI, the CLI and the evals call (`AssistantService`), and
what it takes and returns. The package splits it by job so each module stays readable:

- facade: AssistantService — lookups, asking (grounded or LLM, with fallback), re-indexing;
- desk: DraftingDesk — drafting, export and review, which need no index (the CLI builds only it;
  the service holds one as ``service.drafting``);
- answers: the Answer an ask returns and its parts, and the wording shared by every edge;
- turns: what one question brings (stored, given and stated facts merged into a Turn);
- follow: CorpusFollower — keeps each worker's index on the corpus generation in the store.

Callers import from here (`from assistant.service import AssistantService`), not the modules; the
store's upkeep (`schema_revisions`, `upgrade_schema`, `purge_old_records`: upkeep.py) is offered
here too, so the CLI reaches the database through the service package only.
"""

from __future__ import annotations

from assistant.service.answers import (
    FALLBACK_NOTE,
    FALLBACK_NOTICE,
    MAX_QUESTION_CHARS,
    Answer,
    Citation,
    UnderstoodFact,
)
from assistant.service.desk import REVIEW_SUFFIXES, DraftingDesk, make_llm, safe_filename
from assistant.service.facade import AssistantService
from assistant.service.follow import CorpusFollower
from assistant.service.turns import UNSAVED, Turn
from assistant.service.upkeep import purge_old_records, schema_revisions, upgrade_schema

__all__ = [
    "FALLBACK_NOTE",
    "FALLBACK_NOTICE",
    "MAX_QUESTION_CHARS",
    "REVIEW_SUFFIXES",
    "UNSAVED",
    "Answer",
    "AssistantService",
    "Citation",
    "CorpusFollower",
    "DraftingDesk",
    "Turn",
    "UnderstoodFact",
    "make_llm",
    "purge_old_records",
    "safe_filename",
    "schema_revisions",
    "upgrade_schema",
]
