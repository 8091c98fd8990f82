"""A constructed round beside 2024, built the way the issue built it: the 2024 national documents
copied under new doc ids as a later edition, with other dates, other quotas and one stricter
threshold, plus the matching rules file. No code changes. The edition is 2099 and every title
says 虚构测试批次: it is never presented as an official text.

``build_round(dest)`` writes a whole corpus folder (the shipped one plus the constructed round);
point ``Settings.corpus_dir`` at it.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from assistant.config import REPO_ROOT

__all__ = [
    "COPIED",
    "FICTION",
    "PROVINCE",
    "PROVINCIAL",
    "PROVINCIAL_DOC",
    "PROVINCIAL_ONLINE",
    "REPO_ROOT",
    "YEAR",
    "build_provincial",
    "build_round",
    "new_id",
]

YEAR = "2099"
FICTION = "（虚构测试批次，非官方文本）"
#: The 2024 national documents the constructed round copies; nmg (a province's forwarding of
#: 2024) and the scenario guide are not copied: the new round uses the 2024 guide (catalogue).
COPIED = ("notice", "plan", "conditions", "kpi", "materials", "form")
ONLINE = ("2024年11月22日", "2099年10月15日")
RECOMMENDER = ("2024年11月29日", "2099年10月22日")
PROVINCE_QUOTA = (20, 12)
OTHER_QUOTA = (5, 3)
#: 先进级's maturity threshold in the constructed round (2024: 二级), in the rules and in 附件2.
ADVANCED_MATURITY = 3
MATURITY_SENTENCE = (
    "基础级和先进级工厂智能制造能力成熟度评估水平达到GB/T 39116-2020《智能制造能力成熟度模型》二级及以上，",
    "基础级工厂智能制造能力成熟度评估水平达到GB/T 39116-2020《智能制造能力成熟度模型》二级及以上，"
    "先进级智能工厂应达到三级及以上，",
)

_CLAUSE = re.compile(r"\b(" + "|".join(COPIED) + r")#")


def new_id(doc_id: str) -> str:
    return f"{doc_id}{YEAR}"


def _document(text: str) -> str:
    head, _, body = text.partition("\n---\n")
    head = re.sub(r"^doc_id: (\w+)$", lambda m: f"doc_id: {new_id(m.group(1))}", head, flags=re.M)
    head = head.replace('edition: "2024"', f'edition: "{YEAR}"')
    head = re.sub(r"^title: (.+)$", lambda m: f"title: {m.group(1)}{FICTION}", head, flags=re.M)
    head = head.replace("2024年度", f"{YEAR}年度")
    body = body.replace("2024年度", f"{YEAR}年度").replace(*ONLINE).replace(*RECOMMENDER)
    body = body.replace(f"不超过{PROVINCE_QUOTA[0]}个", f"不超过{PROVINCE_QUOTA[1]}个")
    body = body.replace(f"不超过{OTHER_QUOTA[0]}个", f"不超过{OTHER_QUOTA[1]}个")
    body = body.replace(*MATURITY_SENTENCE)
    return f"{head}\n---\n{body}"


def _rewrite(value: Any) -> Any:
    """Clause ids to the copies' ids, the round's year in wording, the quota figures in notes."""
    if isinstance(value, dict):
        return {key: _rewrite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_rewrite(item) for item in value]
    if isinstance(value, str):
        text = _CLAUSE.sub(lambda m: f"{new_id(m.group(1))}#", value).replace("2024年度", f"{YEAR}年度")
        text = text.replace(f"不超过{PROVINCE_QUOTA[0]}个", f"不超过{PROVINCE_QUOTA[1]}个")
        return text.replace(f"不超过{OTHER_QUOTA[0]}个", f"不超过{OTHER_QUOTA[1]}个")
    return value


def _rules(data: dict[str, Any]) -> dict[str, Any]:
    data = _rewrite(data)
    data.pop("templates", None)
    data["edition"] = YEAR
    data["title"] = f"{YEAR}年度智能工厂梯度培育行动{FICTION}"
    data["manifest"] = {"documents": [new_id(d) for d in COPIED], "catalogue": "2024"}
    data["overlays"] = []
    app = data["application"]
    for deadline in app["deadlines"]:
        deadline["date"] = "2099-10-15" if deadline.get("window") else "2099-10-22"
    for item in app["quotas"]["items"]:
        item["max_projects"] = (
            PROVINCE_QUOTA[1] if item["max_projects"] == PROVINCE_QUOTA[0] else OTHER_QUOTA[1]
        )
    advanced = next(t for t in data["tiers"] if t["name"] == "先进级")
    maturity = next(r for r in advanced["requirements"] if r["id"] == "basic.maturity")
    maturity["checks"] = [{"field": "maturity.level", "at_least": ADVANCED_MATURITY}]
    return data


def build_round(dest: Path, source: Path = REPO_ROOT / "corpus") -> Path:
    """The shipped corpus plus the constructed round, under ``dest`` (returned)."""
    shutil.copytree(source, dest, dirs_exist_ok=True)
    for doc_id in COPIED:
        text = (source / f"{doc_id}.md").read_text(encoding="utf-8")
        (dest / f"{new_id(doc_id)}.md").write_text(_document(text), encoding="utf-8")
    data = yaml.safe_load((source / "rules" / "2024.yaml").read_text(encoding="utf-8"))
    rules = yaml.safe_dump(_rules(data), allow_unicode=True, sort_keys=False)
    (dest / "rules" / f"{YEAR}.yaml").write_text(rules, encoding="utf-8")
    return dest


# -- a province's own round ------------------------------------------------------------------

PROVINCE = "江苏省"
PROVINCIAL = f"{YEAR}-js"
PROVINCIAL_DOC = f"js{YEAR}"
#: The province's own 先进级 round: its own deadline, quota, and a branch exception that also
#: names 烟草 and 汽车 (as a real province's 2025 material does).
PROVINCIAL_ONLINE = "2099年8月31日"
PROVINCIAL_NOTICE = f"""---
doc_id: {PROVINCIAL_DOC}
title: 关于开展{YEAR}年度江苏省先进级智能工厂培育工作的通知{FICTION}
short_title: 江苏省通知
issuer: 江苏省工业和信息化厅（虚构）
region: {PROVINCE}
edition: "{YEAR}"
source: test
status: official
---
# 关于开展{YEAR}年度江苏省先进级智能工厂培育工作的通知

