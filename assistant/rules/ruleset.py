"""The rules of an edition: which field, which threshold, which clause, 原则上 or not, the reason.

They are data in ``corpus/rules/<edition>.yaml``, so a later round is a new file, not new code.
``load_rules`` reads and validates one; a typo in the YAML fails loudly, not silently.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterator, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from assistant.errors import RulesInvalidError, UnknownEditionError
from assistant.rules.profile import ENUM_VALUES, FIELD_LABELS, ORDINAL_SCALES, SECTIONS, Category
from assistant.vocabulary import TIERS, Tier

_REASON_PLACEHOLDERS = frozenset(
    {
        "value",
        "threshold",
        "label",
        "field",
        "failed",
        "missing",
        "tier",
        "industry",
        "branch_industries",
        "detail",
    }
)
_WINDOW_PLACEHOLDERS = frozenset({"round", "who", "date", "as_of", "days", "edition"})
_KIND_REASONS: dict[str, tuple[str, ...]] = {
    "checks": ("met", "unknown"),
    "legal_form": ("met", "met_branch", "unknown", "unknown_branch", "unknown_industry"),
    "tier_status": ("met", "not_met", "unknown", "conditional"),
}


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CheckSpec(_RuleModel):
    """One test on one profile field: ``is`` a boolean, ``at_least`` an ordinal, or ``one_of``."""

    field: str
    is_: bool | None = Field(default=None, alias="is")
    at_least: int | str | None = None
    one_of: list[str] | None = None

    @model_validator(mode="after")
    def _one_test(self) -> CheckSpec:
        tests = [t for t in (self.is_, self.at_least, self.one_of) if t is not None]
        if len(tests) != 1:
            raise ValueError(f"检查项 {self.field} 应且只应有 is / at_least / one_of 之一")
        if self.field not in FIELD_LABELS or self.field in SECTIONS:
            raise ValueError(f"未知的画像字段 {self.field}")
        if self.at_least is not None:
            scale = ORDINAL_SCALES.get(self.field)
            if scale is None or self.at_least not in scale:
                raise ValueError(f"{self.field} 的阈值 {self.at_least!r} 不在其取值序列中")
        if self.one_of is not None:
            allowed = ENUM_VALUES.get(self.field, ())
            bad = [v for v in self.one_of if v not in allowed]
            if bad:
                raise ValueError(f"{self.field} 的取值 {bad} 不在允许值 {list(allowed)} 中")
        return self


class RequirementSpec(_RuleModel):
    """A requirement: where it comes from, what it reads, how it is judged and what to say."""

    id: str
    title: str
    category: Category
    clause_ids: list[str] = Field(min_length=1)
    kind: Literal["checks", "legal_form", "tier_status"] = "checks"
    checks: list[CheckSpec] = Field(default_factory=list)
    principle: bool = False
    tier: Tier | None = None
    branch_industries: list[str] = Field(default_factory=list)
    reasons: dict[str, str]
    action: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> RequirementSpec:
        needed = list(_KIND_REASONS[self.kind])
        if self.kind == "checks":
            needed.append("conditional" if self.principle else "not_met")
        missing = [key for key in needed if key not in self.reasons]
        if missing:
            raise ValueError(f"要求 {self.id} 缺少理由模板 {missing}")
        if self.kind in {"checks", "legal_form"} and not self.checks:
            raise ValueError(f"要求 {self.id} 没有检查项")
        if self.kind == "tier_status" and self.tier is None:
            raise ValueError(f"要求 {self.id} 需指定 tier")
        if self.kind == "legal_form" and not self.branch_industries:
            raise ValueError(f"要求 {self.id} 需列出允许分支机构申报的行业 branch_industries")
        for text in [*self.reasons.values(), self.action]:
            _validate_template(text, _REASON_PLACEHOLDERS, self.id)
        return self

    @property
    def fields(self) -> list[str]:
        paths = [c.field for c in self.checks]
        if self.kind == "legal_form":
            paths.append("enterprise.industry")
        return paths


class TierSpec(_RuleModel):
    name: Tier
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> TierSpec:
        ids = [r.id for r in self.requirements]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"{self.name} 中要求编号重复：{duplicates}")
        return self


class DeadlineSpec(_RuleModel):
    id: str
    who: str
    date: dt.date
    clause_ids: list[str] = Field(min_length=1)
    #: True for the enterprise's own submission deadline, the one that closes the window.
    window: bool = False


class QuotaItemSpec(_RuleModel):
    id: str
    who: str
    max_projects: int = Field(ge=1)
    #: Words by which an asker names this recommender ("兵团", "宁波"): the quota asked is theirs.
    known_as: list[str] = Field(default_factory=list)


class QuotaSpec(_RuleModel):
    clause_ids: list[str] = Field(min_length=1)
    items: list[QuotaItemSpec]
    note: str


class NoteSpec(_RuleModel):
    id: str
    text: str
    clause_ids: list[str] = Field(min_length=1)


class PrioritySpec(_RuleModel):
    """A priority consideration (同等条件下优先): reported as a note, never a requirement."""

    field: str
    clause_ids: list[str] = Field(min_length=1)
    notes: dict[Literal["met", "not_met", "unknown"], str]


class WindowSpec(_RuleModel):
    open: str
    closed: str

    @model_validator(mode="after")
    def _templates(self) -> WindowSpec:
        _validate_template(self.open, _WINDOW_PLACEHOLDERS, "window.open")
        _validate_template(self.closed, _WINDOW_PLACEHOLDERS, "window.closed")
        return self


class OverlaySpec(_RuleModel):
    """A region's forwarding notice: extra requirements, an earlier deadline, notes."""

    region: str
    match: list[str] = Field(min_length=1)
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(default_factory=list)
    deadlines: list[DeadlineSpec] = Field(default_factory=list)
    notes: list[NoteSpec] = Field(default_factory=list)
    priority: PrioritySpec | None = None


