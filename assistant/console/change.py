"""A corpus change as one transaction: lock, stage, build beside, commit — or undo all of it.

The steps of every upload, replacement, retirement and re-index, in this order:

1. **lock** (`Store.corpus_lock`): one change at a time over every worker and host, taken
   before the corpus is read, so every check below sees the corpus the change will replace;
2. **stage**: the change made in a scratch copy of the corpus (the upload ingested, the retired
   document taken out) — every check of the operator's input happens here;
3. **build**: the index of the scratch corpus, beside the live one (BM25 in memory; a new Chroma
   collection no stamp names, knowledge/swap.py);
4. **prepare**: the new corpus files written beside their targets and flushed (console/edits.py);
5. **commit**: one store transaction writes the change-log row and moves the generation on;
   inside it, before it commits, the files are renamed into place and the stamp is swapped.
   The transaction's commit is the commit point.
6. **after**: this worker answers from the new index; what was set aside is deleted; old
   collections are collected. None of it can fail the change.

Steps 2–4 are where a change fails (a bad file, a full disk, Chroma or the database away), and
they change nothing. A failure in step 5 undoes it: the renamed files are put back (byte for
byte: the old files were only renamed aside), the stamp is put back, the new collection is
dropped; the row was never committed. Either way the operator is told the library was not
changed: 507 `storage_full` for a full disk wherever it struck, 503 `corpus_change_failed` for the
rest, the operator's own mistakes (4xx) as they are.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.config import Settings
from assistant.console.edits import FileEdits
from assistant.errors import (
    AssistantError,
    CorpusChangeError,
    CorpusUndoError,
    IndexBuildError,
    ServerDataError,
    StorageFullError,
    StoreUnavailableError,
)
from assistant.knowledge.swap import Progress
from assistant.store import ChangeLog, disk_full

if TYPE_CHECKING:
    from assistant.knowledge.index import IndexBuild

log = logging.getLogger("assistant.console")

FULL = (
    "服务器磁盘空间不足，本次修改未能完成，已全部撤销：文件库未改动，也未写入修改记录。请清理数据盘后重试。"
)
FAILED = "本次修改未能完成（{reason}），已全部撤销：文件库未改动，也未写入修改记录。请稍后重试。"
UNDO_FAILED = (
    "本次修改未能完成（{reason}），撤销时又出错（{error}）：文件库可能已部分改动，修改记录未写入。"
    "请检查文件库目录中以 .old 结尾的文件并改回原名。"
)
_REASONS: tuple[tuple[type[Exception], str], ...] = (
    (StoreUnavailableError, "修改记录所在的数据库暂时无法连接或没有响应"),
    (IndexBuildError, "新的检索索引未能建成"),
)


class Indexer(Protocol):
    """What a change needs from the service: an index built beside the live one, and serving
    from it once the change has committed."""

    def build_index(self, corpus_dir: Path | None = None, progress: Progress | None = None) -> IndexBuild: ...

    def install_index(self, build: IndexBuild, generation: int | None) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Change:
    """The change-log row a change writes; `detail` None: the new index's figures (re-index)."""

    doc_id: str
    action: str
    who: str
    detail: dict[str, Any] | None = None


def _reason(exc: BaseException) -> str:
    for kind, reason in _REASONS:
        if isinstance(exc, kind):
            return reason
    return exc.message if isinstance(exc, AssistantError) else f"内部错误：{type(exc).__name__}"


def told(exc: BaseException) -> BaseException:
    """The error a failed change answers with, saying the library was not changed: a full disk
    is StorageFullError (507) wherever it struck; the operator's own mistakes (4xx: a bad file,
    a clash, busy), the server's broken files and an undo that failed stay as they are; the
    rest is CorpusChangeError (503)."""
    if not isinstance(exc, Exception):
        return exc  # KeyboardInterrupt, SystemExit, GeneratorExit
    if disk_full(exc):
        return StorageFullError(FULL)
    if isinstance(exc, AssistantError) and (exc.status_code < 500 or isinstance(exc, ServerDataError)):
        return exc
    if not isinstance(exc, AssistantError):
        log.error("corpus change failed and was undone", exc_info=exc)
    return CorpusChangeError(FAILED.format(reason=_reason(exc)))


