"""The one facade that the API, the web UI, the CLI and the evals call.

It owns the loaded index, the rules, the session store and the LLM (if configured), and decides
the mode of each answer: LLM when configured and working, grounded otherwise (automatic fallback
on error or timeout, logged and flagged). Nothing above this module holds logic of its own.
It is composed of parts, each held as an attribute: `store` (sessions, answer log, change
log, logins), `drafting` (DraftingDesk: drafting, export and review, which need no index),
`console` (the operator console), `logins` (the web page's login sessions) and `recorder`
(writing each answered turn, record.py). The answer models, the merging of a turn's facts and
the corpus follower live beside it in this package, each with one job.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from langchain_core.language_models import BaseChatModel

from assistant.answering import (
    Agent,
    EnterpriseReader,
    GroundedAnswerer,
    IntentTable,
    SentenceGuard,
    Toolbox,
    TurnState,
    asked_years,
    build_messages,
    confirm_questions,
)
from assistant.config import Settings
from assistant.console import Console
from assistant.errors import LLMError, QuestionError, UnknownEditionError
from assistant.knowledge.corpus import Clause, load_corpus
from assistant.knowledge.retrieval import (
    MIN_SEARCH_EVIDENCE,
    NO_MATCH_MESSAGE,
    Hit,
    Retriever,
    load_retriever,
    validate_query,
)
from assistant.knowledge.scenarios import load_catalog
from assistant.prompts import load_prompt
from assistant.rules import (
    CheckReport,
    RoundChoice,
    Rounds,
    RuleSet,
    available_editions,
    check,
    field_label,
    load_rules,
    parse_profile,
)
from assistant.service import answers
from assistant.service.answers import Answer, UnderstoodFact
from assistant.service.desk import DraftingDesk, make_llm
from assistant.service.follow import CORPUS_CHECK_SECONDS, GENERATION_WAIT, CorpusFollower
from assistant.service.logins import LoginSessions
from assistant.service.record import TurnRecorder
from assistant.service.turns import Turn, start_turn
from assistant.store import ANONYMOUS, Store
from assistant.vocabulary import RATING_DOWN, RATING_UP, fix_tier_typos

if TYPE_CHECKING:
    from assistant.knowledge.index import IndexBuild

log = logging.getLogger("assistant.service")
STREAM_CHUNK = 12


class AssistantService:
    """Search, check and ask; draft and review through `drafting`; operators' work through
    `console`. Build once per process with `from_settings`."""

    def __init__(
        self,
        settings: Settings,
        retriever: Retriever,
        store: Store,
        llm: BaseChatModel | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ) -> None:
        self.settings = settings
        self.retriever = retriever
        self.store = store
        self.llm = llm
        self.today = today
        self.rules_dir = settings.corpus_dir / "rules"
        self._rules_lock = threading.Lock()
        self._rounds_cache: tuple[tuple[tuple[str, int], ...], Rounds] | None = None
        #: The latest held round whose rules load: a broken rules file does not stop the service.
        self.default_rules = self.rounds().latest
        self.catalog = load_catalog(settings.corpus_dir)
        self.intents = IntentTable.load(settings.corpus_dir / "data" / "intents.yaml")
        self.reader = EnterpriseReader(settings.corpus_dir / "data")
        self.drafting = DraftingDesk(
            settings, self.catalog, self.default_rules, llm, today=lambda: self.today()
        )
        self.grounded = self._grounded(retriever)
        self._install_lock = threading.Lock()
        self.follower = CorpusFollower(self._generation, self.reload_index, CORPUS_CHECK_SECONDS)
        self.console = Console(settings, store, self)
        self.logins = LoginSessions(settings, store.logins)
        self.recorder = TurnRecorder(store, settings, lambda: self.corpus, self.default_rules.edition)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, llm: BaseChatModel | None = None, retriever: Retriever | None = None
    ) -> AssistantService:
        """The service the settings describe; `retriever` replaces the index they name (tests)."""
        store = Store.from_settings(settings)
        # Read before the index is loaded: a change made while it loads is then caught up with.
        generation = CorpusFollower(store.changes.generation, lambda: None).seen
        retriever = retriever or load_retriever(settings)
        service = cls(settings, retriever, store, llm or make_llm(settings))
        service.follower.seen = generation
        return service

    def _generation(self) -> int:
        """The store's corpus generation, read within GENERATION_WAIT: a hung store costs the
        request that checks it that long at most, and the worker answers from its index."""
        return self.store.db.within(GENERATION_WAIT, self.store.changes.generation)

    def _grounded(self, retriever: Retriever) -> GroundedAnswerer:
        """The default round's answerer; each round's answerer is made when first asked, and
        made again when the index or the rules files change."""
        self._answerers: dict[tuple[str, Rounds], GroundedAnswerer] = {}
        return self._round_answerer(self.default_rules, retriever)

    def _round_answerer(self, rules: RuleSet, retriever: Retriever) -> GroundedAnswerer:
        """Answers by one round's rules from its own documents and the shared ones: another
        round's documents are hidden, so a lead never mixes two rounds' dates or quotas."""
        foreign = self.rounds().foreign(rules.edition, retriever.index.corpus)
        return GroundedAnswerer(retriever.hiding(foreign), rules, self.intents, self.catalog, self.reader)

    def rounds(self) -> Rounds:
        """Every held round (one per rules file that loads). A broken rules file is logged and
        left out, so the held rounds still answer; asking for it by name reports it."""
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(self.rules_dir.glob("*.yaml")))
        cached = self._rounds_cache
        if cached is not None and cached[0] == stamp:
            return cached[1]
        rounds = Rounds.load(self.rules_dir)
        for message in rounds.broken.values():
            log.warning("rules file left out: %s", message)
        self._rounds_cache = (stamp, rounds)
        return rounds

    def choose_round(self, question: str, turn: Turn, as_of: dt.date) -> RoundChoice:
        """The round a question is about: the year it names, else one its session named, else
        the company's province's own round for the tier discussed, else the round open on
        ``as_of``, else the latest held (docs/contracts.md, rounds)."""
        not_rounds = turn.reading.construction_years if turn.reading else set()
        earlier = [year for said in turn.earlier_questions for year in asked_years(said)]
        province = (turn.profile.get("enterprise") or {}).get("province")
        return self.rounds().choose(
            asked_years(question, not_rounds), earlier, as_of, region=province, tier=turn.tier
        )

    def compared_round(self, question: str, choice: RoundChoice) -> RuleSet | None:
        """Another held round the question names beside the chosen one ("2099年和2024年有什么
        变化"): the answer may then compare them. None when it names one round or none."""
        rounds = self.rounds()
        named = [r for year in asked_years(question) if (r := rounds.get(year)) is not None]
        return next((r for r in named if r.edition != choice.edition), None)

    def _answerer(self, edition: str) -> GroundedAnswerer:
        """The answerer of a held round over the index served now. Keyed by the rounds held
        (a new ``Rounds`` whenever a rules file changes), so a replaced or added rules file is
        answered by from the next question on."""
        rounds = self.rounds()
        key = (edition, rounds)
        with self._rules_lock:
            answerer = self._answerers.get(key)
        if answerer is None:
            rules = rounds.get(edition) or self.default_rules
            answerer = self._round_answerer(rules, self.retriever)
            with self._rules_lock:
                if not any(held is rounds for _, held in self._answerers):
                    self._answerers.clear()  # built for rules files that have since changed
                answerer = self._answerers.setdefault(key, answerer)
        return answerer

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
        """One round's rules (default: the newest file); read again when the file changes."""
        return load_rules(self.rules_dir, edition)

    #: What an interface says when ``search`` returns no hits.
    no_match_message = NO_MATCH_MESSAGE

    def warm(self) -> int:
        """Build before traffic comes what the first requests would otherwise build, each paying
        for it: the reader's vocabulary (a jieba dictionary, ~1 s) and the vectors of the synonym
        table's document terms (~1 s). Returns how many terms are embedded. A server calls this at
        start-up; both outlive index reloads."""
        self.reader.warm()
        return self.retriever.index.warm_terms()

    def search(self, query: str, k: int = 5, edition: str | None = None) -> list[Hit]:
        """A user's search: no hits (and ``no_match_message`` to show) when the query shares no
        real word with the corpus, however the dense side would rank it."""
        self.follower.check()
        self._require_edition(edition)
        validate_query(query)
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
        day = as_of or self.today()
        rules = self.rules(edition) if edition is not None else self.rounds().by_date(day).rules
        return check(parse_profile(profile), rules, day)

    def read_profile_words(self, profile: dict[str, Any]) -> tuple[dict[str, Any], list[UnderstoodFact]]:
        """A profile whose free-text answers (所属行业, 所在省份) are read as chat reads the same
        words, and what was read, to show as chips: "电解铝" typed in 自评 is 有色金属 there, as it
        is in 咨询, so both judge the same company the same way. Values the reader does not know
        are kept as typed."""
        read = {
            section: dict(values) if isinstance(values, dict) else values
            for section, values in profile.items()
        }
        understood: list[UnderstoodFact] = []
        for path in ("enterprise.industry", "enterprise.province"):
            section, key = path.split(".")
            values = read.get(section)
            typed = values.get(key) if isinstance(values, dict) else None
            if not isinstance(typed, str) or not typed.strip():
                continue
            named = self.reader.named(path, typed)
            if named and named != typed:
                values[key] = named  # type: ignore[index]
                understood.append(
                    UnderstoodFact(field=path, value=named, label=field_label(path), said=typed)
                )
        return read, understood

    def clause_text(self, clause_id: str) -> str | None:
        clause = self.corpus.get(clause_id)
        return clause.text if clause else None

    # -- asking ---------------------------------------------------------------------------------

    def _validate_question(self, question: str, edition: str | None) -> str:
        question = (question or "").strip()
        if not question:
            raise QuestionError("问题不能为空")
        if len(question) > answers.MAX_QUESTION_CHARS:
            raise QuestionError(f"问题过长（{len(question)}字），请控制在{answers.MAX_QUESTION_CHARS}字以内")
        self._require_edition(edition)
        # "先近级" / "卓跃级" are read (and kept) as the tier meant.
        return fix_tier_typos(question)

    def _require_edition(self, edition: str | None) -> None:
        held = self.corpus.editions
        if edition is not None and edition not in held:
            raise UnknownEditionError(f"没有 {edition} 年版的文件；现有版本：{'、'.join(held)}")

    def _start_turn(
        self, question: str, session: str | None, profile: dict[str, Any] | None, owner: str
    ) -> tuple[str, Turn]:
        return start_turn(
            self.store.sessions,
            self.reader,
            question,
            session,
            profile,
            owner,
            wait=self.settings.database_session_wait,
        )

    def _grounded_answer(
        self,
        question: str,
        session_id: str,
        turn: Turn,
        edition: str | None,
        as_of: dt.date,
        extra_flags: list[str],
    ) -> Answer:
        choice = self.choose_round(question, turn, as_of)
        composed = self._answerer(choice.edition).answer(
            question,
            turn.profile,
            as_of,
            edition,
            facts=turn.understood,
            what_if=turn.what_if,
            not_rounds=turn.reading.construction_years if turn.reading else set(),
            covered=turn.reading.covered_links if turn.reading else None,
            stated_now=bool(turn.new_facts),
            tier=turn.tier,
            compared=self.compared_round(question, choice),
        )
        return self.recorder.finish(
            question,
            session_id,
            mode="grounded",
            text=composed.text,
            cited=composed.citations,
            report=composed.verdict,
            missing=composed.missing_facts,
            flags=extra_flags + composed.flags,
            intent=composed.intent,
            profile=composed.profile,
            prompt_version=None,
            edition=edition or composed.edition,
            turn=turn,
            lead=composed.lead,
            plan=composed.plan,
        )

    async def ask_events(
        self,
        question: str,
        session: str | None = None,
        profile: dict[str, Any] | None = None,
        edition: str | None = None,
        as_of: dt.date | None = None,
        owner: str = ANONYMOUS,
    ) -> AsyncIterator[dict[str, Any]]:
        """Events: {"type": "token", "text"} while the answer is produced, then one
        {"type": "final", "answer": Answer}. The final text is authoritative (guards may have
        changed what was streamed). `owner` is the caller's key id: a session is theirs alone."""
        started = time.perf_counter()
        if self.follower.due():  # the read and a (rare) reload off the event loop
            await asyncio.to_thread(self.follower.check)
        question = self._validate_question(question, edition)
        as_of = as_of or self.today()
        # SQLite work off the event loop, so one slow disk write does not stall other requests.
        session_id, turn = await asyncio.to_thread(self._start_turn, question, session, profile, owner)
        answer: Answer | None = None
        if self.llm is not None:
            shown: list[str] = []  # guarded text already on the user's screen
            fallback: tuple[str, str, list[str]] | None = None  # notice, note, flags
            try:
                async for event in self._llm_events(question, session_id, turn, edition, as_of):
                    if event["type"] == "final":
                        answer = event["answer"]
                    elif event["type"] == "withheld":
                        fallback = (answers.WITHHELD_NOTICE, answers.WITHHELD_NOTE, event["flags"])
                    else:
                        if event["type"] == "token":
                            shown.append(event["text"])
                        yield event
            except LLMError as exc:
                log.warning("LLM failed, answering in grounded mode: %s", exc.message)
                fallback = (answers.FALLBACK_NOTICE, answers.FALLBACK_NOTE, ["llm_fallback"])
            if fallback is not None:
                notice, note, flags = fallback
                grounded = await asyncio.to_thread(
                    self._grounded_answer, question, session_id, turn, edition, as_of, flags
                )
                yield {"type": "notice", "text": notice}
                # What was shown stays (every sentence of it passed the guard); the note and the
                # grounded answer follow, so the streamed text and the final text are the same.
                before = "".join(shown)
                gap = "" if not before else ("\n" if before.endswith("\n") else "\n\n")
                rest = f"{gap}{note}\n{grounded.answer}"
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
        history = [] if turn.new_session else await asyncio.to_thread(self._history, session_id)
        state = TurnState(profile=profile)  # the user's facts only: the model's never join them
        # The model's tools read the round the question is about, as the grounded answer does.
        round_answerer = self._answerer(self.choose_round(question, turn, as_of).edition)
        toolbox = Toolbox(round_answerer.retriever, round_answerer.rules, as_of, state, edition=edition)
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
            question, history, profile, self.corpus.editions, edition or round_answerer.rules.edition
        )
        agent = Agent(self.llm, timeout=self.settings.llm_timeout)
        async for sentence in agent.stream(messages, toolbox, guard):
            yield {"type": "token", "text": sentence}
        if guard.withheld_everything:
            # Nothing the model said survived with a clause behind it: the documents answer.
            log.info("model text withheld by the guard, answering in grounded mode")
            yield {"type": "withheld", "flags": ["llm_fallback", "model_text_withheld", *guard.stats.flags]}
            return
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
        answer = await asyncio.to_thread(  # the store's write off the event loop
            self.recorder.finish,
            question,
            session_id,
            mode="llm",
            text=guard.text + tail,
            cited=guard.cited,
            report=report,
            missing=questions + missing,
            flags=flags,
            intent="llm",
            profile=state.profile,
            prompt_version=load_prompt("system").version,
            edition=edition or round_answerer.rules.edition,
            turn=turn,
        )
        yield {"type": "final", "answer": answer}

    def _history(self, session_id: str) -> list[Any]:
        """The session's recent messages for the model, read within database_session_wait."""
        wait = self.settings.database_session_wait
        return self.store.db.within(wait, self.store.sessions.history, session_id)

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

    def reload_index(self, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
        """Re-read the corpus and rebuild what changed (the dense side only if this service has
        one), swap it in, then answer from the new index; ``progress(done, total)`` follows the
        sentences embedded. How a worker follows a change made elsewhere (CorpusFollower)."""
        generation = self.follower.read()  # before reading the corpus: a later change is not missed
        build = self.build_index(progress=progress)
        build.swap_in()
        return self.install_index(build, generation)

    def build_index(
        self, corpus_dir: Path | None = None, progress: Callable[[int, int], None] | None = None
    ) -> IndexBuild:
        """The index of the corpus in `corpus_dir` (the live folder by default), with this
        service's model, built beside the index it answers from: nothing is swapped or served
        until the caller says so (an operator's change promotes it when it commits)."""
        from assistant.knowledge.index import prepare_index

        current = self.retriever.index
        corpus = load_corpus(corpus_dir) if corpus_dir is not None else None
        return prepare_index(
            self.settings,
            dense=current.has_dense,
            corpus=corpus,
            embedder=current.embedder,
            progress=progress,
        )

    def install_index(self, build: IndexBuild, generation: int | None) -> dict[str, Any]:
        """Answer from `build` from now on; `generation`: the corpus generation it reflects. A
        build of an older generation than the one served (a follower's reload that read the
        corpus before this worker's own change committed) is not installed over it."""
        with self._install_lock:
            seen = self.follower.seen
            if generation is None or seen is None or generation >= seen:
                retriever = Retriever(build.index, self.retriever.fusion)
                self.retriever, self.grounded = retriever, self._grounded(retriever)
                self.follower.seen = generation
        return build.figures()

    def feedback(self, answer_id: str, rating: int, comment: str = "", key: str = "anonymous") -> int:
        """One vote per answer and caller (`key`); NotFoundError for an answer we never gave."""
        return self.store.answers.add_feedback(answer_id, rating, comment, key)

    def thumb(self, answer_id: str, up: bool, comment: str = "", key: str = "anonymous") -> int:
        """A thumb up or down, recorded on the one 1–5 scale (RATING_UP/RATING_DOWN), so the
        review queue reads a thumb from the page as it reads a rating from the API."""
        return self.feedback(answer_id, RATING_UP if up else RATING_DOWN, comment, key)
