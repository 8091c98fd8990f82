"""A question asked without a session never waits on the database: its session is made in
memory and created with the turn's one transaction, under a short deadline; when the store does
not answer in time the answer is given anyway, flagged session_unsaved, and a warning names the
answer (never the question)."""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.errors import NotFoundError
from assistant.knowledge.retrieval import Retriever
from assistant.service import UNSAVED
from assistant.service.turns import start_turn
from tests.fakes import make_service

OWNER = "key-aaaaaaaaaaaaaaaa"
QUESTION = "我们是内蒙古自治区的有色金属企业，能申报卓越级吗？"


def test_the_session_is_made_in_memory_and_created_with_the_first_turn(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    service = make_service(sparse_retriever, tmp_path)
    statements: list[str] = []
    sa.event.listen(
        service.store.db.engine, "before_cursor_execute", lambda *args: statements.append(args[2])
    )
    session_id, turn = start_turn(service.store.sessions, service.reader, QUESTION, None, None, OWNER)
    assert statements == [] and turn.new_session  # nothing read or written before the answer
    with pytest.raises(NotFoundError):
        service.store.sessions.open(session_id, OWNER)

    answer = service.ask(QUESTION, owner=OWNER)
    assert UNSAVED not in answer.flags
    assert service.store.sessions.open(answer.session, OWNER) == answer.session  # created, and its owner's
    with pytest.raises(NotFoundError):
        service.store.sessions.open(answer.session, "key-bbbbbbbbbbbbbbbb")
    follow_up = service.ask("还缺什么？", session=answer.session, owner=OWNER)
    assert follow_up.profile["enterprise"]["province"] == "内蒙古自治区"
    assert service.store.sessions.count_messages(answer.session) == 4
    service.store.dispose()


def test_a_store_too_slow_to_record_the_turn_does_not_hold_the_answer(
    sparse_retriever: Retriever, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Another writer holds SQLite's write lock (a real lock, not a mock): the turn cannot be
    recorded within database_turn_wait, so the answer comes at once, unsaved, and the turn is not
    written later either (it was aborted, not left to finish)."""
    service = make_service(sparse_retriever, tmp_path)
    service.ask("预热", owner=OWNER)  # the reader and the pooled connection are ready
    blocker = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with caplog.at_level(logging.WARNING, logger="assistant.service"):
            started = time.perf_counter()
            answer = service.ask(QUESTION, owner=OWNER)
            seconds = time.perf_counter() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert seconds < 1.5, seconds  # database_turn_wait (0.5 s) and the answer itself
    assert UNSAVED in answer.flags and answer.session.startswith(UNSAVED + "-")
    assert "【" in answer.answer  # a real answer, with its citations
    warning = next(r for r in caplog.records if r.getMessage().startswith("turn not recorded"))
    assert warning.answer_id == answer.answer_id  # type: ignore[attr-defined]
    assert QUESTION not in warning.getMessage() and QUESTION not in str(warning.__dict__)
    time.sleep(0.3)
    assert service.store.answers.get(answer.answer_id) is None  # flagged unsaved, and truly not saved
    service.store.dispose()
