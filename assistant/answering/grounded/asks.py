"""What a question asks: the kinds of answer it wants, and the specific values it asks for.

Kept apart from the sentence scoring (values.py) because reading the question is the one job
grounded.py also needs on its own (which parts are asked decides whether a verdict, a typed
value or a regional note leads), and it involves no clause at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.language import ADDITIONS, clauses

#: (kind, pattern on the question). Order is only a tie-break: parts are sorted by where in the
#: question they are asked.
ASKS: list[tuple[str, re.Pattern[str]]] = [
    (
        "date",
        re.compile(
            r"截止|截至|最晚|什么时候|啥时候|哪天|几号|期限|日期|时间节点|几月|来得及|来不及|deadline|之前要|前要交|多久|\d{1,2}\s*[号日]"
        ),
    ),
    (
        "count",
        re.compile(
            r"名额|几个项目|多少个|几个|上限|推荐数量|限额|最多推|推几个|报几个|几份|多少份|多少家|几家"
            r"|分几级|分为几|几个等级|几个层级|多少项|几大类|几类|多少类|一共多少|总共多少|共有多少"
            r"|最多[^，。？?]{0,4}推|推荐?\d+个"
        ),
    ),
    ("place", re.compile(r"寄到|寄给|寄哪|邮寄|地址|送到哪|报送到|交到哪|送哪")),
    ("recipient", re.compile(r"报给谁|交给谁|送给谁|报送给谁|报哪个部门|报给哪|还要报|同步报")),
    # "找谁评" asks who assesses (基础级: 自建自评), not for a phone number.
    (
        "phone",
        re.compile(
            r"电话|联系方式|联系人|咨询(?!公司|机构|服务|顾问|师)|找谁(?![评审认])|对接人|负责人|打给"
        ),
    ),
    (
        "url",
        re.compile(
            r"网站|网址|哪个平台|什么平台|在哪报|哪里报|在哪里申报|(?:去|到)哪儿?(?:里)?(?:申)?报|链接|在哪填|哪里填|在哪评|哪里评|去哪下|哪里下载"
        ),
    ),
    (
        "list",
        re.compile(
            r"哪些|哪几|什么材料|几类|清单(?![^，。？?]*(?:吗|么))|包括什么|包含什么|有什么(?!区别|不同|差别)|有啥(?!区别|不同|差别)|都要|列一下|几项|栏"
        ),
    ),
    ("format", re.compile(r"格式|模板|要盖|盖什么章|盖章吗|份数|装订|怎么填|填写要求|纸质版还是|电子版还是")),
    ("definition", re.compile(r"是什么|什么是|什么意思|指什么|怎么理解|啥意思|含义|定义|叫啥|叫什么|是啥")),
    (
        "level",
        re.compile(r"什么水平|啥水平|哪种水平|要求高|多高|什么程度|啥程度|做到啥|做到什么|达到啥|达到什么"),
    ),
    ("standard", re.compile(r"国标|哪个标准|什么标准|哪项标准|标准号|按什么标准|依据哪个|参照哪个|按哪个")),
]


def named_days(text: str) -> list[str]:
    """The days of the month a question names ("22号还是29号" → ["22", "29"]), in its order."""
    return re.findall(r"(\d{1,2})\s*[号日]", text)


#: Questions that ask for a value of a kind the documents may not set, with the pattern a
#: sentence must match to carry such a value, and how the silence is worded.
@dataclass(frozen=True)
class ValueAsk:
    name: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]
    missing: str  # "现有文件未规定{missing}"
    hint: str  # words that find the closest thing the documents do say
    #: What the question names as the thing the value is of (group 1: "成熟度评估报告" of
    #: "成熟度评估报告有效期多久"), and how the silence then words it ("{}的有效期").
    named: re.Pattern[str] | None = None
    named_missing: str = ""

    def missing_for(self, question: str) -> str:
        """``missing``, or the thing the question names when it names one."""
        match = self.named.search(question) if self.named else None
        if match is None:
            return self.missing
        thing = re.split(r"[的了吗是要和与及个这那]", match.group(1))[-1]
        return self.named_missing.format(thing) if len(thing) >= 2 else self.missing


#: In order: the first that matches is the one asked ("评审费要多少钱" asks for a fee, not an amount of aid).
VALUE_ASKS: list[ValueAsk] = [
    ValueAsk(
        "threshold",
        re.compile(
            r"(数控化率|投用率|不良率|能耗|交付率|利用率|周转率|生产率|增长率|排放|比例|指标|率)"
            r"[^。？?！]{0,10}(多少(?![项个类条种])|几成|百分之|门槛|标准值|数值|具体值|硬指标|达标线|及格线)"
            r"|(达到|要求|至少|不低于|起码)[^。？?]{0,4}(多少|百分之几|几成)"
        ),
        re.compile(r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十\d]"),
        "具体数值门槛",
        "建设成效 主要技术经济指标 同行业领先水平",
    ),
    ValueAsk(
        "fee",
        re.compile(r"收费|费用|要钱|交钱|花钱|收钱|免费|评审费|申报费"),
        re.compile(r"\d+(?:\.\d+)?\s*元|收费|免费|费用"),
        "申报或评审的收费标准",
        "评审认定 公益性服务",
    ),
    ValueAsk(
        "amount",
        re.compile(
            r"(补贴|补助|奖励|奖金|资助|奖补|扶持资金|专项资金|资金支持|拨款)[^。？?]{0,8}(多少|几|金额|额度|标准)"
            r"|多少(?:补贴|补助|奖励|奖金|资金|钱)|多少钱|给钱|给多少"
        ),
        re.compile(r"(补贴|补助|奖励|资助|奖补|资金)[^。；]{0,20}\d+(?:\.\d+)?\s*(?:万元|亿元|元)"),
        "资金支持或奖励的具体金额",
        "鼓励给予相应政策支持 政策支持范围",
    ),
    ValueAsk(
        "validity",
        re.compile(
            r"有效期|有效几年|管几年|多久有效|几年有效|有效多久|多长时间有效|到期|复审|复评|复核|复查|摘牌"
        ),
        re.compile(r"有效期|\d+\s*年内有效|有效\s*\d+\s*年"),
        "认定的有效期",
        "研究制定智能工厂梯度培育管理办法 动态管理机制",
        re.compile(
            r"([\u4e00-\u9fff]{0,12}(?:报告|认定|称号|资格|证书|结果|名单|评估|牌子|荣誉))的?"
            r"(?:有效期|有效几年|管几年|多久有效|几年有效|有效多久|多长时间有效)"
        ),
        "{}的有效期",
    ),
    ValueAsk(
        "frequency",
        re.compile(
            r"每年都|每年一次|一年一次|几年一次|多久一次|多久.{0,4}一次|每年.{0,4}(评|报|搞|开展|组织)|多久(评|报|搞)一次|频次|周期"
        ),
        re.compile(r"每年|年度|一年一次|每\s*\d+\s*年|周期"),
        "开展评选或申报的频次",
        "年度 组织开展 持续培育",
    ),
    ValueAsk(
        "length",
        re.compile(r"页数|几页|多少页|字数|多少字|篇幅|页码|写多长|写多少"),
        re.compile(r"\d+\s*(?:页|字)|篇幅"),
        "申报书的页数或字数限制",
        "具体模板和填写要求 编制申报书",
    ),
]

#: A later or earlier round than the ones held.
#: ("今年" is the year judged by, whose round the answer already follows: not a round not held.)
NEXT_ROUND = re.compile(r"下一批|下一轮|下一年|下批|下次|下一次|明年|第二批|下一期|后年")


@dataclass
class Part:
    kind: str
    text: str  # the stretch of the question that asks it


def asked_parts(question: str) -> list[Part]:
    """The kinds of answer the question asks for, in the order it asks them: one part per
    stretch of the question that asks it ("线上申报哪天截止，推荐单位审核哪天截止" is two dates)."""
    found: list[tuple[int, int, str, str]] = []
    segments = clauses(question, words=ADDITIONS)
    for kind, pattern in ASKS:
        match = pattern.search(question)
        if not match:
            continue
        asking = [s for s in segments if pattern.search(s)] or [question]
        for order, segment in enumerate(asking):
            found.append((question.find(segment) if order else match.start(), order, kind, segment))
    found.sort()
    return [Part(kind, text) for _, _, kind, text in found]


def asked_subject(question: str, match: re.Match[str]) -> str:
    """The whole name of what a value is asked for: "设备综合利用率", not just the "利用率"
    the pattern matched — the Han characters before it back to a function word or a tier."""
    start = match.start(1)
    while (
        start > 0
        and re.match(r"[\u4e00-\u9fff]", question[start - 1])
        and question[start - 1] not in "的了吗是要和与及级"
    ):
        start -= 1
    return question[start : match.end(1)]


def value_ask(question: str) -> ValueAsk | None:
    """The kind of specific value asked for, if any. A maturity level is not a KPI threshold:
    the documents do set it (三级及以上), so such questions are answered, not declared silent."""
    for ask in VALUE_ASKS:
        if ask.name == "threshold" and re.search(r"成熟|几级", question):
            continue
        if ask.question.search(question):
            return ask
    return None
