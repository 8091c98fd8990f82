"""Understanding the enterprise: the facts a user states about it, each with the words it came from.

`EnterpriseReader` reads with one corpus's vocabulary (its data folder: regions, industries,
legal forms); the service holds one built from the settings. `extract` does the same with the
shipped vocabulary, for tests and scripts. A reading gives stated facts, what-ifs and conflicts
(`Extraction`); `facts_to_profile` turns facts into the checker's profile shape.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from assistant.answering.understanding.extract import extract, extract_profile
from assistant.answering.understanding.facts import Extraction, Fact, facts_to_profile
from assistant.answering.understanding.gazetteer import DEFAULT_DATA_DIR, Gazetteer, load_gazetteer
from assistant.answering.understanding.implied import implied_facts
from assistant.answering.understanding.read_enterprise import industry_named, region_named

__all__ = [
    "DEFAULT_DATA_DIR",
    "EnterpriseReader",
    "Extraction",
    "Fact",
    "extract",
    "extract_profile",
    "facts_to_profile",
    "implied_facts",
]


class EnterpriseReader:
    """Reads enterprise facts with the vocabulary in ``data_dir`` (``<corpus>/data``)."""

    def __init__(self, data_dir: Path = DEFAULT_DATA_DIR) -> None:
        self.data_dir = data_dir

    def extract(self, text: str) -> Extraction:
        return extract(text, self.data_dir)

    @cached_property
    def places(self) -> list[str]:
        """Every region name the reader knows (provinces, their short forms and cities)."""
        return list(Gazetteer.load(self.data_dir).regions)

    def named(self, field: str, text: str) -> str | None:
        """The value a form's free-text answer names for ``field`` (``enterprise.industry`` or
        ``enterprise.province``), read with the same words as a chat message, so that "电解铝"
        typed in 自评 is 有色金属 there as it is in 咨询; None when it names nothing known."""
        gazetteer, segmenter = load_gazetteer(self.data_dir)
        if field == "enterprise.industry":
            return industry_named(gazetteer, segmenter, text)
        if field == "enterprise.province":
            return region_named(gazetteer, segmenter, text)
        return None

    def warm(self) -> None:
        """Build the vocabulary's jieba dictionary now (~1 s) rather than in the first request."""
        load_gazetteer(self.data_dir)
