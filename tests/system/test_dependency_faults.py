"""Dependencies fail soft and /readyz tells the truth, against real servers (tests/servers.py):
a Redis killed mid-run (rate limits fall back to worker memory, and come back), and a Postgres
frozen with SIGSTOP (its kernel still acknowledges TCP, so nothing but the client's own clock can
tell it is gone)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from assistant.config import Settings
from assistant.interfaces.api.app import create_app
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store, make_engine, upgrade
from tests.servers import PostgresServer, RedisServer, have_redis

pytestmark = pytest.mark.servers

INNER_MONGOLIA = "我们是内蒙古自治区的有色金属企业，智能制造能力成熟度三级，能申报卓越级吗？"
PLAIN = "每个省最多推荐几个项目？"


class Timed:
    """A request run in a thread of its own, so that one held by a frozen server cannot hang
    the test: `wait` gives it a time limit, `result` collects it once the server is thawed."""

    def __init__(self, call: Callable[[], httpx.Response]) -> None:
        self.response: httpx.Response | None = None
        self.seconds = float("inf")
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], httpx.Response]) -> None:
        started = time.perf_counter()
        self.response = call()
        self.seconds = time.perf_counter() - started

    def wait(self, limit: float) -> Timed:
        self._thread.join(limit)
        return self

    def result(self) -> tuple[httpx.Response, float]:
        """The response and the seconds it took, waiting for it if need be (a request still
        running after its `wait` took longer than that limit: its seconds say by how much)."""
        self._thread.join(60)
        assert self.response is not None, "no answer even after the server was thawed"
        return self.response, self.seconds


def sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


# -- Redis killed mid-run -------------------------------------------------------------------


@pytest.fixture()
def own_redis() -> Iterator[RedisServer]:
    """A server of this test's own: it is killed and started again."""
    if not have_redis():
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    yield server
    server.close()


def test_a_redis_killed_mid_run_costs_shared_limits_not_requests(
    own_redis: RedisServer, sparse_retriever: Retriever, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        data_dir=tmp_path,
        chroma_url=None,
        api_keys="portal-key",
        rate_limit="6/minute",
        rate_limit_storage=own_redis.url,
        rate_limit_retry_seconds=1.0,
        log_json=False,
    )
    service = AssistantService(settings, sparse_retriever, Store.from_settings(settings))
    portal = {"Authorization": "Bearer portal-key"}
    shared = redis.Redis.from_url(own_redis.url)
    outages, local = (
        sample("assistant_rate_limit_storage_outages_total"),
        sample("assistant_rate_limit_local_total"),
    )
    app = create_app(service=service, with_ui=False)
    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.INFO):
        assert [client.get("/v1/editions", headers=portal).status_code for _ in range(2)] == [200, 200]
        assert shared.keys("LIMITS*")  # counted in Redis
        assert client.get("/readyz").status_code == 200

        own_redis.kill()
        started = time.perf_counter()
        statuses = [client.get("/v1/editions", headers=portal).status_code for _ in range(7)]
        seconds = time.perf_counter() - started
        assert statuses == [200] * 6 + [429], statuses  # still limited, in this worker's memory
        assert seconds < 2.0, seconds
        ready, ready_seconds = Timed(lambda: client.get("/readyz")).wait(3.0).result()
        assert ready.status_code == 200 and ready_seconds < 2.5
        assert ready.json()["degraded"] == ["rate_limit"]
        assert ready.json()["dependencies"]["rate_limit"]["status"] == "degraded"
        assert ready.json()["dependencies"]["rate_limit"]["backend"] == "redis"
        down = [r for r in caplog.records if r.getMessage().startswith("rate-limit storage unavailable")]
        assert len(down) == 1 and down[0].levelno == logging.WARNING  # once per outage
        assert sample("assistant_rate_limit_storage_outages_total") == outages + 1
        assert sample("assistant_rate_limit_local_total") >= local + 7
        assert sample("assistant_rate_limit_storage_degraded") == 1

        own_redis.start()  # same port, empty
        time.sleep(1.1)  # the retry interval
        assert client.get("/v1/editions", headers=portal).status_code == 200
        assert shared.keys("LIMITS*")  # counted in Redis again
        ready = client.get("/readyz").json()
        assert ready["degraded"] == [] and ready["dependencies"]["rate_limit"]["status"] == "ok"
        assert any(r.getMessage().startswith("rate-limit storage answers again") for r in caplog.records)
        assert sample("assistant_rate_limit_storage_degraded") == 0
    shared.close()
    service.store.dispose()


# -- Postgres frozen (SIGSTOP) --------------------------------------------------------------


def test_a_frozen_postgres_holds_no_question_without_a_session(
    own_postgres: PostgresServer,
    sparse_retriever: Retriever,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = own_postgres.create_database()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    settings = Settings(_env_file=None, data_dir=tmp_path, chroma_url=None, database_url=url, log_json=False)  # type: ignore[call-arg]
    service = AssistantService(settings, sparse_retriever, Store.from_settings(settings))
    with TestClient(create_app(service=service, with_ui=False), raise_server_exceptions=False) as client:
        first = client.post("/v1/ask", json={"question": INNER_MONGOLIA}).json()
        session = first["session"]
        assert "session_unsaved" not in first["flags"]
        assert client.get("/readyz").status_code == 200
        with own_postgres.frozen(), caplog.at_level(logging.WARNING, logger="assistant.service"):
            asked = Timed(lambda: client.post("/v1/ask", json={"question": PLAIN})).wait(2.0)
            checked = Timed(lambda: client.get("/readyz")).wait(3.0)
            named = Timed(lambda: client.post("/v1/ask", json={"question": "还缺什么？", "session": session}))
            named.wait(5.0)
        # Thawed (SIGCONT): collect what was asked while frozen, then judge it.
        plain, seconds = asked.result()
        assert plain.status_code == 200 and seconds < 2.0, seconds
        assert "session_unsaved" in plain.json()["flags"] and "【" in plain.json()["answer"]
        ready, seconds = checked.result()
        assert ready.status_code == 503 and seconds < 3.0, seconds
        assert ready.json()["error"]["code"] == "store_unavailable"
        assert ready.json()["dependencies"]["database"]["status"] == "down"
        assert ready.json()["dependencies"]["index"]["status"] == "ok"
        turn, seconds = named.result()
        assert turn.status_code == 503 and seconds < 5.0, seconds
        error = turn.json()["error"]
        assert error["code"] == "store_unavailable" and "会话数据库暂时没有响应" in error["message"]
        unsaved_id = plain.json()["answer_id"]
        warning = next(r for r in caplog.records if r.getMessage().startswith("turn not recorded"))
        assert warning.answer_id == unsaved_id and PLAIN not in str(warning.__dict__)  # type: ignore[attr-defined]

        # Everything recovers without a restart, and nothing flagged unsaved was saved after all.
        deadline = time.monotonic() + 10
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "not ready again 10 s after SIGCONT"
            time.sleep(0.2)
        resumed = client.post("/v1/ask", json={"question": "还缺什么？", "session": session})
        assert resumed.status_code == 200
        assert resumed.json()["profile"]["enterprise"]["province"] == "内蒙古自治区"
        again = client.post("/v1/ask", json={"question": PLAIN}).json()
        assert "session_unsaved" not in again["flags"]
        assert service.store.answers.get(unsaved_id) is None
        assert service.store.answers.get(again["answer_id"]) is not None
    service.store.dispose()
