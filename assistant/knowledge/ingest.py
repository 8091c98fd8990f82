"""Turn an operator's PDF/DOCX/MD/TXT file into a corpus document (``corpus/<doc_id>.md``).

Four steps, each its own function so it can be tested and reused:

1. ``extract_text`` reads the file (pypdf, python-docx, or UTF-8/GB18030 text) and refuses
   files that would give an empty or garbled document (a scanned PDF needs OCR first);
2. ``clean_text`` undoes what PDF extraction and Word-to-text conversion do to Chinese text
   (spaces where a visual line wrapped, paragraphs broken at page ends, ``—`` for ``-`` in
   URLs and phone numbers, ``[bookmark: _GoBack]``) without changing a single word;
3. ``to_markdown`` writes the corpus conventions of ``assistant/corpus.py``: front matter,
   ``# title``, ``##`` for ``一、`` sections, ``###`` for ``(一)`` subsections, one paragraph
   per line so that ``1.``/``(一)``/``[1]`` items become clauses of their own;
4. ``ingest_file`` checks the result parses, writes it atomically, and checks that the whole
   corpus still loads, undoing the write otherwise: a bad file never leaves corpus/ half-changed.

Structure is recovered from the numbering printed in the text, as the clause splitter does, so
ids of an ingested document look like those of the curated ones (``guide2025#二.(一).3``).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import yaml
from docx import Document as open_docx
from docx.table import Table
from pypdf import PageObject, PdfReader

from assistant.errors import AssistantError, CorpusError
from assistant.knowledge.corpus import (
    _DOC_ID,
    REQUIRED_FRONT_MATTER,
    load_corpus,
    numbering_segment,
    parse_document,
)

SUPPORTED_SUFFIXES = (".pdf", ".docx", ".md", ".txt")

# --- character classes -------------------------------------------------------------------------

# Han ideographs (CJK Ext A, the unified block, compatibility ideographs).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Everything that sits in Chinese running text without spaces around it: Han, CJK punctuation
# (、。《》「」【】〔〕…, but not U+3000, the ideographic space that typesetters use on purpose),
# full-width forms (，：；（）！？), Chinese quotes, the em dash and the ellipsis.
_CJK = _HAN + "\u3001-\u303f\uff01-\uff60\uffe0-\uffee\u2018-\u201d\u2014\u2026"
# Horizontal whitespace that extraction leaves behind; the ideographic space is kept.
_SPACES = "\t\u00a0\u2000-\u200a\u202f\u205f"
_ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
# Kangxi/CJK radicals and compatibility ideographs that some PDF fonts map ideographs to (⼯ for
# 工): NFKC turns them back; applied to these characters only, so full-width punctuation stays.
_RADICALS = re.compile("[\u2e80-\u2fdf\uf900-\ufaff]")

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4})\s*$"
)
_URL_GAP = re.compile(r"(https?://)\s+")
# A single dash of any width between two ASCII letters/digits is a hyphen mangled by the font
# (www.miit—imps.com, 010—68501694, GB/T 39116—2020); a doubled Chinese dash (——) is left alone.
_ASCII_DASH = re.compile(r"(?<=[A-Za-z0-9])[‐‑‒–—―－−](?=[A-Za-z0-9])")
_CJK_GAP = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}])")
# "2024 年11月22 日", "第 3 条": PDF extraction spaces digits off from the characters around them.
# Only around dates, counts and document numbers: a name before a phone number keeps its gap.
_DIGIT_CJK_GAP = re.compile(r"(?<=[0-9]) +(?=[年月日号个份项家条款章页〕])|(?<=[年月日第于至〔]) +(?=[0-9])")
# Full-width punctuation never has a space next to it in Chinese typesetting ("(附1)、 T/CAMS").
_CJK_PUNCT = "\u3001-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_GAPS_AT_CJK_PUNCT = (
    re.compile(rf"(?<=[{_CJK_PUNCT}]) +"),
    re.compile(rf" +(?=[{_CJK_PUNCT}])"),
)
# A wide gap (two spaces or more) between names on a short line without sentence punctuation is
# a column gap the author typed ("工业和信息化部办公厅  国家发展改革委办公厅"): it becomes the
# ideographic space the curated corpus uses, where a stray gap inside prose is removed.
_WIDE_CJK_GAP = re.compile(rf"(?<=[{_HAN}]) {{2,}}(?=[{_HAN}])")
_COLUMN_LINE_MAX_WIDTH = 40
_GAPS_AT_BRACKETS = (
    re.compile(rf"(?<=[{_CJK}]) +(?=[()\[\]])"),  # 平台 (https…  → 平台(https…
    re.compile(rf"(?<=[()\[\]]) +(?=[{_CJK}])"),  # (附件3) 编制 → (附件3)编制; ( 一 ) → (一)
)
# ASCII punctuation used as Chinese punctuation: "[3]:  开展", "智能工厂. 鼓励", "工厂 .鼓励".
_GAP_AFTER_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}\])])([,.:;]) +(?=[{_CJK}])")
_GAP_BEFORE_ASCII_PUNCT = re.compile(rf"(?<=[{_CJK}]) +(?=[,.:;](?:[{_CJK}]|$))")
_GAP_AFTER_ITEM_NUMBER = re.compile(rf"^(\d{{1,2}}[.．、]) +(?=[{_CJK}(\[])")

# --- line joining ------------------------------------------------------------------------------

# A line ending in one of these stops mid-sentence, whatever its length.
_TRAILING_CONTINUATION = set("，、（《“‘,(〔")
# A line starting with one of these continues the previous one (a break before punctuation).
_LEADING_CONTINUATION = set("，。、；：）》”’！？),;:!?〔")
# Punctuation inside a sentence: a line that has some is prose, not a title or a name.
_SENTENCE_PUNCT = re.compile(r"[，。、；]")
_CLOSERS = set("》”’）)")
_OPENERS = set("《“‘（([")
# Also a bare number on its own line: the 序号 column of a table flattened to text.
_BLOCK_START = re.compile(r"^(?:#|(?:附件|附表|附录)\s*(?:[0-9一二三四五六七八九十]+|[：:])|\d{1,3}$)")
# "地址：…" followed by "邮编：…": a list of fields, one per line.
_FIELD_LINE = re.compile(r"^[^，。、；：:\s]{1,12}[：:]")
_TABLE_CELL_SEPARATOR = " | "

# --- Markdown conversion -----------------------------------------------------------------------

_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_SUBSECTION = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
_HEADING_STOP = re.compile(r"[。；！？;!?]")
# "一、总体要求。正文……": the heading is the lead phrase, the rest is the section's text.
_SECTION_LEAD = re.compile(r"^([一二三四五六七八九十]+、[^。；：:．.]{1,30}[。：:．.])\s*(\S.*)$")
_SECTION_MAX_WIDTH = 40
_SUBSECTION_MAX_WIDTH = 30
_TITLE_MAX_WIDTH = 50
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


# ===============================================================================================
# extraction
# ===============================================================================================


def extract_text(path: Path) -> str:
    """Return the text of a PDF, DOCX, Markdown or plain-text file.

    Every failure is a CorpusError naming the file, so the CLI and the API can show it as is:
    an unsupported type, a file that cannot be opened (missing, corrupt, encrypted), or one with
    no text to index (a scanned PDF: its pages are pictures and need OCR first).
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
        text = _pdf_text(path)
    elif suffix == ".docx":
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


