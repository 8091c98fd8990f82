"""Draft the scenario part of a 卓越级 declaration from what the enterprise tells us.

Input is a ``DraftSpec`` (pydantic, JSON-friendly); output is a ``Draft``:

1. each typical scenario instance as ``环节名—场景名—实例名``, the form 附件4's example uses
   (form#示例). The example's ``(环节名)(场景名)(实例名)`` markers label the parts *of the
   example*; a filled-in table lists plain names, so lines carry no markers
   (``format_instance(..., markers=True)`` reproduces the example itself, and a test holds the
   two forms together);
2. 附件3 section 3 (场景建设情况: 项目总体情况, 具体场景建设情况, 系统集成情况; materials#3) and
   section 4 (建设成效: 先进性与特色, 实施成效 with a KPI table, 后续实施计划; materials#4);
3. the 附件4 row for this project;
4. checks, each with a severity (必须修改 / 建议修改 / 提示) and the clause ids behind it.

Nothing is invented. Every figure in the draft is one the user gave; where a figure or a fact is
missing the draft shows ``【待补充：…】`` instead, and the change of a 提升/下降 KPI is never
computed from before/after (a derived number is still a number the enterprise did not state).
Counts in prose are written in Chinese numerals so the only Arabic digits are the user's figures
and the documents' own numbering.

Edition: the default is ``"2025"``. The 2024 round's notice names the 2024 guide, but the corpus
does not hold its scenario names (only its 14 环节), so a 2024 draft can check 环节 and links but
never a scenario name. The 2025 list is a 征求意见稿 as reported by third parties: drafts built on
it carry a 提示 saying so and citing guide2025#说明, and the link mapping is our derivation
(guide2025#对应). Choose ``"2024"`` explicitly to draft against the 2024 guide's 环节.

``polish`` lets a chat model rewrite the prose. Its answer is accepted block by block only when
it keeps every figure, placeholder and instance line and adds none; otherwise the template text
stays and the draft says why.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from assistant.errors import CorpusError, DraftSpecError
from assistant.knowledge.scenarios import (
    Edition,
    MatchResult,
    ScenarioCatalog,
    coverage_gaps,
    load_catalog,
    normalise_name,
)
from assistant.prompts import load_prompt
from assistant.vocabulary import Tier

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

Severity = Literal["必须修改", "建议修改", "提示"]
SEVERITY_ORDER: dict[str, int] = {"必须修改": 0, "建议修改": 1, "提示": 2}

#: The separator of 附件4's example (form#示例): an em dash between 环节, 场景 and 实例.
SEP = "—"
#: Dashes people type instead of the em dash; review accepts them but suggests "—".
DASH_VARIANTS = "—―－–-"
PLACEHOLDER_RE = re.compile(r"【待补充[：:][^】]*】")
NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
LEADERSHIP_RE = re.compile(r"(国内|国际|全球|世界|行业)(同行业)?(领先|一流|先进水平)")

#: 附件3 section titles and their sub-items (the items named in materials#3 and materials#4).
SECTION3 = ("三", "智能工厂场景建设情况", "materials#3", ("项目总体情况", "具体场景建设情况", "系统集成情况"))
SECTION4 = ("四", "智能工厂建设成效", "materials#4", ("先进性与特色", "实施成效", "后续实施计划"))

#: Per tier: the clause on 建设成效 (二).1 and what it asks of the main indicators.
OUTCOME_CLAUSE: dict[str, tuple[str, str]] = {
    "基础级": ("conditions#二.(二).1", "主要技术经济指标应高于省(区、市)同行业平均水平"),
    "先进级": ("conditions#三.(二).1", "主要技术经济指标应处于省(区、市)同行业领先水平"),
    "卓越级": ("conditions#四.(二).1", "主要技术经济指标应处于国内同行业领先水平"),
    "领航级": ("conditions#五.(二).1", "主要技术经济指标全球领先"),
}

#: Words that make an instance name sound specific without naming anything.
GENERIC_WORDS = (
    "智能制造",
    "智能化",
    "数字化",
    "网络化",
    "信息化",
    "一体化",
    "智能",
    "数字",
    "系统",
    "平台",
    "建设",
    "应用",
    "项目",
    "场景",
    "管理",
    "工厂",
    "全面",
    "升级",
    "改造",
    "提升",
    "基于",
    "的",
    "与",
    "和",
    "及",
)
INSTANCE_NAME_MAX = 30
INSTANCE_NAME_MIN = 6
CN_DIGITS = "零一二三四五六七八九"


# ---------------------------------------------------------------------------------------------
# Findings (shared with review.py)
# ---------------------------------------------------------------------------------------------


class Finding(BaseModel):
    """One check result: what is wrong or worth knowing, how bad, and the rule behind it."""

    severity: Severity
    code: str
    message: str
    clause_ids: list[str] = []
    rule: str | None = None
    field: str | None = None
    excerpt: str | None = None


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: SEVERITY_ORDER[f.severity])


# ---------------------------------------------------------------------------------------------
# The 20 KPIs of 附1, read from the corpus
# ---------------------------------------------------------------------------------------------

KpiKind = Literal["level", "up", "down", "growth"]


class Kpi(BaseModel):
    """One KPI of 附1: its number, name and unit as printed, and how its figures read.

    ``level`` KPIs (数控化率, 投用率, 数量 …) are stated as a level before and after; ``up``/``down``
    ones (…提升, …下降/降低/缩短) are themselves a change, backed by before/after of the
    underlying measure; ``growth`` (销售增长率) is a rate that may be negative.
    """

    number: int
    name: str
    unit: str
    clause_id: str
    kind: KpiKind

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def measure(self) -> str:
        """The quantity a change KPI is about: 产品不良率下降 → 产品不良率."""
        return re.sub(r"(提升|下降|降低|缩短)$", "", self.name) if self.kind in ("up", "down") else self.name


_KPI_LINE = re.compile(r"^(?P<n>\d{1,2})\.(?P<name>.+)\((?P<unit>[^()]+)\)$")


def _kpi_kind(name: str) -> KpiKind:
    if name.endswith("提升"):
        return "up"
    if name.endswith(("下降", "降低", "缩短")):
        return "down"
    if name.endswith("增长率"):
        return "growth"
    return "level"


class KpiCatalog:
    """附1's KPIs by name; lookups accept the name, the name with its unit, or ``kpi#N``."""

    def __init__(self, kpis: list[Kpi]) -> None:
        self.kpis = kpis
        self._by_key: dict[str, Kpi] = {}
        for kpi in kpis:
            for key in (kpi.name, f"{kpi.name}({kpi.unit})", kpi.clause_id):
                self._by_key[normalise_name(key)] = kpi

    @classmethod
    def load(cls, corpus_dir: Path) -> KpiCatalog:
        from assistant.knowledge.corpus import load_corpus

        document = load_corpus(corpus_dir).document("kpi")
        if document is None:
            raise CorpusError("语料中没有附1（doc_id 为 kpi 的文档），无法核对关键绩效指标")
        kpis = []
        for clause in document.clauses:
            found = _KPI_LINE.match(clause.text.strip())
            if found:
                name = found.group("name").strip()
                kpis.append(
                    Kpi(
                        number=int(found.group("n")),
                        name=name,
                        unit=found.group("unit").strip(),
                        clause_id=clause.clause_id,
                        kind=_kpi_kind(name),
                    )
                )
        if len(kpis) != 20:
            raise CorpusError(f"附1应有20项关键绩效指标，语料中读到{len(kpis)}项")
        return cls(kpis)

    def get(self, name: str) -> Kpi | None:
        return self._by_key.get(normalise_name(name))

    def closest(self, name: str, limit: int = 3) -> list[str]:
        from assistant.knowledge.scenarios import similarity

        ranked = sorted(self.kpis, key=lambda k: -similarity(name, k.name))
        return [k.name for k in ranked[:limit]]

    def find_in(self, text: str) -> list[tuple[Kpi, int]]:
        """KPIs named in ``text`` (with the position after the name): review uses this."""
        norm = unicodedata.normalize("NFKC", text)
        found: list[tuple[Kpi, int, int]] = []
        for kpi in sorted(self.kpis, key=lambda k: -len(k.name)):
            name = unicodedata.normalize("NFKC", kpi.name)
            at = norm.find(name)
            if at >= 0 and not any(at >= s and at < e for _, s, e in found):
                found.append((kpi, at, at + len(name)))
        return [(kpi, end) for kpi, _, end in sorted(found, key=lambda x: x[1])]


