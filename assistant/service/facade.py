"""The one facade that the API, the web UI, the CLI and the evals call.

It owns the loaded index, the rules, the session store and the LLM (if configured), and decides
the mode of each answer: LLM when configured and working, grounded otherwise (automatic fallback
on error or timeout, logged and flagged). Nothing above this module holds logic of its own.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
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

from assistant.answering.agent import Agent, Toolbox, TurnState, build_messages, confirm_questions
from assistant.answering.extract import Fact, extract, facts_to_profile
from assistant.answering.grounded import Composed, GroundedAnswerer, IntentTable
from assistant.answering.guard import SentenceGuard
from assistant.answering.sessions import AnswerRecord, SessionStore, lead_of, merge_profiles
from assistant.config import Settings
from assistant.drafting import (
    Draft,
    DraftSpec,
    ReviewReport,
    build_draft,
    export,
    polish,
    read_blocks,
    review_blocks,
    review_file,
    review_text,
    write_docx,
    write_recommendation_xlsx,
)
from assistant.errors import (
    AssistantError,
    ExportError,
    LLMError,
    RetrievalError,
    StoreUnavailableError,
    UnknownEditionError,
    UnsupportedFileError,
)
from assistant.knowledge.corpus import Clause
from assistant.knowledge.retrieval import (
    MIN_SEARCH_EVIDENCE,
    NO_MATCH_MESSAGE,
    Hit,
    Retriever,
    load_retriever,
)
from assistant.knowledge.scenarios import Edition, ScenarioCatalog, load_catalog
from assistant.operations import OperatorDesk
from assistant.prompts import load_prompt
from assistant.rules import CheckReport, RuleSet, available_editions, check, load_rules, parse_profile
from assistant.vocabulary import DEFAULT_TIER

log = logging.getLogger("assistant.service")
#: Flag on an answer whose session could not be stored (the database was down, none was asked for).
UNSAVED = "session_unsaved"


class Turn(BaseModel):
    """What one question brings: the profile to check, the profile to keep, the facts read."""

    model_config = {"arbitrary_types_allowed": True}

    profile: dict[str, Any]
    store: dict[str, Any]
    new_facts: list[Any] = Field(default_factory=list)
    understood: list[Any] = Field(default_factory=list)
    what_if: bool = False
    reading: Any = None
    #: perf_counter() when the turn started: the answer log records the latency.
    started: float = Field(default_factory=time.perf_counter)


MAX_QUESTION_CHARS = 2000
#: How often, at most, a worker asks the store whether the corpus changed (CorpusFollower).
CORPUS_CHECK_SECONDS = 2.0
STREAM_CHUNK = 12
#: The event shown when the LLM failed and the grounded answer replaces it, and the note that
#: opens the fallback answer's text (so clients that show only the text are told too).
FALLBACK_NOTICE = "大模型暂不可用，已切换为依据条款的直接回答。"
FALLBACK_NOTE = "（大模型未能完成回答，以下是依据条款的直接回答。）"


class Citation(BaseModel):
    clause_id: str = Field(examples=["notice#二.(一).1"])
    text: str
    heading: str = ""
    title: str = ""


class UnderstoodFact(BaseModel):
    """An enterprise fact read from the user's words (docs/contracts.md `understood`)."""

    field: str = Field(examples=["enterprise.industry"])
    value: Any = Field(examples=["有色金属"])
    label: str = Field(examples=["所属行业"])
    said: str = Field(examples=["电解铝"])
    #: Stated as a what-if ("如果成熟度到三级呢？"): used for this answer, not stored.
    hypothetical: bool = False
    #: Two different values stated for the field ("第三方评2级、自评3级"): none is used.
    conflict: list[Any] | None = None


class Answer(BaseModel):
    """docs/contracts.md Answer; fields after `session` are additions."""

    answer: str
    #: The direct answer (docs/contracts.md): the first paragraph of `answer`, before the quoted sources.
    lead: str = ""
    mode: Literal["llm", "grounded"]
    citations: list[Citation]
    verdict: dict[str, Any] | None = None
    missing_facts: list[str] = Field(default_factory=list)
    understood: list[UnderstoodFact] = Field(default_factory=list)
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


