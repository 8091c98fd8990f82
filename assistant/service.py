"""The one facade that the API, the web UI, the CLI and the evals call.

It owns the loaded index, the rules, the session store and the LLM (if configured), and decides
the mode of each answer: LLM when configured and working, grounded otherwise (automatic fallback
on error or timeout, logged and flagged). Nothing above this module holds logic of its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from assistant.answering.agent import Agent, Toolbox, TurnState, build_messages
from assistant.answering.extract import extract_profile
from assistant.answering.grounded import Composed, GroundedAnswerer, IntentTable
from assistant.answering.sessions import SessionStore, merge_profiles
from assistant.config import Settings
from assistant.drafting import (
    Draft,
    DraftSpec,
    ReviewReport,
    build_draft,
    polish,
    read_blocks,
    review_blocks,
    review_text,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.errors import (
    AssistantError,
    ExportError,
    LLMError,
    RetrievalError,
    UnknownEditionError,
    UnsupportedFileError,
)
from assistant.knowledge.corpus import Clause
from assistant.knowledge.retrieval import Hit, Retriever, load_retriever
from assistant.knowledge.scenarios import Edition, load_catalog
from assistant.prompts import load_prompt
from assistant.rules import CheckReport, RuleSet, available_editions, check, load_rules, parse_profile
from assistant.vocabulary import DEFAULT_CATALOG_EDITION, DEFAULT_TIER

log = logging.getLogger("assistant.service")
MAX_QUESTION_CHARS = 2000
STREAM_CHUNK = 12


class Citation(BaseModel):
    clause_id: str = Field(examples=["notice#二.(一).1"])
    text: str
    heading: str = ""
    title: str = ""


class Answer(BaseModel):
    """CONTRACTS.md Answer; fields after `session` are additions."""

    answer: str
    mode: Literal["llm", "grounded"]
    citations: list[Citation]
    verdict: dict[str, Any] | None = None
    missing_facts: list[str] = Field(default_factory=list)
    session: str
    answer_id: str = ""
    edition: str = ""
    flags: list[str] = Field(default_factory=list)
    intent: str = ""
    profile: dict[str, Any] = Field(default_factory=dict)
    prompt_version: int | None = None


def make_llm(settings: Settings) -> BaseChatModel | None:
    """ChatOpenAI against the configured OpenAI-compatible endpoint; None when not configured."""
    if not settings.llm_configured:
        return None
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        base_url=settings.llm_base_url,
        model=settings.llm_model or "",
        api_key=settings.llm_api_key or "not-needed",  # type: ignore[arg-type]
        timeout=settings.llm_timeout,
        max_retries=0,  # a retry doubles the wait; the grounded fallback answers instead
        temperature=0,
    )


class AssistantService:
    """Search, check and ask; build once per process with `from_settings`."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        sessions: SessionStore,
        llm: BaseChatModel | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.sessions = sessions
        self.llm = llm
        self.today = today
        self.rules_dir = settings.corpus_dir / "rules"
        self._rules: dict[str, RuleSet] = {}
        self._rules_lock = threading.Lock()
        self.intents = IntentTable.load(settings.corpus_dir / "data" / "intents.yaml")
        self.default_rules = self.rules()
        self.catalog = load_catalog(settings.corpus_dir)
        self.grounded = GroundedAnswerer(retriever, self.default_rules, self.intents, self.catalog)

    @classmethod
    def from_settings(cls, settings: Settings, *, llm: BaseChatModel | None = None) -> AssistantService:
        return cls(
            settings,
            load_retriever(settings),
            SessionStore(settings.data_dir / "sessions.db"),
            llm or make_llm(settings),
        )

    # -- lookups --------------------------------------------------------------------------------

    @property
    def corpus(self) -> Any:
        return self.retriever.index.corpus

    def editions(self) -> list[str]:
        return self.corpus.editions

    def rule_editions(self) -> list[str]:
        return available_editions(self.rules_dir)

    def rules(self, edition: str | None = None) -> RuleSet:
        key = edition or "latest"
        with self._rules_lock:
            if key not in self._rules:
                self._rules[key] = load_rules(self.rules_dir, edition)
            return self._rules[key]

    def search(self, query: str, k: int = 5, edition: str | None = None) -> list[Hit]:
        self._require_edition(edition)
        return self.retriever.search(query, k=k, edition=edition)

    def clause(self, clause_id: str) -> Clause | None:
        return self.corpus.get(clause_id)

    def check(
        self, profile: dict[str, Any], edition: str | None = None, as_of: dt.date | None = None
    ) -> CheckReport:
        held = self.rule_editions()
        if edition is not None and edition not in held:
            raise UnknownEditionError(f"没有 {edition} 年版的核验规则；可选：{'、'.join(held)}")
        return check(parse_profile(profile), self.rules(edition), as_of or self.today())

    def clause_text(self, clause_id: str) -> str | None:
        clause = self.corpus.get(clause_id)
        return clause.text if clause else None

    # -- asking ---------------------------------------------------------------------------------

    def _validate_question(self, question: str, edition: str | None) -> str:
        question = (question or "").strip()
        if not question:
            raise RetrievalError("问题不能为空")
        if len(question) > MAX_QUESTION_CHARS:
            raise RetrievalError(f"问题过长（{len(question)}字），请控制在{MAX_QUESTION_CHARS}字以内")
        self._require_edition(edition)
        return question

    def _require_edition(self, edition: str | None) -> None:
        if edition is not None and edition not in self.editions():
            raise UnknownEditionError(f"没有 {edition} 年版的文件；现有版本：{'、'.join(self.editions())}")

    def _start_turn(
        self, question: str, session: str | None, profile: dict[str, Any] | None
    ) -> tuple[str, dict]:
        """Open the session and merge stored, given and stated facts (given ones validated)."""
        if profile:
            parse_profile(profile)  # a bad profile is the caller's error, reported before anything runs
        session_id = self.sessions.open(session)
        stored = self.sessions.profile(session_id)
        # Later statements override earlier ones; an explicitly given profile is the most
        # reliable source, so it is applied last, over facts read from the question's text.
        stated = merge_profiles(merge_profiles(stored, extract_profile(question)), profile or {})
        try:
            parse_profile(stated)
        except AssistantError:
            stated = merge_profiles(stored, profile or {})  # a pattern misread the text; drop its facts
        return session_id, stated

    def _citations(self, ids: list[str]) -> list[Citation]:
        out = []
        for clause_id in ids:
            clause = self.corpus.get(clause_id)
            if clause is not None:
                out.append(
                    Citation(
                        clause_id=clause_id, text=clause.text, heading=clause.heading, title=clause.title
                    )
                )
        return out

    def _finish(
        self,
        question: str,
        session_id: str,
        composed: Composed | None,
        *,
        mode: Literal["llm", "grounded"],
        text: str,
        cited: list[str],
        report: CheckReport | None,
        missing: list[str],
        flags: list[str],
        intent: str,
        profile: dict[str, Any],
        prompt_version: int | None,
        edition: str | None = None,
    ) -> Answer:
        answer_id = uuid.uuid4().hex
        self.sessions.append(session_id, "user", question)
        self.sessions.append(session_id, "assistant", text, answer_id=answer_id)
        if profile:
            self.sessions.update_profile(session_id, profile)
        return Answer(
            answer=text,
            mode=mode,
            citations=self._citations(cited),
            verdict=report.model_dump(mode="json") if report else None,
            missing_facts=missing,
            session=session_id,
            answer_id=answer_id,
            edition=edition or self.default_rules.edition,
            flags=flags,
            intent=intent,
            profile=profile,
            prompt_version=prompt_version,
        )

    def _grounded_answer(
        self,
        question: str,
        session_id: str,
        profile: dict[str, Any],
        edition: str | None,
        as_of: dt.date,
        extra_flags: list[str],
    ) -> Answer:
        composed = self.grounded.answer(question, profile, as_of, edition)
        return self._finish(
            question,
            session_id,
            composed,
            mode="grounded",
            text=composed.text,
            cited=composed.citations,
            report=composed.verdict,
            missing=composed.missing_facts,
            flags=extra_flags + composed.flags,
            intent=composed.intent,
            profile=composed.profile,
            prompt_version=None,
            edition=edition,
        )

    async def ask_events(
        self,
        question: str,
        session: str | None = None,
        profile: dict[str, Any] | None = None,
        edition: str | None = None,
        as_of: dt.date | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Events: {"type": "token", "text"} while the answer is produced, then one
        {"type": "final", "answer": Answer}. The final text is authoritative (guards may have
        changed what was streamed)."""
        started = time.perf_counter()
        question = self._validate_question(question, edition)
        as_of = as_of or self.today()
        # SQLite work off the event loop, so one slow disk write does not stall other requests.
        session_id, stated = await asyncio.to_thread(self._start_turn, question, session, profile)
        answer: Answer | None = None
        if self.llm is not None:
            try:
                async for event in self._llm_events(question, session_id, stated, edition, as_of):
                    if event["type"] == "final":
                        answer = event["answer"]
                    else:
                        yield event
            except LLMError as exc:
                log.warning("LLM failed, answering in grounded mode: %s", exc.message)
                answer = await asyncio.to_thread(
                    self._grounded_answer, question, session_id, stated, edition, as_of, ["llm_fallback"]
                )
                yield {"type": "notice", "text": "大模型暂不可用，已切换为依据条款的直接回答。"}
        if answer is None:
            answer = await asyncio.to_thread(
                self._grounded_answer, question, session_id, stated, edition, as_of, []
            )
            for start in range(0, len(answer.answer), STREAM_CHUNK):
                yield {"type": "token", "text": answer.answer[start : start + STREAM_CHUNK]}
        log.info(
            "answered", extra={"mode": answer.mode, "ms": round((time.perf_counter() - started) * 1000, 1)}
        )
        yield {"type": "final", "answer": answer}

    async def _llm_events(
        self, question: str, session_id: str, profile: dict[str, Any], edition: str | None, as_of: dt.date
    ) -> AsyncIterator[dict[str, Any]]:
        assert self.llm is not None
        history = self.sessions.history(session_id)
        state = TurnState(profile=profile)
        toolbox = Toolbox(self.retriever, self.default_rules, as_of, state, edition=edition)
        messages = build_messages(
            question, history, profile, self.editions(), edition or self.default_rules.edition
        )
        agent = Agent(self.llm, timeout=self.settings.llm_timeout)
        async for token in agent.stream(messages, toolbox):
            yield {"type": "token", "text": token}
        final_text = str(messages[-1].content)
        result = agent.finish(final_text, toolbox, ensure_report=bool(profile))
        report = result.report
        missing = self.grounded._missing(report, set()) if report else []
        answer = self._finish(
            question,
            session_id,
            None,
            mode="llm",
            text=result.text,
            cited=result.citations,
            report=report,
            missing=missing,
            flags=result.flags,
            intent="llm",
            profile=result.profile,
            prompt_version=load_prompt("system").version,
            edition=edition,
        )
        yield {"type": "final", "answer": answer}

    async def ask_async(self, question: str, **kwargs: Any) -> Answer:
        final: Answer | None = None
        async for event in self.ask_events(question, **kwargs):
            if event["type"] == "final":
                final = event["answer"]
        assert final is not None
        return final

    def ask(self, question: str, **kwargs: Any) -> Answer:
        """Synchronous ask for the CLI and evals (not for use inside a running event loop)."""
        return asyncio.run(self.ask_async(question, **kwargs))

    def feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per answer and caller (`key`); NotFoundError for an answer we never gave."""
        return self.sessions.add_feedback(answer_id, rating, comment, key)

    # -- scenario catalogue, drafting and review ------------------------------------------------

    def scenario_editions(self, edition: str | None = None) -> list[Edition]:
        """The scenario guide's editions (all, or the one named), in edition order."""
        self._require_catalog_edition(edition)
        return [
            self.catalog.edition(key) for key in ([edition] if edition else sorted(self.catalog.editions))
        ]

    def _require_catalog_edition(self, edition: str | None) -> None:
        held = sorted(self.catalog.editions)
        if edition is not None and edition not in held:
            raise UnknownEditionError(f"没有 {edition} 年版的场景指引数据；可选：{'、'.join(held)}")

    def draft(self, spec: DraftSpec, *, polish_text: bool = False) -> Draft:
        """Spec → the template draft; polished by the LLM when asked and one is configured."""
        self._require_catalog_edition(spec.edition)
        result = build_draft(spec, corpus_dir=self.settings.corpus_dir, catalog=self.catalog)
        if polish_text and self.llm is not None:
            result = polish(result, self.llm)
        return result

    def export(
        self, drafts: Sequence[Draft], fmt: Literal["docx", "xlsx"], recommender: str | None = None
    ) -> bytes:
        """A DOCX (the first draft) or a 附件4 XLSX (all drafts) as bytes."""
        from openpyxl.utils.exceptions import IllegalCharacterError

        with tempfile.TemporaryDirectory(prefix="draft-") as folder:
            path = Path(folder) / f"draft.{fmt}"
            try:
                if fmt == "docx":
                    write_docx(drafts[0], path)
                else:
                    write_recommendation_xlsx(list(drafts), path, recommender=recommender)
            except (IllegalCharacterError, ValueError) as exc:  # control characters: XML refuses them
                log.info("export refused: %s", type(exc).__name__)
                raise ExportError(
                    "草稿中含有 Word/Excel 文件不能保存的控制字符（如 \\x1c），请删去后重试，或以 JSON 格式获取草稿。"
                ) from None
            return path.read_bytes()

    def review_text(
        self, text: str, tier: str = DEFAULT_TIER, edition: str = DEFAULT_CATALOG_EDITION
    ) -> ReviewReport:
        self._require_catalog_edition(edition)
        return review_text(text, tier, edition, corpus_dir=self.settings.corpus_dir)

    def review_upload(
        self, filename: str, data: bytes, tier: str = DEFAULT_TIER, edition: str = DEFAULT_CATALOG_EDITION
    ) -> ReviewReport:
        """Review an uploaded draft. The file is written under its own (sanitised) name in a
        private temp folder, so messages name the user's file and never a server path."""
        self._require_catalog_edition(edition)
        name = safe_filename(filename, "upload.txt")
        if Path(name).suffix.lower() not in REVIEW_SUFFIXES:
            suffix = Path(name).suffix or "（无扩展名）"
            raise UnsupportedFileError(f"不支持的文件类型 {suffix}：请上传 .docx、.txt 或 .md 文件。")
        with tempfile.TemporaryDirectory(prefix="review-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            blocks = read_blocks(path)
        return review_blocks(blocks, tier, edition, corpus_dir=self.settings.corpus_dir, file=name)


#: The draft formats review reads.
REVIEW_SUFFIXES = (".docx", ".txt", ".md", ".markdown")


def safe_filename(name: str, fallback: str) -> str:
    """The last path component, with characters no file system accepts replaced."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)[:120]
    return base or fallback