@lru_cache(maxsize=4)
def _kpi_cached(corpus_dir: str, stamp: float) -> KpiCatalog:
    return KpiCatalog.load(Path(corpus_dir))


def load_kpis(corpus_dir: Path | None = None) -> KpiCatalog:
    corpus_dir = _corpus_dir(corpus_dir)
    kpi_file = corpus_dir / "kpi.md"
    return _kpi_cached(str(corpus_dir), kpi_file.stat().st_mtime if kpi_file.exists() else 0.0)


def _corpus_dir(corpus_dir: Path | None) -> Path:
    if corpus_dir is not None:
        return corpus_dir
    from assistant.config import settings

    return settings.corpus_dir


# ---------------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(_Spec):
    """联系人 and 联系方式(手机号) for the 附件4 row."""

    name: str | None = None
    mobile: str | None = None

    @field_validator("mobile")
    @classmethod
    def _mobile(cls, value: str | None) -> str | None:
        if value is None:
            return None
        digits = re.sub(r"[\s-]", "", value)
        if not re.fullmatch(r"1\d{10}", digits):
            raise ValueError(f"附件4要求填写手机号（11位，以1开头），收到 {value!r}")
        return digits


class Period(_Spec):
    """建设起止时间, as the user writes them ("2022年3月", "2022-03")."""

    start: str | None = None
    end: str | None = None


class KpiFigure(_Spec):
    """A KPI of 附1 with the user's figures.

    For a level KPI (e.g. 关键设备数控化率) ``before``/``after`` are the KPI itself in its unit.
    For a change KPI (e.g. 产品不良率下降) ``change`` is the KPI (in %) and ``before``/``after``
    are the underlying ``measure`` (default: the KPI name without 提升/下降, here 产品不良率) in
    ``measure_unit``. ``period`` says what is compared with what; ``benchmark`` the peer level.
    """

    name: str = Field(min_length=1)
    before: float | None = None
    after: float | None = None
    change: float | None = None
    measure: str | None = None
    measure_unit: str | None = None
    period: str | None = None
    benchmark: str | None = None


class ScenarioInstance(_Spec):
    """One typical scenario instance: where it sits in the guide, its name, and what was done.

    Give ``scenario`` (a catalog name or a common name such as "AI质检") and/or ``segment``
    (环节); or only ``text`` describing it, which is matched to the catalog. ``instance_name`` is
    the 实例名 of 附件4: concise and specific, like the example's 多机协同的发动机壳体柔性加工与检测.
    """

    segment: str | None = None
    scenario: str | None = None
    text: str | None = None
    instance_name: str = Field(min_length=1)
    built: list[str] = []
    description: str | None = None
    integration: list[str] = []
    kpis: list[KpiFigure] = []


class DraftSpec(_Spec):
    """Everything the drafter needs; only enterprise, project_name and scenarios are required."""

    enterprise: str = Field(min_length=1)
    project_name: str = Field(min_length=1)
    target_tier: Tier = "卓越级"
    edition: str = "2025"
    industry: str | None = None
    contact: Contact | None = None
    period: Period | None = None
    investment: float | None = Field(default=None, description="总投资（万元）")
    integrators: list[str] = []
    overview: str | None = None
    scenarios: list[ScenarioInstance] = Field(min_length=1)
    integration: list[str] = []
    highlights: list[str] = []
    benchmarks: list[str] = []
    kpis: list[KpiFigure] = []
    plans: list[str] = []

    @field_validator("investment")
    @classmethod
    def _investment(cls, value: float | None) -> float | None:
        # 1e8 万元 is a trillion yuan: anything above it (or negative, or NaN) is a typing slip.
        if value is not None and not 0 <= value <= 1e8:
            raise ValueError(f"总投资（万元）应在0到1亿万元之间，收到 {value:g}")
        return value


class SpecBatch(BaseModel):
    """Several projects for one 推荐汇总表, in the recommender's priority order (form#注.1)."""

    recommender: str | None = None
    projects: list[DraftSpec]


_ERROR_TEXT = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不认识的字段（请检查拼写）",
    "string_type": "应为文本",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "list_type": "应为列表",
    "dict_type": "应为对象（键值对）",
    "model_type": "应为对象（键值对）",
    "literal_error": "取值不在允许范围内",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
}

