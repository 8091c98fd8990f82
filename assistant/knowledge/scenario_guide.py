"""The data of 《智能制造典型场景参考指引》 as the corpus holds it: editions, 环节, scenarios, aliases.

Read from corpus/data/scenario_guide.yaml (each edition's 环节, their 要素条件 link and, where we
hold them, scenario names) and corpus/data/scenario_aliases.yaml (what users call them). Kept apart
from matching (``scenarios``) because this half only validates data files and builds plain
records: a typo in the data fails loudly here, with the file named, before any user text is
matched against it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import CorpusInvalidError
from assistant.knowledge.datafile import read_yaml

GUIDE_FILE = Path("data") / "scenario_guide.yaml"
ALIAS_FILE = Path("data") / "scenario_aliases.yaml"


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

    @property
    def mapping_clause_id(self) -> str:
        """The clause that says how this edition's 环节 map to the five links (its 对应)."""
        return f"guide{self.edition}#对应"


def read_guide(
    corpus_dir: Path,
) -> tuple[list[str], dict[str, str], dict[str, Edition], dict[str, list[str]]]:
    """The links, link synonyms, editions and scenario aliases under ``corpus_dir/data``; every
    alias target must exist, so a typo in the data fails loudly here rather than mismatching later."""
    guide = read_yaml(corpus_dir / GUIDE_FILE)
    aliases = read_yaml(corpus_dir / ALIAS_FILE) if (corpus_dir / ALIAS_FILE).exists() else {}
    links = [str(x) for x in guide.get("links") or []]
    if len(links) != 5:
        raise CorpusInvalidError(f"{GUIDE_FILE}：links 应列出要素条件的五个环节，实际 {links}")
    synonyms = {str(k): str(v) for k, v in (guide.get("link_synonyms") or {}).items()}
    editions: dict[str, Edition] = {}
    for key, raw in (guide.get("editions") or {}).items():
        editions[str(key)] = _parse_edition(str(key), raw, links)
    if not editions:
        raise CorpusInvalidError(f"{GUIDE_FILE}：没有任何版本")
    scenario_aliases: dict[str, list[str]] = {}
    all_scenarios = {name for e in editions.values() for name in e.scenarios}
    for alias, target in (aliases.get("scenarios") or {}).items():
        targets = [str(t) for t in (target if isinstance(target, list) else [target])]
        unknown = [t for t in targets if t not in all_scenarios]
        if unknown:
            raise CorpusInvalidError(
                f"{ALIAS_FILE}：别名 {alias} 指向目录中不存在的场景 {'、'.join(unknown)}"
            )
        scenario_aliases[normalise_name(str(alias))] = targets
    for key, table in (aliases.get("segments") or {}).items():
        edition = editions.get(str(key))
        if edition is None:
            raise CorpusInvalidError(f"{ALIAS_FILE}：环节别名的版本 {key} 不在场景指引数据中")
        for alias, target in (table or {}).items():
            if str(target) not in edition.segments:
                raise CorpusInvalidError(f"{ALIAS_FILE}：{key}年版环节别名 {alias} 指向不存在的环节 {target}")
            edition.segment_aliases[normalise_name(str(alias))] = str(target)
    return links, synonyms, editions, scenario_aliases


def _parse_edition(key: str, raw: object, links: list[str]) -> Edition:
    if not isinstance(raw, dict):
        raise CorpusInvalidError(f"{GUIDE_FILE}：{key} 年版的数据应为键值对")
    segments: dict[str, Segment] = {}
    for name, info in (raw.get("segments") or {}).items():
        link = (info or {}).get("link")
        if link not in links:
            raise CorpusInvalidError(f"{GUIDE_FILE}：{key}年版环节 {name} 的 link {link!r} 不是五个环节之一")
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
            raise CorpusInvalidError(f"{GUIDE_FILE}：{key}年版场景所在环节 {seg_name} 没有定义")
        for name in names or []:
            if str(name) in scenarios:
                raise CorpusInvalidError(f"{GUIDE_FILE}：{key}年版场景 {name} 重复")
            scenarios[str(name)] = Scenario(
                str(name), key, segment.name, segment.link, segment.clause_id, str(name) in multi
            )
    unknown_multi = multi - set(scenarios)
    if unknown_multi:
        raise CorpusInvalidError(
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
