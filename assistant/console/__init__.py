"""The operator console: what operators do to the library and read from the answer log.

- `documents`: list, preview, upload, replace, retire and re-index the corpus's documents, each
  change one transaction (`change`: lock, stage, build beside, commit or undo; `edits`: the
  files it writes, by renames that can be undone);
- `rounds`: each round's documents and rule values with their clauses and validation; a new
  round's rules file previewed (validation, changes, a sample verdict) and uploaded;
- `reviews`: the answers to review (refused, thumbs-down, LLM fallbacks, corrected verdicts),
  operators' marks and the XLSX export;
- `statistics`: questions per day, refusals, kinds, clauses, latency;
- `operators`: the operator keys (`assistant.keys.KeyRing`), the same ring the API's
  /v1/admin routes check.

`Console` composes them; the service builds one and exposes it as ``service.console``. The
API's /v1/admin routes and the web UI's 运维 tab call it and nothing below it.
"""

from __future__ import annotations

from assistant.config import Settings
from assistant.console.change import CorpusTransaction, Indexer
from assistant.console.documents import Documents, Upload
from assistant.console.review import OUTCOMES, QUEUE_KINDS, ReviewQueue
from assistant.console.rounds import RoundRules
from assistant.console.stats import AnswerStatistics
from assistant.keys import KeyRing
from assistant.store import Store

__all__ = [
    "OUTCOMES",
    "QUEUE_KINDS",
    "AnswerStatistics",
    "Console",
    "CorpusTransaction",
    "Documents",
    "Indexer",
    "ReviewQueue",
    "RoundRules",
    "Upload",
]


class Console:
    """Documents, review queue, statistics and operator keys over one store."""

    def __init__(self, settings: Settings, store: Store, indexer: Indexer) -> None:
        self.operators = KeyRing(settings.operator_keys)
        transaction = CorpusTransaction(settings, store.corpus_lock, store.changes, indexer)
        self.documents = Documents(settings, store.changes, transaction)
        self.rounds = RoundRules(settings, transaction)
        self.reviews = ReviewQueue(store.answers)
        self.statistics = AnswerStatistics(store.answers)

    @property
    def enabled(self) -> bool:
        """Whether any operator key is configured (otherwise the console is off)."""
        return self.operators.enabled

    def is_operator(self, key_id: str) -> bool:
        """Whether `key_id` (a login's) is one of the configured operator keys."""
        return self.operators.holds(key_id)

    def identify(self, presented: str) -> str | None:
        """The operator's id (`key-` + 16 hex digits) for a configured operator key, else None."""
        return self.operators.identify(presented)