FIELD_LABELS = {
    "enterprise": "申报单位名称",
    "project_name": "项目名称",
    "target_tier": "目标层级",
    "edition": "指引版本",
    "scenarios": "场景实例",
    "instance_name": "实例名",
    "kpis": "关键绩效指标",
    "mobile": "手机号",
    "before": "建设前数值",
    "after": "建设后数值",
    "change": "变化幅度",
    "investment": "总投资",
    "projects": "项目列表",
}


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def explain_validation(exc: ValidationError, source: str = "申报草稿输入") -> str:
    """A pydantic error as Chinese lines, each naming the field path and what is wrong."""
    lines = []
    for error in exc.errors():
        path = _field_path(tuple(error["loc"]))
        last = next((p for p in reversed(error["loc"]) if isinstance(p, str)), "")
        label = FIELD_LABELS.get(last)
        kind = error["type"]
        if kind == "value_error":
            what = str(error["msg"]).removeprefix("Value error, ")
        elif kind == "literal_error":
            expected = str(error.get("ctx", {}).get("expected", ""))
            expected = expected.replace("'", "").replace(" or ", "、").replace(", ", "、")
            what = f"取值不在允许范围内（可选：{expected}），收到 {error.get('input')!r}"
        else:
            what = _ERROR_TEXT.get(kind, str(error["msg"]))
            if kind in ("float_parsing", "string_type", "float_type"):
                what += f"，收到 {error.get('input')!r}"
        lines.append(f"字段 {path}{f'（{label}）' if label else ''}：{what}")
    return f"{source}有误：\n" + "\n".join(lines)


def parse_spec(data: object) -> DraftSpec:
    """A dict (parsed JSON) → DraftSpec, or DraftSpecError naming every bad field in Chinese."""
    if not isinstance(data, dict):
        raise DraftSpecError("申报草稿输入应为 JSON 对象（键值对），例如 examples/draft_spec.json")
    try:
        return DraftSpec.model_validate(data)
    except ValidationError as exc:
        raise DraftSpecError(explain_validation(exc)) from None


def parse_specs(data: object) -> SpecBatch:
    """One project (an object) or a batch ``{"recommender": ..., "projects": [...]}`` / a list."""
    if isinstance(data, list):
        data = {"projects": data}
    if isinstance(data, dict) and "projects" in data:
        try:
            return SpecBatch.model_validate(data)
        except ValidationError as exc:
            raise DraftSpecError(explain_validation(exc)) from None
    return SpecBatch(projects=[parse_spec(data)])


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


class InstanceLine(BaseModel):
    """One 附件4 entry: the three names and the formatted line."""

    index: int
    segment: str
    scenario: str
    instance_name: str
    link: str | None = None
    line: str
    match: MatchResult | None = None


class Table(BaseModel):
    headers: list[str]
    rows: list[list[str]]


class Subsection(BaseModel):
    key: str
    title: str
    paragraphs: list[str]
    table: Table | None = None
    #: Paragraphs that must survive polishing verbatim (the instance lines as headings).
    fixed: list[str] = []


class Section(BaseModel):
    key: str
    title: str
    clause_id: str
    subsections: list[Subsection]


class FormRow(BaseModel):
    """A row of 附件4's 卓越级智能工厂项目推荐汇总表."""

    index: int = 1
    enterprise: str
    project_name: str
    instances: str
    contact_name: str
    contact_mobile: str

    def cells(self) -> list[str]:
        return [
            str(self.index),
            self.enterprise,
            self.project_name,
            self.instances,
            self.contact_name,
            self.contact_mobile,
        ]


FORM_HEADERS = [
    "序号",
    "申报单位名称",
    "卓越级智能工厂项目名称",
    "涉及典型场景实例(罗列)",
    "联系人",
    "联系方式(手机号)",
]


class Draft(BaseModel):
    """The drafted parts of a declaration and the checks on them."""

    enterprise: str
    project_name: str
    target_tier: str
    edition: str
    edition_status: str
    mode: Literal["template", "llm"] = "template"
    instances: list[InstanceLine]
    links_covered: list[str]
    sections: list[Section]
    form_row: FormRow
    checks: list[Finding]
    notes: list[str] = []

    @property
    def placeholders(self) -> list[str]:
        return PLACEHOLDER_RE.findall(self.text())

    def section_text(self) -> str:
        """Sections 3 and 4 as plain structured text (what the LLM polishes and DOCX shows)."""
        out: list[str] = []
        for section in self.sections:
            out.append(f"{section.key}、{section.title}")
            for sub in section.subsections:
                out.append(f"{sub.key}{sub.title}")
                out.extend(sub.paragraphs)
                if sub.table:
                    out.append(" | ".join(sub.table.headers))
                    out.extend(" | ".join(row) for row in sub.table.rows)
        return "\n".join(out)

    def text(self) -> str:
        """The whole draft as Markdown: instance lines, sections 3 and 4, the 附件4 row."""
        out = [f"# {self.project_name}", ""]
        out.append(f"申报单位：{self.enterprise}　目标层级：{self.target_tier}")
        out += ["", "## 涉及典型场景实例（附件4格式）", ""]
        out += [f"{i.index}.{i.line}" for i in self.instances]
        for section in self.sections:
            out += ["", f"## {section.key}、{section.title}"]
            for sub in section.subsections:
                out += ["", f"### {sub.key}{sub.title}", ""]
                for paragraph in sub.paragraphs:
                    out += [paragraph, ""]
                if sub.table:
                    out.append("| " + " | ".join(sub.table.headers) + " |")
                    out.append("|" + "---|" * len(sub.table.headers))
                    out += [
                        "| " + " | ".join(c.replace("\n", " ") for c in row) + " |" for row in sub.table.rows
                    ]
                    out.append("")
        out += ["", "## 附件4 推荐汇总表（本项目）", ""]
        out.append("| " + " | ".join(FORM_HEADERS) + " |")
        out.append("|" + "---|" * len(FORM_HEADERS))
        out.append("| " + " | ".join(c.replace("\n", "<br>") for c in self.form_row.cells()) + " |")
        return "\n".join(out).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------
# Small text helpers
# ---------------------------------------------------------------------------------------------


def placeholder(what: str) -> str:
    return f"【待补充：{what}】"


