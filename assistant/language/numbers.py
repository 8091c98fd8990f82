"""Numbers and dates as Chinese text writes them, read and written in one place.

Read: Arabic numbers (85, 1.5, full-width ２５), Chinese numerals through cn2an (八十五, 两千,
三百五), percentages (85%, 百分之八十五, 八成), multiples (两倍, 翻一番), dates (2024年11月22日,
11月22日, 十一月二十二日, 22号, 2024-11-22) and relative or vague dates (下月初, 月底前, 十一月底,
下周一, 国庆后一周: ``read_relative_dates``). ``figures`` is what the LLM guard compares: the
numbers, (month, day) dates and relative dates a sentence states, each normalised (八成 and 80%
are both "80%"), so that one its sources do not hold can be caught, however it is written. Written: counts and sub-heading numbers in Chinese
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
from typing import NamedTuple

from cn2an import an2cn, cn2an

from assistant.language.sentences import LIST_MARKER

#: The characters Chinese numerals are written with (万 and 亿 are units: see the docstring).
CHINESE_DIGITS = "零〇一二两三四五六七八九"
CHINESE_NUMERAL = CHINESE_DIGITS + "十百千"
#: What after a Chinese numeral makes it a figure worth checking: a measure word (一个 alone is
#: an article, see ``figures``), 万/亿/元, or a percent sign.
MEASURES = "个项家年月日天周名人份倍万亿元%％"
#: Full-width digits and marks read as their ASCII forms (２５ is 25).
_WIDE = str.maketrans("０１２３４５６７８９．％", "0123456789.%")

_NUMBER = re.compile(rf"(?P<per_cent>百分之)?(?:(?P<arabic>\d+(?:\.\d+)?)|(?P<chinese>[{CHINESE_NUMERAL}]+))")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
#: A date in Chinese numerals: 十一月二十二日, 二〇二四年十一月二十二号.
_CN_DATE = re.compile(
    rf"(?:([{CHINESE_DIGITS}]{{4}})\s*年\s*)?([{CHINESE_NUMERAL}]{{1,3}})\s*月\s*([{CHINESE_NUMERAL}]{{1,3}})\s*[日号]"
)
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
    """Every date in the text, in order: 2024年11月22日 and 11月22日 (日 or 号), the same in
    Chinese numerals (十一月二十二日), 2024-11-22 (or / and .), and a day alone (22号).
    Impossible ones (13月45日) are not dates."""
    found: list[Date] = []
    masked = text.translate(_WIDE)
    for pattern in (_DATE, _CN_DATE, _ISO_DATE, _DAY):
        for match in pattern.finditer(masked):
            *head, day_word = match.groups()
            year = to_int(head[0]) if len(head) == 2 and head[0] else None
            month = to_int(head[-1]) if head else None
            day = to_int(day_word)
            if day is not None and (not head or month is not None) and _valid(month, day):
                found.append(Date(year, month, day, match.start(), match.end()))
                masked = masked[: match.start()] + " " * (match.end() - match.start()) + masked[match.end() :]
    return sorted(found, key=lambda d: d.start)


def _as_written(numeral: str) -> str:
    """An Arabic number as the guard compares it: 1.50 → 1.5, 3.0 → 3, 007 → 7."""
    return numeral.rstrip("0").rstrip(".") if "." in numeral else str(int(numeral))


@dataclass(frozen=True)
class RelativeDate:
    """A date given relative to today or only roughly (下月初, 月底前, 十一月底, 下周一, 国庆后),
    as a normalised key: two wordings of the same date have the same key (月末 and 月底,
    下个月 and 下月, 星期一 and 周一, 十一月 and 11月)."""

    key: str  # "下月:初", "本月:底", "11月:底", "下周:一", "明天", "国庆:后"
    start: int
    end: int


_MONTH_PARTS = {"初": "初", "上旬": "初", "中": "中", "中旬": "中", "下旬": "下旬", "底": "底", "末": "底"}
_WEEK_DAYS = {"天": "日", "末": "末"}
#: Words that place a month, a week or a year relative to now; none is "this one".
_RELATIVE = {
    "下个": "下",
    "下": "下",
    "次": "下",
    "来": "下",
    "明": "下",
    "上个": "上",
    "上": "上",
    "去": "上",
}
_MONTH_VAGUE = re.compile(
    rf"(?P<which>\d{{1,2}}|[{CHINESE_NUMERAL}]{{1,3}}|下个|上个|这个|本|这|当|今|下|上|次)?\s*月份?"
    r"(?P<part>上旬|中旬|下旬|初|底|末|中(?![心国央华期])(?=[前后旬]|$|[，。；、\s]))"
)
_YEAR_VAGUE = re.compile(
    r"(?P<which>\d{4}|今|本|明|来|下|去|上)?\s*年(?P<part>初|底|末|中(?=[前后]|$|[，。；、\s]))"
    r"|(?P<half>上|下)半年"
)
_WEEK = re.compile(r"(?P<which>下个|上个|这个|本|这|下|上)?(?:周|星期|礼拜)(?P<day>[一二三四五六日天末])?")
_DAYS = re.compile(r"大后天|后天|明天|明日|今天|今日|昨天|昨日")
_HOLIDAY = re.compile(
    r"(?P<name>国庆|春节|元旦|五一|劳动节|中秋|端午|清明|元宵)(?:节|假期|长假|假)?\s*(?P<when>之前|之后|前|后|期间)"
)


def _which(word: str | None) -> str:
    """A relative word as a key: 下个月 → 下, 本月/这个月/当月/月 → 本, 11/十一 → 11."""
    if not word:
        return "本"
    number = to_int(word)
    if number is not None:
        return str(number)
    return _RELATIVE.get(word, "本")


def _after_a_count(text: str, start: int) -> bool:
    """三个月中, 两年中: a length of time, not a part of one."""
    return start > 0 and (
        text[start - 1] in "个" or text[start - 1] in CHINESE_NUMERAL or text[start - 1].isdigit()
    )


def read_relative_dates(text: str) -> list[RelativeDate]:
    """The relative and vague dates of the text, in order (see ``RelativeDate``)."""
    text = text.translate(_WIDE)
    found: list[RelativeDate] = []
    for match in _MONTH_VAGUE.finditer(text):
        which = match.group("which")
        if which is None and _after_a_count(text, match.start()):
            continue
        month = _which(which)
        if month.isdigit() and not 1 <= int(month) <= 12:
            continue
        key = f"{month}月:{_MONTH_PARTS[match.group('part')]}"
        found.append(RelativeDate(key, match.start(), match.end()))
    for match in _YEAR_VAGUE.finditer(text):
        if match.group("half"):
            key = f"本年:{match.group('half')}半年"
        else:
            if match.group("which") is None and _after_a_count(text, match.start()):
                continue
            year = match.group("which")
            key = f"{year if year and year.isdigit() else _which(year)}年:{_MONTH_PARTS[match.group('part')]}"
        found.append(RelativeDate(key, match.start(), match.end()))
    for match in _WEEK.finditer(text):
        which, day = match.group("which"), match.group("day")
        if which is None and day is None:
            continue  # 每周, 周期: no date
        key = f"{_which(which)}周" + (f":{_WEEK_DAYS.get(day, day)}" if day else "")
        found.append(RelativeDate(key, match.start(), match.end()))
    for match in _DAYS.finditer(text):
        found.append(RelativeDate(match.group(0).replace("日", "天"), match.start(), match.end()))
    for match in _HOLIDAY.finditer(text):
        when = match.group("when").removeprefix("之")
        found.append(RelativeDate(f"{match.group('name')}:{when}", match.start(), match.end()))
    return sorted(found, key=lambda d: d.start)


class Figures(NamedTuple):
    """What a text states that can be checked against another text: numbers ("20", "80%",
    "2倍"), (month, day) dates and the keys of relative dates (``RelativeDate.key``)."""

    numbers: frozenset[str]
    dates: frozenset[tuple[int, int]]
    relative: frozenset[str] = frozenset()


_DOUBLINGS = re.compile(rf"翻\s*(?P<n>[{CHINESE_NUMERAL}]|\d+)\s*番")


def _figure(number: Number) -> str | None:
    """A number as the guard compares it, or None when it is no figure (see ``figures``)."""
    percent = number.percent
    if percent is not None and not (number.chinese and number.text == "一" and number.unit == "成"):
        return f"{_plain(percent)}%"
    value = _as_written(number.text) if not number.chinese else str(number.value)
    if number.unit == "倍" and (not number.chinese or number.text != "一"):
        return f"{value}倍"
    if not number.chinese:
        return value
    if number.unit and number.unit in MEASURES and number.text != "一":
        return value
    return None


def _plain(value: Decimal) -> str:
    """85, 85.0, 85.50 → "85", "85", "85.5"."""
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@functools.lru_cache(maxsize=4096)  # clause texts are checked again and again within a turn
def figures(text: str) -> Figures:
    """The numbers, the (month, day) dates and the relative dates a text states, comparable
    across texts and scripts.

    List markers are left out (1. is no figure) and a date's year counts as a number. Arabic
    numbers count wherever they are; a Chinese numeral only before a measure word (三个, 两千元),
    and 一 alone never (一个, 一年 read as an article). A percentage is one whatever its script
    (85%, 百分之八十五, 八成 → "85%"/"80%"), and so is a multiple (两倍, 2倍, 翻一番 → "2倍").
    A day alone (22号) is a number, not a date: it may be a house number."""
    text = LIST_MARKER.sub("", text).translate(_WIDE)
    relative = frozenset(d.key for d in read_relative_dates(text))
    numbers: set[str] = set()
    for match in _DOUBLINGS.finditer(text):
        times = to_int(match.group("n"))
        if times is not None and times < 10:
            numbers.add(f"{2**times}倍")
    text = _DOUBLINGS.sub(" ", text)
    dates: set[tuple[int, int]] = set()
    for date in read_dates(text):
        if date.month is None:
            continue
        dates.add((date.month, date.day))
        if date.year is not None:
            numbers.add(str(date.year))
        text = text[: date.start] + " " * (date.end - date.start) + text[date.end :]
    for number in read_numbers(text):
        figure = _figure(number)
        if figure is not None:
            numbers.add(figure)
    return Figures(frozenset(numbers), frozenset(dates), relative)


def held_by(figure: str) -> set[str]:
    """What a source's figure also vouches for: "85%" holds "85%" and a bare "85" (a sentence
    that drops the % still states the clause's number), "2倍" holds "2"."""
    bare = figure.rstrip("%倍")
    return {figure, bare} if bare else {figure}


def spell_percentages(text: str) -> str:
    """百分之八十五 as 85%: a percentage in words is a figure too (for readers that take Arabic)."""
    return _PERCENT_IN_WORDS.sub(_percent_as_digits, text)


_PERCENT_IN_WORDS = re.compile(rf"百分之([{CHINESE_NUMERAL}]+)")


def _percent_as_digits(match: re.Match[str]) -> str:
    value = chinese_int(match.group(1))
    return match.group(0) if value is None else f"{value}%"


def cn_count(n: int) -> str:
    """A count in Chinese numerals (3 → 三, 12 → 十二); from 100 on, Arabic digits."""
    return an2cn(n) if n < 100 else str(n)


def cn_quantity(n: int) -> str:
    """A count before a measure word: 两个环节, 十二个场景 (二 only inside larger numbers)."""
    return "两" if n == 2 else cn_count(n)


def cn_index(n: int) -> str:
    """（一）, （二）… for sub-headings and numbered questions."""
    return f"（{cn_count(n)}）"
