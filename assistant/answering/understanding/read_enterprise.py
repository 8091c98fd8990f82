"""Reading who the enterprise is: its region, industry, legal form, registration and size.

Each reader scans the phrases for the gazetteer's terms or a fixed wording and keeps only a
statement about this enterprise: a region named for comparison ("像内蒙古一样") or as a topic
("内蒙古的通知"), an applicant kind asked about ("分公司能报吗") or a negation does not count.
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.answering.understanding.gazetteer import Gazetteer, Segmenter
from assistant.answering.understanding.phrases import FIRST_PERSON, Phrase, Reading, modal, negated

_INDUSTRY_SUFFIX = re.compile(r"(厂|制品|企业|公司|行业|产品|加工|项目)$")
_REGION_SUFFIX = re.compile(r"(工业园区|经济开发区|开发区|高新区|园区|新区|市|区|县)$")


def _lookup(table: dict[str, str], token: str, suffix: re.Pattern[str]) -> str | None:
    """The entry for a token, or for the token without a generic suffix ("炼油厂" -> 炼油)."""
    if token in table:
        return table[token]
    stem = suffix.sub("", token)
    return table.get(stem) if stem != token and len(stem) >= 2 else None


def name_in(table: dict[str, str], suffix: re.Pattern[str], segmenter: Segmenter, text: str) -> str | None:
    """What a form's free-text answer names, read with the words chat reads ("电解铝" -> 有色金属,
    "内蒙古" -> 内蒙古自治区): the whole answer, else its first word the table knows."""
    text = text.strip()
    found = _lookup(table, text, suffix)
    if found is not None:
        return found or None
    for token, _pos in segmenter.spans(text):
        found = _lookup(table, token, suffix)
        if found:
            return found
    return None


def industry_named(gazetteer: Gazetteer, segmenter: Segmenter, text: str) -> str | None:
    return name_in(gazetteer.industries, _INDUSTRY_SUFFIX, segmenter, text)


def region_named(gazetteer: Gazetteer, segmenter: Segmenter, text: str) -> str | None:
    return name_in(gazetteer.regions, _REGION_SUFFIX, segmenter, text)


def read_region(reading: Reading) -> None:
    best: tuple[int, int, str, str, Phrase] | None = None
    order = 0
    for clause in reading.clauses:
        for token, pos in reading.segmenter.spans(clause.text):
            province = _lookup(reading.gazetteer.regions, token, _REGION_SUFFIX)
            if not province:
                continue
            order += 1
            text = clause.text
            before, after = text[max(0, pos - 4) : pos], text[pos + len(token) : pos + len(token) + 6]
            # "新疆兵团": the word after names another region, which this one only qualifies.
            if any(
                _lookup(reading.gazetteer.regions, after[:k], _REGION_SUFFIX) not in (None, province)
                for k in (2, 3, 4)
            ):
                continue
            if re.search(r"(像|不像|比如|例如|参照|参考|听说|比|对比|学|同)$", before):
                continue
            compared = re.search(r"(跟|和|与|同)$", before) and re.search(
                r"一样|相比|类似|相同|不同", text[pos:]
            )
            if compared or re.match(r"(一样|不一样|那样|似的|那种|相比|比|那么|类似)", after):
                continue
            if negated(text, pos) or re.search(r"(不在|离开|搬出)$", before):
                continue
            # A place gone to ("要去北京答辩", "寄到北京") is not where the enterprise is.
            if re.search(r"(?<![搬迁])(去|到|赴|前往|进|寄往|寄|寄给|送|送往|交)$", before):
                continue
            if re.search(r"(母公司|总部|总公司|集团|集团总部|上级)(在|位于|设在)?$", before):
                priority = 0
            elif re.search(r"(在|位于|地处|来自|落户|注册于|注册在|是|地)$", before) or re.match(
                r"(的)?(一家|企业|公司|工厂|厂|这边|本地|注册)", after
            ):
                priority = 2
            elif re.match(
                r"(的|那边|这边)?(通知|文件|规定|要求|截止|时间|名额|政策|做法|工信|厅|局|对接|联系|材料|怎么|是不是|有没有|什么|哪|能|可以|又|各|也|推荐|能推|推几)",
                after,
            ):
                priority = -1 if not FIRST_PERSON.search(clause.sentence) else 1
            else:
                priority = 1
            if priority < 0:
                continue
            if best is None or (priority, order) >= (best[0], best[1]):
                best = (priority, order, province, token, clause)
    if best:
        reading.put("enterprise.province", best[2], best[3], best[4])


def read_industry(reading: Reading) -> None:
    for clause in reading.clauses:
        for token, pos in reading.segmenter.spans(clause.text):
            industry = _lookup(reading.gazetteer.industries, token, _INDUSTRY_SUFFIX)
            if not industry:
                continue
            text = clause.text
            before, after = text[max(0, pos - 3) : pos], text[pos + len(token) : pos + len(token) + 4]
            if re.search(r"(像|不像|比如|例如|跟|和|与)$", before) or re.match(r"(一样|那样|那种|等)", after):
                continue
            if re.match(r"、", after) or re.search(r"、$", before):
                continue  # "石油石化、有色金属等" quotes the notice's list
            if negated(text, pos):
                continue
            reading.put("enterprise.industry", industry, token, clause)
            return


def read_legal_form(reading: Reading) -> None:
    found: dict[str, tuple[str, Phrase]] = {}
    generic = not FIRST_PERSON.search(reading.text)
    for clause in reading.clauses:
        for token, pos in reading.segmenter.spans(clause.text):
            form = reading.gazetteer.legal_forms.get(token)
            if not form:
                continue
            before = clause.text[max(0, pos - 3) : pos]
            if re.search(r"(像|比如|例如)$", before):
                continue
            if (
                generic
                and not re.search(r"是|属于|作为", clause.text[:pos])
                and re.search(r"吗|么|能不能|可不可以|能否|行不行|呢|是不是|是否|一律", clause.text)
            ):
                # "分公司能报吗" asks about a kind of applicant, not this one (the rule answers);
                # "钢铁行业分公司能报吗" names the kind closely enough to apply the rule to it: a
                # what-if, never stored.
                if "enterprise.industry" not in reading.facts:
                    continue
                clause = replace(clause, hypothetical=True)
            if negated(clause.text, pos):
                form = "independent" if form == "branch" else "branch"
                if token in ("有限公司", "股份公司", "集团公司", "有限责任公司", "股份有限公司"):
                    continue
            said = (
                clause.text[max(0, pos - 2) : pos + len(token)]
                if form != reading.gazetteer.legal_forms[token]
                else token
            )
            found.setdefault(form, (said, clause))
    if "branch" in found:
        reading.put("enterprise.legal_form", "branch", *found["branch"])
    elif "independent" in found:
        reading.put("enterprise.legal_form", "independent", *found["independent"])


#: Registered outside the PRC's territory as the programme reads it (the notice asks for
#: 中华人民共和国境内注册; Hong Kong and Macao companies register under their own law).
_ABROAD = "境外|海外|国外|外国|香港|澳门|台湾|开曼|维尔京|百慕大|新加坡|美国|日本|韩国|德国|英国|法国|荷兰|瑞士|意大利|瑞典|芬兰"


def read_registration(reading: Reading) -> None:
    places = "|".join(sorted(reading.gazetteer.regions, key=len, reverse=True))
    for clause in reading.clauses:
        text = clause.text
        if match := re.search(
            rf"({_ABROAD})[^，]{{0,3}}注册|注册(地|在|于)[是在为]?({_ABROAD})",
            text,
        ):
            if not re.search(r"母公司|总部|股东|集团", text[: match.start()]):
                reading.put("enterprise.registered_in_prc", False, match.group(0), clause)
            continue
        match = re.search(
            rf"(在|于)(中国|国内|境内|大陆|{places})[^，]{{0,4}}注册|注册(地|在|于)[是在为]?(中国|国内|境内|大陆|{places})|(境内|国内)注册",
            text,
        )
        if match and not modal(text, match.start()):
            if negated(text, match.start()) or re.search(r"不在", match.group(0)):
                reading.put("enterprise.registered_in_prc", False, match.group(0), clause)
            else:
                reading.put("enterprise.registered_in_prc", True, match.group(0), clause)


#: After a term, words that ask what it means ("规上工业企业具体是指…", "规上怎么算").
_DEFINES = re.compile(
    r"^[^，。]{0,6}(是指|指的是|是什么|是啥|什么意思|啥意思|怎么算|怎么定义|的标准|标准是|多少算|算不算|的定义)"
)


def read_size(reading: Reading) -> None:
    for clause in reading.clauses:
        text = clause.text
        if match := re.search(
            r"规模以下|规下|小微企业|(没|没有|还没|未|不)(进|到|达到|够|够上|上)规上|达不到规上|还不是规上|不是规上"
            r"|退出规上|掉出规上|退规",
            text,
        ):
            reading.put("enterprise.above_designated_size", False, match.group(0), clause)
            continue
        if match := re.search(r"升规|(成了|进了|达到|进入)规上", text):
            reading.put("enterprise.above_designated_size", True, match.group(0), clause)
            continue
        if match := re.search(r"规模以上|规上", text):
            if re.match(r"(企业)?(才能|才可以|才行|是必须|必须|吗|有要求)", text[match.end() :]) or modal(
                text, match.start()
            ):
                continue
            if _DEFINES.search(text[match.end() :]) or re.search(
                r"(什么|啥)(是|叫|算)$", text[: match.start()]
            ):
                continue  # "规上工业企业具体是指营收多少": the term asked about, not said of the company
            value = not negated(text, match.start())
            said = text[max(0, match.start() - 2) : match.end()] if not value else match.group(0)
            reading.put("enterprise.above_designated_size", value, said, clause)
