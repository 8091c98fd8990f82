"""Evidence-first leads: what the question asks, and the sentences of the clauses that answer it.

A question is read as one or more *parts*, each of a kind (a date, a count, a place, a phone, a
platform, a list, a format, a requirement, a definition), in the order the question asks them.
For each part the sentences of the retrieved clauses are scanned with a typed pattern for that
kind (dates, numbers with units, addresses, phone numbers, URLs, enumerations); the sentence
that carries such a value and shares most words with the question becomes the lead, cut down to
the phrase around the value and followed by its 【clause_id】. Nothing is paraphrased, so a
number in the lead is always a number of the clause it cites.

When the question asks for a specific value the documents do not set (a threshold, an amount,
a validity period, a fee, a page limit, a date of a round or region that is not held) and no
retrieved sentence carries a value of that kind for that subject, the lead says so first
("现有文件未规定…") and then gives the closest thing the documents do say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.knowledge.corpus import Clause
from assistant.vocabulary import TIERS

#: How near in meaning a sentence is to the question, 0 (farthest of the retrieved sentences)
#: to 1 (nearest), or None where no dense index is loaded. See answering/similarity.py.
Similarity = Callable[[Clause, str], float | None]

#: The nearest sentence in meaning earns this many points, the farthest none; a shared bigram
#: of the question earns one, so a paraphrase outweighs a word or two in common.
SEMANTIC_WEIGHT = 2.0

# --- what is asked -----------------------------------------------------------------------------

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
            r"|分几级|分为几|几个等级|几个层级"
        ),
    ),
    ("place", re.compile(r"寄到|寄给|寄哪|邮寄|地址|送到哪|报送到|交到哪|送哪")),
    ("recipient", re.compile(r"报给谁|交给谁|送给谁|报送给谁|报哪个部门|报给哪|还要报|同步报")),
    # "找谁评" asks who assesses (基础级: 自建自评), not for a phone number.
    ("phone", re.compile(r"电话|联系方式|联系人|咨询|找谁(?![评审认])|对接人|负责人|打给")),
    (
        "url",
        re.compile(
            r"网站|网址|哪个平台|什么平台|在哪报|哪里报|在哪里申报|链接|在哪填|哪里填|在哪评|哪里评|去哪下|哪里下载"
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


#: Questions that ask for a value of a kind the documents may not set, with the pattern a
#: sentence must match to carry such a value, and how the silence is worded.
@dataclass(frozen=True)
class ValueAsk:
    name: str
    question: re.Pattern[str]
    evidence: re.Pattern[str]
    missing: str  # "现有文件未规定{missing}"
    hint: str  # words that find the closest thing the documents do say


VALUE_ASKS: list[ValueAsk] = [
    ValueAsk(
        "threshold",
        re.compile(
            r"(数控化率|投用率|不良率|能耗|交付率|利用率|周转率|生产率|增长率|排放|比例|指标|率)"
            r"[^。？?！]{0,10}(多少|几成|百分之|门槛|标准值|数值|具体值|硬指标|达标线|及格线)"
            r"|(达到|要求|至少|不低于|起码)[^。？?]{0,4}(多少|百分之几|几成)"
        ),
        re.compile(r"\d+(?:\.\d+)?\s*%|百分之[一二三四五六七八九十\d]"),
        "具体数值门槛",
        "建设成效 主要技术经济指标 同行业领先水平",
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
        re.compile(r"有效期|有效几年|管几年|多久有效|几年有效|有效多久|多长时间有效|到期|复审|复评|摘牌"),
        re.compile(r"有效期|\d+\s*年内有效|有效\s*\d+\s*年"),
        "认定的有效期",
        "研究制定智能工厂梯度培育管理办法 动态管理机制",
    ),
    ValueAsk(
        "fee",
        re.compile(r"收费|费用|要钱|交钱|花钱|收钱|免费|评审费|申报费"),
        re.compile(r"\d+(?:\.\d+)?\s*元|收费|免费|费用"),
        "申报或评审的收费标准",
        "评审认定 公益性服务",
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
NEXT_ROUND = re.compile(r"下一批|下一轮|下一年|下批|下次|下一次|明年|今年|第二批|下一期|后年")

# --- typed values in the documents -------------------------------------------------------------

_DATE = r"(?:20\d\d\s*年\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日(?:前|之前|以前)?"
VALUES: dict[str, re.Pattern[str]] = {
    "date": re.compile(_DATE),
    "count": re.compile(
        r"(?:不超过|不多于|最多|各|共)?\s*\d+\s*(?:个|份|项|家|类|名|人)"
        r"|[一二三四五六七八九十两]+个(?:等级|层级|环节|场景|方面|阶段)"
    ),
    "place": re.compile(
        r"(?:地址|邮寄|寄送|寄至)[：:]\s*[^，。；\n]{4,40}"
        r"|[\u4e00-\u9fff]{2,8}(?:省|市|自治区)[\u4e00-\u9fff]{0,12}(?:区|县|路|街)[^，。；\n]{0,20}?\d+号"
    ),
    "recipient": re.compile(r"报送[^，。；\n]{2,30}"),
    "phone": re.compile(r"(?<!\d)(?:0\d{2,3}[-—]\d{7,8}|1\d{2}\*{4}\d{4}|1[3-9]\d{9})(?!\d)"),
    "url": re.compile(r"https?://[^\s)）,，。]+|www\.[A-Za-z0-9.\-]+"),
    "list": re.compile(r"包括|包含|分为|如下|[：:][^。]*[、；]|^\d+[.．、]|[、].*[、]|[｜|].*[｜|]"),
    "format": re.compile(r"纸质|电子版|盖章|加盖|公章|模板|格式|一致|份"),
    # "三级（集成级）": a term followed by its name.
    "definition": re.compile(
        r"是指|指的是|涵盖|即|为[^。]{0,30}的|[\u4e00-\u9fff\d][（(][\u4e00-\u9fff]{2,8}[)）]"
    ),
    "requirement": re.compile(r"应|须|需|要求|不得|不超过|达到|满足|原则上|以上"),
    "level": re.compile(r"(?:同行业|国内|国际|全球|行业|区域|省)[^。，；]{0,12}(?:领先|平均|先进)(?:水平)?"),
    "standard": re.compile(r"(?:GB/T|GB|T/[A-Z]+)\s*\d+(?:[.\-—]\d+)*(?:《[^》]+》)?"),
}

#: Words added to a part's own words when searching for the clause that answers it.
KIND_HINTS = {
    "date": "前完成线上申报",
    "count": "数量不超过",
    "place": "材料邮寄",
    "phone": "联系电话",
    "url": "平台 https",
    "format": "纸质版 盖章",
    "recipient": "报送",
}
#: A phone line that names nobody ("联系电话：…") belongs to the lines above it.
#: Words every value of a kind comes with: they say nothing about whose value it is.
_GENERIC = {"phone": {"联系", "系电", "电话", "系方", "方式", "系人"}}
_BARE_PHONE = re.compile(r"^联系(?:电话|方式)")
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}\s*[.．、]|[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)\s*"
)
_SENTENCE_SPLIT = re.compile(r"(?<=[。；！？])|\n")
_LIST_SPLIT = re.compile(r"(?<=[。！？])|\n")
#: An enumeration: three items or more, split by 、 ； or a table's ｜.
_ENUMERATED = re.compile(r"(?:[^、；｜|]+[、；｜|]){2,}[^、；｜|]+")
_CHUNK_SPLIT = re.compile(r"(?<=[，,])")
_DIGITS = re.compile(r"\d+")
_ID_MARK = re.compile(r"【[^】]+】")
_ABOUT_LIBRARY = re.compile(r"本知识库|本库|本助手")
#: An item of a numbered list: its id ends in its number (materials#3, form#注.2).
_ITEM_ID = re.compile(r"^(.+[#.])(\d+)$")
#: A table's header row, cells split by ｜.
_TABLE_ROW = re.compile(r"[^｜|\n]+(?:[｜|][^｜|\n]+){2,}")
#: Function words that say nothing about the subject of a question.
_STOP = set("的了吗呢啊吧么是在有和与及或要我们你们他这那个么什怎哪几多少能可以还请问一下就都也")
MAX_SPAN = 80
MIN_FOUND_SCORE = 1.0
#: A list is answered whole when it fits: "包括4个场景：A；B；C；D" cut at 80 loses its items.
MAX_LIST_SPAN = 160
MAX_PER_PART = 3
MAX_LIST = 6


@dataclass
class Part:
    kind: str
    text: str  # the stretch of the question that asks it


@dataclass
class Lead:
    """The composed lead: its lines (each claim with its 【id】), the clauses cited, and whether
    it says the documents are silent on what was asked."""

    lines: list[str] = field(default_factory=list)
    cited: list[str] = field(default_factory=list)
    silent: bool = False

    def cite(self, clause: Clause) -> str:
        if clause.clause_id not in self.cited:
            self.cited.append(clause.clause_id)
        return f"【{clause.clause_id}】"


def asked_parts(question: str) -> list[Part]:
    """The kinds of answer the question asks for, in the order it asks them (one per kind)."""
    found: list[tuple[int, str, str]] = []
    segments = [s for s in re.split(r"[，,；;。？?！!]|还有|另外|以及|同时", question) if s.strip()]
    for kind, pattern in ASKS:
        match = pattern.search(question)
        if match:
            segment = next((s for s in segments if pattern.search(s)), question)
            found.append((match.start(), kind, segment))
    found.sort()
    return [Part(kind, text) for _, kind, text in found]


def _subject(question: str, match: re.Match[str]) -> str:
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


def _terms(text: str) -> set[str]:
    """Character bigrams of the Han runs of the text, less those made of function words."""
    grams: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        for i in range(len(run) - 1):
            gram = run[i : i + 2]
            if not (gram[0] in _STOP and gram[1] in _STOP):
                grams.add(gram)
    return grams


def sentences(clause: Clause, *, whole_lists: bool = False) -> list[str]:
    """The clause's sentences (and lines), without the item number in front of the first.
    With ``whole_lists``, "包括4个场景：A；B；C。" stays one sentence: its items are the answer."""
    split = _LIST_SPLIT if whole_lists else _SENTENCE_SPLIT
    return [_NUMBERING.sub("", s.strip()) for s in split.split(clause.text) if s.strip()]


def _span(
    sentence: str, match: re.Match[str] | None, terms: set[str] | None = None, limit: int = MAX_SPAN
) -> str:
    """The sentence, or when long the comma-chunks around the value (or, without a value, the
    chunk sharing most words with the question), with the sentence's subject in front."""
    sentence = sentence.rstrip("。；;")
    if len(sentence) <= limit:
        return sentence
    chunks = _CHUNK_SPLIT.split(sentence)
    start = 0
    if match is not None:
        position = 0
        for index, chunk in enumerate(chunks):
            if position <= match.start() < position + len(chunk):
                start = index
                break
            position += len(chunk)
    elif terms:
        # The two neighbouring chunks that together share most words with the question.
        def window(i: int) -> tuple[int, int]:
            pair = chunks[i] + (chunks[i + 1] if i + 1 < len(chunks) else "")
            shown = pair if len(pair) <= limit else chunks[i]
            return (len(_terms(shown) & terms), -i)

        start = max(range(len(chunks)), key=window)
    picked = chunks[start].rstrip("，,")
    if start + 1 < len(chunks) and len(picked) + len(chunks[start + 1]) <= MAX_SPAN:
        picked = chunks[start] + chunks[start + 1].rstrip("，,")
    if start > 0:
        subject = re.match(
            r"^[\d.．、\s]*([\u4e00-\u9fff（）()、]{2,10}?)(?=应|须|参考|于|将|要|按|愿意|已)", chunks[0]
        )
        if subject and subject.group(1) not in picked:
            picked = f"{subject.group(1)}{picked.lstrip('并')}"
    return picked.strip().rstrip("，,。")


