"""The UI's forms as data: the self-check form, the KPI table and the drafting form, each with
its translation to and from the JSON the service takes (an enterprise profile, a DraftSpec).

Pure functions, unit-tested without Gradio; the HTML fragments live in ``format``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from assistant.rules import ENUM_VALUES, field_label, value_label
from assistant.vocabulary import LINKS, TIERS

# ---------------------------------------------------------------------------------------------
# The self-check form <-> an enterprise profile
# ---------------------------------------------------------------------------------------------

UNKNOWN = "unknown"
NONE = "none"
FieldKind = Literal["text", "bool", "choice", "level", "tier", "link"]


@dataclass(frozen=True)
class FormField:
    """One input of the self-check form, bound to a profile path (docs/contracts.md)."""

    path: str
    kind: FieldKind

    @property
    def label(self) -> str:
        return field_label(self.path)

    @property
    def default(self) -> str:
        return "" if self.kind == "text" else UNKNOWN

    def choices(self) -> list[tuple[str, str]]:
        """(label, value) pairs; every non-text field can be left 未填写 (missing = unknown)."""
        unknown = ("未填写", UNKNOWN)
        if self.kind == "bool":
            return [("是", "yes"), ("否", "no"), unknown]
        if self.kind == "level":
            return [unknown, *((value_label(self.path, n), str(n)) for n in range(1, 6))]
        if self.kind == "tier":
            return [unknown, ("未获评", NONE), *((t, t) for t in TIERS)]
        if self.kind == "link":
            return [unknown, ("未覆盖", NONE), *((t, t) for t in TIERS)]
        if self.kind == "choice":
            return [unknown, *((value_label(self.path, v), str(v)) for v in ENUM_VALUES[self.path])]
        return []


def _fields(kind: FieldKind, *paths: str) -> list[FormField]:
    return [FormField(path, kind) for path in paths]


#: The form's groups in display order; the titles are the ones the issue asks for.
PROFILE_GROUPS: dict[str, list[FormField]] = {
    "企业信息": [
        *_fields("text", "enterprise.name", "enterprise.province", "enterprise.industry"),
        FormField("enterprise.registered_in_prc", "bool"),
        FormField("enterprise.legal_form", "choice"),
        FormField("enterprise.above_designated_size", "bool"),
    ],
    "基础要求": _fields(
        "bool",
        "basic.finance_sound_3y",
        "basic.no_bad_credit",
        "basic.no_major_accident",
        "basic.no_violation",
        "basic.secure_controllable",
        "basic.organisation_and_talent",
        "basic.competitive",
    ),
    "成熟度": [FormField("maturity.level", "level"), FormField("maturity.assessed_by", "choice")],
    "五个环节": _fields("link", *(f"links.{link}" for link in LINKS)),
    "建设成效": [
        FormField("outcomes.kpi_standing", "choice"),
        FormField("outcomes.leads_industry", "choice"),
        FormField("outcomes.drives_supply_chain", "bool"),
        *_fields("choice", "outcomes.solutions", "outcomes.standards_group", "outcomes.talent"),
    ],
    "申报状态": [
        FormField("status.recognised_tier", "tier"),
        *_fields(
            "bool",
            "status.construction_completed",
            "status.cooperates_with_checks",
            "status.regional_recognition_or_funding",
        ),
    ],
}
PROFILE_FIELDS: list[FormField] = [f for group in PROFILE_GROUPS.values() for f in group]

PROVINCES: tuple[str, ...] = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市",
    "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省",
    "广西壮族自治区", "海南省", "重庆市", "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省",
    "青海省", "宁夏回族自治区", "新疆维吾尔自治区", "新疆生产建设兵团",
)  # fmt: skip


def values_to_profile(values: Mapping[str, Any]) -> dict[str, Any]:
    """Form values (path -> UI value) -> an enterprise profile with only the fields filled in.

    ``links`` follows docs/contracts.md: a link left out means "not covered", so the section is sent
    only when at least one link was filled in; until then the links are unknown, not absent.
    """
    profile: dict[str, dict[str, Any]] = {}
    links: dict[str, str | None] = {}
    for f in PROFILE_FIELDS:
        raw = values.get(f.path)
        section, key = f.path.split(".", 1)
        if f.kind == "text":
            text = str(raw or "").strip()
            if text:
                profile.setdefault(section, {})[key] = text
            continue
        if raw in (None, "", UNKNOWN):
            continue
        value: Any
        if f.kind == "bool":
            value = raw == "yes"
        elif f.kind == "level":
            value = int(raw)
        elif f.kind in ("tier", "link"):
            value = None if raw == NONE else str(raw)
        else:
            value = str(raw)
        if f.kind == "link":
            links[key] = value
        else:
            profile.setdefault(section, {})[key] = value
    if links:
        profile["links"] = links
    return profile


def profile_to_values(profile: Mapping[str, Any]) -> dict[str, str]:
    """An enterprise profile -> form values; the inverse of ``values_to_profile``."""
    values: dict[str, str] = {}
    links = profile.get("links")
    for f in PROFILE_FIELDS:
        section, key = f.path.split(".", 1)
        if f.kind == "link":
            if not isinstance(links, Mapping):
                values[f.path] = UNKNOWN
            else:
                # 经营管理 is the 领航级 name of 运营管理 (checker.LINK_SYNONYMS).
                tier = links.get(key, links.get("经营管理") if key == "运营管理" else None)
                values[f.path] = NONE if tier is None else str(tier)
            continue
        data = profile.get(section)
        if not isinstance(data, Mapping) or key not in data:
            values[f.path] = f.default
            continue
        value = data[key]
        if f.kind == "text":
            values[f.path] = "" if value is None else str(value)
        elif value is None:
            values[f.path] = NONE if f.kind == "tier" else f.default
        elif f.kind == "bool":
            values[f.path] = "yes" if value else "no"
        else:
            values[f.path] = str(value)
    return values


def profile_name(profile: Mapping[str, Any] | None) -> str:
    """How to refer to a profile in a chip: the enterprise name, or a neutral phrase."""
    enterprise = (profile or {}).get("enterprise") or {}
    return str(enterprise.get("name") or "未命名企业")


# ---------------------------------------------------------------------------------------------
# Drafting and review
# ---------------------------------------------------------------------------------------------

KPI_HEADERS: list[str] = [
    "序号",
    "指标（附1）",
    "单位",
    "建设前",
    "建设后",
    "变化幅度(%)",
    "衡量口径（变化类指标）",
    "口径单位",
    "对比期间",
    "同行业水平",
]
#: Positions of the editable KPI columns, and the KpiFigure field each one fills.
_KPI_COLUMNS: dict[int, str] = {
    3: "before",
    4: "after",
    5: "change",
    6: "measure",
    7: "measure_unit",
    8: "period",
    9: "benchmark",
}
_NUMERIC = ("before", "after", "change")


class FormValueError(ValueError):
    """A value in a form cell cannot be read; the message is Chinese and names the cell."""


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or str(cell).strip() == ""


def _number(cell: Any, where: str) -> float | None:
    if _blank(cell):
        return None
    if isinstance(cell, bool):
        raise FormValueError(f"{where}应为数字，收到 {cell!r}")
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace("，", "").replace(",", "").rstrip("%％")
    try:
        return float(text)
    except ValueError:
        raise FormValueError(f"{where}应为数字，收到“{cell}”") from None


def fmt_cell(value: Any) -> str:
    """A figure as the user would type it (18600.0 -> 18600)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def kpi_rows(
    catalog: Sequence[tuple[int, str, str]],
    figures: Sequence[Mapping[str, Any]] = (),
    resolve: Callable[[str], str | None] = lambda name: name,
) -> list[list[Any]]:
    """The KPI table: one row per 附1 KPI (number, name, unit), with ``figures`` filled in.

    ``resolve`` maps what a spec calls a KPI (its name, name with unit, ``kpi#N``) to the
    catalog name; a figure it cannot resolve raises FormValueError (the drafter would refuse it
    too, and the table has no row to put it in).
    """
    by_name: dict[str, Mapping[str, Any]] = {}
    for fig in figures:
        name = resolve(str(fig.get("name", "")))
        if name is None:
            raise FormValueError(f"指标“{fig.get('name')}”不是附1的二十项关键绩效指标之一")
        by_name[name] = fig
    rows = []
    for number, name, unit in catalog:
        fig = by_name.get(name, {})
        row: list[Any] = [number, name, unit]
        for _col, key in sorted(_KPI_COLUMNS.items()):
            row.append(fmt_cell(fig.get(key)))
        rows.append(row)
    return rows


