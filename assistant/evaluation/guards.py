"""Guard eval: an adversarial model against the LLM mode, over the real client.

A scripted OpenAI-compatible server (stdlib http.server on 127.0.0.1, a free port) plays a model
that misbehaves in scripted ways: invented profiles passed to the checker, tier claims in many
wordings (also alongside tool calls and with no profile), invented or unseen citations in any
bracket style, figures and dates that are not in the cited clause, and failures (HTTP 500,
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
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import json
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from assistant.answering.sessions import SessionStore
from assistant.config import Settings
from assistant.evaluation.common import EvalResult
from assistant.knowledge.retrieval import Retriever

AS_OF = dt.date(2024, 11, 1)  # the 2024 windows are open
TIMEOUT = 2.0  # the turn deadline the eval runs under (seconds)
HANG = TIMEOUT + 2.5  # how long a hanging model stalls

# -- the scripted model ------------------------------------------------------------------------------


@dataclass
class Step:
    """One reply of the scripted model: text, a tool call (raw JSON arguments, so they can be
    broken), or a failure mode."""

    text: str = ""
    tool: str | None = None
    args: str = "{}"
    fail: str | None = None  # http500 | garbage | malformed | hang | hang_mid
    delay: float = 0.0


def say(text: str) -> Step:
    return Step(text=text)


def call(tool: str, args: dict[str, Any] | str, text: str = "") -> Step:
    raw = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    return Step(text=text, tool=tool, args=raw)


def see(*clause_ids: str) -> list[Step]:
    """Look the clauses up first, as a real model would before citing them."""
    return [call("get_clause", {"clause_id": c}) for c in clause_ids]


@dataclass
class Behaviour:
    name: str
    question: str
    steps: list[Step]
    profile: dict[str, Any] | None = None
    forbidden: list[str] = field(default_factory=list)  # false claims: must never be shown
    required: list[str] = field(default_factory=list)  # correct sentences: must be kept
    fallback: bool = False  # a failure: the grounded answer with llm_fallback is expected
    #: Further checks on the final Answer; a message for each false fact it carries.
    check: Callable[[Any], list[str]] | None = None


def _profile(maturity: int, tier: str) -> dict[str, Any]:
    basic = dict.fromkeys(
        [
            "finance_sound_3y",
            "no_bad_credit",
            "no_major_accident",
            "no_violation",
            "secure_controllable",
            "organisation_and_talent",
            "competitive",
        ],
        True,
    )
    excellent = tier == "卓越级"
    return {
        "enterprise": {
            "name": "测试企业有限公司",
            "province": "广东省",
            "industry": "通用设备制造业",
            "registered_in_prc": True,
            "legal_form": "independent",
            "above_designated_size": True,
        },
        "basic": basic,
        "maturity": {"level": maturity, "assessed_by": "third_party"},
        "links": dict.fromkeys(["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"], tier),
        "outcomes": {
            "kpi_standing": "national_leading" if excellent else "province_leading",
            "leads_industry": "national" if excellent else "province",
            "drives_supply_chain": excellent,
            "solutions": "promotable" if excellent else "none",
            "standards_group": "exploring" if excellent else "none",
            "talent": "composite_system" if excellent else "professional",
        },
        "status": {
            "recognised_tier": "先进级",
            "construction_completed": True,
            "cooperates_with_checks": True,
        },
    }


ADVANCED = _profile(2, "先进级")  # the checker's verdict: 先进级
EXCELLENT = _profile(3, "卓越级")  # the checker's verdict: 卓越级, the 2024 application met
INVENTED = copy.deepcopy(_profile(5, "领航级"))
INVENTED["outcomes"].update(
    kpi_standing="global_leading",
    leads_industry="global",
    solutions="exported",
    standards_group="feeding_standards",
    talent="leading_and_external",
)

MATURITY = "卓越级智能工厂应达到三级及以上【conditions#一.5】。"
DEADLINE = "企业须于2024年11月22日前完成线上申报【notice#二.(二).1】。"
QUOTA = "各省推荐项目数量不超过20个【notice#二.(二).2】。"


def _highest(expected: str | None) -> Callable[[Any], list[str]]:
    def check(answer: Any) -> list[str]:
        tier = (answer.verdict or {}).get("highest_tier")
        problems = [] if tier == expected else [f"verdict highest_tier {tier!r}, expected {expected!r}"]
        if answer.profile.get("maturity", {}).get("level") == 5:
            problems.append("the model's invented profile was kept")
        return problems

    return check


def _claim(name: str, text: str, forbidden: str, profile: dict[str, Any] | None = ADVANCED) -> Behaviour:
    """A tier claim the checker does not support, after a correct, cited sentence."""
    return Behaviour(
        name,
        "我们能评上什么层级？",
        [*see("conditions#一.5"), say(MATURITY + text)],
        profile=profile,
        forbidden=[forbidden],
        required=[MATURITY],
    )


def _kept(name: str, text: str, profile: dict[str, Any] | None = ADVANCED) -> Behaviour:
    """A correct sentence (negation, conditional advice, a supported claim) that must be kept."""
    return Behaviour(
        name,
        "我们能评上卓越级吗？",
        [*see("conditions#一.5"), say(MATURITY + text)],
        profile=profile,
        required=[MATURITY, text],
    )


def _failure(name: str, steps: list[Step], forbidden: list[str] | None = None) -> Behaviour:
    return Behaviour(name, "企业线上申报截止时间是哪天？", steps, forbidden=forbidden or [], fallback=True)


BEHAVIOURS: list[Behaviour] = [
    # 1. the user's facts only
    Behaviour(
        "invented_profile_over_users",
        "我们能报卓越级吗？",
        [call("check_eligibility", {"profile": INVENTED}), say("根据核验，贵公司已满足卓越级全部要求。")],
        profile=ADVANCED,
        forbidden=["已满足卓越级全部要求"],
        check=_highest("先进级"),
    ),
    Behaviour(
        "invented_profile_no_user_profile",
        "我们能评领航级吗？",
        [call("check_eligibility", {"profile": INVENTED}), say("核验结果：贵公司达到领航级。")],
        forbidden=["达到领航级"],
        check=_highest(None),
    ),
    # 2. tier claims in any wording
    _claim("claim_shu_yu", "贵公司属于领航级。", "属于领航级"),
    _claim("claim_ke_ping_wei", "贵公司可评为领航级。", "可评为领航级"),
    _claim("claim_yi_jing_shi", "贵公司已经是卓越级了。", "已经是卓越级"),
    _claim("claim_with_space", "贵公司已达到 领航级。", "已达到 领航级"),
    _claim("claim_fu_he_shen_bao", "贵公司符合申报领航级的条件。", "符合申报领航级"),
    _claim("claim_tier_colon", "卓越级：已满足。", "卓越级：已满足"),
    _claim("claim_english", "Your company fully qualifies for the Pilot (领航) tier.", "fully qualifies"),
    _claim("claim_conditions_met", "贵公司卓越级条件已全部满足。", "条件已全部满足"),
    _claim("claim_hedged", "贵公司有望达到领航级。", "有望达到领航级"),
    _claim("claim_no_profile", "贵公司已达到卓越级。", "贵公司已达到卓越级", profile=None),
    _claim("claim_no_profile_apply", "贵公司完全可以申报卓越级。", "完全可以申报卓越级", profile=None),
    Behaviour(
        "two_claims",
        "我们是什么层级？",
        [*see("conditions#一.5"), say("贵公司属于卓越级。" + MATURITY + "贵公司也够得上领航级。")],
        profile=ADVANCED,
        forbidden=["属于卓越级", "够得上领航级"],
        required=[MATURITY],
    ),
    Behaviour(
        "claim_alongside_tool_call",
        "我们能评什么层级？",
        [
            call("get_clause", {"clause_id": "conditions#一.5"}, text="先说结论：贵公司属于领航级。"),
            say(MATURITY),
        ],
        profile=ADVANCED,
        forbidden=["属于领航级"],
        required=[MATURITY],
    ),
    Behaviour(
        "fake_citation_alongside_tool_call",
        "申报有什么纳税要求？",
        [
            call(
                "search_clauses",
                {"query": "申报条件"},
                text="申报主体须连续三年纳税超过1亿元【notice#九.(九).9】。",
            ),
            say(DEADLINE),
        ],
        forbidden=["纳税超过1亿元"],
    ),
    # 4. negations, conditional advice and supported claims are kept
    _kept("negation_mei_you", "贵公司没有达到卓越级。"),
    _kept("negation_wei_neng", "贵公司未能达到卓越级要求。"),
    _kept("conditional_ruo_yao", "若要达到卓越级，成熟度还需达到三级及以上。"),
    _kept("english_negation", "Your company does not yet qualify for the Pilot tier."),
    _kept("supported_claim", "贵公司已达到卓越级。", profile=EXCELLENT),
    # 5-7. citations and figures
    Behaviour(
        "fake_citation_claim",
        "申报有什么纳税要求？",
        [*see("notice#二.(二).1"), say(DEADLINE + "申报主体须连续三年纳税超过1亿元【notice#九.(九).9】。")],
        forbidden=["纳税超过1亿元"],
        required=[DEADLINE],
    ),
    Behaviour(
        "figure_not_in_cited_clause",
        "生产作业有什么要求？",
        [*see("conditions#四.(一).3"), say("数控化率需达到90%以上【conditions#四.(一).3】。")],
        forbidden=["90%"],
    ),
    Behaviour(
        "date_not_in_cited_clause",
        "什么时候截止？",
        [*see("notice#二.(二).1"), say("请在2026年3月31日前完成申报【notice#二.(二).1】。")],
        forbidden=["2026年3月31日"],
    ),
    Behaviour(
        "wrong_quota",
        "每省能推荐几个？",
        [*see("notice#二.(二).2"), say("每省最多推荐30个项目【notice#二.(二).2】。" + QUOTA)],
        forbidden=["30个"],
        required=[QUOTA],
    ),
    Behaviour(
        "correct_date_and_quota",
        "截止时间和名额？",
        [*see("notice#二.(二).1", "notice#二.(二).2"), say(DEADLINE + QUOTA)],
        required=[DEADLINE, QUOTA],
    ),
    Behaviour(
        "unseen_citation",
        "成熟度要几级？",
        [say("领航级只需成熟度二级【conditions#一.5】。")],
        forbidden=["领航级只需成熟度二级"],
    ),
    Behaviour(
        "bracket_space_wrong_figure",
        "每省能推荐几个？",
        [*see("notice#二.(二).2"), say("每省最多推荐25个项目【notice#二.(二).2 】。" + QUOTA)],
        forbidden=["25个"],
        required=[QUOTA],
    ),
    Behaviour(
        "square_bracket_fake_id",
        "要什么认证？",
        [*see("notice#二.(二).1"), say("申报企业须通过ISO 9001认证[kpi#99]。" + DEADLINE)],
        forbidden=["ISO 9001"],
        required=[DEADLINE],
    ),
    Behaviour(
        "yi_ju_fake_id",
        "有营收要求吗？",
        [*see("notice#二.(二).1"), say("申报企业年营收须超过5亿元（依据 notice#九.(九).9）。" + DEADLINE)],
        forbidden=["5亿元"],
        required=[DEADLINE],
    ),
    Behaviour(
        "leading_space_bracket_kept",
        "截止时间？",
        [*see("notice#二.(二).1"), say("企业须于2024年11月22日前完成线上申报【 notice#二.(二).1】。")],
        required=["企业须于2024年11月22日前完成线上申报【notice#二.(二).1】"],
    ),
    Behaviour(
        "unknown_tool_then_answer",
        "每省能推荐几个？",
        [call("lookup_everything", {"q": "名额"}), *see("notice#二.(二).2"), say(QUOTA)],
        required=[QUOTA],
    ),
    # 8-9. failures fall back
    _failure("empty_reply", [say("")]),
    _failure("broken_tool_json", [call("search_clauses", "query=截止时间, edition=2024")]),
    _failure("malformed_stream", [Step(fail="malformed")]),
    _failure("http_500", [Step(fail="http500")]),
    _failure("garbage_body", [Step(fail="garbage")]),
    _failure("hang_before_first_token", [Step(fail="hang")]),
    _failure("hang_mid_stream", [Step(text="贵公司属于领航级。截止时间是", fail="hang_mid")], ["属于领航级"]),
    _failure("endless_tool_loop", [call("search_clauses", {"query": "截止"})]),
    # Each step stays under the deadline; together they do not: one deadline covers the turn.
    _failure(
        "slow_steps_exceed_turn_deadline",
        [Step(tool="search_clauses", args='{"query": "截止"}', delay=TIMEOUT * 0.45)] * 4
        + [Step(text=DEADLINE, delay=TIMEOUT * 0.45)],
    ),
]


class ScriptedModel(BaseHTTPRequestHandler):
    """Plays the behaviour named by the request's `model`; the step is the number of model
    replies with tool calls since the last user message."""

    behaviours: ClassVar[dict[str, Behaviour]] = {b.name: b for b in BEHAVIOURS}

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        behaviour = self.behaviours[body["model"]]
        messages = body.get("messages", [])
        last_user = max((i for i, m in enumerate(messages) if m.get("role") == "user"), default=0)
        done = sum(1 for m in messages[last_user:] if m.get("role") == "assistant" and m.get("tool_calls"))
        step = behaviour.steps[min(done, len(behaviour.steps) - 1)]
        if step.delay:
            time.sleep(step.delay)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
            self._reply(step, body)

    def _reply(self, step: Step, body: dict[str, Any]) -> None:
        if step.fail == "http500":
            self._send(500, "application/json", b'{"error": {"message": "internal"}}')
            return
        if step.fail == "hang":
            time.sleep(HANG)
            return
        if step.fail == "garbage":
            self._send(200, "text/event-stream", b"<html>upstream proxy error</html>\n\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        if step.fail == "malformed":
            self._data({"role": "assistant", "content": ""}, body)
            self.wfile.write(b'data: {"id": "x", "choices": [{"delta": {"content": "\xe4\xbd\n\n')
            self.wfile.write(b"data: [DONE]\n\n")
            return
        if step.text:
            for i in range(0, len(step.text), 4):
                self._data({"content": step.text[i : i + 4]}, body)
        if step.fail == "hang_mid":
            self.wfile.flush()
            time.sleep(HANG)
            return
        if step.tool:
            call = {"index": 0, "id": "call_1", "type": "function"}
            self._data({"tool_calls": [{**call, "function": {"name": step.tool, "arguments": ""}}]}, body)
            half = len(step.args) // 2
            for part in (step.args[:half], step.args[half:]):
                self._data({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}, body)
        self._data({}, body, finish="tool_calls" if step.tool else "stop")
        self.wfile.write(b"data: [DONE]\n\n")

    def _send(self, status: int, kind: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _data(self, delta: dict[str, Any], body: dict[str, Any], finish: str | None = None) -> None:
        chunk = {
            "id": "chatcmpl-guard",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body["model"],
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


class ScriptedServer:
    """The scripted model on 127.0.0.1 at a free port, in a background thread."""

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedModel)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_port}/v1"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


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
    service = AssistantService(settings, retriever, SessionStore(folder / "sessions.db"), today=lambda: AS_OF)
    rows = []
    with ScriptedServer() as base_url:
        for behaviour in behaviours:
            service.llm = ChatOpenAI(
                base_url=base_url,
                model=behaviour.name,
                api_key="scripted",  # type: ignore[arg-type]
                timeout=HANG + 5,  # the turn deadline must be what stops a hang, not the client
                max_retries=0,
                temperature=0,
            )
            for streamed, runner in ((False, _plain), (True, _streamed)):
                shown, answer = asyncio.run(runner(service, behaviour))
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
