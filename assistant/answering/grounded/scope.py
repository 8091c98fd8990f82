"""Which documents and rounds a question is about: regional notices, editions, and silences.

A provincial notice is quoted only to an enterprise of that province (or a question naming
it); a bare "自治区" is read as the one autonomous region held, and the answer says so. A year,
a next round or a province whose notice is not held is said first ("现有文件中没有…"), before
what the held documents say, so an answer never passes one round's rules off as another's.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from assistant.answering.grounded.asks import NEXT_ROUND, Part
from assistant.knowledge.corpus import Corpus
from assistant.knowledge.retrieval import Retriever

_YEAR = re.compile(r"(20\d\d)\s*年")
#: "自治区" on its own, not in the national list "各省、自治区、直辖市".
_BARE_AUTONOMOUS = re.compile(r"(?<![、，,])自治区(?![、，,]?直辖市)")
AUTONOMOUS_ASSUMED = "（问题中的“自治区”按{region}理解；如不是，请告诉我贵公司所在省份。）"
_ABOUT_GUIDE = re.compile(r"指引|场景|[0-9]{2}版|年版")
#: Parts of a question whose answer a provincial notice may change (its own deadline, copies,
#: address, contacts).
REGIONAL_KINDS = {"date", "count", "place", "recipient", "phone", "format"}


#: A question that asks for the national rule explicitly, whatever region the session holds.
NATIONAL_SCOPE = re.compile(
    r"全国(统一|层面|的|那个)|国家(那边|层面|统一|规定|的|通知|文件|发的|那个)|全国性|六部委|部里|工信部(的|规定|要求|通知)"
)


def national_profile(question: str, profile: dict[str, Any]) -> dict[str, Any]:
    """The profile without the enterprise's province when the question asks for the national rule
    ("国家那边…"): for that answer, the region's notice neither applies nor moves the dates."""
    enterprise = profile.get("enterprise")
    if (
        not NATIONAL_SCOPE.search(question)
        or not isinstance(enterprise, dict)
        or "province" not in enterprise
    ):
        return profile
    return {**profile, "enterprise": {k: v for k, v in enterprise.items() if k != "province"}}


def regional_doc_ids(
    retriever: Retriever, question: str, profile: dict[str, Any], places: Collection[str] = ()
) -> tuple[list[str], list[str]]:
    """(regional documents that apply, regional documents that do not).

    A region's notice applies when the question or profile names the region; otherwise it is
    ruled out: a provincial notice is never quoted to an enterprise of another province, nor to
    one whose province is not known.
    """
    province = str((profile.get("enterprise") or {}).get("province") or "")  # a section may be null
    if NATIONAL_SCOPE.search(question):
        province = ""  # "那全国统一的截止日期呢": the question's scope wins over the session's region
    elif not province:
        province = only_autonomous_region(retriever, question, places)
    applies, excluded = [], []
    for doc in retriever.index.corpus.documents:
        if not doc.region:
            continue
        if doc.region == province or doc.region[:2] in question:
            applies.append(doc.doc_id)
        else:
            excluded.append(doc.doc_id)
    return applies, excluded


def only_autonomous_region(retriever: Retriever, question: str, places: Collection[str] = ()) -> str:
    """The region a user means by a bare "自治区" ("自治区认定有加分吗"), when it names no province
    and exactly one held regional notice is an autonomous region's; "" otherwise. The answer
    then says which region it assumed (AUTONOMOUS_ASSUMED). ``places`` are the region names
    the fact reader knows (provinces and their cities)."""
    if not _BARE_AUTONOMOUS.search(question):
        return ""
    regions = {d.region for d in retriever.index.corpus.documents if d.region}
    if any(region[:2] in question for region in regions):
        return ""
    # "广西壮族自治区的企业…": another region named (or one of its cities) is not ours to assume.
    if any(len(name) >= 2 and name in question for name in places):
        return ""
    autonomous = [region for region in regions if region.endswith("自治区")]
    return autonomous[0] if len(autonomous) == 1 else ""


def round_source(corpus: Corpus, rules_edition: str) -> str:
    """The 【id】 of the held round's notice clause that names its year ("开展2024年度…行动"),
    so the year a "not held" note states is, like every lead figure, in a cited clause."""
    year = f"{rules_edition}年度"
    for clause in corpus.clauses:
        document = corpus.document(clause.doc_id)
        if (
            clause.status == "official"
            and document is not None
            and not document.region
            and year in clause.text
        ):
            return f"【{clause.clause_id}】"
    return ""


