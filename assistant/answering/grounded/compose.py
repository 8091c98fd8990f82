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

This module chooses and words the lead; reading the question is asks.py, finding and scoring
the sentences values.py. The names grounded.py and the evaluation import stay importable here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from assistant.answering.grounded.asks import (
    NEXT_ROUND,
    Part,
    ValueAsk,
    asked_parts,
    asked_subject,
    named_days,
    value_ask,
)
from assistant.answering.grounded.values import (
    KIND_HINTS,
    Found,
    Similarity,
    bigrams,
    closest,
    enumerations,
    find_values,
    sentences,
)
from assistant.knowledge.corpus import Clause

__all__ = ["NEXT_ROUND", "Lead", "asked_parts", "closest", "compose", "lead_numbers_cited"]

_DIGITS = re.compile(r"\d+")
_ID_MARK = re.compile(r"【[^】]+】")
MIN_FOUND_SCORE = 1.0
MAX_PER_PART = 3
MAX_LIST = 6


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


def _in_asked_order(chosen: list[Found], part_text: str) -> list[Found]:
    """Dates in the order the question names their days ("22号还是29号": the 22nd first)."""
    days = [int(d) for d in named_days(part_text)]

    def position(item: Found) -> int:
        set_days = [int(d) for d in re.findall(r"月\s*(\d{1,2})\s*日", item.span)]
        return min((days.index(d) for d in set_days if d in days), default=len(days))

    return sorted(chosen, key=lambda item: (position(item), _other_actor(item.span, part_text)))


#: Who a deadline binds: the applicant (the enterprise) or the recommender (the province's
#: department). A question that names neither is the applicant's: most who ask are one.
_RECOMMENDER = re.compile(r"推荐单位|推荐部门|主管部门|工信厅|工信局|省里|厅里|审核")
_APPLICANT = re.compile(r"申报主体|申报单位|企业|我们")


def _other_actor(span: str, part_text: str) -> bool:
    """Whether a dated sentence binds the other side than the one the question asks about."""
    asks_recommender = bool(_RECOMMENDER.search(part_text)) and not _APPLICANT.search(part_text)
    binds_recommender = bool(_RECOMMENDER.search(span)) and not _APPLICANT.search(span)
    return asks_recommender != binds_recommender


def _claim(lead: Lead, found: Found, label: Callable[[Clause], str]) -> str:
    prefix = label(found.clause)
    marks = "".join(lead.cite(c) for c in [found.clause, *found.members])
    return f"{prefix}{found.span}{marks}"


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
    # The documents' words for the user's ("发改委" → 发展改革委) count as words of the question.
    wording = f"{question} {expand(question)}" if expand else question
    composer = _Composer(
        question, list(clauses), wording, label, search, prefer, similarity, siblings, expand
    )
    lead = composer.lead
    if silence:
        lead.silent = True
        lead.lines.append(silence)
    ask = value_ask(question)
    if ask is not None and not composer.carries(ask):
        composer.say_unset(ask)
        return lead
    composer.answer_parts()
    if not lead.lines or (lead.silent and len(lead.lines) == 1):
        composer.add_closest()
    return lead


