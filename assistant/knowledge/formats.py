"""Read an operator's PDF, DOCX, Markdown or plain-text file into one string of text.

The first step of ingestion (see ``ingest``), kept apart because it is the only part that knows
file formats and their libraries (pypdf, python-docx, the encodings of Chinese plain text), and
because its one job is to refuse early: an unsupported type, a damaged or encrypted file, a
scanned PDF with no text layer. Every refusal is a CorpusError naming the file, so the CLI and the
API show it as is. What it returns is raw: ``cleanup`` undoes the extraction artefacts.

Reading is bounded by ``ReadLimits`` (assistant/filelimits.py): a DOCX passes ``check_zip``
before python-docx reads it into memory, and a PDF is bounded by its page count, by the time its
text takes to extract (checked between pages) and by the length of that text. Over a limit is a
FileTooLargeError (413), naming the file, the value and the limit.
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterator
from pathlib import Path
from time import monotonic

from docx import Document as open_docx
from docx.table import Table
from lxml import etree
from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject, NumberObject

from assistant.errors import CorpusError, FileTooLargeError
from assistant.filelimits import DEFAULT_LIMITS, ReadLimits, check_zip

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".md", ".txt")
#: A DOCX table row becomes one line, its cells joined by this; ``cleanup`` keeps it intact.
TABLE_CELL_SEPARATOR = " | "
#: The end of every refusal of a PDF over a limit: what the operator can do about it.
SPLIT_IT = "已拒绝：请拆分后分别导入"


def extract_text(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Return the text of a PDF, DOCX, Markdown or plain-text file, read within ``limits``.

    Every failure is a CorpusError naming the file, so the CLI and the API can show it as is:
    an unsupported type, a file that cannot be opened (missing, corrupt, encrypted), or one with
    no text to index (a scanned PDF: its pages are pictures and need OCR first). A file over a
    limit is a FileTooLargeError.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise CorpusError(
            f"{path.name}：不支持的文件类型 {shown}，仅支持 {'、'.join(SUPPORTED_SUFFIXES)}"
            "（.doc、.wps 请先另存为 .docx）"
        )
    if not path.is_file():
        raise CorpusError(f"{path.name}：找不到文件或不是普通文件（{path}）")
    if suffix == ".pdf":
        text = _pdf_text(path, limits)
    elif suffix == ".docx":
        check_zip(path, limits, damaged=lambda why: CorpusError(_unreadable_docx(path, why)))
        text = _docx_text(path)
    else:
        text = _plain_text(path, allow_gb18030=suffix == ".txt")
    if not text.strip():
        if suffix == ".pdf":
            raise CorpusError(
                f"{path.name}：PDF 中没有可提取的文字，可能是扫描件或纯图片，需要先进行 OCR 文字识别"
            )
        raise CorpusError(f"{path.name}：文件中没有可提取的文字")
    return text


def _pdf_text(path: Path, limits: ReadLimits) -> str:
    """Text of every page, pages joined by a newline so a sentence cut by a page break can be
    re-joined by clean_text; within the limits on pages, seconds and characters."""
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf reports damaged files with whatever its parser hit
        log.info("unreadable PDF %s: %r", path.name, exc)
        raise CorpusError(f"{path.name}：无法读取 PDF，文件可能已损坏或不是 PDF") from exc
    if encrypted:
        # Owner-password-only PDFs (printing/copying restrictions) open with an empty password.
        try:
            opened = bool(reader.decrypt(""))
        except Exception as exc:  # e.g. AES without the optional cryptography package
            raise CorpusError(f"{path.name}：PDF 已加密，无法解密读取，请先解除加密后再导入") from exc
        if not opened:
            raise CorpusError(f"{path.name}：PDF 已加密（需要打开密码），请先解除加密后再导入")
    _check_page_count(reader, path, limits.pdf_pages)
    pages: list[str] = []
    started, length = monotonic(), 0
    for number, page in enumerate(_pdf_pages(reader, path, limits.pdf_pages), start=1):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:
            log.info("unreadable PDF page %s p.%s: %r", path.name, number, exc)
            raise CorpusError(f"{path.name}：第 {number} 页无法提取文字，文件可能已损坏") from exc
        length += len(pages[-1])
        if length > limits.pdf_text_chars:
            raise FileTooLargeError(
                f"{path.name} 提取的文字已达 {length} 字（上限 {limits.pdf_text_chars} 字，读到第 {number} 页），"
                f"{SPLIT_IT}"
            )
        spent = monotonic() - started
        if spent > limits.pdf_seconds:
            raise FileTooLargeError(
                f"{path.name} 提取文字已用 {spent:.0f} 秒（上限 {limits.pdf_seconds:g} 秒，读到第 {number} 页），"
                f"{SPLIT_IT}"
            )
    text = "\n".join(pages)
    visible = [ch for ch in text if not ch.isspace()]
    garbled = sum(1 for ch in visible if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff")
    if visible and garbled / len(visible) > 0.3:
        raise CorpusError(
            f"{path.name}：PDF 的字体缺少文字编码映射，提取出的多为乱码，请换用可复制文字的 PDF 或先进行 OCR"
        )
    return text


def _check_page_count(reader: PdfReader, path: Path, limit: int) -> None:
    """Refuse a PDF over ``limit`` pages from the count its page tree declares, before the
    tree is walked (``_pdf_pages`` counts again: the declared count may be false)."""
    try:
        pages = reader.root_object["/Pages"].get_object()
        count = pages["/Count"] if isinstance(pages, DictionaryObject) and "/Count" in pages else None
        declared = int(count) if isinstance(count, NumberObject) else 0
    except Exception:  # a missing or odd count: the walk will tell
        return
    if declared > limit:
        raise FileTooLargeError(_too_many_pages(path, declared, limit))


def _pdf_pages(reader: PdfReader, path: Path, limit: int) -> list[PageObject]:
    """The page list, whose loading is where a damaged page tree shows up (pypdf bounds the
    walk's depth and size itself)."""
    try:
        pages = list(reader.pages)
    except Exception as exc:
        log.info("unreadable PDF page tree %s: %r", path.name, exc)
        raise CorpusError(f"{path.name}：无法读取 PDF 的页面，文件可能已损坏") from exc
    if len(pages) > limit:
        raise FileTooLargeError(_too_many_pages(path, len(pages), limit))
    return pages


def _too_many_pages(path: Path, pages: int, limit: int) -> str:
    return f"{path.name} 共 {pages} 页（上限 {limit} 页），{SPLIT_IT}"


def _docx_text(path: Path) -> str:
    """Paragraphs and tables in document order; a table row becomes one line, cells joined by
    `` | `` so that a row stays one paragraph (one clause) after conversion."""
    try:
        document = open_docx(str(path))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.append("")
                lines.extend(_table_rows(block))
                lines.append("")
            else:
                lines.append(block.text)
    except Exception as exc:  # python-docx raises zip, XML and key errors on damaged files
        # Its messages are English and may hold the server's path (the upload's temp file): the
        # user is told the kind of damage in Chinese; the exception stays in the log.
        log.info("unreadable DOCX %s: %r", path.name, exc)
        raise CorpusError(_unreadable_docx(path, _docx_damage(exc))) from exc
    return "\n".join(lines)


def _docx_damage(exc: Exception) -> str:
    """What is wrong with a DOCX python-docx could not open, in Chinese, from the error's kind."""
    if isinstance(exc, zipfile.BadZipFile):
        return "压缩包已损坏"
    if isinstance(exc, etree.XMLSyntaxError):
        return "文档内容的 XML 已损坏"
    if isinstance(exc, KeyError):
        return "缺少文档的组成部分"
    return "文档结构不完整"


def _unreadable_docx(path: Path, why: str) -> str:
    return f"{path.name}：无法读取 DOCX，文件可能已损坏或不是 Word 2007+ 文档（{why}）"


def _table_rows(table: Table) -> Iterator[str]:
    """One line per row; a merged cell repeats in python-docx's row.cells, so repeats are skipped."""
    for row in table.rows:
        cells: list[str] = []
        seen: list[object] = []
        for cell in row.cells:
            if any(cell._tc is element for element in seen):
                continue
            seen.append(cell._tc)
            text = " ".join(part.strip() for part in cell.text.splitlines() if part.strip())
            cells.append(text)
        if any(cells):
            yield TABLE_CELL_SEPARATOR.join(cells).strip()


def _plain_text(path: Path, *, allow_gb18030: bool) -> str:
    """UTF-8 (with or without BOM); plain text from Chinese Windows is often GB18030/GBK."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path.name}：无法读取文件（{exc.strerror or exc}）") from exc
    if b"\x00" in data:
        raise CorpusError(f"{path.name}：文件含有二进制内容，不是纯文本（可能是 UTF-16 编码或其他格式）")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        if not allow_gb18030:
            raise CorpusError(f"{path.name}：Markdown 文件应为 UTF-8 编码") from None
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise CorpusError(f"{path.name}：文本编码无法识别（既不是 UTF-8 也不是 GB18030）") from None
