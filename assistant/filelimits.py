"""What reading one uploaded file may cost, and the check every DOCX (a zip) passes before it is
opened.

python-docx reads every part of a DOCX into memory, so a 2 MB upload whose image part inflates
to 2 GB took about 30 s and 4 GB of memory before any check could see it (issue #25). ``check_zip``
refuses such a file first, from the zip's own records and then by inflating every member in
small chunks with a cap, so it costs at most the limits whatever the file claims:

1. the end record and the central directory are walked without building anything, so the
   member count is known before ``zipfile`` makes an object for each member;
2. the declared sizes (total, per member) and compression ratios are checked;
3. every member is inflated in chunks, counting what comes out: a zip that understates its
   sizes is stopped at the first limit it passes; sizes or checksums that disagree with the
   data are a damaged file.

Review (drafting) and ingestion (knowledge) both call it, which is why it sits at the bottom of
the layers. Exceeding a limit is a FileTooLargeError (413); a damaged zip is the caller's own
error (DraftFileError, CorpusError: 422), so each keeps its error code and its wording. The PDF limits
are here too because they come from the same settings; ``knowledge.formats`` applies them.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from assistant.config import Settings
from assistant.errors import FileTooLargeError, InputError

MB = 1 << 20
#: A member may inflate this much before its ratio is judged: small parts (styles, settings)
#: can be very repetitive without being a bomb. Apache POI's ZipSecureFile does the same.
RATIO_GRACE_BYTES = MB
#: Input and output steps of the bounded inflate: memory stays near these, whatever the member.
READ_CHUNK = 64 * 1024
INFLATE_CHUNK = MB

_END = b"PK\x05\x06"
_END64 = b"PK\x06\x06"
_LOCATOR64 = b"PK\x06\x07"
_CENTRAL = b"PK\x01\x02"
_LOCAL = b"PK\x03\x04"
_END_SIZE, _LOCATOR64_SIZE, _END64_SIZE, _CENTRAL_SIZE, _LOCAL_SIZE = 22, 20, 56, 46, 30
#: Members are stored or deflated in every DOCX Word, WPS and LibreOffice write.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class ReadLimits:
    """The bounds on reading one file; ``from_settings`` reads them from ``Settings``."""

    inflated_bytes: int
    member_bytes: int
    members: int
    ratio: float
    pdf_pages: int
    pdf_seconds: float
    pdf_text_chars: int

    @classmethod
    def from_settings(cls, settings: Settings) -> ReadLimits:
        return cls(
            inflated_bytes=settings.max_inflated_bytes,
            member_bytes=settings.max_inflated_member_bytes,
            members=settings.max_zip_members,
            ratio=settings.max_zip_ratio,
            pdf_pages=settings.max_pdf_pages,
            pdf_seconds=settings.max_pdf_seconds,
            pdf_text_chars=settings.max_pdf_text_chars,
        )


#: The defaults of ``Settings`` (not the environment's): for callers that pass no limits.
DEFAULT_LIMITS = ReadLimits.from_settings(Settings.model_construct())


class _Damaged(Exception):
    """The zip's structure is broken; the message (Chinese) says where."""


def check_zip(
    path: Path, limits: ReadLimits = DEFAULT_LIMITS, *, damaged: Callable[[str], InputError]
) -> None:
    """Return if ``path`` is a zip that stays within ``limits`` when inflated, else raise a
    FileTooLargeError (413) naming the file, the value and the limit; or, for a damaged zip,
    ``damaged(reason)``: the caller's own 422 error, in its own words, around a Chinese reason."""
    name = Path(path).name
    try:
        with open(path, "rb") as file:
            start, size, declared = _central_directory(file)
            count = _count_members(file, start, size, limits.members)
            if declared > limits.members or count > limits.members:
                held = f"含有 {declared} 个" if declared > limits.members else f"含有超过 {limits.members} 个"
                raise FileTooLargeError(f"{name} {held}部件（上限 {limits.members} 个），已拒绝")
            with zipfile.ZipFile(file) as archive:
                members = archive.infolist()
            _check_declared(name, members, limits)
            inflated = 0
            for member in members:
                inflated += _inflate(file, member, name, limits, limits.inflated_bytes - inflated)
    except _Damaged as exc:
        raise damaged(str(exc)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, struct.error, EOFError, ValueError):
        raise damaged("ZIP 目录已损坏") from None
    except OSError as exc:
        raise damaged(f"无法读取文件：{exc.strerror or type(exc).__name__}") from None


