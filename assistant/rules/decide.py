"""The decision path: EnterpriseProfile + RuleSet + as-of date -> CheckReport.

Verdicts come from code, words come from the model (DESIGN.md): this module is the only place an
eligibility verdict is decided. Everything here is pure: no I/O, no clock, no randomness, so a
report is reproducible from its inputs and safe to cache, test and cite.

Statuses: ``met``, ``not_met``, ``conditional`` (a 原则上 requirement is unmet: an exception that
needs justification) and ``unknown`` (the profile lacks the fact; the result names the field).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.rules.profile import MISSING, ORDINAL_SCALES, EnterpriseProfile, field_label, value_label
from assistant.rules.report import (
    ApplicationResult,
    CheckReport,
    Deadline,
    Gap,
    Note,
    Quota,
    RequirementResult,
    TierResult,
)
from assistant.rules.ruleset import CheckSpec, DeadlineSpec, OverlaySpec, RequirementSpec, RuleSet
from assistant.vocabulary import STATUS_LABELS, STATUS_SEVERITY, TIERS, Status

_CATEGORY_RANK: dict[str, int] = {"basic": 0, "links": 1, "outcomes": 2, "application": 3, "overlay": 4}


@dataclass(frozen=True)
class _Outcome:
    """One check's result, kept with what is needed to explain it."""

    check: CheckSpec
    status: Status
    value: Any


def worst(statuses: Iterable[Status]) -> Status:
    """not_met > unknown > conditional > met; ``met`` for an empty list."""
    return max(statuses, key=STATUS_SEVERITY.__getitem__, default="met")


def resolve(profile: EnterpriseProfile, path: str) -> Any:
    """The value at ``section.field``, or MISSING when the profile does not state it.

    Two fields distinguish "absent" from "null": a link (absent or null inside a given ``links``
    object = not covered, ``None``; absent from a profile gathered from a conversation = unknown) and ``status.recognised_tier`` (null = not recognised).
    """
    section_name, _, name = path.partition(".")
    section = getattr(profile, section_name)
    if section is None:
        return MISSING
    if section_name == "links":
        return section.get(name, MISSING if profile.unstated_links_unknown else None)
    value = getattr(section, name)
    if value is None and not (path == "status.recognised_tier" and name in section.model_fields_set):
        return MISSING
    return value


def _evaluate_check(profile: EnterpriseProfile, check: CheckSpec) -> _Outcome:
    value = resolve(profile, check.field)
    if value is MISSING:
        return _Outcome(check, "unknown", value)
    if check.is_ is not None:
        ok = value is check.is_
    elif check.one_of is not None:
        ok = value in check.one_of
    else:
        scale = ORDINAL_SCALES[check.field]
        ok = scale.index(value) >= scale.index(check.at_least)
    return _Outcome(check, "met" if ok else "not_met", value)


def threshold_label(check: CheckSpec) -> str:
    if check.at_least is not None:
        return value_label(check.field, check.at_least)
    if check.one_of is not None:
        return "或".join(value_label(check.field, v) for v in check.one_of)
    return value_label(check.field, check.is_)


def _failed_text(outcome: _Outcome) -> str:
    check = outcome.check
    text = f"{field_label(check.field)}：{value_label(check.field, outcome.value)}"
    return text if check.is_ is not None else f"{text}（要求：{threshold_label(check)}）"


def _missing_text(paths: Iterable[str]) -> str:
    """The missing facts by their Chinese names: reasons are read by users, who never see field
    ids (the ids travel in ``missing_fields``)."""
    return "、".join(field_label(p) for p in paths)