#: A year the enterprise did something in ("2023年出过一起事故", "2022年评上先进级"): no round.
_EVENT_YEAR = re.compile(
    r"(20\d\d)\s*年[^，。？?]{0,6}?(出过|出了|发生|有过|建成|投产|完工|开工|上线|改造|获评|评上|拿到|认定了|营收|产值)"
)


def _event_years(question: str) -> set[str]:
    return {m.group(1) for m in _EVENT_YEAR.finditer(question)}


def asked_years(question: str, not_rounds: set[str] | None = None) -> list[str]:
    """The years a question names as a round ("2025年名额还是20个吗"), not the years the
    enterprise did something in ("2023年出过一起事故") nor those ``not_rounds`` says are not."""
    return sorted({y for y in _YEAR.findall(question)} - (not_rounds or set()) - _event_years(question))


def missing_rounds(corpus: Corpus, question: str, not_rounds: set[str] | None = None) -> list[str]:
    """The years a question names as rounds whose notice is not held."""
    years = asked_years(question, not_rounds)
    # A round is held when an official document of its year is: the 2025 scenario guide is
    # a draft, so "2025年名额还是20个吗" is about a round not held, but "2025年版指引" is not.
    rounds = {d.edition for d in corpus.documents if d.status == "official"}
    drafts = set(corpus.editions) - rounds
    return [y for y in years if y not in rounds and not (y in drafts and _ABOUT_GUIDE.search(question))]


def round_note(corpus: Corpus, rules_edition: str, question: str, not_rounds: set[str] | None = None) -> str:
    """A round named by year whose notice is not held: said before the held round's rules."""
    missing = missing_rounds(corpus, question, not_rounds)
    if not missing:
        return ""
    # A draft's title may carry its year: cited, like every number in a lead.
    draft_titles = "、".join(
        f"{d.short_title}【{d.clauses[0].clause_id}】"
        for d in corpus.documents
        if d.status == "draft" and d.clauses
    )
    return (
        f"现有文件中没有{'、'.join(missing)}年度的申报通知（已收录：{rules_edition}年度通知及附件"
        f"{round_source(corpus, rules_edition)}"
        + (f"，以及{draft_titles}" if draft_titles else "")
        + f"），以下是{rules_edition}年度文件的规定，仅供参考，请以当年正式通知为准。"
    )


def silence_note(
    corpus: Corpus, rules_edition: str, question: str, parts: list[Part], profile: dict[str, Any]
) -> str:
    """A round or a region whose notice is not held: said first, before what the documents say."""
    note = round_note(corpus, rules_edition, question)
    kinds = {p.kind for p in parts}
    if not note and NEXT_ROUND.search(question) and kinds & {"date", "count"}:
        note = (
            f"现有文件中没有下一轮的申报通知（已收录：{rules_edition}年度的通知及附件"
            f"{round_source(corpus, rules_edition)}），"
            "以下是已收录文件的规定，请以新一轮正式通知为准。"
        )
    province = str((profile.get("enterprise") or {}).get("province") or "")
    held = sorted({d.region for d in corpus.documents if d.region})
    if province and province not in held and kinds & REGIONAL_KINDS:
        note += (
            f"现有文件中没有{province}的省级通知（已收录的省级通知：{'、'.join(held) or '无'}），"
            f"以下是国家通知的规定；{province}如另有更早的截止时间或报送要求，以本省通知为准。"
        )
    return note


def named_edition_docs(corpus: Corpus, question: str) -> list[str]:
    """Documents of the version a question names: "25版" / "2025年版" / "新版" → the 2025
    scenario guide, whose clauses then answer before the 2024 ones that say the same things."""
    named = {f"20{y}" for y in re.findall(r"(?<!\d)(\d{2})\s*版", question)}
    named |= set(re.findall(r"(20\d\d)\s*年?版", question))
    if re.search(r"新版|最新版", question) and corpus.editions:
        named.add(max(corpus.editions))
    return [d.doc_id for d in corpus.documents if d.edition in named and not d.region]
