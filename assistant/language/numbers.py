"""Numbers and dates as Chinese text writes them, read and written in one place.

Read: Arabic numbers (85, 1.5), Chinese numerals through cn2an (八十五, 两千, 三百五), percentages
(85%, 百分之八十五, 三成) and dates (2024年11月22日, 11月22日, 22号, 2024-11-22). ``figures`` is
what the LLM guard compares: the numbers and (month, day) dates a sentence states, so that one
its sources do not hold can be caught. Written: counts and sub-heading numbers in Chinese
numerals (三个环节, 一级, （二）), so the only Arabic digits in an answer or a draft are figures
from the documents or the user.

万 and 亿 are read as units, not as part of a numeral: 十五万元 is 15 (万), as 15万元 is, so a
figure compares the same however it is written.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import Decimal

from cn2an import an2cn, cn2an

from assistant.language.sentences import LIST_MARKER

#: The characters Chinese numerals are written with (万 and 亿 are units: see the docstring).
CHINESE_DIGITS = "零〇一二两三四五六七八九"
CHINESE_NUMERAL = CHINESE_DIGITS + "十百千"
#: What after a Chinese numeral makes it a figure worth checking: a measure word (一个 alone is
#: an article, see ``figures``), 万/亿/元, or a percent sign.
MEASURES = "个项家年月日天名人份倍万亿元%％"

_NUMBER = re.compile(rf"(?P<per_cent>百分之)?(?:(?P<arabic>\d+(?:\.\d+)?)|(?P<chinese>[{CHINESE_NUMERAL}]+))")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*号")


@dataclass(frozen=True)
class Number:
    """A number in a text, with the character after it (its unit, if it has one)."""

    value: Decimal  # as written: 八十五 → 85, 三成 → 3, 十五万 → 15 (with unit 万)
    text: str  # the numeral as written: "85", "1.50", "八十五"
    start: int
    end: int  # the span of the numeral (百分之 and the unit left out)
    unit: str  # the character right after the numeral: 个, 万, 元, %, 成 … ("" at the end)
    chinese: bool  # written in Chinese numerals
    per_cent: bool = False  # 百分之 before it

    @property
    def percent(self) -> Decimal | None:
        """The number as a percentage when it is one: 85%, 百分之八十五 → 85; 三成 → 30."""
        if self.per_cent or self.unit in ("%", "％"):
            return self.value
        if self.unit == "成":
            return self.value * 10
        return None


@dataclass(frozen=True)
class Date:
    """A date in a text; the year and the month are None where the text leaves them out (22号)."""

    year: int | None
    month: int | None
    day: int
    start: int
    end: int


def chinese_int(word: str) -> int | None:
    """A Chinese numeral's value (八十五 → 85, 两千 → 2000, 百 → 100, 二〇二四 → 2024), or None
    when the characters are not one number: 三四 (家) and 五六 (个) are rough counts, 十十 is none."""
    if not word or any(char not in CHINESE_NUMERAL for char in word):
        return None
    if len(word) == 2 and all(char in CHINESE_DIGITS for char in word):
        return None
    if word[0] in "百千":
        word = "一" + word
    try:
        return int(cn2an(word, "normal"))
    except (ValueError, KeyError):  # cn2an's answers to characters that make no number (零十零)
        return None


def to_int(word: str) -> int | None:
    """A whole number written either way: "3", "三", "两" → 3, 3, 2; None for anything else."""
    if word.isascii() and word.isdigit():
        return int(word)
    return chinese_int(word)


def read_numbers(text: str) -> list[Number]:
    """Every number in the text, Arabic or Chinese, in order. A Chinese numeral that makes no
    number (see ``chinese_int``) is left out."""
    out = []
    for match in _NUMBER.finditer(text):
        arabic = match.group("arabic")
        word = arabic or match.group("chinese")
        start, end = match.span("arabic" if arabic else "chinese")
        if arabic:
            value = Decimal(arabic)
        else:
            number = chinese_int(word)
            if number is None:
                continue
            value = Decimal(number)
        unit = text[end : end + 1]
        out.append(Number(value, word, start, end, unit, not arabic, match.group("per_cent") is not None))
    return out


def _valid(month: int | None, day: int) -> bool:
    return (month is None or 1 <= month <= 12) and 1 <= day <= 31


def read_dates(text: str) -> list[Date]:
    """Every date in the text, in order: 2024年11月22日 and 11月22日 (日 or 号), 2024-11-22
    (or / and .), and a day alone (22号). Impossible ones (13月45日) are not dates."""
    found: list[Date] = []
    masked = text
    for pattern in (_DATE, _ISO_DATE, _DAY):
        for match in pattern.finditer(masked):
            *head, day = match.groups()
            year = int(head[0]) if len(head) == 2 and head[0] else None
            month = int(head[-1]) if head else None
            if _valid(month, int(day)):
                found.append(Date(year, month, int(day), match.start(), match.end()))
                masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    return sorted(found, key=lambda d: d.start)


def _as_written(numeral: str) -> str:
    """An Arabic number as the guard compares it: 1.50 → 1.5, 3.0 → 3, 007 → 7."""
    return numeral.rstrip("0").rstrip(".") if "." in numeral else str(int(numeral))


@functools.lru_cache(maxsize=4096)  # clause texts are checked again and again within a turn
def figures(text: str) -> tuple[frozenset[str], frozenset[tuple[int, int]]]:
    """The numbers and the (month, day) dates a text states, comparable across texts.

    List markers are left out (1. is no figure) and a date's year counts as a number. Arabic
    numbers count wherever they are; a Chinese numeral only before a measure word (三个, 两千元,
    八十五%), and 一 alone never (一个, 一年 read as an article). A day alone (22号) is a number,
    not a date: it may be a house number."""
    text = LIST_MARKER.sub("", text)
    dates: set[tuple[int, int]] = set()
    numbers: set[str] = set()
    for date in read_dates(text):
        if date.month is None:
            continue
        dates.add((date.month, date.day))
        if date.year is not None:
            numbers.add(str(date.year))
        text = text[: date.start] + " " * (date.end - date.start) + text[date.end :]
    for number in read_numbers(text):
        if not number.chinese:
            numbers.add(_as_written(number.text))
        elif number.unit and number.unit in MEASURES and number.text != "一":
            numbers.add(str(number.value))
    return frozenset(numbers), frozenset(dates)


def cn_count(n: int) -> str:
    """A count in Chinese numerals (3 → 三, 12 → 十二); from 100 on, Arabic digits."""
    return an2cn(n) if n < 100 else str(n)


def cn_quantity(n: int) -> str:
    """A count before a measure word: 两个环节, 十二个场景 (二 only inside larger numbers)."""
    return "两" if n == 2 else cn_count(n)


def cn_index(n: int) -> str:
    """（一）, （二）… for sub-headings and numbered questions."""
    return f"（{cn_count(n)}）"
