"""The scenario catalog of 《智能制造典型场景参考指引》 by edition, and matching of user wording to it.

Everything here is read from corpus data, never typed into code: corpus/data/scenario_guide.yaml
holds each edition's 环节, their 要素条件 link and (where we hold them) scenario names;
corpus/data/scenario_aliases.yaml holds what users call them ("AI质检", "APS"). Adding an edition
is adding data.

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
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel
from rapidfuzz.distance import LCSseq

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.errors import CorpusError
from assistant.vocabulary import TIERS  # noqa: F401  (re-exported: interfaces/api imports it from here)

GUIDE_FILE = Path("data") / "scenario_guide.yaml"
ALIAS_FILE = Path("data") / "scenario_aliases.yaml"

#: Tiers in ascending order, and the links each must cover (附件2 二~五.(一)). ``hard`` links are
#: required (至少覆盖 / 须覆盖); ``soft`` ones are 原则上 (an exception needs justification).

#: A fuzzy match is accepted only this good and this far ahead of the next distinct target.
CONFIDENT_SCORE = 80.0
CONFIDENT_MARGIN = 15.0
CANDIDATE_SCORE = 40.0
MAX_CANDIDATES = 5

MatchStatus = Literal["exact", "alias", "contains", "fuzzy", "ambiguous", "none", "not_held"]
MatchKind = Literal["scenario", "segment"]


def normalise_name(text: str) -> str:
    """NFKC, lower-case, no whitespace or brackets' markers: how names are compared."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\s+", "", text)
    return text.lower()


@dataclass(frozen=True)
class Segment:
    """A 环节 of one edition and the 要素条件 link it falls under (None: outside the five)."""

    name: str
    edition: str
    link: str | None
    clause_id: str
    extra: bool = False


@dataclass(frozen=True)
class Scenario:
    """A named scenario of one edition, with its 环节 and link."""

    name: str
    edition: str
    segment: str
    link: str
    clause_id: str
    multi_link: bool = False


@dataclass
class Edition:
    """One edition of the guide as far as the corpus holds it."""

    edition: str
    status: str
    source: str
    note: str
    link_mapping_status: str
    clause_ids: list[str]
    segments: dict[str, Segment]
    scenarios: dict[str, Scenario]
    segment_aliases: dict[str, str] = field(default_factory=dict)

    @property
    def has_scenarios(self) -> bool:
        """False for 2024: its scenario names are not in the corpus."""
        return bool(self.scenarios)

    @property
    def is_draft(self) -> bool:
        return self.status != "official"

    def segments_of_link(self, link: str) -> list[str]:
        return [s.name for s in self.segments.values() if s.link == link and not s.extra]

    @property
    def status_clause_id(self) -> str:
        """The clause that states what this edition's data is (its 说明)."""
        return f"guide{self.edition}#说明"


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


