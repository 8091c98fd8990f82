"""Undo what PDF extraction and Word-to-text conversion do to Chinese text, never rewording it.

The second step of ingestion (see ``ingest``): spaces where a visual line wrapped, paragraphs
broken at page ends, ``—`` for ``-`` in URLs and phone numbers, ``[bookmark: _GoBack]``, page
numbers. Kept apart from reading (``formats``) and from structure (``structure``) because it is
the heuristic part, tuned line by line against real notices: its constants and its tests move
together, and a change here must not touch how a file is read or how headings are chosen.
"""

from __future__ import annotations

import re
import unicodedata

from assistant.knowledge.corpus import numbering_segment
from assistant.knowledge.formats import TABLE_CELL_SEPARATOR

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

#: The widest line that can still be a document's title (in Chinese characters).
TITLE_MAX_WIDTH = 50


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
    if TABLE_CELL_SEPARATOR in line:
        return TABLE_CELL_SEPARATOR.join(_clean_cell(cell) for cell in line.split(TABLE_CELL_SEPARATOR))
    return _clean_cell(line)


def _clean_cell(line: str) -> str:
    line = re.sub(f"[{_SPACES}]", " ", line).strip()
    line = _URL_GAP.sub(r"\1", line)
    line = _ASCII_DASH.sub("-", line)
    line = _GAP_AFTER_ITEM_NUMBER.sub(r"\1", line)
    if display_width(line) <= _COLUMN_LINE_MAX_WIDTH and not _SENTENCE_PUNCT.search(line):
        line = _WIDE_CJK_GAP.sub("\u3000", line)
    line = _CJK_GAP.sub("", line)
    line = _DIGIT_CJK_GAP.sub("", line)
    for pattern in (*_GAPS_AT_CJK_PUNCT, *_GAPS_AT_BRACKETS, _GAP_BEFORE_ASCII_PUNCT):
        line = pattern.sub("", line)
    line = _GAP_AFTER_ASCII_PUNCT.sub(r"\1", line)
    return re.sub(r" {2,}", " ", line)


def display_width(text: str) -> float:
    """Display width in Chinese characters: Latin letters and digits are half as wide, so a
    line's width says whether it ran to the right margin."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


def _full_width(lines: list[str]) -> float:
    """The width of a line that reaches the margin: the 90th percentile of the line widths."""
    widths = sorted(display_width(line) for line in lines if line)
    if not widths:
        return 0.0
    return widths[min(len(widths) - 1, int(len(widths) * 0.9))]


def _is_han(ch: str) -> bool:
    return bool(re.match(f"[{_HAN}]", ch))


def _starts_block(line: str) -> bool:
    """A line that begins something new: numbered item, 附件 N, Markdown heading, table row."""
    return (
        numbering_segment(line) is not None or bool(_BLOCK_START.match(line)) or TABLE_CELL_SEPARATOR in line
    )


def _is_short_heading(line: str) -> bool:
    """``一、申报要求``, ``(一)建设内容``: never the first half of a broken sentence."""
    numbered = numbering_segment(line)
    return numbered is not None and display_width(line) <= 20 and not _SENTENCE_PUNCT.search(numbered[1])


def _should_join(previous: str, last_physical: str, line: str, blank_between: bool, full: float) -> bool:
    """Whether ``line`` continues ``previous`` (the paragraph so far, whose last physical line
    is ``last_physical``).

    Chinese official documents end paragraphs with 。；： or with nothing at all (headings,
    titles, names), so a break is treated as accidental only on positive evidence: the line
    stops on a comma or an opening bracket, the next one starts with punctuation, or a line of
    prose (it has commas) stops on a character, or a line reaches the right margin.
    """
    if TABLE_CELL_SEPARATOR in previous or _starts_block(line) or _is_short_heading(previous):
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
        if _SENTENCE_PUNCT.search(previous) and display_width(previous) >= 10:
            return True
        return not blank_between and full > 0 and display_width(last_physical) >= 0.95 * full
    if last.isascii() and last.isalnum():
        return not blank_between and full > 0 and display_width(last_physical) >= 0.95 * full
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
        and display_width(first[0] + line) <= TITLE_MAX_WIDTH
        and bool(_TITLE_END.search(line))
        and not _TITLE_END.search(first[0])
    )


def _title_ended(out: list[str], previous_index: int) -> bool:
    """The document's first line ends the way titles end ("…的通知"): it is whole, however
    wide. Being the widest line, it looked wrapped, and the addressee below it ("各区工信部门，
    各有关企业：") was joined to it: the title and every clause's heading path carried it."""
    first = [text for text in out if text]
    return len(first) == 1 and previous_index == out.index(first[0]) and bool(_TITLE_END.search(first[0]))


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
            (
                _should_join(out[previous_index], last_physical, line, blank_between, full)
                and not _title_ended(out, previous_index)
            )
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
