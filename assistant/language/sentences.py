"""Where a sentence ends: one segmenter for the documents, the questions and the model's text.

The composer quotes a clause sentence by sentence, the guard checks the model's answer sentence
by sentence as it streams, the fact reader reads a question clause by clause, and the dense index
embeds one unit per sentence. They must agree on where a sentence ends, so the marks are defined
here once and every cut is made by the same scanner:

- a sentence ends at 。！？!? (an English full stop before a space too), taking along the marks,
  closing quotes and line breaks right after it; a citation right after the full stop
  (…以上。【notice#二.(二).1】) stays with its sentence;
- a line break always ends a unit, so a list item (``- x``, ``1. x``, ``（一）x``) is a unit of
  its own, never merged with its neighbours;
- a table row (a line that opens with ``|``) is one unit, never cut inside, whatever its cells say;
- with ``markdown=True`` (the guard reads the model's Markdown so), a list item and a heading are
  one unit each too, whole lines however many sentences they hold: what the guard replaces or
  removes is then a whole row, item or heading, and the Markdown around it stays valid.

What callers deliberately do differently is an option of these functions, not a regex of their
own: ``semicolons=True`` also ends a sentence at ；(the finer units retrieval and the composer
want), ``min_chars`` keeps a short fragment with the sentence before it, ``stream_sentences``
waits for text not yet arrived, and ``clauses`` cuts finer still (at commas, and on request at
colons, brackets and words such as 但是).
"""

from __future__ import annotations

import functools
import re

#: Marks that end a sentence, Chinese and ASCII.
FULL_STOPS = "。！？!?"
#: Marks that end a sentence only where a text is cut finely (``semicolons=True``).
SEMICOLONS = "；;"
#: Marks that end a clause inside a sentence.
COMMAS = "，,"
#: Closing quotes: they belong to the sentence they close (他说：“可以。”).
CLOSERS = "”’」』"
#: Colons and brackets: the fact reader cuts a sentence there too ("成熟度：三级（自评）").
COLONS = "：:"
BRACKETS = "（）()"
#: Words that turn a sentence: what follows is a clause of its own (三级，但是第三方评的二级).
TURNS = ("但是", "但", "不过", "可是", "然而")
#: Words that add another ask to a question (截止时间，还有报送地址).
ADDITIONS = ("还有", "另外", "以及", "同时")

#: The number of a list item: 1. 1、 1) (1) （一） 一、
_ORDINAL = r"\d{1,2}[.．、)）]|[（(](?:\d{1,2}|[一二三四五六七八九十]+)[)）]|[一二三四五六七八九十]+、"
#: The marker a list item opens its line with: a bullet (- * • +), a number, or both ("- 1.").
LIST_MARKER = re.compile(rf"^[ \t]*(?:[-*•+][ \t]*(?:{_ORDINAL})?|(?:{_ORDINAL}))[ \t]*", re.MULTILINE)

#: An English full stop ends a sentence when a space follows it; a clause id such as
#: notice#二.(一).1 never has one.
_ENGLISH_STOP = r"(?<=[A-Za-z\])】])\.(?=\s)"
#: A table row: a line whose first character (after spaces) is a cell bar.
_TABLE_ROW = re.compile(r"[ \t]*[|｜]")
#: A Markdown heading (``## 标题``) or list item (a bullet, or a number and its mark, then text).
_HEADING = re.compile(r"[ \t]{0,3}#{1,6}[ \t]")
_LIST_ITEM = re.compile(rf"[ \t]*(?:[-*•+][ \t]+|(?:{_ORDINAL}))")
_LINE_END = re.compile(r"\n")
#: Brackets a citation may come in after the full stop, and how each closes.
_CITATION_BRACKETS = {"【": "】", "[": "]", "［": "］", "（": "）", "(": ")"}
#: The opening of a citation in any bracket style: 【id】, [id], （依据 id）, (见：id).
_CITATION_OPENING = re.compile(r"[【\[［（(]\s*(?:依据|来源|出处|参见|参考|见)?[:：]?\s*[A-Za-z][\w-]{0,30}#")
#: What a citation's opening can look like before its "#" has arrived ("【notice", "（依据 no"):
#: a stream that stops there must wait, or the citation is cut off its sentence.
_CITATION_PREFIX = re.compile(
    r"[【\[［（(]\s*(?:依据|来源|出处|参见|参考|见|依|来|出|参)?[:：]?\s*(?:[A-Za-z][\w-]{0,30})?"
)
#: A bracket not closed within this many characters holds no citation.
_CITATION_REACH = 90


def _end_pattern(semicolons: bool) -> re.Pattern[str]:
    marks = FULL_STOPS + (SEMICOLONS if semicolons else "")
    return re.compile(f"[{re.escape(marks)}\n]|{_ENGLISH_STOP}")


_ENDS = {False: _end_pattern(False), True: _end_pattern(True)}
#: What right after a sentence's end still belongs to it.
_TRAILING = {
    semicolons: FULL_STOPS + (SEMICOLONS if semicolons else "") + CLOSERS + "\n"
    for semicolons in (False, True)
}


