"""Reading an operator's file for the corpus is bounded: a DOCX bomb is refused before it inflates,
a damaged zip is a corpus_error, a PDF is bounded by its page count, by the time its text takes
to extract and by the size of that text, and XML inside a DOCX is never expanded."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from pypdf import PageObject

from assistant.errors import CorpusError, FileTooLargeError
from assistant.knowledge import formats
from assistant.knowledge.ingest import extract_text
from tests.bombs import (
    MB,
    deflated,
    docx_bomb,
    docx_members,
    docx_with_document_xml,
    measured,
    pdf_with_pages,
    raw_zip,
)
from tests.drafting.test_reading_bounds import xml_bombs

MEMORY_BOUND = 16 * MB


def saved(tmp_path: Path, data: bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_docx_bomb_is_refused_before_it_inflates(tmp_path: Path) -> None:
    path = saved(tmp_path, docx_bomb(512), "通知.docx")
    with measured() as cost, pytest.raises(FileTooLargeError) as refused:
        extract_text(path)
    assert refused.value.message == "通知.docx 解压后为 513 MB（上限 50 MB），已拒绝"
    assert cost.seconds < 1.0 and cost.peak < MEMORY_BOUND, cost


def test_a_docx_whose_sizes_disagree_with_its_data_is_a_corpus_error(tmp_path: Path) -> None:
    image = deflated("word/media/image1.png", random.Random(25).randbytes(200_000))
    image.size = 300_000
    path = saved(tmp_path, raw_zip(docx_members(image)), "通知.docx")
    with pytest.raises(CorpusError) as refused:
        extract_text(path)
    assert refused.value.code == "corpus_error" and refused.value.status_code == 422
    assert (
        "通知.docx" in refused.value.message and "声明 300000 字节，实际 200000 字节" in refused.value.message
    )


@pytest.mark.parametrize("count", [b"/Count 510", b"/Count 1  "], ids=["declared", "count-lies"])
def test_a_pdf_over_the_page_limit_is_refused_before_its_text_is_read(tmp_path: Path, count: bytes) -> None:
    """The page tree's /Count is read first; when it understates, the walk of the tree counts."""
    data = pdf_with_pages(510)
    assert data.count(b"/Count 510") == 1
    path = saved(tmp_path, data.replace(b"/Count 510", count), "汇编.pdf")
    with measured() as cost, pytest.raises(FileTooLargeError) as refused:
        extract_text(path)
    assert refused.value.message == "汇编.pdf 共 510 页（上限 500 页），已拒绝：请拆分后分别导入"
    assert cost.seconds < 1.0, cost


def test_pdf_extraction_stops_when_it_runs_out_of_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clock that moves 11 s per look: the check between pages stops at the third page."""
    clock = itertools.count(0.0, 11.0)
    monkeypatch.setattr(formats, "monotonic", lambda: next(clock), raising=False)
    path = saved(tmp_path, pdf_with_pages(20), "慢.pdf")
    with pytest.raises(FileTooLargeError) as refused:
        extract_text(path)
    assert (
        refused.value.message
        == "慢.pdf 提取文字已用 33 秒（上限 30 秒，读到第 3 页），已拒绝：请拆分后分别导入"
    )


def test_pdf_extraction_stops_at_the_text_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of 300,000 characters each: the seventh passes the 2,000,000-character limit."""
    monkeypatch.setattr(PageObject, "extract_text", lambda self, *args, **kwargs: "条" * 300_000)
    path = saved(tmp_path, pdf_with_pages(20), "长.pdf")
    with pytest.raises(FileTooLargeError) as refused:
        extract_text(path)
    assert refused.value.message == (
        "长.pdf 提取的文字已达 2100000 字（上限 2000000 字，读到第 7 页），已拒绝：请拆分后分别导入"
    )


@pytest.mark.parametrize("kind", ["billion-laughs", "external-entity", "external-parameter-entity"])
def test_xml_entities_in_a_docx_are_never_expanded_nor_fetched(tmp_path: Path, kind: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN-25", encoding="utf-8")
    path = saved(tmp_path, docx_with_document_xml(xml_bombs(secret)[kind]), "通知.docx")
    with measured() as cost:
        try:
            text = extract_text(path)
        except CorpusError as refused:  # libxml2 refuses the amplification outright
            text = refused.message
    assert "SECRET" not in text and "lollol" not in text, text[:200]
    assert cost.seconds < 1.0 and cost.peak < MEMORY_BOUND, cost
