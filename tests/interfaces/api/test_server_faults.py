"""A broken file of the server's own is the server's fault: 5xx `rules_invalid` / `corpus_invalid`
with a Chinese message naming the file, never a 422 asking the caller to fix a request that was
fine. Bad input keeps its 4xx codes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.config import REPO_ROOT, Settings
from assistant.errors import CorpusInvalidError
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from assistant.store import Store
from tests.interfaces.api.test_api import assert_error, make_client
from tests.profiles import EXCELLENT


def _corpus_copy(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    return corpus


def _service(corpus: Path, retriever: Retriever, tmp_path: Path) -> AssistantService:
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data")
    return AssistantService(settings, retriever, Store.open(tmp_path / "s.db"))


def test_a_broken_rules_file_is_a_server_fault_not_a_bad_request(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    corpus = _corpus_copy(tmp_path)
    (corpus / "rules" / "2023.yaml").write_text("edition: [unclosed", encoding="utf-8")
    with make_client(_service(corpus, sparse_retriever, tmp_path)) as client:
        broken = client.post("/v1/check", params={"edition": "2023"}, json=EXCELLENT)
        error = assert_error(broken, 500, "rules_invalid")
        assert "2023.yaml" in error["message"]
        # The held round still answers, and a bad profile is still the caller's to fix.
        assert client.post("/v1/check", params={"edition": "2024"}, json=EXCELLENT).status_code == 200
        assert_error(client.post("/v1/check", json={"maturity": {"level": 9}}), 422)


def test_a_broken_data_file_stops_the_service_naming_the_file(
    sparse_retriever: Retriever, tmp_path: Path
) -> None:
    corpus = _corpus_copy(tmp_path)
    (corpus / "data" / "intents.yaml").write_text("intents: [unclosed", encoding="utf-8")
    with pytest.raises(CorpusInvalidError, match=r"intents\.yaml") as raised:
        _service(corpus, sparse_retriever, tmp_path)
    assert (raised.value.code, raised.value.status_code) == ("corpus_invalid", 500)
