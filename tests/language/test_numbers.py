"""One reader of numbers and dates in Chinese text (assistant.language.numbers, on cn2an), the
guard's figures built on it, and the writer of Chinese counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cn2an import an2cn
from hypothesis import given
from hypothesis import strategies as st

from assistant.language import (
    Date,
    chinese_int,
    cn_count,
    cn_index,
    cn_quantity,
    figures,
    read_dates,
    read_numbers,
    to_int,
)


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("八十五", 85),
        ("两千", 2000),
        ("三百五", 350),
        ("一百零五", 105),
        ("百", 100),
        ("十二", 12),
        ("二〇二四", 2024),
    ],
)
def test_chinese_numerals_are_read(word: str, value: int) -> None:
    assert chinese_int(word) == value


@pytest.mark.parametrize("word", ["三四", "五六", "十十", "零十零", "", "八十五个"])
def test_rough_counts_and_non_numbers_read_as_none(word: str) -> None:
    assert chinese_int(word) is None


def test_a_whole_number_is_read_in_either_script() -> None:
    assert [to_int(w) for w in ("3", "三", "两", "级")] == [3, 3, 2, None]


def test_numbers_are_read_with_the_unit_after_them() -> None:
    found = read_numbers("共八十五个，投资两千元，十五万元与15万元，1.5倍")
    assert [(n.value, n.unit, n.chinese) for n in found] == [
        (Decimal(85), "个", True),
        (Decimal(2000), "元", True),
        (Decimal(15), "万", True),
        (Decimal(15), "万", False),
        (Decimal("1.5"), "倍", False),
    ]


@pytest.mark.parametrize(
    ("text", "percent"),
    [
        ("百分之八十五", 85),
        ("八十五%", 85),
        ("85%", 85),
        ("三成", 30),
        ("8.5成", 85),
        ("百分之12.5", Decimal("12.5")),
    ],
)
def test_percentages_are_read_in_every_form(text: str, percent: Decimal) -> None:
    [number] = read_numbers(text)
    assert number.percent == percent


def test_a_count_is_no_percentage() -> None:
    assert read_numbers("三个")[0].percent is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2024年11月22日前", (2024, 11, 22)),
        ("11月22日前", (None, 11, 22)),
        ("11 月 22 号", (None, 11, 22)),
        ("本月22号截止", (None, None, 22)),
        ("2024-11-22", (2024, 11, 22)),
        ("2024/11/22", (2024, 11, 22)),
        ("2024.11.22", (2024, 11, 22)),
    ],
)
def test_dates_are_read_in_each_form(text: str, date: tuple[int | None, int | None, int]) -> None:
    [found] = read_dates(text)
    assert (found.year, found.month, found.day) == date


def test_dates_come_in_order_with_their_spans() -> None:
    text = "3号开始，2024-11-22截止，11月1日公布"
    assert read_dates(text) == [
        Date(None, None, 3, 0, 2),
        Date(2024, 11, 22, 5, 15),
        Date(None, 11, 1, 18, 23),
    ]


def test_impossible_dates_and_house_numbers_are_not_dates() -> None:
    assert read_dates("13月45日") == []
    assert read_dates("花园北路152号") == []


def test_figures_compare_across_scripts() -> None:
    assert figures("八十五个")[0] == figures("85个")[0] == {"85"}
    assert figures("投资两千万元")[0] == figures("投资2000万元")[0] == {"2000"}


def test_one_alone_is_an_article_not_a_figure() -> None:
    assert figures("一个企业用了一年")[0] == set()
    assert figures("十一个企业")[0] == {"11"}


def test_a_chinese_numeral_counts_only_before_a_measure_word() -> None:
    assert figures("成熟度三级，百分之八十五，三成")[0] == set()
    assert figures("三个环节，八十五%")[0] == {"3", "85"}


def test_list_markers_are_no_figures() -> None:
    assert figures("1. 企业须有20名员工\n(2) 纳税\n- 3、盖章")[0] == {"20"}


def test_dates_in_figures_are_month_and_day_with_the_year_a_number() -> None:
    numbers, dates = figures("企业须于2024年11月22日前、2025-3-31前完成")
    assert dates == {(11, 22), (3, 31)} and numbers == {"2024", "2025"}


def test_a_day_alone_is_a_number_in_figures_it_may_be_a_house_number() -> None:
    assert figures("花园北路52号，22号截止") == (frozenset({"52", "22"}), frozenset())


def test_arabic_figures_are_compared_as_written_without_trailing_zeros() -> None:
    assert figures("增长1.50倍，3.0%，007项")[0] == {"1.5", "3", "7"}


def test_counts_are_written_in_chinese_numerals() -> None:
    assert [cn_count(n) for n in (0, 3, 10, 12, 20, 99, 100)] == [
        "零",
        "三",
        "十",
        "十二",
        "二十",
        "九十九",
        "100",
    ]
    assert [cn_quantity(n) for n in (2, 3, 12)] == ["两", "三", "十二"]
    assert cn_index(1) + cn_index(2) == "（一）（二）"


@given(st.integers(min_value=0, max_value=9999))
def test_every_number_below_ten_thousand_is_read_back_as_cn2an_writes_it(n: int) -> None:
    assert chinese_int(an2cn(n)) == n  # from 万 on, 万 is a unit: 十五万 reads as 15 (万)


@given(st.integers(min_value=2, max_value=9999))
def test_a_figure_reads_the_same_in_digits_and_in_chinese(n: int) -> None:
    assert figures(f"{an2cn(n)}个") == figures(f"{n}个")
