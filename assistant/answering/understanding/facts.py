"""The facts read from a user's words: each with the words it came from, and what they make.

A fact is a value object the rest of the answerer (sessions, the echo "我理解的情况：…", the
what-if) passes around without knowing how it was read, so it lives apart from the reading.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.rules import field_label, value_label


@dataclass(frozen=True)
class Fact:
    """One enterprise fact read from the text: profile field, value, the words it came from."""

    field: str
    value: Any
    said: str
    hypothetical: bool = False
    #: Other values stated for the same field in the same text (a conflict to ask about).
    conflict: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        return field_label(self.field)

    def describe(self) -> str:
        """Chinese, for the echo: "所属行业：有色金属（“电解铝”）"."""
        if self.conflict:
            values = "、".join(value_label(self.field, v) for v in (self.value, *self.conflict))
            return f"{self.label}：说法不一致（{values}，“{self.said}”），请确认以哪个为准"
        return f"{self.label}：{value_label(self.field, self.value)}（“{self.said}”）"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "value": self.value,
            "label": self.label,
            "said": self.said,
        }
        if self.hypothetical:
            out["hypothetical"] = True
        if self.conflict:
            out["conflict"] = [self.value, *self.conflict]
        return out


@dataclass
class Extraction:
    """Everything read from one text."""

    facts: list[Fact] = field(default_factory=list)
    #: Years named as construction years ("2021到2023年建的"), not rounds.
    construction_years: set[str] = field(default_factory=set)
    #: Links a what-if supposes covered at a level not said ("要是运营管理也补上呢"), with the
    #: words: link -> said. The tier under discussion is their level.
    raised_links: dict[str, str] = field(default_factory=dict)
    #: Links said covered at a level not said: link -> said (see Reading.covered).
    covered_links: dict[str, str] = field(default_factory=dict)

    def suppose_links(self, tier: str) -> None:
        """The raised links as what-if facts at `tier` (a link stated otherwise is left alone)."""
        held = {f.field for f in self.facts}
        for link, said in self.raised_links.items():
            if f"links.{link}" not in held:
                self.facts.append(Fact(f"links.{link}", tier, said, hypothetical=True))

    def stated(self) -> list[Fact]:
        return [f for f in self.facts if not f.hypothetical and not f.conflict]

    def hypothetical(self) -> list[Fact]:
        return [f for f in self.facts if f.hypothetical and not f.conflict]

    def conflicts(self) -> list[Fact]:
        return [f for f in self.facts if f.conflict]

    def profile(self, include_hypothetical: bool = False) -> dict[str, Any]:
        facts = self.stated() + (self.hypothetical() if include_hypothetical else [])
        return facts_to_profile(facts)


def facts_to_profile(facts: list[Fact]) -> dict[str, Any]:
    """A partial docs/contracts.md profile from facts (later facts override earlier ones)."""
    profile: dict[str, Any] = {}
    for fact in facts:
        section, _, key = fact.field.partition(".")
        profile.setdefault(section, {})[key] = fact.value
    return profile