def _pdf_text(path: Path) -> str:
    """Text of every page, pages joined by a newline so a sentence cut by a page break can be
    re-joined by clean_text."""
    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
    except Exception as exc:  # pypdf reports damaged files with whatever its parser hit
        raise CorpusError(f"{path.name}：无法读取 PDF，文件可能已损坏或不是 PDF（{exc}）") from exc
    if encrypted:
        # Owner-password-only PDFs (printing/copying restrictions) open with an empty password.
        try:
            opened = bool(reader.decrypt(""))
        except Exception as exc:  # e.g. AES without the optional cryptography package
            raise CorpusError(
                f"{path.name}：PDF 已加密，无法解密读取（{exc}），请先解除加密后再导入"
            ) from exc
        if not opened:
            raise CorpusError(f"{path.name}：PDF 已加密（需要打开密码），请先解除加密后再导入")
    pages: list[str] = []
    for number, page in enumerate(_pdf_pages(reader, path), start=1):
        try:
            pages.append(page.extract_text() or "")
        except Exception as exc:
            raise CorpusError(f"{path.name}：第 {number} 页无法提取文字，文件可能已损坏（{exc}）") from exc
    text = "\n".join(pages)
    visible = [ch for ch in text if not ch.isspace()]
    garbled = sum(1 for ch in visible if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff")
    if visible and garbled / len(visible) > 0.3:
        raise CorpusError(
            f"{path.name}：PDF 的字体缺少文字编码映射，提取出的多为乱码，请换用可复制文字的 PDF 或先进行 OCR"
        )
    return text


def _pdf_pages(reader: PdfReader, path: Path) -> list[PageObject]:
    """The page list, whose loading is where a damaged page tree shows up."""
    try:
        return list(reader.pages)
    except Exception as exc:
        raise CorpusError(f"{path.name}：无法读取 PDF 的页面，文件可能已损坏（{exc}）") from exc


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
        raise CorpusError(
            f"{path.name}：无法读取 DOCX，文件可能已损坏或不是 Word 2007+ 文档（{exc}）"
        ) from exc
    return "\n".join(lines)


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
            yield _TABLE_CELL_SEPARATOR.join(cells).strip()


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


# ===============================================================================================
# cleaning
# ===============================================================================================


def clean_text(text: str) -> str:
    """Undo extraction artefacts without rewording.

    Removes spaces between Chinese characters (left where a visual line wrapped, or by
    justification), re-joins lines broken mid-sentence (page ends, visual lines), writes ``-``
    for the em dash a font substituted in URLs and phone numbers, drops ``[bookmark: …]``
    markers and page-number lines, and keeps at most one blank line. Words and punctuation are
    never changed: what the clause splitter and the citations show is what the source says.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub("[\f\v\u2028\u2029\x85]", "\n", text)
    text = _ZERO_WIDTH.sub("", text)
    text = _RADICALS.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    text = _BOOKMARK.sub("", text)
    lines = [_clean_line(line) for line in text.split("\n")]
    lines = [line for line in lines if not _PAGE_NUMBER.match(line)]
    joined = _join_broken_lines(lines)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(joined)).strip()


def _clean_line(line: str) -> str:
    """Fix the spacing inside one line; a table row's cells one by one, so that the `` | ``
    between them survives (a cell may end in 。 or start with （)."""
    if _TABLE_CELL_SEPARATOR in line:
        return _TABLE_CELL_SEPARATOR.join(_clean_cell(cell) for cell in line.split(_TABLE_CELL_SEPARATOR))
    return _clean_cell(line)


def _clean_cell(line: str) -> str:
    line = re.sub(f"[{_SPACES}]", " ", line).strip()
    line = _URL_GAP.sub(r"\1", line)
    line = _ASCII_DASH.sub("-", line)
    line = _GAP_AFTER_ITEM_NUMBER.sub(r"\1", line)
    if _width(line) <= _COLUMN_LINE_MAX_WIDTH and not _SENTENCE_PUNCT.search(line):
        line = _WIDE_CJK_GAP.sub("\u3000", line)
    line = _CJK_GAP.sub("", line)
    line = _DIGIT_CJK_GAP.sub("", line)
    for pattern in (*_GAPS_AT_CJK_PUNCT, *_GAPS_AT_BRACKETS, _GAP_BEFORE_ASCII_PUNCT):
        line = pattern.sub("", line)
    line = _GAP_AFTER_ASCII_PUNCT.sub(r"\1", line)
    return re.sub(r" {2,}", " ", line)


def _width(text: str) -> float:
    """Display width in Chinese characters: Latin letters and digits are half as wide, so a
    line's width says whether it ran to the right margin."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


def _full_width(lines: list[str]) -> float:
    """The width of a line that reaches the margin: the 90th percentile of the line widths."""
    widths = sorted(_width(line) for line in lines if line)
    if not widths:
        return 0.0
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))]