class _SafeDict(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _fill(template: str, values: Mapping[str, str]) -> str:
    return template.format_map(_SafeDict(values))


def _result(
    spec: RequirementSpec,
    status: Status,
    reason_key: str,
    values: dict[str, str],
    field: str | None,
    missing: Sequence[str] = (),
) -> RequirementResult:
    return RequirementResult(
        id=spec.id,
        status=status,
        reason=_fill(spec.reasons[reason_key], values),
        clause_ids=list(spec.clause_ids),
        title=spec.title,
        category=spec.category,
        field=field,
        fields=spec.fields,
        missing_fields=list(missing),
        principle=spec.principle,
        action="" if status == "met" else _fill(spec.action, values),
        kind=spec.kind,
    )


def _evaluate_checks(profile: EnterpriseProfile, spec: RequirementSpec, tier: str) -> RequirementResult:
    outcomes = [_evaluate_check(profile, check) for check in spec.checks]
    softened: list[Status] = [
        "conditional" if spec.principle and o.status == "not_met" else o.status for o in outcomes
    ]
    status = worst(softened)
    deciding = outcomes[softened.index(status)] if status != "met" else outcomes[0]
    values = {
        "value": value_label(deciding.check.field, deciding.value),
        "threshold": threshold_label(deciding.check),
        "label": field_label(deciding.check.field),
        "field": deciding.check.field,
        "failed": "；".join(_failed_text(o) for o in outcomes if o.status == "not_met"),
        "missing": _missing_text(o.check.field for o in outcomes if o.status == "unknown"),
        "tier": tier,
    }
    missing = [o.check.field for o in outcomes if o.status == "unknown"]
    return _result(spec, status, status, values, deciding.check.field, missing)


def _unique(items: Iterable[str]) -> list[str]:
    """Order-preserving de-duplication (sets would make reports depend on hashing)."""
    return list(dict.fromkeys(items))


def _industry_is_named(industry: str, keywords: Sequence[str]) -> bool:
    return any(keyword in industry for keyword in keywords)


def _evaluate_legal_form(profile: EnterpriseProfile, spec: RequirementSpec, tier: str) -> RequirementResult:
    """Independent legal person: met. A branch: met only for the industries the clause names; for
    any other industry the clause's "等" leaves it to the recommending body, so unknown."""
    form_field = spec.checks[0].field
    form = resolve(profile, form_field)
    industry = resolve(profile, "enterprise.industry")
    values = {
        "tier": tier,
        "field": form_field,
        "label": field_label(form_field),
        "value": value_label(form_field, form),
        "industry": "" if industry is MISSING else str(industry),
        "branch_industries": "、".join(spec.branch_industries),
        "missing": _missing_text([form_field]),
    }
    if form is MISSING:
        return _result(spec, "unknown", "unknown", values, form_field, [form_field])
    if form != "branch":
        return _result(spec, "met", "met", values, form_field)
    if industry is MISSING:
        values["missing"] = _missing_text(["enterprise.industry"])
        return _result(
            spec, "unknown", "unknown_industry", values, "enterprise.industry", ["enterprise.industry"]
        )
    if _industry_is_named(industry, spec.branch_industries):
        return _result(spec, "met", "met_branch", values, "enterprise.industry")
    return _result(spec, "unknown", "unknown_branch", values, "enterprise.industry")


def _evaluate_tier_status(
    spec: RequirementSpec, tiers: Mapping[str, TierResult], order: Sequence[str]
) -> RequirementResult:
    """The application's "达到卓越级要素条件": the (cumulative) status of that tier."""
    target = spec.tier or ""
    status = tiers[target].status
    open_items: list[RequirementResult] = []
    for name in order[: order.index(target) + 1]:
        for item in tiers[name].requirements:
            if item.status == status != "met" and all(item.id != seen.id for seen in open_items):
                open_items.append(item)
    detail = "；".join(item.title for item in open_items)
    values = {"tier": target, "detail": detail}
    missing = _unique(f for item in open_items for f in item.missing_fields)
    result = _result(spec, status, status, values, open_items[0].field if open_items else None, missing)
    return result.model_copy(update={"fields": [i.field for i in open_items if i.field]})


def evaluate_requirement(
    profile: EnterpriseProfile,
    spec: RequirementSpec,
    tier: str,
    tiers: Mapping[str, TierResult] | None = None,
    order: Sequence[str] = TIERS,
) -> RequirementResult:
    """Judge one requirement; ``tiers`` is needed only by requirements that refer to a tier."""
    if spec.kind == "legal_form":
        return _evaluate_legal_form(profile, spec, tier)
    if spec.kind == "tier_status":
        if tiers is None:
            raise ValueError(f"{spec.id} 需要层级评估结果")
        return _evaluate_tier_status(spec, tiers, order)
    return _evaluate_checks(profile, spec, tier)


def assess_tiers(profile: EnterpriseProfile, rules: RuleSet) -> dict[str, TierResult]:
    """Every tier's requirements, with the cumulative status (a tier no better than the one below)."""
    results: dict[str, TierResult] = {}
    below: Status = "met"
    for spec in rules.tiers:
        requirements = [evaluate_requirement(profile, r, spec.name) for r in spec.requirements]
        own = worst(r.status for r in requirements)
        status = worst([own, below])
        results[spec.name] = TierResult(
            status=status, requirements=requirements, own_status=own, clause_ids=list(spec.clause_ids)
        )
        below = status
    return results


def _highest(tiers: Mapping[str, TierResult], accept: set[str]) -> str | None:
    found: str | None = None
    for name, result in tiers.items():
        if result.status not in accept:
            break
        found = name
    return found


def find_gaps(
    rules: RuleSet, tiers: Mapping[str, TierResult], highest: str | None, reachable: str | None
) -> list[Gap]:
    """What stands between the enterprise and the next tier(s).

    When tiers above ``highest`` are still reachable (only unknown or conditional items stand in
    the way), the gaps are those items up to ``reachable``: they decide whether those tiers hold.
    Otherwise the gaps are what blocks the next tier. Either way a higher, blocked tier is not
    listed: its gaps would bury the ones that matter now. A requirement repeated unchanged in a
    higher tier (e.g. basic 1–4: the same rule, only the tier named in its reason differs) is
    listed once, at the lowest tier.
    Order: not_met, unknown, conditional; then basic, links, outcomes; then tier and rule order.
    """
    names = list(tiers)
    start = names.index(highest) + 1 if highest else 0
    reach = names.index(reachable) if reachable else -1
    stop = reach + 1 if reach >= start else start + 1
    seen: set[tuple[str, str]] = set()
    rows: list[tuple[tuple[int, int, int, int], Gap]] = []
    for tier_index in range(start, min(stop, len(names))):
        name = names[tier_index]
        specs = rules.tiers[tier_index].requirements
        for position, (spec, item) in enumerate(zip(specs, tiers[name].requirements, strict=True)):
            key = (spec.model_dump_json(), item.status)
            if item.status == "met" or key in seen:
                continue
            seen.add(key)
            gap = Gap(
                tier=name,  # type: ignore[arg-type]
                id=item.id,
                status=item.status,  # type: ignore[arg-type]
                reason=item.reason,
                field=item.field,
                clause_ids=item.clause_ids,
                title=item.title,
                action=item.action,
                category=item.category,
                missing_fields=item.missing_fields,
            )
            rank = (
                -STATUS_SEVERITY[item.status],
                _CATEGORY_RANK.get(item.category or "", 9),
                tier_index,
                position,
            )
            rows.append((rank, gap))
    return [gap for _, gap in sorted(rows, key=lambda row: row[0])]


def _overlay_for(profile: EnterpriseProfile, rules: RuleSet) -> OverlaySpec | None:
    province = resolve(profile, "enterprise.province")
    if province is MISSING:
        return None
    return next((o for o in rules.overlays if any(m in province for m in o.match)), None)


def cn_date(day: dt.date) -> str:
    """2024-11-22 -> 2024年11月22日 (how the notices write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _deadlines(specs: Iterable[DeadlineSpec], as_of: dt.date) -> list[Deadline]:
    """A deadline "…前完成" still allows the day itself, so it has passed only after that day."""
    rows = [
        Deadline(
            who=s.who,
            date=s.date,
            passed=as_of > s.date,
            id=s.id,
            clause_ids=list(s.clause_ids),
            window=s.window,
        )
        for s in specs
    ]
    return sorted(rows, key=lambda d: (d.date, d.id))


def _window(rules: RuleSet, deadlines: Sequence[Deadline], as_of: dt.date) -> tuple[bool, str]:
    binding = min((d for d in deadlines if d.window), key=lambda d: d.date)
    values = {
        "round": rules.application.round,
        "who": binding.who,
        "date": cn_date(binding.date),
        "as_of": cn_date(as_of),
        "days": str((binding.date - as_of).days),
        "edition": rules.edition,
    }
    template = rules.application.window.closed if binding.passed else rules.application.window.open
    return not binding.passed, _fill(template, values)


def _priority_note(profile: EnterpriseProfile, overlay: OverlaySpec) -> Note | None:
    if overlay.priority is None:
        return None
    value = resolve(profile, overlay.priority.field)
    key: Literal["met", "not_met", "unknown"] = (
        "unknown" if value is MISSING else ("met" if value else "not_met")
    )
    return Note(
        id=f"{overlay.priority.field}.priority",
        text=overlay.priority.notes[key],
        clause_ids=overlay.priority.clause_ids,
    )


def assess_application(
    profile: EnterpriseProfile, rules: RuleSet, tiers: Mapping[str, TierResult], as_of: dt.date
) -> ApplicationResult:
    """The 卓越级 application of the round: eligibility, deadlines, quotas and regional overlay.

    The window is reported, not folded into the status: past the deadline the enterprise still
    wants to know whether it would qualify, to prepare for the next round.
    """
    spec = rules.application
    overlay = _overlay_for(profile, rules)
    requirement_specs = [*spec.requirements, *(overlay.requirements if overlay else [])]
    order = rules.tier_names()
    requirements = [evaluate_requirement(profile, r, spec.tier, tiers, order) for r in requirement_specs]
    deadlines = _deadlines([*spec.deadlines, *(overlay.deadlines if overlay else [])], as_of)
    window_open, window_message = _window(rules, deadlines, as_of)
    notes = [Note(id="application.window", text=window_message, clause_ids=_window_clauses(deadlines))]
    if overlay:
        notes.extend(Note(id=n.id, text=n.text, clause_ids=list(n.clause_ids)) for n in overlay.notes)
        priority = _priority_note(profile, overlay)
        if priority:
            notes.append(priority)
    elif resolve(profile, "enterprise.province") is MISSING and rules.overlays:
        regions = "、".join(o.region for o in rules.overlays)
        notes.append(
            Note(
                id="application.province_unknown",
                text=f"画像未填写所在省份，未判断是否适用地方转发通知的额外要求（已收录：{regions}）。",
                clause_ids=[cid for o in rules.overlays for cid in o.clause_ids[:1]],
            )
        )
    notes.append(
        Note(id="application.quotas", text=spec.quotas.note, clause_ids=list(spec.quotas.clause_ids))
    )
    return ApplicationResult(
        round=spec.round,
        status=worst(r.status for r in requirements),
        requirements=requirements,
        deadlines=deadlines,
        region_overlay=overlay.region if overlay else None,
        window_open=window_open,
        window_message=window_message,
        quotas=[Quota(who=q.who, max_projects=q.max_projects, id=q.id) for q in spec.quotas.items],
        notes=notes,
        clause_ids=[*spec.clause_ids, *(overlay.clause_ids if overlay else [])],
    )


def _window_clauses(deadlines: Sequence[Deadline]) -> list[str]:
    return [cid for d in deadlines if d.window for cid in d.clause_ids]


def _summary(highest: str | None, reachable: str | None, app: ApplicationResult, edition: str) -> str:
    """One Chinese sentence with the verdict, for chat replies and table captions."""
    parts = [f"按{edition}年版要素条件："]
    parts.append(f"已满足{highest}全部要求" if highest else "尚未确认满足任何层级")
    if reachable and reachable != highest:
        parts.append(f"；若待确认事项均有利、“原则上”要求获认可，可达{reachable}")
    elif not reachable:
        parts.append("；基础级存在不满足的要求")
    parts.append(f"。{app.round}申报：{STATUS_LABELS[app.status]}。")
    if not app.window_open:
        parts.append("本轮申报窗口已截止。")
    return "".join(parts)


def check(profile: EnterpriseProfile, rules: RuleSet, as_of: dt.date) -> CheckReport:
    """The verdict: tiers (cumulative), highest/reachable tier, gaps and the round's application."""
    tiers = assess_tiers(profile, rules)
    highest = _highest(tiers, {"met"})
    reachable = _highest(tiers, {"met", "conditional", "unknown"})
    application = assess_application(profile, rules, tiers, as_of)
    return CheckReport(
        edition=rules.edition,
        as_of=as_of,
        highest_tier=highest,  # type: ignore[arg-type]
        reachable_tier=reachable,  # type: ignore[arg-type]
        tiers=tiers,  # type: ignore[arg-type]
        gaps=find_gaps(rules, tiers, highest, reachable),
        application=application,
        summary=_summary(highest, reachable, application, rules.edition),
        missing_fields=_unique(
            f
            for item in [*(r for t in tiers.values() for r in t.requirements), *application.requirements]
            for f in item.missing_fields
        ),
    )
