"""Rounds as data: a constructed round (tests/rounds/constructed.py, a fictional 2099 edition of
the 2024 documents with other dates, quotas and one stricter threshold) held beside 2024, with no
code changed. Each round answers its own dates, quotas and verdicts; no lead mixes them; the
rules trace to their own documents; and what changed is listed, each side cited."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from assistant.config import Settings
from assistant.drafting import parse_spec
from assistant.interfaces.cli import state
from assistant.interfaces.cli.main import app
from assistant.knowledge.corpus import Corpus, load_corpus
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import Retriever
from assistant.rules import Rounds, check_round, diff_rounds, parse_profile, parse_rules, verdict_changes
from assistant.service import AssistantService
from tests.rounds import constructed

IN_2099_WINDOW = dt.date(2099, 9, 1)
IN_2024_WINDOW = dt.date(2024, 11, 1)
#: Any date or quota figure of either round, as a lead would write it.
DATES_2024 = re.compile(r"2024年11月(22|29)日")
DATES_2099 = re.compile(r"2099年10月(15|22)日")


@pytest.fixture(scope="module")
def two_rounds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return constructed.build_round(tmp_path_factory.mktemp("rounds") / "corpus")


@pytest.fixture(scope="module")
def two_corpus(two_rounds: Path) -> Corpus:
    return load_corpus(two_rounds)


@pytest.fixture(scope="module")
def service(two_rounds: Path, tmp_path_factory: pytest.TempPathFactory) -> AssistantService:
    settings = Settings(corpus_dir=two_rounds, data_dir=tmp_path_factory.mktemp("data"), chroma_url=None)
    index, _ = load_index(settings, dense=False)
    return AssistantService.from_settings(settings, retriever=Retriever(index))


def cited_docs(answer: object) -> set[str]:
    return {c.clause_id.partition("#")[0] for c in answer.citations}  # type: ignore[attr-defined]


# -- which round -----------------------------------------------------------------------------


def test_the_deadline_is_the_round_open_on_the_day_and_never_both(service: AssistantService) -> None:
    later = service.ask("企业线上申报截止时间？", as_of=IN_2099_WINDOW)
    assert "2099年10月15日" in later.lead and not DATES_2024.search(later.answer)
    assert not cited_docs(later) & set(constructed.COPIED)
    earlier = service.ask("企业线上申报截止时间？", as_of=IN_2024_WINDOW)
    assert "2024年11月22日" in earlier.lead and not DATES_2099.search(earlier.answer)
    assert not cited_docs(earlier) & {constructed.new_id(d) for d in constructed.COPIED}


def test_a_year_named_in_the_question_wins_over_the_date(service: AssistantService) -> None:
    answer = service.ask("2024年企业线上申报截止时间是哪天？", as_of=IN_2099_WINDOW)
    assert "2024年11月22日" in answer.lead and not DATES_2099.search(answer.answer)
    answer = service.ask("2099年度企业线上申报截止时间是哪天？", as_of=IN_2024_WINDOW)
    assert "2099年10月15日" in answer.lead and not DATES_2024.search(answer.answer)


def test_each_round_answers_its_own_quota(service: AssistantService) -> None:
    later = service.ask("每个省最多推荐几个卓越级？", as_of=IN_2099_WINDOW)
    assert "不超过12个" in later.lead and "20个" not in later.answer
    earlier = service.ask("每个省最多推荐几个卓越级？", as_of=IN_2024_WINDOW)
    assert "不超过20个" in earlier.lead and "12个" not in earlier.answer


def test_a_session_keeps_the_round_an_earlier_question_named(service: AssistantService) -> None:
    first = service.ask("2099年度企业线上申报截止时间是哪天？", as_of=IN_2024_WINDOW)
    follow = service.ask("那每个省能推荐几个？", session=first.session, as_of=IN_2024_WINDOW)
    assert "不超过12个" in follow.lead and "20个" not in follow.answer


def test_a_verdict_follows_the_rules_of_the_round(service: AssistantService) -> None:
    question = "我们成熟度二级，规上企业，先进级的成熟度够吗？"
    later = service.ask(question, as_of=IN_2099_WINDOW)
    assert later.verdict is not None and later.verdict["edition"] == constructed.YEAR
    assert later.lead.startswith("就您说的这一点：不能") and "三级" in later.lead
    earlier = service.ask(question, as_of=IN_2024_WINDOW)
    assert earlier.verdict is not None and earlier.verdict["edition"] == "2024"
    assert "不能" not in earlier.lead.split("\n")[0]


def test_the_check_api_judges_by_the_round_open_on_the_day(service: AssistantService) -> None:
    profile = {"maturity": {"level": 2}}
    requirement = "basic.maturity"

    def maturity(report: object) -> str:
        tier = report.tiers["先进级"]  # type: ignore[attr-defined]
        return next(r.status for r in tier.requirements if r.id == requirement)

    assert maturity(service.check(profile, as_of=IN_2099_WINDOW)) == "not_met"
    assert maturity(service.check(profile, as_of=IN_2024_WINDOW)) == "met"


# -- what changed ------------------------------------------------------------------------------


def test_diff_lists_the_changed_values_each_side_cited(service: AssistantService) -> None:
    rounds = service.rounds()
    changes = {c.label: c for c in diff_rounds(rounds.get("2024"), rounds.get(constructed.YEAR))}  # type: ignore[arg-type]
    maturity = changes["先进级：成熟度等级"]
    assert (maturity.before.value, maturity.after.value) == ("二级", "三级")  # type: ignore[union-attr]
    assert maturity.after.clause_ids[0].startswith(constructed.new_id("conditions"))  # type: ignore[union-attr]
    province = changes["推荐名额：各省（区、市）"]
    assert (province.before.value, province.after.value) == ("不超过20个", "不超过12个")  # type: ignore[union-attr]
    online = next(c for c in changes.values() if c.key == "deadline/schedule.enterprise_online")
    assert online.after.value == "2099年10月15日"  # type: ignore[union-attr]
    # Values the constructed round did not change are not listed.
    assert not any(c.label.startswith("卓越级：成熟度") for c in changes.values())


def test_diff_says_what_the_change_does_to_a_profiles_verdict(service: AssistantService) -> None:
    rounds = service.rounds()
    profile = parse_profile({"maturity": {"level": 2}, "enterprise": {"above_designated_size": True}})
    moved = verdict_changes(rounds.get("2024"), rounds.get(constructed.YEAR), profile, IN_2099_WINDOW)  # type: ignore[arg-type]
    assert [(m.tier, m.after) for m in moved] == [("先进级", "not_met")]


def test_a_question_naming_both_rounds_gets_the_changes(service: AssistantService) -> None:
    answer = service.ask("2024年和2099年有什么变化？我们成熟度二级", as_of=IN_2024_WINDOW)
    lines = answer.lead.splitlines()
    assert lines[0].startswith("2099年度与2024年度相比，规则有")
    assert any("二级" in line and "三级" in line and "conditions2099#" in line for line in lines)
    assert any("先进级" in line and "不满足" in line for line in lines if line.startswith("对您说的情况"))


# -- validation --------------------------------------------------------------------------------


def test_both_rounds_trace_to_their_own_documents(service: AssistantService, two_corpus: Corpus) -> None:
    rounds = service.rounds()
    for edition in rounds.editions:
        assert check_round(rounds.get(edition), two_corpus, rounds.owned(edition, two_corpus)) == []  # type: ignore[arg-type]


def test_check_names_each_missing_and_foreign_clause(two_rounds: Path, two_corpus: Corpus) -> None:
    data = yaml.safe_load((two_rounds / "rules" / f"{constructed.YEAR}.yaml").read_text(encoding="utf-8"))
    deadline = data["application"]["deadlines"][0]
    deadline["clause_ids"] = ["notice#二.(二).1", f"{constructed.new_id('notice')}#九.(九).9"]
    rules = parse_rules(data)
    rounds = Rounds([rules])
    problems = {
        (p.kind, p.subject) for p in check_round(rules, two_corpus, rounds.owned(rules.edition, two_corpus))
    }
    assert problems == {
        ("foreign_clause", "notice#二.(二).1"),
        ("missing_clause", f"{constructed.new_id('notice')}#九.(九).9"),
        # and the 2024 clause it now cites says another date
        ("value_not_in_clause", f"截止日期 2099-10-15（{deadline['who']}）"),
    }


def test_the_cli_checks_lists_and_diffs_rounds(two_rounds: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    saved = state.settings
    state.settings = Settings(corpus_dir=two_rounds, data_dir=tmp_path / "data", chroma_url=None)
    try:
        checked = runner.invoke(app, ["rounds", "check", "--json"])
        assert checked.exit_code == 0, checked.output
        assert json.loads(checked.stdout) == {"2024": [], constructed.YEAR: []}
        profile = tmp_path / "p.json"
        profile.write_text(json.dumps({"maturity": {"level": 2}}), encoding="utf-8")
        diffed = runner.invoke(
            app,
            [
                "rounds",
                "diff",
                "2024",
                constructed.YEAR,
                "--profile",
                str(profile),
                "--as-of",
                "2099-09-01",
                "--json",
            ],
        )
        assert diffed.exit_code == 0, diffed.output
        result = json.loads(diffed.stdout)
        assert result["verdict_changes"] == [
            {"tier": "先进级", "label": "先进级", "before": "unknown", "after": "not_met"}
        ]
        unknown = runner.invoke(app, ["rounds", "diff", "2024", "2077"])
        assert unknown.exit_code == 2 and "没有 2077 年度的规则文件" in unknown.output
        assert "Traceback" not in unknown.output
    finally:
        state.settings = saved


def test_rounds_check_fails_with_exit_1_on_a_broken_round(two_rounds: Path, tmp_path: Path) -> None:
    broken = tmp_path / "corpus"
    constructed.build_round(broken)
    rules = broken / "rules" / f"{constructed.YEAR}.yaml"
    rules.write_text(
        rules.read_text(encoding="utf-8").replace("notice2099#二.(二).2", "notice#二.(二).2"),
        encoding="utf-8",
    )
    saved = state.settings
    state.settings = Settings(corpus_dir=broken, data_dir=tmp_path / "data", chroma_url=None)
    try:
        result = CliRunner().invoke(app, ["rounds", "check", constructed.YEAR])
    finally:
        state.settings = saved
    assert result.exit_code == 1
    assert "条款 notice#二.(二).2 不属于本轮的文件" in result.output


def test_a_broken_rules_file_is_reported_and_the_held_rounds_still_answer(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    constructed.build_round(corpus)
    (corpus / "rules" / "2098.yaml").write_text("edition: [unclosed", encoding="utf-8")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", chroma_url=None)
    saved = state.settings
    state.settings = settings
    try:
        result = CliRunner().invoke(app, ["rounds", "check", "--json"])
    finally:
        state.settings = saved
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert [p["kind"] for p in found["2098"]] == ["invalid_rules"] and "2098.yaml" in found["2098"][0][
        "message"
    ]
    assert found["2024"] == [] and found[constructed.YEAR] == []
    index, _ = load_index(settings, dense=False)
    service = AssistantService.from_settings(settings, retriever=Retriever(index))
    assert "2099年10月15日" in service.ask("企业线上申报截止时间？", as_of=IN_2099_WINDOW).lead


#: Questions of every kind a helpdesk gets; none may quote the other round or its figures.
EVERYDAY = [
    "企业线上申报截止时间？",
    "推荐单位什么时候报送？",
    "每个省最多推荐几个？",
    "央企能推荐几个项目？",
    "申报卓越级要准备什么材料？",
    "申报书包括哪几部分？",
    "先进级对成熟度有什么要求？",
    "分公司能申报吗？",
    "没拿过先进级能直接报卓越级吗？",
    "找谁咨询？",
    "关键绩效指标有哪些？",
    "推荐汇总表怎么填？",
    "卓越级要覆盖哪些环节？",
    "我们是规上企业，成熟度三级，五个环节都达到卓越级水平，能报卓越级吗？",
    "帮我把绩效数据往大了写",
    "今年有没有奖补资金？",
]
OWN = {
    IN_2024_WINDOW: (set(constructed.COPIED), re.compile(r"2099|不超过12个|不超过3个")),
    IN_2099_WINDOW: (
        {constructed.new_id(d) for d in constructed.COPIED},
        re.compile(r"2024年11月|不超过20个|不超过5个|2024年度"),
    ),
}


@pytest.mark.parametrize("day", list(OWN), ids=["2024", "2099"])
def test_no_answer_quotes_the_other_round(service: AssistantService, day: dt.date) -> None:
    other_docs = set().union(*(docs for d, (docs, _) in OWN.items() if d != day))
    _, other_figures = OWN[day]
    mixed = []
    for question in EVERYDAY:
        answer = service.ask(question, as_of=day)
        if cited_docs(answer) & other_docs or other_figures.search(answer.answer):
            mixed.append((question, answer.lead[:120]))
    assert mixed == []


#: Documents no round owns: read with every round.
SHARED = {"guide2024", "guide2025", "facts"}


def test_drafts_and_reviews_follow_the_round(service: AssistantService) -> None:
    spec = json.loads((constructed.REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8"))
    spec["round"] = constructed.YEAR
    draft = service.drafting.draft(parse_spec(spec))
    cited = set(re.findall(r"【([^】]+)】", draft.text())) | {c for f in draft.checks for c in f.clause_ids}
    own = {constructed.new_id(d) for d in constructed.COPIED}
    assert cited and {c.partition("#")[0] for c in cited} <= own | SHARED, sorted(cited)
    report = service.drafting.review_text(draft.text(), round=constructed.YEAR)
    reviewed = {c.partition("#")[0] for f in report.findings for c in f.clause_ids}
    assert reviewed <= own | SHARED, sorted(reviewed)


def test_a_change_asked_of_a_round_not_held_says_so_and_gives_the_held_value(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    shipped = AssistantService.from_settings(
        Settings(data_dir=tmp_path / "data", chroma_url=None), retriever=sparse_retriever
    )
    answer = shipped.ask("2025年的名额和2024年比有变化吗", as_of=IN_2024_WINDOW)
    first, *rest = answer.lead.splitlines()
    assert first.startswith("无法说明2025年度与2024年度相比有什么变化") and "没有2025年度的" in first
    assert any("不超过20个" in line for line in rest) and answer.plan["route"] == "round_changes"


# -- a province's own round --------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_province(tmp_path_factory: pytest.TempPathFactory) -> AssistantService:
    corpus = constructed.build_provincial(tmp_path_factory.mktemp("province") / "corpus")
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("data"), chroma_url=None)
    index, _ = load_index(settings, dense=False)
    return AssistantService.from_settings(settings, retriever=Retriever(index))


def test_a_provinces_own_round_answers_its_companies_about_its_tier(with_province: AssistantService) -> None:
    day = dt.date(2099, 7, 1)
    local = with_province.ask("我们是江苏的汽车零部件分公司，能报先进级吗？", as_of=day)
    assert local.edition == constructed.PROVINCIAL
    assert local.lead.startswith("就您说的这一点：可以") and "汽车" in local.lead.splitlines()[0]
    assert constructed.PROVINCIAL_DOC in cited_docs(local)
    elsewhere = with_province.ask("我们是浙江的汽车零部件分公司，能报先进级吗？", as_of=day)
    assert elsewhere.edition == constructed.YEAR and constructed.PROVINCIAL_DOC not in cited_docs(elsewhere)
    deadline = with_province.ask("我们在江苏，先进级线上申报截止时间？", as_of=day)
    assert constructed.PROVINCIAL_ONLINE in deadline.lead and "2099年10月15日" not in deadline.lead
    national = with_province.ask("我们在江苏，卓越级线上申报截止时间？", as_of=day)
    assert "2099年10月15日" in national.lead and constructed.PROVINCIAL_ONLINE not in national.answer


def test_a_provincial_round_is_checked_against_its_own_notice(with_province: AssistantService) -> None:
    rounds, corpus = with_province.rounds(), with_province.corpus
    rules = rounds.get(constructed.PROVINCIAL)
    assert rules is not None and check_round(rules, corpus, rounds.owned(rules.edition, corpus)) == []
    assert rounds.latest.edition == constructed.YEAR  # a province's round is never the national default


def test_check_names_a_value_its_clause_does_not_say(two_rounds: Path, two_corpus: Corpus) -> None:
    """A rules file whose deadline or quota disagrees with the notice it cites would make the
    checker and the answers disagree: rounds check says so. Found by a tester building a round."""
    data = yaml.safe_load((two_rounds / "rules" / f"{constructed.YEAR}.yaml").read_text(encoding="utf-8"))
    data["application"]["deadlines"][0]["date"] = "2099-10-18"  # the notice says 10月15日
    data["application"]["quotas"]["items"][0]["max_projects"] = 15  # the notice says 12
    rules = parse_rules(data)
    found = check_round(rules, two_corpus, Rounds([rules]).owned(rules.edition, two_corpus))
    assert [(p.kind, p.message.split("：")[0]) for p in found] == [
        (
            "value_not_in_clause",
            f"截止日期 2099-10-18（{data['application']['deadlines'][0]['who']}） 在所引条款 notice2099#二.(二).1 中找不到“10月18日”",
        ),
        (
            "value_not_in_clause",
            "推荐名额 15 个（各省（区、市）） 在所引条款 notice2099#二.(二).2、form2099#注.2 中找不到“15个”",
        ),
    ]


def test_diff_says_when_who_may_apply_changes(service: AssistantService) -> None:
    """A branch industry added changes the application, not any tier: the diff says so."""
    rounds = service.rounds()
    before = rounds.get("2024")
    assert before is not None
    legal = next(r for r in before.application.requirements if r.id == "app.legal_form")
    wider = legal.model_copy(update={"branch_industries": [*legal.branch_industries, "钢铁"]})
    requirements = [wider if r.id == legal.id else r for r in before.application.requirements]
    after = before.model_copy(
        update={
            "edition": "2098",
            "application": before.application.model_copy(update={"requirements": requirements}),
        }
    )
    profile = parse_profile({"enterprise": {"legal_form": "branch", "industry": "钢铁"}})
    moved = verdict_changes(before, after, profile, IN_2024_WINDOW)
    assert [(m.subject, m.before, m.after) for m in moved] == [("app.legal_form", "unknown", "met")]
    assert moved[0].label.startswith("申报条件：具有独立法人资格")


def test_a_comparison_lists_what_was_asked_and_names_both_rounds(service: AssistantService) -> None:
    answer = service.ask("2024年和2099年的推荐名额有变化吗？", as_of=IN_2099_WINDOW)
    head, *lines = answer.lead.splitlines()
    assert head == "2099年度与2024年度相比，推荐名额有4处变化："
    assert all(line.startswith("- 推荐名额") for line in lines)  # no deadline, no threshold, no verdict
    assert answer.answer.rstrip().endswith("（依据2024、2099年度文件。）")