class ScenarioCatalog:
    """Editions of the guide with lookups scenario → 环节 → link, and fuzzy matching."""

    def __init__(
        self,
        links: list[str],
        link_synonyms: dict[str, str],
        editions: dict[str, Edition],
        scenario_aliases: dict[str, list[str]],
    ) -> None:
        self.links = links
        self.link_synonyms = link_synonyms
        self.editions = editions
        self.scenario_aliases = scenario_aliases

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, corpus_dir: Path) -> ScenarioCatalog:
        """Read the guide data and the alias table under ``corpus_dir/data``; every alias target
        must exist, so a typo in the data fails loudly here rather than mismatching later."""
        guide = _read_yaml(corpus_dir / GUIDE_FILE)
        aliases = _read_yaml(corpus_dir / ALIAS_FILE) if (corpus_dir / ALIAS_FILE).exists() else {}
        links = [str(x) for x in guide.get("links") or []]
        if len(links) != 5:
            raise CorpusError(f"{GUIDE_FILE}：links 应列出要素条件的五个环节，实际 {links}")
        synonyms = {str(k): str(v) for k, v in (guide.get("link_synonyms") or {}).items()}
        editions: dict[str, Edition] = {}
        for key, raw in (guide.get("editions") or {}).items():
            editions[str(key)] = _parse_edition(str(key), raw, links)
        if not editions:
            raise CorpusError(f"{GUIDE_FILE}：没有任何版本")
        scenario_aliases: dict[str, list[str]] = {}
        all_scenarios = {name for e in editions.values() for name in e.scenarios}
        for alias, target in (aliases.get("scenarios") or {}).items():
            targets = [str(t) for t in (target if isinstance(target, list) else [target])]
            unknown = [t for t in targets if t not in all_scenarios]
            if unknown:
                raise CorpusError(f"{ALIAS_FILE}：别名 {alias} 指向目录中不存在的场景 {'、'.join(unknown)}")
            scenario_aliases[normalise_name(str(alias))] = targets
        for key, table in (aliases.get("segments") or {}).items():
            edition = editions.get(str(key))
            if edition is None:
                raise CorpusError(f"{ALIAS_FILE}：环节别名的版本 {key} 不在场景指引数据中")
            for alias, target in (table or {}).items():
                if str(target) not in edition.segments:
                    raise CorpusError(f"{ALIAS_FILE}：{key}年版环节别名 {alias} 指向不存在的环节 {target}")
                edition.segment_aliases[normalise_name(str(alias))] = str(target)
        return cls(links, synonyms, editions, scenario_aliases)

    # ---- lookups -------------------------------------------------------------------------

    def edition(self, edition: str) -> Edition:
        try:
            return self.editions[str(edition)]
        except KeyError:
            raise CorpusError(
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
            return MatchResult(query=query, edition=ed.edition, status="none", message="名称为空。")
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
        return MatchResult(
            query=query,
            edition=ed.edition,
            status=status,
            kind="scenario",
            name=sc.name,
            segment=sc.segment,
            link=sc.link,
            multi_link=sc.multi_link,
            score=score,
            via=via,
            message=message,
        )

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
        listing = "、".join(f"{c.segment}—{c.name}" for c in candidates)
        return MatchResult(
            query=query,
            edition=ed.edition,
            status="ambiguous",
            candidates=candidates,
            message=f"“{query}”{why}，无法确定是哪一个，请从候选中选择：{listing}。",
        )

    def _candidate(self, name: str, ed: Edition, score: float) -> Candidate:
        if name in ed.scenarios:
            sc = ed.scenarios[name]
            return Candidate(name=name, kind="scenario", segment=sc.segment, link=sc.link, score=score)
        seg = ed.segments[name]
        return Candidate(name=name, kind="segment", segment=name, link=seg.link, score=score)

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
            return MatchResult(
                query=query,
                edition=ed.edition,
                status="none",
                message=f"“{query}”与{ed.edition}年版指引的场景名都不相近，请对照场景清单填写。",
            )
        listing = "、".join(f"{c.segment}—{c.name}" for c in candidates)
        return MatchResult(
            query=query,
            edition=ed.edition,
            status="ambiguous",
            candidates=candidates,
            message=f"“{query}”不是{ed.edition}年版指引中的场景名，可能是：{listing}；请选择后填写。",
        )

    def _match_segment(self, query: str, ed: Edition) -> MatchResult:
        q = normalise_name(_strip_marker(query))
        names = {normalise_name(n): n for n in ed.segments}

        def hit(name: str, status: MatchStatus, score: float, via: str | None = None) -> MatchResult:
            seg = ed.segments[name]
            how = {
                "exact": "",
                "alias": f"（按常用说法“{via}”对应，请确认）",
                "fuzzy": "（按相似度对应，请确认）",
            }
            return MatchResult(
                query=query,
                edition=ed.edition,
                status=status,
                kind="segment",
                name=name,
                segment=name,
                link=seg.link,
                score=score,
                via=via,
                message=f"“{query}”→ 环节“{name}”{how.get(status, '')}。",
            )

        if q in names:
            return hit(names[q], "exact", 100.0)
        if q in ed.segment_aliases:
            return hit(ed.segment_aliases[q], "alias", 100.0, via=query)
        link = self.canonical_link(query)
        if link:
            options = ed.segments_of_link(link)
            candidates = [self._candidate(n, ed, similarity(query, n)) for n in options]
            return MatchResult(
                query=query,
                edition=ed.edition,
                status="ambiguous",
                candidates=candidates,
                message=(
                    f"“{query}”是要素条件的环节，不是{ed.edition}年版指引的环节名；"
                    f"它对应指引中的：{'、'.join(options)}，请选择其一。"
                ),
            )
        ranked = sorted(((similarity(query, n), n) for n in ed.segments), key=lambda x: (-x[0], x[1]))
        best, best_name = ranked[0]
        second = ranked[1][0] if len(ranked) > 1 else 0.0
        if _confident(query, best, second):
            return hit(best_name, "fuzzy", best)
        candidates = [self._candidate(n, ed, s) for s, n in ranked if s >= CANDIDATE_SCORE][:MAX_CANDIDATES]
        return MatchResult(
            query=query,
            edition=ed.edition,
            status="ambiguous" if candidates else "none",
            candidates=candidates,
            message=(
                f"“{query}”不是{ed.edition}年版指引的环节名；{ed.edition}年版的环节为："
                f"{'、'.join(n for n, s in ed.segments.items() if not s.extra)}。"
            ),
        )

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
        return MatchResult(
            query=query,
            edition=ed.edition,
            status="not_held",
            candidates=candidates,
            message=(
                f"本库未收录{ed.edition}年版指引的场景名称，无法核对“{query}”是否为该版场景名；"
                f"请对照指引原文填写。{hint}"
            ),
        )


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


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise CorpusError(f"找不到场景指引数据文件：{path}") from None
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path.name} 不是合法的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise CorpusError(f"{path.name} 应为键值对")
    return data


