"""Turn an operator's PDF/DOCX/MD/TXT file into a corpus document (``corpus/<doc_id>.md``).

Four steps, each in its own module so it can be tested and changed alone:

1. ``formats.extract_text`` reads the file (pypdf, python-docx, or UTF-8/GB18030 text) and
   refuses files that would give an empty or garbled document (a scanned PDF needs OCR first);
2. ``cleanup.clean_text`` undoes what PDF extraction and Word-to-text conversion do to Chinese
   text without changing a single word;
3. ``structure.to_markdown`` writes the corpus conventions of ``corpus.py`` (front matter,
   headings from the printed numbering, one clause per paragraph);
4. ``ingest_file``, here, is the transaction: it checks the result parses, writes it atomically,
   and checks that the whole corpus still loads, undoing the write otherwise: a bad file never
   leaves corpus/ half-changed.

The steps are re-exported here because ``ingest`` is where callers look for the pipeline.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from assistant.errors import AssistantError, CorpusError
from assistant.filelimits import DEFAULT_LIMITS, ReadLimits
from assistant.knowledge.cleanup import clean_text
from assistant.knowledge.corpus import DOC_ID, load_corpus
from assistant.knowledge.formats import SUPPORTED_SUFFIXES, extract_text
from assistant.knowledge.structure import default_title, one_line, to_markdown, with_restarting_numbering

__all__ = ["SUPPORTED_SUFFIXES", "clean_text", "extract_text", "ingest_file", "to_markdown", "write_beside"]


def ingest_file(
    src: Path,
    *,
    doc_id: str,
    edition: str,
    corpus_dir: Path,
    title: str | None = None,
    status: str = "official",
    source: str | None = None,
    replace: bool = False,
    region: str | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Path:
    """Add ``src`` to the corpus as ``corpus_dir/<doc_id>.md`` and return that path.

    Everything that can fail is checked before or right after the single write: the document
    must parse (with ``strict=False``, repeated numbering gets ``-2`` suffixes) before anything
    is written, and the whole corpus must still load afterwards, else the previous state is
    put back. Either way corpus/ holds a loadable corpus, byte for byte the old one on failure.
    ``limits`` bound what reading ``src`` may cost (FileTooLargeError over one).
    """
    src = Path(src)
    corpus_dir = Path(corpus_dir)
    _check_arguments(doc_id, edition, status, title)
    if not corpus_dir.is_dir():
        raise CorpusError(f"找不到语料目录：{corpus_dir}")
    target = corpus_dir / f"{doc_id}.md"
    if target.exists() and not replace:
        raise CorpusError(f"语料中已有 {target.name}（doc_id {doc_id}），如需覆盖请使用 replace（--replace）")
    if target.exists() and not target.is_file():
        raise CorpusError(f"{target} 不是普通文件，无法写入")

    raw = extract_text(src, limits)
    is_markdown = src.suffix.lower() == ".md"
    text = raw if is_markdown else clean_text(raw)
    if not text.strip():
        raise CorpusError(f"{src.name}：清理后没有剩下可用的文字")
    chosen_title = one_line(title) if title and title.strip() else default_title(text, src)
    markdown_text = to_markdown(
        text,
        doc_id=doc_id,
        title=chosen_title,
        edition=str(edition).strip(),
        source=source or f"ingested:{src.name}",
        status=status.strip(),
        markdown=is_markdown,
        region=region,
    )
    try:
        markdown_text = with_restarting_numbering(markdown_text, target)
    except CorpusError as exc:
        raise CorpusError(f"{src.name}：转换后的文档无法切分为条款，语料未改动（{exc.message}）") from exc

    previous = target.read_bytes() if target.exists() else None
    try:
        _atomic_write(target, markdown_text.encode("utf-8"))
    except OSError as exc:
        raise CorpusError(f"无法写入 {target}（{exc.strerror or exc}），语料未改动") from exc
    try:
        corpus = load_corpus(corpus_dir)
        if corpus.document(doc_id) is None:  # pragma: no cover - guarded by the doc_id checks
            raise CorpusError(f"导入后的语料中找不到 {doc_id}")
    except AssistantError as exc:
        _restore(target, previous)
        raise CorpusError(f"写入 {target.name} 后整个语料无法加载，已撤销本次导入：{exc.message}") from exc
    except BaseException:
        _restore(target, previous)
        raise
    return target


#: A round is named by its year.
_EDITION = re.compile(r"20\d\d")
#: What a document's status may be (retired is reached by retiring, never given).
STATUSES = ("official", "draft", "reference")
MAX_TITLE_CHARS = 120


def _check_arguments(doc_id: str, edition: str, status: str, title: str | None = None) -> None:
    """The same doc_id rule as the corpus loader, and the metadata's shapes, checked first so
    nothing is read in vain and nothing odd ("../../2024", a newline, a page of text) is filed."""
    if not isinstance(doc_id, str) or not DOC_ID.match(doc_id):
        raise CorpusError(f"doc_id 应为小写字母开头的字母、数字、-、_ 组合（2–41位），收到 {doc_id!r}")
    if doc_id == "readme":
        # load_corpus skips README.md, so a document stored there would silently disappear.
        raise CorpusError("doc_id 不能为 readme（语料加载时会跳过 readme.md）")
    if not str(edition).strip():
        raise CorpusError("edition（版本，如 2025）不能为空")
    if not _EDITION.fullmatch(str(edition).strip()):
        raise CorpusError(f"edition（申报批次）应为四位年份，如 2025，收到 {str(edition)[:20]!r}")
    if not status.strip():
        raise CorpusError("status（如 official / draft）不能为空")
    if status.strip() not in STATUSES:
        raise CorpusError(f"status 应为 {' / '.join(STATUSES)} 之一，收到 {status[:20]!r}")
    if title is not None and len(title.strip()) > MAX_TITLE_CHARS:
        raise CorpusError(f"标题不应超过{MAX_TITLE_CHARS}字（收到{len(title.strip())}字）")


def write_beside(target: Path, data: bytes) -> Path:
    """Write `data` to a new file beside `target`, under a name load_corpus ignores (not *.md),
    flushed to the disk; return its path for the caller to rename into place. The one place a
    corpus file's bytes are written: a full disk fails here, before anything is replaced."""
    # mkstemp creates the file 0600; keep the mode of the file being replaced, else rw-r--r--.
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    return Path(temp_name)


def _atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target, then rename: a reader sees the old file or the new one, never
    half of one."""
    temp = write_beside(target, data)
    try:
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def _restore(target: Path, previous: bytes | None) -> None:
    """Put the corpus back as it was before this ingestion."""
    if previous is None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    else:
        _atomic_write(target, previous)
