"""Guard benchmark: the extra latency per sentence that sentence-level guarding adds.

Run: .venv/bin/python benchmarks/guards.py [--rounds 200]
Feeds answers in 4-character fragments (as a model streams) through SentenceGuard, with the
clauses a typical turn has seen and a checker report, and times each sentence from its last
fragment to its release. Mixes cited, uncited, figure-bearing, claim and invalid sentences,
figures and dates in words, a table with a claim row and list items.
Target: < 5 ms per sentence. Numbers depend on load; run on an idle machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time

from assistant.answering.llm.guard import SentenceGuard
from assistant.config import REPO_ROOT
from assistant.evaluation.guards import ADVANCED
from assistant.knowledge.corpus import load_corpus
from assistant.rules import check, load_rules, parse_profile

ANSWER = (
    "根据规则核验，贵公司目前达到先进级。"
    "卓越级智能工厂应达到三级及以上【conditions#一.5】。"
    "企业须于2024年11月22日前完成线上申报【notice#二.(二).1】。"
    "各省推荐项目数量不超过20个【notice#二.(二).2】。"
    "请在2026年3月31日前完成申报【notice#二.(二).1】。"
    "申报主体须连续三年纳税超过1亿元（依据 notice#九.(九).9）。"
    "贵公司属于领航级。"
    "若要达到卓越级，成熟度还需达到三级及以上。"
    "每省最多推荐20个项目。"
    "Your company does not yet qualify for the Pilot tier. "
    "法人的分支机构只有石油石化、有色金属等特殊行业可以申报[notice#二.(一).1]。\n"
    # issue 28: figures in words, relative dates, Markdown units
    "数控化率需达到八成以上【conditions#一.5】。各省推荐不超过二十个【notice#二.(二).2】。"
    "线上申报下月初截止【notice#二.(二).1】。\n\n"
    "| 事项 | 结论 |\n|---|---|\n| 层级 | 贵公司已达到领航级 |\n| 名额 | 不超过20个【notice#二.(二).2】 |\n\n"
    "- 卓越级智能工厂应达到三级及以上【conditions#一.5】。另需推荐２５个。\n"
    "- 企业须于十一月二十二日前完成线上申报【notice#二.(二).1】。\n"
)
SEEN = ["conditions#一.5", "notice#二.(二).1", "notice#二.(二).2", "notice#二.(一).1", "notice#二.(一).2"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="answers to guard")
    args = parser.parse_args()
    corpus = load_corpus(REPO_ROOT / "corpus")
    rules = load_rules(REPO_ROOT / "corpus" / "rules")
    report = check(parse_profile(ADVANCED), rules, dt.date(2024, 11, 1))
    known = set(corpus.by_id)
    seen = set(SEEN) | set(report.application.clause_ids) | {c for g in report.gaps for c in g.clause_ids}
    seen |= set(list(known)[:15])  # a turn that also searched: ~20 more clauses seen

    def text_of(clause_id: str) -> str | None:
        clause = corpus.get(clause_id)
        return clause.text if clause else None

    fragments = [ANSWER[i : i + 4] for i in range(0, len(ANSWER), 4)]
    per_sentence: list[float] = []
    per_fragment: list[float] = []
    for round_ in range(args.rounds + 1):
        if round_ == 1:  # the first answer warms regexes and caches: not counted
            per_sentence.clear()
            per_fragment.clear()
        guard = SentenceGuard(
            known=known, seen=seen, clause_text=text_of, report=report, user_text="成熟度二级"
        )
        for fragment in fragments:
            started = time.perf_counter()
            released = guard.feed(fragment)
            ms = (time.perf_counter() - started) * 1000
            per_fragment.append(ms)
            if released:
                per_sentence.append(ms / len(released))
        started = time.perf_counter()
        guard.flush()
        guard.closing_note()
        per_fragment.append((time.perf_counter() - started) * 1000)
    per_sentence.sort()
    print(f"cores: {os.cpu_count()}  rounds: {args.rounds}  sentences guarded: {len(per_sentence)}")
    print(
        "per sentence (ms): "
        f"mean {statistics.fmean(per_sentence):.3f}  "
        f"p50 {per_sentence[len(per_sentence) // 2]:.3f}  "
        f"p95 {per_sentence[int(len(per_sentence) * 0.95)]:.3f}  "
        f"p99 {per_sentence[int(len(per_sentence) * 0.99)]:.3f}  "
        f"max {per_sentence[-1]:.3f}"
    )
    print(f"per fragment (ms): mean {statistics.fmean(per_fragment):.4f}  max {max(per_fragment):.3f}")
    print("target: < 5 ms per sentence")


if __name__ == "__main__":
    main()
