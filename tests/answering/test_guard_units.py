"""The guard sentence by sentence, without a model: figures and dates in any script must be in
the cited clause, and Markdown units (a table row, a list item, a heading) are checked whole and
replaced so that the Markdown stays valid."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from assistant.answering.llm.guard import SentenceGuard
from assistant.config import REPO_ROOT
from assistant.knowledge.corpus import Corpus
from assistant.rules import CheckReport, check, load_rules, parse_profile
from tests.profiles import ADVANCED

SEEN = {"notice#二.(二).1", "notice#二.(二).2", "conditions#一.5", "conditions#四.(一).3"}


@pytest.fixture(scope="module")
def report() -> CheckReport:
    rules = load_rules(REPO_ROOT / "corpus" / "rules")
    return check(parse_profile(ADVANCED), rules, dt.date(2024, 11, 1))


def guard_for(corpus: Corpus, report: CheckReport | None, user_text: str = "") -> SentenceGuard:
    def text_of(clause_id: str) -> str | None:
        clause = corpus.get(clause_id)
        return clause.text if clause else None

    return SentenceGuard(
        known=set(corpus.by_id), seen=set(SEEN), clause_text=text_of, report=report, user_text=user_text
    )


def guarded(corpus: Corpus, report: CheckReport | None, text: str, size: int = 3) -> str:
    """The text as the guard lets it through, fed in fragments of ``size`` characters."""
    guard = guard_for(corpus, report)
    shown = [s for i in range(0, len(text), size) for s in guard.feed(text[i : i + size])]
    shown += guard.flush()
    assert "".join(shown) == guard.text
    return guard.text


@pytest.mark.parametrize(
    "sentence",
    [
        "数控化率需达到八成以上【conditions#四.(一).3】。",
        "数控化率需达到百分之八十五【conditions#四.(一).3】。",
        "关键工序数控化率占三成【conditions#四.(一).3】。",
        "产能需提升两倍【conditions#四.(一).3】。",
        "各省推荐不超过二十五个【notice#二.(二).2】。",
        "各省推荐不超过２５个【notice#二.(二).2】。",
        "线上申报下月初截止【notice#二.(二).1】。",
        "线上申报月底前截止【notice#二.(二).1】。",
        "线上申报十一月底截止【notice#二.(二).1】。",
        "请于下周一前完成线上申报【notice#二.(二).1】。",
        "国庆后一周内完成线上申报【notice#二.(二).1】。",
    ],
)
def test_a_figure_or_date_in_words_that_the_clause_does_not_hold_is_removed(
    corpus: Corpus, sentence: str
) -> None:
    guard = guard_for(corpus, None)
    assert guard.check(sentence) == ""
    assert "unsupported_figures_removed" in guard.stats.flags


@pytest.mark.parametrize(
    "sentence",
    [
        "各省推荐不超过二十个【notice#二.(二).2】。",
        "各省推荐不超过２０个【notice#二.(二).2】。",
        "企业须于十一月二十二日前完成线上申报【notice#二.(二).1】。",
        "卓越级智能工厂应达到三级及以上【conditions#一.5】。",
    ],
)
def test_a_figure_or_date_the_clause_holds_is_kept_however_it_is_written(
    corpus: Corpus, sentence: str
) -> None:
    assert guard_for(corpus, None).check(sentence) == sentence


def test_a_relative_date_the_user_said_is_theirs_to_repeat(corpus: Corpus) -> None:
    guard = guard_for(corpus, None, user_text="我们下月初能交吗")
    sentence = "下月初提交已晚于截止日期【notice#二.(二).1】。"
    assert guard.check(sentence) == sentence


TABLE = (
    "对照如下：\n\n"
    "| 事项 | 结论 | 依据 |\n"
    "|---|---|---|\n"
    "| 层级 | 贵公司已达到领航级 | 【conditions#一.5】 |\n"
    "| 名额 | 不超过25个 | 【notice#二.(二).2】 |\n"
    "| 名额 | 不超过二十个 | 【notice#二.(二).2】 |\n"
    "\n后续请补充材料。\n"
)


def _table_lines(text: str) -> list[str]:
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next(i for i in range(first, len(lines)) if not lines[i].startswith("|"))
    return lines[first:end]


@pytest.mark.parametrize("size", [1, 4, 50])
def test_a_claim_in_a_table_replaces_its_row_and_the_verdict_follows_the_table(
    corpus: Corpus, report: CheckReport, size: int
) -> None:
    text = guarded(corpus, report, TABLE, size)
    rows = _table_lines(text)
    assert [row.count("|") for row in rows] == [4, 4, 4, 4]  # header, rule, claim row, kept row
    assert "领航级" not in text and "25个" not in text
    assert (
        rows[2].startswith("| 规则核验结论：") and rows[3] == "| 名额 | 不超过二十个 | 【notice#二.(二).2】 |"
    )
    after = text.split(rows[-1] + "\n", 1)[1]
    assert after.startswith("\n规则核验结论：")  # a blank line first: not one more row
    assert after.rstrip().endswith("后续请补充材料。")


def test_a_removed_header_row_leaves_an_empty_row_so_the_table_holds(
    corpus: Corpus, report: CheckReport
) -> None:
    text = guarded(corpus, report, "| 名额不超过25个【notice#二.(二).2】 | 说明 |\n|---|---|\n| 甲 | 乙 |\n")
    assert text.split("\n")[:3] == ["|   |   |", "|---|---|", "| 甲 | 乙 |"]


def test_a_list_item_is_checked_whole(corpus: Corpus, report: CheckReport) -> None:
    text = guarded(
        corpus,
        report,
        "要点：\n- 各省推荐不超过20个【notice#二.(二).2】。计划单列市不超过5个。\n"
        "- 卓越级应达到三级及以上【conditions#一.5】。另需推荐30个。\n",
    )
    assert "不超过20个" in text and "三级及以上" not in text and "30个" not in text


def test_a_claim_in_a_heading_or_a_list_item_is_replaced_by_the_verdict_once(
    corpus: Corpus, report: CheckReport
) -> None:
    text = guarded(
        corpus, report, "## 贵公司已达到领航级\n- 贵公司属于卓越级。\n- 成熟度二级【conditions#一.5】。\n"
    )
    assert text.startswith("规则核验结论：") and text.count("规则核验结论：") == 1
    assert "已达到领航级" not in text and "属于卓越级" not in text


def test_a_field_id_the_model_repeats_is_written_as_its_chinese_name(corpus: Corpus) -> None:
    sentence = "卓越级还要求覆盖运营管理（links.运营管理），成熟度（maturity.level）达到三级及以上【conditions#一.5】。"
    checked = guard_for(corpus, None).check(sentence)
    assert (
        checked
        == "卓越级还要求覆盖运营管理（运营管理环节），成熟度（成熟度等级）达到三级及以上【conditions#一.5】。"
    )


def test_the_checkers_statement_names_facts_never_field_ids(corpus: Corpus, report: CheckReport) -> None:
    guard = guard_for(corpus, report)
    statement = guard.check("贵公司已达到领航级。")
    assert statement.startswith("规则核验结论：")
    assert not re.search(r"(?:enterprise|basic|maturity|links|outcomes|status)\.", statement)
