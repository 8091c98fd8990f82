"""The vocabulary fact reading knows: regions, industries and legal forms, and the segmenter.

The words are data (corpus/data/regions.yaml, industries.yaml, legal_forms.yaml); jieba gets
them as a user dictionary so the longest term wins ("一家电解铝" is 一家/电解铝, never 家电).
Loading jieba is slow, so the pair is built once per data directory.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.config import DEFAULT_CORPUS_DIR
from assistant.knowledge.datafile import read_yaml
from assistant.vocabulary import LINK_SYNONYMS, LINKS, TIERS

#: The shipped corpus's vocabulary: what a caller that names no folder reads (tests, scripts);
#: the service reads ``settings.corpus_dir / "data"`` (EnterpriseReader).
DEFAULT_DATA_DIR = DEFAULT_CORPUS_DIR / "data"


@dataclass(frozen=True)
class Gazetteer:
    regions: dict[str, str]  # any name -> province-level region
    industries: dict[str, str]  # term -> the notice's industry word ("" = not an industry)
    legal_forms: dict[str, str]  # phrase -> independent | branch

    @classmethod
    def load(cls, data_dir: Path) -> Gazetteer:
        def read(name: str) -> Any:
            return read_yaml(data_dir / name)

        regions: dict[str, str] = {}
        data = read("regions.yaml")
        for province, entry in data.get("provinces", {}).items():
            regions[province] = province
            for name in [*entry.get("short", []), *entry.get("cities", [])]:
                regions[str(name)] = province
        for city, province in data.get("separately_planned_cities", {}).items():
            regions[str(city)] = province
        industries: dict[str, str] = {}
        data = read("industries.yaml")
        for industry, terms in data.get("industries", {}).items():
            for term in [industry, *terms]:
                industries[str(term)] = industry
        for term in data.get("not_industry", []):
            industries[str(term)] = ""
        forms: dict[str, str] = {}
        data = read("legal_forms.yaml")
        for form in ("branch", "independent"):
            for term in data.get(form, []):
                forms[str(term)] = form
        return cls(regions, industries, forms)

    def terms(self) -> list[str]:
        extra = [*LINKS, *LINK_SYNONYMS, *TIERS, "成熟度", "自评", "自评估", "第三方", "环节", "规上", "规下"]
        return sorted({*self.regions, *self.industries, *self.legal_forms, *extra}, key=len, reverse=True)


class Segmenter:
    """jieba with the gazetteer as a user dictionary; a long term outweighs its sub-words."""

    def __init__(self, terms: list[str]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in terms:
            if len(term) >= 2:
                self._jieba.add_word(term, freq=20000 * len(term) ** 2)

    def spans(self, text: str) -> list[tuple[str, int]]:
        out, pos = [], 0
        for token in self._jieba.lcut(text, HMM=False):
            out.append((token, pos))
            pos += len(token)
        return out


_loading = threading.Lock()


def load_gazetteer(data_dir: Path) -> tuple[Gazetteer, Segmenter]:
    """The gazetteer and its segmenter, built once per process. Under a lock: the first asks a
    server takes arrive together, and each would otherwise build its own jieba dictionary
    (~50 MB apiece; measured, one worker at 740 MB RSS after 60 s of /v1/ask, against 450)."""
    with _loading:
        return _build_gazetteer(data_dir)


@lru_cache(maxsize=4)
def _build_gazetteer(data_dir: Path) -> tuple[Gazetteer, Segmenter]:
    gazetteer = Gazetteer.load(data_dir)
    return gazetteer, Segmenter(gazetteer.terms())
