"""The eligibility a draft states about its own company, judged by the checker: the maturity
level, whether construction is finished by the round's deadline, and a branch's legal form and
industry. One checker, so a review and ``assistant check`` never disagree.

Only what the draft says is read, in the plain ways drafts say it; a fact it does not state is
not a finding (the checker's "unknown" for a missing fact stays out of the review).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from assistant.drafting.findings import Finding
from assistant.language import sentences, to_int
from assistant.rules import RuleSet, check, parse_profile, window_closes
from assistant.vocabulary import Severity

#: "智能制造能力成熟度二级", "成熟度评估为3级", "成熟度达到三级".
_MATURITY = re.compile(r"成熟度[^。；\n]{0,16}?(?P<level>[一二三四五1-5])\s*级")
#: Construction still going on when the draft was written.
_UNFINISHED = re.compile(
    r"(正在|尚在|仍在)(施工|建设|实施|改造)|在建|尚未(完工|建成|竣工|完成建设)|预计[^。；\n]{0,14}(完工|建成|竣工)"
)
#: The end of 建设起止时间: "2021年3月—2025年9月", "2021.03-2025.09", "至2025年9月".
_PERIOD_END = re.compile(
    r"建设起止时间[^。；\n]{0,30}?(?:至|—|－|–|-|~|～|到)\s*(?P<y>20\d\d)\s*(?:年|\.|/|-)\s*(?P<m>\d{1,2})"
)
#: Not 规上: "尚未纳入规模以上工业企业统计", "非规上企业".
_NOT_ABOVE_SIZE = re.compile(r"(尚未|没有|未)(纳入|进入|达到|列入)?规模以上|非规上|不是规上|未达规上")
#: Not yet recognised at any tier: "目前尚未获评先进级", "未获评先进级智能工厂".
_NOT_RECOGNISED = re.compile(
    r"(尚未|未曾|未|没有|暂未)(获评|评为|认定为?|被认定为?|申报|参评|参加|获得|通过)[^。；\n]{0,12}先进级"
    r"|先进级[^。；\n]{0,16}(认定|评审|评定)结果(尚未|未|还没有?)(公布|发布|出来)"
)
#: The applicant is a branch ("分公司", "分厂"), not a "分厂区" (a site of the company).
_BRANCH = re.compile(r"分公司|分厂(?!区)|分支机构|非独立法人")
#: "所属行业：有色金属冶炼", "行业：钢铁" (the basic information's 行业 item).
_INDUSTRY = re.compile(r"(?:所属)?行业\s*[:：|]\s*(?P<industry>[^，。；\n|]{2,16})")


#: Another company named in the sentence: its "分公司" is not the applicant's legal form.
_OTHER_PARTY = re.compile(r"集成商|供应商|承建|服务商|合作|客户|设计院|总包")


def _applicant_branch(text: str) -> re.Match[str] | None:
    """ "分公司" said of the applicant, not of its integrator or a supplier (中国移动…分公司)."""
    for sentence in sentences(text, semicolons=True):
        branch = _BRANCH.search(sentence)
        if branch and not _OTHER_PARTY.search(sentence):
            return branch
    return None


def _stated(text: str, closes: dt.date) -> tuple[dict[str, Any], dict[str, str]]:
    """(the profile the draft states, the words each field was read from)."""
    profile: dict[str, Any] = {}
    said: dict[str, str] = {}
    if level := _MATURITY.search(text):
        profile["maturity"] = {"level": to_int(level.group("level"))}
        said["basic.maturity"] = level.group()
    unfinished = _UNFINISHED.search(text)
    end = _PERIOD_END.search(text)
    if unfinished or (end and dt.date(int(end.group("y")), int(end.group("m")), 1) > closes):
        profile["status"] = {"construction_completed": False}
        said["app.construction_completed"] = (unfinished or end).group()  # type: ignore[union-attr]
    if not_above := _NOT_ABOVE_SIZE.search(text):
        profile["enterprise"] = {"above_designated_size": False}
        said["basic.scale"] = not_above.group()
    if not_recognised := _NOT_RECOGNISED.search(text):
        profile.setdefault("status", {})["recognised_tier"] = None
        said["app.recognised_advanced"] = not_recognised.group()
    if branch := _applicant_branch(text):
        industry = _INDUSTRY.search(text)
        profile.setdefault("enterprise", {})["legal_form"] = "branch"
        if industry:
            profile["enterprise"]["industry"] = industry.group("industry").strip()
        said["app.legal_form"] = branch.group()
    return profile, said


def eligibility_findings(text: str, tier: str, rules: RuleSet) -> list[Finding]:
    """The checker's verdict on what the draft states: a requirement it fails must be fixed; one
    only the recommender can settle (a branch outside the industries named) is flagged."""
    closes = window_closes(rules)
    profile, said = _stated(text, closes)
    if not profile:
        return []
    report = check(parse_profile(profile), rules, closes)
    results = [*report.tiers[tier].requirements, *report.application.requirements]  # type: ignore[index]
    findings = []
    for result in results:
        if result.id not in said or result.status == "met":
            continue
        if result.status == "unknown" and result.id != "app.legal_form":
            continue  # a fact the draft does not state is no finding
        # "原则上" (conditional) and a branch the notice does not name: the recommender decides.
        severity: Severity = "必须修改" if result.status == "not_met" else "建议修改"
        findings.append(
            Finding(
                severity=severity,
                code=f"eligibility_{result.id.rpartition('.')[2]}",
                message=result.reason,
                clause_ids=list(result.clause_ids),
                excerpt=said[result.id],
            )
        )
    return findings
