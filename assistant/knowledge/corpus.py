"""Load corpus/*.md and split each document into clauses with stable, readable ids.

A clause id is ``<doc_id>#<segments>``, the segments being the document's own numbering:
``conditions#四.(一).3`` is item 3 of (一)建设内容 under 四、卓越级智能工厂. Ids come from the
numbering printed in the text, never from positions, so editing one clause leaves every other id
unchanged.

Markdown conventions (see corpus/*.md):

- front matter between ``---`` lines: doc_id, title, edition, source, status (+ optional
  short_title, issuer, region, ``item_ids: flat`` for documents numbered straight through, like
  the 20 KPIs of 附1);
- ``#`` is the document title; ``##``/``###`` headings carry the numbering (``一、…``, ``(一)…``)
  or, when unnumbered, their own text becomes the segment;
- a paragraph that starts with ``1.``, ``(一)``, ``一、`` or ``[1]`` is a clause of its own;
  a paragraph ending in ``{#name}`` is a clause with that segment; any other paragraph belongs to
  the clause of the heading above it (``前言`` before the first heading).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.errors import CorpusError, CorpusInvalidError

REQUIRED_FRONT_MATTER = ("doc_id", "title", "edition", "source", "status")
PREAMBLE_SEGMENT = "前言"
HEADING_SEPARATOR = " › "

_CN_NUM = "一二三四五六七八九十"
_NUMBERING = [
    # (pattern, how the segment is written)
    (re.compile(rf"^(?P<n>[{_CN_NUM}]+)、"), "{n}"),
    (re.compile(rf"^[(（]\s*(?P<n>[{_CN_NUM}]+)\s*[)）]"), "({n})"),
    (re.compile(r"^(?P<n>\d{1,2})\s*[.．、](?!\d)"), "{n}"),
    (re.compile(r"^\[(?P<n>\d{1,2})\]"), "{n}"),
]
_ANCHOR = re.compile(r"\{#(?P<seg>[^}\s]+)\}\s*$")
DOC_ID = re.compile(r"^[a-z][a-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Clause:
    """One citable unit: a numbered item, or the unnumbered text under a heading."""

    clause_id: str
    doc_id: str
    title: str
    edition: str
    status: str
    source: str
    heading_path: tuple[str, ...]
    text: str

    @property
    def heading(self) -> str:
        """The path as a reader sees it: 附件2 … › 四、卓越级智能工厂 › (一)建设内容."""
        return HEADING_SEPARATOR.join(self.heading_path)

    @property
    def label(self) -> str:
        """The short name an item gives itself before its colon ("生产作业" in "3.生产作业：…"),
        or "" when it has none: what a question about that item will name."""
        numbered = numbering_segment(self.text)
        body = numbered[1] if numbered else self.text
        head, colon, _ = body.partition("：")
        if not colon or len(head) > 12:
            return ""
        return re.sub(r"\[\d+\]$", "", head).strip()

    @property
    def search_text(self) -> str:
        """What the indexes see: the heading path first, because questions name the tier or the
        document while the clause text often names only the link."""
        return f"{self.heading}\n{self.text}"

    def to_hit(self, score: float | None = None) -> dict[str, object]:
        """The docs/contracts.md hit shape (score omitted when None), plus the heading path."""
        hit: dict[str, object] = {
            "clause_id": self.clause_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "edition": self.edition,
            "text": self.text,
            "heading": self.heading,
            "status": self.status,
        }
        if score is not None:
            hit["score"] = round(score, 6)
        return hit


@dataclass(frozen=True)
class Document:
    """A corpus file: its front matter and its clauses in reading order."""

    doc_id: str
    title: str
    edition: str
    source: str
    status: str
    short_title: str
    issuer: str
    region: str | None
    path: Path | None
    clauses: tuple[Clause, ...]

    @property
    def role(self) -> str:
        """What the document is, whatever its round: its id without a trailing year, so a later
        round's copy (``materials2025``) is routed like ``materials`` (intents.yaml ``docs``)."""
        return _ROLE_YEAR.sub("", self.doc_id) or self.doc_id


#: A year at the end of a doc id: ``materials2025`` is a 2025 edition of ``materials``.
_ROLE_YEAR = re.compile(r"(?<=[a-z])20\d\d$")


