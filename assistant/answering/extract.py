"""Gather enterprise facts stated in free text into a partial profile (CONTRACTS.md shape).

Grounded mode has no model to fill the profile, so plain statements ("我们是内蒙古的有色金属
分公司，成熟度自评三级") are read with patterns. Only what is stated is returned: a fact the text
does not mention stays absent and the checker reports it as unknown. A negation right before a
phrase ("不是规上企业") flips or drops it, never guesses.
"""

from __future__ import annotations

import re
from typing import Any

from assistant.vocabulary import TIERS

PROVINCES = {
    "北京": "北京市",
    "天津": "天津市",
    "上海": "上海市",
    "重庆": "重庆市",
    "河北": "河北省",
    "山西": "山西省",
    "辽宁": "辽宁省",
    "吉林": "吉林省",
    "黑龙江": "黑龙江省",
    "江苏": "江苏省",
    "浙江": "浙江省",
    "安徽": "安徽省",
    "福建": "福建省",
    "江西": "江西省",
    "山东": "山东省",
    "河南": "河南省",
    "湖北": "湖北省",
    "湖南": "湖南省",
    "广东": "广东省",
    "海南": "海南省",
    "四川": "四川省",
    "贵州": "贵州省",
    "云南": "云南省",
    "陕西": "陕西省",
    "甘肃": "甘肃省",
    "青海": "青海省",
    "台湾": "台湾省",
    "内蒙古": "内蒙古自治区",
    "内蒙": "内蒙古自治区",
    # 内蒙古's 盟市, the addressees of its forwarding notice: naming one places the enterprise there.
    "呼和浩特": "内蒙古自治区",
    "包头": "内蒙古自治区",
    "鄂尔多斯": "内蒙古自治区",
    "赤峰": "内蒙古自治区",
    "通辽": "内蒙古自治区",
    "乌海": "内蒙古自治区",
    "呼伦贝尔": "内蒙古自治区",
    "巴彦淖尔": "内蒙古自治区",
    "乌兰察布": "内蒙古自治区",
    "兴安盟": "内蒙古自治区",
    "锡林郭勒": "内蒙古自治区",
    "阿拉善": "内蒙古自治区",
    "广西": "广西壮族自治区",
    "西藏": "西藏自治区",
    "宁夏": "宁夏回族自治区",
    "新疆": "新疆维吾尔自治区",
}
INDUSTRIES = {
    "石油石化": "石油石化",
    "石化": "石油石化",
    "炼化": "石油石化",
    "有色金属": "有色金属",
    "有色": "有色金属",
    "铝业": "有色金属",
    "铜业": "有色金属",
    "钢铁": "钢铁",
    "纺织": "纺织",
    "服装": "纺织",
    "汽车": "汽车",
    "化工": "化工",
    "电子": "电子信息",
    "医药": "医药",
    "食品": "食品",
    "机械": "装备制造",
    "装备": "装备制造",
    "建材": "建材",
    "家电": "家电",
    "船舶": "船舶",
    "航空": "航空航天",
    "煤炭": "煤炭",
    "电力": "电力",
}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_NEGATION = re.compile(r"(不是|并非|不属于|没有|没|未|不|非|没到|未到|不到|没达到|未达到|达不到)$")


def _negated(text: str, start: int) -> bool:
    return bool(_NEGATION.search(text[max(0, start - 4) : start]))


def _first(text: str, table: dict[str, str]) -> str | None:
    for key in sorted(table, key=len, reverse=True):
        index = text.find(key)
        if index >= 0 and not _negated(text, index):
            return table[key]
    return None


def _set(profile: dict[str, Any], section: str, key: str, value: Any) -> None:
    profile.setdefault(section, {})[key] = value


def extract_profile(text: str) -> dict[str, Any]:
    """Facts the text states, as a partial profile dict (may be empty)."""
    profile: dict[str, Any] = {}
    if province := _first(text, PROVINCES):
        _set(profile, "enterprise", "province", province)
    if industry := _first(text, INDUSTRIES):
        _set(profile, "enterprise", "industry", industry)

    if match := re.search(r"非独立法人|分公司|分支机构|分厂", text):
        # "非独立法人" is itself the branch statement; "不是分公司" states the opposite.
        branch = match.group(0) == "非独立法人" or not _negated(text, match.start())
        _set(profile, "enterprise", "legal_form", "branch" if branch else "independent")
    elif (match := re.search(r"独立法人|子公司|有限公司|股份公司", text)) and not _negated(
        text, match.start()
    ):
        _set(profile, "enterprise", "legal_form", "independent")
    if re.search(r"境外注册|在国外注册|海外注册", text):
        _set(profile, "enterprise", "registered_in_prc", False)
    elif re.search(r"境内注册|国内注册|在中国注册", text):
        _set(profile, "enterprise", "registered_in_prc", True)

    if match := re.search(r"规上|规模以上", text):
        _set(profile, "enterprise", "above_designated_size", not _negated(text, match.start()))
    elif re.search(r"规下|规模以下", text):
        _set(profile, "enterprise", "above_designated_size", False)

    if match := re.search(r"成熟度[^。，,；;]{0,10}?([一二两三四五1-5])\s*级", text):
        digit = match.group(1)
        _set(profile, "maturity", "level", int(digit) if digit.isdigit() else _CN_DIGITS[digit])
        if re.search(r"第三方", text):
            _set(profile, "maturity", "assessed_by", "third_party")
        elif re.search(r"自评|自评估", text):
            _set(profile, "maturity", "assessed_by", "self")

    tier = "|".join(TIERS)
    if match := re.search(rf"(已经|已)(获评|评上|评为|认定为|认定|是)了?({tier})", text):
        _set(profile, "status", "recognised_tier", match.group(3))
    elif re.search(rf"(没有|没|未|还没)(获评|评上|评为|认定)[^。，]{{0,4}}({tier})", text):
        _set(profile, "status", "recognised_tier", None)

    if re.search(r"(还在|正在|尚未|没有|未)(建设|完成建设|建成)|在建", text):
        _set(profile, "status", "construction_completed", False)
    elif re.search(r"已(经)?(建成|完成建设|建设完成|完成智能工厂建设)", text):
        _set(profile, "status", "construction_completed", True)

    standings = [
        (r"全球领先|国际领先|世界领先", "global_leading"),
        (r"国内领先|全国领先|国内同行业领先", "national_leading"),
        (r"省内领先|全省领先|省内同行业领先", "province_leading"),
        (r"高于(全省|省内|省)[^。，]{0,6}平均", "above_province_average"),
    ]
    for pattern, value in standings:
        if (match := re.search(pattern, text)) and not _negated(text, match.start()):
            _set(profile, "outcomes", "kpi_standing", value)
            break
    return profile
