"""The drafter's output: a Draft with its instance lines, sections, 附件4 row and findings."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from assistant.drafting.findings import Finding
from assistant.drafting.wording import PLACEHOLDER_RE
from assistant.knowledge.scenarios import MatchResult


class InstanceLine(BaseModel):
    """One 附件4 entry: the three names and the formatted line."""

    index: int
    segment: str
    scenario: str
    instance_name: str
    link: str | None = None
    line: str
    match: MatchResult | None = None


class Table(BaseModel):
    headers: list[str]
    rows: list[list[str]]


class Subsection(BaseModel):
    key: str
    title: str
    paragraphs: list[str]
    table: Table | None = None
    #: Paragraphs that must survive polishing verbatim (the instance lines as headings).
    fixed: list[str] = []


class Section(BaseModel):
    key: str
    title: str
    clause_id: str
    subsections: list[Subsection]


class FormRow(BaseModel):
    """A row of 附件4's 卓越级智能工厂项目推荐汇总表."""

    index: int = 1
    enterprise: str
    project_name: str
    instances: str
    contact_name: str
    contact_mobile: str

    def cells(self) -> list[str]:
        return [
            str(self.index),
            self.enterprise,
            self.project_name,
            self.instances,
            self.contact_name,
            self.contact_mobile,
        ]


FORM_HEADERS = [
    "序号",
    "申报单位名称",
    "卓越级智能工厂项目名称",
    "涉及典型场景实例(罗列)",
    "联系人",
    "联系方式(手机号)",
]


class Draft(BaseModel):
    """The drafted parts of a declaration and the checks on them."""

    enterprise: str
    project_name: str
    target_tier: str
    round: str = ""
    edition: str
    edition_status: str
    mode: Literal["template", "llm"] = "template"
    instances: list[InstanceLine]
    links_covered: list[str]
    sections: list[Section]
    form_row: FormRow
    checks: list[Finding]
    notes: list[str] = []

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.text())

    def section_text(self) -> str:
        """The sections of 附件3 as plain structured text (what the LLM polishes and DOCX shows)."""
        out: list[str] = []
        for section in self.sections:
            out.append(f"{section.key}、{section.title}")
            for sub in section.subsections:
                if sub.title:
                    out.append(f"{sub.key}{sub.title}")
                out.extend(sub.paragraphs)
                if sub.table:
                    out.append(" | ".join(sub.table.headers))
                    out.extend(" | ".join(row) for row in sub.table.rows)
        return "\n".join(out)

    def text(self) -> str:
        """The whole draft as Markdown: instance lines, 附件3 parts one to four, the 附件4 row."""
        out = [f"# {self.project_name}", ""]
        out.append(f"申报单位：{self.enterprise}　目标层级：{self.target_tier}")
        out += ["", "## 涉及典型场景实例（附件4格式）", ""]
        out += [f"{i.index}.{i.line}" for i in self.instances]
        for section in self.sections:
            out += ["", f"## {section.key}、{section.title}"]
            for sub in section.subsections:
                out += ["", f"### {sub.key}{sub.title}", ""] if sub.title else [""]
                for paragraph in sub.paragraphs:
                    out += [paragraph, ""]
                if sub.table:
                    out.append("| " + " | ".join(sub.table.headers) + " |")
                    out.append("|" + "---|" * len(sub.table.headers))
                    out += [
                        "| " + " | ".join(c.replace("\n", " ") for c in row) + " |" for row in sub.table.rows
                    ]
                    out.append("")
        out += ["", "## 附件4 推荐汇总表（本项目）", ""]
        out.append("| " + " | ".join(FORM_HEADERS) + " |")
        out.append("|" + "---|" * len(FORM_HEADERS))
        out.append("| " + " | ".join(c.replace("\n", "<br>") for c in self.form_row.cells()) + " |")
        return "\n".join(out).rstrip() + "\n"
