"""The scenario catalog of 《智能制造典型场景参考指引》 by edition, and matching of user wording to it.

Everything here is read from corpus data, never typed into code (``scenario_guide`` reads and
validates it: corpus/data/scenario_guide.yaml holds each edition's 环节, their 要素条件 link and
(where we hold them) scenario names; corpus/data/scenario_aliases.yaml holds what users call them,
"AI质检", "APS"). Adding an edition is adding data.

What the editions hold differs, and the catalog says so instead of papering over it:

- 2024 (official, from 附件2's footnotes): 14 环节 and their link; **no scenario names**. Matching
  a scenario name against 2024 returns ``not_held`` with the 2024 环节 of the same link as
  candidates: we cannot verify a 2024 scenario name and never pretend to.
- 2025 (征求意见稿, status draft): 8 环节 / 40 scenarios; the mapping to the five links is ours,
  derived from the 2024 footnotes; 网络协同制造 is flagged multi-link.

``match`` returns a single name only when it is confident (exact name, alias, a catalog name
contained in the text, or a fuzzy score clearly ahead of the rest); otherwise it returns
candidates and a Chinese message asking the user to choose. It never silently guesses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from rapidfuzz.distance import LCSseq

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.errors import UnknownEditionError
from assistant.knowledge.scenario_guide import (
    ALIAS_FILE,
    GUIDE_FILE,
    Edition,
    Scenario,
    Segment,
    normalise_name,
    read_guide,
)

__all__ = [
    "Candidate",
    "Edition",
    "MatchKind",
    "MatchResult",
    "MatchStatus",
    "Scenario",
    "ScenarioCatalog",
    "Segment",
    "load_catalog",
    "normalise_name",
    "similarity",
]

#: A fuzzy match is accepted only this good and this far ahead of the next distinct target.
CONFIDENT_SCORE = 80.0
CONFIDENT_MARGIN = 15.0
CANDIDATE_SCORE = 40.0
MAX_CANDIDATES = 5

MatchStatus = Literal["exact", "alias", "contains", "fuzzy", "ambiguous", "none", "not_held"]
MatchKind = Literal["scenario", "segment"]


class Candidate(BaseModel):
    """One name the user may have meant."""

    name: str
    kind: MatchKind
    segment: str | None = None
    link: str | None = None
    score: float


class MatchResult(BaseModel):
    """What ``match`` found. ``name`` is set only when ``confident``; otherwise see candidates."""

    query: str
    edition: str
    status: MatchStatus
    kind: MatchKind | None = None
    name: str | None = None
    segment: str | None = None
    link: str | None = None
    multi_link: bool = False
    score: float = 0.0
    via: str | None = None
    candidates: list[Candidate] = []
    message: str = ""

    @property
    def confident(self) -> bool:
        return self.status in ("exact", "alias", "contains", "fuzzy")


def similarity(query: str, name: str) -> float:
    """0–100. Chinese users shorten names by dropping characters ("质量追溯" for 质量精准追溯),
    so the score is the longest common subsequence, weighted mostly by how much of the query it
    covers and partly by how much of the name."""
    q, n = normalise_name(query), normalise_name(name)
    if not q or not n:
        return 0.0
    common = LCSseq.similarity(q, n)
    return round(100.0 * (0.7 * common / len(q) + 0.3 * common / len(n)), 1)


@dataclass(eq=False, repr=False)  # compared and shown by identity, as a plain class would be
class ScenarioCatalog:
    """Editions of the guide with lookups scenario → 环节 → link, and fuzzy matching."""

    links: list[str]
    link_synonyms: dict[str, str]
    editions: dict[str, Edition]
    scenario_aliases: dict[str, list[str]]

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, corpus_dir: Path) -> ScenarioCatalog:
        """The catalog of the guide data and alias table under ``corpus_dir/data``."""
        return cls(*read_guide(corpus_dir))

    # ---- lookups -------------------------------------------------------------------------

    def edition(self, edition: str) -> Edition:
        try:
            return self.editions[str(edition)]
        except KeyError:
            raise UnknownEditionError(
                f"场景指引没有 {edition} 年版的数据；可选：{'、'.join(sorted(self.editions))}"
            ) from None

    def canonical_link(self, name: str) -> str | None:
        """One of the five links for a link name or its synonym (经营管理 → 运营管理)."""
        name = name.strip()
        name = self.link_synonyms.get(name, name)
        return name if name in self.links else None

    def scenario(self, name: str, edition: str) -> Scenario | None:
        return self.edition(edition).scenarios.get(name.strip())

    def segment(self, name: str, edition: str) -> Segment | None:
        return self.edition(edition).segments.get(name.strip())

    def link_of(self, name: str, edition: str) -> str | None:
        """The link of a scenario or 环节 name of that edition (None when not in the catalog)."""
        scenario = self.scenario(name, edition)
        if scenario:
            return scenario.link
        segment = self.segment(name, edition)
        return segment.link if segment else None

    # ---- matching ------------------------------------------------------------------------

    def match(self, text: str, edition: str, kind: MatchKind | None = None) -> MatchResult:
        """What the user typed → a catalog name, or candidates.

        ``kind`` restricts the search to scenarios or to 环节; None searches both (scenarios
        first, since a 环节 name alone is rarely what a user means by "我们做了AI质检").
        """
        ed = self.edition(edition)
        query = (text or "").strip()
        if not normalise_name(query):
            return _unsure(query, ed, "none", "名称为空。")
        if kind == "segment":
            return self._match_segment(query, ed)
        segment = self._match_segment(query, ed)
        if kind is None and (segment.status == "exact" or self.canonical_link(query)):
            return segment
        if not ed.has_scenarios:
            return segment if kind is None and segment.confident else self._not_held(query, ed)
        scenario = self._match_scenario(query, ed)
        if scenario.confident or kind == "scenario":
            return scenario
        if segment.confident and scenario.status == "none":
            return segment
        return scenario

    def _match_scenario(self, query: str, ed: Edition) -> MatchResult:
        q = normalise_name(query)
        names = {normalise_name(n): n for n in ed.scenarios}
        if q in names:
            return self._scenario_result(query, ed, names[q], "exact", 100.0)
        if q in self.scenario_aliases:
            return self._alias_result(query, ed, self.scenario_aliases[q], alias=query)
        contained = {n for key, n in names.items() if key in q}
        if len(contained) == 1:
            return self._scenario_result(query, ed, contained.pop(), "contains", 100.0)
        if len(contained) > 1:
            return self._ambiguous(query, ed, sorted(contained, key=lambda n: -len(n)), "包含多个场景名")
        hits = {alias: targets for alias, targets in self.scenario_aliases.items() if _contains(q, alias)}
        targets = {t for ts in hits.values() for t in ts if t in ed.scenarios}
        if len(targets) == 1:
            alias = max(hits, key=len)
            return self._alias_result(query, ed, sorted(targets), alias=alias)
        if len(targets) > 1:
            return self._ambiguous(query, ed, sorted(targets), "包含多个常用说法")
        return self._fuzzy(query, ed)

    def _scenario_result(
        self, query: str, ed: Edition, name: str, status: MatchStatus, score: float, via: str | None = None
    ) -> MatchResult:
        sc = ed.scenarios[name]
        labels = {
            "exact": "与指引场景名一致",
            "alias": f"按常用说法“{via}”对应",
            "contains": "文字中包含指引场景名",
            "fuzzy": "按相似度对应",
        }
        message = f"“{query}”→ {sc.segment}—{sc.name}（{labels.get(status, '')}，{ed.edition}年版）"
        if status != "exact":
            message += "，请确认。"
        else:
            message += "。"
        return _named(query, ed, status, self._candidate(name, ed, score), message, via)

    def _alias_result(self, query: str, ed: Edition, targets: list[str], alias: str) -> MatchResult:
        targets = [t for t in targets if t in ed.scenarios]
        if len(targets) == 1:
            return self._scenario_result(query, ed, targets[0], "alias", 100.0, via=alias)
        why = (
            "对应多个场景"
            if normalise_name(alias) == normalise_name(query)
            else f"含常用说法“{alias}”，对应多个场景"
        )
        return self._ambiguous(query, ed, targets, why)

    def _ambiguous(self, query: str, ed: Edition, names: list[str], why: str) -> MatchResult:
        candidates = [self._candidate(n, ed, similarity(query, n)) for n in names][:MAX_CANDIDATES]
        message = f"“{query}”{why}，无法确定是哪一个，请从候选中选择：{_listing(candidates)}。"
        return _unsure(query, ed, "ambiguous", message, candidates)

    def _candidate(self, name: str, ed: Edition, score: float) -> Candidate:
        if name in ed.scenarios:
            sc = ed.scenarios[name]
            return Candidate(name=name, kind="scenario", segment=sc.segment, link=sc.link, score=score)
        return _segment_candidate(name, ed, score)

    def _fuzzy(self, query: str, ed: Edition) -> MatchResult:
        scored: dict[str, float] = {}
        for name in ed.scenarios:
            scored[name] = max(scored.get(name, 0.0), similarity(query, name))
        for alias, targets in self.scenario_aliases.items():
            live = [t for t in targets if t in ed.scenarios]
            if len(live) == 1:
                scored[live[0]] = max(scored.get(live[0], 0.0), similarity(query, alias))
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
        best_name, best = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        if _confident(query, best, second):
            return self._scenario_result(query, ed, best_name, "fuzzy", best)
        candidates = [self._candidate(n, ed, s) for n, s in ranked if s >= CANDIDATE_SCORE][:MAX_CANDIDATES]
        if not candidates:
            message = f"“{query}”与{ed.edition}年版指引的场景名都不相近，请对照场景清单填写。"
            return _unsure(query, ed, "none", message)
        message = (
            f"“{query}”不是{ed.edition}年版指引中的场景名，可能是：{_listing(candidates)}；请选择后填写。"
        )
        return _unsure(query, ed, "ambiguous", message, candidates)

    def _match_segment(self, query: str, ed: Edition) -> MatchResult:
        q = normalise_name(_strip_marker(query))
        names = {normalise_name(n): n for n in ed.segments}

        def hit(name: str, status: MatchStatus, score: float, via: str | None = None) -> MatchResult:
            how = {
                "exact": "",
                "alias": f"（按常用说法“{via}”对应，请确认）",
                "fuzzy": "（按相似度对应，请确认）",
            }
            message = f"“{query}”→ 环节“{name}”{how.get(status, '')}。"
            return _named(query, ed, status, _segment_candidate(name, ed, score), message, via)

        if q in names:
            return hit(names[q], "exact", 100.0)
        if q in ed.segment_aliases:
            return hit(ed.segment_aliases[q], "alias", 100.0, via=query)
        link = self.canonical_link(query)
        if link:
            options = ed.segments_of_link(link)
            candidates = [self._candidate(n, ed, similarity(query, n)) for n in options]
            message = (
                f"“{query}”是要素条件的环节，不是{ed.edition}年版指引的环节名；"
                f"它对应指引中的：{'、'.join(options)}，请选择其一。"
            )
            return _unsure(query, ed, "ambiguous", message, candidates)
        ranked = sorted(((similarity(query, n), n) for n in ed.segments), key=lambda x: (-x[0], x[1]))
        best, best_name = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if _confident(query, best, second):
            return hit(best_name, "fuzzy", best)
        candidates = [self._candidate(n, ed, s) for s, n in ranked if s >= CANDIDATE_SCORE][:MAX_CANDIDATES]
        message = (
            f"“{query}”不是{ed.edition}年版指引的环节名；{ed.edition}年版的环节为："
            f"{'、'.join(n for n, s in ed.segments.items() if not s.extra)}。"
        )
        return _unsure(query, ed, "ambiguous" if candidates else "none", message, candidates)

    def _not_held(self, query: str, ed: Edition) -> MatchResult:
        """2024: scenario names are not held. Suggest the 环节 of the same link when a later
        edition recognises the name, so the user at least knows where it belongs."""
        candidates: list[Candidate] = []
        hint = ""
        for other in sorted(self.editions.values(), key=lambda e: e.edition, reverse=True):
            if not other.has_scenarios:
                continue
            found = self._match_scenario(query, other)
            if found.confident and found.link:
                options = ed.segments_of_link(found.link)
                candidates = [self._candidate(n, ed, 0.0) for n in options]
                hint = (
                    f"{other.edition}年版中“{found.name}”属于要素条件的“{found.link}”环节，"
                    f"对应{ed.edition}年版的环节：{'、'.join(options)}。"
                )
                break
        message = (
            f"本库未收录{ed.edition}年版指引的场景名称，无法核对“{query}”是否为该版场景名；"
            f"请对照指引原文填写。{hint}"
        )
        return _unsure(query, ed, "not_held", message, candidates)


def _named(
    query: str, ed: Edition, status: MatchStatus, pick: Candidate, message: str, via: str | None = None
) -> MatchResult:
    """A confident result: the one name ``pick`` stands for, and how it was found (``via``)."""
    scenario = ed.scenarios.get(pick.name) if pick.kind == "scenario" else None
    # name, kind, segment, link and score come from the pick; the rest says how it was found.
    found = pick.model_dump() | {"via": via, "multi_link": bool(scenario and scenario.multi_link)}
    return MatchResult(**found, query=query, edition=ed.edition, status=status, message=message)


def _unsure(
    query: str, ed: Edition, status: MatchStatus, message: str, candidates: list[Candidate] | None = None
) -> MatchResult:
    """A result that names nothing (none, ambiguous, not_held): the user chooses among ``candidates``."""
    return MatchResult(
        query=query, edition=ed.edition, status=status, candidates=candidates or [], message=message
    )


def _segment_candidate(name: str, ed: Edition, score: float) -> Candidate:
    return Candidate(name=name, kind="segment", segment=name, link=ed.segments[name].link, score=score)


def _listing(candidates: list[Candidate]) -> str:
    """Candidates as the user reads them: ``环节—场景``."""
    return "、".join(f"{c.segment}—{c.name}" for c in candidates)


def _confident(query: str, best: float, second: float) -> bool:
    """A fuzzy hit counts only when it is good, clearly ahead, and the query is more than one
    character (one character, "碳", says too little to pick a scenario for the user)."""
    return len(normalise_name(query)) >= 2 and best >= CONFIDENT_SCORE and best - second >= CONFIDENT_MARGIN


def _contains(text: str, alias: str) -> bool:
    """Alias inside longer text; Latin aliases (APS, MES) must not sit inside a longer word."""
    if len(alias) < 2:
        return False
    if re.fullmatch(r"[a-z0-9]+", alias):
        return re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", text) is not None
    return alias in text


_MARKER = re.compile(r"[(（]\s*(环节名|场景名|实例名)\s*[)）]")


def _strip_marker(text: str) -> str:
    return _MARKER.sub("", text)


@lru_cache(maxsize=4)
def _cached(corpus_dir: str, stamp: tuple[float, ...]) -> ScenarioCatalog:
    return ScenarioCatalog.load(Path(corpus_dir))


def load_catalog(corpus_dir: Path | None = None) -> ScenarioCatalog:
    """The catalog for ``corpus_dir`` (the shipped corpus by default), cached until the data
    files change, because the CLI, review and drafter all ask for it."""
    if corpus_dir is None:
        corpus_dir = DEFAULT_CORPUS_DIR
    stamp = tuple(
        (corpus_dir / f).stat().st_mtime if (corpus_dir / f).exists() else 0.0
        for f in (GUIDE_FILE, ALIAS_FILE)
    )
    return _cached(str(corpus_dir), stamp)
