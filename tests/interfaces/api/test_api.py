"""The HTTP API route by route: contract shapes, streaming (SSE parsed), drafting and review,
feedback in SQLite, metrics, the one error shape, the UI hook, and two uvicorn workers sharing
sessions. The service is real (BM25-only retriever, grounded mode, or a scripted chat model);
nothing leaves 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import sys
import types
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from langchain_core.messages import AIMessage, BaseMessage

from assistant.config import REPO_ROOT, Settings
from assistant.interfaces.api.app import create_app
from assistant.interfaces.api.deps import get_service
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store
from tests.fakes import ScriptedChatModel, make_service, tool_call
from tests.profiles import EXCELLENT
from tests.servers import AssistantServer

EXAMPLE_SPEC = REPO_ROOT / "examples" / "draft_spec.json"
CLAUSE_ID = re.compile(r"【([^】]+)】")

EXCELLENT_PROFILE = EXCELLENT  # meets 卓越级 and the 2024 application


# -- helpers shared by the other API test files ----------------------------------------------------


def api_settings(base: Settings | None = None, **overrides: Any) -> Settings:
    """`base` (or the defaults) with explicit HTTP-edge values, so the environment or a .env file
    cannot change what a test sees."""
    values: dict[str, Any] = {
        **(base.model_dump() if base is not None else {}),
        "api_keys": "",
        "rate_limit": "",
        "anonymous_rate_limit": "",
        "cors_origins": "",
        "log_json": True,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def make_client(service: AssistantService, **api: Any) -> TestClient:
    app = create_app(api_settings(service.settings, **api), service=service, with_ui=False)
    return TestClient(app, raise_server_exceptions=False)


def parse_sse(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, JSON data) for each event of a text/event-stream body."""
    events = []
    for block in text.split("\n\n"):
        name, data = "message", []
        for line in block.splitlines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_error(response: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message", "request_id"}
    assert is_chinese(error["message"]), error
    assert error["request_id"] == response.headers["X-Request-ID"]
    assert "Traceback" not in response.text and "/work/" not in response.text
    if code is not None:
        assert error["code"] == code
    return error


# -- search, clauses, editions, scenarios ----------------------------------------------------------


def test_search_returns_contract_hits(client: TestClient) -> None:
    response = client.get("/v1/search", params={"q": "分公司能申报卓越级吗", "k": 3})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "分公司能申报卓越级吗"
    assert body["hits"][0]["clause_id"] == "notice#二.(一).1"
    assert {"clause_id", "doc_id", "title", "edition", "text", "score"} <= set(body["hits"][0])
    assert len(body["hits"]) == 3
    assert response.headers["X-Request-ID"]


def test_search_filters_by_edition(client: TestClient) -> None:
    hits = client.get("/v1/search", params={"q": "场景", "k": 10, "edition": "2025"}).json()["hits"]
    assert hits and {h["edition"] for h in hits} == {"2025"}


def test_clause_lookup_and_unknown_clause_404_in_error_shape(client: TestClient) -> None:
    found = client.get("/v1/clauses/kpi%2312").json()
    assert found["text"].startswith("12.供应商准时交付率") and found["score"] is None
    error = assert_error(client.get("/v1/clauses/kpi%2399"), 404, "http_404")
    assert "kpi#99" in error["message"]


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"q": ""}, "q"),
        ({"q": "x", "k": 99}, "k"),
        ({"q": "x", "k": "many"}, "k"),
        ({"q": "x", "edition": "1999"}, "1999"),
        ({}, "q"),
    ],
)
def test_bad_search_requests_get_chinese_422(client: TestClient, params: dict, fragment: str) -> None:
    error = assert_error(client.get("/v1/search", params=params), 422)
    assert fragment in error["message"]


