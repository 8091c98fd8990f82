"""Typed values in the documents, and how near a clause's sentence is to a question.

The scoring half of the evidence-first lead (compose.py): which sentences carry a value of an
asked kind (a date, a count, a phone...), how each scores against the question (shared words,
nearness in meaning, the asked tier, official before reference text), and the span of the
sentence quoted. Nothing here decides what the lead says; compose.py chooses among what this
module finds, so the scoring can be tuned without touching the lead's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answering.grounded.asks import named_days
from assistant.knowledge.corpus import Clause
from assistant.language import sentences as split_sentences
from assistant.vocabulary import TIERS

#: How near in meaning a sentence is to the question, 0 (farthest of the retrieved sentences)
#: to 1 (nearest), or None where no dense index is loaded. See answering/similarity.py.
Similarity = Callable[[Clause, str], float | None]

#: The nearest sentence in meaning earns this many points, the farthest none; a shared bigram
#: of the question earns one, so a paraphrase outweighs a word or two in common.
SEMANTIC_WEIGHT = 2.0

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
#: A list or section number at the start of a text ("1.", "(二)", "四、").
NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}\s*[.．、]|[(（][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、)\s*"
)
#: An enumeration: three items or more, split by 、 ； or a table's ｜.
_ENUMERATED = re.compile(r"(?:[^、；｜|]+[、；｜|]){2,}[^、；｜|]+")
_CHUNK_SPLIT = re.compile(r"(?<=[，,])")
_ABOUT_LIBRARY = re.compile(r"本知识库|本库|本助手")
#: An item of a numbered list: its id ends in its number (materials#3, form#注.2).
_ITEM_ID = re.compile(r"^(.+[#.])(\d+)$")
#: Function words that say nothing about the subject of a question.
_STOP = set("的了吗呢啊吧么是在有和与及或要我们你们他这那个么什怎哪几多少能可以还请问一下就都也")
MAX_SPAN = 80
#: A list is answered whole when it fits: "包括4个场景：A；B；C；D" cut at 80 loses its items.
MAX_LIST_SPAN = 160


def bigrams(text: str) -> set[str]:
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
    return [NUMBERING.sub("", s) for s in split_sentences(clause.text, semicolons=not whole_lists)]


def quoted_span(
    sentence: str,
    match: re.Match[str] | None,
    terms: set[str] | None = None,
    limit: int = MAX_SPAN,
    focus: str | None = None,
) -> str:
    """The sentence, or when long the comma-chunks around the value (or, without a value, the
    chunks sharing most words with the question, among those naming ``focus`` — the asked tier —
    if any: "…卓越级应达到三级及以上，领航级应达到四级及以上" asked of 领航级 keeps the last chunk),
    with the sentence's subject in front."""
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
        def window(i: int) -> tuple[bool, int, int]:
            pair = chunks[i] + (chunks[i + 1] if i + 1 < len(chunks) else "")
            shown = pair if len(pair) <= limit else chunks[i]
            return (bool(focus) and focus in shown, len(bigrams(shown) & terms), -i)

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
    part_terms, question_terms = bigrams(part_text), bigrams(question)
    unit = re.search(r"[几多少]+\s*([个份项家名])", part_text) if kind == "count" else None
    # "22号还是29号": each day the question names is a value it wants confirmed.
    tier = _tier_scope(question)
    days = set(named_days(part_text)) if kind == "date" else set()
    found: list[Found] = []
    for rank, clause in enumerate(clauses):
        context = bigrams(clause.heading)
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
            words = bigrams(sentence) - _GENERIC.get(kind, set())
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
            found.append(
                Found(clause, quoted_span(sentence, match, limit=limit), score - 0.3 * (rank + offset))
            )
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
    terms = bigrams(question)
    tier = _tier_scope(question)
    best: Found | None = None
    for rank, clause in enumerate(clauses):
        for sentence in sentences(clause):
            score = (
                len(bigrams(sentence) & terms)
                - 0.3 * rank
                - _status_penalty(clause, sentence)
                + _semantic(similarity, clause, sentence)
                + _tier_fit(tier, clause)
                + (3 if clause.doc_id in prefer else 0)
            )
            if best is None or score > best.score:
                best = Found(clause, quoted_span(sentence, None, terms, focus=tier), score)
    return best


def _tier_scope(question: str) -> str | None:
    """The one tier a question names ("卓越级的KPI要达到啥水平"), if exactly one."""
    named = [t for t in TIERS if t in question]
    return named[0] if len(named) == 1 else None


def _tier_fit(tier: str | None, clause: Clause) -> float:
    """+2 for a clause under the asked tier's heading, -6 under another tier's: 要素条件 says
    the same things of each tier with other figures, and the asked tier's are the answer (a
    sentence of another tier that shares more words is still the wrong tier's rule: "基础级是不是
    也要覆盖全部五个环节" is not answered by 卓越级's "原则上应覆盖全部五个环节")."""
    if tier is None:
        return 0.0
    under = [t for t in TIERS if t in clause.heading]
    return 0.0 if not under else (2.0 if tier in under else -6.0)


def _status_penalty(clause: Clause, sentence: str = "") -> float:
    """Reference notes and drafts answer only where the official texts do not; nor does a
    sentence about this knowledge base itself ("原文未收入本知识库"), which is a caveat, not a rule."""
    penalty = 0.0 if clause.status == "official" else 3.0
    return penalty + (6.0 if _ABOUT_LIBRARY.search(sentence) else 0.0)


def _item_head(clause: Clause) -> str:
    """What an item of a numbered list is about: its words before "：", else its first sentence."""
    first = (sentences(clause) or [clause.text])[0]
    head = re.split(r"[：:]", first, maxsplit=1)[0]
    if len(head) > 24:
        head = re.split(r"[，,；;]", first, maxsplit=1)[0]
    return (head if len(head) <= 30 else quoted_span(first, None)).rstrip("。；;，,")


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
    part_terms, question_terms = bigrams(part_text), bigrams(question)
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
        words = bigrams("".join(heads)) | bigrams(clause.heading)
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
        title = "".join(NUMBERING.sub("", h) for h in path[-2:]).strip()
        title = re.sub(r"^附件\d+\s*", "", title)
        found.append(
            Found(items[0], f"{title}包括：" * bool(title) + "；".join(heads), score, members=items[1:])
        )
    return found
