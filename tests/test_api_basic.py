"""The API's first routes: search, clauses, editions, health, and the one error shape."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.api import create_app
from assistant.config import Settings
from assistant.retrieval import Retriever


@pytest.fixture()
def client(sparse_retriever: Retriever, settings: Settings) -> TestClient:
    with TestClient(create_app(settings, sparse_retriever)) as test_client:
        yield test_client


def test_search_returns_contract_hits(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "分公司能申报卓越级吗", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "分公司能申报卓越级吗"
    assert body["hits"][0]["clause_id"] == "notice#二.(一).1"
    assert response.headers["X-Request-ID"]


def test_clause_lookup_and_unknown_clause_404_in_error_shape(client: TestClient) -> None:
    assert (
        client.get("/v1/clauses/kpi#12".replace("#", "%23")).json()["text"].startswith("12.供应商准时交付率")
    )
    response = client.get("/v1/clauses/kpi%2399")
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "http_404" and "kpi#99" in error["message"] and error["request_id"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"q": ""}, "q"), ({"q": "x", "k": 99}, "k"), ({"q": "x", "edition": "1999"}, "1999")],
)
def test_bad_search_requests_get_chinese_422(client: TestClient, params: dict, fragment: str) -> None:
    response = client.get("/v1/search", params=params)
    assert response.status_code == 422
    error = response.json()["error"]
    assert fragment in error["message"] and "Traceback" not in error["message"]


def test_health_ready_editions_and_home_page(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"
    assert client.get("/v1/editions").json() == {"editions": ["2024", "2025"]}
    assert "智能工厂申报助手" in client.get("/").text


def test_unknown_route_is_404_in_error_shape(client: TestClient) -> None:
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["error"]["message"] == "找不到请求的资源"