class CorpusFollower:
    """Keeps one worker's index on the corpus generation recorded in the shared store.

    Every upload, replacement, retirement and re-index moves the generation on (SessionStore
    .record_change). `check` runs at the start of each search or question but reads the store at
    most once per `interval` seconds, and reloads when the generation differs from the one the
    index was built at. One caller reloads; concurrent requests keep answering from the index
    they have. A store that cannot be reached is skipped until the next interval.
    """

    def __init__(
        self,
        generation: Callable[[], int],
        reload: Callable[[], object],
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._generation = generation
        self._reload = reload
        self.interval = interval
        self._clock = clock
        self._next = clock() + interval
        self._lock = threading.Lock()
        #: The generation the loaded index reflects (None: unknown, reload at the first check).
        self.seen: int | None = self.read()

    def read(self) -> int | None:
        try:
            return self._generation()
        except StoreUnavailableError:
            return None

    def due(self) -> bool:
        """Whether `check` would read the store now (a clock comparison, nothing more)."""
        return self._clock() >= self._next

    def check(self) -> bool:
        """Reload if the store says the corpus changed since the index was loaded; True if so."""
        if self._clock() < self._next or not self._lock.acquire(blocking=False):
            return False
        try:
            self._next = self._clock() + self.interval
            current = self.read()
            if current is None or current == self.seen:
                return False
            log.info("corpus generation %s → %s: reloading the index", self.seen, current)
            self._reload()
            return True
        finally:
            self._lock.release()

    def advanced(self, generation: int) -> None:
        """This worker's own change (recorded after its reload) moved the store to `generation`:
        if no other change came in between, the loaded index is current."""
        if self.seen is not None and generation == self.seen + 1:
            self.seen = generation


class DraftingDesk:
    """Drafting, export and review: the part of the facade that needs no search index.

    ``assistant draft`` and ``assistant review`` build only this (no index, no session store);
    AssistantService is a DraftingDesk too, so every edge calls the same methods.
    """

    def __init__(
        self, settings: Settings, catalog: ScenarioCatalog, rules: RuleSet, llm: BaseChatModel | None = None
    ) -> None:
        self.settings = settings
        self.catalog = catalog
        self.default_rules = rules
        self.llm = llm

    @classmethod
    def from_settings(cls, settings: Settings, *, llm: BaseChatModel | None = None) -> DraftingDesk:
        return cls(
            settings,
            load_catalog(settings.corpus_dir),
            load_rules(settings.corpus_dir / "rules"),
            llm or make_llm(settings),
        )

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

    def current_round(self, as_of: dt.date | None = None) -> str:
        """The round being applied to: the newest rules edition not later than ``as_of``'s year
        (default today), or the oldest held when every edition is later."""
        today = as_of or getattr(self, "today", dt.date.today)()
        held = available_editions(self.settings.corpus_dir / "rules")
        due = [e for e in held if e[:4].isdigit() and int(e[:4]) <= today.year]
        return (due or held)[-1]

    def _round_rules(self, round_: str | None) -> RuleSet:
        round_ = round_ or self.current_round()
        if round_ == self.default_rules.edition:
            return self.default_rules
        held = available_editions(self.settings.corpus_dir / "rules")
        if round_ not in held:
            raise UnknownEditionError(f"没有 {round_} 年度的核验规则；可选：{'、'.join(held)}")
        return load_rules(self.settings.corpus_dir / "rules", round_)

    def draft(self, spec: DraftSpec, *, polish_text: bool = False) -> Draft:
        """Spec → the template draft for its round (default: by date); polished by the LLM when
        asked and one is configured."""
        self._require_catalog_edition(spec.edition)
        rules = self._round_rules(spec.round)
        if spec.round is None:
            spec = spec.model_copy(update={"round": rules.edition})
        result = build_draft(spec, corpus_dir=self.settings.corpus_dir, catalog=self.catalog, rules=rules)
        if polish_text and self.llm is not None:
            result = polish(result, self.llm)
        return result

    def export(
        self, drafts: Sequence[Draft], fmt: Literal["docx", "xlsx"], recommender: str | None = None
    ) -> bytes:
        """A DOCX (the first draft) or a 附件4 XLSX (all drafts) as bytes."""
        if fmt == "docx":
            return self._write_bytes(fmt, lambda path: write_docx(drafts[0], path))
        return self._write_bytes(
            fmt, lambda path: write_recommendation_xlsx(list(drafts), path, recommender=recommender)
        )

    def export_section(self, draft: Draft, index: int) -> bytes:
        """One part of 附件3 (``draft.sections[index]``) alone as a DOCX: the title block and that
        part, without the instance list or the 附件4 row."""
        if not 0 <= index < len(draft.sections):
            raise ExportError(f"草稿没有第 {index + 1} 部分：共 {len(draft.sections)} 部分。")
        part = draft.model_copy(update={"sections": [draft.sections[index]]})
        return self._write_bytes("docx", lambda path: write_docx(part, path, sections_only=True))

    @staticmethod
    def _write_bytes(fmt: str, write: Callable[[Path], object]) -> bytes:
        from openpyxl.utils.exceptions import IllegalCharacterError

        with tempfile.TemporaryDirectory(prefix="draft-") as folder:
            path = Path(folder) / f"draft.{fmt}"
            try:
                write(path)
            except (IllegalCharacterError, ValueError) as exc:  # control characters: XML refuses them
                log.info("export refused: %s", type(exc).__name__)
                raise ExportError(
                    "草稿中含有 Word/Excel 文件不能保存的控制字符（如 \\x1c），请删去后重试，或以 JSON 格式获取草稿。"
                ) from None
            return path.read_bytes()

    def export_to(self, drafts: Sequence[Draft], path: Path, recommender: str | None = None) -> Path:
        """Write a DOCX (one draft) or a 附件4 XLSX (all drafts) to ``path``, chosen by its suffix."""
        return export(drafts, path, recommender=recommender)

    def review_file(
        self, path: Path, tier: str = DEFAULT_TIER, edition: str | None = None, round: str | None = None
    ) -> ReviewReport:
        """Review a draft on this machine's disk (the CLI); messages name the file as given.
        ``round`` (default: by date) decides the rules and, unless ``edition`` is named, the catalogue."""
        self._require_catalog_edition(edition)
        rules = self._round_rules(round)
        return review_file(path, tier, edition, corpus_dir=self.settings.corpus_dir, rules=rules)

    def review_text(
        self, text: str, tier: str = DEFAULT_TIER, edition: str | None = None, round: str | None = None
    ) -> ReviewReport:
        self._require_catalog_edition(edition)
        rules = self._round_rules(round)
        return review_text(text, tier, edition, corpus_dir=self.settings.corpus_dir, rules=rules)

    def review_upload(
        self,
        filename: str,
        data: bytes,
        tier: str = DEFAULT_TIER,
        edition: str | None = None,
        round: str | None = None,
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
        return review_blocks(
            blocks,
            tier,
            edition,
            corpus_dir=self.settings.corpus_dir,
            file=name,
            rules=self._round_rules(round),
        )


class AssistantService(DraftingDesk):
    """Search, check and ask; build once per process with `from_settings`."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        sessions: SessionStore,
        llm: BaseChatModel | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.retriever = retriever
        self.sessions = sessions
        self.today = today
        self.rules_dir = settings.corpus_dir / "rules"
        self._rules: dict[str, RuleSet] = {}
        self._rules_lock = threading.Lock()
        self.intents = IntentTable.load(settings.corpus_dir / "data" / "intents.yaml")
        super().__init__(settings, load_catalog(settings.corpus_dir), self.rules(), llm)
        self.grounded = GroundedAnswerer(retriever, self.default_rules, self.intents, self.catalog)
        self.follower = CorpusFollower(sessions.corpus_generation, self.reload_index, CORPUS_CHECK_SECONDS)
        self.operations = OperatorDesk(settings, sessions, self.reload_index, self.follower.advanced)

    @classmethod
    def from_settings(cls, settings: Settings, *, llm: BaseChatModel | None = None) -> AssistantService:
        sessions = SessionStore.from_settings(settings)
        # Read before the index is loaded: a change made while it loads is then caught up with.
        generation = CorpusFollower(sessions.corpus_generation, lambda: None).seen
        service = cls(settings, load_retriever(settings), sessions, llm or make_llm(settings))
        service.follower.seen = generation
        return service

    # -- lookups --------------------------------------------------------------------------------

    @property
    def corpus(self) -> Any:
        return self.retriever.index.corpus

    def editions(self) -> list[str]:
        self.follower.check()
        return self.corpus.editions

    def rule_editions(self) -> list[str]:
        return available_editions(self.rules_dir)

    def rules(self, edition: str | None = None) -> RuleSet:
        key = edition or "latest"
        with self._rules_lock:
            if key not in self._rules:
                self._rules[key] = load_rules(self.rules_dir, edition)
            return self._rules[key]

    #: What an interface says when ``search`` returns no hits.
    no_match_message = NO_MATCH_MESSAGE

    def search(self, query: str, k: int = 5, edition: str | None = None) -> list[Hit]:
        """A user's search: no hits (and ``no_match_message`` to show) when the query shares no
        real word with the corpus, however the dense side would rank it."""
        self.follower.check()
        self._require_edition(edition)
        return self.retriever.search(query, k=k, edition=edition, min_evidence=MIN_SEARCH_EVIDENCE)

    def clause(self, clause_id: str) -> Clause | None:
        self.follower.check()
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
        held = self.corpus.editions
        if edition is not None and edition not in held:
            raise UnknownEditionError(f"没有 {edition} 年版的文件；现有版本：{'、'.join(held)}")

    def _start_turn(
        self, question: str, session: str | None, profile: dict[str, Any] | None
    ) -> tuple[str, Turn]:
        """Open the session and merge stored, given and stated facts (given ones validated).

        Later statements override earlier ones; an explicitly given profile is the most reliable
        source, so it is applied last. Facts stated as a what-if shape this answer only."""
        if profile:
            parse_profile(profile)  # a bad profile is the caller's error, reported before anything runs
        try:
            session_id = self.sessions.open(session)
            stored = self.sessions.profile(session_id)
            earlier_facts = self.sessions.facts(session_id)
        except StoreUnavailableError:
            if session is not None:
                raise  # the caller wants a conversation we can neither read nor continue
            # No session asked for: answer anyway, in a session that is never stored.
            log.warning("session store unavailable; answering without a session")
            session_id, stored, earlier_facts = UNSAVED + "-" + uuid.uuid4().hex, {}, []
        reading = extract(question)
        stated_facts = reading.stated()
        store = merge_profiles(merge_profiles(stored, facts_to_profile(stated_facts)), profile or {})
        try:
            parse_profile(store)
        except AssistantError:
            stated_facts = []  # a misreading must never block the answer; drop its facts
            store = merge_profiles(stored, profile or {})
        what_if = reading.hypothetical()
        current = merge_profiles(store, facts_to_profile(what_if)) if what_if else store
        try:
            parse_profile(current)
        except AssistantError:
            what_if, current = [], store
        earlier = [
            Fact(f["field"], f["value"], f["said"])
            for f in earlier_facts
            if f.get("field") not in {x.field for x in [*stated_facts, *what_if, *reading.conflicts()]}
        ]
        return session_id, Turn(
            profile=current,
            store=store,
            new_facts=stated_facts,
            understood=[*earlier, *stated_facts, *reading.conflicts(), *what_if],
            what_if=bool(what_if),
            reading=reading,
        )

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
        turn: Turn | None = None,
        lead: str = "",
    ) -> Answer:
        answer_id = uuid.uuid4().hex
        record = AnswerRecord(
            answer_id=answer_id,
            question=question,
            lead=lead or lead_of(text),
            answer=text,
            mode=mode,
            latency_ms=(time.perf_counter() - turn.started) * 1000 if turn is not None else 0.0,
            citations=list(cited),
            flags=list(flags),
            session_id=session_id,
            intent=intent,
            edition=edition or self.default_rules.edition,
        )
        if session_id.startswith(UNSAVED):
            flags = [*flags, UNSAVED]
            self._log_unsaved(record)
        else:
            # A what-if shapes this answer only: what is kept is the profile without it.
            keep = turn.store if turn is not None and turn.what_if else profile
            new_facts = [f.as_dict() for f in turn.new_facts] if turn is not None else []
            # One transaction: both messages, the profile, the facts and the answer-log row.
            self.sessions.record_turn(session_id, question, text, keep, record, new_facts)
        understood = [UnderstoodFact(**f.as_dict()) for f in (turn.understood if turn else [])]
        return Answer(
            answer=text,
            lead=lead or text.strip().split("\n\n")[0],
            mode=mode,
            citations=self._citations(cited),
            verdict=report.model_dump(mode="json") if report else None,
            missing_facts=missing,
            understood=understood,
            session=session_id,
            answer_id=answer_id,
            edition=edition or self.default_rules.edition,
            flags=flags,
            intent=intent,
            profile=profile,
            prompt_version=prompt_version,
        )

    def _log_unsaved(self, record: AnswerRecord) -> None:
        """Log a sessionless answer if the database is back; losing it is better than failing."""
        record.session_id = None
        try:
            self.sessions.log_answer(record)
        except StoreUnavailableError:
            log.warning("answer not logged: session store unavailable")

    def _grounded_answer(
        self,
        question: str,
        session_id: str,
        turn: Turn,
        edition: str | None,
        as_of: dt.date,
        extra_flags: list[str],
    ) -> Answer:
        composed = self.grounded.answer(
            question,
            turn.profile,
            as_of,
            edition,
            facts=turn.understood,
            what_if=turn.what_if,
            not_rounds=turn.reading.construction_years if turn.reading else set(),
            stated_now=bool(turn.new_facts),
        )
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
            turn=turn,
            lead=composed.lead,
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
        if self.follower.due():  # the read and a (rare) reload off the event loop
            await asyncio.to_thread(self.follower.check)
        question = self._validate_question(question, edition)
        as_of = as_of or self.today()
        # SQLite work off the event loop, so one slow disk write does not stall other requests.
        session_id, turn = await asyncio.to_thread(self._start_turn, question, session, profile)
        answer: Answer | None = None
        if self.llm is not None:
            shown: list[str] = []  # guarded text already on the user's screen
            try:
                async for event in self._llm_events(question, session_id, turn, edition, as_of):
                    if event["type"] == "final":
                        answer = event["answer"]
                    else:
                        if event["type"] == "token":
                            shown.append(event["text"])
                        yield event
            except LLMError as exc:
                log.warning("LLM failed, answering in grounded mode: %s", exc.message)
                grounded = await asyncio.to_thread(
                    self._grounded_answer, question, session_id, turn, edition, as_of, ["llm_fallback"]
                )
                yield {"type": "notice", "text": FALLBACK_NOTICE}
                # What was shown stays (every sentence of it passed the guard); the note and the
                # grounded answer follow, so the streamed text and the final text are the same.
                before = "".join(shown)
                gap = "" if not before else ("\n" if before.endswith("\n") else "\n\n")
                rest = f"{gap}{FALLBACK_NOTE}\n{grounded.answer}"
                answer = grounded.model_copy(update={"answer": before + rest})
                for start in range(0, len(rest), STREAM_CHUNK):
                    yield {"type": "token", "text": rest[start : start + STREAM_CHUNK]}
        if answer is None:
            answer = await asyncio.to_thread(
                self._grounded_answer, question, session_id, turn, edition, as_of, []
            )
            for start in range(0, len(answer.answer), STREAM_CHUNK):
                yield {"type": "token", "text": answer.answer[start : start + STREAM_CHUNK]}
        log.info(
            "answered", extra={"mode": answer.mode, "ms": round((time.perf_counter() - started) * 1000, 1)}
        )
        yield {"type": "final", "answer": answer}

    async def _llm_events(
        self, question: str, session_id: str, turn: Turn, edition: str | None, as_of: dt.date
    ) -> AsyncIterator[dict[str, Any]]:
        assert self.llm is not None
        profile = turn.profile
        history = [] if session_id.startswith(UNSAVED) else self.sessions.history(session_id)
        state = TurnState(profile=profile)  # the user's facts only: the model's never join them
        toolbox = Toolbox(self.retriever, self.default_rules, as_of, state, edition=edition)
        if profile:
            # The verdict is known before the first sentence, so every sentence can be checked
            # against it as it is streamed.
            await asyncio.to_thread(toolbox.ensure_report)
        guard = SentenceGuard(
            known=set(self.corpus.by_id),
            seen=state.seen,
            clause_text=self.clause_text,
            report=state.report,
            user_text=f"{question} {json.dumps(profile, ensure_ascii=False)}",
        )
        messages = build_messages(
            question, history, profile, self.corpus.editions, edition or self.default_rules.edition
        )
        agent = Agent(self.llm, timeout=self.settings.llm_timeout)
        async for sentence in agent.stream(messages, toolbox, guard):
            yield {"type": "token", "text": sentence}
        questions = confirm_questions(state.proposed)
        flags = list(guard.stats.flags)
        if questions:
            flags.append("unconfirmed_facts")
        extra = ["（以下情况不是您提供的，未用于核验；" + "；".join(questions) + "）"] if questions else []
        tail = guard.closing_note(extra)
        flags = list(dict.fromkeys([*flags, *guard.stats.flags]))
        if tail:
            yield {"type": "token", "text": tail}
        report = state.report
        missing = self.grounded.missing_facts(report, set()) if report else []
        answer = self._finish(
            question,
            session_id,
            None,
            mode="llm",
            text=guard.text + tail,
            cited=guard.cited,
            report=report,
            missing=questions + missing,
            flags=flags,
            intent="llm",
            profile=state.profile,
            prompt_version=load_prompt("system").version,
            edition=edition,
            turn=turn,
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

    def reload_index(self) -> dict[str, Any]:
        """Re-read the corpus and rebuild what changed (the dense side only if this service has
        one), then answer from the new index. The other workers and hosts sharing the store
        follow within CORPUS_CHECK_SECONDS (CorpusFollower)."""
        from assistant.knowledge.index import load_index

        generation = self.follower.read()  # before reading the corpus: a later change is not missed
        index, info = load_index(self.settings, dense=self.retriever.index.has_dense)
        retriever = Retriever(index, self.retriever.fusion)
        grounded = GroundedAnswerer(retriever, self.default_rules, self.intents, self.catalog)
        self.retriever, self.grounded = retriever, grounded
        self.follower.seen = generation
        return {
            "documents": len(index.corpus.documents),
            "clauses": info.clauses,
            "embedded": info.embedded,
            "seconds": round(info.seconds, 2),
            "corpus_hash": info.corpus_hash,
        }

    def feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per answer and caller (`key`); NotFoundError for an answer we never gave."""
        return self.sessions.add_feedback(answer_id, rating, comment, key)


#: The draft formats review reads.
REVIEW_SUFFIXES = (".docx", ".txt", ".md", ".markdown")


def safe_filename(name: str, fallback: str) -> str:
    """The last path component, with characters no file system accepts replaced."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = re.sub(r"[\x00-\x1f<>:\"|?*]", "_", base)[:120]
    return base or fallback
