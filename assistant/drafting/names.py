"""A 环节 or 场景 name as a person wrote it, looked up in the guide: one lookup for the drafter
(``resolve``, names typed into a spec) and the review (``instance_lines``, names in a written
draft), so both accept the same names and say the same about them.

The lookup is the round's own edition first; failing that, a consultation draft (the 2025
征求意见稿 seen from the 2024 round), whose names are accepted with a 提示. What differs between
the two callers is only what they say about a name written otherwise than the guide: the
drafter has already put the guide's name into the draft (``corrected``: a 提示), the review asks
the author to (建议修改). A finding points at a spec field (drafter) or at the line (review).
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.drafting.findings import Finding
from assistant.knowledge.scenarios import Edition, MatchKind, MatchResult, ScenarioCatalog
from assistant.vocabulary import Severity

#: What the review asks of a name the guide writes otherwise, per kind.
_ASK_GUIDE_NAME = {"segment": "环节应写指引中的名称：", "scenario": "场景名应与指引一致："}


@dataclass
class NameLookup:
    """``match``: the name in the round's own edition; ``draft``: a confident match in a
    consultation draft with that edition's key, looked for only when ``match`` is not confident."""

    kind: MatchKind
    match: MatchResult
    draft: tuple[MatchResult, str] | None = None

    def correction(
        self, ed: Edition, *, corrected: bool, field: str | None = None, excerpt: str | None = None
    ) -> Finding | None:
        """The finding on a name the own edition knows under another form (alias, fuzzy, a name
        contained in the text); None for the guide's exact name or a name it does not know."""
        match = self.match
        if not match.confident or match.status == "exact":
            return None
        clause_ids = [ed.segments[match.segment].clause_id] if match.segment else []
        severity: Severity = "提示" if corrected else "建议修改"
        code = f"{self.kind}_matched" if corrected else f"{self.kind}_name"
        message = f"已将{match.message}" if corrected else _ASK_GUIDE_NAME[self.kind] + match.message
        return Finding(
            severity=severity, code=code, message=message, clause_ids=clause_ids, field=field, excerpt=excerpt
        )

    def not_found(
        self, clause_ids: list[str], *, field: str | None = None, excerpt: str | None = None
    ) -> Finding:
        """The 必须修改 for a name the edition does not hold (the match's message lists candidates)."""
        return Finding(
            severity="必须修改",
            code=f"{self.kind}_not_in_catalog",
            message=self.match.message,
            clause_ids=clause_ids,
            field=field,
            excerpt=excerpt,
        )


def look_up(
    catalog: ScenarioCatalog, text: str, edition: str, kind: MatchKind, *, drafts: bool = True
) -> NameLookup:
    """``text`` as a ``kind`` of ``edition``; with ``drafts``, also in a consultation draft when
    ``edition`` has no confident match."""
    match = catalog.match(text, edition, kind=kind)
    draft = draft_match(catalog, text, edition, kind) if drafts and not match.confident else None
    return NameLookup(kind, match, draft)


def draft_match(
    catalog: ScenarioCatalog, text: str | None, edition: str, kind: MatchKind
) -> tuple[MatchResult, str] | None:
    """A confident match of ``text`` in another edition that is a consultation draft (the 2025
    征求意见稿 seen from the 2024 round), with that edition's key; None when there is none."""
    if not text:
        return None
    for key in sorted(catalog.editions, reverse=True):
        other = catalog.edition(key)
        if key == edition or not other.is_draft:
            continue
        match = catalog.match(text, key, kind=kind)
        if match.confident and match.name:
            return match, key
    return None


def draft_name_note(
    name: str,
    what: str,
    draft_edition: str,
    edition: str,
    field: str | None = None,
    said: str | None = None,
) -> Finding:
    """The 提示 that a name comes from a consultation draft, not from the round's own guide.
    When the user's words (``said``, "AI质检") are not that name, the note says which words
    became it: the draft writes 在线智能检测 where the form showed AI质检, and a mapping the user
    cannot see would be a silent remap."""
    mapped = bool(said) and said != name
    shown = f"“{said}”→{name}" if mapped else name
    named = f"{what}“{said}”按征求意见稿对应为“{name}”，该名称" if mapped else f"{what}名“{name}”"
    return Finding(
        severity="提示",
        code="draft_edition_name",
        message=f"{named}取自《智能制造典型场景参考指引({draft_edition}年版)》征求意见稿；"
        f"本轮申报参考{edition}年版指引，该名称可以沿用，提交前请对照正式文本核实。",
        clause_ids=[f"guide{draft_edition}#说明"],
        field=field,
        excerpt=shown,
    )


def merge_draft_notes(findings: list[Finding], edition: str) -> list[Finding]:
    """All ``draft_edition_name`` notes as one 提示 listing the names, in order of appearance."""
    notes = [f for f in findings if f.code == "draft_edition_name"]
    if len(notes) <= 1:
        return findings
    names = list(dict.fromkeys(f.excerpt or "" for f in notes))
    clause_ids = list(dict.fromkeys(c for f in notes for c in f.clause_ids))
    draft_editions = "、".join(c.removeprefix("guide").removesuffix("#说明") for c in clause_ids)
    merged = Finding(
        severity="提示",
        code="draft_edition_name",
        message=f"以下名称取自《智能制造典型场景参考指引({draft_editions}年版)》征求意见稿：{'、'.join(names)}；"
        f"本轮申报参考{edition}年版指引，这些名称可以沿用，提交前请对照正式文本核实。",
        clause_ids=clause_ids,
    )
    first = findings.index(notes[0])
    rest = [f for f in findings if f.code != "draft_edition_name"]
    return [*rest[:first], merged, *rest[first:]]
