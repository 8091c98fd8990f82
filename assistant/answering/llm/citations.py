"""What the guard (guard.py) reads in the model's sentences: citations in any bracket style,
the tiers a sentence claims the enterprise reaches, and the figures and dates it states (in any
script, relative dates too: assistant.language.numbers reads them all).

The guard itself decides what to keep: every 【clause_id】 must exist and have been retrieved this
turn; a tier claimed above the checker's verdict is replaced by the verdict; a figure no cited
clause holds is removed.
"""

from __future__ import annotations

import re

from assistant.answering.cite import CITATION
from assistant.language import Figures, clauses, held_by, segments
from assistant.language import figures as language_figures
from assistant.vocabulary import TIERS, tier_rank

TIER_ORDER = {tier: tier_rank(tier) for tier in TIERS}

# -- citations in any bracket style ----------------------------------------------------------------

_ID_CHAR = r"[^\s【】\[\]［］（）()，,。；;：:]"
_ID = r"[A-Za-z][\w-]{0,30}#(?:" + _ID_CHAR + r"|\(" + _ID_CHAR + r"{1,8}\))+"
#: 【 id 】 with spaces, [id], ［id］, （依据 id）, (见 id), 【依据：id】: one clause id inside.
_ANY_CITATION = re.compile(
    r"(?:【|\[|［|（|\()\s*(?:依据|来源|出处|参见|参考|见)?[:：]?\s*(?P<id>" + _ID + r")\s*(?:】|\]|］|）|\))"
)


def normalise_citations(text: str) -> str:
    """Every bracket style the model uses for a clause id becomes 【id】, so one check sees them all."""

    def fix(match: re.Match[str]) -> str:
        clause_id = match.group("id")
        return f"【{clause_id}】"

    return _ANY_CITATION.sub(fix, text)


# -- tier claims in any wording --------------------------------------------------------------------

_ZH_TIER = r"(?P<tier>基础级|先进级|卓越级|领航级)"
_EN_TIERS = {
    "basic": "基础级",
    "advanced": "先进级",
    "excellent": "卓越级",
    "excellence": "卓越级",
    "pilot": "领航级",
    "leading": "领航级",
    "leader": "领航级",
    "lighthouse": "领航级",
}
_EN_TIER = re.compile(
    r"\b(?P<en>basic|advanced|excellen(?:t|ce)|pilot|leading|leader|lighthouse)\b\s*(?:\([^)]{0,12}\)\s*)?"
    r"(?:tier|level|grade|class|factory)",
    re.IGNORECASE,
)
#: A claim with the verb before the tier: 已达到领航级, 属于 领航级, 符合申报领航级的条件, 可评为领航级.
_VERB_FIRST = re.compile(
    r"(?P<verb>达到|达成|已达|可达|能达|满足|符合|具备|属于|评为|评定为|认定为|列为|够得上|够格|够|跻身|晋升为|升级为|升为"
    r"|入选|获评|可以申报|能够申报|能申报|可申报|可以报|能报|可报|有资格申报|有资格参评|是|成为)"
    r"(?P<gap>[^，,。；;！!？?\n]{0,8}?)" + _ZH_TIER
)
#: A claim with the tier first: 卓越级：已满足, 卓越级条件已全部满足.
_TIER_FIRST = re.compile(
    _ZH_TIER + r"(?:的)?(?:全部|各项)?(?:申报)?(?:条件|要求|标准)?"
    r"(?:\s*[:：]\s*(?:已经|已|均已|都已)?|(?:已经|已|均已|都已))(?:全部|完全)?"
    r"(?P<verb>满足|达到|符合|达标|具备|通过|合格)"
)
#: 是/成为 claim only with the enterprise as subject (本轮申报的是卓越级 is no claim).
_SUBJECT = re.compile(r"贵公司|贵企业|贵厂|贵司|贵单位|你们|您|我们|我司|你司|该企业|该公司|本企业|贵方")
_WEAK_VERBS = {"是", "成为"}
#: Words before the verb that make it no claim: negation (没有达到, 未能达到, 尚不满足) or
#: conditional advice (若要达到, 如需满足, 为了达到). Looked for in the same clause only.
_NOT_A_CLAIM_NEAR = re.compile(
    r"(没|没有|未|尚未|并未|不|并不|尚不|无法|难以|并非|要|需|须|需要|才能|争取|目标|目标是|希望|计划|拟)"
    r"\s*(能|能够|可|可以|会|曾|再|就|还|全部|完全|真正)?\s*$"
)
#: ... and conditions anywhere earlier in the clause (若…达到, 为了…满足).
_NOT_A_CLAIM_FAR = re.compile(r"若|如果|假如|如需|如要|要想|想要|为了|只有|一旦|还需|仍需|倘若")
#: Negation between the verb and the tier (满足不了卓越级).
_NEGATED_GAP = re.compile(r"没|未|不|无法|难以|并非")
_EN_CLAIM = re.compile(
    r"\b(qualif\w*|reach\w*|meets?|met|achiev\w*|attain\w*|satisf\w*|eligible|rated|classified|counts? as|"
    r"is|are|be|become\w*)\b",
    re.IGNORECASE,
)
_EN_NOT = re.compile(
    r"(\b(not|no|never|cannot|unable|fail\w*|if|unless|would|could|need\w*|must|should|to reach|to qualify|"
    r"whether)\b|n't)",
    re.IGNORECASE,
)
NO_BASIS = "现有文件中没有找到能支持这一回答的条款，无法给出有依据的答复。"


