"""Deterministic chat models for tests (scripted replies, including tool calls, no network), and a
service built around them, over a store copied from one migrated once per test process."""

from __future__ import annotations

import asyncio
import datetime
import functools
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field

Reply = AIMessage | Callable[[list[BaseMessage]], AIMessage]


def tool_call(name: str, args: dict[str, Any], call_id: str = "call-1") -> AIMessage:
    return AIMessage(
        content="", tool_calls=[{"name": name, "args": args, "id": call_id, "type": "tool_call"}]
    )


class ScriptedChatModel(BaseChatModel):
    """Replies in order; a reply may be a function of the messages so far (to echo tool results).
    Records every request so tests can assert what the model was shown."""

    replies: list[Any]
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    delay: float = 0.0
    fail_with: type[Exception] | None = None

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> ScriptedChatModel:  # type: ignore[override]
        return self

    def _next(self, messages: list[BaseMessage]) -> AIMessage:
        self.seen.append(list(messages))
        if self.fail_with is not None:
            raise self.fail_with("scripted failure")
        reply = self.replies[min(len(self.seen) - 1, len(self.replies) - 1)]
        return reply(messages) if callable(reply) else reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._next(messages))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._next(messages)
        yield from _chunks(message)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        if self.delay:
            await asyncio.sleep(self.delay)
        for chunk in _chunks(self._next(messages)):
            yield chunk


def _chunks(message: AIMessage) -> Iterator[ChatGenerationChunk]:
    if message.tool_calls:
        if message.content:  # text the model writes alongside its tool call
            yield ChatGenerationChunk(message=AIMessageChunk(content=str(message.content)))
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=[
                    {
                        "name": c["name"],
                        "args": __import__("json").dumps(c["args"], ensure_ascii=False),
                        "id": c["id"],
                        "index": i,
                        "type": "tool_call_chunk",
                    }
                    for i, c in enumerate(message.tool_calls)
                ],
            )
        )
        return
    text = str(message.content)
    for start in range(0, len(text), 5):
        yield ChatGenerationChunk(message=AIMessageChunk(content=text[start : start + 5]))


AS_OF = datetime.date(2024, 11, 1)  # before the 2024 deadlines: windows still open


@functools.cache
def _migrated_template() -> Path:
    """An empty SQLite store at the schema's head, migrated once per test process."""
    from assistant.store import Store

    path = Path(tempfile.mkdtemp(prefix="store-template-")) / "s.db"
    Store.open(path).dispose()  # the last connection closed: the WAL is checkpointed into the file
    return path


def migrated_store(path: Path) -> Any:
    """A store in a new SQLite file at `path`, copied from the migrated template: the same as
    Store.open on a fresh file, without running every migration again (~0.05 s, and the tests
    build about two hundred services)."""
    from assistant.store import Store

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_template(), path)
    return Store.open(path)


def make_service(retriever: Any, tmp_path: Any, llm: Any = None, timeout: float = 5.0) -> Any:
    """An AssistantService over the given retriever, sessions under tmp_path, a fixed today."""
    from assistant.config import Settings
    from assistant.service import AssistantService

    settings = Settings(data_dir=tmp_path, llm_timeout=timeout)
    store = migrated_store(Path(tmp_path) / "s.db")
    return AssistantService(settings, retriever, store, llm=llm, today=lambda: AS_OF)
