"""The 咨询 tab's handlers: a streamed answer per question, thumbs and comments, the profile chip.

The conversation lives in the browser (``gr.BrowserState``: the server session id, the shown
messages, and which message is which answer, for feedback); ``trim_history`` caps what is kept there.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator
from typing import Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.interfaces.ui.common import ERROR_TITLE, UNEXPECTED_ERROR, friendly, parse_as_of
from assistant.interfaces.ui.format import THINKING_HTML, answer_html, error_html, esc, streaming_html
from assistant.interfaces.ui.forms import FormValueError, profile_name
from assistant.service import AssistantService

log = logging.getLogger("assistant.ui")

#: Chat turns kept in the browser (the server session keeps its own history for the model).
MAX_STORED_MESSAGES = 40
#: The owner of the page's sessions: no API key can open one (their ids never leave the browser).
UI_OWNER = "web-ui"


def empty_store() -> dict[str, Any]:
    return {"session": None, "messages": [], "answers": {}}


def trim_history(messages: list[dict[str, Any]], answers: dict[str, str]) -> tuple[list, dict[str, str]]:
    """Keep the newest MAX_STORED_MESSAGES messages, re-keying answer ids to the new positions."""
    drop = max(0, len(messages) - MAX_STORED_MESSAGES)
    if drop % 2:
        drop += 1  # keep question and answer together
    kept = {str(int(k) - drop): v for k, v in answers.items() if int(k) >= drop}
    return messages[drop:], kept


class ChatHandlers:
    """Chat events to ``service.ask_events`` / ``service.feedback`` and back."""

    def __init__(self, service: AssistantService) -> None:
        self.service = service

    def as_of(self, text: str) -> dt.date:
        return parse_as_of(text, self.service.today())

    async def chat(
        self,
        message: str,
        history: list[dict[str, Any]] | None,
        store: dict[str, Any] | None,
        profile: dict[str, Any] | None,
        as_of: str | None = None,
    ) -> AsyncIterator[tuple[Any, Any, Any]]:
        """Stream one answer: a thinking line, then tokens, then the final answer with verdict and
        source cards (the final text replaces the streamed one: guards may have changed it).

        ``as_of`` is the 评估日期 handed over from 自评 with the profile (ISO; empty = today): the
        answer judges deadlines by it and says so."""
        question = (message or "").strip()
        if not question:
            gr.Warning("请先输入问题。", title="提示")
            yield gr.skip(), gr.skip(), gr.skip()
            return
        store = dict(store or empty_store())
        history = [*(history or []), {"role": "user", "content": esc(question)}]
        history.append({"role": "assistant", "content": THINKING_HTML})
        yield history, gr.skip(), ""
        text, notices, answer = "", [], None
        try:
            date = self.as_of(as_of or "")
            async for event in self.service.ask_events(
                question, session=store.get("session"), profile=profile or None, as_of=date, owner=UI_OWNER
            ):
                if event["type"] == "token":
                    text += event["text"]
                    history[-1] = {"role": "assistant", "content": streaming_html(text)}
                    yield history, gr.skip(), gr.skip()
                elif event["type"] == "notice":
                    notices.append(event["text"])
                    gr.Warning(event["text"], title="提示")
                elif event["type"] == "final":
                    answer = event["answer"]
        except (AssistantError, FormValueError) as exc:
            message = exc.message if isinstance(exc, AssistantError) else str(exc)
            history[-1] = {"role": "assistant", "content": error_html(message)}
            yield history, gr.skip(), question
            raise gr.Error(message, title=ERROR_TITLE, print_exception=False) from None
        except Exception:
            log.exception("chat failed")
            history[-1] = {"role": "assistant", "content": error_html(UNEXPECTED_ERROR)}
            yield history, gr.skip(), question
            raise gr.Error(UNEXPECTED_ERROR, title=ERROR_TITLE, print_exception=False) from None
        if answer is None:  # the service always ends with a final event; be safe anyway
            history[-1] = {"role": "assistant", "content": error_html(UNEXPECTED_ERROR)}
            yield history, gr.skip(), question
            return
        data = answer.model_dump(mode="json")
        history[-1] = {"role": "assistant", "content": answer_html(data, notices, as_of=date.isoformat())}
        answers = dict(store.get("answers") or {})
        answers[str(len(history) - 1)] = data["answer_id"]
        messages, answers = trim_history(history, answers)
        new_store = {"session": data["session"], "messages": messages, "answers": answers}
        yield history, new_store, gr.skip()

    def new_chat(self) -> tuple[Any, ...]:
        """A fresh session: nothing of the previous conversation or profile carries over."""
        hidden = gr.update(value="", visible=False)
        return [], empty_store(), None, None, hidden, gr.update(visible=False), None

    def pick_example(self, evt: gr.SelectData) -> str:
        value = evt.value
        return str(value.get("text", "")) if isinstance(value, dict) else str(value or "")

    def like(self, store: dict[str, Any] | None, evt: gr.LikeData) -> tuple[Any, ...]:
        """Store the thumb at once (most people never comment), then offer a comment box."""
        answer_id = ((store or {}).get("answers") or {}).get(str(evt.index))
        if evt.liked is None or evt.liked == "":
            return gr.skip(), gr.skip(), gr.skip()
        if not answer_id:
            gr.Info("这条消息不是助手的回答，无法评价。", title="提示")
            return gr.skip(), gr.skip(), gr.skip()
        up = evt.liked is True or str(evt.liked).lower() in ("like", "true")
        try:
            self.service.thumb(answer_id, up)
        except Exception:
            log.exception("feedback failed")
            raise gr.Error("反馈保存失败，请稍后再试。", title=ERROR_TITLE, print_exception=False) from None
        word = "赞（有帮助）" if up else "踩（没帮助）"
        prompt = f"已记录：{word}。可以补充说明原因（可选），帮助我们改进："
        return {"answer_id": answer_id, "up": up}, gr.update(visible=True), gr.update(value=prompt)

    @friendly
    def send_comment(self, pending: dict[str, Any] | None, comment: str) -> tuple[Any, ...]:
        """A comment is stored as a further row for the same answer: the latest row is final."""
        comment = (comment or "").strip()
        if pending and comment:
            self.service.thumb(str(pending["answer_id"]), bool(pending.get("up")), comment[:2000])
            gr.Info("感谢反馈，已记录。", title="提示")
        return None, gr.update(visible=False), ""

    def attach_chip(self, profile: dict[str, Any] | None, as_of: str | None = None) -> tuple[Any, Any]:
        if not profile:
            return gr.update(value="", visible=False), gr.update(visible=False)
        date = f"，按评估日期 <b>{esc(as_of)}</b> 判断" if as_of else ""
        chip = (
            f'<div class="profile-chip">提问时将附带自评画像：<b>{esc(profile_name(profile))}</b>'
            f"（助手据此核验层级{date}）</div>"
        )
        return gr.update(value=chip, visible=True), gr.update(visible=True)