def _is_han(ch: str) -> bool:
    return bool(re.match(f"[{_HAN}]", ch))


def _starts_block(line: str) -> bool:
    """A line that begins something new: numbered item, 附件 N, Markdown heading, table row."""
    return (
        numbering_segment(line) is not None or bool(_BLOCK_START.match(line)) or _TABLE_CELL_SEPARATOR in line
    )


def _is_short_heading(line: str) -> bool:
    """``一、申报要求``, ``(一)建设内容``: never the first half of a broken sentence."""
    numbered = numbering_segment(line)
    return numbered is not None and _width(line) <= 20 and not _SENTENCE_PUNCT.search(numbered[1])


def _should_join(previous: str, last_physical: str, line: str, blank_between: bool, full: float) -> bool:
    """Whether ``line`` continues ``previous`` (the paragraph so far, whose last physical line
    is ``last_physical``).

    Chinese official documents end paragraphs with 。；： or with nothing at all (headings,
    titles, names), so a break is treated as accidental only on positive evidence: the line
    stops on a comma or an opening bracket, the next one starts with punctuation, or a line of
    prose (it has commas) stops on a character, or a line reaches the right margin.
    """
    if _TABLE_CELL_SEPARATOR in previous or _starts_block(line) or _is_short_heading(previous):
        return False
    last, first = last_physical[-1], line[0]
    if first in _LEADING_CONTINUATION or last in _TRAILING_CONTINUATION:
        return True
    if previous.count("《") > previous.count("》") or previous.count("“") > previous.count("”"):
        return True  # a title wrapped inside its 《…》: the line break is the layout's, not the author's
    if _FIELD_LINE.match(line) and ("：" in last_physical or ":" in last_physical):
        return False
    starts_text = _is_han(first) or (first.isascii() and first.isalnum()) or first in _OPENERS
    if not starts_text:
        return False
    if _is_han(last) or last in _CLOSERS:
        if _SENTENCE_PUNCT.search(previous) and _width(previous) >= 10:
            return True
        return not blank_between and full > 0 and _width(last_physical) >= 0.95 * full
    if last.isascii() and last.isalnum():
        return not blank_between and full > 0 and _width(last_physical) >= 0.95 * full
    return False