def _zh_claims(clause: str) -> list[str]:
    tiers = []
    for match in _VERB_FIRST.finditer(clause):
        before = clause[max(0, match.start() - 12) : match.start()]
        before = before.replace("不仅", "").replace("不但", "")  # "not only reaches" still claims
        if (
            _NOT_A_CLAIM_NEAR.search(before)
            or _NOT_A_CLAIM_FAR.search(before)
            or _NEGATED_GAP.search(match.group("gap"))
        ):
            continue
        if match.group("verb") in _WEAK_VERBS and not _SUBJECT.search(clause[: match.start()]):
            continue
        tiers.append(match.group("tier"))
    for match in _TIER_FIRST.finditer(clause):
        tiers.append(match.group("tier"))
    return tiers


def _en_claims(clause: str) -> list[str]:
    tiers = []
    for match in _EN_TIER.finditer(clause):
        before = clause[: match.start()]
        if _EN_CLAIM.search(before) and not _EN_NOT.search(before):
            tiers.append(_EN_TIERS[match.group("en").lower()])
    return tiers


def claimed_tiers(text: str) -> list[str]:
    """Tiers the text asserts the enterprise reaches, in any wording (Chinese or English);
    negated or conditional mentions are not claims."""
    tiers: list[str] = []
    for clause in clauses(text):
        found = _zh_claims(clause) or _en_claims(clause)
        tiers.extend(t for t in found if t not in tiers)
    return tiers


def contradicts(text: str, reachable_tier: str | None) -> bool:
    """True when the text claims a tier above the highest the checker found reachable."""
    ceiling = TIER_ORDER.get(reachable_tier or "", 0)
    return any(TIER_ORDER[tier] > ceiling for tier in claimed_tiers(text))


def strip_claims(text: str, reachable_tier: str | None) -> str:
    """Remove the sentences that claim more than the checker allows."""
    ceiling = TIER_ORDER.get(reachable_tier or "", 0)
    kept = [s for s in segments(text) if not any(TIER_ORDER[t] > ceiling for t in claimed_tiers(s))]
    return "".join(kept).strip()


# -- figures and dates -----------------------------------------------------------------------------


def figures(text: str) -> Figures:
    """The numbers, dates and relative dates of a text (see assistant.language.figures), its
    citations left out: a clause id's numbers are no figures."""
    return language_figures(CITATION.sub("", text))


def unsupported_figures(sentence: str, sources: list[str], allowed: Figures | None = None) -> list[str]:
    """The figures, dates and relative dates of the sentence that none of the source texts holds
    (nor ``allowed``: what the user said). Compared after normalisation: 八成 is 80%, 两倍 is
    2倍, 十一月二十二日 is 11月22日, 下个月初 is 下月初."""
    numbers, dates, relative = figures(sentence)
    if not numbers and not dates and not relative:
        return []
    held = [figures(source) for source in sources] + ([allowed] if allowed is not None else [])
    held_numbers = {n for f in held for figure in f.numbers for n in held_by(figure)}
    held_dates = {d for f in held for d in f.dates}
    held_relative = {r for f in held for r in f.relative}
    return (
        [f"{m}月{d}日" for m, d in sorted(dates - held_dates)]
        + sorted(numbers - held_numbers)
        + sorted(relative - held_relative)
    )