# -- 1. the end record and the central directory, walked without building anything ---------------


def _central_directory(file: BinaryIO) -> tuple[int, int, int]:
    """(start, size, declared member count) of the central directory, from the end record
    (ZIP64 when the classic record says so). The start is counted back from the end record,
    as ``zipfile`` does, so data prepended to the zip moves nothing."""
    file.seek(0, 2)
    length = file.tell()
    tail_start = max(0, length - _END_SIZE - 0xFFFF)  # the record, and a comment of up to 64 KB
    file.seek(tail_start)
    tail = file.read()
    at = tail.rfind(_END)
    if at < 0 or len(tail) - at < _END_SIZE:
        raise _Damaged("找不到 ZIP 目录")
    entries, size, offset = struct.unpack("<2xHLL", tail[at + 8 : at + 20])
    end = tail_start + at
    if entries == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        if end < _LOCATOR64_SIZE + _END64_SIZE:
            raise _Damaged("ZIP64 目录记录缺失")
        file.seek(end - _LOCATOR64_SIZE)
        if file.read(4) != _LOCATOR64:
            raise _Damaged("ZIP64 目录记录缺失")
        end -= _LOCATOR64_SIZE + _END64_SIZE
        file.seek(end)
        record = file.read(_END64_SIZE)
        if record[:4] != _END64:
            raise _Damaged("ZIP64 目录记录缺失")
        entries, size = struct.unpack("<32xQQ8x", record)
    start = end - size
    if start < 0:
        raise _Damaged("ZIP 目录的位置不对")
    return start, size, entries


def _count_members(file: BinaryIO, start: int, size: int, limit: int) -> int:
    """The records in the central directory, counted as ``zipfile`` will read them, up to one
    past ``limit``: a false count in the end record changes nothing."""
    file.seek(start)
    count, position = 0, 0
    while position < size and count <= limit:
        header = file.read(_CENTRAL_SIZE)
        if len(header) < _CENTRAL_SIZE or header[:4] != _CENTRAL:
            raise _Damaged("ZIP 目录记录不完整")
        name, extra, comment = struct.unpack("<28xHHH12x", header)
        file.seek(name + extra + comment, 1)
        position += _CENTRAL_SIZE + name + extra + comment
        count += 1
    return count


# -- 2. what the directory declares ---------------------------------------------------------------


def _check_declared(name: str, members: list[zipfile.ZipInfo], limits: ReadLimits) -> None:
    total = sum(member.file_size for member in members)
    if total > limits.inflated_bytes:
        raise FileTooLargeError(
            f"{name} 解压后为 {_size(total)}（上限 {_size(limits.inflated_bytes)}），已拒绝"
        )
    for member in members:
        if member.file_size > limits.member_bytes:
            raise FileTooLargeError(
                f"{name} 中的 {_member(member)} 解压后为 {_size(member.file_size)}"
                f"（单个部件上限 {_size(limits.member_bytes)}），已拒绝"
            )
        _check_ratio(name, member, member.file_size, member.compress_size, limits.ratio)


def _check_ratio(name: str, member: zipfile.ZipInfo, inflated: int, compressed: int, limit: float) -> None:
    if inflated > RATIO_GRACE_BYTES and inflated > limit * max(compressed, 1):
        ratio = inflated / max(compressed, 1)
        raise FileTooLargeError(
            f"{name} 中的 {_member(member)} 压缩比为 {ratio:.0f}:1（上限 {limit:.0f}:1），疑似压缩炸弹，已拒绝"
        )


# -- 3. what the members really inflate to --------------------------------------------------------


