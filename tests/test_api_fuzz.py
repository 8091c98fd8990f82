"""Schemathesis over the OpenAPI document: generated requests for every operation, bounded so the
file runs in well under a minute on two cores. Whatever is sent, the API answers without a 5xx,
with a documented status code and content type, and a body matching its schema (the error
shape included).

The schema is loaded when the module is imported (schemathesis parametrizes one test per
operation from it); the service behind the app, BM25-only and in a temporary data folder, is
built by a module fixture before the first case runs.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.config import Settings
from assistant.interfaces.api.app import create_app
from tests.test_api import api_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DATA_DIR = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
app = create_app(
    api_settings(
        Settings(data_dir=DATA_DIR, dense_weight=0.0, llm_base_url=None, llm_model=None), log_level="WARNING"
    ),
    with_ui=False,
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module", autouse=True)
def loaded_service() -> Iterator[None]:
    app.state.services.get()
    yield
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_errors_and_responses_match_the_schema(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)