_TITLE_END = re.compile(r"(?:通知|意见|方案|办法|决定|规定|细则|指引|函|公告|通告)》?$")


def _title_continues(out: list[str], previous_index: int, line: str) -> bool:
    """The document's first line is its title; one wrapped by the layout ("…智能工厂培育" /
    "工作的通知") continues on a short line that ends the way titles end."""
    first = [text for text in out if text]
    return (
        len(first) == 1
        and previous_index == out.index(first[0])
        and not _SENTENCE_PUNCT.search(first[0] + line)
        and not _starts_block(line)
        and _width(first[0] + line) <= _TITLE_MAX_WIDTH
        and bool(_TITLE_END.search(line))
        and not _TITLE_END.search(first[0])
    )


def _join_broken_lines(lines: list[str]) -> list[str]:
    """Merge lines that belong to one paragraph; blank lines between them (a page break) are
    dropped with the join."""
    full = _full_width(lines)
    out: list[str] = []
    last_physical = ""
    blank_between = False
    for line in lines:
        if not line:
            blank_between = True
            out.append("")
            continue
        previous_index = next((i for i in range(len(out) - 1, -1, -1) if out[i]), None)
        if previous_index is not None and (
            _should_join(out[previous_index], last_physical, line, blank_between, full)
            or _title_continues(out, previous_index, line)
        ):
            previous = out[previous_index]
            both_latin = previous[-1].isascii() and line[0].isascii()
            out[previous_index] = previous + (" " if both_latin else "") + line
            del out[previous_index + 1 :]
        else:
            out.append(line)
        last_physical = line
        blank_between = False
    return out


# ===============================================================================================
# Markdown
# ===============================================================================================


def to_markdown(
    text: str,
    *,
    doc_id: str,
    title: str,
    edition: str,
    source: str,
    status: str,
    markdown: bool = False,
    region: str | None = None,
) -> str:
    """Write a corpus document: front matter, ``# title``, then the body.

    Plain text (``markdown=False``): lines starting ``一、`` become ``##`` headings and short
    lines starting ``(一)`` ``###`` headings when text follows them (numbered items, or the
    section's prose as in corpus/plan.md); siblings are decided together so that one odd line
    cannot nest its neighbours (see _section_headings). Every other line is a paragraph, so
    ``1.``/``(一)``/``[1]`` lines become clauses. The title line is not repeated in the body.

    Markdown (``markdown=True``, or any text that opens with front matter): the body is kept
    as written and only the front matter is (re)written; extra keys of an existing front matter
    (short_title, issuer, region, item_ids) are kept because they change how clauses are cut.
    """
    meta: dict[str, object] = {}
    body = text.lstrip("\ufeff")
    found = _FRONT_MATTER.match(body)
    if found:
        try:
            loaded = yaml.safe_load(found.group(1)) or {}
        except yaml.YAMLError as exc:
            loaded = exc
        looks_like_ours = isinstance(loaded, dict) and any(key in loaded for key in REQUIRED_FRONT_MATTER)
        if markdown and not isinstance(loaded, dict):
            raise CorpusError(f"{title}：原有文件头（--- 之间）不是合法的 YAML 键值对（{loaded}）")
        if isinstance(loaded, dict) and (markdown or looks_like_ours):
            # A text file that merely starts with a --- rule is left alone.
            meta = {str(k): v for k, v in loaded.items()}
            body = body[found.end() :]
            markdown = True
    given = {"doc_id": doc_id, "title": _one_line(title), "edition": str(edition)}
    given |= {"source": source, "status": status}
    if region and region.strip():
        given["region"] = region.strip()
    meta = given | {k: v for k, v in meta.items() if k not in given}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    rendered = _markdown_body(body, meta["title"]) if markdown else _plain_body(body, given["title"])
    return f"---\n{front}\n---\n\n{rendered.strip()}\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _markdown_body(body: str, title: object) -> str:
    """Keep an authored body; give it a ``# title`` if it has none before its first text."""
    for line in body.splitlines():
        if not line.strip():
            continue
        if line.startswith("# "):
            return body
        break
    return f"# {title}\n\n{body.strip()}"


