"""The corpus's documents as operators manage them: list, preview, upload, replace, retire,
re-index, every change recorded in the store's change log.

A retired document moves to ``corpus/retired/<doc_id>.md`` with ``status: retired``: the corpus
loader reads only ``corpus/*.md``, so its clauses leave retrieval, while the file (and its
history in the store) stays. Every upload is first ingested into a scratch copy of the corpus:
the preview shows those clauses, and a file that fails there never touches corpus/. Each change
runs as one transaction (console/change.py): one at a time over every worker and host, the new
index built before anything is replaced, and a failure leaving the corpus, the change log and
the index as they were.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.console.change import Change, CorpusTransaction
from assistant.console.edits import FileEdits
from assistant.console.integrity import check_still_serves
from assistant.console.periods import iso
from assistant.errors import (
    ConflictError,
    CorpusError,
    FileTooLargeError,
    InputError,
    NotFoundError,
    UnsupportedFileError,
)
from assistant.filelimits import ReadLimits
from assistant.knowledge.corpus import Document, load_corpus, read_document
from assistant.knowledge.ingest import SUPPORTED_SUFFIXES, ingest_file
from assistant.knowledge.regions import province_of
from assistant.store import ChangeLog

RETIRED_DIR = "retired"
RETIRED_STATUS = "retired"

_MAGIC = {".pdf": (b"%PDF-",), ".docx": (b"PK\x03\x04",)}
_FRONT_STATUS = re.compile(r"^status:.*$", re.MULTILINE)


@dataclass(frozen=True)
class Upload:
    """A document an operator sends: the file and how to file it."""

    filename: str
    data: bytes
    doc_id: str
    edition: str | None = None
    region: str | None = None
    status: str | None = None
    title: str | None = None


class Documents:
    """The corpus folder's documents, in use and retired, and the changes operators make to it.

    Every change is recorded in the change log, which moves the store's corpus generation on
    as it commits: the other workers and hosts sharing the store notice it within seconds and
    reload theirs (the service's CorpusFollower)."""

    def __init__(self, settings: Settings, changes: ChangeLog, transaction: CorpusTransaction) -> None:
        self.settings = settings
        self.change_log = changes
        self._transaction = transaction

    @property
    def corpus_dir(self) -> Path:
        return self.settings.corpus_dir

    @property
    def retired_dir(self) -> Path:
        return self.corpus_dir / RETIRED_DIR

    # -- documents ------------------------------------------------------------------------------

    def _active(self) -> dict[str, Document]:
        return {d.doc_id: d for d in load_corpus(self.corpus_dir).documents}

    def _retired(self) -> dict[str, Document]:
        if not self.retired_dir.is_dir():
            return {}
        found = {}
        for path in sorted(self.retired_dir.glob("*.md")):
            document = read_document(path)
            found[document.doc_id] = document
        return found

    def all(self) -> list[dict[str, Any]]:
        """Every document, in use or retired: id, title, round, region, status, clause count,
        and when and by whom it was added (the shipped corpus: its file's time, 随附语料)."""
        added: dict[str, dict[str, Any]] = {}
        for change in reversed(self.change_log.recent(limit=10_000)):  # oldest first: the latest wins
            if change["action"] in ("upload", "replace"):
                added[change["doc_id"]] = change
        rows = []
        for active, documents in ((True, self._active()), (False, self._retired())):
            for document in documents.values():
                change = added.get(document.doc_id)
                mtime = document.path.stat().st_mtime if document.path else 0.0
                rows.append(
                    {
                        "doc_id": document.doc_id,
                        "title": document.title,
                        "edition": document.edition,
                        "region": document.region,
                        "status": document.status,
                        "in_use": active,
                        "clauses": len(document.clauses),
                        "added": iso(change["created"] if change else mtime),
                        "added_by": change["who"] if change else "随附语料",
                    }
                )
        return rows

    def get(self, doc_id: str) -> dict[str, Any]:
        """One document with its clauses."""
        document = self._active().get(doc_id) or self._retired().get(doc_id)
        if document is None:
            raise NotFoundError(f"没有编号为 {doc_id} 的文件")
        return self._described(document, in_use=doc_id in self._active())

    @staticmethod
    def _described(document: Document, *, in_use: bool) -> dict[str, Any]:
        return {
            "doc_id": document.doc_id,
            "title": document.title,
            "edition": document.edition,
            "region": document.region,
            "status": document.status,
            "in_use": in_use,
            "clauses": [
                {"clause_id": c.clause_id, "heading": c.heading, "text": c.text} for c in document.clauses
            ],
        }

    def _check_upload(self, upload: Upload) -> str:
        """Size and type first, so a bad file is refused before anything is read."""
        limit = self.settings.max_upload_bytes
        if len(upload.data) > limit:
            raise FileTooLargeError(
                f"文件过大（{len(upload.data) / 1_048_576:.1f} MB），上限为 {limit / 1_048_576:.1f} MB，文件库未改动"
            )
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            raise UnsupportedFileError(
                f"{Path(upload.filename).name or '上传的文件'}：不是可导入的文件类型，仅支持 PDF、DOCX、MD、TXT"
                "（.doc、.wps 请先另存为 .docx），文件库未改动"
            )
        if not upload.data.strip():
            raise CorpusError("上传的文件是空的，文件库未改动")
        magic = _MAGIC.get(suffix)
        if magic and not upload.data.startswith(magic):
            kind = "PDF" if suffix == ".pdf" else "Word（.docx）"
            raise CorpusError(
                f"{Path(upload.filename).name}：不是有效的 {kind} 文件（内容与扩展名不符），文件库未改动"
            )
        return suffix

    def _staged(self, upload: Upload, *, replace: bool, work: Path) -> tuple[Path, dict[str, Any]]:
        """Ingest into a scratch copy of the corpus; return the source file and the arguments."""
        suffix = self._check_upload(upload)
        active, retired = self._active(), self._retired()
        if replace:
            existing = active.get(upload.doc_id)
            if existing is None:
                raise NotFoundError(f"没有正在使用的编号为 {upload.doc_id} 的文件，无法替换")
        else:
            existing = None
            if upload.doc_id in active:
                raise ConflictError(
                    f"文件编号 {upload.doc_id} 已被《{active[upload.doc_id].title}》使用：请换一个编号，或使用“替换”"
                )
            if upload.doc_id in retired:
                raise ConflictError(
                    f"文件编号 {upload.doc_id} 曾用于已停用的《{retired[upload.doc_id].title}》，请换一个编号"
                )
        edition = upload.edition or (existing.edition if existing else None)
        if not edition:
            raise InputError("请填写文件所属的申报批次（版本，如 2025）")
        arguments: dict[str, Any] = {
            "doc_id": upload.doc_id,
            "edition": edition,
            "title": upload.title or (existing.title if existing else None),
            "status": upload.status or (existing.status if existing else "official"),
            "region": upload.region if upload.region is not None else (existing.region if existing else None),
            "source": f"uploaded:{Path(upload.filename).name}",
            "replace": replace,
            "limits": ReadLimits.from_settings(self.settings),
        }
        if arguments["status"] == RETIRED_STATUS:
            raise InputError("状态不能直接设为 retired：请上传后使用“停用”")
        if arguments["region"]:
            arguments["region"] = province_of(arguments["region"], self.corpus_dir / "data")
        scratch = self._transaction.scratch_corpus(work)
        # Only what a path cannot hold is replaced: the name may become the title (a document
        # without a title line), and "（征求意见稿）" must not come back as "_征求意见稿_".
        stem = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", Path(upload.filename).stem).strip(" .") or "upload"
        source = work / "upload" / (stem[:80] + suffix)
        source.parent.mkdir()
        source.write_bytes(upload.data)
        ingest_file(source, corpus_dir=scratch, **arguments)
        return source, arguments

    def preview(self, upload: Upload, *, replace: bool = False) -> dict[str, Any]:
        """The clauses the file would become; the corpus is not touched."""
        with tempfile.TemporaryDirectory(prefix="assistant-upload-") as work:
            self._staged(upload, replace=replace, work=Path(work))
            document = load_corpus(Path(work) / "corpus").document(upload.doc_id)
            assert document is not None
            return self._described(document, in_use=False) | {"committed": False}

    def upload(self, upload: Upload, who: str, *, replace: bool = False) -> dict[str, Any]:
        """Add (or replace) a document, record the change and re-index, as one transaction."""
        with self._transaction.begin() as work:
            self._staged(upload, replace=replace, work=work)
            scratch = work / "corpus"
            check_still_serves(self.corpus_dir, scratch)
            name = f"{upload.doc_id}.md"
            document = read_document(scratch / name)
            edits = FileEdits(self.corpus_dir)
            edits.write(name, (scratch / name).read_bytes())
            detail = {
                "file": Path(upload.filename).name,
                "title": document.title,
                "edition": document.edition,
                "region": document.region,
                "status": document.status,
                "clauses": len(document.clauses),
            }
            change = Change(upload.doc_id, "replace" if replace else "upload", who, detail)
            index = self._transaction.commit(edits, scratch, change)
        return self._described(document, in_use=True) | {"committed": True, "index": index}

    def retire(self, doc_id: str, who: str, note: str = "") -> dict[str, Any]:
        """Take a document out of use: it moves to corpus/retired/ as `status: retired`."""
        with self._transaction.begin() as work:
            active = self._active()
            document = active.get(doc_id)
            if document is None or document.path is None:
                raise NotFoundError(f"没有正在使用的编号为 {doc_id} 的文件，无法停用")
            if len(active) == 1:
                raise InputError("不能停用最后一份文件：文件库中至少要保留一份正在使用的文件")
            text = document.path.read_text(encoding="utf-8")
            retired_text = _FRONT_STATUS.sub(f"status: {RETIRED_STATUS}", text, count=1)
            scratch = self._transaction.scratch_corpus(work)
            (scratch / document.path.name).unlink()
            check_still_serves(self.corpus_dir, scratch)
            edits = FileEdits(self.corpus_dir)
            edits.write(f"{RETIRED_DIR}/{document.path.name}", retired_text.encode("utf-8"))
            edits.remove(document.path.name)
            change = Change(doc_id, "retire", who, {"title": document.title, "note": note})
            index = self._transaction.commit(edits, scratch, change)
        return {
            "doc_id": doc_id,
            "title": document.title,
            "status": RETIRED_STATUS,
            "in_use": False,
            "index": index,
        }

    def reindex(self, who: str, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Rebuild the index; ``progress(done, total)`` follows the sentences embedded (only
        those of changed clauses are: a rebuild after one upload embeds that document's). The
        change log keeps the new index's figures; the generation moves on, so the other workers
        and hosts re-read the corpus too."""
        with self._transaction.begin():
            return self._transaction.commit(
                FileEdits(self.corpus_dir), None, Change("*", "reindex", who), progress
            )

    def changes(self, doc_id: str | None = None) -> list[dict[str, Any]]:
        return [
            {
                "doc_id": c["doc_id"],
                "action": c["action"],
                "who": c["who"],
                "when": iso(c["created"]),
                "detail": c["detail"],
            }
            for c in self.change_log.recent(doc_id)
        ]
