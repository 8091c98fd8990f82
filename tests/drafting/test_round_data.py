"""Rounds as data: the 申报书's parts, the clauses drafts and reviews cite, the measurement
standard, the quotas and the form's notes come from the round's rules file, not from code.

Each test edits the 2024 rules in memory (to values a later round might have, clause ids that
exist in the corpus) and shows the draft, the review or the 推荐汇总表 following the edit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from assistant.config import REPO_ROOT
from assistant.drafting import ExportError, build_draft, parse_spec, review_text, write_recommendation_xlsx
from assistant.drafting.declaration import declaration_of
from assistant.errors import RulesInvalidError
from assistant.knowledge.corpus import Corpus
from assistant.rules import RuleSet, load_rules, parse_rules
from assistant.rules.ruleset import DeclarationSpec
from tests.profiles import example_spec

RULES_DIR = REPO_ROOT / "corpus" / "rules"
#: Another clause of 附件4 and of the notice, standing in for a later round's ids.
OTHER_EXAMPLE = "form#栏目"
OTHER_TRUTH = "notice#二.(二).3"


def rules_2024() -> RuleSet:
    return load_rules(RULES_DIR, "2024")


def with_declaration(rules: RuleSet, **changes: Any) -> RuleSet:
    """The rules with their declaration block changed (``form``, ``kpi`` … replaced whole)."""
    declaration = declaration_of(rules).model_copy(update=changes)
    return rules.model_copy(update={"declaration": declaration})


def edited_rules() -> RuleSet:
    """The 2024 rules as a later round might word them: another part title, example clause,
    truth clause, standard and 卓越级 wording."""
    rules = rules_2024()
    declaration = declaration_of(rules)
    fourth = declaration.parts[3].model_copy(update={"title": "智能工厂建设成效与推广"})
    return with_declaration(
        rules,
        parts=[*declaration.parts[:3], fourth],
        truth_clause_id=OTHER_TRUTH,
        form=declaration.form.model_copy(update={"example_clause_id": OTHER_EXAMPLE}),
        kpi=declaration.kpi.model_copy(
            update={"standard": declaration.kpi.standard.model_copy(update={"code": "GB/T 99999-2026"})}
        ),
        outcome_wording={**declaration.outcome_wording, "卓越级": "主要技术经济指标应处于国际同行业先进水平"},
    )


def cited(findings: list[Any]) -> set[str]:
    return {c for f in findings for c in f.clause_ids}


def test_every_clause_the_declaration_names_is_in_the_corpus(corpus: Corpus) -> None:
    declaration = declaration_of(rules_2024())
    ids = [
        *(p.clause_id for p in declaration.parts),
        declaration.truth_clause_id,
        declaration.form.example_clause_id,
        *(n.clause_id for n in declaration.form.notes),
        declaration.kpi.clause_id,
    ]
    assert [c for c in ids if corpus.get(c) is None] == []
    assert corpus.get(OTHER_EXAMPLE) is not None and corpus.get(OTHER_TRUTH) is not None


def test_the_draft_follows_the_edited_declaration() -> None:
    spec = example_spec()
    spec.update(overview="本项目达到全球第一的水平。", benchmarks=[], target_tier="卓越级")
    spec["scenarios"][0]["instance_name"] = "智能化"
    for instance in spec["scenarios"]:
        for kpi in instance.get("kpis", []):
            kpi.pop("benchmark", None)
    for kpi in spec.get("kpis", []):
        kpi.pop("benchmark", None)
    before = build_draft(parse_spec(spec), rules=rules_2024())
    after = build_draft(parse_spec(spec), rules=edited_rules())

    assert before.sections[3].title == "智能工厂建设成效"
    assert after.sections[3].title == "智能工厂建设成效与推广"
    assert "form#示例" in cited(before.checks) and "form#示例" not in cited(after.checks)
    assert {f.code for f in after.checks if OTHER_EXAMPLE in f.clause_ids} >= {"instance_name_generic"}
    assert {f.code for f in after.checks if OTHER_TRUTH in f.clause_ids} >= {"claim_unsupported"}
    effects = "".join(after.sections[3].subsections[1].paragraphs)
    assert "GB/T 99999-2026《智能制造效能通用评测方法》" in effects and "T/CAMS182-2024" not in effects
    benchmark = next(f for f in after.checks if f.code == "benchmark_missing")
    assert "国际同行业先进水平" in benchmark.message
    # the clause of 建设成效 is the tier's own requirement on the KPI standing, not the wording's
    assert benchmark.clause_ids == ["conditions#四.(二).1"]


def test_the_review_follows_the_edited_declaration() -> None:
    text = "一、申报单位基本信息\n企业名称：某公司\n生产作业—人机协同作业—智能化\n本项目主要指标处于国内领先水平。"
    before = review_text(text, "卓越级", "2025", rules=rules_2024())
    after = review_text(text, "卓越级", "2025", rules=edited_rules())

    missing = [f.message for f in after.findings if f.code == "section_missing"]
    assert any("智能工厂建设成效与推广" in m for m in missing)
    assert not any("智能工厂建设成效与推广" in f.message for f in before.findings)
    assert "form#示例" in cited(before.findings) and "form#示例" not in cited(after.findings)
    assert OTHER_EXAMPLE in cited(after.findings)
    claim = next(f for f in after.findings if f.code == "claim_without_kpi")
    assert "国际同行业先进水平" in claim.message


def test_the_form_follows_the_round_quotas_and_notes(tmp_path: Path) -> None:
    rules = rules_2024()
    quotas = rules.application.quotas
    fewer = [q.model_copy(update={"max_projects": 10 if q.max_projects == 20 else 3}) for q in quotas.items]
    application = rules.application.model_copy(update={"quotas": quotas.model_copy(update={"items": fewer})})
    form = declaration_of(rules).form
    notes = [form.notes[0].model_copy(update={"text": "推荐项目按优先次序排名"}), form.notes[1]]
    edited = with_declaration(
        rules.model_copy(update={"application": application}), form=form.model_copy(update={"notes": notes})
    )
    rows = [build_draft(parse_spec(example_spec())).form_row for _ in range(11)]

    with pytest.raises(ExportError) as info:
        write_recommendation_xlsx(rows, tmp_path / "x.xlsx", rules=edited)
    assert "超过上限10个" in info.value.message
    assert (
        "各省（区、市）推荐数量不超过10个，计划单列市、新疆生产建设兵团、有关中央企业不超过3个"
        in info.value.message
    )
    with pytest.raises(ExportError, match="1–10"):
        write_recommendation_xlsx(rows[:2], tmp_path / "q.xlsx", quota=20, rules=edited)
    sheet = load_workbook(write_recommendation_xlsx(rows[:10], tmp_path / "ok.xlsx", rules=edited)).active
    assert sheet.cell(14, 1).value == "注：1.推荐项目按优先次序排名；2.推荐数量不能超过通知中规定的上限。"


def test_a_declaration_clause_that_is_no_clause_id_fails_on_load() -> None:
    data = yaml.safe_load((RULES_DIR / "2024.yaml").read_text(encoding="utf-8"))
    data["declaration"]["form"]["example_clause_id"] = "附件4示例"
    with pytest.raises(RulesInvalidError, match="example_clause_id"):
        parse_rules(data)


def test_a_declaration_missing_a_tier_wording_fails_on_load() -> None:
    data = yaml.safe_load((RULES_DIR / "2024.yaml").read_text(encoding="utf-8"))
    del data["declaration"]["outcome_wording"]["领航级"]
    with pytest.raises(RulesInvalidError, match="领航级"):
        parse_rules(data)


def test_rules_without_a_declaration_check_but_do_not_draft() -> None:
    bare = rules_2024().model_copy(update={"declaration": None})
    assert isinstance(declaration_of(rules_2024()), DeclarationSpec)
    with pytest.raises(RulesInvalidError, match="declaration"):
        build_draft(parse_spec(example_spec()), rules=bare)
