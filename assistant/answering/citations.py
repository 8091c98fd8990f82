"""Citation and verdict guards: what the model says is checked against what the tools returned.

- Every 【clause_id】 must exist in the corpus and must have been retrieved or looked up in this
  turn; any other is removed and the answer flagged.
- A tier the answer claims the enterprise reaches must not be above what the checker said; if it
  is, the checker's verdict replaces the claim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.vocabulary import TIERS, tier_rank

CITATION = re.compile(r"【([^】\s]{1,80})】")
TIER_ORDER = {tier: tier_rank(tier) for tier in TIERS}
# Sentences claiming the enterprise reaches or may apply for a tier.
_CLAIM = re.compile(
    r"(已达到|达到了|达到|满足|符合|具备|可以申报|能够申报|能申报|可申报|够得上|够)"
    r"(?P<tier>基础级|先进级|卓越级|领航级)"
)
#: Words before the verb that make it no claim: negation (没有达到, 未能达到, 尚不满足) or
#: conditional advice (若要达到, 如需满足, 为了达到). Looked for in the same clause only.
_NOT_A_CLAIM = re.compile(r"(没|未|不|无法|难以|若|如果|如需|如要|要想|想要|为了|才能|需要|还需|仍需)")
_CLAUSE_BREAK = re.compile(r"[。！？；，,;!?\n]")
NO_BASIS = "现有文件中没有找到能支持这一回答的条款，无法给出有依据的答复。"


@dataclass
class GuardResult:
    text: str
    cited: list[str]
    removed: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def cited_ids(text: str) -> list[str]:
    """Clause ids in 【】 in order of first appearance, without repeats."""
    return list(dict.fromkeys(CITATION.findall(text)))


def guard_citations(
    text: str, allowed: set[str], known: set[str], *, needs_support: bool = True
) -> GuardResult:
    """Drop citations that do not exist or were not seen this turn; flag unsupported answers."""
    removed: list[str] = []

    def keep_or_drop(match: re.Match[str]) -> str:
        clause_id = match.group(1)
        if clause_id in known and clause_id in allowed:
            return match.group(0)
        removed.append(clause_id)
        return ""

    cleaned = CITATION.sub(keep_or_drop, text)
    result = GuardResult(cleaned, cited_ids(cleaned), list(dict.fromkeys(removed)))
    if result.removed:
        result.flags.append("invalid_citations_removed")
    if needs_support and not result.cited:
        result.flags.append("no_supporting_clause")
        result.text = f"{NO_BASIS}\n\n{cleaned}".strip() if cleaned.strip() else NO_BASIS
    return result


def claimed_tiers(text: str) -> list[str]:
    """Tiers the text asserts the enterprise reaches; negated or conditional mentions are not claims."""
    tiers = []
    for match in _CLAIM.finditer(text):
        before = _CLAUSE_BREAK.split(text[max(0, match.start() - 12) : match.start()])[-1]
        before = before.replace("不仅", "").replace("不但", "")  # "not only reaches" still claims
        if not _NOT_A_CLAIM.search(before):
            tiers.append(match.group("tier"))
    return tiers


def contradicts(text: str, reachable_tier: str | None) -> bool:
    """True when the text claims a tier above the highest the checker found reachable."""
    ceiling = TIER_ORDER.get(reachable_tier or "", 0)
    return any(TIER_ORDER[tier] > ceiling for tier in claimed_tiers(text))


def strip_claims(text: str, reachable_tier: str | None) -> str:
    """Remove the sentences that claim more than the checker allows."""
    ceiling = TIER_ORDER.get(reachable_tier or "", 0)
    sentences = re.split(r"(?<=[。！？\n])", text)
    kept = [s for s in sentences if not any(TIER_ORDER[t] > ceiling for t in claimed_tiers(s))]
    return "".join(kept).strip()
