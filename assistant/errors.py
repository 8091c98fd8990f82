"""Errors raised by the assistant's core, each with the HTTP status it maps to at the edge.

The hierarchy (status in brackets)::

    AssistantError [500]        any failure the user can be told about in Chinese
     ├── InputError [422]       the caller sent something we cannot use: fix the request
     │    ├── CorpusError       an uploaded or ingested file cannot be read or is malformed
     │    ├── RetrievalError    a search request is invalid (empty query, bad k)
     │    │    └── QuestionError    a question is empty or too long (wire code retrieval_error)
     │    ├── ProfileError      an enterprise profile does not validate
     │    ├── DraftSpecError    a drafting spec does not validate
     │    ├── DraftFileError    a draft to review cannot be read
     │    ├── UnknownEditionError   an edition we do not hold was named
     │    ├── UnsupportedFileError [415]  a file of a type we do not read
     │    ├── ExportError       a document cannot be written as asked (too many rows, bad suffix)
     │    └── FileTooLargeError [413]     an upload over the configured size limit
     ├── ServerDataError [500]  the server's own files are broken: the operator fixes them
     │    ├── CorpusInvalidError    corpus_invalid: a corpus document or data file is malformed
     │    │    └── CorpusUndoError  a failed corpus change could not be put back: look at the folder
     │    └── RulesInvalidError     rules_invalid: a rules file is missing or does not validate
     ├── NotFoundError [404]    a named thing (clause, answer) does not exist
     ├── ConflictError [409]    the thing to create exists already (a document id)
     │    └── CorpusBusyError   corpus_busy: another operator's corpus change holds the lock
     ├── CorpusChangeError [503]  corpus_change_failed: a corpus change failed and was undone
     │    └── StorageFullError [507]  storage_full: the disk filled up; the change was undone
     ├── IndexBuildError [503]  the dense or sparse index could not be built or opened
     ├── StoreUnavailableError [503]  the session database cannot be reached
     │    └── StoreSchemaError        its schema is behind the code: run `assistant db upgrade`
     └── LLMError [503]         the configured LLM endpoint failed or timed out

Verdicts are data (CheckReport), never exceptions. Every message is Chinese and repeats the bad
value and, where there is a fixed set, the allowed ones. Edges convert these into their own error
shapes using ``status_code`` (API) or exit code 2 (CLI); the core imports none of them.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: a failure with a Chinese message fit to show a user.

    A subclass declares what sets it apart in its class line, ``code`` (the machine-readable
    name the API returns) and ``status_code`` when it differs from its parent's, so the whole
    tree reads as the table in this module's docstring.
    """

    code = "assistant_error"
    status_code = 500

    def __init_subclass__(cls, *, code: str | None = None, status_code: int | None = None) -> None:
        super().__init_subclass__()
        if code is not None:
            cls.code = code
        if status_code is not None:
            cls.status_code = status_code

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(AssistantError, code="invalid_request", status_code=422):
    """The request cannot be used as given; the message says what to change."""


class CorpusError(InputError, code="corpus_error"):
    """An uploaded or ingested file cannot be read, or the document it makes is malformed."""


class RetrievalError(InputError, code="retrieval_error"):
    """A search request is invalid."""


class QuestionError(RetrievalError):
    """A question is empty or too long. Its wire code stays ``retrieval_error``: clients rely on it."""


class ProfileError(InputError, code="profile_error"):
    """An enterprise profile does not validate."""


class ServerDataError(AssistantError, code="server_data_invalid", status_code=500):
    """The server's own files are broken: no request can fix it, the operator must."""


class CorpusInvalidError(ServerDataError, code="corpus_invalid"):
    """A document of the server's corpus, or one of its data files, is malformed or missing."""


class CorpusUndoError(CorpusInvalidError):
    """A corpus change failed and putting its files back failed too (a rename refused): the
    corpus folder may be half-changed, and the message says where to look. No change-log row."""


class RulesInvalidError(ServerDataError, code="rules_invalid"):
    """A rules file is missing, unreadable or does not validate."""


class RoundRejectedError(InputError, code="round_invalid"):
    """An uploaded rules file that does not load or does not trace to its round's documents:
    refused, and nothing changed."""


class DraftSpecError(InputError, code="draft_spec_error"):
    """The drafting input does not validate; the message names every field at fault."""


class DraftFileError(InputError, code="draft_file_error"):
    """A draft to review could not be read (wrong type, corrupt, empty)."""


class UnknownEditionError(InputError, code="unknown_edition"):
    """An edition (round) was named that no document, rules file or catalog holds."""


class UnsupportedFileError(InputError, code="unsupported_file_type", status_code=415):
    """A file of a type this operation does not read."""


class FileTooLargeError(InputError, code="file_too_large", status_code=413):
    """An uploaded file is over the configured size limit."""


class ConflictError(AssistantError, code="conflict", status_code=409):
    """What the request would create exists already (e.g. a document id in the corpus)."""


class CorpusBusyError(ConflictError, code="corpus_busy"):
    """Another corpus change (upload, replacement, retirement, re-index) holds the corpus lock,
    on this worker or another host, and did not finish within the wait: nothing was changed."""


class CorpusChangeError(AssistantError, code="corpus_change_failed", status_code=503):
    """A corpus change failed after its checks (the index could not be built, the change log
    could not be written) and was undone: the corpus, the change log and the index are as
    they were, and the message says so."""


class StorageFullError(CorpusChangeError, code="storage_full", status_code=507):
    """The disk filled up during a corpus change, which was undone. 507 (Insufficient Storage),
    not 503: retrying cannot help until someone frees space, and an alert can tell the two apart."""


class NotFoundError(AssistantError, code="not_found", status_code=404):
    """A named thing (a clause, an answer) does not exist."""


class IndexBuildError(AssistantError, code="index_error", status_code=503):
    """The dense or sparse index could not be built or opened."""


class StoreUnavailableError(AssistantError, code="store_unavailable", status_code=503):
    """The session/feedback database cannot be reached (sessionless questions still work)."""


class StoreSchemaError(StoreUnavailableError, code="store_schema_behind"):
    """The database schema is older than the code; the message names the command to run."""


class LLMError(AssistantError, code="llm_error", status_code=503):
    """The LLM endpoint failed or timed out."""


class ExportError(InputError, code="export_error"):
    """A file cannot be written as asked (too many rows, unsupported suffix)."""
