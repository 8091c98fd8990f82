"""Give cleaned text the corpus's Markdown structure, so the clause splitter can number it.

The third step of ingestion (see ``ingest``): front matter, ``# title``, ``##`` for ``一、``
sections, ``###`` for ``(一)`` subsections, one paragraph per line so that ``1.``/``(一)``/``[1]``
items become clauses of their own. Structure is recovered from the numbering printed in the
text, as the clause splitter does, so ids of an ingested document look like those of the
curated ones (``guide2025#二.(一).3``). Kept apart from cleaning because these decisions are
about the corpus conventions of ``corpus.py``, not about extraction artefacts.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import yaml

from assistant.errors import CorpusError
from assistant.knowledge.cleanup import TITLE_MAX_WIDTH, display_width
from assistant.knowledge.corpus import REQUIRED_FRONT_MATTER, parse_document
from assistant.language import FULL_STOPS, SEMICOLONS

_SECTION = re.compile(r"^[一二三四五六七八九十]+、")
_SUBSECTION = re.compile(r"^[(（]\s*[一二三四五六七八九十]+\s*[)）]")
#: A heading ends no sentence: a line holding a sentence end (semicolons included) is text.
_HEADING_STOP = re.compile(f"[{re.escape(FULL_STOPS + SEMICOLONS)}]")
# "一、总体要求。正文……": the heading is the lead phrase, the rest is the section's text.
_SECTION_LEAD = re.compile(r"^([一二三四五六七八九十]+、[^。；：:．.]{1,30}[。：:．.])\s*(\S.*)$")
_SECTION_MAX_WIDTH = 40
_SUBSECTION_MAX_WIDTH = 30
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)


def to_markdown(
    text: str,
    *,
    doc_id: str,
    title: str,
    edition: str,
    source: str,
    status: str,
    markdown: bool = False,
    region: str | None = None,
) -> str:
    """Write a corpus document: front matter, ``# title``, then the body.

    Plain text (``markdown=False``): lines starting ``一、`` become ``##`` headings and short
    lines starting ``(一)`` ``###`` headings when text follows them (numbered items, or the
    section's prose as in corpus/plan.md); siblings are decided together so that one odd line
    cannot nest its neighbours (see _section_headings). Every other line is a paragraph, so
    ``1.``/``(一)``/``[1]`` lines become clauses. The title line is not repeated in the body.

    Markdown (``markdown=True``, or any text that opens with front matter): the body is kept
    as written and only the front matter is (re)written; extra keys of an existing front matter
    (short_title, issuer, region, item_ids) are kept because they change how clauses are cut.
    """
    meta: dict[str, object] = {}
    body = text.lstrip("\ufeff")
    found = _FRONT_MATTER.match(body)
    if found:
        try:
            loaded = yaml.safe_load(found.group(1)) or {}
        except yaml.YAMLError as exc:
            loaded = exc
        looks_like_ours = isinstance(loaded, dict) and any(key in loaded for key in REQUIRED_FRONT_MATTER)
        if markdown and not isinstance(loaded, dict):
            raise CorpusError(f"{title}：原有文件头（--- 之间）不是合法的 YAML 键值对（{loaded}）")
        if isinstance(loaded, dict) and (markdown or looks_like_ours):
            # A text file that merely starts with a --- rule is left alone.
            meta = {str(k): v for k, v in loaded.items()}
            body = body[found.end() :]
            markdown = True
    given = {"doc_id": doc_id, "title": one_line(title), "edition": str(edition)}
    given |= {"source": source, "status": status}
    if region and region.strip():
        given["region"] = region.strip()
    meta = given | {k: v for k, v in meta.items() if k not in given}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=10_000).strip()
    rendered = _markdown_body(body, meta["title"]) if markdown else _plain_body(body, given["title"])
    return f"---\n{front}\n---\n\n{rendered.strip()}\n"


def one_line(text: str) -> str:
    """Whitespace runs (line breaks included) as one space: how a title is stored."""
    return " ".join(text.split())


def _markdown_body(body: str, title: object) -> str:
    """Keep an authored body; give it a ``# title`` if it has none before its first text."""
    for line in body.splitlines():
        if not line.strip():
            continue
        if line.startswith("# "):
            return body
        break
    return f"# {title}\n\n{body.strip()}"


