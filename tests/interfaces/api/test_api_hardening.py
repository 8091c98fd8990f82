"""Issue #19, API items: invalid Unicode is a 422, one status and code per fault on every route,
feedback only for answers we gave (one vote per key), /docs offline, and the UI behind keys."""

from __future__ import annotations

import io
import re
import sqlite3
import sys
import types
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from assistant.config import REPO_ROOT
from assistant.interfaces.api.app import create_app
from assistant.service import AssistantService
from tests.interfaces.api.test_api import api_settings, assert_error, make_client

KEY = "k-ui-3e9d1f"
SPEC = (REPO_ROOT / "examples" / "draft_spec.json").read_text(encoding="utf-8")


# -- invalid Unicode -------------------------------------------------------------------------------

SURROGATE_BODIES = {
    "/v1/ask": b'{"question": "\\ud800"}',
    "/v1/feedback": b'{"answer_id": "a1", "rating": 5, "comment": "\\udfff"}',
    "/v1/chat/completions": b'{"messages": [{"role": "user", "content": "\\ud800"}]}',
    "/v1/draft": b'{"enterprise": "\\ud83d", "project_name": "x"}',
    "/v1/check": b'{"enterprise": {"province": "\\ud800"}}',
    "/v1/review": b'{"text": "\\ud800"}',
}


@pytest.mark.parametrize("path", list(SURROGATE_BODIES))
def test_a_lone_surrogate_is_a_422_in_the_error_shape(client: TestClient, path: str) -> None:
    response = client.post(path, content=SURROGATE_BODIES[path], headers={"Content-Type": "application/json"})
    error = assert_error(response, 422)
    assert "\ud800" not in error["message"] and "\udfff" not in error["message"]


def test_a_valid_surrogate_pair_is_still_accepted(client: TestClient) -> None:
    body = '{"question": "截止日期\\ud83d\\ude00"}'.encode()
    assert (
        client.post("/v1/ask", content=body, headers={"Content-Type": "application/json"}).status_code == 200
    )


# -- one status and code per fault -----------------------------------------------------------------


def test_an_unknown_edition_is_422_unknown_edition_on_every_route(client: TestClient) -> None:
    spec = {**__import__("json").loads(SPEC), "edition": "1999"}
    responses = {
        "ask": client.post("/v1/ask", json={"question": "截止", "edition": "1999"}),
        "search": client.get("/v1/search", params={"q": "截止", "edition": "1999"}),
        "check": client.post("/v1/check", params={"edition": "1999"}, json={}),
        "scenarios": client.get("/v1/scenarios", params={"edition": "1999"}),
        "chat": client.post(
            "/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "截止"}], "edition": "1999"},
        ),
        "review": client.post("/v1/review", json={"text": "草稿", "edition": "1999"}),
        "draft": client.post("/v1/draft", json=spec),
    }
    for name, response in responses.items():
        assert "1999" in assert_error(response, 422, "unknown_edition")["message"], name


def test_a_wrong_content_type_is_415_without_a_bytes_repr(client: TestClient) -> None:
    for path in ("/v1/ask", "/v1/check", "/v1/feedback", "/v1/chat/completions", "/v1/draft"):
        response = client.post(path, data={"question": "截止"})
        message = assert_error(response, 415, "unsupported_media_type")["message"]
        assert "b'" not in message and "question" not in message
    assert_error(
        client.post("/v1/review", content=b"x", headers={"Content-Type": "text/csv"}),
        415,
        "unsupported_media_type",
    )


@pytest.mark.parametrize("path", ["/v1/ask", "/v1/search", "/v1/nope", "/healthz", "/", "/docs"])
def test_trace_and_invented_methods_are_405(client: TestClient, path: str) -> None:
    for method in ("TRACE", "FOO"):
        response = client.request(method, path)
        if path == "/v1/nope" and method == "TRACE":
            assert_error(response, 404)  # no such resource, whatever the method
            continue
        assert_error(response, 405, "http_405")
        assert response.headers["Allow"]


