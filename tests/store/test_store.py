"""The session store on SQLAlchemy, run against both engines it supports: the embedded SQLite file
and a real Postgres server (tests/servers.py). Also the Alembic round trip and the schema guard."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.config import REPO_ROOT
from assistant.errors import NotFoundError, StoreSchemaError, StoreUnavailableError
from assistant.store import (
    AnswerRecord,
    Store,
    TurnWrite,
    current_revision,
    downgrade,
    head_revision,
    make_engine,
    upgrade,
)
from assistant.store.schema import metadata
from tests.servers import PostgresServer


def record(answer_id: str, session_id: str | None = None, **extra: object) -> AnswerRecord:
    fields: dict = {
        "answer_id": answer_id,
        "question": "每个省最多推荐几个项目？",
        "lead": "每个省最多推荐20个【notice#二.(二)】。",
        "answer": "每个省最多推荐20个【notice#二.(二)】。\n\n来源……",
        "mode": "grounded",
        "latency_ms": 12.3,
        "citations": ["notice#二.(二)"],
        "flags": [],
        "session_id": session_id,
    }
    return AnswerRecord(**{**fields, **extra})


def test_sessions_profiles_and_turns(store_url: str) -> None:
    store = Store.open(store_url)
    session = store.sessions.open(None)
    assert store.sessions.open(session) == session
    store.sessions.record_turn(
        session,
        TurnWrite(
            "我们在内蒙古", "好的", {"enterprise": {"province": "内蒙古自治区"}}, record("a1", session)
        ),
    )
    store.sessions.record_turn(
        session, TurnWrite("成熟度三级", "收到", {"maturity": {"level": 3}}, record("a2", session))
    )
    assert store.sessions.profile(session) == {
        "enterprise": {"province": "内蒙古自治区"},
        "maturity": {"level": 3},
    }
    assert [m.role for m in store.sessions.history(session)] == ["user", "assistant", "user", "assistant"]
    assert store.sessions.history(session, budget_chars=4)[-1].content == "收到"
    assert store.sessions.count_messages(session) == 4
    store.sessions.append(session, "user", "单独一条")
    assert store.sessions.count_messages(session) == 5
    store.sessions.record_turn(
        session, TurnWrite("成熟度不确定", "好的", {"maturity": None}, record("a3", session))
    )
    assert store.sessions.profile(session)["maturity"] == {"level": 3}  # a None fact erases nothing
    logged = store.answers.get("a1")
    assert logged is not None and logged["session_id"] == session and logged["mode"] == "grounded"
    assert logged["citations"] == ["notice#二.(二)"] and logged["latency_ms"] == 12.3
    assert logged["lead"].startswith("每个省最多推荐20个")
    store.dispose()


def test_feedback_one_vote_per_answer_and_key(store_url: str) -> None:
    store = Store.open(store_url)
    with pytest.raises(NotFoundError, match="没有编号为 nope 的回答"):
        store.answers.add_feedback("nope", 5, "")
    store.answers.log(record("b1"))
    first = store.answers.add_feedback("b1", 2, "不清楚")
    again = store.answers.add_feedback("b1", 5, "看懂了")  # anonymous again: replaces the first vote
    other = store.answers.add_feedback("b1", 1, "", key="key-0123abcd")
    assert first == again != other
    votes = store.answers.get("b1")["feedback"]  # type: ignore[index]
    assert votes == [
        {"key": "anonymous", "rating": 5, "comment": "看懂了"},
        {"key": "key-0123abcd", "rating": 1, "comment": ""},
    ]
    store.dispose()


def test_concurrent_turns_on_one_session_all_commit(store_url: str) -> None:
    """Two hosts writing turns of one session at once: every turn lands, in order, none lost."""
    stores = [Store.open(store_url), Store.open(store_url)]
    session = stores[0].sessions.open(None)

    def turns(store: Store, tag: str) -> None:
        for i in range(10):
            store.sessions.record_turn(
                session, TurnWrite(f"{tag}{i}", "答", {}, record(f"{tag}{i}", session))
            )

    threads = [threading.Thread(target=turns, args=(s, t)) for s, t in zip(stores, "AB", strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    history = stores[1].sessions.history(session, budget_chars=10**6)
    assert len(history) == 40 and [m.role for m in history[:2]] == ["user", "assistant"]
    for store in stores:
        store.dispose()


def test_a_session_answers_only_to_the_key_that_opened_it(store_url: str) -> None:
    """Ids are made by the server and unguessable; another key, or a client inventing an id,
    gets NotFoundError (404), never the session's profile and never a new session of that id."""
    store = Store.open(store_url)
    mine = store.sessions.open(None, owner="key-aaaaaaaaaaaaaaaa")
    assert len(mine) == 32 and mine != store.sessions.open(None, owner="key-aaaaaaaaaaaaaaaa")
    assert store.sessions.open(mine, owner="key-aaaaaaaaaaaaaaaa") == mine
    for owner in ("key-bbbbbbbbbbbbbbbb", "anonymous"):
        with pytest.raises(NotFoundError, match="不存在或已失效"):
            store.sessions.open(mine, owner=owner)
    with pytest.raises(NotFoundError):
        store.sessions.open("portal-42", owner="key-aaaaaaaaaaaaaaaa")  # a client-chosen id
    assert store.sessions.count_messages("portal-42") == 0
    store.dispose()