def figures_from_rows(rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    """KPI table rows -> KpiFigure dicts for the rows with anything filled in, in table order."""
    figures = []
    for row in rows:
        cells = list(row) + [None] * (len(KPI_HEADERS) - len(row))
        name = str(cells[1] or "").strip()
        if not name:
            continue
        fig: dict[str, Any] = {}
        for col, key in _KPI_COLUMNS.items():
            if key in _NUMERIC:
                value = _number(cells[col], f"指标“{name}”的{KPI_HEADERS[col]}")
                if value is not None:
                    fig[key] = value
            elif not _blank(cells[col]):
                fig[key] = str(cells[col]).strip()
        if fig:
            figures.append({"name": name, **fig})
    return figures


def lines(text: str | None) -> list[str]:
    """A multi-line text box as a list: one item per non-empty line."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def instance_rows(instances: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    """The table of scenario instances added so far."""
    return [
        [
            n,
            inst.get("segment") or "—",
            inst.get("scenario") or inst.get("text") or "—",
            inst.get("instance_name", ""),
            len(inst.get("kpis") or []),
        ]
        for n, inst in enumerate(instances, start=1)
    ]


INSTANCE_HEADERS = ["序号", "环节", "场景", "实例名", "指标数"]


# ---------------------------------------------------------------------------------------------
# The drafting form <-> DraftSpec JSON
# ---------------------------------------------------------------------------------------------

#: Draft form fields that hold one item per line, and the DraftSpec key each fills.
DRAFT_LINE_FIELDS: tuple[str, ...] = ("integrators", "integration", "highlights", "benchmarks", "plans")
DRAFT_TEXT_FIELDS: tuple[str, ...] = (
    "enterprise",
    "project_name",
    "target_tier",
    "round",
    "edition",
    "industry",
    "address",
    "nature",
    "overview",
)
#: The contact's keys in the DraftSpec; the form field of each is ``contact_<key>``.
DRAFT_CONTACT_KEYS: tuple[str, ...] = ("name", "mobile", "phone", "email")
DRAFT_FIELDS: tuple[str, ...] = (
    *DRAFT_TEXT_FIELDS,
    *(f"contact_{key}" for key in DRAFT_CONTACT_KEYS),
    "period_start",
    "period_end",
    "investment",
    *DRAFT_LINE_FIELDS,
)


def draft_spec_from_form(
    fields: Mapping[str, Any], instances: Sequence[Mapping[str, Any]], figures: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """Form values -> a DraftSpec dict (examples/draft_spec.json shape); empty fields left out so
    the drafter writes its 【待补充】 placeholders for them instead of empty text."""
    spec: dict[str, Any] = {}
    for key in DRAFT_TEXT_FIELDS:
        text = str(fields.get(key) or "").strip()
        if text:
            spec[key] = text
    contact = {
        k: str(fields.get(f"contact_{k}") or "").strip()
        for k in DRAFT_CONTACT_KEYS
        if str(fields.get(f"contact_{k}") or "").strip()
    }
    if contact:
        spec["contact"] = contact
    period = {
        k: str(fields.get(f"period_{k}") or "").strip()
        for k in ("start", "end")
        if str(fields.get(f"period_{k}") or "").strip()
    }
    if period:
        spec["period"] = period
    investment = _number(fields.get("investment"), "总投资（万元）")
    if investment is not None:
        spec["investment"] = investment  # its range is checked by the DraftSpec, for every caller
    for key in DRAFT_LINE_FIELDS:
        items = lines(fields.get(key))
        if items:
            spec[key] = items
    spec["scenarios"] = [dict(inst) for inst in instances]
    if figures:
        spec["kpis"] = [dict(fig) for fig in figures]
    return spec


def draft_form_from_spec(
    spec: Mapping[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """A DraftSpec dict -> (form fields, scenario instances, plant-wide KPI figures)."""
    fields: dict[str, Any] = {key: str(spec.get(key) or "") for key in DRAFT_TEXT_FIELDS}
    contact = spec.get("contact") or {}
    period = spec.get("period") or {}
    for key in DRAFT_CONTACT_KEYS:
        fields[f"contact_{key}"] = str(contact.get(key) or "")
    fields["period_start"] = str(period.get("start") or "")
    fields["period_end"] = str(period.get("end") or "")
    fields["investment"] = fmt_cell(spec.get("investment"))
    for key in DRAFT_LINE_FIELDS:
        fields[key] = "\n".join(str(item) for item in spec.get(key) or [])
    instances = [dict(inst) for inst in spec.get("scenarios") or []]
    figures = [dict(fig) for fig in spec.get("kpis") or []]
    return fields, instances, figures