def test_the_openapi_document_lists_the_held_editions(client: TestClient, service: AssistantService) -> None:
    doc = client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]

    def enum(schema: dict[str, Any]) -> list[str]:
        return next(b["enum"] for b in [schema, *schema.get("anyOf", [])] if "enum" in b)

    corpus, scenarios = service.editions(), sorted(service.catalog.editions)
    assert enum(schemas["AskRequest"]["properties"]["edition"]) == corpus
    assert enum(schemas["ChatCompletionRequest"]["properties"]["edition"]) == corpus
    assert enum(schemas["DraftSpec"]["properties"]["edition"]) == scenarios
    params = {
        (path, p["name"]): p["schema"]
        for path, ops in doc["paths"].items()
        for op in ops.values()
        for p in op.get("parameters", [])
    }
    assert enum(params[("/v1/search", "edition")]) == corpus
    assert enum(params[("/v1/check", "edition")]) == service.rule_editions()
    assert enum(params[("/v1/scenarios", "edition")]) == scenarios
    review = doc["paths"]["/v1/review"]["post"]["requestBody"]["content"]
    assert enum(review["multipart/form-data"]["schema"]["properties"]["edition"]) == scenarios
    assert enum(review["application/json"]["schema"]["properties"]["edition"]) == scenarios


# -- feedback only for answers we gave -------------------------------------------------------------


def _rows(service: AssistantService) -> list[tuple[Any, ...]]:
    with sqlite3.connect(service.store.db.path) as db:
        return db.execute("SELECT answer_id, key, rating, comment FROM feedback ORDER BY id").fetchall()


def test_feedback_for_an_unknown_answer_is_404(client: TestClient, service: AssistantService) -> None:
    response = client.post("/v1/feedback", json={"answer_id": "0" * 32, "rating": 5})
    assert_error(response, 404, "not_found")
    assert _rows(service) == []


def test_a_second_vote_replaces_the_first_per_key(service: AssistantService) -> None:
    other = "k-other-9a2c"
    with make_client(service, api_keys=f"{KEY},{other}") as client:
        auth, auth2 = {"Authorization": f"Bearer {KEY}"}, {"X-API-Key": other}
        answer_id = client.post("/v1/ask", json={"question": "截止日期"}, headers=auth).json()["answer_id"]
        first = client.post("/v1/feedback", json={"answer_id": answer_id, "rating": 1}, headers=auth)
        again = client.post(
            "/v1/feedback", json={"answer_id": answer_id, "rating": 5, "comment": "改"}, headers=auth
        )
        assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
        assert (
            client.post("/v1/feedback", json={"answer_id": answer_id, "rating": 3}, headers=auth2).status_code
            == 201
        )
    rows = _rows(service)
    assert len(rows) == 2 and (answer_id, 5, "改") == (rows[0][0], rows[0][2], rows[0][3])
    assert rows[1][2] == 3 and rows[0][1] != rows[1][1]


def test_without_keys_votes_are_anonymous_and_replaced(client: TestClient, service: AssistantService) -> None:
    answer_id = client.post("/v1/ask", json={"question": "截止日期"}).json()["answer_id"]
    for rating in (2, 4):
        assert client.post("/v1/feedback", json={"answer_id": answer_id, "rating": rating}).status_code == 201
    assert _rows(service) == [(answer_id, "anonymous", 4, "")]


# -- /docs offline ---------------------------------------------------------------------------------


def test_docs_reference_no_outside_host(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", page.text) + re.findall(
        r"https?://[^\s'\"<>]+", page.text
    )
    assert urls and all(not re.match(r"(https?:)?//", u) for u in urls), urls
    for asset in re.findall(r"""(?:src|href)\s*=\s*["'](/[^"']+)""", page.text):
        assert client.get(asset).status_code == 200, asset
    assert client.get("/redoc").status_code == 404  # ReDoc has no offline bundle: not served


# -- the web UI behind keys ------------------------------------------------------------------------


def _fake_ui(monkeypatch: pytest.MonkeyPatch) -> list[FastAPI]:
    mounted: list[FastAPI] = []

    def mount_ui(app: FastAPI, ui_service: Any) -> None:
        mounted.append(app)
        ui = FastAPI()
        ui.get("/", response_class=PlainTextResponse)(lambda: "gradio here")
        ui.post("/gradio_api/queue/join", response_class=PlainTextResponse)(lambda: "queued")
        app.mount("/", ui)

    monkeypatch.setitem(sys.modules, "assistant.interfaces.ui.app", types.SimpleNamespace(mount_ui=mount_ui))
    return mounted


def _app(service: AssistantService, **settings: Any) -> TestClient:
    app = create_app(api_settings(service.settings, **settings), service=service)
    return TestClient(app, raise_server_exceptions=False)


def test_ui_open_by_default(monkeypatch: pytest.MonkeyPatch, service: AssistantService) -> None:
    _fake_ui(monkeypatch)
    with _app(service, api_keys=KEY) as client:
        assert client.get("/").text == "gradio here"
        assert client.get("/login").status_code == 404