@dataclass
class Found:
    clause: Clause
    span: str
    score: float
    #: The other items of an enumeration found as one answer (cited after ``clause``).
    members: list[Clause] = field(default_factory=list)


def find_values(
    kind: str,
    part_text: str,
    question: str,
    clauses: Sequence[Clause],
    offset: int = 0,
    prefer: Sequence[str] = (),
    similarity: Similarity | None = None,
) -> list[Found]:
    """Sentences of the clauses that carry a value of this kind, best first.

    A sentence's score is its word overlap with the part of the question (then the whole
    question), less a little per rank of its clause, so the retriever's order breaks ties.
    """
    pattern = VALUES[kind]
    part_terms, question_terms = _terms(part_text), _terms(question)
    unit = re.search(r"[几多少]+\s*([个份项家名])", part_text) if kind == "count" else None
    # "22号还是29号": each day the question names is a value it wants confirmed.
    tier = _tier_scope(question)
    days = set(re.findall(r"(\d{1,2})\s*[号日]", part_text)) if kind == "date" else set()
    found: list[Found] = []
    for rank, clause in enumerate(clauses):
        context = _terms(clause.heading)
        lines = sentences(clause, whole_lists=kind == "list")
        for index, sentence in enumerate(lines):
            match = pattern.search(sentence)
            if match and kind == "phone" and _BARE_PHONE.match(sentence):
                # Whose number it is: the lines since the last line with a number of its own.
                above: list[str] = []
                for line in reversed(lines[:index]):
                    if pattern.search(line):
                        break
                    above.insert(0, line.rstrip("。；;"))
                if above:
                    sentence = "；".join([*above, sentence])
                    match = pattern.search(sentence)
            if not match and kind == "list" and re.search(r"#.*\d+$", clause.clause_id):
                match = re.match(r".", sentence)  # an item of a numbered list is a list entry itself
            if not match:
                continue
            words = _terms(sentence) - _GENERIC.get(kind, set())
            score = (
                2 * len(words & part_terms)
                + len(words & question_terms)
                + 0.5 * len(context & question_terms)
                - _status_penalty(clause, sentence)
                + (3 if clause.doc_id in prefer else 0)
                + (3 if unit and match.group().endswith(unit.group(1)) else 0)
                + _semantic(similarity, clause, sentence)
                + (3 if days & set(re.findall(r"月\s*(\d{1,2})\s*日", sentence)) else 0)
                + (2 if kind == "list" and _ENUMERATED.search(sentence) else 0)
                + _tier_fit(tier, clause)
            )
            limit = MAX_LIST_SPAN if kind == "list" else MAX_SPAN
            found.append(Found(clause, _span(sentence, match, limit=limit), score - 0.3 * (rank + offset)))
    found.sort(key=lambda f: -f.score)
    return found


