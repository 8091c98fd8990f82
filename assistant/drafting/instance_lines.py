"""The 附件4 instance lines of a written draft: finding them, and judging each one.

A line is ``环节名—场景名—实例名`` (form#示例). Finding them is forgiving (numbering, the
example's markers, dash variants, the seed's OCR "一" for "—", the same instance repeated in the
list, a heading and the 附件4 row); judging each is checking its names against the edition's
catalog with the lookup the drafter uses (``names``). Split from ``review`` because
this is the part of a review that knows the catalog; the rest reads text and figures.
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from assistant.drafting.declaration import declaration_of
from assistant.drafting.findings import Finding, instance_name_findings
from assistant.drafting.names import draft_match, draft_name_note, look_up
from assistant.drafting.reading import Block
from assistant.drafting.wording import DASH_VARIANTS, SEP
from assistant.knowledge.scenarios import ScenarioCatalog, normalise_name
from assistant.rules import RuleSet
from assistant.vocabulary import Severity


class ReviewedInstance(BaseModel):
    line: str
    segment: str | None = None
    scenario: str | None = None
    instance_name: str | None = None
    link: str | None = None


_NUMBERING = re.compile(r"^\s*(?:\d{1,2}\s*[.．、)）]|[(（]\s*\d{1,2}\s*[)）]|[①-⑳])\s*")
_CAPTION = re.compile(r"环节名?\s*[—―－–-]+\s*场景名?\s*[—―－–-]+\s*实例名?")
_SLASHES = re.compile(r"\s*[/／]\s*")
_MARKERS = re.compile(r"[(（]\s*(环节名|场景名|实例名)\s*[)）]")
#: The 环节—场景—实例 separators; an ASCII hyphen only between words of Chinese or with spaces,
#: not inside "AOI-AI" or "-20℃".
_SEPARATOR = re.compile(r"\s*(?:——|[—―－–]|(?<![A-Za-z\d])-(?!\d)|(?<=[A-Za-z])-(?![A-Za-z\d]))\s*")


#: A line shaped like an instance entry whatever its first part: three short dash-separated parts.
_INSTANCE_SHAPE = re.compile(
    r"^[^，。；;,：:|]{2,12}\s*(?:——|[—―－–])\s*[^，。；;,：:|]{2,24}\s*(?:——|[—―－–])\s*[^，。；;,：:|]{2,40}$"
)


#: A numbered entry of two dash-separated parts ("5. 智能仓储—AGV与立库协同的成品自动入库"): an
#: instance line missing a part, reported rather than dropped.
_TWO_PART_SHAPE = re.compile(r"^[^，。；;,：:|]{2,8}\s*(?:——|[—―－–])\s*[^，。；;,：:|—―－–]{6,40}$")


def _instance_candidates(
    blocks: list[Block], catalog: ScenarioCatalog, edition: str, unknown: list[str] | None = None
) -> list[str]:
    """Lines that look like 附件4 instance entries: their first part names a 环节 (of this
    edition, any edition, or one of the five links), followed by a separator. Lines of the
    same three-part shape whose first part is no 环节 at all go to ``unknown`` (reported, never
    dropped silently)."""
    names = {s for e in catalog.editions.values() for s in e.segments} | set(catalog.links)
    names |= set(catalog.link_synonyms)
    lines: list[tuple[str, str]] = []
    for block in blocks:
        texts = [block.text] if block.cells is None else [t for c in block.cells for t in c.split("\n")]
        if (row := _table_row_line(block)) is not None:
            texts = [row]
        for text in texts:
            numbered = _NUMBERING.match(text.strip())
            number = re.sub(r"\D", "", numbered.group(0)) if numbered else ""
            body = _NUMBERING.sub("", text.strip())
            if _CAPTION.search(body):
                continue  # "场景实例（环节—场景—实例）": the list's caption, not an entry
            head = _MARKERS.sub("", body)
            for name in sorted(names, key=len, reverse=True):
                if head.startswith(name):
                    rest = head[len(name) :].lstrip()
                    if rest[:1] and (rest[0] in DASH_VARIANTS + "/／" or rest[0] == "一"):
                        lines.append((number, body))
                    break
            else:
                shaped = _INSTANCE_SHAPE.match(head) or (numbered and _TWO_PART_SHAPE.match(head))
                if unknown is not None and shaped and body not in unknown:
                    unknown.append(body)
    # The same instance appears in the list, as a heading in 具体场景建设情况 and in the 附件4
    # row: one numbered instance is one entry (the first seen), even where the copies differ.
    seen: set[str] = set()
    unique = []
    for number, line in lines:
        key = f"{number}|{normalise_name(_SEPARATOR.split(line)[-1])}" if number else normalise_name(line)
        if key not in seen:
            seen.add(key)
            unique.append(line)
    return unique


def _table_row_line(block: Block) -> str | None:
    """A row of an instance table (columns 环节, 场景, 实例) as its "环节—场景—实例" line, an
    empty cell left empty so the line's check says which part is missing; None for other rows."""
    if block.cells is None or block.header is None:
        return None
    columns = [
        next((i for i, h in enumerate(block.header) if key in h), None) for key in ("环节", "场景", "实例")
    ]
    if any(c is None or c >= len(block.cells) for c in columns) or len(set(columns)) < 3:
        return None  # not three columns (one "环节名—场景名—实例名" column is read as a line)
    parts = [block.cells[c].strip() for c in columns if c is not None]
    return SEP.join(parts) if parts[0] else None


