"""Request and response models of the HTTP API, with the Chinese examples shown in /docs.

Core models are reused as they are (`Answer`, `Citation`, `CheckReport`, `EnterpriseProfile`,
`DraftSpec`, `Draft`, `ReviewReport`), so the API cannot drift from what the CLI prints; this
module adds the HTTP-only shapes (requests, listings, the OpenAI-compatible chat, errors) and
the examples. Size limits live on the fields: an over-long field is a 422 naming the field, an
over-large body a 413, before any work is done.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal, cast

from pydantic import BaseModel, ConfigDict, Field

from assistant.config import REPO_ROOT
from assistant.drafting import Draft
from assistant.rules import EnterpriseProfile
from assistant.service import MAX_QUESTION_CHARS, Citation
from assistant.vocabulary import DEFAULT_TIER, Tier

SESSION_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
ANSWER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
MAX_REVIEW_CHARS = 200_000
MAX_CHAT_MESSAGES = 100
MAX_CHAT_CONTENT = 20_000

# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_request"])
    message: str = Field(examples=["请求参数不合法：查询参数 k：应不大于 50，收到 99"])
    request_id: str = Field(examples=["5f0c3a9e8b7d4c2a9e1f6b3d2c1a0e9f"])


class ErrorResponse(BaseModel):
    """Every 4xx/5xx response."""

    error: ErrorBody


# ---------------------------------------------------------------------------------------------
# Operations
# ---------------------------------------------------------------------------------------------


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Dependency(BaseModel):
    """One dependency as /readyz found it."""

    status: Literal["ok", "degraded", "down", "configured", "not_configured"] = Field(
        description="ok 正常；degraded 降级但仍可服务；down 不可用；configured / not_configured "
        "仅表示是否配置（大模型，就绪检查从不调用）",
        examples=["ok"],
    )
    backend: str | None = Field(default=None, description="所用后端", examples=["postgresql"])
    detail: str = Field(description="中文说明", examples=["会话数据库可用"])
    ms: float | None = Field(
        default=None, description="本次检查耗时（毫秒）；未实际检查的为空", examples=[1.8]
    )


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    clauses: int = Field(examples=[140])
    editions: list[str] = Field(examples=[["2024", "2025"]])
    dense: bool = Field(description="向量检索是否启用", examples=[True])
    llm: bool = Field(description="是否配置了大模型；否则为依据条款直接回答", examples=[False])
    degraded: list[str] = Field(
        default_factory=list, description="降级运行（仍可服务）的依赖名，如 rate_limit", examples=[[]]
    )
    dependencies: dict[str, Dependency] = Field(
        default_factory=dict,
        description="各依赖的状态：index（索引）、database（会话数据库）、rate_limit（限流存储）、llm（大模型）",
    )


class NotReady(ErrorResponse):
    """/readyz when a dependency that serves requests is down: the one error shape, plus what
    each dependency was found in."""

    dependencies: dict[str, Dependency] = Field(description="各依赖的状态，同 Ready.dependencies")


# ---------------------------------------------------------------------------------------------
# Search
# ---------------------------------------------------------------------------------------------


class Hit(BaseModel):
    """A clause returned by search (docs/contracts.md hit shape, plus its heading path and status)."""

    clause_id: str = Field(examples=["conditions#四.(一).3"])
    doc_id: str = Field(examples=["conditions"])
    title: str = Field(examples=["智能工厂梯度培育要素条件"])
    edition: str = Field(examples=["2024"])
    text: str = Field(examples=["3.生产作业：开展多场景数智技术应用，……"])
    heading: str = Field(examples=["附件2 智能工厂梯度培育要素条件 › 四、卓越级智能工厂 › (一)建设内容"])
    status: str = Field(examples=["official"])
    score: float | None = Field(default=None, description="融合得分；按编号查条款时为空")


class SearchResponse(BaseModel):
    query: str = Field(examples=["卓越级对生产作业有什么要求"])
    hits: list[Hit]
    no_match: bool = Field(default=False, description="没有相关条款时为 true（hits 为空）")
    message: str | None = Field(default=None, description="no_match 为 true 时给用户看的提示")


class Editions(BaseModel):
    editions: list[str] = Field(description="语料中的文件版本", examples=[["2024", "2025"]])
    rule_editions: list[str] = Field(
        default_factory=list, description="层级核验规则的版本（/v1/check 的 edition）", examples=[["2024"]]
    )
    scenario_editions: list[str] = Field(
        default_factory=list,
        description="场景指引数据的版本（/v1/scenarios、/v1/draft 的 edition）",
        examples=[["2024", "2025"]],
    )


# ---------------------------------------------------------------------------------------------
# Ask
# ---------------------------------------------------------------------------------------------


class AskRequest(BaseModel):
    """docs/contracts.md ask body; `as_of` is an addition (the date deadlines are judged against)."""

    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="用户的问题（作为数据处理，不作为指令）"
    )
    session: str | None = Field(
        default=None, pattern=SESSION_PATTERN, description="会话编号；多轮对话时传回上次返回的 session"
    )
    profile: EnterpriseProfile | None = Field(default=None, description="企业画像（可选，字段均可缺省）")
    edition: str | None = Field(default=None, max_length=16, description="只依据某版本的文件，如 2024")
    stream: bool = Field(default=False, description="true 时以 text/event-stream 逐段返回")
    as_of: dt.date | None = Field(default=None, description="评估日期（默认今天），决定申报窗口是否已截止")

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "question": "我们是内蒙古的有色金属分公司，能报卓越级吗？",
                    "session": None,
                    "profile": None,
                    "edition": None,
                    "stream": False,
                },
                {"question": "企业网上申报最晚哪天？", "stream": True},
            ]
        }
    )


ASK_EXAMPLES: dict[str, dict[str, Any]] = {
    "普通提问": {
        "summary": "普通提问（JSON 返回）",
        "value": {"question": "企业网上申报最晚哪天？"},
    },
    "带企业画像": {
        "summary": "带企业画像，附规则核验结论",
        "value": {
            "question": "我们能报卓越级吗？还差什么？",
            "profile": {
                "enterprise": {"province": "江苏省", "industry": "汽车", "legal_form": "independent"},
                "maturity": {"level": 3, "assessed_by": "third_party"},
            },
        },
    },
    "流式": {
        "summary": "流式返回（text/event-stream）",
        "value": {"question": "纸质材料寄到哪里？", "stream": True},
    },
}

ANSWER_EXAMPLE: dict[str, Any] = {
    "answer": "按2024年度文件，时间节点如下：\n- 申报主体完成线上申报：2024年11月22日前【notice#二.(二).1】",
    "mode": "grounded",
    "citations": [
        {
            "clause_id": "notice#二.(二).1",
            "text": "1.申报主体参考……于2024年11月22日前完成线上申报。",
            "heading": "关于开展2024年度智能工厂梯度培育行动的通知 › 二、2024年度卓越级智能工厂培育工作 › (二)组织实施",
            "title": "关于开展2024年度智能工厂梯度培育行动的通知",
        }
    ],
    "verdict": None,
    "missing_facts": [],
    "session": "044872a67fc1494abd763e98e3374a0b",
    "answer_id": "084f683961d74bc88466194f7395e41c",
    "edition": "2024",
    "flags": [],
    "intent": "deadline",
    "profile": {},
    "prompt_version": None,
}

SSE_EXAMPLE = (
    'event: token\ndata: {"type": "token", "text": "按2024年度文件，时间节点如下"}\n\n'
    'event: final\ndata: {"type": "final", "answer": {"answer": "……", "mode": "grounded", "citations": [], '
    '"verdict": null, "missing_facts": [], "session": "044872a67fc1494abd763e98e3374a0b"}}\n\n'
)

# ---------------------------------------------------------------------------------------------
# Check
# ---------------------------------------------------------------------------------------------

# The docs/contracts.md example profile; examples/profile.json is its one copy (README and tests use it too).
PROFILE_EXAMPLE: dict[str, Any] = json.loads(
    (REPO_ROOT / "examples" / "profile.json").read_text(encoding="utf-8")
)

CHECK_EXAMPLES: dict[str, dict[str, Any]] = {
    "完整画像": {"summary": "完整的企业画像", "value": PROFILE_EXAMPLE},
    "部分画像": {
        "summary": "只知道部分情况（缺的字段视为未知）",
        "value": {"enterprise": {"industry": "纺织", "legal_form": "branch"}, "maturity": {"level": 2}},
    },
}

# ---------------------------------------------------------------------------------------------
# Draft and review
# ---------------------------------------------------------------------------------------------


class DraftResponse(Draft):
    """The drafter's Draft plus the whole draft as Markdown under `text` (the shape
    `assistant draft --json` prints). The field is `markdown` in Python because Draft.text() is
    a method; it is serialised as `text`."""

    model_config = ConfigDict(populate_by_name=True)

    markdown: str = Field(serialization_alias="text", description="整份草稿（Markdown）")


DRAFT_EXAMPLE: dict[str, Any] = {
    "enterprise": "青禾动力科技有限公司（虚构示例）",
    "project_name": "新能源汽车电驱动壳体智能工厂",
    "target_tier": "卓越级",
    "edition": "2025",
    "contact": {"name": "林晓（虚构）", "mobile": "13800000000"},
    "scenarios": [
        {
            "segment": "生产作业",
            "scenario": "AI质检",
            "instance_name": "电驱壳体气密与外观缺陷的AI视觉在线检测",
            "built": ["机器视觉检测工位", "自研缺陷识别模型"],
            "kpis": [
                {
                    "name": "产品不良率下降",
                    "measure": "产品不良率",
                    "measure_unit": "%",
                    "before": 2.4,
                    "after": 0.9,
                    "change": 62.5,
                    "period": "2024年1–6月对比2021年同期",
                }
            ],
        }
    ],
}


class ReviewRequest(BaseModel):
    """Review pasted draft text (JSON body); upload a file as multipart/form-data instead."""

    text: str = Field(
        min_length=1, max_length=MAX_REVIEW_CHARS, description="申报书草稿文字（纯文本或 Markdown）"
    )
    tier: Tier = Field(default=cast(Tier, DEFAULT_TIER), description="目标层级")
    edition: str | None = Field(
        default=None, max_length=16, description="对照的场景指引版本（默认：本轮申报所依据的版本）"
    )

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "text": "典型场景实例：\n1.生产作业—质量精准追溯—电驱壳体全流程质量追溯\n建设成效：产品不良率由2.4%降至0.9%。",
                    "tier": "卓越级",
                    "edition": "2024",
                }
            ]
        }
    )


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


class SegmentOut(BaseModel):
    name: str = Field(examples=["工厂建设"])
    link: str | None = Field(examples=["工厂建设"], description="对应的要素条件环节；空表示不在五个环节内")
    clause_id: str = Field(examples=["guide2025#工厂建设"])
    extra: bool = False


class ScenarioOut(BaseModel):
    name: str = Field(examples=["工厂数字化规划设计"])
    segment: str = Field(examples=["工厂建设"])
    link: str = Field(examples=["工厂建设"])
    clause_id: str = Field(examples=["guide2025#工厂建设"])
    multi_link: bool = False


class ScenarioEdition(BaseModel):
    edition: str = Field(examples=["2025"])
    status: str = Field(examples=["draft"], description="official 为正式版；其他为征求意见稿等")
    source: str
    note: str
    link_mapping_status: str
    clause_ids: list[str]
    segments: list[SegmentOut]
    scenarios: list[ScenarioOut] = Field(description="该版本收录的场景名称；2024年版未收录场景名称，为空")


class ScenariosResponse(BaseModel):
    links: list[str] = Field(examples=[["工厂建设", "研发设计", "生产作业", "生产管理", "运营管理"]])
    editions: list[ScenarioEdition]


# ---------------------------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------------------------


class FeedbackRequest(BaseModel):
    answer_id: str = Field(
        pattern=ANSWER_ID_PATTERN,
        description="回答中的 answer_id",
        examples=["084f683961d74bc88466194f7395e41c"],
    )
    rating: int = Field(ge=1, le=5, description="评分 1–5（5 最好）；“有用/没用”可记为 5/1", examples=[5])
    comment: str = Field(
        default="", max_length=2000, description="意见（可选）", examples=["截止日期说得很清楚"]
    )


class FeedbackResponse(BaseModel):
    id: int = Field(examples=[1])
    answer_id: str = Field(examples=["084f683961d74bc88466194f7395e41c"])
    status: Literal["recorded"] = "recorded"


# ---------------------------------------------------------------------------------------------
# OpenAI-compatible chat
# ---------------------------------------------------------------------------------------------

MODEL_ID = "smart-factory-assistant"


class ContentPart(BaseModel):
    """One part of a multi-part message; only text parts are read."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(max_length=32, examples=["text"])
    text: str | None = Field(default=None, max_length=MAX_CHAT_CONTENT)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: (
        Annotated[str, Field(max_length=MAX_CHAT_CONTENT)]
        | Annotated[list[ContentPart], Field(max_length=50)]
        | None
    ) = None

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text or "" for part in self.content or [] if part.type == "text")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat.completions request. The last user message is the question; system
    messages from the client are ignored (the assistant's own rules are not negotiable), other
    OpenAI parameters (temperature, max_tokens …) are accepted and ignored. `session`, `profile`
    and `edition` are extensions (pass them with the client's extra_body)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": MODEL_ID,
                    "messages": [{"role": "user", "content": "每个省最多推荐几个项目？"}],
                    "stream": False,
                }
            ]
        },
    )

    model: str = Field(default=MODEL_ID, max_length=128)
    messages: list[ChatMessage] = Field(min_length=1, max_length=MAX_CHAT_MESSAGES)
    stream: bool = False
    stream_options: StreamOptions | None = None
    session: str | None = Field(default=None, pattern=SESSION_PATTERN, description="扩展：会话编号")
    profile: EnterpriseProfile | None = Field(default=None, description="扩展：企业画像")
    edition: str | None = Field(default=None, max_length=16, description="扩展：文件版本")


class ChatResponseMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: ChatResponseMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """Character counts (Chinese runs at about one token per character); no tokenizer is loaded."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    """OpenAI chat.completion, plus `citations`, `session`, `answer_id` and `mode`: the
    references travel with the answer both in the message text (a 参考条款 block) and as data."""

    id: str = Field(examples=["chatcmpl-084f683961d74bc88466194f7395e41c"])
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    citations: list[Citation]
    session: str
    answer_id: str
    mode: Literal["llm", "grounded"]
    #: The service's flags (llm_fallback, verdict_overridden, unsupported_figures_removed, …).
    flags: list[str] = Field(default_factory=list)


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "assistant"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


def profile_dict(profile: EnterpriseProfile | None) -> dict[str, Any] | None:
    """The profile as the user gave it: fields they left out stay out (missing = unknown)."""
    return profile.model_dump(mode="json", exclude_unset=True) if profile is not None else None
