"""A question that asks two things is cut into one question per thing (grounded/parts.py)."""

from __future__ import annotations

import pytest

from assistant.answering.grounded.parts import split_question


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "纸质申报书寄到什么地址，收件的是工信部哪个司？",
            ["纸质申报书寄到什么地址？", "收件的是工信部哪个司？"],
        ),
        # One question per subject of "X和Y…分别", the first put where the second stands.
        (
            "先进级和卓越级对成熟度的要求分别是几级？",
            ["先进级对成熟度的要求是几级？", "卓越级对成熟度的要求是几级？"],
        ),
        # What only states the context goes in front of each part.
        (
            "我们是包头的企业，自治区的截止和国家通知里的截止分别是几号？",
            ["我们是包头的企业，自治区的截止是几号？", "我们是包头的企业，国家通知里的截止是几号？"],
        ),
        # A later part that names no tier asks of the tier before it.
        ("领航级成熟度要几级？五个环节要全覆盖吗", ["领航级成熟度要几级？", "领航级五个环节要全覆盖吗？"]),
    ],
)
def test_a_question_of_several_parts_is_cut_into_each(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "截止时间和名额？",  # one stretch, no 分别: answered whole
        "计划单列市也是20个名额吧？",
        "各省推荐名额是5个，对吧",  # a tag is not a question apart
        "我们成熟度二级，五个环节都到先进级，能报先进级吗",  # statements are context
        "那我们先冲先进级呢，先进级成熟度要几级",  # a stretch that sets up the next one
        "深圳是计划单列市吧，卓越级推荐名额是多少",
    ],
)
def test_a_question_of_one_part_is_left_whole(question: str) -> None:
    assert len(split_question(question)) == 1
