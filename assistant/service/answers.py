"""What an ask returns (`Answer` and its parts), in docs/contracts.md's shape, and the limits and
wording that every edge (API, UI, CLI) shares with the facade. Models only, no behaviour: the
interfaces import them without pulling in the facade's machinery."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

MAX_QUESTION_CHARS = 2000
#: The event shown when the LLM failed and the grounded answer replaces it, and the note that
#: opens the fallback answer's text (so clients that show only the text are told too).
FALLBACK_NOTICE = "大模型暂不可用，已切换为依据条款的直接回答。"
FALLBACK_NOTE = "（大模型未能完成回答，以下是依据条款的直接回答。）"
#: The same when the model answered but the guard could keep none of it with a clause behind it
#: (every figure, date or citation it gave was unsupported): its text is withheld, not refused.
WITHHELD_NOTICE = "大模型的回答未能通过条款核实，已切换为依据条款的直接回答。"
WITHHELD_NOTE = "（大模型的回答无法在所引条款中核实，已不予显示；以下是依据条款的直接回答。）"


class Citation(BaseModel):
    clause_id: str = Field(examples=["notice#二.(一).1"])
    text: str
    heading: str = ""
    title: str = ""


class UnderstoodFact(BaseModel):
    """An enterprise fact read from the user's words (docs/contracts.md `understood`)."""

    field: str = Field(examples=["enterprise.industry"])
    value: Any = Field(examples=["有色金属"])
    label: str = Field(examples=["所属行业"])
    said: str = Field(examples=["电解铝"])
    #: Stated as a what-if ("如果成熟度到三级呢？"): used for this answer, not stored.
    hypothetical: bool = False
    #: Two different values stated for the field ("第三方评2级、自评3级"): none is used.
    conflict: list[Any] | None = None


class Answer(BaseModel):
    """docs/contracts.md Answer; fields after `session` are additions."""

    answer: str
    #: The direct answer (docs/contracts.md): the first paragraph of `answer`, before the quoted sources.
    lead: str = ""
    mode: Literal["llm", "grounded"]
    citations: list[Citation]
    verdict: dict[str, Any] | None = None
    missing_facts: list[str] = Field(default_factory=list)
    understood: list[UnderstoodFact] = Field(default_factory=list)
    session: str
    answer_id: str = ""
    edition: str = ""
    flags: list[str] = Field(default_factory=list)
    intent: str = ""
    profile: dict[str, Any] = Field(default_factory=dict)
    prompt_version: int | None = None
    #: Grounded mode: how the question was read and which route answered it (intent, parts,
    #: tier, route, steps), so a wrong answer can be traced; None for the model's answers.
    plan: dict[str, Any] | None = None
