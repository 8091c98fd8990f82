"""Read the enterprise facts a user states in free text, each kept with the words it came from.

Grounded mode has no model to fill the profile, so statements such as "我们是内蒙古一家电解铝分公司，
成熟度自评三级" are read here. The vocabulary is data (corpus/data/regions.yaml, industries.yaml,
legal_forms.yaml); the text is segmented with jieba plus a user dictionary of those terms, so the
longest term wins ("一家电解铝" is 一家/电解铝, never 家电). Rules of reading:

- only what is stated is returned: a fact the text does not mention stays absent (unknown);
- a negated statement never yields the positive value ("没有独立法人" is a branch, "还没评过先进级"
  is "not recognised", "国内排不上" states nothing about national standing);
- a region named for comparison ("像内蒙古一样") or as a topic ("内蒙古的通知") does not place the
  enterprise there;
- facts in a hypothetical ("如果成熟度到三级呢？") are marked so, for a what-if that is not stored;
- two different maturity levels ("第三方评2级、自评3级") are a stated conflict, not a silent choice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from assistant.config import REPO_ROOT
from assistant.rules import field_label, value_label
from assistant.vocabulary import LINK_SYNONYMS, LINKS, TIERS

DATA_DIR = REPO_ROOT / "corpus" / "data"

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
_SENTENCE_END = re.compile(r"[。！？!?\n]+")
_CLAUSE_SPLIT = re.compile(r"[，,；;：:（）()]+|但是|但|不过|可是|然而")
_FIRST_PERSON = re.compile(r"我们|我司|我厂|我公司|本公司|本企业|我单位|咱们|咱|我们厂|我这边|我方")
_HYPOTHETICAL = re.compile(r"如果|假如|假设|要是|倘若|万一|假定|设想|若是|若")
_NEGATION = re.compile(
    r"(不是|并非|不属于|不算|算不上|称不上|谈不上|没有|没能|未能|并未|尚未|还没有|还没|从来没|从没|从未|不曾|没|未|无|非|不)$"
)
#: Words that make a phrase a requirement, a wish or a question rather than a statement.
_MODAL = re.compile(
    r"(要求|需要|须|必须|得|要|想|能不能|能否|可不可以|可以|算不算|是不是|是否|够不够|争取|计划|打算|目标|希望|准备|力争|"
    r"才能|如何|怎么|怎样|有没有|能)$"
)
_TIER_WORDS = "|".join(TIERS)
_LEVEL = r"([一二两三四五1-5])\s*级"


@dataclass(frozen=True)
class Fact:
    """One enterprise fact read from the text: profile field, value, the words it came from."""

    field: str
    value: Any
    said: str
    hypothetical: bool = False
    #: Other values stated for the same field in the same text (a conflict to ask about).
    conflict: tuple[Any, ...] = ()

    @property
    def label(self) -> str:
        return field_label(self.field)

    def describe(self) -> str:
        """Chinese, for the echo: "所属行业：有色金属（“电解铝”）"."""
        if self.conflict:
            values = "、".join(value_label(self.field, v) for v in (self.value, *self.conflict))
            return f"{self.label}：说法不一致（{values}，“{self.said}”），请确认以哪个为准"
        return f"{self.label}：{value_label(self.field, self.value)}（“{self.said}”）"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "field": self.field,
            "value": self.value,
            "label": self.label,
            "said": self.said,
        }
        if self.hypothetical:
            out["hypothetical"] = True
        if self.conflict:
            out["conflict"] = [self.value, *self.conflict]
        return out


@dataclass
class Extraction:
    """Everything read from one text."""

    facts: list[Fact] = field(default_factory=list)
    #: Years named as construction years ("2021到2023年建的"), not rounds.
    construction_years: set[str] = field(default_factory=set)

    def stated(self) -> list[Fact]:
        return [f for f in self.facts if not f.hypothetical and not f.conflict]

    def hypothetical(self) -> list[Fact]:
        return [f for f in self.facts if f.hypothetical and not f.conflict]

    def conflicts(self) -> list[Fact]:
        return [f for f in self.facts if f.conflict]

    def profile(self, include_hypothetical: bool = False) -> dict[str, Any]:
        facts = self.stated() + (self.hypothetical() if include_hypothetical else [])
        return facts_to_profile(facts)


def facts_to_profile(facts: list[Fact]) -> dict[str, Any]:
    """A partial docs/contracts.md profile from facts (later facts override earlier ones)."""
    profile: dict[str, Any] = {}
    for fact in facts:
        section, _, key = fact.field.partition(".")
        profile.setdefault(section, {})[key] = fact.value
    return profile


# -- gazetteers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gazetteer:
    regions: dict[str, str]  # any name -> province-level region
    industries: dict[str, str]  # term -> the notice's industry word ("" = not an industry)
    legal_forms: dict[str, str]  # phrase -> independent | branch

    @classmethod
    def load(cls, data_dir: Path) -> Gazetteer:
        def read(name: str) -> Any:
            return yaml.safe_load((data_dir / name).read_text(encoding="utf-8")) or {}

        regions: dict[str, str] = {}
        data = read("regions.yaml")
        for province, entry in data.get("provinces", {}).items():
            regions[province] = province
            for name in [*entry.get("short", []), *entry.get("cities", [])]:
                regions[str(name)] = province
        for city, province in data.get("separately_planned_cities", {}).items():
            regions[str(city)] = province
        industries: dict[str, str] = {}
        data = read("industries.yaml")
        for industry, terms in data.get("industries", {}).items():
            for term in [industry, *terms]:
                industries[str(term)] = industry
        for term in data.get("not_industry", []):
            industries[str(term)] = ""
        forms: dict[str, str] = {}
        data = read("legal_forms.yaml")
        for form in ("branch", "independent"):
            for term in data.get(form, []):
                forms[str(term)] = form
        return cls(regions, industries, forms)

    def terms(self) -> list[str]:
        extra = [*LINKS, *LINK_SYNONYMS, *TIERS, "成熟度", "自评", "自评估", "第三方", "环节", "规上", "规下"]
        return sorted({*self.regions, *self.industries, *self.legal_forms, *extra}, key=len, reverse=True)


class _Segmenter:
    """jieba with the gazetteer as a user dictionary; a long term outweighs its sub-words."""

    def __init__(self, terms: list[str]) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        for term in terms:
            if len(term) >= 2:
                self._jieba.add_word(term, freq=20000 * len(term) ** 2)

    def spans(self, text: str) -> list[tuple[str, int]]:
        out, pos = [], 0
        for token in self._jieba.lcut(text, HMM=False):
            out.append((token, pos))
            pos += len(token)
        return out


_INDUSTRY_SUFFIX = re.compile(r"(厂|制品|企业|公司|行业|产品|加工|项目)$")
_REGION_SUFFIX = re.compile(r"(工业园区|经济开发区|开发区|高新区|园区|新区|市|区|县)$")


def _lookup(table: dict[str, str], token: str, suffix: re.Pattern[str]) -> str | None:
    """The entry for a token, or for the token without a generic suffix ("炼油厂" -> 炼油)."""
    if token in table:
        return table[token]
    stem = suffix.sub("", token)
    return table.get(stem) if stem != token and len(stem) >= 2 else None


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> tuple[Gazetteer, _Segmenter]:
    gazetteer = Gazetteer.load(data_dir)
    return gazetteer, _Segmenter(gazetteer.terms())


# -- helpers ------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII, lower case, no spaces."""
    text = "".join(
        chr(ord(c) - 0xFEE0) if "！" <= c <= "～" and c not in "！？，；：（）" else c for c in text
    )
    return re.sub(r"\s+", "", text).lower()


