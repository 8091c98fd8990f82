"""Reading a written declaration draft (DOCX, TXT or MD) into blocks, for ``review``.

Its own module because reading is forgiving and format-specific (python-docx tables with merged
cells, Markdown tables and bullets, GB18030 text) while judging is not: the review's checks see
only ``Block``s, whatever the file was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.errors import DraftFileError
from assistant.filelimits import DEFAULT_LIMITS, ReadLimits, check_zip


@dataclass
class Block:
    """A line of the document: a paragraph line, or a table row (with its cells and the
    header row of its table, so KPI columns 建设前/建设后 can be read by position)."""

    text: str
    cells: list[str] | None = None
    header: list[str] | None = None
    #: Marked as a heading by the document itself (a Word heading style, a Markdown "#").
    heading: bool = False


def read_blocks(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[Block]:
    """The document as blocks, in reading order. DOCX: paragraphs and table rows; TXT/MD: lines
    (Markdown tables become rows). A DOCX is first checked against ``limits`` (FileTooLargeError
    over one), since python-docx reads all of it into memory."""
    path = Path(path)
    if not path.exists():
        raise DraftFileError(f"找不到要审阅的文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".docx":
        check_zip(path, limits, damaged=lambda why: DraftFileError(_unopenable(path, why)))
        blocks = _docx_blocks(path)
    elif suffix in (".txt", ".md", ".markdown"):
        blocks = text_blocks(_read_text(path))
    elif suffix == ".doc":
        raise DraftFileError(f"{path.name} 是旧版 Word 格式（.doc），请另存为 .docx 后再审阅。")
    else:
        raise DraftFileError(f"不支持的文件类型 {suffix or '（无扩展名）'}：请提供 .docx、.txt 或 .md 文件。")
    if not any(b.text.strip() for b in blocks):
        raise DraftFileError(f"{path.name} 中没有可审阅的文字内容。")
    return blocks


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DraftFileError(f"无法识别 {path.name} 的文字编码，请另存为 UTF-8 文本。")


def _docx_blocks(path: Path) -> list[Block]:
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged file
        # Not the exception's text: python-docx names the full server path ("Package not found at …").
        raise DraftFileError(_unopenable(path)) from exc
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = (item.style.name if item.style is not None else "") or ""
            heading = style.lower().startswith(("heading", "title")) or style.startswith(("标题", "题目"))
            blocks += [Block(line, heading=heading) for line in item.text.splitlines() if line.strip()]
        elif isinstance(item, Table):
            header: list[str] | None = None
            for row in item.rows:
                cells = _unique_cells(row.cells)
                texts = [c.text.strip() for c in cells]
                if header is None:
                    header = texts
                    blocks.append(Block(" | ".join(texts), texts, None))
                    continue
                blocks.append(Block(" | ".join(t.replace("\n", " ") for t in texts), texts, header))
    return blocks


def _unopenable(path: Path, why: str = "") -> str:
    reason = f"（{why}）" if why else ""
    return (
        f"无法打开 {path.name}：文件已损坏或不是有效的 DOCX 文件{reason}，请用 Word 另存为 .docx 后重新上传。"
    )


def _unique_cells(cells: list[Any]) -> list[Any]:
    """Merged cells repeat in python-docx's row.cells; keep each once."""
    seen: set[int] = set()
    out = []
    for cell in cells:
        key = id(cell._tc)  # type: ignore[attr-defined]
        if key not in seen:
            seen.add(key)
            out.append(cell)
    return out


def text_blocks(text: str) -> list[Block]:
    """Plain text or Markdown as blocks; ``| a | b |`` rows keep their cells and header."""
    blocks: list[Block] = []
    header: list[str] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if (line.startswith("|") and line.endswith("|")) or line.count("|") >= 2:
            # "| a | b |" (Markdown), or "a | b | c" as plain text writes a table
            cells = [c.strip().replace("<br>", "\n") for c in line.strip("|").split("|")]
            if all(re.fullmatch(r":?-{2,}:?", c) for c in cells if c):
                continue
            if header is None:
                header = cells
                blocks.append(Block(" | ".join(cells), cells, None))
            else:
                blocks.append(Block(" | ".join(c.replace("\n", " ") for c in cells), cells, header))
            continue
        header = None
        heading = bool(re.match(r"#{1,6}\s", line))
        line = re.sub(r"^#{1,6}\s*", "", line)
        line = re.sub(r"^[*+]\s+|^-\s+(?=\S)", "", line)
        line = line.replace("**", "")
        if line:
            blocks.append(Block(line, heading=heading))
    return blocks
