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

__all__ = ["COPIED", "FICTION", "REPO_ROOT", "YEAR", "build_round", "new_id"]

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