def _negated(clause: str, start: int) -> bool:
    """A negation word right before the phrase (within a few characters of the same clause)."""
    before = clause[max(0, start - 5) : start]
    before = re.sub(r"(过|了|有|到|达到|评|曾|出过|发生过|发生|出现过|都|也|还|再|是|就)+$", "", before)
    return bool(_NEGATION.search(before))


def _modal(clause: str, start: int) -> bool:
    before = clause[max(0, start - 5) : start]
    before = re.sub(r"(先|都|也|再|到|达到|做到|评上|评到|是)+$", "", before)
    return bool(_MODAL.search(before))


@dataclass
class _Clause:
    text: str
    sentence: str
    hypothetical: bool


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    for sentence in _SENTENCE_END.split(text):
        if not sentence:
            continue
        hypothetical = False
        for part in _CLAUSE_SPLIT.split(sentence):
            if not part:
                continue
            if _HYPOTHETICAL.search(part) or part.endswith("的话"):
                hypothetical = True  # the rest of the sentence is the what-if
            out.append(_Clause(part, sentence, hypothetical))
    return out


class _Reader:
    def __init__(self, text: str, data_dir: Path) -> None:
        self.gazetteer, self.segmenter = _load(data_dir)
        self.text = normalise(text)
        self.clauses = _clauses(self.text)
        self.facts: dict[str, Fact] = {}
        self.years: set[str] = set()

    def put(self, path: str, value: Any, said: str, clause: _Clause) -> None:
        self.facts[path] = Fact(path, value, said, hypothetical=clause.hypothetical)

    # -- places and kinds -----------------------------------------------------------------------

    def region(self) -> None:
        best: tuple[int, int, str, str, _Clause] | None = None
        order = 0
        for clause in self.clauses:
            for token, pos in self.segmenter.spans(clause.text):
                province = _lookup(self.gazetteer.regions, token, _REGION_SUFFIX)
                if not province:
                    continue
                order += 1
                text = clause.text
                before, after = text[max(0, pos - 4) : pos], text[pos + len(token) : pos + len(token) + 6]
                if re.search(r"(像|不像|比如|例如|参照|参考|听说|比|对比|学|同)$", before):
                    continue
                compared = re.search(r"(跟|和|与|同)$", before) and re.search(
                    r"一样|相比|类似|相同|不同", text[pos:]
                )
                if compared or re.match(r"(一样|不一样|那样|似的|那种|相比|比|那么|类似)", after):
                    continue
                if _negated(text, pos) or re.search(r"(不在|离开|搬出)$", before):
                    continue
                if re.search(r"(母公司|总部|总公司|集团|集团总部|上级)(在|位于|设在)?$", before):
                    priority = 0
                elif re.search(r"(在|位于|地处|来自|落户|注册于|注册在|是|地)$", before) or re.match(
                    r"(的)?(一家|企业|公司|工厂|厂|这边|本地|注册)", after
                ):
                    priority = 2
                elif re.match(
                    r"(的|那边|这边)?(通知|文件|规定|要求|截止|时间|名额|政策|做法|工信|厅|局|对接|联系|材料|怎么|是不是|有没有|什么|哪|能|可以)",
                    after,
                ):
                    priority = -1 if not _FIRST_PERSON.search(clause.sentence) else 1
                else:
                    priority = 1
                if priority < 0:
                    continue
                if best is None or (priority, order) >= (best[0], best[1]):
                    best = (priority, order, province, token, clause)
        if best:
            self.put("enterprise.province", best[2], best[3], best[4])

    def industry(self) -> None:
        for clause in self.clauses:
            for token, pos in self.segmenter.spans(clause.text):
                industry = _lookup(self.gazetteer.industries, token, _INDUSTRY_SUFFIX)
                if not industry:
                    continue
                text = clause.text
                before, after = text[max(0, pos - 3) : pos], text[pos + len(token) : pos + len(token) + 4]
                if re.search(r"(像|不像|比如|例如|跟|和|与)$", before) or re.match(
                    r"(一样|那样|那种|等)", after
                ):
                    continue
                if re.match(r"、", after) or re.search(r"、$", before):
                    continue  # "石油石化、有色金属等" quotes the notice's list
                if _negated(text, pos):
                    continue
                self.put("enterprise.industry", industry, token, clause)
                return

    def legal_form(self) -> None:
        found: dict[str, tuple[str, _Clause]] = {}
        generic = not _FIRST_PERSON.search(self.text)
        for clause in self.clauses:
            for token, pos in self.segmenter.spans(clause.text):
                form = self.gazetteer.legal_forms.get(token)
                if not form:
                    continue
                before = clause.text[max(0, pos - 3) : pos]
                if re.search(r"(像|比如|例如)$", before):
                    continue
                if (
                    generic
                    and not re.search(r"是|属于|作为", clause.text[:pos])
                    and re.search(r"吗|么|能不能|可不可以|能否|行不行|呢", clause.sentence)
                ):
                    continue  # "分公司能报吗" asks about a kind of applicant, not this one
                if _negated(clause.text, pos):
                    form = "independent" if form == "branch" else "branch"
                    if token in ("有限公司", "股份公司", "集团公司", "有限责任公司", "股份有限公司"):
                        continue
                said = (
                    clause.text[max(0, pos - 2) : pos + len(token)]
                    if form != self.gazetteer.legal_forms[token]
                    else token
                )
                found.setdefault(form, (said, clause))
        if "branch" in found:
            self.put("enterprise.legal_form", "branch", *found["branch"])
        elif "independent" in found:
            self.put("enterprise.legal_form", "independent", *found["independent"])

    def registration(self) -> None:
        places = "|".join(sorted(self.gazetteer.regions, key=len, reverse=True))
        for clause in self.clauses:
            text = clause.text
            if match := re.search(
                r"(境外|海外|国外|外国|香港|开曼|新加坡|美国)[^，]{0,3}注册|注册(地|在|于)(境外|海外|国外)",
                text,
            ):
                if not re.search(r"母公司|总部|股东|集团", text[: match.start()]):
                    self.put("enterprise.registered_in_prc", False, match.group(0), clause)
                continue
            match = re.search(
                rf"(在|于)(中国|国内|境内|大陆|{places})[^，]{{0,4}}注册|注册(地|在|于)[是在为]?(中国|国内|境内|大陆|{places})|(境内|国内)注册",
                text,
            )
            if match and not _modal(text, match.start()):
                if _negated(text, match.start()) or re.search(r"不在", match.group(0)):
                    self.put("enterprise.registered_in_prc", False, match.group(0), clause)
                else:
                    self.put("enterprise.registered_in_prc", True, match.group(0), clause)

    def size(self) -> None:
        for clause in self.clauses:
            text = clause.text
            if match := re.search(r"规模以下|规下|小微企业|没到规上|不到规上|达不到规上|还不是规上", text):
                self.put("enterprise.above_designated_size", False, match.group(0), clause)
                continue
            if match := re.search(r"规模以上|规上", text):
                if re.match(
                    r"(企业)?(才能|才可以|才行|是必须|必须|吗|有要求)", text[match.end() :]
                ) or _modal(text, match.start()):
                    continue
                value = not _negated(text, match.start())
                said = text[max(0, match.start() - 2) : match.end()] if not value else match.group(0)
                self.put("enterprise.above_designated_size", value, said, clause)

    # -- maturity, tiers, links -----------------------------------------------------------------

    def maturity(self) -> None:
        levels: list[tuple[int, str | None, str, _Clause]] = []
        for clause in self.clauses:
            text = clause.text
            # The context may sit in another clause of the sentence ("以第三方评估为准，是二级").
            context = re.search(
                r"成熟度|自评|第三方|三方|评估|c3mep|测评|诊断|评了|评的|评为|评定", clause.sentence
            )
            if not context:
                continue
            segment_start = 0
            for match in re.finditer(_LEVEL, text):
                tail = text[match.end() : match.end() + 3]
                before = text[max(0, match.start() - 6) : match.start()]
                if re.search(
                    r"(要求|需要|至少|不低于|起码|必须|须|达到几|要到|得到|要)[^，]{0,3}$",
                    text[: match.start()][-6:],
                ):
                    continue
                if re.match(r"(智能工厂|单位|子公司|公司|医院|企业)", tail) or re.search(r"等保$", before):
                    continue
                if _negated(text, match.start()) or re.search(
                    r"(没到|不到|没达到|达不到|未达到|不够)$", before
                ):
                    continue
                if re.search(r"几$|哪$", before) or re.match(
                    r"(以上)?(才行|才能|才可以|就行|行吗|够吗|可以吗)", text[match.end() :]
                ):
                    continue
                segment = text[segment_start : match.start()]
                source = None
                if re.search(r"第三方|三方|机构评|专家评", segment):
                    source = "third_party"
                elif re.search(r"自评|自己评|自测|自我评估", segment):
                    source = "self"
                said = text[max(segment_start, match.start() - 8) : match.end()].lstrip("、和与及")
                segment_start = match.end()
                levels.append((_CN_DIGITS[match.group(1)], source, said, clause))
        if not levels:
            return
        distinct = list(dict.fromkeys(level for level, *_ in levels))
        first = levels[0]
        if len(distinct) > 1:
            said = "、".join(dict.fromkeys(s for _, _, s, _ in levels))
            self.facts["maturity.level"] = Fact(
                "maturity.level", distinct[0], said, first[3].hypothetical, conflict=tuple(distinct[1:])
            )
            return
        self.put("maturity.level", first[0], first[2], first[3])
        sources = {s for _, s, _, _ in levels if s}
        if not sources:
            # "成熟度三级，是第三方评的": the source named elsewhere in the same sentence.
            sentence = first[3].sentence
            if re.search(r"第三方|三方机构", sentence):
                sources = {"third_party"}
            elif re.search(r"自评|自己评|自测", sentence):
                sources = {"self"}
        if sources:
            source = "third_party" if "third_party" in sources else "self"
            word = "第三方" if source == "third_party" else "自评"
            self.put("maturity.assessed_by", source, word, first[3])

    def recognised(self) -> None:
        verbs = r"评上|评上了|评过|评为|获评|被评为|认定为|认定|被认定为|认定了|入选|拿到|拿了|获得|通过了?|评了|是"
        quals = r"(省级|省里的?|自治区级?的?|区级|市级|市里的?|国家级?的?|工信厅的?|省工信厅的?)?"
        for clause in self.clauses:
            text = clause.text
            if none := re.search(
                rf"(没|没有|未|还没|从没)(参加|参与|申报|报)过?({_TIER_WORDS})?(的)?(评定|评选|认定)|(没|没有|未|还没)(评上|获评|评过)(任何|过任何)(层级|级别)",
                text,
            ):
                self.put("status.recognised_tier", None, none.group(0), clause)
                return
            match = re.search(rf"({verbs}){quals}({_TIER_WORDS})", text) or re.search(
                rf"({_TIER_WORDS})(智能工厂)?[^，]{{0,6}}?(已经|已|去年|前年|今年)?(评上|获评|认定|拿到|通过)",
                text,
            )
            if not match:
                continue
            tier = next(t for t in TIERS if t in match.group(0))
            before = text[max(0, match.start() - 6) : match.start()]
            if match.group(0).startswith("是") and not re.search(
                r"(已经|已)$|智能工厂", before + text[match.end() : match.end() + 4]
            ):
                continue  # "是卓越级" alone may be a link's tier or a wish
            if re.search(
                r"(能|能不能|可以|想|要|争取|打算|准备|计划|有望|怎么|如何|必须|需要|要先|得先|先)$", before
            ):
                continue
            if re.search(r"吗|么", text[match.end() : match.end() + 3]) and not re.search(
                r"已经|已|去年|前年", before
            ):
                continue
            if _negated(text, match.start()) or re.search(r"(没有|没|还没|未|尚未|从没)[^，]{0,3}$", before):
                self.put(
                    "status.recognised_tier", None, text[max(0, match.start() - 3) : match.end()], clause
                )
            else:
                self.put("status.recognised_tier", tier, match.group(0), clause)
            return

    def links(self) -> None:
        names = sorted([*LINKS, *LINK_SYNONYMS], key=len, reverse=True)
        explicit: dict[str, tuple[str | None, str, _Clause]] = {}
        group: tuple[str, str, str, _Clause] | None = None  # ("all" | "others", tier, said, clause)
        pending: list[str] = []
        for clause in self.clauses:
            text = clause.text
            named = [n for n in names if n in text]
            # A name inside a longer one ("经营管理" in none of LINKS) is not a concern here.
            named = [LINK_SYNONYMS.get(n, n) for n in named]
            tiers = [
                (m.group(1), m.start())
                for m in re.finditer(rf"({_TIER_WORDS}|卓越|领航)(水平|标准)?", text)
                if not re.search(
                    r"(报|申报|申请|冲|评|够|想|争取|要求|评上|认定)$",
                    text[max(0, m.start() - 2) : m.start()],
                )
            ]
            whole = re.search(r"(五个|5个|所有|全部|各个|每个|几个|这五个)环节|全环节|五大环节", text)
            others = re.search(r"(其他|其余|剩下|别的|另外)(的)?(四个|4个|三个|3个|几个)?(环节)?", text)
            asks = re.search(r"吗|么|是不是|是否|要求|需要|至少|必须|能不能|够不够", text) and not re.search(
                r"了吗", text
            )
            if asks and not (named and tiers and not any(_modal(text, p) for _, p in tiers)):
                pending = []
                continue
            uncovered = re.search(
                r"(没做|没有做|还没做|基本没做|没覆盖|没有覆盖|未覆盖|空白|缺失|没开展|还没开展|没有涉及|不涉及|是空的|没搞)",
                text,
            )
            if named and uncovered and not tiers:
                for name in named:
                    explicit[name] = (None, text, clause)
                pending = []
                continue
            if not tiers:
                pending = named if named else []
                continue
            if (
                named
                and min(
                    text.find(n)
                    for n in [*named, *(k for k, v in LINK_SYNONYMS.items() if v in named)]
                    if n in text
                )
                > tiers[0][1]
            ):
                pending = []
                continue  # "领航级里的经营管理…" speaks of a tier's text, not of this enterprise
            tier_word, position = tiers[0]
            tier = tier_word if tier_word.endswith("级") else tier_word + "级"
            if _negated(text, position) or re.search(
                r"(没到|不到|没达到|达不到|未达到|够不上)$", text[max(0, position - 4) : position]
            ):
                pending = []
                continue
            targets = named or pending
            if targets:
                for name in targets:
                    explicit[name] = (tier, text, clause)
            elif others:
                group = ("others", tier, text, clause)
            elif whole:
                group = ("all", tier, text, clause)
            pending = []
        result: dict[str, tuple[str | None, str, _Clause]] = {}
        if group:
            kind, tier, said, clause = group
            for link in LINKS:
                if kind == "all" or link not in explicit:
                    result[link] = (tier, said, clause)
        result.update(explicit)
        for link in LINKS:
            if link in result:
                value, said, clause = result[link]
                self.put(f"links.{link}", value, said, clause)

    # -- outcomes and status --------------------------------------------------------------------

    def standing(self) -> None:
        scale = [
            "below_province_average",
            "above_province_average",
            "province_leading",
            "national_leading",
            "global_leading",
        ]
        patterns = [
            (r"(国际|全球|世界)(同行业|同行|行业内?)?(领先|一流|先进|前列|标杆)", "global_leading"),
            (
                r"(国内|全国|国家)(同行业|同行|行业内?)?(领先|一流|前列|第一|龙头|头部|top)",
                "national_leading",
            ),
            (
                r"(全省|省内|省里|本省|全区|区内|自治区内|全自治区)(同行业|同行|行业内?)?(领先|第一|前列|数一数二|龙头|头部|top)",
                "province_leading",
            ),
            (
                r"(高于|超过|好于|比)(全省|省内|省里|本省|全区|区内)[^，]{0,8}平均|(全省|省内|省里|本省)[^，]{0,6}平均(水平)?(以上|之上)",
                "above_province_average",
            ),
            (
                r"(低于|不到|不如|没到|达不到)(全省|省内|省里|本省|全区|区内)[^，]{0,8}平均|(全省|省内|省里|本省)[^，]{0,6}平均(水平)?(以下|之下)",
                "below_province_average",
            ),
        ]
        best: tuple[int, str, _Clause] | None = None
        for clause in self.clauses:
            text = clause.text
            for pattern, value in patterns:
                for match in re.finditer(pattern, text):
                    if value != "below_province_average" and (
                        _negated(text, match.start())
                        or re.match(
                            r"(还)?(谈不上|算不上|排不上|达不到|不够|还差)",
                            text[match.end() : match.end() + 5],
                        )
                    ):
                        continue
                    if _modal(text, match.start()) or re.match(r"(吗|么|水平吗|才行)", text[match.end() :]):
                        continue
                    if re.search(r"(卓越级|领航级|先进级|基础级)[^，]{0,4}$", text[: match.start()]):
                        continue  # "卓越级要国内领先" states a requirement
                    rank = scale.index(value)
                    if best is None or rank > best[0]:
                        best = (rank, match.group(0), clause)
        if best:
            self.put("outcomes.kpi_standing", scale[best[0]], best[1], best[2])

    def construction(self) -> None:
        for clause in self.clauses:
            text = clause.text
            span = re.search(
                r"(20\d\d)\s*年?\s*(到|至|-|—|~|～|和)\s*(20\d\d)\s*年?[^，]{0,6}?(建|改造|实施|投产|完工|开工|上线|搞)"
                r"|(20\d\d)\s*年[^，]{0,4}?(建成|建的|建好|开始建|开工|投产|完工|改造|上线|启动建设)",
                text,
            )
            if span:
                self.years.update(re.findall(r"20\d\d", span.group(0)))
            negative = re.search(
                r"还在建|在建|正在建设|正在建|建设中|尚未建成|没建完|还没建成|还没完工|没完工|未完工|刚开工|还没建好|尚在建设|没建成|还在施工|还没建|没有建成|还没有建成|未建成|还没验收",
                text,
            )
            if negative:
                self.put("status.construction_completed", False, negative.group(0), clause)
                continue
            positive = re.search(
                r"已建成|建成了|建成投产|已经建好|建好了|已投产|投产了|已经投产|投产运行|已完成建设|完成了建设|建设完成|已经建完|建完了|已经建成|全部建成|已经完工|完工了|已完工|竣工",
                text,
            )
            if positive and not _modal(text, positive.start()):
                self.put("status.construction_completed", True, positive.group(0), clause)
            elif span and re.search(r"建的|建成|建好|完工|投产", text[span.start() : span.end() + 2]):
                self.put("status.construction_completed", True, span.group(0), clause)

    def basics(self) -> None:
        bad_events = [
            (
                "basic.no_major_accident",
                r"(较大|重大|特大|较大及以上)?(安全生产|安全|环保|环境|生产安全)?(事故|环境事件|污染事件)",
            ),
            ("basic.no_violation", r"违法违规|违法|违规|行政处罚|处罚|被罚"),
            ("basic.no_bad_credit", r"失信|不良信用|信用不良|不良记录|黑名单|失信名单"),
        ]
        for path, pattern in bad_events:
            for clause in self.clauses:
                text = clause.text
                match = re.search(pattern, text)
                if not match:
                    continue
                before = text[max(0, match.start() - 7) : match.start()]
                after = text[match.end() : match.end() + 5]
                if re.search(r"(一般|轻微|小|轻伤|一起一般|一次小)[^，]{0,3}$", before):
                    continue  # below 较大: the requirement does not speak to it
                if re.search(
                    r"(没|没有|未|无|从未|从没|零|不存在|未曾|从来没)[^，]{0,4}$", before
                ) or re.match(r"(记录)?(没有|没出过|没发生过|为零|是零|从来没有|都没有|一次都没)", after):
                    said = before[-4:] + match.group(0) if before else match.group(0)
                    self.put(path, True, said, clause)
                    break
                if re.search(
                    r"(出过|发生过|有过|出了|发生了|出现过|受到过|受过|被列入|列入|上过|进过|有|存在|被|受到)[^，]{0,5}$",
                    before,
                ):
                    asks = re.search(r"吗|会不会|影响", text[match.end() :]) and not re.search(
                        r"过|了", before
                    )
                    if asks or _modal(text, match.start()):
                        continue
                    self.put(path, False, before[-5:] + match.group(0), clause)
                    break
        positives = [
            (
                "basic.finance_sound_3y",
                r"(近三年|连续三年|三年来|这几年)?(经营|财务|财务状况|经营状况)(和财务)?(状况)?(都)?(良好|稳健|正常|健康|没问题)|连续三年盈利",
            ),
            ("basic.no_bad_credit", r"信用(记录)?(良好|没问题|很好)"),
            ("basic.secure_controllable", r"安全可控|自主可控"),
            (
                "basic.organisation_and_talent",
                r"(专门|专职|专业)(的)?(团队|部门|人才|人员)|领导小组|智能制造部",
            ),
            ("status.cooperates_with_checks", r"(配合|接受)(现场)?(核查|检查|抽查|推广|交流)|愿意配合"),
        ]
        for clause in self.clauses:
            if bad := re.search(
                r"(经营|财务)(状况)?(不太好|不好|不佳|困难|较差|很差)|(连续|这两年|去年|近三年)[^，]{0,3}亏损",
                clause.text,
            ):
                self.put("basic.finance_sound_3y", False, bad.group(0), clause)
                break
        for path, pattern in positives:
            for clause in self.clauses:
                text = clause.text
                match = re.search(pattern, text)
                if not match:
                    continue
                if _modal(text, match.start()) and not re.search(
                    r"愿意|可以配合", match.group(0) + text[max(0, match.start() - 2) : match.start()]
                ):
                    continue
                if re.search(r"吗|么|会不会", text[match.end() : match.end() + 6]) or re.search(
                    r"(那条|这条|那块)", text[match.end() : match.end() + 3]
                ):
                    continue
                before = text[max(0, match.start() - 4) : match.start()]
                negative = bool(
                    re.search(r"(不|没|没有|未|不太|不想|不愿|不愿意|不方便)[^，]{0,2}$", before)
                ) or bool(
                    re.search(
                        r"不(好|太好|稳|正常)|没有|不愿意",
                        match.group(0) + text[match.end() : match.end() + 3],
                    )
                )
                if path == "status.cooperates_with_checks" and re.search(r"不想|不愿|不方便|拒绝", text):
                    negative = True
                self.put(path, not negative, (before[-2:] if negative else "") + match.group(0), clause)
                break

    def read(self) -> Extraction:
        for step in (
            self.region,
            self.industry,
            self.legal_form,
            self.registration,
            self.size,
            self.maturity,
            self.recognised,
            self.links,
            self.standing,
            self.construction,
            self.basics,
        ):
            step()
        return Extraction(list(self.facts.values()), self.years)


def extract(text: str, data_dir: Path = DATA_DIR) -> Extraction:
    """The facts the text states (and its what-ifs and conflicts), each with its words."""
    return _Reader(text, data_dir).read()


def extract_profile(text: str) -> dict[str, Any]:
    """Facts the text states, as a partial profile dict (may be empty); what-ifs left out."""
    return extract(text).profile()