def _plain_body(text: str, title: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and _compact(lines[0]) == _compact(title):
        lines = lines[1:]  # the title is the "# " line already
    section_headings = _section_headings(lines)
    subsection_headings = _subsection_headings(lines)
    blocks = [f"# {title}"]
    for index, line in enumerate(lines):
        if index in section_headings:
            lead = _SECTION_LEAD.match(line) if not _is_heading_sized(line, _SECTION_MAX_WIDTH) else None
            blocks.extend([f"## {lead.group(1)}", _paragraph(lead.group(2))] if lead else [f"## {line}"])
        elif index in subsection_headings:
            blocks.append(f"### {line}")
        else:
            blocks.append(_paragraph(line))
    return "\n\n".join(blocks)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lstrip("#")


def _is_heading_sized(line: str, max_width: int) -> bool:
    return _width(line) <= max_width and not _HEADING_STOP.search(line)


def _section_headings(lines: list[str]) -> set[int]:
    """Indexes of the ``一、`` lines that become ``##`` headings.

    All or none: a ``一、`` line left as a paragraph would nest under the previous section and
    get an id like ``一.二``. None when no such line has text under it: then they are a list
    (一、营业执照 二、财务报表), each line a clause of its own. A long line becomes a heading
    too; its lead phrase (``一、总体要求。``) is the heading and the rest its first paragraph.
    """
    indexes = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    with_content = [i for i in indexes if i + 1 < len(lines) and not _SECTION.match(lines[i + 1])]
    return set(indexes) if with_content else set()


def _subsection_headings(lines: list[str]) -> set[int]:
    """Indexes of the ``(一)`` lines that become ``###`` headings, decided per section.

    Within one ``一、`` section the ``(一)(二)…`` siblings are all headings or all paragraphs,
    for the same reason as the sections: headings when every one is short and some have text
    under them (``(一)建设内容`` then items, ``(一)指导思想`` then prose, as in corpus/plan.md);
    paragraphs when any is a sentence (``(一)鼓励制造业企业……。``), so each is a clause.
    """
    chosen: set[int] = set()
    group: list[int] = []

    def close_group() -> None:
        short = all(_is_heading_sized(lines[i], _SUBSECTION_MAX_WIDTH) for i in group)
        has_content = any(
            i + 1 < len(lines) and not (_SECTION.match(lines[i + 1]) or _SUBSECTION.match(lines[i + 1]))
            for i in group
        )
        if group and short and has_content:
            chosen.update(group)
        group.clear()

    for index, line in enumerate(lines):
        if _SECTION.match(line):
            close_group()
        elif _SUBSECTION.match(line):
            group.append(index)
    close_group()
    return chosen


def _paragraph(line: str) -> str:
    """A body line; one starting with ``#`` gets a leading space so the splitter (which checks
    the unstripped line) reads it as text, while the clause keeps the exact text."""
    return f" {line}" if line.startswith("#") else line


# ===============================================================================================
# ingestion
# ===============================================================================================


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
) -> Path:
    """Add ``src`` to the corpus as ``corpus_dir/<doc_id>.md`` and return that path.

    Everything that can fail is checked before or right after the single write: the document
    must parse (with ``strict=False``, repeated numbering gets ``-2`` suffixes) before anything
    is written, and the whole corpus must still load afterwards, else the previous state is
    put back. Either way corpus/ holds a loadable corpus, byte for byte the old one on failure.
    """
    src = Path(src)
    corpus_dir = Path(corpus_dir)
    _check_arguments(doc_id, edition, status)
    if not corpus_dir.is_dir():
        raise CorpusError(f"找不到语料目录：{corpus_dir}")
    target = corpus_dir / f"{doc_id}.md"
    if target.exists() and not replace:
        raise CorpusError(f"语料中已有 {target.name}（doc_id {doc_id}），如需覆盖请使用 replace（--replace）")
    if target.exists() and not target.is_file():
        raise CorpusError(f"{target} 不是普通文件，无法写入")

    raw = extract_text(src)
    is_markdown = src.suffix.lower() == ".md"
    text = raw if is_markdown else clean_text(raw)
    if not text.strip():
        raise CorpusError(f"{src.name}：清理后没有剩下可用的文字")
    chosen_title = _one_line(title) if title and title.strip() else _default_title(text, src)
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
        markdown_text = _with_restarting_numbering(markdown_text, target)
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


