"""Small wording helpers shared by drafting and review: placeholders, numbers as the user gave
them, instance lines, and KPI figures as prose.

Counts in prose are Chinese numerals (assistant.language.cn_count and cn_quantity) so the only
Arabic digits in a draft are the user's figures and the documents' own numbering.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from assistant.knowledge.kpis import Kpi
from assistant.language import sentences

if TYPE_CHECKING:
    from assistant.drafting.spec import KpiFigure

#: The separator of 附件4's example (form#示例): an em dash between 环节, 场景 and 实例.
SEP = "—"
#: Dashes people type instead of the em dash; review accepts them but suggests "—".
DASH_VARIANTS = "—―－–-"
PLACEHOLDER_RE = re.compile(r"【待补充[：:][^】]*】")
NUMBER_RE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?")
LEADERSHIP_RE = re.compile(r"(国内|国际|全球|世界|行业)(同行业)?(领先|一流|先进水平)")
#: Absolute claims that need evidence the declaration rarely carries (notice 二.(二).1: the
#: applicant answers for the truth of its materials).
ABSOLUTE_CLAIM_RE = re.compile(
    r"(?:全球|世界|全国|国内|行业|国际)(?:首个|首家|首台|首套|首创|第一(?!批|期|届|轮|阶段)|唯一)|(?:国际|全球|世界)(?:领先|一流)(?:水平)?"
    r"|填补(?:了)?(?:国内|国际|行业|世界|全球)?(?:技术)?空白|独一无二|绝无仅有|史无前例"
    r"|(?:全球|世界|全国|国内|行业内?)(?:最高|最优|最好|最强|最先进)|无可比拟|无与伦比|首屈一指"
    # "位居亚洲第一", "行业内唯一一家": a rank or a uniqueness claimed (not "国内第一批").
    r"|位居(?:全球|世界|全国|国内|亚洲|行业)[^，。；;]{0,4}?第一(?!批|期|届|轮|阶段)|(?:行业内|国内|全国|全球)唯一(?:一家|的)?"
)
#: A whole workforce removed: "仓储人员减少100%", "用工减少100%".
STAFF_ALL_RE = re.compile(
    r"(?:人员|人工|用工|员工|工人|人数|[\u4e00-\u9fff]{0,3}(?:员|工))[^，。；;,\d]{0,6}?(?:减少|下降|降低|缩减|精简)(?:了)?\s*100(?:\.0+)?\s*%"
)
#: Content that may be a trade secret (notice 二.(二).1 forbids 商业秘密 in the materials), by
#: meaning: a process step's own parameter (its temperature, pressure or window), a recipe or
#: ratio, a named customer's price. Not ambient or storage conditions, a control accuracy or a
#: public standard: "−20℃冷库", "温控精度±0.5℃" and "洁净室温度22±0.5℃" say nothing secret.
_TEMPERATURE = (
    r"[-−]?\d+(?:\.\d+)?\s*(?:±\s*\d+(?:\.\d+)?\s*)?(?:[-–~～至]\s*\d+(?:\.\d+)?\s*)?(?:℃|°C|摄氏度)"
)
_PRESSURE = (
    r"\d+(?:\.\d+)?\s*(?:±\s*\d+(?:\.\d+)?\s*)?(?:[-–~～至]\s*\d+(?:\.\d+)?\s*)?(?:MPa|kPa|GPa|bar|兆帕|千帕)"
)
#: A process step whose parameters are know-how.
_PROCESS = (
    r"(?:固化|烧结|热处理|淬火|回火|焊接|键合|熔炼|熔化|熔融|发酵|杀菌|灭菌|干燥|反应|退火|烘烤|注塑|压铸|轧制|终轧|"
    r"开轧|浇注|硫化|结晶|蒸馏|聚合|烧成|时效|定型|染色|涂布|化成|老化|封装|注液|压合|压铸|铸造|压射|挤压|"
    r"槽液|电镀|沉铜|蚀刻|腌制|煅烧|熟料|窑|纺丝|拉丝|挤出|发泡|喷涂|焙烧|硫化)"
)
SECRET_RES = (
    (
        "工艺温度",
        re.compile(_PROCESS + r"[^，。；;、]{0,8}?(?:温度|窗口|区间)?[^，。；;、\d−-]{0,4}" + _TEMPERATURE),
    ),
    ("工艺压力", re.compile(_PROCESS + r"[^，。；;、]{0,8}?(?:压力|窗口)?[^，。；;、\d]{0,4}" + _PRESSURE)),
    (
        "配方或配比",
        re.compile(
            r"(?:催化剂|助剂|原料|配方|配料)[^，。；;]{0,12}?(?:配比|比例|比为|含量|用量)[^，。；;]{0,8}?\d"
        ),
    ),
    ("配方或配比", re.compile(r"\d+(?:\.\d+)?\s*[:：]\s*\d+(?:\.\d+)?\s*(?:的)?(?:配比|比例)")),
    # A batch's charge: "每批投入粗品200kg、丙酮1250L".
    (
        "配方或配比",
        re.compile(
            r"每(?:批|釜|罐|炉|锅|吨)[^，。；;]{0,10}?\d+(?:\.\d+)?\s*(?:kg|g|L|mL|t|吨|公斤|千克|升|克)"
            r"(?:[、，,][^，。；;、]{1,8}?\d+(?:\.\d+)?\s*(?:kg|g|L|mL|t|吨|公斤|千克|升|克))*"
        ),
    ),
    # A process window stated as such: "工艺窗口为压射速度4.2–4.6 m/s、增压压力88–92 MPa…".
    (
        "工艺参数",
        re.compile(
            r"(?:工艺|控制|生产|操作)(?:窗口|参数)[^，,。；;—\d]{0,8}?(?:为|是|：|:|——)+\s*[^，,。；;\d]{0,12}\d[^。；;]{0,60}"
        ),
    ),
    # A recipe spelled out: "配方（以原料肉计）为食盐2.2%、复合磷酸盐0.30%…", "配料方案为石灰石82.6%、…".
    (
        "配方或配比",
        re.compile(
            r"(?:配方|配料方案|配料|配比)[^。；;]{0,16}?(?:为|：|:)[^。；;]{0,6}?"
            r"[\u4e00-\u9fa5]{1,10}\d+(?:\.\d+)?\s*%(?:[、，,][\u4e00-\u9fa5]{1,10}\d+(?:\.\d+)?\s*%)+"
        ),
    ),
    # A named process parameter held in a window: "超声功率85±3 mW", "焊接电流180±5A".
    (
        "工艺参数",
        re.compile(
            r"(?:功率|电流|电压|转速|压力|速度|时间|频率|张力|扭矩|流量|压强)\s*[:：为]?\s*\d+(?:\.\d+)?\s*±\s*\d+(?:\.\d+)?\s*[A-Za-zμΩ%/·]+"
        ),
    ),
    (
        "客户及价格",
        re.compile(
            r"(?:客户|向)[^，。；;]{1,20}?(?:单价|售价|供货价|价格|报价)[^，。；;]{0,6}?\d+(?:\.\d+)?\s*(?:元|万元)"
        ),
    ),
)
#: A price agreed with a customer the sentence names ("与华驰汽车股份有限公司…合同单价为0.46元/Wh").
_PRICE = re.compile(
    r"(?:合同单价|成交单价|供货单价|销售单价|单价|售价|供货价|成交价|合同价|结算价|协议价|采购价)[^，。；;\d]{0,6}"
    r"\d+(?:,\d{3})*(?:\.\d+)?\s*(?:元|万元)(?:/[^\s，。；;、]{1,3})?"
)
_NOT_KNOW_HOW = re.compile(r"精度|误差|波动|露点|冷库|冷链|冷藏|环境|室温|洁净|储存|存储|贮存")
_NAMED_BUYER = re.compile(
    r"[\u4e00-\u9fa5]{2,}(?:有限公司|股份公司|集团|公司)|客户|向[^，。；;]{2,16}?(?:供货|销售|交付|出货|供应)"
    r"|为[^，。；;]{2,16}?配套"
)


def placeholder(what: str) -> str:
    return f"【待补充：{what}】"


def fmt_number(value: float) -> str:
    """A user's figure as written: 35.0 → "35", 0.6 → "0.6" (never rounded or rescaled)."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


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