class ApplicationSpec(_RuleModel):
    """The round's application: which tier it is for, its conditions, schedule and quotas."""

    round: str
    #: The tier applied for; reasons of the application's requirements name it.
    tier: Tier = "卓越级"
    clause_ids: list[str] = Field(min_length=1)
    requirements: list[RequirementSpec] = Field(min_length=1)
    deadlines: list[DeadlineSpec] = Field(min_length=1)
    quotas: QuotaSpec
    window: WindowSpec

    @model_validator(mode="after")
    def _has_window(self) -> ApplicationSpec:
        if not any(d.window for d in self.deadlines):
            raise ValueError("deadlines 中至少要有一个 window: true 的企业申报截止日期")
        return self


class ManifestSpec(_RuleModel):
    """What makes the round besides its rules: the documents it owns (doc ids), the scenario
    guide edition its drafts use and, for a provincial round, the region that runs it. A document
    no round owns (a public reference, a draft guide) is read with every round."""

    documents: list[str] = Field(min_length=1)
    catalogue: str | None = None
    region: str | None = None


# ---------------------------------------------------------------------------------------------
# The declaration (申报书) of the round: what assistant.drafting writes and reviews against.
# Kept apart from the checker's rules above: the checker never reads it.
# ---------------------------------------------------------------------------------------------

#: A clause id as the corpus makes them, ``<doc_id>#<anchor>``: a typo'd id fails on load.
ClauseId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9]*#\S+$")]

#: The profile field a tier's KPI outcome requirement reads; its clause is the one drafts cite.
OUTCOME_FIELD = "outcomes.kpi_standing"


class DeclarationPartSpec(_RuleModel):
    """One part of the 申报书 as the materials list names it: number, title, clause, items."""

    number: str
    title: str
    clause_id: ClauseId
    items: list[str] = Field(min_length=1)


class FormNoteSpec(_RuleModel):
    """A note printed under the recommendation form, with the clause it is."""

    clause_id: ClauseId
    text: str


class FormSpec(_RuleModel):
    """The recommendation form: the clause of its example instance line, and its notes."""

    example_clause_id: ClauseId
    notes: list[FormNoteSpec] = Field(min_length=1)


class StandardSpec(_RuleModel):
    """A measurement standard the round tells applicants to measure KPIs by."""

    code: str
    title: str


class KpiReferenceSpec(_RuleModel):
    """The KPI reference list (cited where a claim has no KPI behind it) and the standard."""

    clause_id: ClauseId
    standard: StandardSpec


class DeclarationSpec(_RuleModel):
    """What a round's 申报书 must hold, as data: a later round is a new rules file, not code.

    The drafter writes ``parts`` in order (four builders, so four parts); per tier, the clause of
    the KPI outcome is the tier's requirement on ``outcomes.kpi_standing`` and the quota sentence
    is ``application.quotas``: derived, not repeated here."""

    parts: list[DeclarationPartSpec] = Field(min_length=4, max_length=4)
    truth_clause_id: ClauseId
    form: FormSpec
    kpi: KpiReferenceSpec
    #: Per tier, what its 建设成效 clause asks of the main indicators, in the clause's words.
    outcome_wording: dict[Tier, str]

    @model_validator(mode="after")
    def _complete(self) -> DeclarationSpec:
        numbers = [p.number for p in self.parts]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"declaration.parts 的编号重复：{numbers}")
        missing = [t for t in TIERS if t not in self.outcome_wording]
        if missing:
            raise ValueError(f"declaration.outcome_wording 缺少层级 {missing}")
        return self


def _declaration_fits(declaration: DeclarationSpec, info: ValidationInfo) -> DeclarationSpec:
    """Every tier must have the KPI outcome requirement whose clause a draft cites."""
    for tier in info.data.get("tiers", []):
        if not any(c.field == OUTCOME_FIELD for r in tier.requirements for c in r.checks):
            raise ValueError(f"{tier.name} 没有读取 {OUTCOME_FIELD} 的要求，草稿无从引用其建设成效条款")
    return declaration


#: The declaration block, checked against the tiers read before it.
Declaration = Annotated[DeclarationSpec, AfterValidator(_declaration_fits)]