def test_migrations_round_trip(store_url: str) -> None:
    engine = make_engine(store_url)
    inspector = sa.inspect(engine)
    for table in metadata.sorted_tables:  # the code's declarations match the migrations' head
        migrated = {c["name"]: c["nullable"] for c in inspector.get_columns(table.name)}
        assert migrated == {c.name: c.nullable for c in table.columns}, table.name
    assert current_revision(engine) == head_revision() == "0007"
    store = Store.open(store_url)
    session = store.sessions.open(None)
    fact = {"field": "maturity.level", "value": 2, "said": "成熟度二级"}
    store.sessions.record_turn(
        session, TurnWrite("问", "答", {"maturity": {"level": 2}}, record("c1", session), [fact])
    )
    assert store.sessions.facts(session) == [fact]
    assert store.changes.generation() == 0
    assert store.changes.record("notice", "retire", "key-1", {"note": "到期"}) == 1
    assert store.changes.recent()[0]["detail"] == {"note": "到期"}
    assert store.changes.generation() == 1
    token = store.logins.open("key-1", False, 60.0)
    assert store.logins.identify(token, 60.0) is not None
    store.dispose()
    assert downgrade(engine, "0006") == "0006"
    assert "logins" not in sa.inspect(engine).get_table_names()
    assert downgrade(engine, "0005") == "0005"
    assert "owner" not in {c["name"] for c in sa.inspect(engine).get_columns("sessions")}
    assert downgrade(engine, "0004") == "0004"
    assert "corpus_generation" not in sa.inspect(engine).get_table_names()
    assert downgrade(engine, "0003") == "0003"
    assert not {"corpus_changes", "answer_reviews"} & set(sa.inspect(engine).get_table_names())
    assert downgrade(engine, "0002") == "0002"
    assert "facts" not in sa.inspect(engine).get_table_names()
    assert downgrade(engine, "0001") == "0001"
    assert "answers" not in sa.inspect(engine).get_table_names()
    assert downgrade(engine, "base") is None
    assert not {"sessions", "messages", "answers", "feedback", "facts"} & set(
        sa.inspect(engine).get_table_names()
    )
    assert upgrade(engine) == "0007"
    fresh = Store.open(store_url)
    assert fresh.sessions.count_messages() == 0 and fresh.sessions.open(None)
    fresh.dispose()
    engine.dispose()


def test_server_database_behind_refuses_to_start(postgres: PostgresServer) -> None:
    url = postgres.create_database()
    with pytest.raises(StoreSchemaError, match=r"空库.*assistant db upgrade"):
        Store.open(url)
    engine = make_engine(url)
    upgrade(engine, "0001")
    with pytest.raises(StoreSchemaError, match=r"当前 0001，需要 0007.*assistant db upgrade"):
        Store.open(url)
    upgrade(engine)
    Store.open(url).dispose()
    engine.dispose()


def test_sqlite_file_from_before_migrations_is_upgraded_in_place(tmp_path: Path) -> None:
    """A data/sessions.db written by the old sqlite3 store keeps its sessions."""
    path = tmp_path / "sessions.db"
    with sqlite3.connect(path) as db:
        db.executescript(
            """CREATE TABLE sessions (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL,
                   profile TEXT NOT NULL DEFAULT '{}');
               CREATE TABLE messages (session_id TEXT NOT NULL REFERENCES sessions(id), seq INTEGER NOT NULL,
                   role TEXT NOT NULL, content TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (session_id, seq));
               CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL,
                   rating INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', created REAL NOT NULL);
               INSERT INTO sessions VALUES ('old', 1, 1, '{"maturity": {"level": 3}}');
               INSERT INTO messages VALUES ('old', 1, 'user', '旧问题', 1);
               INSERT INTO feedback (answer_id, rating, created) VALUES ('x', 4, 1);"""
        )
    store = Store.open(path)
    assert store.sessions.profile("old") == {"maturity": {"level": 3}}
    assert store.sessions.history("old")[0].content == "旧问题"
    store.answers.log(record("d1"))
    assert store.answers.add_feedback("d1", 5) > 0
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT rating FROM feedback_legacy").fetchall() == [(4,)]
    store.dispose()


def test_database_down_is_a_chinese_503(postgres: PostgresServer) -> None:
    url = postgres.url("no_such_database")
    store = Store.open(url)  # starts: sessionless questions must still be answered
    with pytest.raises(StoreUnavailableError, match="会话数据库暂时无法连接") as caught:
        store.sessions.open(None)
    assert caught.value.status_code == 503
    store.dispose()


def test_db_upgrade_command(postgres: PostgresServer, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    url = postgres.create_database()
    env = {**os.environ, "ASSISTANT_DATABASE_URL": url, "ASSISTANT_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> dict:
        # `python -m assistant` from the checkout: the venv's console script would import
        # whichever checkout the venv was installed from, not this one.
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "db", *args, "--json"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)

    assert run("current") == {"current": None, "head": "0007"}
    assert run("upgrade") == {"from": None, "to": "0007"}
    assert run("current") == {"current": "0007", "head": "0007"}
    Store.open(url).dispose()  # now the service may start


def _start_store(path: str) -> None:
    Store.open(Path(path)).sessions.open(None)


def test_workers_starting_together_on_a_fresh_sqlite_file(tmp_path: Path) -> None:
    """`serve --workers 4` on an empty data folder: each worker migrates the same new file at
    once; the write lock makes them take turns instead of failing with `database is locked`."""
    import multiprocessing

    for attempt in range(3):
        path = tmp_path / f"s{attempt}.db"
        workers = [multiprocessing.Process(target=_start_store, args=(str(path),)) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
        assert [w.exitcode for w in workers] == [0] * 4