@dataclass
class Corpus:
    """Every document, with lookups by clause id; ``content_hash`` keys the index cache."""

    documents: list[Document]
    clauses: list[Clause] = field(init=False)
    by_id: dict[str, Clause] = field(init=False)

    def __post_init__(self) -> None:
        self.clauses = [c for d in self.documents for c in d.clauses]
        self.by_id = {}
        for clause in self.clauses:
            if clause.clause_id in self.by_id:
                raise CorpusError(f"条款编号重复：{clause.clause_id}")
            self.by_id[clause.clause_id] = clause

    @property
    def editions(self) -> list[str]:
        return sorted({d.edition for d in self.documents})

    @property
    def content_hash(self) -> str:
        digest = hashlib.sha256()
        for clause in self.clauses:
            for part in (clause.clause_id, clause.edition, clause.status, clause.heading, clause.text):
                digest.update(part.encode("utf-8"))
                digest.update(b"\x00")
        return digest.hexdigest()[:16]

    def get(self, clause_id: str) -> Clause | None:
        return self.by_id.get(clause_id)

    def document(self, doc_id: str) -> Document | None:
        return next((d for d in self.documents if d.doc_id == doc_id), None)


def numbering_segment(text: str) -> tuple[str, str] | None:
    """``("(一)", rest)`` when text starts with one of the documents' numbering forms."""
    stripped = text.strip()
    for pattern, template in _NUMBERING:
        match = pattern.match(stripped)
        if match:
            return template.format(n=match.group("n")), stripped[match.end() :].strip()
    return None


def split_front_matter(text: str, origin: str) -> tuple[dict[str, object], str]:
    """Separate the YAML front matter from the body, validating the required keys."""
    if not text.startswith("---"):
        raise CorpusError(f"{origin}：缺少文件头（以 --- 开始的 YAML 元数据）")
    parts = text.split("\n---", 1)
    if len(parts) != 2:
        raise CorpusError(f"{origin}：文件头没有以 --- 结束")
    try:
        meta = yaml.safe_load(parts[0][3:]) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{origin}：文件头不是合法的 YAML（{exc}）") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{origin}：文件头应为键值对")
    missing = [key for key in REQUIRED_FRONT_MATTER if not meta.get(key)]
    if missing:
        raise CorpusError(f"{origin}：文件头缺少字段 {', '.join(missing)}")
    if not DOC_ID.match(str(meta["doc_id"])):
        raise CorpusError(
            f"{origin}：doc_id 应为小写字母开头的字母、数字、-、_ 组合（2–41位），收到 {meta['doc_id']!r}"
        )
    return meta, parts[1].lstrip("\n")


