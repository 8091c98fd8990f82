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
    read_relative_dates,
    spell_percentages,
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


def test_a_chinese_numeral_counts_only_before_a_measure_word_or_as_a_percentage() -> None:
    assert figures("成熟度三级，第三方评估")[0] == set()
    assert figures("三个环节，八十五%")[0] == {"3", "85%"}


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        ("数控化率需达到八成以上", "80%"),
        ("达到百分之八十五", "85%"),
        ("占三成", "30%"),
        ("达到85%", "85%"),
        ("达到８５％", "85%"),
        ("提升8成", "80%"),
        ("产能提升两倍", "2倍"),
        ("产能提升2倍", "2倍"),
        ("产值翻一番", "2倍"),
        ("各省推荐不超过二十五个", "25"),
        ("各省推荐不超过２５个", "25"),
    ],
)
def test_percentages_multiples_and_full_width_digits_read_as_one_figure(text: str, figure: str) -> None:
    assert figures(text).numbers == {figure}


def test_idioms_with_one_are_no_figures() -> None:
    assert figures("一成不变，一倍努力").numbers == set()


def test_list_markers_are_no_figures() -> None:
    assert figures("1. 企业须有20名员工\n(2) 纳税\n- 3、盖章")[0] == {"20"}


def test_dates_in_figures_are_month_and_day_with_the_year_a_number() -> None:
    numbers, dates, _ = figures("企业须于2024年11月22日前、2025-3-31前完成")
    assert dates == {(11, 22), (3, 31)} and numbers == {"2024", "2025"}


def test_a_day_alone_is_a_number_in_figures_it_may_be_a_house_number() -> None:
    assert figures("花园北路52号，22号截止") == (frozenset({"52", "22"}), frozenset(), frozenset())


def test_arabic_figures_are_compared_as_written_without_trailing_zeros() -> None:
    assert figures("增长1.50倍，3.0%，007项")[0] == {"1.5倍", "3%", "7"}


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


def test_dates_in_chinese_numerals_are_dates() -> None:
    found = read_dates("二〇二四年十一月二十二日前，十二月一号后")
    assert [(d.year, d.month, d.day) for d in found] == [(2024, 11, 22), (None, 12, 1)]
    assert figures("十一月二十二日前").dates == figures("11月22日前").dates == {(11, 22)}


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("线上申报下月初截止", "下月:初"),
        ("下个月上旬截止", "下月:初"),
        ("月底前提交", "本月:底"),
        ("本月末提交", "本月:底"),
        ("十一月底前", "11月:底"),
        ("11月下旬", "11月:下旬"),
        ("下周一前", "下周:一"),
        ("下星期一前", "下周:一"),
        ("国庆后一周", "国庆:后"),
        ("国庆节之后", "国庆:后"),
        ("明日截止", "明天"),
        ("年底前建成", "本年:底"),
        ("2024年底前建成", "2024年:底"),
    ],
)
def test_relative_and_vague_dates_read_as_one_key(text: str, key: str) -> None:
    assert [d.key for d in read_relative_dates(text)] == [key]
    assert figures(text).relative == {key}


@pytest.mark.parametrize("text", ["三个月中完成", "两年中", "每周例会", "生产周期", "环节后续", "中心"])
def test_lengths_of_time_and_other_words_are_no_relative_dates(text: str) -> None:
    assert read_relative_dates(text) == []


def test_percentages_in_words_are_spelled_in_digits_for_readers_that_take_arabic() -> None:
    assert spell_percentages("提升百分之一百零八，百分之几") == "提升108%，百分之几"
