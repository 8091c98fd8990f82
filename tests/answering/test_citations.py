"""The verdict guard reads claims, not mentions: negations and conditional advice are kept."""

import pytest

from assistant.answering.llm.citations import claimed_tiers, contradicts, strip_claims


@pytest.mark.parametrize(
    "sentence",
    [
        "贵公司没有达到卓越级。",
        "贵公司未能达到卓越级要求。",
        "贵公司尚未满足卓越级的条件。",
        "贵公司目前不符合卓越级。",
        "若要达到卓越级，还需覆盖五个环节。",
        "如果要达到领航级，成熟度须达到四级。",
        "为了达到卓越级，建议先完成先进级认定。",
    ],
)
def test_negated_or_conditional_mentions_are_not_claims(sentence: str) -> None:
    assert claimed_tiers(sentence) == []
    assert not contradicts(sentence, "先进级")
    assert strip_claims(sentence, "先进级") == sentence


@pytest.mark.parametrize(
    ("sentence", "tier"),
    [
        ("贵公司已达到卓越级。", "卓越级"),
        ("根据材料，贵公司满足领航级的全部要求。", "领航级"),
        ("贵公司不仅达到卓越级，还有示范作用。", "卓越级"),
        ("没有问题，贵公司可以申报卓越级。", "卓越级"),
    ],
)
def test_plain_claims_are_still_caught(sentence: str, tier: str) -> None:
    assert claimed_tiers(sentence) == [tier]
    assert contradicts(sentence, "先进级")
    assert strip_claims(sentence, "先进级") == ""