@dataclass
class _Composer:
    """One question's clauses, how to look further, and the lead being written.

    A class because every step of composing reads the same question, clauses and scoring aids
    and writes to the one lead (whose citations keep the order the claims are made in)."""

    question: str
    clauses: list[Clause]
    #: The question with the documents' words for the user's added.
    wording: str
    label: Callable[[Clause], str]
    search: Callable[[str], Sequence[Clause]] | None
    prefer: Sequence[str]
    similarity: Similarity | None
    siblings: Callable[[Clause], Sequence[Clause]] | None
    expand: Callable[[str], str] | None = None
    lead: Lead = field(default_factory=Lead)

    def more(self, query: str) -> list[Clause]:
        """Clauses the search finds beyond the retrieved ones (none without a search)."""
        return [c for c in (self.search(query) if self.search else []) if c not in self.clauses]

    def carries(self, ask: ValueAsk) -> bool:
        """Whether a sentence of the retrieved clauses carries a value of the kind asked."""
        return any(ask.evidence.search(sentence) for clause in self.clauses for sentence in sentences(clause))

    def say_unset(self, ask: ValueAsk) -> None:
        """ "现有文件未规定…" for a value the documents do not set, then the nearest thing they say."""
        question, lead = self.question, self.lead
        lead.silent = True
        subject = ask.question.search(question)
        named = asked_subject(question, subject) if subject and subject.lastindex and subject.group(1) else ""
        missing = ask.missing_for(question)
        named = "" if not named or len(named) < 2 or named in ("指标", "比例") or named in missing else named
        lead.lines.append(f"现有文件未规定{named + '的' if named else ''}{missing}。")
        query = f"{question} {ask.hint}"
        near = closest(query, [*self.more(query), *self.clauses], self.similarity, self.prefer)
        if near is not None and near.score > 0:
            lead.lines.append(f"文件中与此最相关的规定是：{near.span}{lead.cite(near.clause)}。")

    def answer_parts(self) -> None:
        """A line per part asked, in the question's order: the values that answer it, each once
        (a kind answered, or a sentence already said for another part, is not repeated)."""
        answered: set[tuple[str, str]] = set()
        said: set[str] = set()
        parts = asked_parts(self.question)
        kinds = [p.kind for p in parts]
        for part in parts:
            if (part.kind, part.text) in answered:
                continue
            # Two parts of one kind ("线上申报哪天截止，推荐单位审核哪天截止"): each is scored on
            # its own words, or the other part's words pull both to the same sentence.
            own = f"{part.text} {self.expand(part.text)}" if self.expand else part.text
            found = self.found(part, own if kinds.count(part.kind) > 1 else self.wording)
            if not found:
                continue
            answered.add((part.kind, part.text))
            chosen = [
                c for c in _chosen(found, part, self.wording) if c.span not in said
            ]  # another part's answer already
            if not chosen:
                continue
            said.update(c.span for c in chosen)
            if part.kind == "date" and not _sets_the_event(part.text, chosen):
                # "评审结果什么时候公布": the documents date only other events.
                self.lead.silent = True
                self.lead.lines.append(
                    f"现有文件未规定“{part.text.rstrip('？?。')}”的时间。文件规定的时间节点是："
                )
            self.lead.lines.append(self.claims(chosen))

    def found(self, part: Part, wording: str) -> list[Found]:
        """The values of the part's kind, best first: in the retrieved clauses, in more clauses
        found with the kind's hint words, and whole numbered lists for a list."""
        found = find_values(
            part.kind, part.text, wording, self.clauses, prefer=self.prefer, similarity=self.similarity
        )
        hint = KIND_HINTS.get(part.kind)
        if part.kind == "count" and re.search(r"几份|多少份", part.text):
            hint = "纸质版 电子版 各 份"  # copies of the papers, not the number of projects
        if hint:
            extra = self.more(f"{part.text} {hint}")
            found = sorted(
                [
                    *found,
                    *find_values(
                        part.kind,
                        part.text,
                        wording,
                        extra,
                        offset=len(self.clauses),
                        prefer=self.prefer,
                        similarity=self.similarity,
                    ),
                ],
                key=lambda f: -f.score,
            )
        if part.kind == "list" and self.siblings is not None:
            found = sorted(
                [
                    *found,
                    *enumerations(part.text, wording, self.clauses, self.siblings, self.similarity),
                ],
                key=lambda f: -f.score,
            )
        # A value that shares next to nothing with the question, or only a caveat's, answers
        # nothing: the nearest sentence does better.
        return [f for f in found if f.score >= MIN_FOUND_SCORE]

    def claims(self, chosen: list[Found]) -> str:
        """One line of the values chosen for a part, each with its 【id】; a document is named when
        several answer, and a draft or a reference note always (the reader must know it is not
        a rule)."""
        several_docs = len({c.clause.doc_id for c in chosen}) > 1
        claims = [
            _claim(
                self.lead,
                c,
                self.label if several_docs or c.clause.status != "official" else (lambda clause: ""),
            )
            for c in chosen
        ]
        return "；".join(claims) + "。"

    def add_closest(self) -> None:
        """The sentence nearest the question, when nothing else answers it."""
        near = closest(self.wording, self.clauses, self.similarity, self.prefer)
        if near is None or near.score <= 0:
            return
        said = f"{near.span}{self.lead.cite(near.clause)}。"
        if near.clause.status == "reference":
            # A reference note is not the programme's rule: the documents are silent on it.
            self.lead.silent = True
            said = f"现有申报文件对此未作规定。{self.label(near.clause)}{said}"
        elif near.clause.status != "official":
            said = f"{self.label(near.clause)}{said}"
        self.lead.lines.append(said)