def fmt_number(value: float) -> str:
    """A user's figure as written: 35.0 → "35", 0.6 → "0.6" (never rounded or rescaled)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def cn_count(n: int) -> str:
    """Counts in prose as Chinese numerals, so Arabic digits in the draft are the user's own."""
    if n < 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return CN_DIGITS[n // 10] + "十" + (CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def cn_amount(n: int) -> str:
    """A count before a measure word: 两个环节, not 二个环节 (``cn_count`` is for ordinals too)."""
    return "两" if n == 2 else cn_count(n)


def cn_index(n: int) -> str:
    """（一）, （二）… for sub-headings."""
    return f"（{cn_count(n)}）"


def numbers_in(text: str) -> list[Decimal]:
    """Every Arabic number in ``text`` (full-width digits included), as exact decimals."""
    out = []
    for token in NUMBER_RE.findall(unicodedata.normalize("NFKC", text)):
        try:
            out.append(Decimal(token).normalize())
        except InvalidOperation:  # pragma: no cover - the regex only yields decimals
            continue
    return out


def format_instance(segment: str, scenario: str, instance: str, markers: bool = False) -> str:
    """``环节名—场景名—实例名`` as in 附件4's example; ``markers=True`` adds the example's
    ``(环节名)(场景名)(实例名)`` labels, reproducing form#示例 exactly."""
    if markers:
        return f"{segment}(环节名){SEP}{scenario}(场景名){SEP}{instance}(实例名)"
    return SEP.join((segment, scenario, instance))


def join_cn(items: list[str], sep: str = "、") -> str:
    return sep.join(x.rstrip("。；;，,") for x in items if x)


def sentence(text: str) -> str:
    """End a sentence with 。 unless it already ends with punctuation or a placeholder."""
    text = text.strip()
    if not text or text[-1] in "。！？；：】":
        return text
    return text.rstrip("，,;") + "。"


# ---------------------------------------------------------------------------------------------
# Checks shared with review
# ---------------------------------------------------------------------------------------------


def instance_name_findings(
    name: str, scenario: str | None = None, segment: str | None = None, field: str | None = None
) -> list[Finding]:
    """附件4 wants an instance name that is concise and specific (form#示例: 多机协同的发动机壳体
    柔性加工与检测 names the object, the process and the technique in 17 characters)."""
    findings: list[Finding] = []
    rule = "附件4示例：实例名简洁具体，写明对象与做法"
    stripped = name.strip()
    if any(d in stripped for d in DASH_VARIANTS):
        findings.append(
            Finding(
                severity="必须修改",
                code="instance_name_dash",
                message=f"实例名“{stripped}”中含有破折号，会与“环节名—场景名—实例名”的分隔符混淆，请删去。",
                clause_ids=["form#示例"],
                field=field,
            )
        )
    if len(stripped) > INSTANCE_NAME_MAX:
        findings.append(
            Finding(
                severity="建议修改",
                code="instance_name_long",
                message=f"实例名“{stripped}”偏长，宜精炼为一个短语（附件4示例为十七个字）。",
                clause_ids=["form#示例"],
                rule=rule,
                field=field,
            )
        )
    if re.search(r"[、，,；;]|等$", stripped):
        findings.append(
            Finding(
                severity="建议修改",
                code="instance_name_list",
                message=f"实例名“{stripped}”像是罗列了多项内容；一个实例写一行，请拆分或收敛为一个具体实例。",
                clause_ids=["form#示例"],
                rule=rule,
                field=field,
            )
        )
    core = stripped
    for word in GENERIC_WORDS:
        core = core.replace(word, "")
    same_as_catalog = normalise_name(stripped) in {normalise_name(x) for x in (scenario, segment) if x}
    if same_as_catalog or len(stripped) < INSTANCE_NAME_MIN or len(core) < 4:
        findings.append(
            Finding(
                severity="建议修改",
                code="instance_name_generic",
                message=(
                    f"实例名“{stripped}”过于笼统，应写明具体对象和做法"
                    "（如示例“多机协同的发动机壳体柔性加工与检测”），不要只重复场景名或使用泛称。"
                ),
                clause_ids=["form#示例"],
                rule=rule,
                field=field,
            )
        )
    return findings


def duplicate_instance_findings(names: Iterable[str]) -> list[Finding]:
    """One finding per instance name used more than once (compared after normalising)."""
    counts = Counter(normalise_name(name) for name in names if name)
    return [
        Finding(
            severity="建议修改",
            code="instance_duplicate",
            message=f"实例名“{name}”出现了{cn_amount(count)}次，请区分不同实例。",
            clause_ids=["form#示例"],
        )
        for name, count in counts.items()
        if count > 1
    ]


def edition_findings(ed: Edition) -> list[Finding]:
    """What a draft or a review must say about the catalog edition it was checked against: a
    consultation draft (names to verify, link mapping ours), or an edition whose scenario names
    we do not hold (only 环节 and links can be checked)."""
    if ed.has_scenarios and ed.is_draft:
        return [
            Finding(
                severity="提示",
                code="edition_draft",
                message=f"场景名称依据《智能制造典型场景参考指引({ed.edition}年版)》征求意见稿（第三方转述）核对，"
                "提交前须以正式发布文本为准；场景与要素条件五个环节的对应为本助手推定。",
                clause_ids=[ed.status_clause_id, f"guide{ed.edition}#对应"],
            )
        ]
    if not ed.has_scenarios:
        return [
            Finding(
                severity="提示",
                code="edition_scenarios_not_held",
                message=f"本库未收录{ed.edition}年版指引的场景名称，只能核对环节及其对应的要素条件环节，"
                "场景名请对照指引原文逐一核实。",
                clause_ids=[ed.status_clause_id],
            )
        ]
    return []


def coverage_findings(links: set[str], tier: str) -> list[Finding]:
    """Link coverage short of the tier's 建设内容 requirement (附件2 二~五.(一))."""
    return [
        Finding(severity=sev, code="link_coverage", message=msg, clause_ids=clauses)  # type: ignore[arg-type]
        for sev, msg, clauses in coverage_gaps(links, tier)
    ]


def kpi_findings(kpi: Kpi, fig: KpiFigure, field: str) -> list[Finding]:
    """Plausibility of one KPI's figures: ranges by unit, before/after behind every change,
    direction and consistency. Messages never state a number the user did not give."""
    findings: list[Finding] = []
    clauses = [kpi.clause_id]

    def add(severity: Severity, code: str, message: str, extra: list[str] | None = None) -> None:
        findings.append(
            Finding(
                severity=severity,
                code=code,
                message=message,
                clause_ids=clauses + (extra or []),
                field=field,
            )
        )

    before, after, change = fig.before, fig.after, fig.change
    if kpi.kind == "level":
        if before is None or after is None:
            missing = "、".join(x for x, v in (("建设前", before), ("建设后", after)) if v is None)
            add(
                "建议修改",
                "kpi_before_after",
                f"“{kpi.name}”缺少{missing}数值；成效应以建设前后对比说明。",
                ["materials#4"],
            )
        for label, value in (("建设前", before), ("建设后", after)):
            if value is None:
                continue
            if kpi.is_rate and not 0 <= value <= 100:
                add("必须修改", "kpi_range", f"“{kpi.name}”是比率（%），{label}数值应在0–100之间，请核对。")
            if kpi.unit in ("个", "家") and (value < 0 or value != int(value)):
                add("必须修改", "kpi_range", f"“{kpi.name}”以“{kpi.unit}”计，{label}数值应为非负整数。")
        if before is not None and after is not None and after < before:
            add("提示", "kpi_direction", f"“{kpi.name}”建设后低于建设前，请核对数据或说明原因。")
        if change is not None:
            add(
                "建议修改",
                "kpi_change_not_applicable",
                f"“{kpi.name}”是水平值，应填写建设前、建设后数值；填写的变化幅度（change）未写入草稿。",
            )
        return findings

    unit = (fig.measure_unit or "").strip()
    if before is None or after is None:
        add(
            "建议修改",
            "kpi_before_after",
            f"“{kpi.name}”是提升/下降类指标，应同时给出建设前、建设后的{fig.measure or kpi.measure}数据，"
            "否则幅度无从核对。",
            ["materials#4"],
        )
    if change is None:
        add(
            "建议修改",
            "kpi_change_missing",
            f"“{kpi.name}”未填写变化幅度（%）；本助手不代为计算，请按T/CAMS182-2024等口径核算后填写。",
            ["materials#4"],
        )
    elif kpi.kind == "down" and not 0 < change <= 100:
        add("必须修改", "kpi_range", f"“{kpi.name}”是下降/降低幅度（%），应大于0且不超过100，请核对。")
    elif kpi.kind == "up" and change <= 0:
        add("必须修改", "kpi_range", f"“{kpi.name}”是提升幅度（%），应为正数，请核对。")
    elif kpi.kind == "up" and change > 100:
        add("提示", "kpi_range", f"“{kpi.name}”提升幅度超过100%，请核对计算口径。")
    elif kpi.kind == "growth" and change < -100:
        add("必须修改", "kpi_range", f"“{kpi.name}”不应低于-100%，请核对。")
    if unit == "%":
        for label, value in (("建设前", before), ("建设后", after)):
            if value is not None and not 0 <= value <= 100:
                add(
                    "必须修改",
                    "kpi_range",
                    f"“{kpi.name}”的{label}{fig.measure or kpi.measure}以%计，应在0–100之间。",
                )
    if before is not None and after is not None:
        expected_up = kpi.kind in ("up", "growth")
        if (after > before) != expected_up and after != before:
            add(
                "提示",
                "kpi_direction",
                f"“{kpi.name}”的建设前后数据变化方向与指标名称不一致，请确认{fig.measure or kpi.measure}的口径。",
            )
        elif change is not None and before != 0:
            derived = (after - before) / before * 100 if expected_up else (before - after) / before * 100
            if abs(derived - change) > max(1.0, 0.05 * abs(change)):
                add(
                    "提示",
                    "kpi_consistency",
                    f"“{kpi.name}”填写的变化幅度与建设前后数据推算的结果不一致，请核对口径。",
                )
    return findings


def leadership_claims(text: str) -> list[str]:
    return [m.group(0) for m in LEADERSHIP_RE.finditer(text)]


# ---------------------------------------------------------------------------------------------
# Drafting
# ---------------------------------------------------------------------------------------------


class _Resolved(BaseModel):
    segment: str
    scenario: str
    link: str | None
    match: MatchResult | None


def _resolve_instance(
    inst: ScenarioInstance, i: int, catalog: ScenarioCatalog, edition: str, findings: list[Finding]
) -> _Resolved:
    """环节 and 场景 of one instance from what the user typed, reporting every correspondence
    made (alias, fuzzy) and leaving a placeholder where there is none to make."""
    ed = catalog.edition(edition)
    field = f"scenarios[{i}]"
    query = inst.scenario or inst.text
    scenario_name: str | None = None
    segment_name: str | None = None
    link: str | None = None
    match: MatchResult | None = None

    if ed.has_scenarios:
        if query:
            match = catalog.match(query, edition, kind="scenario")
            if match.confident:
                scenario_name, segment_name, link = match.name, match.segment, match.link
                if match.status != "exact":
                    findings.append(
                        Finding(
                            severity="提示",
                            code="scenario_matched",
                            message=f"已将{match.message}",
                            clause_ids=[ed.segments[segment_name].clause_id] if segment_name else [],
                            field=f"{field}.scenario" if inst.scenario else f"{field}.text",
                        )
                    )
                if match.multi_link:
                    findings.append(
                        Finding(
                            severity="提示",
                            code="multi_link",
                            message=f"“{scenario_name}”涉及多个环节，本助手将其归入生产管理；"
                            "申报时可说明其覆盖的其他环节。",
                            clause_ids=[f"guide{edition}#对应"],
                            field=field,
                        )
                    )
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="scenario_not_in_catalog",
                        message=match.message,
                        clause_ids=["form#示例", ed.status_clause_id],
                        field=f"{field}.scenario" if inst.scenario else f"{field}.text",
                    )
                )
        else:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="scenario_missing",
                    message=f"第{cn_count(i + 1)}个实例“{inst.instance_name}”未填写场景名（scenario 或 text）。",
                    clause_ids=["form#示例"],
                    field=f"{field}.scenario",
                )
            )
        if inst.segment:
            seg = catalog.match(inst.segment, edition, kind="segment")
            if segment_name:
                if seg.confident and seg.name != segment_name:
                    findings.append(
                        Finding(
                            severity="建议修改",
                            code="segment_mismatch",
                            message=f"场景“{scenario_name}”在{edition}年版指引中属于“{segment_name}”环节，"
                            f"不属于所填的“{inst.segment}”；草稿已按指引写作“{segment_name}”。",
                            clause_ids=[ed.segments[segment_name].clause_id],
                            field=f"{field}.segment",
                        )
                    )
                elif not seg.confident:
                    findings.append(
                        Finding(
                            severity="提示",
                            code="segment_from_scenario",
                            message=f"{seg.message} 草稿按场景“{scenario_name}”所属环节写作“{segment_name}”。",
                            clause_ids=[ed.segments[segment_name].clause_id],
                            field=f"{field}.segment",
                        )
                    )
            elif seg.confident:
                segment_name, link = seg.name, seg.link
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="segment_not_in_catalog",
                        message=seg.message,
                        clause_ids=[ed.status_clause_id],
                        field=f"{field}.segment",
                    )
                )
    else:
        # 2024: 环节 can be checked, scenario names cannot (not held).
        if inst.segment:
            seg = catalog.match(inst.segment, edition, kind="segment")
            if seg.confident:
                segment_name, link = seg.name, seg.link
                if seg.status != "exact":
                    findings.append(
                        Finding(
                            severity="提示",
                            code="segment_matched",
                            message=f"已将{seg.message}",
                            clause_ids=[ed.segments[seg.name].clause_id] if seg.name else [],
                            field=f"{field}.segment",
                        )
                    )
            else:
                findings.append(
                    Finding(
                        severity="必须修改",
                        code="segment_not_in_catalog",
                        message=seg.message,
                        clause_ids=ed.clause_ids or [ed.status_clause_id],
                        field=f"{field}.segment",
                    )
                )
        else:
            hint = catalog.match(query, edition, kind="scenario").message if query else ""
            findings.append(
                Finding(
                    severity="必须修改",
                    code="segment_missing",
                    message=f"第{cn_count(i + 1)}个实例未填写环节（segment）。{hint}",
                    clause_ids=ed.clause_ids or [ed.status_clause_id],
                    field=f"{field}.segment",
                )
            )
        if inst.scenario:
            scenario_name = inst.scenario
        else:
            findings.append(
                Finding(
                    severity="必须修改",
                    code="scenario_missing",
                    message=f"第{cn_count(i + 1)}个实例未填写场景名；{edition}年版指引的场景名本库未收录，"
                    "请对照指引原文填写。",
                    clause_ids=[ed.status_clause_id],
                    field=f"{field}.scenario",
                )
            )

    if scenario_name is None:
        options = "、".join(c.name for c in match.candidates) if match and match.candidates else ""
        scenario_name = placeholder(f"场景名，候选：{options}" if options else "场景名（对照指引场景清单）")
    if segment_name is None:
        segment_name = placeholder("环节名")
    return _Resolved(segment=segment_name, scenario=scenario_name, link=link, match=match)