def test_health_ready_editions_and_home_page(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["clauses"] > 100 and ready["llm"] is False
    editions = client.get("/v1/editions").json()
    assert editions["editions"] == ["2024", "2025"]
    assert "2024" in editions["rule_editions"] and "2025" in editions["scenario_editions"]
    assert "智能工厂申报助手" in client.get("/").text


def test_scenarios_list_the_catalog_by_edition(client: TestClient) -> None:
    every = client.get("/v1/scenarios").json()
    assert every["links"] == ["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]
    assert [e["edition"] for e in every["editions"]] == ["2024", "2025"]
    only = client.get("/v1/scenarios", params={"edition": "2025"}).json()["editions"]
    assert len(only) == 1 and only[0]["status"] == "draft" and len(only[0]["scenarios"]) == 40
    assert client.get("/v1/scenarios", params={"edition": "2024"}).json()["editions"][0]["scenarios"] == []
    error = assert_error(client.get("/v1/scenarios", params={"edition": "2030"}), 422, "unknown_edition")
    assert "2030" in error["message"]


def test_unknown_routes_and_wrong_methods_use_the_error_shape(client: TestClient) -> None:
    assert assert_error(client.get("/nope"), 404)["message"] == "找不到请求的资源"
    assert_error(client.get("/v1/nope"), 404)
    wrong = client.get("/v1/ask")
    assert_error(wrong, 405)
    assert wrong.headers["Allow"] == "POST"


# -- ask -------------------------------------------------------------------------------------------


def test_ask_returns_a_cited_answer(client: TestClient, service: AssistantService) -> None:
    response = client.post("/v1/ask", json={"question": "企业网上申报最晚哪天"})
    assert response.status_code == 200
    answer = response.json()
    assert answer["mode"] == "grounded" and "2024年11月22日" in answer["answer"]
    assert {"answer", "mode", "citations", "verdict", "missing_facts", "session"} <= set(answer)
    cited = {c["clause_id"] for c in answer["citations"]}
    assert set(CLAUSE_ID.findall(answer["answer"])) <= cited
    assert all(service.clause(c) is not None for c in cited)


def test_ask_with_a_profile_carries_the_checker_verdict(client: TestClient) -> None:
    body = {"question": "我们能报卓越级吗", "profile": EXCELLENT_PROFILE}
    answer = client.post("/v1/ask", json=body).json()
    assert answer["verdict"]["highest_tier"] == "卓越级"
    assert answer["answer"].startswith("规则核验结论：")


def test_ask_with_a_bad_profile_names_the_field_in_chinese(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "能报吗", "profile": {"maturity": {"level": 9}}})
    error = assert_error(response, 422, "invalid_request")
    assert "maturity.level" in error["message"] and "成熟度" in error["message"] and "9" in error["message"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": "   "}, "问题不能为空"),
        ({"question": "x" * 2001}, "question"),
        ({"question": "截止时间", "edition": "2030"}, "2030"),
        ({"question": "能报吗", "session": "bad id!"}, "session"),
        ({}, "question"),
        ({"question": 3}, "question"),
    ],
)
def test_bad_ask_requests_get_chinese_422(client: TestClient, body: dict, fragment: str) -> None:
    assert fragment in assert_error(client.post("/v1/ask", json=body), 422)["message"]


def test_malformed_json_is_a_chinese_422(client: TestClient) -> None:
    response = client.post("/v1/ask", content=b'{"question": ', headers={"Content-Type": "application/json"})
    assert "JSON" in assert_error(response, 422)["message"]


def test_facts_accumulate_over_a_session(client: TestClient) -> None:
    first = client.post("/v1/ask", json={"question": "我们是内蒙古的有色金属分公司，能报卓越级吗"}).json()
    second = client.post("/v1/ask", json={"question": "我们成熟度是三级", "session": first["session"]}).json()
    assert second["session"] == first["session"]
    assert second["profile"]["enterprise"]["province"] == "内蒙古自治区"
    assert second["profile"]["maturity"]["level"] == 3


