"""Which links a tier must cover, read from the round's rules file, and the gaps of a draft.

附件2 says it per tier in (一): 基础级 至少覆盖生产作业; 先进级 至少覆盖生产作业、生产管理、运营管理;
卓越级 原则上应覆盖全部五个环节; 领航级 须覆盖全部五个环节. The rules file holds this as the tier's
``links`` requirements (a ``principle: true`` one is 原则上), so the checker, drafting and review
all read the same file and follow its edition; nothing here names a tier or a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import InputError
from assistant.rules.ruleset import RuleSet
from assistant.vocabulary import LINKS, TIERS, Severity

#: Counts before 个 (两个, not 二个).
_CN_COUNT = "零一两三四五六七八九"


@dataclass(frozen=True)
class RequiredLinks:
    """A tier's coverage: links it must cover, links it covers 原则上, and the clause saying so."""

    tier: str
    hard: tuple[str, ...]
    conditional: tuple[str, ...]
    clause_id: str

    @property
    def all_links(self) -> bool:
        """True when the tier asks for every link (hard or 原则上)."""
        return set(self.hard) | set(self.conditional) == set(LINKS)

    @property
    def wording(self) -> str:
        """The requirement as 附件2 words it, e.g. 至少覆盖生产作业、生产管理、运营管理三个环节."""
        every = f"全部{_CN_COUNT[len(LINKS)]}个环节"
        if set(self.hard) == set(LINKS):
            return f"须覆盖{every}"
        if self.all_links:
            return f"原则上应覆盖{every}"
        count = "" if len(self.hard) == 1 else f"{_CN_COUNT[len(self.hard)]}个"
        return f"至少覆盖{'、'.join(self.hard)}{count}环节"


def required_links(rules: RuleSet, tier: str) -> RequiredLinks:
    """The links ``tier`` must cover (hard) and should cover (原则上) under ``rules``."""
    spec = next((t for t in rules.tiers if t.name == tier), None)
    if spec is None:
        raise InputError(f"未知的目标层级 {tier!r}；可选：{'、'.join(TIERS)}")
    hard: list[str] = []
    conditional: list[str] = []
    clause_id = spec.clause_ids[0]
    link_specs = [r for r in spec.requirements if r.category == "links"]
    for requirement in link_specs:
        for check in requirement.checks:
            link = check.field.removeprefix("links.")
            if check.field.startswith("links.") and link not in hard + conditional:
                (conditional if requirement.principle else hard).append(link)
    if link_specs:
        clause_id = link_specs[0].clause_ids[0]
    return RequiredLinks(
        tier=tier,
        hard=tuple(sorted(hard, key=LINKS.index)),
        conditional=tuple(sorted(conditional, key=LINKS.index)),
        clause_id=clause_id,
    )


def coverage_gaps(rules: RuleSet, covered: set[str], tier: str) -> list[tuple[Severity, str, list[str]]]:
    """Links ``tier`` needs but ``covered`` lacks, as (severity, message, clause ids).

    A missing hard link must be fixed; a missing 原则上 link is a 建议修改 asking for a reason.
    When a tier's own coverage is 原则上, its hard links are those of the tier below (the tiers
    are cumulative), so that tier's clause is cited too.
    """
    need = required_links(rules, tier)
    gaps: list[tuple[Severity, str, list[str]]] = []
    missing_hard = [link for link in need.hard if link not in covered]
    if missing_hard:
        clauses = [need.clause_id]
        if need.conditional:
            below = _lower_tier_requiring(rules, tier, need.hard)
            if below is not None:
                clauses.append(below.clause_id)
        gaps.append(
            (
                "必须修改",
                f"{tier}要求{need.wording}，现有场景实例未覆盖：{'、'.join(missing_hard)}。",
                clauses,
            )
        )
    missing_soft = [link for link in need.conditional if link not in covered]
    if missing_soft:
        gaps.append(
            (
                "建议修改",
                f"{tier}{need.wording}，现有场景实例未覆盖：{'、'.join(missing_soft)}；"
                "请补充相应场景实例；未覆盖能否作为例外，文件未作规定，请向推荐单位确认。",
                [need.clause_id],
            )
        )
    return gaps


def _lower_tier_requiring(rules: RuleSet, tier: str, links: tuple[str, ...]) -> RequiredLinks | None:
    """The nearest tier below ``tier`` that must cover every one of ``links``."""
    names = rules.tier_names()
    for name in reversed(names[: names.index(tier)]):
        below = required_links(rules, name)
        if set(links) <= set(below.hard):
            return below
    return None