## 一、申报条件

1.申报主体应在江苏省内注册，具有独立法人资格；石油石化、有色金属、烟草、汽车等有行业特殊情况的，允许法人的分支机构申报。

2.申报主体应达到先进级智能工厂要素条件。

## 二、时间安排

1.申报主体于{PROVINCIAL_ONLINE}前完成线上申报。

## 三、推荐名额

1.各设区市推荐项目数量不超过8个。
"""


def build_provincial(dest: Path) -> Path:
    """``build_round`` plus 江苏省's own 先进级 round of the same year (rules ``2099-js``), which
    owns its notice and uses the national round's conditions."""
    build_round(dest)
    (dest / f"{PROVINCIAL_DOC}.md").write_text(PROVINCIAL_NOTICE, encoding="utf-8")
    data = yaml.safe_load((dest / "rules" / f"{YEAR}.yaml").read_text(encoding="utf-8"))
    data["edition"] = PROVINCIAL
    data["title"] = f"{YEAR}年度江苏省先进级智能工厂{FICTION}"
    data["manifest"] = {
        "documents": [PROVINCIAL_DOC, *data["manifest"]["documents"]],
        "catalogue": "2024",
        "region": PROVINCE,
    }
    first, second, third = (f"{PROVINCIAL_DOC}#{part}" for part in ("一.1", "二.1", "三.1"))
    app = data["application"]
    app.update(
        round=f"{YEAR}年度江苏省先进级智能工厂", tier="先进级", clause_ids=[first, f"{PROVINCIAL_DOC}#一.2"]
    )
    kept = []
    for requirement in app["requirements"]:
        if requirement["id"] == "app.legal_form":
            requirement.update(
                clause_ids=[first], branch_industries=["石油", "石化", "有色金属", "烟草", "汽车"]
            )
        elif requirement["id"] == "app.registered_in_prc":
            requirement["clause_ids"] = [first]
        elif requirement.get("kind") == "tier_status":
            requirement.update(tier="先进级", clause_ids=[f"{PROVINCIAL_DOC}#一.2"])
        else:
            continue  # the national round's 卓越级-only conditions (先进级 recognised, …)
        kept.append(requirement)
    app["requirements"] = kept
    app["deadlines"] = [
        {
            "id": "js.schedule.online",
            "who": "申报主体完成线上申报",
            "date": "2099-08-31",
            "window": True,
            "clause_ids": [second],
        }
    ]
    app["quotas"] = {
        "clause_ids": [third],
        "items": [
            {"id": "js.quota.city", "who": "各设区市", "max_projects": 8, "known_as": ["设区市", "市里"]}
        ],
        "note": "推荐名额是各设区市的上限（不超过8个）。",
    }
    (dest / "rules" / f"{PROVINCIAL}.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return dest
