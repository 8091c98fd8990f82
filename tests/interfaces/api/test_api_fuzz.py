"""Schemathesis over the OpenAPI document: generated requests for every operation, bounded so the
file runs in well under a minute on two cores. Whatever is sent, the API answers without a 5xx,
with a documented status code and content type, and a body matching its schema (the error
shape included).

The schema is loaded when the module is imported (schemathesis parametrizes one test per
operation from it); the service behind the app, BM25-only and in a temporary data folder, is
built by a module fixture before the first case runs.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.config import Settings
from assistant.interfaces.api.app import create_app
from tests.interfaces.api.test_api import api_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DATA_DIR = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
app = create_app(
    api_settings(
        Settings(data_dir=DATA_DIR, dense_weight=0.0, llm_base_url=None, llm_model=None), log_level="WARNING"
    ),
    with_ui=False,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CLIENT = TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="module", autouse=True)
def loaded_service() -> Iterator[None]:
    app.state.services.get()
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_schema(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


# -- invalid Unicode: lone surrogates (valid JSON, not encodable as UTF-8) and invalid UTF-8 bytes --

JSON_ROUTES = {
    "/v1/ask": lambda s: {"question": s},
    "/v1/feedback": lambda s: {"answer_id": "a1", "rating": 5, "comment": s},
    "/v1/chat/completions": lambda s: {"messages": [{"role": "user", "content": s}], "edition": s},
    "/v1/draft": lambda s: {"enterprise": s, "project_name": s},
    "/v1/check": lambda s: {"enterprise": {"province": s, "industry": s}},
    "/v1/review": lambda s: {"text": s, "edition": s},
}
LONE_SURROGATES = st.characters(categories=["Cs"])
#: Text with at least one lone surrogate somewhere among ordinary characters.
BAD_TEXT = st.tuples(st.text(max_size=8), LONE_SURROGATES, st.text(max_size=8)).map("".join)


def _assert_no_5xx(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message", "request_id"}


@given(path=st.sampled_from(list(JSON_ROUTES)), text=BAD_TEXT)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_lone_surrogates_never_give_a_5xx(path: str, text: str) -> None:
    body = json.dumps(JSON_ROUTES[path](text))  # ensure_ascii: the surrogate travels as \udXXX
    response = CLIENT.post(path, content=body.encode(), headers={"Content-Type": "application/json"})
    _assert_no_5xx(response)
    assert response.status_code == 422


@given(path=st.sampled_from(list(JSON_ROUTES)), raw=st.binary(max_size=24))
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_invalid_utf8_never_gives_a_5xx(path: str, raw: bytes) -> None:
    body = b'{"question": "' + raw + b'", "text": "' + raw + b'"}'
    _assert_no_5xx(CLIENT.post(path, content=body, headers={"Content-Type": "application/json"}))
    _assert_no_5xx(CLIENT.get("/v1/search", params={"q": raw.decode("latin-1") or "x"}))
