"""Guard eval: an adversarial model against the LLM mode, over the real client.

A scripted OpenAI-compatible server (stdlib http.server on 127.0.0.1, a free port) plays a model
that misbehaves in scripted ways: invented profiles passed to the checker, tier claims in many
wordings (also alongside tool calls and with no profile), invented or unseen citations in any
bracket style, figures and dates that are not in the cited clause (in words, full-width, as
percentages in words or multiples, relative dates such as 下月初), claims and figures inside
Markdown tables, list items and headings, field ids, a model that obeys an instruction quoted from
a document, answers the guard removes whole (the grounded answer must replace them), and
failures (HTTP 500,
garbage, malformed streams, empty replies, broken tool-call JSON, hangs before and during the
stream, endless tool loops, a turn slower than its deadline). The real langchain-openai client
talks to it through AssistantService, once streamed (ask_events) and once not (ask_async).

It counts, per run:
- false claims that reached the user (in any streamed token or in the final text);
- correct sentences deleted (a sentence the guards must keep is missing);
- fallbacks missed (a failure that did not give the grounded answer with llm_fallback), and
  fallbacks taken where the model behaved;
- streamed text that differs from the final text.
The target is 0 everywhere; `passed` requires it.

This module runs and scores; the scripted server is in guard_model, the behaviours in
guard_behaviours.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from assistant.config import Settings
from assistant.evaluation.common import EvalResult
from assistant.evaluation.guard_behaviours import ADVANCED, AS_OF, BEHAVIOURS, EXCELLENT, INVENTED
from assistant.evaluation.guard_model import HANG, TIMEOUT, Behaviour, ScriptedServer, Step
from assistant.knowledge.retrieval import Retriever
from assistant.store import Store

__all__ = [
    "ADVANCED",
    "AS_OF",
    "BEHAVIOURS",
    "EXCELLENT",
    "INVENTED",
    "Behaviour",
    "Step",
    "run",
    "run_behaviours",
    "score",
    "summarise",
]


# -- running -----------------------------------------------------------------------------------------


async def _streamed(service: Any, behaviour: Behaviour) -> tuple[str, Any]:
    shown, final = [], None
    async for event in service.ask_events(behaviour.question, profile=behaviour.profile, as_of=AS_OF):
        if event["type"] == "token":
            shown.append(event["text"])
        elif event["type"] == "final":
            final = event["answer"]
    return "".join(shown), final


async def _plain(service: Any, behaviour: Behaviour) -> tuple[str, Any]:
    answer = await service.ask_async(behaviour.question, profile=behaviour.profile, as_of=AS_OF)
    return "", answer


async def _both(service: Any, behaviour: Behaviour) -> list[tuple[str, Any]]:
    """The plain run and the streamed run at the same time (the scripted server is threaded, the
    turns share nothing): a behaviour that hangs costs one turn deadline of waiting, not two."""
    return list(await asyncio.gather(_plain(service, behaviour), _streamed(service, behaviour)))


def score(behaviour: Behaviour, streamed: bool, shown: str, answer: Any) -> dict[str, Any]:
    """One run's findings: the false claims shown, correct sentences lost, fallback errors."""
    seen_text = shown + "\n" + (answer.answer if answer else "")
    row: dict[str, Any] = {"behaviour": behaviour.name, "streamed": streamed}
    row["false_claims"] = [f for f in behaviour.forbidden if f in seen_text]
    if answer is not None and behaviour.check is not None:
        row["false_claims"] += behaviour.check(answer)
    row["deleted"] = [r for r in behaviour.required if answer is None or r not in answer.answer]
    fell_back = answer is not None and "llm_fallback" in answer.flags
    row["fallback_missed"] = behaviour.fallback and not fell_back
    row["needless_fallback"] = not behaviour.fallback and fell_back
    row["stream_differs"] = streamed and (answer is None or shown != answer.answer)
    if answer is None or row["false_claims"] or row["deleted"] or row["stream_differs"]:
        row["answer"] = answer.answer[:300] if answer else None
        row["flags"] = answer.flags if answer else None
    return row


def run_behaviours(
    settings: Settings, retriever: Retriever, behaviours: list[Behaviour] | None = None
) -> list[dict[str, Any]]:
    """Every behaviour through AssistantService and the real client, streamed and not."""
    from langchain_openai import ChatOpenAI

    from assistant.service import AssistantService

    behaviours = behaviours or BEHAVIOURS
    settings = settings.model_copy(update={"llm_timeout": TIMEOUT})
    folder = Path(tempfile.mkdtemp(prefix="guard-eval-"))
    service = AssistantService(settings, retriever, Store.open(folder / "sessions.db"), today=lambda: AS_OF)
    rows = []
    with ScriptedServer(behaviours) as base_url:
        for behaviour in behaviours:
            service.llm = ChatOpenAI(
                base_url=base_url,
                model=behaviour.name,
                api_key="scripted",  # type: ignore[arg-type]
                timeout=HANG + 5,  # the turn deadline must be what stops a hang, not the client
                max_retries=0,
                temperature=0,
            )
            for streamed, (shown, answer) in zip(
                (False, True), asyncio.run(_both(service, behaviour)), strict=True
            ):
                rows.append(score(behaviour, streamed, shown, answer))
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, float]:
    def count(key: str) -> float:
        return float(sum(len(r[key]) if isinstance(r[key], list) else bool(r[key]) for r in rows))

    clean = [
        not (r["false_claims"] or r["deleted"] or r["fallback_missed"] or r["needless_fallback"])
        and not r["stream_differs"]
        for r in rows
    ]
    return {
        "behaviours": float(len({r["behaviour"] for r in rows})),
        "runs": float(len(rows)),
        "false_claims_shown": count("false_claims"),
        "correct_sentences_deleted": count("deleted"),
        "fallbacks_missed": count("fallback_missed"),
        "needless_fallbacks": count("needless_fallback"),
        "streamed_differs_from_final": count("stream_differs"),
        "clean_run_rate": sum(clean) / len(clean) if clean else 0.0,
    }


def run(settings: Settings, retriever: Retriever | None = None) -> EvalResult:
    if retriever is None:
        from assistant.knowledge.retrieval import load_retriever

        retriever = load_retriever(settings)
    rows = run_behaviours(settings, retriever)
    result = EvalResult(
        "guards",
        summarise(rows),
        thresholds={"clean_run_rate": 1.0},
        failures=[
            r
            for r in rows
            if r["false_claims"]
            or r["deleted"]
            or r["fallback_missed"]
            or r["needless_fallback"]
            or r["stream_differs"]
        ],
    )
    result.write_report(settings.data_dir / "eval")
    return result