def _kpi_rows(
    spec: DraftSpec, kpis: KpiCatalog, findings: list[Finding]
) -> tuple[list[tuple[str, Kpi, KpiFigure, str]], dict[int, list[tuple[Kpi, KpiFigure]]]]:
    """Resolve every KPI name (an unknown name is a spec error) and run the KPI checks."""
    rows: list[tuple[str, Kpi, KpiFigure, str]] = []
    per_instance: dict[int, list[tuple[Kpi, KpiFigure]]] = {}
    sources: list[tuple[str, KpiFigure, str, int | None]] = [
        (f"kpis[{k}]", fig, "全厂", None) for k, fig in enumerate(spec.kpis)
    ]
    for i, inst in enumerate(spec.scenarios):
        sources += [
            (f"scenarios[{i}].kpis[{k}]", fig, inst.instance_name, i) for k, fig in enumerate(inst.kpis)
        ]
    for field, fig, scope, owner in sources:
        kpi = kpis.get(fig.name)
        if kpi is None:
            near = "、".join(f"“{n}”" for n in kpis.closest(fig.name))
            raise DraftSpecError(
                f"字段 {field}.name：“{fig.name}”不是附1《智能工厂建设关键绩效指标参考》的二十项指标之一；"
                f"最接近的是 {near}。"
            )
        findings.extend(kpi_findings(kpi, fig, field))
        rows.append((field, kpi, fig, scope))
        if owner is not None:
            per_instance.setdefault(owner, []).append((kpi, fig))
    return rows, per_instance


