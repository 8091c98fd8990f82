"""Hostile uploads built in memory for the tests of bounded parsing (assistant.filelimits).

A zip is written by hand here, not with ``zipfile``, for two reasons: a test needs a member that
inflates to hundreds of MB, and deflating that many zeros takes zlib seconds, while repeating one
self-contained deflate segment takes milliseconds; and a test needs a central directory that lies
about sizes, which ``zipfile`` will not write.
"""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from docx import Document

MB = 1 << 20
STORED, DEFLATED = zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED
#: Lines of a small but real draft, so a bomb is otherwise a readable DOCX.
LINES = ["一、企业概况", "企业名称：某某智能装备有限公司", "二、智能工厂建设情况"]


@dataclass
class Member:
    """One zip member: its bytes as stored (``data``) and what the central directory claims."""

    name: str
    data: bytes
    method: int
    crc: int
    size: int
    #: Declared compressed size; the length of ``data`` unless a test makes it lie.
    compressed: int = field(default=-1)
    #: General-purpose flag bits besides UTF-8 names (0x800), e.g. 0x1: encrypted.
    flags: int = 0

    def __post_init__(self) -> None:
        if self.compressed < 0:
            self.compressed = len(self.data)


def deflated(name: str, content: bytes) -> Member:
    """An honest deflated member."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = packer.compress(content) + packer.flush()
    return Member(name, data, DEFLATED, zlib.crc32(content), len(content))


def stored(name: str, content: bytes) -> Member:
    """An honest stored (uncompressed) member."""
    return Member(name, content, STORED, zlib.crc32(content), len(content))


@lru_cache(maxsize=8)
def zeros(megabytes: int) -> tuple[bytes, int]:
    """A raw deflate stream of ``megabytes`` MiB of zeros (about 1 KB per MiB) and its CRC-32.

    One MiB of zeros is compressed and fully flushed (byte-aligned, dictionary reset), so the
    segment stands alone and can be repeated; a final empty block ends the stream.
    """
    chunk = bytes(MB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return segment * megabytes + b"\x03\x00", crc


def zeros_member(name: str, megabytes: int, *, declared: int | None = None) -> Member:
    """``megabytes`` MiB of zeros, deflated; ``declared`` (bytes) makes the central directory lie."""
    data, crc = zeros(megabytes)
    size = megabytes * MB
    return Member(name, data, DEFLATED, crc, size if declared is None else declared)


def raw_zip(members: Iterable[Member], *, entries: int | None = None, zip64: bool = False) -> bytes:
    """The members as a zip (local headers, data, central directory, end record), sizes as
    declared; ``entries`` makes the end record lie about the member count; ``zip64`` writes the
    ZIP64 end record and locator, the classic record pointing to them with 0xFFFF/0xFFFFFFFF."""
    out = io.BytesIO()
    central: list[bytes] = []
    count = 0
    for member in members:
        name = member.name.encode("utf-8")
        offset = out.tell()
        sizes = (member.crc, member.compressed, member.size)
        out.write(
            struct.pack(
                "<4s5H3L2H",
                b"PK\x03\x04",
                20,
                0x800 | member.flags,
                member.method,
                0,
                0x21,
                *sizes,
                len(name),
                0,
            )
        )
        out.write(name)
        out.write(member.data)
        central.append(
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                20,
                20,
                0x800 | member.flags,
                member.method,
                0,
                0x21,
                *sizes,
                len(name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + name
        )
        count += 1
    start = out.tell()
    for record in central:
        out.write(record)
    size = out.tell() - start
    shown = count if entries is None else entries
    if zip64:
        record = out.tell()
        out.write(struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, shown, shown, size, start))
        out.write(struct.pack("<4sLQL", b"PK\x06\x07", 0, record, 1))
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    else:
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, shown, shown, size, start, 0))
    return out.getvalue()


@lru_cache(maxsize=1)
def _base_docx() -> tuple[tuple[str, bytes], ...]:
    document = Document()
    for line in LINES:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def docx_members(extra: Member | None = None) -> list[Member]:
    """The members of a real one-page DOCX; ``extra`` is added as an image part that
    ``word/document.xml`` relates to, so python-docx loads it when it opens the file."""
    members = []
    for name, content in _base_docx():
        if extra is not None and name == "[Content_Types].xml":
            override = f'<Override PartName="/{extra.name}" ContentType="image/png"/>'
            content = content.replace(b"</Types>", override.encode() + b"</Types>")
        if extra is not None and name == "word/_rels/document.xml.rels":
            target = extra.name.removeprefix("word/")
            relation = (
                f'<Relationship Id="rIdBomb" Target="{target}" '
                'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"/>'
            )
            content = content.replace(b"</Relationships>", relation.encode() + b"</Relationships>")
        members.append(deflated(name, content))
    if extra is not None:
        members.append(extra)
    return members


@dataclass
class Cost:
    """What a block of code took: wall time, and the peak of memory allocated meanwhile."""

    seconds: float = 0.0
    peak: int = 0


@contextmanager
def measured() -> Iterator[Cost]:
    """Time the block and trace its allocations (tracemalloc sees every bytes object a reader
    inflates, in any thread: the API's threadpool included)."""
    cost = Cost()
    tracemalloc.start()
    start = time.perf_counter()
    try:
        yield cost
    finally:
        cost.seconds = time.perf_counter() - start
        cost.peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()


def docx_bomb(megabytes: int, *, declared: int | None = None) -> bytes:
    """A readable DOCX with an image part of ``megabytes`` MiB of zeros (about 1 KB per MiB
    compressed); ``declared`` (bytes) is the size its central directory claims instead."""
    return raw_zip(docx_members(zeros_member("word/media/image1.png", megabytes, declared=declared)))


def docx_with_document_xml(xml: bytes) -> bytes:
    """A DOCX whose ``word/document.xml`` is ``xml`` (for XML bombs and external entities)."""
    members = [m if m.name != "word/document.xml" else deflated(m.name, xml) for m in docx_members()]
    return raw_zip(members)


def many_members_zip(count: int) -> bytes:
    """A real DOCX plus ``count`` empty members."""
    return raw_zip(docx_members() + [stored(f"customXml/item{i}.xml", b"") for i in range(count)])


def pdf_with_pages(pages: int) -> bytes:
    """A PDF of ``pages`` pages, each with one line of text."""
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pageCompression=1)
    for number in range(1, pages + 1):
        pdf.drawString(72, 720, f"Clause {number}: the page text.")
        pdf.showPage()
    pdf.save()
    return out.getvalue()