def _chosen(found: list[Found], part: Part, wording: str) -> list[Found]:
    """The values that answer one part, from those found (best first); for a date, each day the
    question names gets the sentence that sets it, in the order named."""
    chosen = _best(found, part.kind, part.text)
    if part.kind == "date":
        # The side the question asks about (the applicant unless the recommender is named) has
        # its own deadline in the answer, even when the other side's sentence scored higher.
        own_side = [f for f in found if not _other_actor(f.span, part.text)]
        if own_side and all(_other_actor(c.span, part.text) for c in chosen):
            chosen = [own_side[0], *chosen]
        chosen = _in_asked_order(_with_named_days(chosen, found, part.text), part.text)
    if part.kind == "phone" and chosen and not _names_whose(wording, chosen[0].span):
        chosen = _whole_contact_list(chosen[0].clause, found)
    elif part.kind == "phone":
        # "装备一司和国资委科创局的电话": every line whose owner the question names.
        named = [f for f in found if _names_whose(wording, f.span) and f not in chosen]
        chosen = [*chosen, *named][:MAX_PER_PART]
    return chosen


#: Words every request for a number shares with every contact line: they name no one.
_CONTACT_WORDS = bigrams("联系电话方式号码咨询申报多少哪个打给找谁对接负责人联系人")


def _names_whose(wording: str, span: str) -> bool:
    """Whether the question (with the documents' words for its own) names whose number it
    wants ("发改委那边的电话"), as the line's own words show; "咨询打哪个电话" names no one."""
    return bool((bigrams(wording) & bigrams(span)) - _CONTACT_WORDS)


def _whole_contact_list(clause: Clause, found: list[Found]) -> list[Found]:
    """Every number of the contact clause, in the document's order: asked for "the" number
    with no one named, the user gets the list, not the line that happened to score best."""
    lines = sorted((f for f in found if f.clause is clause), key=lambda f: clause.text.find(f.span[:8]))
    return [Found(clause, "；".join(f.span for f in lines), lines[0].score)] if lines else []


def _best(found: list[Found], kind: str, part_text: str = "") -> list[Found]:
    """The top values, within 2 points of the best: a whole list alone, official documents
    before others, one sentence per document unless the kind asks for several values."""
    best = found[0].score
    if kind == "list" and found[0].members:
        # "“智能工厂基本情况”这部分要写哪些内容": the item the question names, not the whole list.
        named = _named_item(found[0], part_text)
        if named is not None:
            return [named]
    if kind == "list":
        # A list asked for is answered by the list itself, not by a sentence that only names it
        # ("按照《…申报材料清单》编制申报书" beside that 清单's four parts).
        lists = [f for f in found if f.members and f.score >= best - 2 and _names_list(found[0].span, f)]
        found = [*lists[:1], *[f for f in found if f is not (lists[0] if lists else None)]]
    chosen: list[Found] = []
    docs_seen: set[str] = set()
    limit = MAX_LIST if kind == "list" else MAX_PER_PART
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
        if item.clause.doc_id in docs_seen and kind not in ("date", "phone", "count", "list"):
            continue
        if kind == "list" and any(item.clause is c.clause for c in chosen):
            continue
        docs_seen.add(item.clause.doc_id)
        chosen.append(item)
    return chosen


