"""The held rounds: every rules file, the documents each owns, which one a question is about,
whether a round's rules trace to its own documents, and what changed between two rounds.

A round is data (README: "a later round is new corpus files and a new rules file, not new
code"): ``corpus/rules/<edition>.yaml`` with its ``manifest`` (the doc ids it owns, its scenario
guide edition, the region of a provincial round). Nothing here names a year or a clause id.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from assistant.errors import RulesInvalidError
from assistant.knowledge.corpus import Corpus
from assistant.language import cn_count
from assistant.rules.decide import check, threshold_label
from assistant.rules.profile import EnterpriseProfile, field_label
from assistant.rules.ruleset import (
    DeadlineSpec,
    RequirementSpec,
    RuleSet,
    available_editions,
    cited_clause_ids,
    declared_clause_ids,
    load_rules,
)

#: Why a round was chosen, in the order of precedence (the issue's "rounds as data" order; a
#: province's own round comes before the national ones for that province's companies).
Reason = Literal["named", "session", "region", "window", "latest"]


@dataclass(frozen=True)
class RoundChoice:
    """The round an answer, a verdict, a draft or a review follows, and why."""

    rules: RuleSet
    reason: Reason

    @property
    def edition(self) -> str:
        return self.rules.edition


def round_year(rules: RuleSet) -> str:
    """The year of a round ("2025" for a province's "2025-js"): what its documents' edition is."""
    match = re.match(r"\d{4}", rules.edition)
    return match.group() if match else rules.edition


def region_of(rules: RuleSet) -> str | None:
    """The region that runs the round, None for a national round."""
    return rules.manifest.region if rules.manifest else None


def window_closes(rules: RuleSet) -> dt.date:
    """The enterprises' own submission deadline: the day the round's window closes."""
    return next(d.date for d in rules.application.deadlines if d.window)


class Rounds:
    """Every held round, oldest first; the last national one is the default."""

    def __init__(self, rounds: Sequence[RuleSet], broken: dict[str, str] | None = None) -> None:
        if not rounds:
            raise RulesInvalidError("没有可用的规则文件：" + "；".join((broken or {}).values()))
        self._rounds = {r.edition: r for r in rounds}
        #: Rules files that did not load, by edition, with the reason: left out, not fatal, so
        #: the held rounds still answer; ``rounds check`` reports them.
        self.broken = dict(broken or {})

    @classmethod
    def load(cls, rules_dir: Path) -> Rounds:
        held, broken = [], {}
        for edition in available_editions(rules_dir):
            try:
                held.append(load_rules(rules_dir, edition))
            except RulesInvalidError as exc:
                broken[edition] = exc.message
        return cls(held, broken)

    @property
    def editions(self) -> list[str]:
        return list(self._rounds)

    def get(self, edition: str) -> RuleSet | None:
        return self._rounds.get(edition)

    @property
    def national(self) -> list[RuleSet]:
        """The rounds a province does not run, in window order."""
        found = [r for r in self._rounds.values() if region_of(r) is None]
        return sorted(found or self._rounds.values(), key=window_closes)

    def provincial(self, region: str, tier: str | None) -> list[RuleSet]:
        """The rounds ``region`` runs for ``tier`` (its own 先进级 round), in window order."""
        found = [
            r
            for r in self._rounds.values()
            if (own := region_of(r)) and (own in region or region in own) and r.application.tier == tier
        ]
        return sorted(found, key=window_closes)

    @property
    def latest(self) -> RuleSet:
        return self.national[-1]

    def by_date(self, as_of: dt.date) -> RoundChoice:
        """The national round whose window is open on ``as_of`` (the first still to close), else
        the latest held round: its window has closed and the answer says so."""
        for rules in self.national:
            if window_closes(rules) >= as_of:
                return RoundChoice(rules, "window")
        return RoundChoice(self.latest, "latest")

    def choose(
        self,
        named: Iterable[str],
        earlier: Iterable[str],
        as_of: dt.date,
        region: str | None = None,
        tier: str | None = None,
    ) -> RoundChoice:
        """The round a question is about: the held round its text names by year, else the one an
        earlier question of the session named, else the company's province's own round for the
        tier asked (open on ``as_of``, else its latest), else the national round ``as_of`` falls
        in, else the latest. ``named`` and ``earlier`` are the years read from the question and
        the session (newest first), not yet known to be rounds."""
        for years, reason in ((named, "named"), (earlier, "session")):
            held = [self._national_of(y) for y in years if self._national_of(y) is not None]
            if held:
                return RoundChoice(held[0], reason)  # type: ignore[arg-type]
        own = self.provincial(region, tier) if region else []
        if own:
            open_ = [r for r in own if window_closes(r) >= as_of]
            return RoundChoice(open_[0] if open_ else own[-1], "region")
        return self.by_date(as_of)

    def _national_of(self, year: str) -> RuleSet | None:
        """The round a year names: its national round (a province's round is named by its region)."""
        found = self._rounds.get(year)
        return found if found is not None and region_of(found) is None else None

    def owned(self, edition: str, corpus: Corpus) -> set[str]:
        """The doc ids a round owns: its manifest's, or (no manifest) those of its edition."""
        rules = self._rounds[edition]
        if rules.manifest is not None:
            return set(rules.manifest.documents)
        return {d.doc_id for d in corpus.documents if d.edition == round_year(rules)}

    def foreign(self, edition: str, corpus: Corpus) -> frozenset[str]:
        """Documents another round owns and this one does not: never read for this round."""
        others = set().union(*(self.owned(e, corpus) for e in self._rounds if e != edition))
        return frozenset(others - self.owned(edition, corpus))


# -- validation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundProblem:
    """One thing that keeps a round's rules from tracing to its own documents, in Chinese."""

    kind: Literal[
        "invalid_rules",
        "missing_document",
        "foreign_document",
        "missing_clause",
        "foreign_clause",
        "value_not_in_clause",
        "catalogue",
    ]
    subject: str
    message: str


def check_round(
    rules: RuleSet, corpus: Corpus, owned: set[str], catalogue_editions: Iterable[str] = ()
) -> list[RoundProblem]:
    """Every way the round's rules fail to trace to a clause of its own documents: a manifest
    document not in the corpus or of another edition, a cited clause id that does not exist, or
    one that sits in a document the round does not own. Empty: the round is clean."""
    problems: list[RoundProblem] = []
    for doc_id in sorted(owned):
        document = corpus.document(doc_id)
        if document is None:
            problems.append(RoundProblem("missing_document", doc_id, f"清单中的文件 {doc_id} 不在语料中"))
        elif document.edition != round_year(rules):
            problems.append(
                RoundProblem(
                    "foreign_document",
                    doc_id,
                    f"清单中的文件 {doc_id} 属于 {document.edition} 年度，不是本轮（{round_year(rules)}）的文件",
                )
            )
    for clause_id in sorted(cited_clause_ids(rules) | declared_clause_ids(rules)):
        doc_id = clause_id.partition("#")[0]
        if doc_id not in owned:
            problems.append(
                RoundProblem(
                    "foreign_clause",
                    clause_id,
                    f"条款 {clause_id} 不属于本轮的文件（{'、'.join(sorted(owned))}）",
                )
            )
        elif corpus.get(clause_id) is None:
            problems.append(
                RoundProblem("missing_clause", clause_id, f"条款 {clause_id} 在文件 {doc_id} 中不存在")
            )
    problems += _values_not_in_clauses(rules, corpus)
    catalogue = rules.manifest.catalogue if rules.manifest else None
    held = set(catalogue_editions)
    if catalogue and held and catalogue not in held:
        problems.append(
            RoundProblem(
                "catalogue",
                catalogue,
                f"场景指引 {catalogue} 年版没有数据（现有：{'、'.join(sorted(held))}）",
            )
        )
    return problems


def _values_not_in_clauses(rules: RuleSet, corpus: Corpus) -> list[RoundProblem]:
    """Dates, quotas and maturity levels whose cited clauses do not say them: a rules file that
    disagrees with its own documents (the checker would judge by one value, answers quote the
    other). Only values a clause states in so many words are compared."""
    expected: list[tuple[str, str, list[str]]] = []  # (what, the words the clause must hold, clauses)
    app = rules.application
    for deadline in [*app.deadlines, *(d for o in rules.overlays for d in o.deadlines)]:
        day = deadline.date
        expected.append(
            (
                f"截止日期 {day.isoformat()}（{deadline.who}）",
                f"{day.month}月{day.day}日",
                deadline.clause_ids,
            )
        )
    for quota in app.quotas.items:
        expected.append(
            (
                f"推荐名额 {quota.max_projects} 个（{quota.who}）",
                f"{quota.max_projects}个",
                app.quotas.clause_ids,
            )
        )
    for tier in rules.tiers:
        for spec in tier.requirements:
            for test in spec.checks:
                if test.field == "maturity.level" and isinstance(test.at_least, int):
                    words = f"{cn_count(test.at_least)}级"
                    expected.append((f"{tier.name}成熟度 {words}", words, spec.clause_ids))
    problems = []
    for what, words, clause_ids in expected:
        texts = [c.text for c in map(corpus.get, clause_ids) if c is not None]
        if texts and not any(words in text for text in texts):
            cited = "、".join(clause_ids)
            problems.append(
                RoundProblem(
                    "value_not_in_clause",
                    what,
                    f"{what} 在所引条款 {cited} 中找不到“{words}”：规则与文件不一致",
                )
            )
    return problems


# -- the rule values, and what changed ----------------------------------------------------------


@dataclass(frozen=True)
class RuleValue:
    """One value a round's rules set, in Chinese, with the clauses it comes from: a row of the
    console's rules table and one side of a change between rounds."""

    key: str
    label: str
    value: str
    clause_ids: tuple[str, ...]


def _requirement_values(key: str, label: str, spec: RequirementSpec) -> list[RuleValue]:
    """A requirement's thresholds (one per check) and, for the legal form, its exception."""
    principle = "（原则上）" if spec.principle else ""
    clauses = tuple(spec.clause_ids)
    values = [
        RuleValue(
            f"{key}/{spec.id}/{test.field}",
            f"{label}：{field_label(test.field)}",
            f"{threshold_label(test)}{principle}",
            clauses,
        )
        for test in spec.checks
    ]
    if spec.branch_industries:
        values.append(
            RuleValue(
                f"{key}/{spec.id}/branch_industries",
                "允许分支机构申报的行业",
                "、".join(spec.branch_industries),
                clauses,
            )
        )
    return values


def _deadline_value(key: str, label: str, deadline: DeadlineSpec) -> RuleValue:
    day = deadline.date
    return RuleValue(
        f"{key}/{deadline.id}",
        f"{label}：{deadline.who}",
        f"{day.year}年{day.month}月{day.day}日",
        tuple(deadline.clause_ids),
    )


def rule_values(rules: RuleSet) -> list[RuleValue]:
    """The round's values a user or an operator compares: each tier's requirements and their
    thresholds, the application's tier, conditions and exceptions, deadlines and quotas."""
    values = [
        v
        for tier in rules.tiers
        for spec in tier.requirements
        for v in _requirement_values(tier.name, tier.name, spec)
    ]
    app = rules.application
    values.append(RuleValue("application/tier", "本轮组织申报的层级", app.tier, tuple(app.clause_ids)))
    values += [v for spec in app.requirements for v in _requirement_values("application", "申报条件", spec)]
    values += [_deadline_value("deadline", "截止日期", deadline) for deadline in app.deadlines]
    values += [
        RuleValue(
            f"quota/{q.id}", f"推荐名额：{q.who}", f"不超过{q.max_projects}个", tuple(app.quotas.clause_ids)
        )
        for q in app.quotas.items
    ]
    values += [
        _deadline_value(f"overlay/{overlay.region}", f"{overlay.region}截止日期", deadline)
        for overlay in rules.overlays
        for deadline in overlay.deadlines
    ]
    return values


@dataclass(frozen=True)
class RuleChange:
    """A value that differs between two rounds (or is set in one only), each side cited."""

    key: str
    label: str
    before: RuleValue | None
    after: RuleValue | None


@dataclass(frozen=True)
class VerdictChange:
    """A verdict for one company that differs between two rounds: a tier's (``subject`` is the
    tier), the round's application ("application") or one of its conditions (its id)."""

    subject: str
    label: str
    before: str
    after: str

    @property
    def tier(self) -> str:
        return self.subject


def verdict_changes(
    before: RuleSet, after: RuleSet, profile: EnterpriseProfile, as_of: dt.date
) -> list[VerdictChange]:
    """What the rule changes do to a company: each tier whose status moves, in tier order; then
    the application and each of its conditions that moves (who may apply can change while every
    tier's verdict stays, e.g. a branch industry added)."""
    old, new = check(profile, before, as_of), check(profile, after, as_of)
    moved = [
        VerdictChange(tier, tier, old.tiers[tier].status, new.tiers[tier].status)
        for tier in old.tiers
        if tier in new.tiers and old.tiers[tier].status != new.tiers[tier].status
    ]
    if old.application.status != new.application.status:
        moved.append(VerdictChange("application", "本轮申报", old.application.status, new.application.status))
    kept = {r.id: r for r in new.application.requirements}
    moved += [
        VerdictChange(r.id, f"申报条件：{r.title}", r.status, kept[r.id].status)
        for r in old.application.requirements
        if r.id in kept and r.status != kept[r.id].status and r.kind != "tier_status"
    ]
    return moved


def diff_rounds(before: RuleSet, after: RuleSet) -> list[RuleChange]:
    """The rule values that differ from ``before`` to ``after``, in ``after``'s order, then the
    ones ``after`` dropped. Clause ids are not compared: a new round cites its own documents."""
    old = {v.key: v for v in rule_values(before)}
    new = {v.key: v for v in rule_values(after)}
    changes = [
        RuleChange(key, value.label, old.get(key), value)
        for key, value in new.items()
        if key not in old or old[key].value != value.value
    ]
    changes += [RuleChange(key, value.label, value, None) for key, value in old.items() if key not in new]
    return changes