def _with_unit(value: float | None, unit: str, missing: str) -> str:
    return placeholder(missing) if value is None else f"{fmt_number(value)}{unit}"


def kpi_sentence(kpi: Kpi, fig: KpiFigure) -> str:
    """One KPI as a clause of prose, with placeholders for what is missing."""
    period = f"（{fig.period}）" if fig.period else ""
    if kpi.kind == "level":
        b = _with_unit(fig.before, kpi.unit, f"建设前的{kpi.name}")
        a = _with_unit(fig.after, kpi.unit, f"建设后的{kpi.name}")
        verb = "提升至" if fig.before is None or fig.after is None or fig.after >= fig.before else "变为"
        return f"{kpi.name}由建设前的{b}{verb}{a}{period}"
    measure = fig.measure or kpi.measure
    mu = fig.measure_unit or ""
    b = _with_unit(fig.before, mu, f"建设前的{measure}")
    a = _with_unit(fig.after, mu, f"建设后的{measure}")
    if fig.before is not None and fig.after is not None:
        verb = "提升至" if fig.after > fig.before else ("降至" if fig.after < fig.before else "保持为")
    else:
        verb = "降至" if kpi.kind == "down" else "提升至"
    c = f"{fmt_number(fig.change)}%" if fig.change is not None else placeholder("幅度（%）")
    return f"{measure}由{b}{verb}{a}，{kpi.name}{c}{period}"


def _kpi_table(rows: list[tuple[str, Kpi, KpiFigure, str]]) -> Table:
    headers = ["序号", "指标（附1）", "范围", "建设前", "建设后", "变化幅度", "口径说明"]
    body = []
    for n, (_, kpi, fig, scope) in enumerate(rows, start=1):
        if kpi.kind == "level":
            before = _with_unit(fig.before, kpi.unit, "建设前")
            after = _with_unit(fig.after, kpi.unit, "建设后")
            change = "—"
            note = []
        else:
            mu = fig.measure_unit or ""
            before = _with_unit(fig.before, mu, "建设前")
            after = _with_unit(fig.after, mu, "建设后")
            change = f"{fmt_number(fig.change)}%" if fig.change is not None else placeholder("幅度")
            note = [f"按{fig.measure or kpi.measure}计" + (f"，单位{mu}" if mu else "")]
        if fig.period:
            note.append(fig.period)
        if fig.benchmark:
            note.append(f"同行业：{fig.benchmark}")
        body.append(
            [
                str(n),
                f"{kpi.name}（{kpi.unit}）",
                scope,
                before,
                after,
                change,
                "；".join(note) or "—",
            ]
        )
    return Table(headers=headers, rows=body)


