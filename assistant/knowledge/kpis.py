"""The KPIs of 附1 (《智能工厂建设关键绩效指标参考》), read from ``corpus/kpi.md``.

Drafting and review look KPI names up here, so the names, units and clause ids a draft cites are
the corpus's own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.errors import CorpusInvalidError
from assistant.knowledge.scenarios import normalise_name, similarity

KpiKind = Literal["level", "up", "down", "growth"]


class Kpi(BaseModel):
    """One KPI of 附1: its number, name and unit as printed, and how its figures read.

    ``level`` KPIs (数控化率, 投用率, 数量 …) are stated as a level before and after; ``up``/``down``
    ones (…提升, …下降/降低/缩短) are themselves a change, backed by before/after of the
    underlying measure; ``growth`` (销售增长率) is a rate that may be negative.
    """

    number: int
    name: str
    unit: str
    clause_id: str
    kind: KpiKind

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def measure(self) -> str:
        """The quantity a change KPI is about: 产品不良率下降 → 产品不良率."""
        return re.sub(r"(提升|下降|降低|缩短)$", "", self.name) if self.kind in ("up", "down") else self.name


#: The shipped KPI list's doc id; a round's rules name their own (declaration.kpi).
DEFAULT_KPI_DOC = "kpi"
_NUMBERED = re.compile(r"^\d{1,2}\.")
_KPI_LINE = re.compile(r"^(?P<n>\d{1,2})\.(?P<name>.+)\((?P<unit>[^()]+)\)$")


def kpi_kind(name: str) -> KpiKind:
    """How a KPI's figures read, from its name's ending."""
    if name.endswith("提升"):
        return "up"
    if name.endswith(("下降", "降低", "缩短")):
        return "down"
    if name.endswith("增长率"):
        return "growth"
    return "level"


class KpiCatalog:
    """附1's KPIs by name; lookups accept the name, the name with its unit, or ``kpi#N``."""

    def __init__(self, kpis: list[Kpi]) -> None:
        self.kpis = kpis
        self._by_key: dict[str, Kpi] = {}
        for kpi in kpis:
            for key in (kpi.name, f"{kpi.name}({kpi.unit})", kpi.clause_id):
                self._by_key[normalise_name(key)] = kpi

    @classmethod
    def load(cls, corpus_dir: Path, doc_id: str = DEFAULT_KPI_DOC) -> KpiCatalog:
        """The KPIs of the document ``doc_id`` (a round's rules name theirs)."""
        from assistant.knowledge.corpus import load_corpus

        document = load_corpus(corpus_dir).document(doc_id)
        if document is None:
            raise CorpusInvalidError(f"语料中没有附1（doc_id 为 {doc_id} 的文档），无法核对关键绩效指标")
        kpis = []
        numbered = [c for c in document.clauses if _NUMBERED.match(c.text.strip())]
        for clause in numbered:
            found = _KPI_LINE.match(clause.text.strip())
            if found:
                name = found.group("name").strip()
                kpis.append(
                    Kpi(
                        number=int(found.group("n")),
                        name=name,
                        unit=found.group("unit").strip(),
                        clause_id=clause.clause_id,
                        kind=kpi_kind(name),
                    )
                )
        # Every numbered item must read as "N.名称(单位)": one that does not is a broken file,
        # not an indicator to drop silently (how many there are is the document's business).
        if not kpis or len(kpis) != len(numbered):
            raise CorpusInvalidError(
                f"附1有{len(numbered)}项编号条目，按“序号.名称(单位)”读出{len(kpis)}项关键绩效指标，请检查文件格式"
            )
        return cls(kpis)

    def get(self, name: str) -> Kpi | None:
        return self._by_key.get(normalise_name(name))

    def closest(self, name: str, limit: int = 3) -> list[str]:

        ranked = sorted(self.kpis, key=lambda k: -similarity(name, k.name))
        return [k.name for k in ranked[:limit]]

    def find_spans(self, text: str) -> list[tuple[Kpi, int, int]]:
        """KPIs named in ``text`` (NFKC-normalised: the positions are in that text), by name or
        by what they measure, with where the words stand, in reading order."""
        norm = unicodedata.normalize("NFKC", text)
        found: list[tuple[Kpi, int, int]] = []
        for kpi in sorted(self.kpis, key=lambda k: -len(k.name)):
            # By its name, else by what it measures: drafts write "产品不良率由2.4%降至0.9%"
            # as often as "产品不良率下降62.5%".
            for name in dict.fromkeys(unicodedata.normalize("NFKC", n) for n in (kpi.name, kpi.measure)):
                at = norm.find(name)
                if (
                    len(name) >= 4
                    and at >= 0
                    and not any(s <= at < e or s < at + len(name) <= e for _, s, e in found)
                ):
                    found.append((kpi, at, at + len(name)))
                    break
        return sorted(found, key=lambda x: x[1])

    def find_in(self, text: str) -> list[tuple[Kpi, int]]:
        """KPIs named in ``text`` with the position after the words naming them."""
        return [(kpi, end) for kpi, _, end in self.find_spans(text)]


@lru_cache(maxsize=4)
def _kpi_cached(corpus_dir: str, doc_id: str, stamp: float) -> KpiCatalog:
    return KpiCatalog.load(Path(corpus_dir), doc_id)


def load_kpis(corpus_dir: Path | None = None, doc_id: str = DEFAULT_KPI_DOC) -> KpiCatalog:
    """The KPI catalogue of ``doc_id`` (default: the shipped 附1), read once per file version."""
    corpus_dir = _corpus_dir(corpus_dir)
    kpi_file = corpus_dir / f"{doc_id}.md"
    return _kpi_cached(str(corpus_dir), doc_id, kpi_file.stat().st_mtime if kpi_file.exists() else 0.0)


def _corpus_dir(corpus_dir: Path | None) -> Path:
    return corpus_dir if corpus_dir is not None else DEFAULT_CORPUS_DIR