def _plain_body(text: str, title: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if lines and _compact(lines[0]) == _compact(title):
        lines = lines[1:]  # the title is the "# " line already
    section_headings = _section_headings(lines)
    subsection_headings = _subsection_headings(lines)
    blocks = [f"# {title}"]
    for index, line in enumerate(lines):
        if index in section_headings:
            lead = _SECTION_LEAD.match(line) if not _is_heading_sized(line, _SECTION_MAX_WIDTH) else None
            blocks.extend([f"## {lead.group(1)}", _paragraph(lead.group(2))] if lead else [f"## {line}"])
        elif index in subsection_headings:
            blocks.append(f"### {line}")
        else:
            blocks.append(_paragraph(line))
    return "\n\n".join(blocks)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lstrip("#")


def _is_heading_sized(line: str, max_width: int) -> bool:
    return display_width(line) <= max_width and not _HEADING_STOP.search(line)


def _section_headings(lines: list[str]) -> set[int]:
    """Indexes of the ``一、`` lines that become ``##`` headings.

    All or none: a ``一、`` line left as a paragraph would nest under the previous section and
    get an id like ``一.二``. None when no such line has text under it: then they are a list
    (一、营业执照 二、财务报表), each line a clause of its own. A long line becomes a heading
    too; its lead phrase (``一、总体要求。``) is the heading and the rest its first paragraph.
    """
    indexes = [i for i, line in enumerate(lines) if _SECTION.match(line)]
    with_content = [i for i in indexes if i + 1 < len(lines) and not _SECTION.match(lines[i + 1])]
    return set(indexes) if with_content else set()


def _subsection_headings(lines: list[str]) -> set[int]:
    """Indexes of the ``(一)`` lines that become ``###`` headings, decided per section.

    Within one ``一、`` section the ``(一)(二)…`` siblings are all headings or all paragraphs,
    for the same reason as the sections: headings when every one is short and some have text
    under them (``(一)建设内容`` then items, ``(一)指导思想`` then prose, as in corpus/plan.md);
    paragraphs when any is a sentence (``(一)鼓励制造业企业……。``), so each is a clause.
    """
    chosen: set[int] = set()
    group: list[int] = []

    def close_group() -> None:
        short = all(_is_heading_sized(lines[i], _SUBSECTION_MAX_WIDTH) for i in group)
        has_content = any(
            i + 1 < len(lines) and not (_SECTION.match(lines[i + 1]) or _SUBSECTION.match(lines[i + 1]))
            for i in group
        )
        if group and short and has_content:
            chosen.update(group)
        group.clear()

    for index, line in enumerate(lines):
        if _SECTION.match(line):
            close_group()
        elif _SUBSECTION.match(line):
            group.append(index)
    close_group()
    return chosen


def _paragraph(line: str) -> str:
    """A body line; one starting with ``#`` gets a leading space so the splitter (which checks
    the unstripped line) reads it as text, while the clause keeps the exact text."""
    return f" {line}" if line.startswith("#") else line


def with_restarting_numbering(markdown_text: str, target: Path) -> str:
    """The document, parsed strictly; when numbering repeats (real notices restart 1. 2. 3.
    under each 一、 and (一) written as plain paragraphs), those paragraphs become headings so
    the items get ids like ``liaoning#二.2``, never a duplicate."""
    if _parses_without_repeats(markdown_text, target):
        return markdown_text
    found = _FRONT_MATTER.match(markdown_text)
    head, body = (
        (markdown_text[: found.end()], markdown_text[found.end() :]) if found else ("", markdown_text)
    )
    for pattern, marks, width in (
        (_SECTION, "##", _SECTION_MAX_WIDTH),
        (_SUBSECTION, "###", _SUBSECTION_MAX_WIDTH),
    ):
        body = "\n\n".join(_promoted(body.split("\n\n"), pattern, marks, width))
        if _parses_without_repeats(head + body, target):
            return head + body
    parse_document(head + body, target)  # raises the duplicate the promotion could not resolve
    return head + body


def _parses_without_repeats(markdown_text: str, target: Path) -> bool:
    """True when the document parses strictly, False when only its numbering repeats; any
    other fault is raised as it is, since promoting headings cannot fix it."""
    try:
        parse_document(markdown_text, target)
    except CorpusError as exc:
        if "条款编号重复" not in exc.message:
            raise
        return False
    return True


def _promoted(blocks: list[str], pattern: re.Pattern[str], marks: str, width: int) -> list[str]:
    """The paragraphs that start with ``pattern``'s numbering as headings: whole when short, the
    lead phrase as heading and the rest as text when a ``一、`` line runs on."""
    out: list[str] = []
    for block in blocks:
        line = block.strip()
        if "\n" in line or not pattern.match(line):
            out.append(block)
        elif _is_heading_sized(line, width):
            out.append(f"{marks} {line}")
        elif pattern is _SECTION and (lead := _SECTION_LEAD.match(line)):
            out.extend([f"{marks} {lead.group(1)}", lead.group(2)])
        else:
            out.append(block)
    return out


def default_title(text: str, src: Path) -> str:
    """The first non-empty line, which in official documents is the title; the file name when
    that line is a paragraph rather than a title, or a Markdown file's own title."""
    found = _FRONT_MATTER.match(text.lstrip("\ufeff"))
    if found:
        with contextlib.suppress(yaml.YAMLError):
            loaded = yaml.safe_load(found.group(1))
            if isinstance(loaded, dict) and str(loaded.get("title") or "").strip():
                return one_line(str(loaded["title"]))
        text = text.lstrip("\ufeff")[found.end() :]
    for line in text.splitlines():
        candidate = one_line(line.lstrip("#"))
        if candidate:
            return candidate if display_width(candidate) <= TITLE_MAX_WIDTH else src.stem
    return src.stem