def build_draft(
    spec: DraftSpec,
    *,
    corpus_dir: Path | None = None,
    catalog: ScenarioCatalog | None = None,
    kpis: KpiCatalog | None = None,
) -> Draft:
    """The template draft for a spec: instance lines, sections 3 and 4, the 附件4 row, checks.

    Raises DraftSpecError for input that cannot be drafted at all (an edition we do not hold,
    a KPI name outside 附1); everything else becomes a check on the draft.
    """
    catalog = catalog or load_catalog(_corpus_dir(corpus_dir))
    kpis = kpis or load_kpis(_corpus_dir(corpus_dir))
    if spec.edition not in catalog.editions:
        raise DraftSpecError(
            f"字段 edition（指引版本）：没有 {spec.edition!r} 年版的场景指引数据；"
            f"可选：{'、'.join(sorted(catalog.editions))}"
        )
    ed = catalog.edition(spec.edition)
    findings: list[Finding] = []

    findings += edition_findings(ed)

    # (1) instance lines
    instances: list[InstanceLine] = []
    for i, inst in enumerate(spec.scenarios):
        resolved = _resolve_instance(inst, i, catalog, spec.edition, findings)
        findings.extend(
            instance_name_findings(
                inst.instance_name,
                None if resolved.scenario.startswith("【") else resolved.scenario,
                resolved.segment,
                field=f"scenarios[{i}].instance_name",
            )
        )
        instances.append(
            InstanceLine(
                index=i + 1,
                segment=resolved.segment,
                scenario=resolved.scenario,
                instance_name=inst.instance_name,
                link=resolved.link,
                line=format_instance(resolved.segment, resolved.scenario, inst.instance_name),
                match=resolved.match,
            )
        )
    findings += duplicate_instance_findings(i.instance_name for i in instances)
    covered = {i.link for i in instances if i.link}
    findings.extend(coverage_findings(covered, spec.target_tier))

    # KPIs
    kpi_rows, per_instance = _kpi_rows(spec, kpis, findings)
    outcome_clause, outcome_text = OUTCOME_CLAUSE[spec.target_tier]
    if not kpi_rows:
        findings.append(
            Finding(
                severity="必须修改",
                code="kpi_missing",
                message="没有填写任何关键绩效指标；建设成效须参考附1给出主要指标的建设前后数据。",
                clause_ids=["materials#4", outcome_clause],
            )
        )
    has_benchmark = bool(spec.benchmarks) or any(fig.benchmark for _, _, fig, _ in kpi_rows)
    if not has_benchmark:
        findings.append(
            Finding(
                severity="建议修改",
                code="benchmark_missing",
                message=f"{spec.target_tier}要求{outcome_text}；请补充主要指标与同行业水平的对比及数据来源。",
                clause_ids=[outcome_clause],
            )
        )
    claim_text = "\n".join([spec.overview or "", *spec.highlights, *spec.benchmarks])
    has_figures = any(fig.after is not None or fig.change is not None for _, _, fig, _ in kpi_rows)
    for claim in sorted(set(leadership_claims(claim_text))):
        if not has_figures:
            findings.append(
                Finding(
                    severity="建议修改",
                    code="claim_without_kpi",
                    message=f"“{claim}”的表述没有关键绩效指标数据支撑，请补充指标或删去该表述。",
                    clause_ids=[outcome_clause, "kpi#1"],
                )
            )

    # (2) sections
    links_order = [link for link in catalog.links if link in covered]
    section3 = _section3(spec, ed.edition, instances, links_order, per_instance)
    section4 = _section4(spec, kpi_rows, outcome_text)

    # (3) the 附件4 row
    contact = spec.contact or Contact()
    form_row = FormRow(
        enterprise=spec.enterprise,
        project_name=spec.project_name,
        instances="\n".join(f"{i.index}.{i.line}" for i in instances),
        contact_name=contact.name or placeholder("联系人"),
        contact_mobile=contact.mobile or placeholder("手机号"),
    )
    draft = Draft(
        enterprise=spec.enterprise,
        project_name=spec.project_name,
        target_tier=spec.target_tier,
        edition=ed.edition,
        edition_status=ed.status,
        instances=instances,
        links_covered=links_order,
        sections=[section3, section4],
        form_row=form_row,
        checks=[],
    )
    left = draft.placeholders
    if left:
        findings.append(
            Finding(
                severity="必须修改",
                code="placeholders_left",
                message=f"草稿中有{cn_amount(len(left))}处【待补充】，均为输入中没有的信息，提交前须逐一补全。",
                rule="提交前不得保留占位符",
            )
        )
    draft.checks = sort_findings(findings)
    return draft


def _section3(
    spec: DraftSpec,
    edition: str,
    instances: list[InstanceLine],
    links: list[str],
    per_instance: dict[int, list[tuple[Kpi, KpiFigure]]],
) -> Section:
    number, title, clause_id, items = SECTION3
    # (一) 项目总体情况
    overall: list[str] = []
    facts = []
    if spec.period and (spec.period.start or spec.period.end):
        start = spec.period.start or placeholder("建设开始时间")
        end = spec.period.end or placeholder("建设完成时间")
        facts.append(f"建设周期为{start}至{end}")
    if spec.investment is not None:
        facts.append(f"总投资{fmt_number(spec.investment)}万元")
    else:
        facts.append("总投资" + placeholder("总投资（万元）"))
    if spec.integrators:
        facts.append(f"主要集成商为{join_cn(spec.integrators)}")
    intro = f"{spec.enterprise}{spec.project_name}（以下简称“本项目”）"
    overall.append(sentence(intro + ("，" + "，".join(facts) if facts else "")))
    overall.append(
        sentence(spec.overview)
        if spec.overview
        else placeholder("项目简介：建设目标、建设范围与主要建设内容")
    )
    scenario_list = join_cn([f"{i.segment}—{i.scenario}" for i in instances])
    link_text = "、".join(links) if links else placeholder("覆盖的环节")
    overall.append(
        f"本项目参考《智能制造典型场景参考指引({edition}年版)》，围绕{link_text}"
        f"{cn_amount(len(links))}个环节，建设了{cn_amount(len(instances))}个典型场景实例，"
        f"涉及{scenario_list}等场景。"
    )
    missing = [
        link for link in ("工厂建设", "研发设计", "生产作业", "生产管理", "运营管理") if link not in links
    ]
    if spec.target_tier in ("卓越级", "领航级"):
        need = "原则上应覆盖全部五个环节" if spec.target_tier == "卓越级" else "须覆盖全部五个环节"
        if missing:
            overall.append(
                f"对照《智能工厂梯度培育要素条件》{spec.target_tier}“{need}”的要求，本项目尚未覆盖"
                f"{'、'.join(missing)}环节，{placeholder('未覆盖环节的情况说明或补充建设计划')}"
            )
        else:
            overall.append(
                f"对照《智能工厂梯度培育要素条件》{spec.target_tier}“{need}”的要求，"
                "本项目场景实例覆盖工厂建设、研发设计、生产作业、生产管理、运营管理全部五个环节。"
            )
    # (二) 具体场景建设情况
    specific: list[str] = []
    fixed: list[str] = []
    for n, (inst, line) in enumerate(zip(spec.scenarios, instances, strict=True)):
        heading = f"{line.index}.{line.line}"
        fixed.append(heading)
        specific.append(heading)
        built = (
            f"建设内容：部署{join_cn(inst.built)}。"
            if inst.built
            else f"建设内容：{placeholder('部署的智能制造装备、工业软件和系统')}"
        )
        specific.append(built)
        specific.append(
            f"实施做法：{sentence(inst.description)}"
            if inst.description
            else f"实施做法：{placeholder('业务痛点、技术路线与实施做法')}"
        )
        specific.append(
            f"数据贯通：{join_cn(inst.integration, '；')}。"
            if inst.integration
            else f"数据贯通：{placeholder('本场景与其他系统之间的数据交互与集成方式')}"
        )
        figures = per_instance.get(n, [])
        if figures:
            specific.append("应用成效：" + "；".join(kpi_sentence(k, f) for k, f in figures) + "。")
        else:
            specific.append(f"应用成效：{placeholder('本场景的量化成效（参照附1指标，给出建设前后数据）')}")
    # (三) 系统集成情况
    integration: list[str] = []
    if spec.integration:
        integration.append("本项目推进设计、生产、管理、服务各环节系统集成与数据贯通，主要集成关系如下：")
        integration += [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.integration, start=1)]
    else:
        integration.append(placeholder("全厂系统集成架构：系统清单、接口方式、主要数据流向"))
    subsections = [
        Subsection(key=cn_index(1), title=items[0], paragraphs=overall),
        Subsection(key=cn_index(2), title=items[1], paragraphs=specific, fixed=fixed),
        Subsection(key=cn_index(3), title=items[2], paragraphs=integration),
    ]
    return Section(key=number, title=title, clause_id=clause_id, subsections=subsections)


