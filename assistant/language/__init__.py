"""The Chinese text below every reader: where sentences end, and what numbers and dates say.

The bottom layer (it imports only the standard library and cn2an): the documents' units, the
composer's quotes, the guard's streamed sentences and the fact reader's phrases are all cut by
`sentences`, and every Chinese numeral is read or written by `numbers`, so no module keeps a
sentence splitter or numeral table of its own.

- Sentences: `segments` (lossless), `sentences` (stripped; ``semicolons``, ``min_chars``),
  `stream_sentences` (incremental, waits for a citation after the full stop), `clauses` (at
  commas, and ``also``/``words`` such as `COLONS`, `BRACKETS`, `TURNS`, `ADDITIONS`),
  `is_table_row`, `LIST_MARKER`, and the marks themselves (`FULL_STOPS`, `SEMICOLONS`).
- Numbers: `read_numbers` (`Number`: Arabic, full-width or Chinese, its unit, its percentage),
  `read_dates` (`Date`, Arabic or Chinese numerals), `read_relative_dates` (`RelativeDate`:
  下月初, 月底前, 下周一, 国庆后), `chinese_int`, `to_int`, `spell_percentages`, `figures`
  (`Figures`: what the LLM guard compares) with `held_by`, and the writers `cn_count`,
  `cn_quantity`, `cn_index`.
"""

from __future__ import annotations

from assistant.language.numbers import (
    Date,
    Figures,
    Number,
    RelativeDate,
    chinese_int,
    cn_count,
    cn_index,
    cn_quantity,
    figures,
    held_by,
    read_dates,
    read_numbers,
    read_relative_dates,
    spell_percentages,
    to_int,
)
from assistant.language.sentences import (
    ADDITIONS,
    BRACKETS,
    COLONS,
    FULL_STOPS,
    LIST_MARKER,
    SEMICOLONS,
    TURNS,
    clauses,
    is_table_row,
    segments,
    sentences,
    stream_sentences,
)

__all__ = [
    "ADDITIONS",
    "BRACKETS",
    "COLONS",
    "FULL_STOPS",
    "LIST_MARKER",
    "SEMICOLONS",
    "TURNS",
    "Date",
    "Figures",
    "Number",
    "RelativeDate",
    "chinese_int",
    "clauses",
    "cn_count",
    "cn_index",
    "cn_quantity",
    "figures",
    "held_by",
    "is_table_row",
    "read_dates",
    "read_numbers",
    "read_relative_dates",
    "segments",
    "sentences",
    "spell_percentages",
    "stream_sentences",
    "to_int",
]
