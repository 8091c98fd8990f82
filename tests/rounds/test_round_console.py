"""The operator console's rounds over HTTP: each round's documents and values with their clauses
and validation; a new round's rules file previewed (validation, changes, a sample verdict),
refused with a Chinese message when it does not trace to its documents (nothing changes), and
once uploaded answered by from the next question on, with no restart and no code change."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.knowledge.index import load_index
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService
from tests.fakes import migrated_store
from tests.interfaces.api.test_admin import OP, client_for, snapshot
from tests.rounds import constructed

RULES = f"rules/{constructed.YEAR}.yaml"


@pytest.fixture()
def staged(tmp_path: Path) -> tuple[AssistantService, TestClient, bytes]:
    """A library holding the constructed round's documents but not yet its rules file."""
    corpus = constructed.build_round(tmp_path / "corpus")
    rules = (corpus / RULES).read_bytes()
    (corpus / RULES).unlink()
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path / "data", chroma_url=None)
    index, _ = load_index(settings, dense=False)
    service = AssistantService(settings, Retriever(index), migrated_store(tmp_path / "s.db"))
    return service, client_for(service), rules


def post_rules(client: TestClient, data: bytes, query: str = "", **form: str) -> object:
    return client.post(
        f"/v1/admin/rounds{query}", headers=OP, files={"file": ("rules.yaml", data)}, data=form
    )


def test_a_round_is_shown_with_its_documents_values_and_validation(
    staged: tuple[AssistantService, TestClient, bytes],
) -> None:
    _, client, _ = staged
    rounds = client.get("/v1/admin/rounds", headers=OP).json()["rounds"]
    assert [(r["edition"], r["valid"]) for r in rounds] == [("2024", True)]
    assert {d["doc_id"] for d in rounds[0]["documents"]} >= {"notice", "conditions", "nmg"}
    shown = client.get("/v1/admin/rounds/2024", headers=OP).json()
    online = next(v for v in shown["values"] if v["label"].startswith("截止日期：申报主体"))
    assert online["value"] == "2024年11月22日" and online["clause_ids"] == ["notice#二.(二).1"]
    missing = client.get("/v1/admin/rounds/2077", headers=OP)
    assert missing.status_code == 404 and "没有 2077 年度的规则文件" in missing.json()["error"]["message"]


def test_preview_validates_compares_and_judges_a_sample_without_writing(
    staged: tuple[AssistantService, TestClient, bytes],
) -> None:
    service, client, rules = staged
    before = snapshot(service.settings.corpus_dir)
    sample = json.dumps({"maturity": {"level": 2}, "enterprise": {"above_designated_size": True}})
    preview = post_rules(client, rules, "?preview=true", profile=sample)
    assert preview.status_code == 200, preview.text  # type: ignore[attr-defined]
    body = preview.json()  # type: ignore[attr-defined]
    assert body["edition"] == constructed.YEAR and body["valid"] and body["committed"] is False
    assert body["compared_with"] == "2024"
    assert {"label": "先进级：成熟度等级", "before": "二级", "after": "三级"} in body["changes"]
    assert body["verdict"]["先进级"] == "不满足"
    assert snapshot(service.settings.corpus_dir) == before


def test_a_rules_file_that_does_not_trace_to_its_documents_is_refused_and_nothing_changes(
    staged: tuple[AssistantService, TestClient, bytes],
) -> None:
    service, client, rules = staged
    before = snapshot(service.settings.corpus_dir)
    foreign = rules.decode("utf-8").replace("notice2099#二.(二).2", "notice#二.(二).2").encode("utf-8")
    refused = post_rules(client, foreign)
    assert refused.status_code == 422  # type: ignore[attr-defined]
    error = refused.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "round_invalid" and "notice#二.(二).2 不属于本轮的文件" in error["message"]
    assert "文件库未改动" in error["message"]
    for junk in (b"edition: [unclosed", "不是规则".encode("gbk"), b"- just\n- a list\n"):
        response = post_rules(client, junk)
        assert response.status_code == 422 and "文件库未改动" in response.json()["error"]["message"]  # type: ignore[attr-defined]
    assert snapshot(service.settings.corpus_dir) == before
    assert client.get("/v1/admin/changes", headers=OP).json()["changes"] == []


def test_an_uploaded_round_answers_from_the_next_question_and_is_recorded(
    staged: tuple[AssistantService, TestClient, bytes],
) -> None:
    service, client, rules = staged
    day = dt.date(2099, 9, 1)
    done = post_rules(client, rules)
    assert done.status_code == 201, done.text  # type: ignore[attr-defined]
    assert (service.settings.corpus_dir / RULES).read_bytes() == rules
    answer = service.ask("企业线上申报截止时间？", as_of=day)
    assert "2099年10月15日" in answer.lead and "2024年11月22日" not in answer.answer
    log = client.get("/v1/admin/changes", headers=OP).json()["changes"]
    assert [(c["doc_id"], c["action"]) for c in log] == [(f"rules/{constructed.YEAR}", "upload")]
    assert log[0]["who"].startswith("key-")
    again = post_rules(client, rules)
    assert again.status_code == 409  # type: ignore[attr-defined]
    assert post_rules(client, rules, "?replace=true").status_code == 200  # type: ignore[attr-defined]
