"""The service and TestClient most API tests share: the sparse retriever, no LLM, a temp data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from tests.fakes import make_service
from tests.interfaces.api.test_api import make_client


@pytest.fixture()
def service(sparse_retriever: Retriever, tmp_path: Path) -> AssistantService:
    return make_service(sparse_retriever, tmp_path)


@pytest.fixture()
def client(service: AssistantService) -> Iterator[TestClient]:
    with make_client(service) as test_client:
        yield test_client
