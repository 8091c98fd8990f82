"""The checker's output: a CheckReport and the results it is made of (docs/contracts.md).

Output models ignore unknown keys and only ever gain fields (add, never rename), so a reader of
an older version accepts newer reports.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from assistant.rules.profile import Category, GapStatus
from assistant.vocabulary import Status, Tier


class _ReportModel(BaseModel):
    """Output models ignore unknown keys, so a reader of an older version accepts reports that
    carry fields added later (docs/contracts.md: add, never rename)."""

    model_config = ConfigDict(extra="ignore")


class RequirementResult(_ReportModel):
    """One requirement judged: status, a Chinese reason and the clauses it comes from."""

    id: str
    status: Status
    reason: str
    clause_ids: list[str]
    title: str = ""
    category: Category | None = None
    #: The field that decided the status (the first one read when met).
    field: str | None = None
    #: Every profile field the requirement reads.
    fields: list[str] = Field(default_factory=list)
    #: The fields whose absence makes the status unknown: what to ask the enterprise.
    missing_fields: list[str] = Field(default_factory=list)
    principle: bool = False
    #: What to do about it; empty when met.
    action: str = ""
    #: How it is judged (the rules' ``kind``): ``tier_status`` restates a tier's own verdict.
    kind: str = "checks"


class TierResult(_ReportModel):
    """A tier's requirements and its status."""

    #: Cumulative: no better than the tier below.
    status: Status
    requirements: list[RequirementResult]
    #: The worst of this tier's own requirements, before the cumulative rule.
    own_status: Status | None = None
    clause_ids: list[str] = Field(default_factory=list)


class Gap(_ReportModel):
    """A requirement of a next tier that is not met yet, with what to do about it."""

    tier: Tier
    id: str
    status: GapStatus
    reason: str
    field: str | None
    clause_ids: list[str]
    title: str = ""
    action: str = ""
    category: Category | None = None
    missing_fields: list[str] = Field(default_factory=list)


class Deadline(_ReportModel):
    """A date of the round's schedule, judged against the as-of date."""

    who: str
    date: dt.date
    passed: bool
    id: str = ""
    clause_ids: list[str] = Field(default_factory=list)
    window: bool = False


class Quota(_ReportModel):
    """A recommender's ceiling on recommended projects (information, not a requirement)."""

    who: str
    max_projects: int
    id: str = ""


class Note(_ReportModel):
    """Information for the applicant that is not a verdict (window, copies, priority, quotas)."""

    id: str
    text: str
    clause_ids: list[str] = Field(default_factory=list)


class ApplicationResult(_ReportModel):
    """The round's 卓越级 application: eligibility (status), schedule, quotas, regional overlay."""

    round: str
    status: Status
    requirements: list[RequirementResult]
    deadlines: list[Deadline]
    region_overlay: str | None = None
    window_open: bool = True
    window_message: str = ""
    quotas: list[Quota] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    clause_ids: list[str] = Field(default_factory=list)


class CheckReport(_ReportModel):
    """The docs/contracts.md report; fields after ``application`` are optional additions."""

    edition: str
    as_of: dt.date
    highest_tier: Tier | None
    reachable_tier: Tier | None
    tiers: dict[Tier, TierResult]
    gaps: list[Gap]
    application: ApplicationResult
    summary: str = ""
    #: Every field whose absence leaves a requirement unknown, in report order: what to ask next.
    missing_fields: list[str] = Field(default_factory=list)
