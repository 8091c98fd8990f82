"""The province-level regions a provincial document can belong to, from the corpus's
``data/regions.yaml``: a region an operator types (辽宁 / 辽宁省) is filed under its full name,
and anything else ("../../2024", a city, a paragraph) is refused before a file is written."""

from __future__ import annotations

from pathlib import Path

from assistant.errors import CorpusError
from assistant.knowledge.datafile import read_yaml


def province_names(data_dir: Path) -> dict[str, str]:
    """Every province's full name and short forms → its full name."""
    provinces = read_yaml(data_dir / "regions.yaml").get("provinces") or {}
    names: dict[str, str] = {}
    for province, entry in provinces.items():
        names[str(province)] = str(province)
        for short in (entry or {}).get("short") or []:
            names[str(short)] = str(province)
    return names


def province_of(region: str, data_dir: Path) -> str:
    """The full name of the province `region` names; CorpusError (in Chinese) otherwise."""
    names = province_names(data_dir)
    found = names.get(region.strip())
    if found is None:
        shown = region.strip()[:20] + ("…" if len(region.strip()) > 20 else "")
        raise CorpusError(
            f"“{shown}”不是省级地区名称：请填写省、自治区、直辖市的全称或简称，如 辽宁省、内蒙古"
        )
    return found
