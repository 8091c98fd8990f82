"""One segmenter for the documents, the questions and the model's text (assistant.language):
where a sentence ends, what stays with it, and the options callers choose."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from assistant.language import (
    ADDITIONS,
    BRACKETS,
    COLONS,
    LIST_MARKER,
    TURNS,
    clauses,
    is_table_row,
    segments,
    sentences,
    stream_sentences,
)


def test_a_sentence_ends_at_chinese_and_ascii_full_stops() -> None:
    assert sentences("甲。乙！丙？丁!戊?己") == ["甲。", "乙！", "丙？", "丁!", "戊?", "己"]


def test_a_semicolon_ends_a_sentence_only_when_asked() -> None:
    text = "包括4个场景：A；B；C。下一句"
    assert sentences(text) == ["包括4个场景：A；B；C。", "下一句"]
    assert sentences(text, semicolons=True) == ["包括4个场景：A；", "B；", "C。", "下一句"]


def test_repeated_marks_and_closing_quotes_stay_with_their_sentence() -> None:
    assert sentences("真的吗？！好。") == ["真的吗？！", "好。"]
    assert sentences("他说：“可以。”然后走了。") == ["他说：“可以。”", "然后走了。"]


def test_a_line_break_ends_a_sentence() -> None:
    assert sentences("第一行没有句号\n第二行") == ["第一行没有句号", "第二行"]


def test_a_citation_after_the_full_stop_stays_with_its_sentence() -> None:
    assert segments("甲。【kpi#12】乙。") == ["甲。【kpi#12】", "乙。"]
    assert segments("甲。 [notice#二.(一).1]。乙") == ["甲。 [notice#二.(一).1]。", "乙"]
    assert segments("甲。（依据 notice#二.(二).1）乙") == ["甲。（依据 notice#二.(二).1）", "乙"]


def test_a_bracket_that_holds_no_citation_opens_the_next_sentence() -> None:
    assert segments("甲。（注：以上为示例）乙。") == ["甲。", "（注：以上为示例）乙。"]


def test_a_citation_on_the_next_line_is_not_pulled_back() -> None:
    assert segments("甲。\n【kpi#12】乙。") == ["甲。\n", "【kpi#12】乙。"]


def test_an_english_full_stop_ends_a_sentence_only_before_a_space() -> None:
    assert sentences("See notice#二.(一).1 first. Then apply.") == [
        "See notice#二.(一).1 first.",
        "Then apply.",
    ]
    assert sentences("版本2.0.1已发布") == ["版本2.0.1已发布"]


def test_a_table_row_is_one_unit_never_cut_inside() -> None:
    table = "| 材料 | 要求。须盖章！ |\n|---|---|\n| 申报书 | 一式两份。 |\n表后一句。"
    assert sentences(table) == [
        "| 材料 | 要求。须盖章！ |",
        "|---|---|",
        "| 申报书 | 一式两份。 |",
        "表后一句。",
    ]
    assert is_table_row("  | a | b |") and not is_table_row("a | b")


def test_list_items_are_units_of_their_own_never_merged_with_their_neighbours() -> None:
    text = "材料如下。\n- 是\n- 否\n1. 申报书。\n（一）盖章。"
    assert sentences(text, min_chars=8) == ["材料如下。", "- 是", "- 否", "1. 申报书。", "（一）盖章。"]


def test_a_short_fragment_merges_with_the_sentence_before_it_on_its_line() -> None:
    text = "一、总体要求。企业应当具备相应条件；按要求提交申报材料。是。\n材料邮寄：北京市海淀区花园北路52号"
    assert sentences(text, semicolons=True, min_chars=8) == [
        "一、总体要求。",
        "企业应当具备相应条件；",
        "按要求提交申报材料。是。",
        "材料邮寄：北京市海淀区花园北路52号",
    ]


def test_a_short_fragment_opening_a_line_stays_alone() -> None:
    assert sentences("很长很长的第一句话。\n是。后面还有一句很长的话。", min_chars=8) == [
        "很长很长的第一句话。",
        "是。",
        "后面还有一句很长的话。",
    ]


def test_a_table_row_is_never_merged_even_when_short() -> None:
    assert sentences("这是一个足够长的句子。| a |", min_chars=8) == ["这是一个足够长的句子。", "| a |"]


def test_streaming_waits_for_the_character_after_the_full_stop() -> None:
    assert stream_sentences("甲。") == ([], "甲。")
    assert stream_sentences("甲。乙") == (["甲。"], "乙")
    assert stream_sentences("甲。", final=True) == (["甲。"], "")


def test_streaming_waits_for_a_citation_that_is_arriving() -> None:
    assert stream_sentences("甲。【notice#二.(") == ([], "甲。【notice#二.(")
    assert stream_sentences("甲。【") == ([], "甲。【")  # too short to tell
    assert stream_sentences("甲。【kpi#12】乙。丙") == (["甲。【kpi#12】", "乙。"], "丙")


def test_streaming_waits_for_a_citation_whose_id_has_not_yet_arrived() -> None:
    """A token boundary inside the id ("甲。【notice" | "#二.(一).1】乙。") once cut the citation off
    its sentence and hung it on the next one."""
    assert stream_sentences("甲。【notice") == ([], "甲。【notice")
    assert stream_sentences("甲。（依据 no") == ([], "甲。（依据 no")
    assert stream_sentences("甲。【notice#二.(一).1】乙。丙") == (["甲。【notice#二.(一).1】", "乙。"], "丙")
    assert stream_sentences("甲。【待补充") == (["甲。"], "【待补充")  # no id can start so


def test_streaming_does_not_wait_for_a_bracket_that_is_no_citation() -> None:
    assert stream_sentences("甲。（注：以上") == (["甲。"], "（注：以上")


def test_streaming_cuts_at_a_line_break_at_once() -> None:
    assert stream_sentences("甲\n") == (["甲\n"], "")


def test_streaming_a_table_row_waits_for_its_line_to_end() -> None:
    assert stream_sentences("| 甲。 | 乙。") == ([], "| 甲。 | 乙。")
    assert stream_sentences("| 甲。 | 乙。 |\n丙") == (["| 甲。 | 乙。 |\n"], "丙")


def test_clauses_are_cut_at_commas_and_every_sentence_end() -> None:
    assert clauses("贵公司已达到卓越级，但是；还需申报。好") == [
        "贵公司已达到卓越级",
        "但是",
        "还需申报",
        "好",
    ]
    assert clauses("卓越级：已满足") == ["卓越级：已满足"]  # a colon cuts only when asked


def test_the_fact_reader_cuts_at_colons_brackets_and_turns() -> None:
    text = "成熟度：三级（自评）但是第三方评的二级"
    assert clauses(text, also=COLONS + BRACKETS, words=TURNS) == ["成熟度", "三级", "自评", "第三方评的二级"]


def test_a_question_is_cut_where_it_adds_another_ask() -> None:
    assert clauses("截止时间是哪天还有材料寄到哪里", words=ADDITIONS) == ["截止时间是哪天", "材料寄到哪里"]


def test_a_list_marker_is_found_at_the_start_of_each_line() -> None:
    text = "- 1. 甲\n(2) 乙\n（三）丙\n四、丁\n5、戊\n不是1.开头"
    assert LIST_MARKER.sub("", text) == "甲\n乙\n丙\n丁\n戊\n不是1.开头"


_PROSE = st.text(alphabet="甲乙丙。！？；，a. \n|【】#x", max_size=60)


@given(_PROSE, st.booleans())
def test_segments_give_back_the_whole_text(text: str, semicolons: bool) -> None:
    assert "".join(segments(text, semicolons=semicolons)) == text


@given(_PROSE, st.booleans(), st.integers(min_value=0, max_value=10))
def test_sentences_give_back_the_text_less_its_whitespace(
    text: str, semicolons: bool, min_chars: int
) -> None:
    joined = "".join(sentences(text, semicolons=semicolons, min_chars=min_chars))
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", text)
    assert all(piece == piece.strip() and piece for piece in sentences(text))


@given(_PROSE, st.lists(st.integers(min_value=1, max_value=5), max_size=20))
def test_streamed_text_is_given_back_whole(text: str, sizes: list[int]) -> None:
    shown, buffer, position = [], "", 0
    for size in sizes:
        buffer += text[position : position + size]
        position += size
        done, buffer = stream_sentences(buffer)
        shown += done
    done, buffer = stream_sentences(buffer + text[position:], final=True)
    assert "".join(shown + done) == text and buffer == ""


@given(
    st.one_of(
        st.text(alphabet="甲乙。！？；，a. ", max_size=60),
        st.lists(
            st.sampled_from(["甲", "乙。", "【", "】", "kpi", "#", "12", "（依据", "）", "待"]), max_size=20
        ).map("".join),
    ),
    st.lists(st.integers(min_value=1, max_value=5), max_size=20),
    st.booleans(),
)
def test_streaming_in_any_pieces_cuts_where_the_whole_text_is_cut(
    text: str, sizes: list[int], semicolons: bool
) -> None:
    """The guard (streaming) and the composer (whole text) agree on where a sentence ends."""
    shown, buffer, position = [], "", 0
    for size in sizes:
        buffer += text[position : position + size]
        position += size
        done, buffer = stream_sentences(buffer, semicolons=semicolons)
        shown += done
    done, _ = stream_sentences(buffer + text[position:], final=True, semicolons=semicolons)
    assert shown + done == segments(text, semicolons=semicolons)


def test_with_markdown_a_list_item_and_a_heading_are_one_unit_each() -> None:
    text = "## 结论：已满足。说明\n- 甲。乙【kpi#1】。\n1. 丙。丁。\n（二）戊。己。\n正文。又一句。\n"
    assert segments(text, markdown=True) == [
        "## 结论：已满足。说明\n",
        "- 甲。乙【kpi#1】。\n",
        "1. 丙。丁。\n",
        "（二）戊。己。\n",
        "正文。",
        "又一句。\n",
    ]
    assert segments(text)[:2] == ["## 结论：已满足。", "说明\n"]  # other callers keep sentences


def test_with_markdown_a_marker_inside_a_line_opens_no_unit() -> None:
    assert segments("甲。- 乙。丙。", markdown=True) == ["甲。", "- 乙。", "丙。"]


@given(
    st.lists(
        st.sampled_from(
            ["甲", "乙。", "丁\n", "戊。\n", "- ", "1. ", "## ", "| a | b。|", "【kpi#1】", "丙！"]
        ),
        max_size=20,
    ).map("".join),
    st.lists(st.integers(min_value=1, max_value=5), max_size=20),
)
def test_markdown_units_stream_as_the_whole_text_cuts_them(text: str, sizes: list[int]) -> None:
    shown, buffer, position = [], "", 0
    for size in sizes:
        buffer += text[position : position + size]
        position += size
        done, buffer = stream_sentences(
            buffer, markdown=True, line_start=not shown or shown[-1].endswith("\n")
        )
        shown += done
    line_start = not shown or shown[-1].endswith("\n")
    done, _ = stream_sentences(buffer + text[position:], final=True, markdown=True, line_start=line_start)
    assert shown + done == segments(text, markdown=True)