def _section4(spec: DraftSpec, kpi_rows: list[tuple[str, Kpi, KpiFigure, str]], outcome_text: str) -> Section:
    number, title, clause_id, items = SECTION4
    advanced: list[str] = []
    if spec.highlights:
        advanced += [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.highlights, start=1)]
    else:
        advanced.append(placeholder("项目的先进性与特色：关键技术创新点、模式创新及可推广性"))
    if spec.benchmarks:
        advanced.append(
            f"对照{spec.target_tier}“{outcome_text}”的要求，主要指标与同行业对比如下："
            + join_cn(spec.benchmarks, "；")
            + "。"
        )
    else:
        advanced.append(
            f"对照{spec.target_tier}“{outcome_text}”的要求，"
            f"{placeholder('主要指标与同行业水平的对比及数据来源')}"
        )
    effects: list[str] = []
    table = None
    if kpi_rows:
        effects.append(
            "项目建成后，参照《智能工厂建设关键绩效指标参考》（附1）及T/CAMS182-2024《智能制造效能通用评测方法》，"
            "主要关键绩效指标变化如下表所示。"
        )
        whole = [(k, f) for _, k, f, scope in kpi_rows if scope == "全厂"]
        if whole:
            effects.append("全厂层面，" + "；".join(kpi_sentence(k, f) for k, f in whole) + "。")
        table = _kpi_table(kpi_rows)
    else:
        effects.append(placeholder("参照附1填写主要关键绩效指标的建设前后数据"))
    plans = (
        [f"（{k}）{sentence(item)}" for k, item in enumerate(spec.plans, start=1)]
        if spec.plans
        else [placeholder("后续实施计划：拟建场景、时间安排与预期目标")]
    )
    return Section(
        key=number,
        title=title,
        clause_id=clause_id,
        subsections=[
            Subsection(key=cn_index(1), title=items[0], paragraphs=advanced),
            Subsection(key=cn_index(2), title=items[1], paragraphs=effects, table=table),
            Subsection(key=cn_index(3), title=items[2], paragraphs=plans),
        ],
    )


def draft_from_data(data: object, corpus_dir: Path | None = None) -> Draft:
    """Parsed JSON → Draft: what the CLI, the API and the agent's draft tool call."""
    return build_draft(parse_spec(data), corpus_dir=corpus_dir)


# ---------------------------------------------------------------------------------------------
# LLM polish
# ---------------------------------------------------------------------------------------------

_BLOCK_MARK = re.compile(r"^\s*\[\[(?P<id>[^\]\s]+)\]\]\s*$", re.MULTILINE)


def polish_blocks(draft: Draft) -> dict[str, str]:
    """The prose the model may rewrite, one block per subsection (tables are never sent)."""
    blocks = {}
    for section in draft.sections:
        for n, sub in enumerate(section.subsections, start=1):
            blocks[f"{section.key}.{n}"] = "\n".join(sub.paragraphs)
    return blocks


def polish_input(draft: Draft) -> str:
    """What the model receives: context, then every block under its ``[[id]]`` marker."""
    head = (
        f"申报单位：{draft.enterprise}\n项目名称：{draft.project_name}\n目标层级：{draft.target_tier}\n\n"
        "以下为待润色的段落，请按原顺序、保留每个 [[编号]] 标记输出：\n"
    )
    return head + "\n".join(f"\n[[{key}]]\n{text}" for key, text in polish_blocks(draft).items())


def _parse_blocks(text: str) -> dict[str, str]:
    marks = list(_BLOCK_MARK.finditer(text))
    blocks = {}
    for n, mark in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        blocks[mark.group("id")] = text[mark.end() : end].strip()
    return blocks


def verify_polish(original: str, polished: str, fixed: list[str] | None = None) -> str | None:
    """Why a polished block must be rejected, or None when it keeps every fact.

    Rules: no number that the original lacks (compared as exact decimals); the same
    placeholders, none dropped or added; fixed lines (instance lines) kept verbatim; no new
    claims of leadership (国内领先 …)."""
    if not polished.strip():
        return "润色结果为空"
    allowed = set(numbers_in(original))
    invented = [n for n in numbers_in(polished) if n not in allowed]
    if invented:
        return f"出现了原文没有的数字“{'、'.join(str(n) for n in sorted(set(invented)))}”"
    if Counter(PLACEHOLDER_RE.findall(original)) != Counter(PLACEHOLDER_RE.findall(polished)):
        return "改动或删去了【待补充】占位符"
    for line in fixed or []:
        if line not in polished:
            return f"改动了场景实例行“{line}”"
    new_claims = set(leadership_claims(polished)) - set(leadership_claims(original))
    if new_claims:
        return f"加入了原文没有的“{'、'.join(sorted(new_claims))}”表述"
    return None


def polish(draft: Draft, llm: BaseChatModel | None) -> Draft:
    """Let ``llm`` rewrite the template prose; keep only blocks that pass ``verify_polish``.

    Returns a new Draft (the input is untouched). With no LLM, or when the call fails, the
    template text stays and ``notes`` says so: drafting must never fail because a model did.
    """
    result = draft.model_copy(deep=True)
    if llm is None:
        return result
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt("draft_polish").text
    try:
        answer = llm.invoke([SystemMessage(content=prompt), HumanMessage(content=polish_input(draft))])
    except Exception as exc:  # any provider error: keep the template
        result.notes.append(f"大模型润色失败（{type(exc).__name__}），保留模板文本。")
        return result
    content = answer.content if isinstance(answer.content, str) else str(answer.content)
    polished = _parse_blocks(content)
    if not polished:
        result.notes.append("大模型润色结果缺少段落编号标记，无法对应，已全部弃用，保留模板文本。")
        return result
    accepted = 0
    for section in result.sections:
        for n, sub in enumerate(section.subsections, start=1):
            key = f"{section.key}.{n}"
            where = f"{section.key}、{section.title}{sub.key}{sub.title}"
            new = polished.get(key)
            if new is None:
                result.notes.append(f"{where}：润色结果缺少该段，保留模板文本。")
                continue
            problem = verify_polish("\n".join(sub.paragraphs), new, sub.fixed)
            if problem:
                result.notes.append(f"{where}：润色结果{problem}，已弃用，保留模板文本。")
                continue
            sub.paragraphs = [p.strip() for p in new.splitlines() if p.strip()]
            accepted += 1
    if accepted:
        result.mode = "llm"
    return result