def _semantic(similarity: Similarity | None, clause: Clause, sentence: str) -> float:
    """The bonus for a sentence near the question in meaning (0 without a dense index)."""
    cosine = similarity(clause, sentence) if similarity is not None else None
    return 0.0 if cosine is None else cosine * SEMANTIC_WEIGHT


def closest(
    question: str,
    clauses: Sequence[Clause],
    similarity: Similarity | None = None,
    prefer: Sequence[str] = (),
) -> Found | None:
    """The sentence of the clauses nearest the question: shared words, plus nearness in meaning
    when a dense index is loaded (official documents before reference notes)."""
    terms = _terms(question)
    tier = _tier_scope(question)
    best: Found | None = None
    for rank, clause in enumerate(clauses):
        for sentence in sentences(clause):
            score = (
                len(_terms(sentence) & terms)
                - 0.3 * rank
                - _status_penalty(clause, sentence)
                + _semantic(similarity, clause, sentence)
                + _tier_fit(tier, clause)
                + (3 if clause.doc_id in prefer else 0)
            )
            if best is None or score > best.score:
                best = Found(clause, _span(sentence, None, terms), score)
    return best


def _tier_scope(question: str) -> str | None:
    """The one tier a question names ("卓越级的KPI要达到啥水平"), if exactly one."""
    named = [t for t in TIERS if t in question]
    return named[0] if len(named) == 1 else None


