"""End to end over HTTP: the real langchain-openai client (streaming, tool calls) against a small
scripted OpenAI-compatible server this test starts on 127.0.0.1, so the production path is used."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from assistant.config import Settings
from assistant.knowledge.retrieval import Retriever
from assistant.service import AssistantService, make_llm
from assistant.store import Store


class ScriptedOpenAI(BaseHTTPRequestHandler):
    """First request: a streamed tool call to search_clauses. Later: a streamed answer citing the
    first clause the tool returned (read from the request, as a real model would)."""

    requests: ClassVar[list[dict[str, Any]]] = []

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        assert body["stream"] is True
        tool_results = [m for m in body["messages"] if m["role"] == "tool"]
        if not tool_results:
            deltas = [
                {
                    "role": "assistant",
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "function": {"name": "search_clauses", "arguments": ""},
                        }
                    ],
                },
                {"tool_calls": [{"index": 0, "function": {"arguments": '{"query": "分支机构'}}]},
                {"tool_calls": [{"index": 0, "function": {"arguments": ' 申报"}'}}]},
            ]
            finish = "tool_calls"
        else:
            first = json.loads(tool_results[-1]["content"])[0]["clause_id"]
            text = f"法人的分支机构只有石油石化、有色金属等特殊行业可以申报【{first}】。"
            deltas = [{"role": "assistant", "content": ""}] + [
                {"content": text[i : i + 6]} for i in range(0, len(text), 6)
            ]
            finish = "stop"
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        for i, delta in enumerate(deltas):
            chunk = {
                "id": "c1",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": body["model"],
                "choices": [
                    {"index": 0, "delta": delta, "finish_reason": finish if i == len(deltas) - 1 else None}
                ],
            }
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.write(b"data: [DONE]\n\n")


@pytest.fixture()
def openai_server() -> Iterator[str]:
    ScriptedOpenAI.requests = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedOpenAI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1"
    server.shutdown()


def test_real_openai_client_streams_tool_calls_and_answer(
    openai_server: str, sparse_retriever: Retriever, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path, llm_base_url=openai_server, llm_model="scripted-qwen", llm_api_key="k"
    )
    llm = make_llm(settings)
    assert llm is not None
    service = AssistantService(settings, sparse_retriever, Store.open(tmp_path / "s.db"), llm=llm)
    answer = service.ask("我们是分公司，能报卓越级吗？")
    assert answer.mode == "llm"
    assert "【notice#二.(一).1】" in answer.answer
    assert [c.clause_id for c in answer.citations] == ["notice#二.(一).1"]
    first, second = ScriptedOpenAI.requests
    assert {t["function"]["name"] for t in first["tools"]} >= {
        "search_clauses",
        "get_clause",
        "check_eligibility",
    }
    assert second["messages"][-1]["role"] == "tool"
    assert first["messages"][0]["role"] == "system" and "【条款编号】" in first["messages"][0]["content"]


def test_unreachable_endpoint_falls_back_to_grounded(sparse_retriever: Retriever, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_timeout=2)
    service = AssistantService(
        settings, sparse_retriever, Store.open(tmp_path / "s.db"), llm=make_llm(settings)
    )
    answer = service.ask("每个省能推荐几个项目")
    assert answer.mode == "grounded" and "llm_fallback" in answer.flags
