"""Users read facts by their Chinese names: a field id that slips into text (a reason, the
model's words) is written as its name."""

from __future__ import annotations

import pytest

from assistant.rules import without_field_ids


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("（links.运营管理）", "（运营管理环节）"),
        ("先进级links.生产作业", "先进级生产作业环节"),
        ("links.运营管理环节已覆盖", "运营管理环节已覆盖"),
        ("maturity.level 为二级", "成熟度等级 为二级"),
    ],
)
def test_a_field_id_in_text_is_written_as_its_name(text: str, plain: str) -> None:
    assert without_field_ids(text) == plain


@pytest.mark.parametrize("text", ["www.c3mep.cn", "notice#二.(二).1", "status.unknown_key", "e.g. links"])
def test_what_is_no_known_field_id_is_left_as_written(text: str) -> None:
    assert without_field_ids(text) == text