def _tier_fit(tier: str | None, clause: Clause) -> float:
    """+2 for a clause under the asked tier's heading, -2 under another tier's: 要素条件 says
    the same things of each tier with other figures, and the asked tier's are the answer."""
    if tier is None:
        return 0.0
    under = [t for t in TIERS if t in clause.heading]
    return 0.0 if not under else (2.0 if tier in under else -2.0)


def _status_penalty(clause: Clause, sentence: str = "") -> float:
    """Reference notes and drafts answer only where the official texts do not; nor does a
    sentence about this knowledge base itself ("原文未收入本知识库"), which is a caveat, not a rule."""
    penalty = 0.0 if clause.status == "official" else 3.0
    return penalty + (6.0 if _ABOUT_LIBRARY.search(sentence) else 0.0)


def _in_asked_order(chosen: list[Found], part_text: str) -> list[Found]:
    """Dates in the order the question names their days ("22号还是29号": the 22nd first)."""
    days = [int(d) for d in re.findall(r"(\d{1,2})\s*[号日]", part_text)]

    def position(item: Found) -> int:
        set_days = [int(d) for d in re.findall(r"月\s*(\d{1,2})\s*日", item.span)]
        return min((days.index(d) for d in set_days if d in days), default=len(days))

    return sorted(chosen, key=position)