def _with_restarting_numbering(markdown_text: str, target: Path) -> str:
    """The document, parsed strictly; when numbering repeats (real notices restart 1. 2. 3.
    under each 一、 and (一) written as plain paragraphs), those paragraphs become headings so
    the items get ids like ``liaoning#二.2``, never a duplicate."""
    try:
        parse_document(markdown_text, target)
        return markdown_text
    except CorpusError as exc:
        if "条款编号重复" not in exc.message:
            raise
    found = _FRONT_MATTER.match(markdown_text)
    head, body = (
        (markdown_text[: found.end()], markdown_text[found.end() :]) if found else ("", markdown_text)
    )
    for pattern, marks, width in (
        (_SECTION, "##", _SECTION_MAX_WIDTH),
        (_SUBSECTION, "###", _SUBSECTION_MAX_WIDTH),
    ):
        blocks = body.split("\n\n")
        out: list[str] = []
        for block in blocks:
            line = block.strip()
            if "\n" in line or not pattern.match(line):
                out.append(block)
            elif _is_heading_sized(line, width):
                out.append(f"{marks} {line}")
            elif pattern is _SECTION and (lead := _SECTION_LEAD.match(line)):
                out.extend([f"{marks} {lead.group(1)}", lead.group(2)])
            else:
                out.append(block)
        body = "\n\n".join(out)
        candidate = head + body
        try:
            parse_document(candidate, target)
            return candidate
        except CorpusError as exc:
            if "条款编号重复" not in exc.message:
                raise
    parse_document(head + body, target)  # raises the duplicate the promotion could not resolve
    return head + body


def _check_arguments(doc_id: str, edition: str, status: str) -> None:
    """The same doc_id rule as the corpus loader, checked first so nothing is read in vain."""
    if not isinstance(doc_id, str) or not _DOC_ID.match(doc_id):
        raise CorpusError(f"doc_id 应为小写字母开头的字母、数字、-、_ 组合（2–41位），收到 {doc_id!r}")
    if doc_id == "readme":
        # load_corpus skips README.md, so a document stored there would silently disappear.
        raise CorpusError("doc_id 不能为 readme（语料加载时会跳过 readme.md）")
    if not str(edition).strip():
        raise CorpusError("edition（版本，如 2025）不能为空")
    if not status.strip():
        raise CorpusError("status（如 official / draft）不能为空")


def _default_title(text: str, src: Path) -> str:
    """The first non-empty line, which in official documents is the title; the file name when
    that line is a paragraph rather than a title, or a Markdown file's own title."""
    found = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if found:
        with contextlib.suppress(yaml.YAMLError):
            loaded = yaml.safe_load(found.group(1))
            if isinstance(loaded, dict) and str(loaded.get("title") or "").strip():
                return _one_line(str(loaded["title"]))
        text = text.lstrip("\ufeff")[found.end() :]
    for line in text.splitlines():
        candidate = _one_line(line.lstrip("#"))
        if candidate:
            return candidate if _width(candidate) <= _TITLE_MAX_WIDTH else src.stem
    return src.stem


def _atomic_write(target: Path, data: bytes) -> None:
    """Write beside the target under a name load_corpus ignores (not *.md), then rename: a
    reader sees the old file or the new one, never half of one."""
    # mkstemp creates the file 0600; keep the mode of the file being replaced, else rw-r--r--.
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise


def _restore(target: Path, previous: bytes | None) -> None:
    """Put the corpus back as it was before this ingestion."""
    if previous is None:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    else:
        _atomic_write(target, previous)