def _inflate(file: BinaryIO, member: zipfile.ZipInfo, name: str, limits: ReadLimits, room: int) -> int:
    """Inflate one member in chunks, never holding more than a chunk; return its size.

    The compressed bytes are those the directory gives it (as ``zipfile`` reads them). Output
    is counted against the member limit, the room left in the total, and the ratio; a size or
    CRC that differs from the declared one is a damaged file."""
    if member.flag_bits & 0x1:
        raise _Damaged(f"{_member(member)} 已加密")
    if member.compress_type not in _METHODS:
        raise _Damaged(f"{_member(member)} 使用了不支持的压缩方式 {member.compress_type}")
    file.seek(member.header_offset)
    header = file.read(_LOCAL_SIZE)
    if len(header) < _LOCAL_SIZE or header[:4] != _LOCAL:
        raise _Damaged(f"{_member(member)} 的数据位置不对")
    name_length, extra_length = struct.unpack("<26xHH", header)
    file.seek(name_length + extra_length, 1)

    consumed, produced, crc = 0, 0, 0
    for out, fed in _inflated_chunks(file, member):
        consumed += fed
        produced += len(out)
        crc = zlib.crc32(out, crc)
        _check_inflated(name, member, produced, limits, room)
        _check_ratio(name, member, produced, consumed, limits.ratio)
    if produced != member.file_size:
        raise _Damaged(f"{_member(member)} 声明 {member.file_size} 字节，实际 {produced} 字节")
    if crc != member.CRC:
        raise _Damaged(f"{_member(member)} 的校验和不符")
    return produced


def _inflated_chunks(file: BinaryIO, member: zipfile.ZipInfo) -> Iterator[tuple[bytes, int]]:
    """The member's bytes as they inflate, at most INFLATE_CHUNK at a time, each with the count
    of compressed bytes it took. Like ``zipfile``, a deflate stream may end before the
    directory's compressed size (the rest is ignored) or run out with it (sizes and CRC tell)."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS) if member.compress_type == zipfile.ZIP_DEFLATED else None
    left = member.compress_size
    while left > 0:
        data = file.read(min(READ_CHUNK, left))
        if not data:
            raise _Damaged(f"{_member(member)} 的数据不完整")
        left -= len(data)
        if inflater is None:
            yield data, len(data)
            continue
        while True:  # until this input is used up and zlib holds no output back
            try:
                out = inflater.decompress(data, INFLATE_CHUNK)
            except zlib.error:
                raise _Damaged(f"{_member(member)} 的压缩数据已损坏") from None
            tail = inflater.unconsumed_tail
            yield out, len(data) - len(tail)
            if inflater.eof:
                return
            if not tail and len(out) < INFLATE_CHUNK:
                break
            data = tail


def _check_inflated(name: str, member: zipfile.ZipInfo, produced: int, limits: ReadLimits, room: int) -> None:
    """Stop once a member has inflated past its limit, or past the room left in the total."""
    if produced > limits.member_bytes:
        limit = _size(limits.member_bytes)
        raise FileTooLargeError(
            f"{name} 中的 {_member(member)} 解压后超过 {limit}（单个部件上限 {limit}），已拒绝"
        )
    if produced > room:
        limit = _size(limits.inflated_bytes)
        raise FileTooLargeError(f"{name} 解压后超过 {limit}（上限 {limit}），已拒绝")


# -- messages -------------------------------------------------------------------------------------


def _size(n: float) -> str:
    """Bytes as people read them: 513 MB, 1.5 MB, 64 KB, 300 字节."""
    if n >= 10 * MB:
        return f"{n / MB:.0f} MB"
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n:.0f} 字节"


def _member(member: zipfile.ZipInfo) -> str:
    return _clean(member.filename, 80)


def _clean(text: str, length: int) -> str:
    """A name from the file as it may be shown: control characters replaced, at most ``length``."""
    text = re.sub(r"[\x00-\x1f\x7f]", "?", text)
    return text if len(text) <= length else text[: length - 1] + "…"