def _claim(lead: Lead, found: Found, label: Callable[[Clause], str]) -> str:
    prefix = label(found.clause)
    marks = "".join(lead.cite(c) for c in [found.clause, *found.members])
    return f"{prefix}{found.span}{marks}"


def _item_head(clause: Clause) -> str:
    """What an item of a numbered list is about: its words before "：", else its first sentence."""
    first = (sentences(clause) or [clause.text])[0]
    head = re.split(r"[：:]", first, maxsplit=1)[0]
    if len(head) > 24:
        head = re.split(r"[，,；;]", first, maxsplit=1)[0]
    return (head if len(head) <= 30 else _span(first, None)).rstrip("。；;，,")


def enumerations(
    part_text: str,
    question: str,
    clauses: Sequence[Clause],
    siblings: Callable[[Clause], Sequence[Clause]],
    similarity: Similarity | None = None,
) -> list[Found]:
    """Whole numbered lists (three items or more) that items of the retrieved clauses belong to,
    each as one answer naming every item: "申报书要写哪几块" is answered by the list of 附件3, not by
    the one item that shares most words with the question. Scored like a sentence, on the
    items' heads together, plus a little for being the list the question asks for."""
    part_terms, question_terms = _terms(part_text), _terms(question)
    found: list[Found] = []
    seen: set[tuple[str, str]] = set()
    for rank, clause in enumerate(clauses):
        item = _ITEM_ID.match(clause.clause_id)
        if item is None or (clause.doc_id, item.group(1)) in seen:
            continue
        seen.add((clause.doc_id, item.group(1)))
        items = [
            c for c in siblings(clause) if (m := _ITEM_ID.match(c.clause_id)) and m.group(1) == item.group(1)
        ]
        items.sort(key=lambda c: int(_ITEM_ID.match(c.clause_id).group(2)))  # type: ignore[union-attr]
        if len(items) < 3:
            continue
        heads = [_item_head(c) for c in items]
        words = _terms("".join(heads)) | _terms(clause.heading)
        semantic = max(_semantic(similarity, c, s) for c in items for s in sentences(c)[:1] or [""])
        score = (
            2 * len(words & part_terms)
            + len(words & question_terms)
            - _status_penalty(clause)
            + semantic
            + 2
            - 0.3 * rank
        )
        # "五、领航级智能工厂 › (一)建设内容" → "领航级智能工厂建设内容" (the document title aside).
        path = clause.heading_path[1:] or clause.heading_path
        title = "".join(_NUMBERING.sub("", h) for h in path[-2:]).strip()
        title = re.sub(r"^附件\d+\s*", "", title)
        found.append(
            Found(items[0], f"{title}包括：" * bool(title) + "；".join(heads), score, members=items[1:])
        )
    return found