def _paragraphs(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Yield ("heading", text with #s) or ("para", text) blocks from Markdown lines."""
    buffer: list[str] = []
    for raw in lines:
        line = raw.rstrip()
        if line.startswith("#"):
            if buffer:
                yield "para", "\n".join(buffer)
                buffer = []
            yield "heading", line
        elif not line.strip():
            if buffer:
                yield "para", "\n".join(buffer)
                buffer = []
        else:
            buffer.append(line.strip())
    if buffer:
        yield "para", "\n".join(buffer)


def parse_document(text: str, path: Path | None = None, *, strict: bool = True) -> Document:
    """Parse one Markdown document into clauses.

    ``strict`` raises on a repeated clause id (our curated corpus must have none); ingestion of
    operator files passes ``strict=False`` and repeated ids get a ``-2``, ``-3`` suffix.
    """
    origin = path.name if path else "文档"
    meta, body = split_front_matter(text, origin)
    doc_id = str(meta["doc_id"])
    title = str(meta["title"])
    edition = str(meta["edition"])
    flat_items = meta.get("item_ids") == "flat"

    root = title
    headings: list[tuple[int, str, str]] = []  # (level, text, segment)
    own_text: dict[tuple[str, ...], list[str]] = {}
    own_path: dict[tuple[str, ...], tuple[str, ...]] = {}
    order: list[tuple[str, tuple[str, ...], tuple[str, ...], str]] = []  # kind, segs, path, text

    def current() -> tuple[tuple[str, ...], tuple[str, ...]]:
        return tuple(h[2] for h in headings), (root, *(h[1] for h in headings))

    for kind, block in _paragraphs(body.splitlines()):
        if kind == "heading":
            level = len(block) - len(block.lstrip("#"))
            heading = block.lstrip("#").strip()
            if level == 1:
                root = heading
                headings.clear()
                continue
            anchor = _ANCHOR.search(heading)
            if anchor:
                heading = heading[: anchor.start()].strip()
                segment = anchor.group("seg")
            else:
                numbered = numbering_segment(heading)
                segment = numbered[0] if numbered else re.sub(r"[\s：:，,。]", "", heading)
            while headings and headings[-1][0] >= level:
                headings.pop()
            headings.append((level, heading, segment))
            continue
        segs, heading_path = current()
        anchor = _ANCHOR.search(block)
        numbered = numbering_segment(block)
        if anchor:
            item_text = block[: anchor.start()].rstrip()
            order.append(("item", (*segs, anchor.group("seg")), heading_path, item_text))
        elif numbered:
            item_segs = (numbered[0],) if flat_items else (*segs, numbered[0])
            order.append(("item", item_segs, heading_path, block))
        else:
            key = segs or (PREAMBLE_SEGMENT,)
            if key not in own_text:
                own_text[key] = []
                own_path[key] = heading_path
                order.append(("own", key, heading_path, ""))
            own_text[key].append(block)

    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for kind, segs, heading_path, item_text in order:
        body_text = "\n".join(own_text[segs]) if kind == "own" else item_text
        clause_id = f"{doc_id}#{'.'.join(segs)}"
        if clause_id in seen:
            if strict:
                raise CorpusError(f"{origin}：条款编号重复 {clause_id}，请检查编号")
            seen[clause_id] += 1
            clause_id = f"{clause_id}-{seen[clause_id]}"
        else:
            seen[clause_id] = 1
        clauses.append(
            Clause(
                clause_id=clause_id,
                doc_id=doc_id,
                title=title,
                edition=edition,
                status=str(meta["status"]),
                source=str(meta["source"]),
                heading_path=heading_path,
                text=body_text,
            )
        )
    if not clauses:
        raise CorpusError(f"{origin}：没有可用的正文内容")
    return Document(
        doc_id=doc_id,
        title=title,
        edition=edition,
        source=str(meta["source"]),
        status=str(meta["status"]),
        short_title=str(meta.get("short_title") or title),
        issuer=str(meta.get("issuer") or ""),
        region=str(meta["region"]) if meta.get("region") else None,
        path=path,
        clauses=tuple(clauses),
    )


def read_document(path: Path) -> Document:
    """One document of the server's corpus. Unreadable or malformed, it is the operator's to fix
    (CorpusInvalidError), not the user's."""
    try:
        return parse_document(path.read_text(encoding="utf-8"), path)
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusInvalidError(f"语料文件 {path.name} 无法读取（{exc}）") from exc
    except CorpusError as exc:
        raise CorpusInvalidError(exc.message) from exc


def load_corpus(corpus_dir: Path) -> Corpus:
    """Load every ``*.md`` directly under corpus_dir (sorted, so ids and hash are stable).

    The folder is the server's corpus (or a scratch copy of it with an upload in): whatever is
    wrong with it is a CorpusInvalidError. Ingest turns that back into the uploader's
    CorpusError when the upload is what broke it."""
    if not corpus_dir.is_dir():
        raise CorpusInvalidError(f"找不到语料目录：{corpus_dir}")
    documents = []
    doc_ids: dict[str, Path] = {}
    for path in sorted(corpus_dir.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            document = read_document(path)
        except CorpusInvalidError as exc:
            if isinstance(exc.__cause__, FileNotFoundError):
                continue  # renamed away since the listing (a retirement committing): as if listed after
            raise
        if document.doc_id in doc_ids:
            raise CorpusInvalidError(
                f"doc_id {document.doc_id} 在 {doc_ids[document.doc_id].name} 和 {path.name} 中重复"
            )
        doc_ids[document.doc_id] = path
        documents.append(document)
    if not documents:
        raise CorpusInvalidError(f"语料目录 {corpus_dir} 中没有文档")
    try:
        return Corpus(documents)
    except CorpusError as exc:  # a clause id repeated across documents
        raise CorpusInvalidError(exc.message) from exc
