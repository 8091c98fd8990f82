"""Reading a draft for review costs what its limits allow, whatever the DOCX claims: a zip bomb is
refused before it inflates (413 file_too_large), sizes that disagree with the data are a damaged
file (422 draft_file_error), and XML inside a DOCX never expands entities or reads other files."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from assistant.drafting import read_blocks
from assistant.errors import DraftFileError, FileTooLargeError
from tests.bombs import (
    MB,
    deflated,
    docx_bomb,
    docx_members,
    docx_with_document_xml,
    many_members_zip,
    measured,
    raw_zip,
    stored,
)

#: Far below what any bomb here inflates to (≥ 300 MB), far above what the check needs.
MEMORY_BOUND = 16 * MB


def saved(tmp_path: Path, data: bytes, name: str = "申报书.docx") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_docx_bomb_is_refused_from_its_declared_sizes_before_it_inflates(tmp_path: Path) -> None:
    path = saved(tmp_path, docx_bomb(512))  # 0.5 MB on disk, an image part of 512 MiB of zeros
    with measured() as cost, pytest.raises(FileTooLargeError) as refused:
        read_blocks(path)
    assert (refused.value.status_code, refused.value.code) == (413, "file_too_large")
    assert refused.value.message == "申报书.docx 解压后为 513 MB（上限 50 MB），已拒绝"
    assert cost.seconds < 1.0, cost
    assert cost.peak < MEMORY_BOUND, cost


def test_a_central_directory_that_understates_sizes_is_caught_while_inflating(tmp_path: Path) -> None:
    """The image claims 4 KB; inflating it is stopped once its true ratio shows."""
    path = saved(tmp_path, docx_bomb(300, declared=4096))
    with measured() as cost, pytest.raises(FileTooLargeError) as refused:
        read_blocks(path)
    pattern = r"申报书\.docx 中的 word/media/image1\.png 压缩比为 \d+:1（上限 100:1），疑似压缩炸弹，已拒绝"
    assert re.fullmatch(pattern, refused.value.message), refused.value.message
    assert cost.seconds < 1.0, cost
    assert cost.peak < MEMORY_BOUND, cost


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (many_members_zip(5000), "申报书.docx 含有 5017 个部件（上限 2000 个），已拒绝"),
        # The end record claims 17 members; the central directory is walked, not believed.
        (
            raw_zip(docx_members() + [stored(f"x/{i}.xml", b"") for i in range(5000)], entries=17),
            "申报书.docx 含有超过 2000 个部件（上限 2000 个），已拒绝",
        ),
    ],
    ids=["declared", "end-record-lies"],
)
def test_too_many_members_are_refused_before_the_directory_is_read(
    tmp_path: Path, data: bytes, shown: str
) -> None:
    path = saved(tmp_path, data)
    with measured() as cost, pytest.raises(FileTooLargeError) as refused:
        read_blocks(path)
    assert refused.value.message == shown
    assert cost.seconds < 1.0 and cost.peak < MEMORY_BOUND, cost


def test_sizes_that_disagree_with_the_data_are_a_damaged_file(tmp_path: Path) -> None:
    """python-docx reads such a part without complaint; the check verifies every member."""
    image = deflated("word/media/image1.png", random.Random(25).randbytes(200_000))
    image.size = 300_000
    path = saved(tmp_path, raw_zip(docx_members(image)))
    with pytest.raises(DraftFileError) as refused:
        read_blocks(path)
    assert type(refused.value) is DraftFileError and refused.value.status_code == 422
    message = refused.value.message
    assert message.startswith("无法打开 申报书.docx：文件已损坏"), message
    assert "word/media/image1.png 声明 300000 字节，实际 200000 字节" in message


def test_a_sound_docx_still_reads(tmp_path: Path) -> None:
    path = saved(tmp_path, raw_zip(docx_members(), zip64=True))
    assert [block.text for block in read_blocks(path)][:2] == [
        "一、企业概况",
        "企业名称：某某智能装备有限公司",
    ]


# -- XML inside the DOCX: found safe by the audit (python-docx parses with resolve_entities=False,
# -- libxml2 caps entity amplification); these keep it so -------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def xml_bomb(dtd: str, text: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="no"?><!DOCTYPE w:document [{dtd}]>'
        f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>一、企业概况</w:t></w:r></w:p>'
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    ).encode()


def xml_bombs(secret: Path) -> dict[str, bytes]:
    uri = secret.as_uri()
    return {
        "billion-laughs": xml_bomb(LAUGHS, "甲&lol9;乙"),
        "external-entity": xml_bomb(f'<!ENTITY xxe SYSTEM "{uri}">', "甲&xxe;乙"),
        "external-parameter-entity": xml_bomb(f'<!ENTITY % p SYSTEM "{uri}"> %p;', "甲乙"),
    }


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity", "external-parameter-entity"])
def test_xml_entities_in_a_docx_are_never_expanded_nor_fetched(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN-25", encoding="utf-8")
    path = saved(tmp_path, docx_with_document_xml(xml_bombs(secret)[kind]))
    with measured() as cost:
        try:
            text = "\n".join(block.text for block in read_blocks(path))
        except DraftFileError as refused:  # libxml2 refuses the amplification outright
            text = refused.message
    assert "SECRET" not in text and "lollol" not in text, text[:200]
    assert len(text) < 1000
    assert cost.seconds < 1.0 and cost.peak < MEMORY_BOUND, cost