def compose(
    question: str,
    clauses: Sequence[Clause],
    *,
    label: Callable[[Clause], str] = lambda clause: "",
    silence: str = "",
    search: Callable[[str], Sequence[Clause]] | None = None,
    prefer: Sequence[str] = (),
    expand: Callable[[str], str] | None = None,
    similarity: Similarity | None = None,
    siblings: Callable[[Clause], Sequence[Clause]] | None = None,
) -> Lead:
    """The lead for a question from its retrieved clauses (best first).

    ``label`` names a clause's document when several answer one part ("内蒙古转发通知：");
    ``silence`` is a sentence the caller already knows to lead with (a round or a region whose
    notice is not held), after which the closest thing the documents say follows. ``search``
    (the retriever, scoped to the applicable documents) finds more clauses for a part the
    given ones do not answer.
    """
    lead = Lead()
    clauses = list(clauses)
    # The documents' words for the user's ("发改委" → 发展改革委) count as words of the question.
    wording = f"{question} {expand(question)}" if expand else question

    def more(query: str) -> list[Clause]:
        return [c for c in (search(query) if search else []) if c not in clauses]

    if silence:
        lead.silent = True
        lead.lines.append(silence)
    ask = value_ask(question)
    if ask is not None and not any(
        ask.evidence.search(sentence) for clause in clauses for sentence in sentences(clause)
    ):
        lead.silent = True
        subject = ask.question.search(question)
        named = _subject(question, subject) if subject and subject.lastindex and subject.group(1) else ""
        named = (
            "" if not named or len(named) < 2 or named in ("指标", "比例") or named in ask.missing else named
        )
        lead.lines.append(f"现有文件未规定{named + '的' if named else ''}{ask.missing}。")
        near = closest(
            f"{question} {ask.hint}", [*more(f"{question} {ask.hint}"), *clauses], similarity, prefer
        )
        if near is not None and near.score > 0:
            lead.lines.append(f"文件中与此最相关的规定是：{near.span}{lead.cite(near.clause)}。")
        return lead
    parts = asked_parts(question)
    answered: set[str] = set()
    said: set[str] = set()
    for part in parts:
        if part.kind in answered:
            continue
        found = find_values(part.kind, part.text, wording, clauses, prefer=prefer, similarity=similarity)
        hint = KIND_HINTS.get(part.kind)
        if part.kind == "count" and re.search(r"几份|多少份", part.text):
            hint = "纸质版 电子版 各 份"  # copies of the papers, not the number of projects
        if hint:
            extra = more(f"{part.text} {hint}")
            found = sorted(
                [
                    *found,
                    *find_values(
                        part.kind,
                        part.text,
                        wording,
                        extra,
                        offset=len(clauses),
                        prefer=prefer,
                        similarity=similarity,
                    ),
                ],
                key=lambda f: -f.score,
            )
        if part.kind == "list" and siblings is not None:
            found = sorted(
                [*found, *enumerations(part.text, wording, clauses, siblings, similarity)],
                key=lambda f: -f.score,
            )
        # A value that shares next to nothing with the question, or only a caveat's, answers
        # nothing: the nearest sentence does better.
        found = [f for f in found if f.score >= MIN_FOUND_SCORE]
        if not found:
            continue
        answered.add(part.kind)
        best = found[0].score
        chosen: list[Found] = []
        docs_seen: set[str] = set()
        limit = MAX_LIST if part.kind == "list" else MAX_PER_PART
        for item in found:
            if len(chosen) >= limit or item.score < best - 2 or (chosen and chosen[0].members):
                break
            if item.members and chosen:
                continue
            if any(item.span == c.span for c in chosen):
                continue
            if chosen and item.clause.status != "official" and chosen[0].clause.status == "official":
                continue
            # One sentence per document unless the part asks for several values of one kind.
            if item.clause.doc_id in docs_seen and part.kind not in ("date", "phone", "count", "list"):
                continue
            if part.kind == "list" and any(item.clause is c.clause for c in chosen):
                continue
            docs_seen.add(item.clause.doc_id)
            chosen.append(item)
        if part.kind == "date":
            # "22号还是29号": each day named gets the sentence that sets it, however it scores.
            for day in re.findall(r"(\d{1,2})\s*[号日]", part.text):
                setting = re.compile(rf"月\s*{day}\s*日")
                if not any(setting.search(c.span) for c in chosen):
                    chosen += [f for f in found if setting.search(f.span)][:1]
            chosen = _in_asked_order(chosen, part.text)
        chosen = [c for c in chosen if c.span not in said]  # another part's answer already
        if not chosen:
            continue
        said.update(c.span for c in chosen)
        several_docs = len({c.clause.doc_id for c in chosen}) > 1
        # A draft or a reference note is named even alone: the reader must know it is not a rule.
        claims = [
            _claim(lead, c, label if several_docs or c.clause.status != "official" else (lambda clause: ""))
            for c in chosen
        ]
        lead.lines.append("；".join(claims) + "。")
    if not lead.lines or (lead.silent and len(lead.lines) == 1):
        near = closest(wording, clauses, similarity, prefer)
        if near is not None and near.score > 0:
            lead.lines.append(f"{near.span}{lead.cite(near.clause)}。")
    return lead


_FIELD_ID = re.compile(r"[A-Za-z_]+\.[A-Za-z_0-9.]+")


def lead_numbers_cited(lead: str, cited_texts: Sequence[str], question: str = "") -> list[str]:
    """Numbers in the lead (outside its 【ids】 and profile field names) found neither in the
    clauses it cites (their text or title) nor in the question: what the property "never a
    number not in a cited clause" forbids."""
    body = _FIELD_ID.sub("", _ID_MARK.sub("", lead))
    haystack = re.sub(r"\s+", "", "".join(cited_texts) + question)
    return [n for n in _DIGITS.findall(body) if n not in haystack]