def _parse_edition(key: str, raw: object, links: list[str]) -> Edition:
    if not isinstance(raw, dict):
        raise CorpusError(f"{GUIDE_FILE}：{key} 年版的数据应为键值对")
    segments: dict[str, Segment] = {}
    for name, info in (raw.get("segments") or {}).items():
        link = (info or {}).get("link")
        if link not in links:
            raise CorpusError(f"{GUIDE_FILE}：{key}年版环节 {name} 的 link {link!r} 不是五个环节之一")
        segments[str(name)] = Segment(str(name), key, str(link), str(info.get("clause_id", "")))
    for name, info in (raw.get("extra_segments") or {}).items():
        link = (info or {}).get("link")
        segments[str(name)] = Segment(
            str(name), key, str(link) if link else None, str(info.get("clause_id", "")), extra=True
        )
    multi = {str(x) for x in raw.get("multi_link_scenarios") or []}
    scenarios: dict[str, Scenario] = {}
    for seg_name, names in (raw.get("scenarios") or {}).items():
        segment = segments.get(str(seg_name))
        if segment is None or segment.link is None:
            raise CorpusError(f"{GUIDE_FILE}：{key}年版场景所在环节 {seg_name} 没有定义")
        for name in names or []:
            if str(name) in scenarios:
                raise CorpusError(f"{GUIDE_FILE}：{key}年版场景 {name} 重复")
            scenarios[str(name)] = Scenario(
                str(name), key, segment.name, segment.link, segment.clause_id, str(name) in multi
            )
    unknown_multi = multi - set(scenarios)
    if unknown_multi:
        raise CorpusError(
            f"{GUIDE_FILE}：multi_link_scenarios 中的 {'、'.join(unknown_multi)} 不在场景清单中"
        )
    return Edition(
        edition=key,
        status=str(raw.get("status", "official")),
        source=str(raw.get("source", "")),
        note=str(raw.get("note", "")),
        link_mapping_status=str(raw.get("link_mapping_status", "official")),
        clause_ids=[str(x) for x in raw.get("clause_ids") or []],
        segments=segments,
        scenarios=scenarios,
    )


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
