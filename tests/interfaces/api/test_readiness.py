"""/readyz reports each dependency and answers 200 only when what serves requests is usable;
rate limits fail soft. Real failures, no mocks: a database or Redis URL on a loopback port where
nothing listens refuses at once, as a crashed server does (a killed and a frozen server are in
tests/system/test_dependency_faults.py)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from assistant.config import Settings
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store
from tests.interfaces.api.test_api import assert_error, make_client
from tests.servers import free_port

READY_FIELDS = {"status", "clauses", "editions", "dense", "llm"}  # what clients rely on


def test_readyz_reports_each_dependency(client: TestClient) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert set(body) >= READY_FIELDS and body["status"] == "ready" and body["clauses"] > 100
    assert body["degraded"] == []
    dependencies = body["dependencies"]
    assert set(dependencies) == {"index", "database", "rate_limit", "llm"}
    assert dependencies["index"]["status"] == "ok" and "140" in dependencies["index"]["detail"]
    assert dependencies["database"] == {
        "status": "ok",
        "backend": "sqlite",
        "detail": "会话数据库可用",
        "ms": dependencies["database"]["ms"],
    }
    assert dependencies["rate_limit"]["status"] == "ok" and dependencies["rate_limit"]["backend"] == "memory"
    assert dependencies["llm"]["status"] == "not_configured"  # never called, configured or not


def test_readyz_with_the_database_down_is_503_with_every_dependency(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    url = f"postgresql+psycopg://assistant@127.0.0.1:{free_port()}/nowhere"
    settings = Settings(_env_file=None, data_dir=tmp_path, database_url=url)  # type: ignore[call-arg]
    service = AssistantService(settings, sparse_retriever, Store.from_settings(settings))
    with make_client(service) as client:
        ready = client.get("/readyz")
        error = assert_error(ready, 503, "store_unavailable")
        assert "会话数据库暂时无法连接" in error["message"]
        dependencies = ready.json()["dependencies"]
        assert dependencies["database"]["status"] == "down"
        assert dependencies["database"]["backend"] == "postgresql"
        assert dependencies["index"]["status"] == "ok" and dependencies["rate_limit"]["status"] == "ok"
        assert "psycopg" not in ready.text and "nowhere" not in ready.text
        # What serves questions without a session is up: they are answered, unsaved.
        plain = client.post("/v1/ask", json={"question": "每个省最多推荐几个项目？"})
        assert plain.status_code == 200 and "session_unsaved" in plain.json()["flags"]
    service.store.dispose()


def test_rate_limits_fall_back_to_memory_when_the_storage_refuses(
    service: AssistantService, caplog: pytest.LogCaptureFixture
) -> None:
    refused = f"redis://127.0.0.1:{free_port()}"
    outages = REGISTRY.get_sample_value("assistant_rate_limit_storage_outages_total") or 0.0
    local = REGISTRY.get_sample_value("assistant_rate_limit_local_total") or 0.0
    keys = {"Authorization": "Bearer portal-key"}
    with (
        make_client(
            service, api_keys="portal-key", rate_limit="3/minute", rate_limit_storage=refused, log_json=False
        ) as client,
        caplog.at_level(logging.WARNING, logger="assistant.api"),
    ):
        statuses = [client.get("/v1/editions", headers=keys).status_code for _ in range(4)]
        ready = client.get("/readyz")
    assert statuses == [200, 200, 200, 429]  # counted in this worker's memory, still enforced
    assert ready.status_code == 200
    assert ready.json()["degraded"] == ["rate_limit"]
    assert ready.json()["dependencies"]["rate_limit"]["status"] == "degraded"
    warnings = [r for r in caplog.records if r.getMessage().startswith("rate-limit storage unavailable")]
    assert len(warnings) == 1  # once per outage, not per request
    assert REGISTRY.get_sample_value("assistant_rate_limit_storage_outages_total") == outages + 1
    assert REGISTRY.get_sample_value("assistant_rate_limit_local_total") == local + 4
    assert REGISTRY.get_sample_value("assistant_rate_limit_storage_degraded") == 1