def leadership_claims(text: str) -> list[str]:
    """Leadership claims other than the absolute ones (those are ``absolute_claims``)."""
    absolute = [m.span() for m in ABSOLUTE_CLAIM_RE.finditer(text)]
    return [
        m.group(0)
        for m in LEADERSHIP_RE.finditer(text)
        if not any(a <= m.start() < b or a < m.end() <= b for a, b in absolute)
    ]


def absolute_claims(text: str) -> list[str]:
    """全球第一, 国际领先, 填补国内空白, a 100% staff reduction: each fragment as written."""
    return [m.group(0) for m in ABSOLUTE_CLAIM_RE.finditer(text)] + [
        m.group(0) for m in STAFF_ALL_RE.finditer(text)
    ]


def secret_fragments(text: str) -> list[tuple[str, str]]:
    """(kind, fragment) for content that may be a trade secret: process temperatures and
    pressures, recipes and ratios, a customer with a price."""
    out: list[tuple[str, str]] = []
    for kind, pattern in SECRET_RES:
        # A machine's control accuracy ("定型机温控精度±0.5℃") or a room's condition ("干燥房露点
        # -40℃") is a specification or an environment, not know-how.
        out += [(kind, m.group(0)) for m in pattern.finditer(text) if not _NOT_KNOW_HOW.search(m.group(0))]
    for sentence in sentences(text, semicolons=True):
        if _NAMED_BUYER.search(sentence) and not any(kind == "客户及价格" for kind, _ in out):
            out += [("客户及价格", m.group(0)) for m in _PRICE.finditer(sentence)]
    return out


def with_unit(value: float | None, unit: str, missing: str) -> str:
    return placeholder(missing) if value is None else f"{fmt_number(value)}{unit}"


def kpi_sentence(kpi: Kpi, fig: KpiFigure) -> str:
    """One KPI as a clause of prose, with placeholders for what is missing."""
    period = f"（{fig.period}）" if fig.period else ""
    if kpi.kind == "level":
        b = with_unit(fig.before, kpi.unit, f"建设前的{kpi.name}")
        a = with_unit(fig.after, kpi.unit, f"建设后的{kpi.name}")
        verb = "提升至" if fig.before is None or fig.after is None or fig.after >= fig.before else "变为"
        return f"{kpi.name}由建设前的{b}{verb}{a}{period}"
    measure = fig.measure or kpi.measure
    mu = fig.measure_unit or ""
    b = with_unit(fig.before, mu, f"建设前的{measure}")
    a = with_unit(fig.after, mu, f"建设后的{measure}")
    if fig.before is not None and fig.after is not None:
        verb = "提升至" if fig.after > fig.before else ("降至" if fig.after < fig.before else "保持为")
    else:
        verb = "降至" if kpi.kind == "down" else "提升至"
    c = f"{fmt_number(fig.change)}%" if fig.change is not None else placeholder("幅度（%）")
    return f"{measure}由{b}{verb}{a}，{kpi.name}{c}{period}"
