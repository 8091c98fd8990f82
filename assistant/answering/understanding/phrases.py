"""The text a fact reader works on: normalised, cut into phrases, and the words around a phrase.

Shared by every field reader (read_enterprise, read_progress, read_outcomes): a phrase knows
its sentence and whether it sits in a what-if ("如果…"), and `negated` / `modal` tell a
statement from its negation, a requirement, a wish or a question. `Reading` carries what one
text has yielded so far; a later reader's fact for a field replaces an earlier one's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answering.understanding.facts import Fact
from assistant.answering.understanding.gazetteer import load_gazetteer
from assistant.language import BRACKETS, COLONS, TURNS, clauses, sentences

FIRST_PERSON = re.compile(r"我们|我司|我厂|我公司|本公司|本企业|我单位|咱们|咱|我们厂|我这边|我方")
#: "主要是煤制烯烃" / "只要是" are not "要是…".
_HYPOTHETICAL = re.compile(r"如果|假如|假设|(?<![主只需就])要是|倘若|万一|假定|设想|若是|若")
_NEGATION = re.compile(
    r"(不是|并非|不属于|不算|算不上|称不上|谈不上|没有|没能|未能|并未|尚未|还没有|还没|从来没|从没|从未|不曾|没|未|无|非|不)$"
)
#: Words that make a phrase a requirement, a wish or a question rather than a statement.
_MODAL = re.compile(
    r"(要求|需要|须|必须|得|要|想|能不能|能否|可不可以|可以|算不算|是不是|是否|够不够|争取|计划|打算|目标|希望|准备|力争|"
    r"才能|如何|怎么|怎样|有没有|能)$"
)


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, lower case, no spaces."""
    text = "".join(
        chr(ord(c) - 0xFEE0) if "！" <= c <= "～" and c not in "！？，；：（）" else c for c in text
    )
    return re.sub(r"\s+", "", text).lower()


def negated(clause: str, start: int) -> bool:
    """A negation word right before the phrase (within a few characters of the same clause)."""
    before = clause[max(0, start - 5) : start]
    # "也不是没有独立法人资格": two negations say it is there.
    if re.search(r"(不是|并非|并不是)(没有?|无)$", clause[max(0, start - 6) : start]):
        return False
    before = re.sub(r"(过|了|有|到|达到|评|曾|出过|发生过|发生|出现过|都|也|还|再|是|就)+$", "", before)
    return bool(_NEGATION.search(before))


def modal(clause: str, start: int) -> bool:
    """A word right before the phrase that makes it a requirement, a wish or a question."""
    before = clause[max(0, start - 5) : start]
    before = re.sub(r"(先|都|也|再|到|达到|做到|评上|评到|是)+$", "", before)
    return bool(_MODAL.search(before))


#: A phrase that names a requirement to ask about, not a fact: "指标做到全国领先以外还要满足什么",
#: "除了成熟度三级，还要什么".
_REQUIREMENT = re.compile(r"(以外|之外)[，,]?(还|另外|又)(要|需|得|应|有)")
_BESIDES_ASKED = re.compile(r"除了[^。？?]*还(要|需|得|应)[^。？?]*(什么|哪些|啥|吗)")


def _names_requirement(part: str, sentence: str) -> bool:
    """ "…以外还要满足什么" / "除了X，还要什么": X is asked about, not stated ("除了研发设计，
    其他都是卓越级" states facts and is not one)."""
    return bool(_REQUIREMENT.search(part) or ("除了" in part and _BESIDES_ASKED.search(sentence)))


@dataclass
class Phrase:
    """A stretch of a sentence between commas (or 但是…): facts are read phrase by phrase."""

    text: str
    sentence: str
    hypothetical: bool
    #: The phrase names a requirement asked about ("…以外还要满足什么"): it states no fact.
    requirement: bool = False


def phrases(text: str) -> list[Phrase]:
    """The text's sentences cut into phrases at commas, colons, brackets and turns (但是…)."""
    out: list[Phrase] = []
    for sentence in sentences(text):
        hypothetical = False
        for part in clauses(sentence, also=COLONS + BRACKETS, words=TURNS):
            if _HYPOTHETICAL.search(part) or part.endswith("的话"):
                hypothetical = True  # the rest of the sentence is the what-if
            out.append(Phrase(part, sentence, hypothetical, _names_requirement(part, sentence)))
    return out


class Reading:
    """One text being read: its phrases, the vocabulary, and the facts found so far."""

    def __init__(self, text: str, data_dir: Path) -> None:
        self.gazetteer, self.segmenter = load_gazetteer(data_dir)
        self.text = normalise(text)
        self.clauses = phrases(self.text)
        self.facts: dict[str, Fact] = {}
        self.years: set[str] = set()
        #: Links supposed covered in a what-if at a level not said ("要是运营管理也补上呢"):
        #: the tier under discussion gives the level (the service knows it, the reader does not).
        self.raised: dict[str, str] = {}
        #: Links said covered at a level not said ("覆盖了生产作业、生产管理", "五个环节都有"):
        #: link -> said. Not facts (a link's fact is its level); what a coverage question needs.
        self.covered: dict[str, str] = {}

    def put(self, path: str, value: Any, said: str, clause: Phrase) -> None:
        if clause.requirement:
            return
        self.facts[path] = Fact(path, value, said, hypothetical=clause.hypothetical)