#: Words of a date question that name no particular event: the asking itself, the tiers and
#: what every deadline is about (申报, 材料, 提交, 线上/网上).
_NO_EVENT = re.compile(
    r"截止|截至|最晚|什么时候|啥时候|哪天|几号|期限|日期|时间节点|时间|几月|来得及|来不及|多久|之前|以前|前要|"
    r"(基础|先进|卓越|领航)级?|智能工厂|申报|报名|提交|交|材料|申报书|线上|网上|网报|报|是|要|的|了|吗|呢|啊|我们|企业|今年|这次|本次|一般"
    # Whose round it is names no event either: the national one, a province's.
    r"|国家级|国家|全国|部里|中央|省级|省里|本省|我省|自治区|区里"
)


_ASKS_DEADLINE = re.compile(r"截止|截至|最晚|期限|deadline|之前要|前要交")
#: Chat words a question wraps its event in ("搞不清", "还算数吗").
_CHATTER = {"搞不清", "弄完", "算数", "还算数", "知道", "清楚", "确定", "请问", "想问", "咨询", "一下"}


def _sets_the_event(part_text: str, chosen: list[Found]) -> bool:
    """Whether the dates chosen are of the event the question asks about: some noun or verb of
    the event ("评审结果…公布", "奖补资金…发放") is in a chosen clause, or the question names no
    event beyond applying ("卓越级什么时候截止"), or names the days it wants confirmed."""
    if named_days(part_text):
        return True
    if _ASKS_DEADLINE.search(part_text) and any(re.search(r"日前|前完成", c.span) for c in chosen):
        return True  # a deadline asked, deadlines given: whatever else the stretch says
    import jieba.posseg

    event = [
        pair.word
        for pair in jieba.posseg.cut(_NO_EVENT.sub(" ", part_text))
        if len(pair.word) >= 2
        and pair.flag.startswith(("n", "v"))
        and pair.flag not in ("ns", "nr", "nt")  # a place, person or body names no event
        and pair.word not in _CHATTER
    ]
    return not event or any(word in c.clause.text + c.clause.heading for word in event for c in chosen)


def _named_item(listed: Found, part_text: str) -> Found | None:
    """The item of a whole list whose own name ("智能工厂基本情况：…") the question contains."""
    for clause in (listed.clause, *listed.members):
        text = _ITEM_NUMBER.sub("", clause.text).rstrip("。")
        name = text.split("：")[0]
        if 4 <= len(name) <= 20 and name in part_text:
            return Found(clause, text, listed.score)
    return None


_ITEM_NUMBER = re.compile(r"^\s*[\d一二三四五六七八九十]+[.、．]\s*")


def _names_list(span: str, listed: Found) -> bool:
    """Whether a sentence names the list by its title ("《卓越级智能工厂项目申报材料清单》")."""
    titles = [listed.clause.title, *listed.clause.heading_path[1:]]
    return any(len(t) >= 4 and re.sub(r"^附件\d+\s*", "", t) in span for t in titles)


def _with_named_days(chosen: list[Found], found: list[Found], part_text: str) -> list[Found]:
    """ "22号还是29号": each day named gets the sentence that sets it, however it scores."""
    for day in named_days(part_text):
        setting = re.compile(rf"月\s*{day}\s*日")
        if not any(setting.search(c.span) for c in chosen):
            chosen += [f for f in found if setting.search(f.span)][:1]
    return chosen


_FIELD_ID = re.compile(r"[A-Za-z_]+\.[A-Za-z_0-9.]+")


def lead_numbers_cited(lead: str, cited_texts: Sequence[str], question: str = "") -> list[str]:
    """Numbers in the lead (outside its 【ids】 and profile field names) found neither in the
    clauses it cites (their text or title) nor in the question: what the property "never a
    number not in a cited clause" forbids."""
    body = _FIELD_ID.sub("", _ID_MARK.sub("", lead))
    haystack = re.sub(r"\s+", "", "".join(cited_texts) + question)
    return [n for n in _DIGITS.findall(body) if n not in haystack]
