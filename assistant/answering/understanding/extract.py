"""Read the enterprise facts a user states in free text, each kept with the words it came from.

Grounded mode has no model to fill the profile, so statements such as "我们是内蒙古一家电解铝分公司，
成熟度自评三级" are read here. The vocabulary is data (corpus/data/regions.yaml, industries.yaml,
legal_forms.yaml); the text is segmented with jieba plus a user dictionary of those terms, so the
longest term wins ("一家电解铝" is 一家/电解铝, never 家电). Rules of reading:

- only what is stated is returned: a fact the text does not mention stays absent (unknown);
- a negated statement never yields the positive value ("没有独立法人" is a branch, "还没评过先进级"
  is "not recognised", "国内排不上" states nothing about national standing);
- a region named for comparison ("像内蒙古一样") or as a topic ("内蒙古的通知") does not place the
  enterprise there;
- facts in a hypothetical ("如果成熟度到三级呢？") are marked so, for a what-if that is not stored;
- two different maturity levels ("第三方评2级、自评3级") are a stated conflict, not a silent choice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.answering.understanding.facts import Extraction, Fact, facts_to_profile
from assistant.answering.understanding.gazetteer import DEFAULT_DATA_DIR
from assistant.answering.understanding.phrases import Reading, normalise
from assistant.answering.understanding.read_enterprise import (
    read_industry,
    read_legal_form,
    read_region,
    read_registration,
    read_size,
)
from assistant.answering.understanding.read_outcomes import read_basics, read_construction, read_standing
from assistant.answering.understanding.read_progress import read_links, read_maturity, read_recognised
from assistant.vocabulary import fix_tier_typos

__all__ = [
    "DEFAULT_DATA_DIR",
    "Extraction",
    "Fact",
    "extract",
    "extract_profile",
    "facts_to_profile",
    "normalise",
]

#: In this order: a later reader's fact for a field replaces an earlier one's.
READERS = (
    read_region,
    read_industry,
    read_legal_form,
    read_registration,
    read_size,
    read_maturity,
    read_recognised,
    read_links,
    read_standing,
    read_construction,
    read_basics,
)


def extract(text: str, data_dir: Path = DEFAULT_DATA_DIR) -> Extraction:
    """The facts the text states (and its what-ifs and conflicts), each with its words; terms
    mistyped by sound ("先近级", "生厂作业") are read as meant, whoever calls."""
    reading = Reading(fix_tier_typos(text), data_dir)
    for read in READERS:
        read(reading)
    return Extraction(list(reading.facts.values()), reading.years, reading.raised, reading.covered)


def extract_profile(text: str) -> dict[str, Any]:
    """Facts the text states, as a partial profile dict (may be empty); what-ifs left out."""
    return extract(text).profile()
