"""Sentence-level guard: every sentence the model writes is checked before anyone sees it.

The model's text arrives in fragments (streamed, or alongside tool calls). `SentenceGuard` cuts it
into units (`assistant.language.stream_sentences` with ``markdown=True``: sentences where the
composer's sentences end, and a table row, a list item or a heading whole) and lets through only
what the turn's evidence supports:

- a field id the model repeats from a tool result (links.运营管理) is written as its Chinese name;
- citations in any bracket style are normalised to 【id】; one that does not exist or that no
  tool returned this turn is removed, and a sentence whose only citations were invalid goes;
- a sentence claiming a tier the checker does not support (any claim, when no profile is known)
  is replaced by the checker's statement (once; later such sentences are dropped);
- a sentence whose figure or date is in none of the clauses it cites (none seen this turn, when
  it cites nothing) is removed; figures the user gave are theirs to repeat. Figures are compared
  however they are written (八成 is 80%), and a relative date (下月初) no clause holds goes too.

In a table, a replaced claim becomes a row of the same shape that points to the verdict, which
follows the table; a removed header row becomes an empty one: the table stays a table.

Negations and conditional advice are not claims (see citations.claimed_tiers). What was removed
is counted, flagged and told to the user in one short Chinese note at the end of the answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.answering.cite import CITATION
from assistant.answering.llm.citations import (
    NO_BASIS,
    TIER_ORDER,
    claimed_tiers,
    figures,
    normalise_citations,
    unsupported_figures,
)
from assistant.language import is_table_row, stream_sentences
from assistant.rules import CheckReport, without_field_ids

_APPLY = re.compile(r"申报|报名|参评|apply|application", re.IGNORECASE)
NO_PROFILE_VERDICT = (
    "能否达到某一层级，要由规则核验根据企业的实际情况判断；目前还不知道贵企业的情况"
    "（如成熟度等级、覆盖的环节、成效水平），无法下结论。"
)


def verdict_block(report: CheckReport, limit: int = 3) -> str:
    """The checker's verdict in words, with the clauses behind its first unmet requirements; a
    field id in a reason is written as its Chinese name (users never see ids)."""
    lines = [f"规则核验结论：{report.summary}"]
    unmet = [r for r in report.application.requirements if r.status == "not_met"]
    unmet += [g for g in report.gaps if g.status == "not_met"]  # type: ignore[misc]
    for item in unmet[:limit]:
        lines.append(f"- {item.reason}" + "".join(f"【{c}】" for c in item.clause_ids[:2]))
    return without_field_ids("\n".join(lines))


def _row_like(row: str, cells: list[str]) -> str:
    """A table row with as many cells as ``row``, holding ``cells`` (the rest empty)."""
    count = max(1, len(row.strip().strip("|｜").replace("｜", "|").split("|")))
    filled = (cells + [" "] * count)[:count]
    return "| " + " | ".join(filled) + " |" + ("\n" if row.endswith("\n") else "")


@dataclass
class GuardStats:
    removed_sentences: int = 0
    removed_citations: int = 0
    replaced_claims: int = 0
    flags: list[str] = field(default_factory=list)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


class SentenceGuard:
    """Checks the model's text sentence by sentence against the turn's evidence.

    `seen` is the live set of clause ids the tools returned this turn (it grows as tools run);
    `report` is the checker's report on the user's own facts, or None when none are known."""

    def __init__(
        self,
        *,
        known: set[str],
        seen: set[str],
        clause_text: Callable[[str], str | None],
        report: CheckReport | None,
        user_text: str = "",
    ) -> None:
        self.known = known
        self.seen = seen
        self.clause_text = clause_text
        self.report = report
        self.user_figures = figures(user_text)
        self.buffer = ""
        self.parts: list[str] = []
        self.cited: list[str] = []
        self.stats = GuardStats()
        self.verdict_shown = False
        #: The verdict owed after the table whose row it replaced ("" when none is owed).
        self.after_table = ""
        #: Whether the model's next text opens a line (a list item or a heading may start there).
        self.line_start = True

    # -- feeding -----------------------------------------------------------------------------

    def feed(self, fragment: str) -> list[str]:
        """Add model text; return the guarded sentences now complete (ready to show)."""
        self.buffer += fragment
        sentences, self.buffer = stream_sentences(self.buffer, markdown=True, line_start=self.line_start)
        return self._emit(sentences)

    def flush(self, *, more_follows: bool = False) -> list[str]:
        """The end of one model step: the unfinished sentence is checked as it stands."""
        sentences, self.buffer = stream_sentences(
            self.buffer, final=True, markdown=True, line_start=self.line_start
        )
        out = self._emit(sentences) + self._table_ended()
        if more_follows and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")
            out.append("\n")
        return out

    def _emit(self, sentences: list[str]) -> list[str]:
        out = []
        for sentence in sentences:
            self.line_start = sentence.endswith("\n")
            ends_table = bool(self.after_table) and not is_table_row(sentence)
            if ends_table and sentence.strip():
                out += self._table_ended()
            checked = self.check(sentence)
            if checked:
                self.parts.append(checked)
                out.append(checked)
            if ends_table:
                out += self._table_ended()  # after the blank line that closed the table
        return out

    def _table_ended(self) -> list[str]:
        """The verdict owed by a replaced row, once its table has ended (after a blank line, so
        that it is not read as one more row)."""
        if not self.after_table:
            return []
        text = self.text
        lead = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        block = f"{lead}{self.after_table}\n"
        self.after_table = ""
        self.parts.append(block)
        return [block]

    @property
    def text(self) -> str:
        return "".join(self.parts)

    # -- one sentence ------------------------------------------------------------------------

    def check(self, sentence: str) -> str:
        """The sentence as it may be shown: kept, cleaned of bad citations, replaced by the
        checker's statement, or "" (removed)."""
        if not sentence.strip():
            return sentence
        text = without_field_ids(normalise_citations(sentence))
        # A tier claim the checker does not support is answered with the checker's own statement,
        # whatever the sentence cites: the user should see the verdict, not just lose a sentence.
        claims = claimed_tiers(CITATION.sub("", text))
        if any(not self._supported(tier, text) for tier in claims):
            return self._replace_claim(text)
        ids = list(dict.fromkeys(CITATION.findall(text)))
        valid = [i for i in ids if i in self.known and i in self.seen]
        if ids and not valid:
            return self._remove("invalid_citations_removed", text)
        if len(valid) < len(ids):
            self.stats.removed_citations += len(ids) - len(valid)
            self.stats.flag("invalid_citations_removed")
            text = CITATION.sub(lambda m: m.group(0) if m.group(1) in valid else "", text)
        sources = [self.clause_text(i) or "" for i in valid] if valid else self._all_sources()
        if unsupported_figures(text, sources, self.user_figures):
            return self._remove("unsupported_figures_removed", text)
        self._cite(valid)
        return text

    def _supported(self, tier: str, sentence: str) -> bool:
        report = self.report
        if report is None:
            return False
        if TIER_ORDER[tier] > TIER_ORDER.get(report.highest_tier or "", 0):
            return False
        # The round's own tier (the report names it) is claimed applicable only when its
        # application conditions are met, not merely its tier's conditions.
        if _APPLY.search(sentence) and tier in report.application.round:
            return report.application.status == "met"
        return True

    def _all_sources(self) -> list[str]:
        texts = [self.clause_text(i) or "" for i in self.seen]
        if self.report is not None:
            texts.append(verdict_block(self.report, limit=20))
        return texts

    def _replace_claim(self, unit: str) -> str:
        """A claim the checker does not support gives way to the checker's statement, once: in a
        table, a row of the same shape stands in and the statement follows the table."""
        self.stats.replaced_claims += 1
        self.stats.flag("verdict_overridden")
        if self.verdict_shown:
            return self._empty_row(unit)
        self.verdict_shown = True
        statement = verdict_block(self.report) if self.report else NO_PROFILE_VERDICT
        self._cite(CITATION.findall(statement))
        if not is_table_row(unit):
            return statement + "\n\n"  # a blank line: what follows does not join its list
        self.after_table = statement
        summary = self.report.summary if self.report else "能否达到某一层级须由规则核验判断"
        return _row_like(unit, [f"规则核验结论：{summary}（详见表后）"])

    def _remove(self, flag: str, unit: str = "") -> str:
        self.stats.removed_sentences += 1
        self.stats.flag(flag)
        return self._empty_row(unit)

    def _empty_row(self, unit: str) -> str:
        """ "" for a removed unit, except a table's first row (its header): a row of empty cells
        stands in, so the rows after it are still a table."""
        if not is_table_row(unit) or (self.parts and is_table_row(self._last_line())):
            return ""
        return _row_like(unit, [])

    def _last_line(self) -> str:
        text = self.text.rstrip("\n")
        return text[text.rfind("\n") + 1 :]

    def _cite(self, ids: list[str]) -> None:
        for clause_id in ids:
            if clause_id not in self.cited:
                self.cited.append(clause_id)

    # -- the end -----------------------------------------------------------------------------

    @property
    def withheld_everything(self) -> bool:
        """Whether the guard left nothing with a clause behind it after removing what the model
        said: the answer must then come from the documents (grounded mode), never be an empty
        refusal when the documents hold it. Uncited text the guard removed nothing from is the
        model's own (a question back, a greeting) and stands."""
        removed = self.stats.removed_sentences or self.stats.removed_citations
        return not self.cited and bool(removed or not self.text.strip())

    def closing_note(self, extra: list[str] | None = None) -> str:
        """One short Chinese note on what was changed, to append to the answer ("" if nothing)."""
        said: list[str] = []
        if self.stats.removed_sentences:
            said.append(f"已删去{self.stats.removed_sentences}句无法在所引条款中核实的内容")
        if self.stats.removed_citations:
            said.append(f"已删去{self.stats.removed_citations}处无效的条款引用")
        if self.stats.replaced_claims:
            said.append("与规则核验不符的层级判断已改为规则核验结论")
        lines = [f"（说明：{'；'.join(said)}。）"] if said else []
        if not self.text.strip():
            lines.insert(0, NO_BASIS)
            self.stats.flag("no_supporting_clause")
        elif not self.cited:
            lines.append("（说明：现有文件中没有找到能支持这一回答的条款，以上内容未经条款核实，仅供参考。）")
            self.stats.flag("no_supporting_clause")
        lines += extra or []
        if not lines:
            return ""
        text = self.text
        lead = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return lead + "\n".join(lines)