def test_ask_streams_tokens_then_a_final_answer(client: TestClient) -> None:
    with client.stream("POST", "/v1/ask", json={"question": "纸质材料寄到哪里", "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())
    names = [name for name, _ in events]
    assert names[-1] == "final" and names.count("token") > 3 and set(names) <= {"token", "notice", "final"}
    final = events[-1][1]["answer"]
    assert "".join(data["text"] for name, data in events if name == "token") == final["answer"]
    assert final["citations"] and "verdict" in final and final["session"]


def test_a_bad_streaming_request_fails_before_the_stream_starts(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": " ", "stream": True})
    assert response.headers["content-type"].startswith("application/json")
    assert_error(response, 422, "retrieval_error")


def _scripted_answer(messages: list[BaseMessage]) -> AIMessage:
    first = json.loads(str(messages[-1].content))[0]["clause_id"]
    return AIMessage(f"分支机构一般不能申报，有色金属等特殊行业除外【{first}】。")


def test_llm_mode_streams_the_models_tokens(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(
        replies=[tool_call("search_clauses", {"query": "分支机构 申报"}), _scripted_answer]
    )
    with make_client(make_service(sparse_retriever, tmp_path, llm)) as client:
        response = client.post("/v1/ask", json={"question": "分公司能报卓越级吗", "stream": True})
    events = parse_sse(response.text)
    final = events[-1][1]["answer"]
    assert final["mode"] == "llm" and [c["clause_id"] for c in final["citations"]] == ["notice#二.(一).1"]
    assert "".join(d["text"] for n, d in events if n == "token") == final["answer"]


def test_llm_failure_falls_back_and_is_counted(sparse_retriever: Retriever, tmp_path: Path) -> None:
    broken = ScriptedChatModel(replies=[AIMessage("x")], fail_with=ConnectionError)
    with make_client(make_service(sparse_retriever, tmp_path, broken)) as client:
        before = _metric(client, "assistant_llm_fallbacks_total")
        answer = client.post("/v1/ask", json={"question": "企业线上申报截止时间"}).json()
        streamed = parse_sse(client.post("/v1/ask", json={"question": "截止时间", "stream": True}).text)
        after = _metric(client, "assistant_llm_fallbacks_total")
    assert answer["mode"] == "grounded" and "llm_fallback" in answer["flags"]
    assert ("notice", {"type": "notice", "text": "大模型暂不可用，已切换为依据条款的直接回答。"}) in streamed
    assert after - before == 2


# -- check -----------------------------------------------------------------------------------------


def test_check_returns_the_checkers_report(client: TestClient) -> None:
    response = client.post("/v1/check", params={"as_of": "2024-11-01"}, json=EXCELLENT_PROFILE)
    assert response.status_code == 200
    report = response.json()
    assert (report["highest_tier"], report["application"]["status"]) == ("卓越级", "met")
    assert report["as_of"] == "2024-11-01" and report["edition"] == "2024"
    assert not any(d["passed"] for d in report["application"]["deadlines"])


def test_check_after_the_deadline_and_with_an_empty_profile(client: TestClient) -> None:
    late = client.post("/v1/check", params={"as_of": "2026-11-25", "edition": "2024"}, json=EXCELLENT_PROFILE)
    assert all(d["passed"] for d in late.json()["application"]["deadlines"])
    empty = client.post("/v1/check", json={}).json()
    assert empty["highest_tier"] is None and empty["gaps"]


@pytest.mark.parametrize(
    ("params", "body", "fragment"),
    [
        ({}, {"maturity": {"level": "三级"}}, "maturity.level"),
        ({}, {"enterprise": {"legal_form": "subsidiary"}}, "independent"),
        ({}, {"basics": {}}, "basics"),
        ({}, ["not", "an", "object"], "请求体"),
        ({"edition": "2030"}, {}, "2030"),
        ({"as_of": "昨天"}, {}, "as_of"),
    ],
)
def test_bad_check_requests_get_chinese_422(
    client: TestClient, params: dict, body: Any, fragment: str
) -> None:
    assert fragment in assert_error(client.post("/v1/check", params=params, json=body), 422)["message"]


# -- draft and review ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return json.loads(EXAMPLE_SPEC.read_text(encoding="utf-8"))


def test_draft_returns_instances_sections_and_markdown(client: TestClient, spec: dict[str, Any]) -> None:
    response = client.post("/v1/draft", json=spec)
    assert response.status_code == 200
    draft = response.json()
    assert draft["enterprise"] == spec["enterprise"] and draft["mode"] == "template"
    assert draft["instances"][0]["line"].count("—") == 2
    assert draft["text"].startswith(f"# {spec['project_name']}") and "markdown" not in draft
    assert {f["severity"] for f in draft["checks"]} <= {"必须修改", "建议修改", "提示"}


@pytest.mark.parametrize(("fmt", "mime"), [("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")])
def test_draft_as_a_file(client: TestClient, spec: dict[str, Any], fmt: str, mime: str) -> None:
    response = client.post(
        "/v1/draft", params={"format": fmt, "recommender": "某省工业和信息化厅"}, json=spec
    )
    assert response.status_code == 200 and mime in response.headers["content-type"]
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    assert zipfile.is_zipfile(io.BytesIO(response.content))


def test_bad_draft_spec_names_the_field(client: TestClient, spec: dict[str, Any]) -> None:
    bad = {**spec, "contact": {"name": "林晓", "mobile": "12345"}}
    assert "手机号" in assert_error(client.post("/v1/draft", json=bad), 422)["message"]
    assert (
        "project_name"
        in assert_error(client.post("/v1/draft", json={"enterprise": "某公司"}), 422)["message"]
    )
    wrong_edition = client.post("/v1/draft", json={**spec, "edition": "2030"})
    assert "2030" in assert_error(wrong_edition, 422, "unknown_edition")["message"]


REVIEW_TEXT = """典型场景实例：
1.生产作业—质量精准追溯—电驱壳体全流程质量追溯
2.生产管理：智能排产
三、智能工厂场景建设情况
四、智能工厂建设成效
产品不良率由2.4%降至0.9%，达到国际领先水平。【待补充：投资额】
"""


def test_review_pasted_text(client: TestClient) -> None:
    response = client.post("/v1/review", json={"text": REVIEW_TEXT, "tier": "卓越级"})
    assert response.status_code == 200
    report = response.json()
    assert report["tier"] == "卓越级" and report["findings"]
    codes = {f["code"] for f in report["findings"]}
    assert {"placeholder_left", "claim_unsupported", "link_coverage"} <= codes
    assert all(f["severity"] in ("必须修改", "建议修改", "提示") for f in report["findings"])


def test_review_uploaded_files(client: TestClient, spec: dict[str, Any]) -> None:
    text = client.post("/v1/review", files={"file": ("申报书.md", REVIEW_TEXT.encode(), "text/markdown")})
    assert text.status_code == 200 and text.json()["file"] == "申报书.md"
    docx = client.post("/v1/draft", params={"format": "docx"}, json=spec).content
    word = client.post(
        "/v1/review",
        files={"file": ("草稿.docx", docx, "application/octet-stream")},
        data={"tier": "卓越级", "edition": "2025"},
    )
    assert word.status_code == 200 and word.json()["instances"]


def test_bad_reviews_are_explained_without_server_paths(client: TestClient) -> None:
    broken = client.post(
        "/v1/review", files={"file": ("坏文件.docx", b"not a zip", "application/octet-stream")}
    )
    assert "坏文件.docx" in assert_error(broken, 422, "draft_file_error")["message"]
    assert "/tmp" not in broken.text
    assert_error(client.post("/v1/review", files={"file": ("a.pdf", b"%PDF", "application/pdf")}), 415)
    assert_error(client.post("/v1/review", content=b"text", headers={"Content-Type": "text/plain"}), 415)
    assert_error(client.post("/v1/review", json={"text": "x", "tier": "超级"}), 422)
    assert_error(client.post("/v1/review", data={"tier": "卓越级"}), 422)
    assert_error(client.post("/v1/review", files={"file": ("空.txt", b"   ", "text/plain")}), 422)


# -- feedback, metrics, request ids ----------------------------------------------------------------


def test_feedback_is_stored_in_sqlite(client: TestClient, service: AssistantService) -> None:
    answer = client.post("/v1/ask", json={"question": "每个省最多推荐几个项目"}).json()
    body = {"answer_id": answer["answer_id"], "rating": 5, "comment": "清楚"}
    response = client.post("/v1/feedback", json=body)
    assert response.status_code == 201 and response.json()["answer_id"] == answer["answer_id"]
    with sqlite3.connect(service.store.db.path) as db:
        rows = db.execute("SELECT answer_id, rating, comment FROM feedback").fetchall()
    assert rows == [(answer["answer_id"], 5, "清楚")]
    assert_error(client.post("/v1/feedback", json={**body, "rating": 9}), 422)


def _metric(client: TestClient, name: str, **labels: str) -> float:
    text = client.get("/metrics").text
    total = 0.0
    for line in text.splitlines():
        same_name = line.split("{")[0].split(" ")[0] == name
        if same_name and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_metrics_count_requests_answers_and_retrieval(client: TestClient) -> None:
    client.get("/v1/search", params={"q": "成熟度"})
    client.post("/v1/ask", json={"question": "每个省最多推荐几个项目"})
    client.get("/v1/clauses/nope")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    route = {"route": "/v1/clauses/{clause_id}", "status": "404"}
    assert _metric(client, "assistant_http_requests_total", **route) >= 1
    assert _metric(client, "assistant_http_request_duration_seconds_count", route="/v1/search") >= 1
    assert _metric(client, "assistant_answers_total", mode="grounded") >= 1
    assert _metric(client, "assistant_retrieval_seconds_count") >= 2  # the search and the answer's


def test_request_ids_are_echoed_or_generated(client: TestClient) -> None:
    given = client.get("/healthz", headers={"X-Request-ID": "portal-123"})
    assert given.headers["X-Request-ID"] == "portal-123"
    forged = client.get("/healthz", headers={"X-Request-ID": "bad\nid" * 20})
    assert re.fullmatch(r"[0-9a-f]{32}", forged.headers["X-Request-ID"])


# -- wiring: readiness, dependency overrides, the UI hook --------------------------------------------


def test_not_ready_until_the_service_is_loaded(sparse_retriever: Retriever, settings: Settings) -> None:
    app = create_app(api_settings(settings), sparse_retriever, with_ui=False)
    cold = TestClient(app)  # no `with`: the lifespan has not run, nothing is loaded
    error = assert_error(cold.get("/readyz"), 503, "not_ready")
    assert cold.get("/readyz").headers["Retry-After"] == "5" and "加载" in error["message"]
    assert cold.get("/healthz").status_code == 200
    with TestClient(app) as warm:
        assert warm.get("/readyz").status_code == 200
        assert warm.get("/v1/search", params={"q": "截止"}).status_code == 200


class _ExplodingService:
    settings = Settings()

    def search(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom at /srv/secret/index.db")


def test_an_unexpected_error_is_a_500_without_internals(client: TestClient) -> None:
    client.app.dependency_overrides[get_service] = lambda: _ExplodingService()  # type: ignore[attr-defined]
    response = client.get("/v1/search", params={"q": "截止"})
    error = assert_error(response, 500, "internal_error")
    assert "boom" not in response.text and "secret" not in response.text and "请求编号" in error["message"]


def test_the_web_ui_is_mounted_when_present(
    monkeypatch: pytest.MonkeyPatch, service: AssistantService
) -> None:
    from fastapi.responses import PlainTextResponse

    calls: list[tuple[FastAPI, Any]] = []

    def mount_ui(app: FastAPI, ui_service: Any) -> None:
        calls.append((app, ui_service))
        ui = FastAPI()
        ui.get("/", response_class=PlainTextResponse)(lambda: "gradio here")
        app.mount("/", ui)

    monkeypatch.setitem(sys.modules, "assistant.interfaces.ui.app", types.SimpleNamespace(mount_ui=mount_ui))
    app = create_app(api_settings(service.settings), service=service)
    assert len(calls) == 1 and calls[0][0] is app
    assert calls[0][1].editions() == ["2024", "2025"]  # a stand-in that reaches the real service
    with TestClient(app) as client:
        assert client.get("/").text == "gradio here"
        assert client.get("/v1/search", params={"q": "截止"}).status_code == 200
        assert_error(client.get("/v1/nope"), 404)  # /v1 stays the API's, even under a "/" mount
        assert_error(client.get("/elsewhere"), 404)  # the mounted app's bare 404, in the one shape
        assert_error(client.post("/"), 405)
    calls.clear()
    create_app(api_settings(service.settings), service=service, with_ui=False)
    assert calls == []


def test_the_real_web_ui_mounts_beside_the_api(sparse_retriever: Retriever, settings: Settings) -> None:
    """assistant/ui.py (Gradio) with the lazily built service: the lifespan still loads it."""
    pytest.importorskip("assistant.interfaces.ui.app")
    app = create_app(api_settings(settings, log_level="WARNING"), sparse_retriever)
    assert app.state.services.peek() is None  # mounting the UI did not build the service
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert client.get("/v1/search", params={"q": "截止"}).json()["hits"]
        assert_error(client.get("/no/such/page"), 404)


def test_openapi_documents_every_route_with_chinese_summaries(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    operations = {(path, method): op for path, item in schema["paths"].items() for method, op in item.items()}
    expected = {
        ("/v1/ask", "post"),
        ("/v1/check", "post"),
        ("/v1/draft", "post"),
        ("/v1/search", "get"),
        ("/v1/clauses/{clause_id}", "get"),
        ("/v1/editions", "get"),
        ("/v1/scenarios", "get"),
        ("/v1/feedback", "post"),
        ("/v1/chat/completions", "post"),
        ("/v1/review", "post"),
        ("/v1/models", "get"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
    }
    assert expected <= set(operations)
    for (path, _), op in operations.items():
        assert is_chinese(op["summary"]), path
        if path.startswith("/v1/"):
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
                "ErrorResponse"
            )
    ask_examples = operations[("/v1/ask", "post")]["requestBody"]["content"]["application/json"]["examples"]
    assert any(is_chinese(json.dumps(e, ensure_ascii=False)) for e in ask_examples.values())
    assert "text/event-stream" in operations[("/v1/ask", "post")]["responses"]["200"]["content"]
    assert set(operations[("/v1/review", "post")]["requestBody"]["content"]) == {
        "application/json",
        "multipart/form-data",
    }
    assert {"Bearer", "ApiKey"} <= set(schema["components"]["securitySchemes"])


# -- two workers sharing sessions --------------------------------------------------------------------


@pytest.mark.servers  # `assistant serve --workers 2`: three processes of the real server
def test_two_workers_share_sessions_through_sqlite(tmp_path: Path) -> None:
    """`assistant serve --workers 2`: turns of one session land on both workers and every turn
    sees the facts of the earlier ones (they live in the shared SQLite file, not in a worker);
    /metrics adds up both workers' counts (Prometheus multiprocess mode)."""
    (tmp_path / "prom").mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "PROMETHEUS_"))},
        "ASSISTANT_DATA_DIR": str(tmp_path),
        "ASSISTANT_DENSE_WEIGHT": "0",  # BM25 only: workers start in about a second
        "ASSISTANT_RATE_LIMIT": "",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
    }
    log_path = tmp_path / "server.log"
    server = AssistantServer(env, tmp_path, log_path, "--workers", "2")
    try:
        server.wait_ready(timeout=60)
        # No keep-alive: each request is a new connection, which either worker may accept.
        no_reuse = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=server.base, limits=no_reuse, timeout=30, trust_env=False) as http:
            first = http.post("/v1/ask", json={"question": "我们是内蒙古的有色金属分公司，能报卓越级吗"})
            session = first.json()["session"]
            ids = {first.headers["X-Request-ID"]}
            for turn in range(40):
                answer = http.post(
                    "/v1/ask", json={"question": f"成熟度是三级，第{turn}次确认", "session": session}
                )
                assert answer.status_code == 200
                assert answer.json()["profile"]["enterprise"]["province"] == "内蒙古自治区"
                ids.add(answer.headers["X-Request-ID"])
                if turn >= 5 and len(_pids_serving(log_path, ids)) == 2:
                    break
            metrics = http.get("/metrics").text
        assert len(_pids_serving(log_path, ids)) == 2, "all turns landed on one worker"
        asks = [
            line
            for line in metrics.splitlines()
            if line.startswith("assistant_http_requests_total{") and 'route="/v1/ask"' in line
        ]
        assert sum(float(line.rsplit(" ", 1)[1]) for line in asks) == len(ids)
        store = Store.open(tmp_path / "sessions.db")
        assert store.sessions.profile(session)["maturity"]["level"] == 3
        assert len(store.sessions.history(session, budget_chars=10**6)) == 2 * len(ids)
    finally:
        server.stop()


def _pids_serving(log_path: Path, request_ids: set[str]) -> set[int]:
    pids = set()
    for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("message") == "request" and entry.get("request_id") in request_ids:
                pids.add(entry["pid"])
    return pids


@pytest.mark.parametrize("query", ["5=5~_~", "后后后后后", "asdfgh", "！！！？？"])
def test_search_that_matches_nothing_says_so(client: TestClient, query: str) -> None:
    body = client.get("/v1/search", params={"q": query}).json()
    assert body["hits"] == [] and body["no_match"] is True
    assert "没有找到相关条款" in body["message"]


def test_search_with_hits_has_no_match_false(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "关键设备数控化率"}).json()
    assert body["hits"] and body["no_match"] is False and body["message"] is None