class RuleSet(_RuleModel):
    """One edition's rules, validated on load so a typo in the YAML fails loudly, not silently."""

    edition: str
    title: str
    #: None for a rules file written before manifests: the round owns the documents of its edition.
    manifest: ManifestSpec | None = None
    tiers: list[TierSpec]
    application: ApplicationSpec
    overlays: list[OverlaySpec] = Field(default_factory=list)
    #: YAML anchors for shared requirements live here; the checker does not read it.
    templates: dict[str, Any] = Field(default_factory=dict)
    declaration: Declaration | None = None

    @model_validator(mode="after")
    def _tiers_in_order(self) -> RuleSet:
        names = tuple(t.name for t in self.tiers)
        if names != TIERS:
            raise ValueError(f"tiers 应依次为 {list(TIERS)}，收到 {list(names)}")
        return self

    def tier_names(self) -> list[str]:
        return [t.name for t in self.tiers]


def _validate_template(text: str, allowed: frozenset[str], where: str) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError as exc:
        raise ValueError(f"{where} 的模板格式有误：{exc}") from exc
    unknown = sorted(names - allowed)
    if unknown:
        raise ValueError(f"{where} 的模板含未知占位符 {unknown}，可用：{sorted(allowed)}")


def _edition_key(edition: str) -> tuple[int, str]:
    match = re.match(r"\d+", edition)
    return (int(match.group()) if match else -1, edition)


def available_editions(rules_dir: Path) -> list[str]:
    """Editions with a rules file, oldest first; the last one is the default."""
    if not rules_dir.is_dir():
        return []
    return sorted((p.stem for p in rules_dir.glob("*.yaml")), key=_edition_key)


def load_rules(rules_dir: Path, edition: str | None = None) -> RuleSet:
    """Read ``<rules_dir>/<edition>.yaml`` (default: the newest present) and validate it."""
    editions = available_editions(rules_dir)
    if not editions:
        raise RulesInvalidError(f"规则目录 {rules_dir} 中没有规则文件（<版本>.yaml）")
    chosen = edition if edition is not None else editions[-1]
    if chosen not in editions:
        raise UnknownEditionError(f"未知的规则版本 {chosen!r}，可用版本：{'、'.join(editions)}")
    path = rules_dir / f"{chosen}.yaml"
    try:
        info = path.stat()
    except OSError as exc:
        raise RulesInvalidError(f"规则文件 {path.name} 无法读取或不是合法的 YAML：{exc}") from exc
    return _read_rules(str(path), chosen, (info.st_mtime_ns, info.st_size))


@lru_cache(maxsize=8)
def _read_rules(path_text: str, chosen: str, stamp: tuple[int, int]) -> RuleSet:
    """One parse per file version: drafting and review load the rules on every call."""
    path = Path(path_text)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesInvalidError(f"规则文件 {path.name} 无法读取或不是合法的 YAML：{exc}") from exc
    rules = parse_rules(data, origin=path.name)
    if rules.edition != chosen:
        raise RulesInvalidError(f"规则文件 {path.name} 中的 edition 为 {rules.edition!r}，与文件名不一致")
    return rules


def parse_rules(data: Any, origin: str = "规则") -> RuleSet:
    """Validate already-parsed rules data (used by load_rules and by tests of malformed rules)."""
    if not isinstance(data, Mapping):
        raise RulesInvalidError(f"规则文件 {origin} 应为 YAML 键值对")
    try:
        return RuleSet.model_validate(dict(data))
    except ValidationError as exc:
        problems = "；".join(
            f"{'.'.join(str(p) for p in e['loc']) or '顶层'}：{e.get('ctx', {}).get('error', e['msg'])}"
            for e in exc.errors()
        )
        raise RulesInvalidError(f"规则文件 {origin} 有误：{problems}") from exc


def cited_clause_ids(rules: RuleSet) -> set[str]:
    """Every clause id the rules cite (requirements, overlays, the application), wherever it
    sits: what the corpus must keep for the checker's verdicts to trace to a clause."""
    return {clause for key, clause in _clause_ids(rules) if key == "clause_ids"}


def declared_clause_ids(rules: RuleSet) -> set[str]:
    """Clause ids the rules name one at a time (``truth_clause_id``, ``example_clause_id``, …):
    the declaration's, which drafts and reviews cite."""
    return {clause for key, clause in _clause_ids(rules) if key != "clause_ids"}


def _clause_ids(rules: RuleSet) -> Iterator[tuple[str, str]]:
    """(key, clause id) for every clause id in the rules, in a list or alone."""

    def walk(value: Any) -> Iterator[tuple[str, str]]:
        if isinstance(value, Mapping):
            for key, item in value.items():
                if key == "clause_ids" and isinstance(item, list):
                    yield from ((key, str(c)) for c in item)
                elif key.endswith("clause_id") and isinstance(item, str):
                    yield key, item
                else:
                    yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    yield from walk(rules.model_dump(exclude={"templates"}))
