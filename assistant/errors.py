"""Errors raised by the assistant's core.

The hierarchy::

    AssistantError          any failure the user can be told about in Chinese
     ├── CorpusError        a corpus file is malformed, or an ingested file cannot be read
     ├── IndexBuildError    the dense or sparse index could not be built or opened
     ├── RetrievalError     a search request is invalid (empty query, bad k, unknown edition)
     ├── LLMError           the configured LLM endpoint failed or timed out
     └── ProfileError       an enterprise profile or rules file does not validate

Verdicts are data (CheckReport), never exceptions. Every message is Chinese and repeats the bad
value and, where there is a fixed set, the allowed ones. Edges (CLI, API, UI) convert these into
their own error shapes; the core imports none of them.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a failure with a Chinese message fit to show a user."""

    code = "assistant_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CorpusError(AssistantError):
    """A corpus document is malformed or an ingested file cannot be read."""

    code = "corpus_error"


class IndexBuildError(AssistantError):
    """The dense or sparse index could not be built or opened."""

    code = "index_error"


class RetrievalError(AssistantError):
    """A search request is invalid."""

    code = "retrieval_error"


class LLMError(AssistantError):
    """The LLM endpoint failed or timed out."""

    code = "llm_error"


class ProfileError(AssistantError):
    """An enterprise profile or a rules file does not validate."""

    code = "profile_error"