def _past(text: str, position: int, chars: str) -> int:
    while position < len(text) and text[position] in chars:
        position += 1
    return position


def _line_unit(text: str, start: int, markdown: bool, line_start: bool = True) -> bool:
    """Whether the unit starting at ``start`` runs to the end of its line: a table row always;
    a heading or a list item with ``markdown``, when the unit opens its line (``line_start``:
    whether the text itself opens one)."""
    if _TABLE_ROW.match(text, start) is not None:
        return True
    opens_line = text[start - 1] == "\n" if start > 0 else line_start
    if not markdown or not opens_line:
        return False
    return _HEADING.match(text, start) is not None or _LIST_ITEM.match(text, start) is not None


def _segment_end(
    text: str, start: int, *, final: bool, semicolons: bool, markdown: bool = False, line_start: bool = True
) -> int | None:
    """Where the unit that starts at ``start`` ends, or None while the text so far cannot tell
    (unless ``final``: no more text will come)."""
    in_row = _line_unit(text, start, markdown, line_start)
    match = (_LINE_END if in_row else _ENDS[semicolons]).search(text, start)
    if match is None:
        return None
    trailing = _TRAILING[semicolons]
    end = _past(text, match.end(), trailing)
    while "\n" not in text[match.start() : end]:  # a line break ends the unit outright
        after = _past(text, end, " \t")
        if after >= len(text):
            return end if final else None  # the next character decides: a citation may follow
        close_mark = _CITATION_BRACKETS.get(text[after])
        if close_mark is None:
            return end
        close = text.find(close_mark, after + 1, after + _CITATION_REACH)
        if close < 0:
            left = len(text) - after
            arriving = left < _CITATION_REACH and (
                _CITATION_OPENING.match(text, after) is not None
                or _CITATION_PREFIX.fullmatch(text, after) is not None
            )
            if not final and (arriving or left < 4):
                return None  # a citation may be arriving: wait for it
            return end
        if _CITATION_OPENING.match(text, after, close + 1) is None:
            return end
        end = _past(text, close + 1, trailing)
    return end


def stream_sentences(
    buffer: str,
    *,
    final: bool = False,
    semicolons: bool = False,
    markdown: bool = False,
    line_start: bool = True,
) -> tuple[list[str], str]:
    """The complete sentences at the start of ``buffer`` (each with its end marks, trailing
    citation and line break), and the rest, which needs more text to tell where it ends.

    A sentence is complete only once the character after it is known (a citation may follow
    the full stop), and a table row once its line has ended; ``final`` takes everything.
    ``markdown`` makes a heading or a list item one unit, like a table row; a stream says with
    ``line_start`` whether its buffer opens a line (False after a sentence that did not end one),
    so that "- " inside a line opens no list item, however the text arrived."""
    out: list[str] = []
    start = 0
    while start < len(buffer):
        end = _segment_end(
            buffer, start, final=final, semicolons=semicolons, markdown=markdown, line_start=line_start
        )
        if end is None:
            break
        out.append(buffer[start:end])
        start = end
    if final and start < len(buffer):
        out.append(buffer[start:])
        start = len(buffer)
    return out, buffer[start:]


def segments(text: str, *, semicolons: bool = False, markdown: bool = False) -> list[str]:
    """The text cut into sentences with nothing left out: ``"".join(segments(t)) == t``."""
    return stream_sentences(text, final=True, semicolons=semicolons, markdown=markdown)[0]


def is_table_row(text: str) -> bool:
    """Whether the text opens as a table row (``| a | b |``)."""
    return _TABLE_ROW.match(text) is not None


def sentences(text: str, *, semicolons: bool = False, min_chars: int = 0) -> list[str]:
    """The text's sentences, stripped, empty ones left out.

    ``semicolons`` also ends a sentence at ；. With ``min_chars``, a fragment shorter than that
    stays with the sentence before it on its line ("按要求提交申报材料。是。" is one unit); the
    first sentence of a line (a list item among them) and a table row are never merged."""
    out: list[str] = []
    on_line = False  # whether out[-1] is on the line being read
    for segment in segments(text, semicolons=semicolons):
        piece = segment.strip()
        if piece:
            if on_line and len(piece) < min_chars and not is_table_row(piece):
                out[-1] += piece
            else:
                out.append(piece)
            on_line = True
        if "\n" in segment:
            on_line = False
    return out


@functools.lru_cache(maxsize=16)
def _clause_break(also: str, words: tuple[str, ...]) -> re.Pattern[str]:
    marks = FULL_STOPS + SEMICOLONS + COMMAS + "\n" + also
    return re.compile("|".join([f"[{re.escape(marks)}]", *map(re.escape, words)]))


def clauses(text: str, *, also: str = "", words: tuple[str, ...] = ()) -> list[str]:
    """The text cut at every mark that ends a sentence or a clause (。！？；，and a line break),
    the marks left out, and blank pieces dropped. ``also`` adds marks (COLONS, BRACKETS), and
    ``words`` adds words that start a clause of their own (TURNS, ADDITIONS)."""
    return [part for part in _clause_break(also, words).split(text) if part.strip()]
