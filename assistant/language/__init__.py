"""The Chinese text below every reader: where sentences end, and what numbers and dates say.

The bottom layer (it imports only the standard library and cn2an): the documents' units, the
composer's quotes, the guard's streamed sentences and the fact reader's phrases are all cut by
`sentences`, and every Chinese numeral is read or written by `numbers`, so no module keeps a
sentence splitter or numeral table of its own.

- Sentences: `segments` (lossless), `sentences` (stripped; ``semicolons``, ``min_chars``),
  `stream_sentences` (incremental, waits for a citation after the full stop), `clauses` (at
  commas, and ``also``/``words`` such as `COLONS`, `BRACKETS`, `TURNS`, `ADDITIONS`),
  `is_table_row`, `LIST_MARKER`, and the marks themselves (`FULL_STOPS`, `SEMICOLONS`).
- Numbers: `read_numbers` (`Number`: Arabic or Chinese, its unit, its percentage),
  `read_dates` (`Date`), `chinese_int`, `to_int`, `figures` (what the LLM guard compares), and
  the writers `cn_count`, `cn_quantity`, `cn_index`.
"""

from __future__ import annotations

from assistant.language.numbers import (
    Date,
    Number,
    chinese_int,
    cn_count,
    cn_index,
    cn_quantity,
    figures,
    read_dates,
    read_numbers,
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
    "Number",
    "chinese_int",
    "clauses",
    "cn_count",
    "cn_index",
    "cn_quantity",
    "figures",
    "is_table_row",
    "read_dates",
    "read_numbers",
    "segments",
    "sentences",
    "stream_sentences",
    "to_int",
]
