"""assistant.filelimits.check_zip, limit by limit: the member count (walked, not believed), the
declared sizes and ratios, the sizes and ratios that inflating really shows (in bounded memory),
and damaged zips as the caller's own error class. The limits come from Settings."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import CorpusError, DraftFileError, FileTooLargeError
from assistant.filelimits import DEFAULT_LIMITS, ReadLimits, check_zip
from tests.bombs import (
    MB,
    STORED,
    Member,
    deflated,
    docx_bomb,
    docx_members,
    measured,
    raw_zip,
    stored,
    zeros_member,
)

#: No ratio limit, so that a test reaches the size limit it is about.
ANY_RATIO = replace(DEFAULT_LIMITS, ratio=1e12)


def saved(tmp_path: Path, data: bytes, name: str = "申报书.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refusal(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    with pytest.raises(FileTooLargeError) as refused:
        check_zip(path, limits, damaged=DraftFileError)
    return refused.value.message


def damage(path: Path, damaged: type = DraftFileError) -> str:
    with pytest.raises(damaged) as refused:
        check_zip(path, DEFAULT_LIMITS, damaged=damaged)
    assert type(refused.value) is damaged
    return refused.value.message


# -- the limits --------------------------------------------------------------------------------


def test_the_defaults_are_the_settings_defaults_and_the_environment_moves_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert ReadLimits.from_settings(Settings(_env_file=None)) == DEFAULT_LIMITS  # type: ignore[call-arg]
    assert (DEFAULT_LIMITS.inflated_bytes, DEFAULT_LIMITS.member_bytes) == (50 * MB, 25 * MB)
    assert (DEFAULT_LIMITS.members, DEFAULT_LIMITS.ratio) == (2000, 100.0)
    assert (DEFAULT_LIMITS.pdf_pages, DEFAULT_LIMITS.pdf_seconds, DEFAULT_LIMITS.pdf_text_chars) == (
        500,
        30.0,
        2_000_000,
    )
    monkeypatch.setenv("ASSISTANT_MAX_ZIP_MEMBERS", "100")
    monkeypatch.setenv("ASSISTANT_MAX_INFLATED_BYTES", str(8 * MB))
    limits = ReadLimits.from_settings(Settings(_env_file=None))  # type: ignore[call-arg]
    assert (limits.members, limits.inflated_bytes) == (100, 8 * MB)


# -- sound files pass --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        raw_zip(docx_members()),
        raw_zip(docx_members(), zip64=True),
        b"#!prepended stub\n" + raw_zip(docx_members()),  # zipfile reads these too
        raw_zip(docx_members(zeros_member("word/media/image1.png", 1))),  # 1 MB at 1000:1: within grace
        raw_zip(docx_members(stored("word/media/image1.png", random.Random(1).randbytes(3 * MB)))),
    ],
    ids=["plain", "zip64", "prepended", "small-repetitive-part", "stored-picture"],
)
def test_sound_zips_pass(tmp_path: Path, data: bytes) -> None:
    check_zip(saved(tmp_path, data), damaged=DraftFileError)


# -- limits on what the zip declares -----------------------------------------------------------


def test_declared_member_size(tmp_path: Path) -> None:
    limits = replace(DEFAULT_LIMITS, member_bytes=MB)
    path = saved(tmp_path, raw_zip(docx_members(stored("word/media/image1.png", bytes(2 * MB)))))
    assert (
        refusal(path, limits)
        == "申报书.docx 中的 word/media/image1.png 解压后为 2 MB（单个部件上限 1 MB），已拒绝"
    )


def test_declared_ratio(tmp_path: Path) -> None:
    path = saved(tmp_path, raw_zip(docx_members(zeros_member("word/media/image1.png", 2))))
    message = refusal(path)
    assert message.startswith("申报书.docx 中的 word/media/image1.png 压缩比为 ")
    assert message.endswith(":1（上限 100:1），疑似压缩炸弹，已拒绝")


def test_member_names_are_shown_without_control_characters(tmp_path: Path) -> None:
    member = stored("word/a\x1b[31mb.png", b"x")
    member.size = 30 * MB
    message = refusal(saved(tmp_path, raw_zip(docx_members(member))))
    assert message == "申报书.docx 中的 word/a?[31mb.png 解压后为 30 MB（单个部件上限 25 MB），已拒绝"


# -- limits on what inflating shows (the directory understates) -------------------------------


def test_actual_member_size(tmp_path: Path) -> None:
    limits = replace(ANY_RATIO, member_bytes=MB)
    path = saved(tmp_path, raw_zip(docx_members(zeros_member("word/media/image1.png", 3, declared=100))))
    assert refusal(path, limits) == (
        "申报书.docx 中的 word/media/image1.png 解压后超过 1 MB（单个部件上限 1 MB），已拒绝"
    )


def test_actual_total_size(tmp_path: Path) -> None:
    limits = replace(ANY_RATIO, inflated_bytes=4 * MB)
    members = [
        *docx_members(),
        zeros_member("a.bin", 3),  # honest: the declared total is 3 MB and a little
        zeros_member("b.bin", 3, declared=100),
    ]
    assert (
        refusal(saved(tmp_path, raw_zip(members)), limits)
        == "申报书.docx 解压后超过 4 MB（上限 4 MB），已拒绝"
    )


def test_inflating_to_the_full_limit_holds_a_chunk_at_a_time(tmp_path: Path) -> None:
    """With no ratio limit, an understated 300 MB member is inflated up to the 50 MB total."""
    path = saved(tmp_path, docx_bomb(300, declared=4096))
    with measured() as cost:
        message = refusal(path, ANY_RATIO)
    assert message == "申报书.docx 中的 word/media/image1.png 解压后超过 25 MB（单个部件上限 25 MB），已拒绝"
    assert cost.seconds < 1.0 and cost.peak < 4 * MB, cost


# -- damaged zips: the caller's error class ---------------------------------------------------


def test_damaged_zips_are_the_callers_error_around_a_chinese_reason(tmp_path: Path) -> None:
    sound = raw_zip(docx_members())
    assert damage(saved(tmp_path, b"not a zip at all")) == "找不到 ZIP 目录"
    assert damage(saved(tmp_path, sound[:-40])) == "找不到 ZIP 目录"
    broken = sound.replace(b"PK\x01\x02", b"PK\x01\x00", 1)
    assert damage(saved(tmp_path, broken), CorpusError) == "ZIP 目录记录不完整"
    with pytest.raises(CorpusError, match=r"^通知：无法读取文件"):
        check_zip(tmp_path / "missing.docx", damaged=lambda why: CorpusError(f"通知：{why}"))


def halved(member: Member) -> None:
    """The deflate stream cut in half, the directory honest about the bytes left: zipfile would
    read what there is, so it is the sizes that tell."""
    member.data = member.data[: len(member.data) // 2]
    member.compressed = len(member.data)


def garbled(member: Member) -> None:
    member.data = b"\xff" * len(member.data)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda m: setattr(m, "crc", m.crc ^ 1), "word/document.xml 的校验和不符"),
        (lambda m: setattr(m, "method", 12), "word/document.xml 使用了不支持的压缩方式 12"),
        (lambda m: setattr(m, "flags", 0x1), "word/document.xml 已加密"),
        (lambda m: setattr(m, "size", m.size + 1), "word/document.xml 声明"),
        (halved, "word/document.xml 声明"),
        (garbled, "word/document.xml 的压缩数据已损坏"),
    ],
    ids=["crc", "method", "encrypted", "size", "truncated", "garbled"],
)
def test_members_that_disagree_with_their_records(
    tmp_path: Path, change: Callable[[Member], None], why: str
) -> None:
    members = docx_members()
    change(next(m for m in members if m.name == "word/document.xml"))
    assert why in damage(saved(tmp_path, raw_zip(members)))


def test_a_member_whose_local_header_is_elsewhere(tmp_path: Path) -> None:
    data = bytearray(raw_zip([Member("a.xml", b"<a/>", STORED, 0, 4), deflated("b.xml", b"<b/>")]))
    data[:4] = b"XXXX"
    assert "a.xml 的数据位置不对" in damage(saved(tmp_path, bytes(data)))
