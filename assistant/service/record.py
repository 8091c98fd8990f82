"""Recording an answered turn and shaping the Answer the edges return.

Apart from the facade because writing a turn is a policy of its own: one transaction for the
whole turn; a session made in memory is created with its first turn under a short deadline, and
when the store is down or slow the answer is still given, flagged `session_unsaved`."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from typing import Any, Literal

from assistant.config import Settings
from assistant.errors import StoreUnavailableError
from assistant.knowledge.corpus import Corpus
from assistant.rules import CheckReport
from assistant.service.answers import Answer, Citation, UnderstoodFact
from assistant.service.turns import UNSAVED, Turn
from assistant.store import AnswerRecord, Store, TurnWrite

log = logging.getLogger("assistant.service")


def lead_of(text: str) -> str:
    """The lead is the answer's first paragraph (docs/contracts.md)."""
    return text.strip().split("\n\n", 1)[0].strip()


class TurnRecorder:
    """Writes each answered turn to the store and builds its Answer."""

    def __init__(
        self, store: Store, settings: Settings, corpus: Callable[[], Corpus], default_edition: str
    ) -> None:
        self.store = store
        #: How long a question without a session waits for its first turn to be recorded.
        self.turn_wait = settings.database_turn_wait
        #: The corpus the service answers from now (it changes with every reload).
        self.corpus = corpus
        self.default_edition = default_edition

    def _citations(self, ids: list[str]) -> list[Citation]:
        out = []
        for clause_id in ids:
            clause = self.corpus().get(clause_id)
            if clause is not None:
                out.append(
                    Citation(
                        clause_id=clause_id, text=clause.text, heading=clause.heading, title=clause.title
                    )
                )
        return out

    def finish(
        self,
        question: str,
        session_id: str,
        *,
        mode: Literal["llm", "grounded"],
        text: str,
        cited: list[str],
        report: CheckReport | None,
        missing: list[str],
        flags: list[str],
        intent: str,
        profile: dict[str, Any],
        prompt_version: int | None,
        edition: str | None = None,
        turn: Turn | None = None,
        lead: str = "",
        plan: dict[str, Any] | None = None,
    ) -> Answer:
        """Record the turn (one transaction: both messages, the profile kept, the facts and the
        answer-log row; a session made in memory is created with it) and return the Answer."""
        answer_id = uuid.uuid4().hex
        record = AnswerRecord(
            answer_id=answer_id,
            question=question,
            lead=lead or lead_of(text),
            answer=text,
            mode=mode,
            latency_ms=(time.perf_counter() - turn.started) * 1000 if turn is not None else 0.0,
            citations=list(cited),
            flags=list(flags),
            session_id=session_id,
            intent=intent,
            edition=edition or self.default_edition,
        )
        # A what-if shapes this answer only: what is kept is the profile without it.
        keep = turn.store if turn is not None and turn.what_if else profile
        new_facts = [f.as_dict() for f in turn.new_facts] if turn is not None else []
        written = TurnWrite(question, text, keep, record, new_facts)
        if turn is not None and turn.new_session:
            if not self._record_first_turn(turn.owner, written):
                flags = [*flags, UNSAVED]
                session_id = f"{UNSAVED}-{uuid.uuid4().hex}"
        else:
            # One transaction: both messages, the profile, the facts and the answer-log row.
            self.store.sessions.record_turn(session_id, written)
        understood = [UnderstoodFact(**f.as_dict()) for f in (turn.understood if turn else [])]
        return Answer(
            answer=text,
            lead=record.lead,
            mode=mode,
            citations=self._citations(cited),
            verdict=report.model_dump(mode="json") if report else None,
            missing_facts=missing,
            understood=understood,
            session=session_id,
            answer_id=answer_id,
            edition=edition or self.default_edition,
            flags=flags,
            intent=intent,
            profile=profile,
            prompt_version=prompt_version,
            plan=plan,
        )

    def _record_first_turn(self, owner: str, turn: TurnWrite) -> bool:
        """Create the session made in memory with its first turn, waiting database_turn_wait at
        most; False when the store is down or too slow (nothing is written then). The answer is
        given either way: a question asked without a session never waits on the database. The
        warning names the answer, never the question (it may hold a company's facts)."""
        assert turn.record.session_id is not None
        try:
            self.store.sessions.record_first_turn(turn.record.session_id, owner, turn, within=self.turn_wait)
        except StoreUnavailableError as exc:
            log.warning(
                "turn not recorded: answered without saving the session",
                extra={"answer_id": turn.record.answer_id, "reason": exc.message},
            )
            return False
        return True