class CorpusTransaction:
    """Runs corpus changes by the module's steps; `Documents` says what each change does."""

    def __init__(
        self,
        settings: Settings,
        lock: Callable[[float], AbstractContextManager[None]],
        changes: ChangeLog,
        indexer: Indexer,
    ) -> None:
        self.settings = settings
        self._lock = lock
        self.changes = changes
        self.indexer = indexer
        self._waited = 0.0

    @contextlib.contextmanager
    def begin(self) -> Iterator[Path]:
        """Hold the corpus lock and a scratch folder for one change; whatever fails inside comes
        out as an error that says the library was not changed (`told`)."""
        started = time.perf_counter()
        try:
            with self._lock(self.settings.corpus_lock_wait):
                self._waited = time.perf_counter() - started
                with tempfile.TemporaryDirectory(prefix="assistant-change-") as work:
                    yield Path(work)
        except BaseException as exc:
            error = told(exc)
            if error is exc:
                raise
            raise error from exc

    def scratch_corpus(self, work: Path) -> Path:
        """A copy of the corpus's documents (what the loader reads) under `work`."""
        scratch = work / "corpus"
        scratch.mkdir()
        for path in self.settings.corpus_dir.glob("*.md"):
            shutil.copy2(path, scratch / path.name)
        return scratch

    def commit(
        self, edits: FileEdits, corpus_dir: Path | None, change: Change, progress: Progress | None = None
    ) -> dict[str, Any]:
        """Build the index of `corpus_dir` (None: the live folder), write `edits`, record
        `change` and swap, as one transaction (steps 3–6); the new index's figures."""
        started = time.perf_counter()
        build = self.indexer.build_index(corpus_dir, progress)
        built = time.perf_counter()
        generation, applied = 0, False
        try:
            figures = build.figures()
            detail = figures if change.detail is None else change.detail
            edits.prepare()
            with self.changes.recording(change.doc_id, change.action, change.who, detail) as generation:
                edits.apply()
                build.promote()
                applied = True
        except BaseException as exc:
            if not (applied and self._landed(generation)):
                self._undo(edits, build, exc)
                raise
            log.warning("the change log's commit raised (%s) but landed: the change stands", exc)
        self._after(edits, build, generation)
        log.info(
            "corpus change committed",
            extra={
                "action": change.action,
                "doc_id": change.doc_id,
                "generation": generation,
                "lock_wait_ms": round(self._waited * 1000, 1),
                "build_ms": round((built - started) * 1000, 1),
                "commit_ms": round((time.perf_counter() - built) * 1000, 1),
            },
        )
        return figures

    def commit_files(self, edits: FileEdits, change: Change) -> int:
        """Write `edits` and record `change` as one transaction, with no index to build (a rules
        file is read from disk, not indexed): steps 4–6 only. The generation it moved to."""
        generation, applied = 0, False
        try:
            edits.prepare()
            with self.changes.recording(
                change.doc_id, change.action, change.who, change.detail or {}
            ) as generation:
                edits.apply()
                applied = True
        except BaseException:
            if not (applied and self._landed(generation)):
                edits.undo()
                raise
        edits.finish()
        log.info("corpus files changed", extra={"action": change.action, "doc_id": change.doc_id})
        return generation

    def _landed(self, generation: int) -> bool:
        """After a commit that raised (the connection lost as Postgres committed): whether it
        landed all the same. We hold the lock, so no one else moved the generation."""
        try:
            return self.changes.generation() == generation
        except Exception:
            return False

    @staticmethod
    def _undo(edits: FileEdits, build: IndexBuild, cause: BaseException) -> None:
        build.revert()
        try:
            edits.undo()
        except OSError as exc:
            log.critical("a failed corpus change could not be undone: %s", exc)
            raise CorpusUndoError(UNDO_FAILED.format(reason=_reason(cause), error=exc.strerror)) from cause

    def _after(self, edits: FileEdits, build: IndexBuild, generation: int) -> None:
        """The change has committed: nothing here may fail it (a worker that could not install
        the new index catches up at its next corpus check)."""
        try:
            self.indexer.install_index(build, generation)
        except Exception:
            log.exception("committed corpus change %s not installed here; the next check reloads", generation)
        edits.finish()
        with contextlib.suppress(Exception):
            build.settle()
