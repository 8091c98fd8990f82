"""Properties of the checker over random profiles: monotone in every field, always cited,
deterministic and JSON-serialisable, internally consistent."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assistant.config import REPO_ROOT
from assistant.knowledge.corpus import load_corpus
from assistant.rules import FIELD_LABELS, ORDINAL_SCALES, CheckReport, check, load_rules, parse_profile
from assistant.vocabulary import LINKS, STATUS_SEVERITY, TIERS

RULES = load_rules(REPO_ROOT / "corpus" / "rules")
CORPUS = load_corpus(REPO_ROOT / "corpus")
TIER_RANK = {None: -1, **{tier: index for index, tier in enumerate(TIERS)}}

BOOLEAN_FIELDS = [
    "enterprise.registered_in_prc",
    "enterprise.above_designated_size",
    "basic.finance_sound_3y",
    "basic.no_bad_credit",
    "basic.no_major_accident",
    "basic.no_violation",
    "basic.secure_controllable",
    "basic.organisation_and_talent",
    "basic.competitive",
    "outcomes.drives_supply_chain",
    "status.construction_completed",
    "status.cooperates_with_checks",
    "status.regional_recognition_or_funding",
]
#: Worst to best, for every field where "better" has a meaning.
LADDERS: dict[str, tuple[Any, ...]] = {
    **{path: (False, True) for path in BOOLEAN_FIELDS},
    "enterprise.legal_form": ("branch", "independent"),
    **{path: scale for path, scale in ORDINAL_SCALES.items() if not path.startswith("links.")},
}
FREE_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "enterprise.name": st.sampled_from(["甲公司", "乙公司"]),
    "enterprise.province": st.sampled_from(["内蒙古自治区", "广东省", "新疆生产建设兵团", "内蒙古"]),
    "enterprise.industry": st.sampled_from(["有色金属", "石油石化", "纺织业", "化学原料和化学制品制造业"]),
    "maturity.assessed_by": st.sampled_from(["self", "third_party"]),
}
LINK_VALUES = (None, *TIERS)


@st.composite
def profiles(draw: st.DrawFn) -> dict[str, Any]:
    """Any valid profile: each section and each field present or not, values from the contract."""
    data: dict[str, Any] = {}
    fields = {path: st.sampled_from(ladder) for path, ladder in LADDERS.items()} | FREE_FIELDS
    for path, strategy in sorted(fields.items()):
        if draw(st.booleans()):
            section, _, name = path.partition(".")
            data.setdefault(section, {})[name] = draw(strategy)
    if draw(st.booleans()):
        links = {}
        for link in LINKS:
            if draw(st.booleans()):
                links[link] = draw(st.sampled_from(LINK_VALUES))
        data["links"] = links
    for section in ("enterprise", "basic", "maturity", "outcomes", "status"):
        if section not in data and draw(st.booleans()):
            data[section] = {}  # a section given but empty: every fact in it unknown
    return data


def _get(data: dict[str, Any], path: str) -> Any:
    section, _, name = path.partition(".")
    return data.get(section, {}).get(name, _ABSENT)


_ABSENT = object()


def _with(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    section, _, name = path.partition(".")
    copy = {key: dict(val) for key, val in data.items()}
    copy.setdefault(section, {})[name] = value
    return copy


def _improvements(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """Every single-field change that makes the profile better by the text's order.

    A missing fact may become the best value. A link can only improve inside a stated ``links``
    object: there a left-out link is "not covered" (the bottom rung); when ``links`` itself is
    missing every link is unknown, and adding one link would also state the others as not covered.
    """
    changes: list[tuple[str, Any]] = []
    for path, ladder in LADDERS.items():
        current = _get(data, path)
        if current is _ABSENT:
            changes.append((path, ladder[-1]))
        else:
            changes.extend((path, better) for better in ladder[ladder.index(current) + 1 :])
    if "links" in data:
        for link in LINKS:
            current = data["links"].get(link)
            changes.extend(
                (f"links.{link}", better) for better in LINK_VALUES[LINK_VALUES.index(current) + 1 :]
            )
    return changes


def _report(data: dict[str, Any], as_of: dt.date = dt.date(2024, 11, 15)) -> CheckReport:
    return check(parse_profile(data), RULES, as_of)


@settings(max_examples=300, deadline=None)
@given(profiles(), st.data())
def test_improving_any_single_field_never_lowers_a_verdict(
    data: dict[str, Any], choice: st.DataObject
) -> None:
    improvements = _improvements(data)
    assume(improvements)
    path, better = choice.draw(st.sampled_from(improvements))
    before, after = _report(data), _report(_with(data, path, better))
    assert TIER_RANK[after.highest_tier] >= TIER_RANK[before.highest_tier], (path, better)
    assert TIER_RANK[after.reachable_tier] >= TIER_RANK[before.reachable_tier], (path, better)
    assert STATUS_SEVERITY[after.application.status] <= STATUS_SEVERITY[before.application.status], (
        path,
        better,
    )
    for tier in TIERS:
        assert STATUS_SEVERITY[after.tiers[tier].status] <= STATUS_SEVERITY[before.tiers[tier].status], (
            path,
            better,
            tier,
        )


def _all_requirements(report: CheckReport) -> list[Any]:
    items: list[Any] = [r for tier in report.tiers.values() for r in tier.requirements]
    return items + list(report.application.requirements) + list(report.gaps)


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_every_requirement_cites_a_clause_that_exists(data: dict[str, Any]) -> None:
    report = _report(data)
    cited = [item.clause_ids for item in _all_requirements(report)]
    cited += [d.clause_ids for d in report.application.deadlines]
    cited += [n.clause_ids for n in report.application.notes]
    assert all(ids for ids in cited)
    assert {cid for ids in cited for cid in ids if CORPUS.get(cid) is None} == set()


@settings(max_examples=300, deadline=None)
@given(profiles(), st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_reports_are_deterministic_and_json_serialisable(data: dict[str, Any], as_of: dt.date) -> None:
    first, second = _report(data, as_of), _report(data, as_of)
    text = json.dumps(first.model_dump(mode="json"), ensure_ascii=False, sort_keys=False)
    assert text == json.dumps(second.model_dump(mode="json"), ensure_ascii=False, sort_keys=False)
    assert CheckReport.model_validate_json(text) == first
    assert json.loads(text)["as_of"] == as_of.isoformat()


@settings(max_examples=200, deadline=None)
@given(profiles())
def test_report_is_internally_consistent(data: dict[str, Any]) -> None:
    report = _report(data)
    statuses = [report.tiers[tier].status for tier in TIERS]
    # cumulative: each tier no better than the one below
    assert all(
        STATUS_SEVERITY[upper] >= STATUS_SEVERITY[lower] for lower, upper in itertools.pairwise(statuses)
    )
    for tier in TIERS:
        result = report.tiers[tier]
        own = max((r.status for r in result.requirements), key=STATUS_SEVERITY.__getitem__)
        assert result.own_status == own
    assert TIER_RANK[report.highest_tier] <= TIER_RANK[report.reachable_tier]
    if report.highest_tier:
        assert report.tiers[report.highest_tier].status == "met"
    if report.reachable_tier:
        assert report.tiers[report.reachable_tier].status != "not_met"
    for gap in report.gaps:
        assert gap.status != "met"
        assert TIER_RANK[gap.tier] > TIER_RANK[report.highest_tier]
        if gap.status == "unknown":
            assert gap.field
    if report.highest_tier != "领航级":
        assert report.gaps, "a firm below 领航级 always has something to do"
    for item in [
        *(r for t in report.tiers.values() for r in t.requirements),
        *report.application.requirements,
    ]:
        if item.status == "unknown" and item.id != "app.legal_form":  # a branch's industry: not a field
            assert item.missing_fields, item.id
        assert set(item.missing_fields) <= set(FIELD_LABELS)
    assert len(report.missing_fields) == len(set(report.missing_fields))
    app_worst = max((r.status for r in report.application.requirements), key=STATUS_SEVERITY.__getitem__)
    assert report.application.status == app_worst