def test_ui_behind_keys(monkeypatch: pytest.MonkeyPatch, service: AssistantService) -> None:
    _fake_ui(monkeypatch)
    with _app(service, api_keys=KEY, ui_access="keys") as client:
        assert "/login" in assert_error(client.get("/"), 401, "unauthorized")["message"]
        assert_error(client.post("/gradio_api/queue/join"), 401)
        assert_error(client.get("/", cookies={"key": "wrong"}), 401)
        assert client.get("/", headers={"Authorization": f"Bearer {KEY}"}).text == "gradio here"
        assert client.get("/", headers={"X-API-Key": KEY}).text == "gradio here"
        login = client.get("/login")
        assert login.status_code == 200 and "密钥" in login.text and "<form" in login.text
        refused = client.post("/login", data={"key": "wrong"}, follow_redirects=False)
        assert refused.status_code == 401 and "密钥无效" in refused.text
        accepted = client.post("/login", data={"key": KEY}, follow_redirects=False)
        assert accepted.status_code == 303 and accepted.headers["location"] == "/"
        cookie = accepted.headers["set-cookie"].lower()
        assert (
            "httponly" in cookie and "max-age" not in cookie and "expires" not in cookie
        )  # a session cookie
        assert client.get("/").text == "gradio here"  # the client kept the cookie
        assert client.post("/gradio_api/queue/join").text == "queued"
        # the API's own paths keep their own rules
        assert client.get("/healthz").status_code == 200 and client.get("/docs").status_code == 200
        # ... and the docs page's own assets load without a key, as the page itself does
        assert client.get("/docs-assets/swagger-ui.css").status_code == 200
        # no page of ours may be framed by another site (clickjacking the UI's buttons)
        page = client.get("/")
        assert page.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_ui_off_serves_the_home_page(monkeypatch: pytest.MonkeyPatch, service: AssistantService) -> None:
    mounted = _fake_ui(monkeypatch)
    with _app(service, ui_access="off") as client:
        assert mounted == []
        page = client.get("/")
        assert page.status_code == 200 and "智能工厂申报助手" in page.text and "gradio" not in page.text


def test_a_wrong_method_on_the_apis_own_paths_is_405_beside_the_mounted_ui(
    monkeypatch: pytest.MonkeyPatch, service: AssistantService
) -> None:
    """The UI's mount at "/" answered PUT /healthz with 404, as if the path did not exist."""
    _fake_ui(monkeypatch)
    with _app(service) as client:
        for method, path, allow in (("PUT", "/healthz", "GET"), ("DELETE", "/openapi.json", "GET, HEAD")):
            response = client.request(method, path)
            assert_error(response, 405, "http_405")
            assert response.headers["Allow"] == allow
        assert client.get("/healthz").status_code == 200


def test_trace_is_405_beside_the_mounted_ui(
    monkeypatch: pytest.MonkeyPatch, service: AssistantService
) -> None:
    _fake_ui(monkeypatch)
    with _app(service) as client:
        for path in ("/v1/ask", "/v1/search", "/", "/elsewhere"):
            response = client.request("TRACE", path)
            assert_error(response, 405, "http_405")
        assert client.request("TRACE", "/v1/ask").headers["Allow"] == "POST"


def test_control_characters_in_a_docx_export_are_a_422(client: TestClient) -> None:
    spec = __import__("json").loads(SPEC)
    spec["scenarios"][0]["instance_name"] = "检测\x1c系统"
    response = client.post("/v1/draft", params={"format": "docx"}, json=spec)
    assert "控制字符" in assert_error(response, 422, "export_error")["message"]


def test_the_xlsx_export_holds_user_text_as_text(client: TestClient) -> None:
    """附件4: a control character XLSX cannot hold is replaced, and text that reads as a formula
    (=, +, -, @) is stored as text, never a live formula."""
    spec = __import__("json").loads(SPEC)
    spec["scenarios"][0]["instance_name"] = "检测\x1c系统"
    spec["enterprise"] = '=HYPERLINK("http://example.invalid","点此")'
    response = client.post("/v1/draft", params={"format": "xlsx"}, json=spec)
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    formula = next(c for c in cells if c.value.startswith("=HYPERLINK"))
    assert formula.data_type == "s" and formula.quotePrefix
    assert any("检测\ufffd系统" in c.value for c in cells)
