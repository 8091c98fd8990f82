"""The retention purge: what users typed is kept for the configured days, then deleted with
everything that hangs off it; newer records are untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.store import AnswerRecord, Store, TurnWrite

DAY = 86_400


def _answer(store: Store, answer_id: str, session_id: str | None = None) -> None:
    record = AnswerRecord(
        answer_id, "手机号13800000000能报吗", "回答", "回答", "grounded", 1.0, session_id=session_id
    )
    store.answers.log(record)


def _age(store: Store, days: int) -> None:
    """Move every row's time back by `days`, as if the store had been running that long."""
    with store.db.connection(write=True) as conn:
        shift = days * DAY
        conn.exec_driver_sql(f"UPDATE answers SET created = created - {shift}")
        conn.exec_driver_sql(f"UPDATE sessions SET updated = updated - {shift}, created = created - {shift}")


def test_purge_deletes_old_answers_and_idle_sessions_with_what_hangs_off_them(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    old_session = store.sessions.open(None)
    store.sessions.record_turn(
        old_session, TurnWrite("问", "答", {"maturity": {"level": 3}}, _record("o1", old_session))
    )
    store.answers.add_feedback("o1", 1, "没答到")
    store.answers.mark("o1", "wrong", "缺文件", "key-op")
    _age(store, 200)
    new_session = store.sessions.open(None)
    store.sessions.record_turn(new_session, TurnWrite("问", "答", {}, _record("n1", new_session)))

    counts = store.purge(180)

    assert counts == {"feedback": 1, "marks": 1, "answers": 1, "messages": 2, "facts": 0, "sessions": 1}
    assert store.answers.get("o1") is None and store.answers.get("n1") is not None
    assert store.sessions.count_messages(old_session) == 0 and store.sessions.count_messages(new_session) == 2
    assert store.purge(180) == dict.fromkeys(counts, 0)  # nothing left to purge
    store.dispose()


def _record(answer_id: str, session_id: str) -> AnswerRecord:
    return AnswerRecord(answer_id, "问", "答", "答", "grounded", 1.0, session_id=session_id)


def test_db_purge_command_reports_what_went(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.config import Settings
    from assistant.interfaces.cli import main as cli

    url = f"sqlite:///{tmp_path / 's.db'}"
    store = Store.open(url)
    _answer(store, "a1")
    _age(store, 30)
    _answer(store, "a2")
    store.dispose()
    monkeypatch.setattr(cli.state, "settings", Settings(_env_file=None, database_url=url, data_dir=tmp_path))  # type: ignore[call-arg]
    done = CliRunner().invoke(cli.app, ["db", "purge", "--days", "7", "--json"])
    assert done.exit_code == 0, done.output
    report = json.loads(done.stdout)
    assert report["days"] == 7 and report["answers"] == 1
    left = Store.open(url)
    assert left.answers.get("a1") is None and left.answers.get("a2") is not None
    left.dispose()