def _ocr_dashes(line: str, catalog: ScenarioCatalog) -> str:
    """The seed's own OCR turns "—" into "一": after a known 环节 name, and after a known scenario
    name that follows it, read "一" as the separator (the separator finding then says so)."""
    segments = sorted({*catalog.links, *(s for e in catalog.editions.values() for s in e.segments)}, key=len)
    scenarios = sorted({s for e in catalog.editions.values() for s in e.scenarios}, key=len)
    for name in reversed(segments):
        if line.startswith(name + "一"):
            line = name + "－" + line[len(name) + 1 :]
            rest = line[len(name) + 1 :]
            for scenario in reversed(scenarios):
                if rest.startswith(scenario + "一"):
                    line = line[: len(name) + 1] + scenario + "－" + rest[len(scenario) + 1 :]
                    break
            break
    return line


def _review_instance(
    line: str,
    catalog: ScenarioCatalog,
    edition: str,
    findings: list[Finding],
    notes: list[tuple[str, str, str]],
    rules: RuleSet,
) -> ReviewedInstance:
    """One line judged: its form against the round's form example, its names against the
    edition's catalog, its instance name as the drafter judges one."""
    ed = catalog.edition(edition)
    example = declaration_of(rules).form.example_clause_id
    result = ReviewedInstance(line=line)

    def flag(severity: Severity, code: str, message: str, clause_ids: list[str]) -> None:
        findings.append(
            Finding(severity=severity, code=code, message=message, clause_ids=clause_ids, excerpt=line)
        )

    def add(finding: Finding | None) -> None:
        if finding is not None:
            findings.append(finding)

    if _MARKERS.search(line):
        flag(
            "建议修改",
            "instance_markers",
            "附件4示例中的“(环节名)(场景名)(实例名)”只是说明各部分含义，正式填写时应去掉。",
            [example],
        )
    plain = _MARKERS.sub("", line)
    plain = _ocr_dashes(plain, catalog)
    if not _SEPARATOR.search(plain) and _SLASHES.search(plain):
        plain = _SLASHES.sub("－", plain)  # "生产作业/场景/实例": read, and the separator finding says so
    separators = set(_SEPARATOR.findall(plain))
    if any(s.strip() != SEP for s in separators):
        flag("提示", "instance_separator", "各部分之间建议统一使用附件4示例中的破折号“—”。", [example])
    parts = [p.strip() for p in _SEPARATOR.split(plain)]
    # More than three parts is an instance name with dashes of its own ("涂布—辊压—分切全流程…"):
    # still read, and the name's check says to write it without them.
    if len(parts) < 3 or not all(parts):
        flag(
            "必须修改",
            "instance_format",
            f"“{line}”不是“环节名—场景名—实例名”三段式：缺少场景名或实例名。",
            [example],
        )
        if len(parts) < 2:
            return result
    segment_text, scenario_text = parts[0], parts[1]
    instance_name = SEP.join(parts[2:]) if len(parts) > 2 else ""
    result.instance_name = instance_name or None

    segment = look_up(catalog, segment_text, edition, "segment")
    link: str | None = None
    if segment.draft is not None:
        result.segment, link = segment.draft[0].name, segment.draft[0].link
        notes.append((str(segment.draft[0].name), "环节", segment.draft[1]))
    elif segment.match.confident:
        result.segment, link = segment.match.name, segment.match.link
        add(segment.correction(ed, corrected=False, excerpt=line))
    elif catalog.canonical_link(segment_text):
        link = catalog.canonical_link(segment_text)
        flag("建议修改", "segment_is_link", segment.match.message, [ed.status_clause_id])
    else:
        add(segment.not_found([ed.status_clause_id], excerpt=line))

    if ed.has_scenarios:
        scenario = look_up(catalog, scenario_text, edition, "scenario", drafts=False)
        if scenario.match.confident:
            result.scenario, link = scenario.match.name, scenario.match.link
            add(scenario.correction(ed, corrected=False, excerpt=line))
            in_segment = scenario.match.segment
            if result.segment and in_segment and result.segment != in_segment:
                flag(
                    "建议修改",
                    "segment_mismatch",
                    f"场景“{scenario.match.name}”在{edition}年版指引中属于“{in_segment}”环节，"
                    f"不属于“{result.segment}”。",
                    [ed.segments[in_segment].clause_id],
                )
        else:
            add(scenario.not_found([example, ed.status_clause_id], excerpt=line))
    else:
        result.scenario = scenario_text
        other_scenario = draft_match(catalog, scenario_text, edition, "scenario")
        if other_scenario is not None and other_scenario[0].name:
            result.scenario = other_scenario[0].name
            link = link or other_scenario[0].link
            notes.append((other_scenario[0].name, "场景", other_scenario[1]))
    result.link = link
    if instance_name:
        for finding in instance_name_findings(instance_name, rules, result.scenario, result.segment):
            finding.excerpt = line
            findings.append(finding)
    return result


def review_instances(
    blocks: list[Block], catalog: ScenarioCatalog, edition: str, rules: RuleSet
) -> tuple[list[ReviewedInstance], list[Finding]]:
    """Every instance line of the document, judged, with its findings: the lines' own, then one
    提示 per name taken from a consultation draft, then the three-part lines naming no 环节 at all."""
    ed = catalog.edition(edition)
    findings: list[Finding] = []
    unknown: list[str] = []
    notes: list[tuple[str, str, str]] = []
    lines = _instance_candidates(blocks, catalog, edition, unknown)
    instances = [_review_instance(line, catalog, edition, findings, notes, rules) for line in lines]
    findings += [draft_name_note(name, what, other, edition) for name, what, other in notes]
    for line in unknown:
        head = _SEPARATOR.split(line)[0]
        instances.append(ReviewedInstance(line=line))
        findings.append(
            Finding(
                severity="必须修改",
                code="instance_unrecognised",
                message=f"“{line}”像是场景实例行，但“{head}”不是{edition}年版指引的环节名，"
                "未能归入任何环节；请按“环节名—场景名—实例名”改写。",
                clause_ids=[declaration_of(rules).form.example_clause_id, ed.status_clause_id],
                excerpt=head,
            )
        )
    return instances, findings
