"""LLM mode: a tool-calling agent over any OpenAI-compatible model, and the guard on its words.

`Agent.stream` runs the loop with a `Toolbox` (search, clause look-up, the checker, drafting)
whose `TurnState` holds the user's facts; every sentence the model writes passes the
`SentenceGuard` (citations must exist and have been retrieved, tier claims may not exceed the
checker's verdict, figures must be in a cited clause) before anyone sees it.
"""

from __future__ import annotations

from assistant.answering.llm.agent import Agent, Toolbox, TurnState, build_messages, confirm_questions
from assistant.answering.llm.guard import SentenceGuard

__all__ = ["Agent", "SentenceGuard", "Toolbox", "TurnState", "build_messages", "confirm_questions"]
