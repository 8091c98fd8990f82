"""The OpenAI-compatible endpoint, exercised with the official `openai` client against a live
uvicorn server on 127.0.0.1 (a free port, started and stopped by the tests): existing chat
clients work, and the citations travel with the answer in the text and as a field."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn
from langchain_core.messages import AIMessage

from assistant.interfaces.api.app import create_app
from assistant.interfaces.api.models import MODEL_ID
from assistant.knowledge.retrieval import Retriever
from tests.fakes import ScriptedChatModel, make_service, tool_call
from tests.interfaces.api.test_api import api_settings, make_client
from tests.servers import free_port

API_KEY = "sk-test-assistant-0001"
QUESTION = "每个省最多推荐几个项目？"


@pytest.fixture(scope="module")
def base_url(sparse_retriever: Retriever, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    service = make_service(sparse_retriever, tmp_path_factory.mktemp("openai"))
    app = create_app(api_settings(service.settings, api_keys=API_KEY), service=service, with_ui=False)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/v1"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture()
def client(base_url: str, monkeypatch: pytest.MonkeyPatch) -> openai.OpenAI:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    return openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0, timeout=30)


def extra(model: Any) -> dict[str, Any]:
    return dict(model.model_extra or {})


def test_models_are_listed(client: openai.OpenAI) -> None:
    assert [m.id for m in client.models.list()] == [MODEL_ID]


def test_a_completion_carries_citations_in_the_text_and_as_a_field(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], temperature=0.3, max_tokens=512
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "stop" and choice.message.role == "assistant"
    content = choice.message.content or ""
    assert "20个" in content and "参考条款：" in content
    citations = extra(completion)["citations"]
    assert "notice#二.(二).2" in [c["clause_id"] for c in citations]
    assert all(f"【{c['clause_id']}】" in content.split("参考条款：")[1] for c in citations)
    assert completion.usage is not None and completion.usage.total_tokens > 0
    assert extra(completion)["mode"] == "grounded" and extra(completion)["session"]


def test_streaming_gives_the_same_answer_and_the_citations_at_the_end(client: openai.OpenAI) -> None:
    whole = client.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}])
    chunks = list(
        client.chat.completions.create(
            model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    assert len(chunks) > 4
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert [c["clause_id"] for c in extra(last)["citations"]] == [
        c["clause_id"] for c in extra(whole)["citations"]
    ]


def test_usage_comes_last_when_asked_for(client: openai.OpenAI) -> None:
    chunks = list(
        client.chat.completions.create(
            model=MODEL_ID,
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert (
        chunks[-1].choices == [] and chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0
    )
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_a_session_continues_through_extra_body(client: openai.OpenAI) -> None:
    first = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": "我们是内蒙古的有色金属分公司"}]
    )
    session = extra(first)["session"]
    second = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": "能报卓越级吗？"}],
        extra_body={"session": session},
    )
    fresh = client.chat.completions.create(
        model=MODEL_ID, messages=[{"role": "user", "content": "能报卓越级吗？"}]
    )
    assert extra(second)["session"] == session and extra(fresh)["session"] != session
    # 内蒙古 was said in the first turn only: its forwarding notice applies in the session, not outside it
    assert "【nmg#" in (second.choices[0].message.content or "")
    assert "【nmg#" not in (fresh.choices[0].message.content or "")


def test_multi_part_user_content_is_read(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL_ID,
        messages=[{"role": "user", "content": [{"type": "text", "text": "企业网上申报最晚哪天？"}]}],
    )
    assert "2024年11月22日" in (completion.choices[0].message.content or "")


def test_a_wrong_key_is_an_authentication_error_with_the_chinese_message(
    base_url: str, client: openai.OpenAI
) -> None:
    wrong = openai.OpenAI(base_url=base_url, api_key="sk-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as info:
        wrong.chat.completions.create(model=MODEL_ID, messages=[{"role": "user", "content": QUESTION}])
    error = (
        info.value.body["error"]
        if isinstance(info.value.body, dict) and "error" in info.value.body
        else info.value.body
    )
    assert error["code"] == "unauthorized" and "API 密钥" in error["message"]
    assert info.value.response.headers["X-Request-ID"] == error["request_id"]


def test_a_request_without_a_user_message_is_unprocessable(client: openai.OpenAI) -> None:
    with pytest.raises(openai.UnprocessableEntityError) as info:
        client.chat.completions.create(model=MODEL_ID, messages=[{"role": "system", "content": "你好"}])
    assert "用户消息" in json.dumps(info.value.body, ensure_ascii=False)


def test_a_streamed_answer_is_guarded_before_it_is_sent(sparse_retriever: Retriever, tmp_path: Path) -> None:
    llm = ScriptedChatModel(
        replies=[
            tool_call("get_clause", {"clause_id": "kpi#12"}),
            AIMessage("指标见【kpi#12】，另见【kpi#99】。"),
        ]
    )
    body = {"messages": [{"role": "user", "content": "供应商交付指标"}], "stream": True}
    with make_client(make_service(sparse_retriever, tmp_path, llm)) as test_client:
        response = test_client.post("/v1/chat/completions", json=body)
    lines = [line[6:] for line in response.text.splitlines() if line.startswith("data: ")]
    assert lines[-1] == "[DONE]"
    chunks = [json.loads(line) for line in lines[:-1]]
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
    # Every sentence is checked before it is sent: the invented id never reaches the client,
    # so no correction is needed; the user is told in the text, clients get the flag.
    assert "kpi#99" not in text and "【更正】" not in text
    assert "【kpi#12】" in text and "（说明：已删去1处无效的条款引用。）" in text and "参考条款：" in text
    assert [c["clause_id"] for c in chunks[-1]["citations"]] == ["kpi#12"]
    assert "invalid_citations_removed" in chunks[-1]["flags"]
