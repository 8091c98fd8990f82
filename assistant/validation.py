"""One translator from pydantic validation errors to Chinese, for every input the core validates.

The enterprise profile (``assistant.rules``) and the drafting spec (``assistant.drafting``) both
use ``describe_errors``: one table says what each kind of error means in Chinese and when the
received value is repeated; a ``Phrasing`` says only how that kind of input names a field (the
profile writes ``成熟度等级 maturity.level``, the spec ``字段 kpis[0].before（建设前数值）``) and
how it lists allowed values. The HTTP API translates request errors at its own edge.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: What each pydantic error kind means; kinds not listed fall back to "无效（<pydantic message>）".
_KIND_TEXT: dict[str, str] = {
    "missing": "缺少必填字段",
    "string_type": "应为文本",
    "bool_type": "应为 true 或 false",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "list_type": "应为列表",
    "dict_type": "应为 JSON 对象（键值对）",
    "model_type": "应为 JSON 对象（键值对）",
    "model_attributes_type": "应为 JSON 对象（键值对）",
    "too_short": "不能为空",
    "string_too_short": "不能为空",
}
#: Kinds whose message does not repeat the received value (there is none, or it adds nothing).
_NO_INPUT = frozenset({"missing", "extra_forbidden", "too_short", "string_too_short", "value_error"})
_BOUNDS = frozenset({"greater_than_equal", "greater_than", "less_than_equal", "less_than"})


@dataclass(frozen=True)
class Phrasing:
    """How one kind of input words a problem. Templates take ``{path}``, ``{label}``, ``{what}``."""

    #: A problem with a field that has a Chinese label.
    line: str
    #: A problem with a field without a label (an unknown key, say).
    line_unlabelled: str
    #: A validator's own message (already a sentence about the field).
    line_value_error: str
    #: Allowed values: ``{allowed}`` is the list joined with ``enum_sep``.
    enum: str
    enum_sep: str
    #: An unknown key: ``{path}``, ``{where}`` (the parent's label) and ``{keys}`` (allowed keys).
    unknown_key: str
    #: Ranges shown instead of a single bound, by path ("maturity.level" -> "1–5").
    ranges: Mapping[str, str] = field(default_factory=dict)


#: The enterprise profile: "<label> <path> 应为 a | b 之一，收到 "x"".
PROFILE_PHRASING = Phrasing(
    line="{label} {path} {what}",
    line_unlabelled="{path} {what}",
    line_value_error="{label} {path}：{what}",
    enum="应为 {allowed} 之一",
    enum_sep=" | ",
    unknown_key="未知字段 {path}；{where}允许的字段：{keys}",
    ranges={"maturity.level": "1–5"},
)
#: The drafting spec: "字段 <path>（<label>）：取值不在允许范围内（可选：a、b），收到 "x"".
SPEC_PHRASING = Phrasing(
    line="字段 {path}（{label}）：{what}",
    line_unlabelled="字段 {path}：{what}",
    line_value_error="字段 {path}（{label}）：{what}",
    enum="取值不在允许范围内（可选：{allowed}）",
    enum_sep="、",
    unknown_key="字段 {path}：不认识的字段（请检查拼写）",
)


def show(value: Any) -> str:
    """A value as the user wrote it (JSON), shortened, for error messages."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def field_path(loc: Iterable[Any]) -> str:
    """A pydantic location as users write it: ``("kpis", 0, "before")`` -> ``kpis[0].before``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path


def _expected(error: Mapping[str, Any]) -> list[str]:
    """The allowed values pydantic lists for a literal error ("'a', 'b' or 'c'")."""
    text = str(error.get("ctx", {}).get("expected", ""))
    return [part.strip().strip("'\"") for part in text.replace(" or ", ", ").split(", ") if part.strip()]


def describe_errors(
    errors: Sequence[Mapping[str, Any]],
    phrasing: Phrasing,
    *,
    label: Callable[[str, tuple[Any, ...]], str | None],
    allowed_values: Callable[[str], Sequence[Any] | None] = lambda path: None,
    allowed_keys: Callable[[str], Sequence[str]] = lambda parent: (),
    parent_label: Callable[[str], str] = lambda parent: parent,
    dict_keys: Callable[[str], tuple[str, Sequence[str]] | None] = lambda path: None,
) -> list[str]:
    """One Chinese line per error, each naming the field, what is wrong and what was received.

    ``label(path, loc)`` gives a field's Chinese name (or None); ``allowed_values(path)`` the
    values of an enumerated field (default: what pydantic lists); ``allowed_keys(parent)`` and
    ``parent_label(parent)`` word an unknown key; ``dict_keys(path)`` what a mapping's keys are called
    and which it accepts, for a bad key inside it (pydantic's ``[key]`` location).
    """
    return [
        _describe(error, phrasing, label, allowed_values, allowed_keys, parent_label, dict_keys)
        for error in errors
    ]


def _describe(
    error: Mapping[str, Any],
    phrasing: Phrasing,
    label: Callable[[str, tuple[Any, ...]], str | None],
    allowed_values: Callable[[str], Sequence[Any] | None],
    allowed_keys: Callable[[str], Sequence[str]],
    parent_label: Callable[[str], str],
    dict_keys: Callable[[str], tuple[str, Sequence[str]] | None],
) -> str:
    loc = tuple(error["loc"])
    kind = str(error["type"])
    received = show(error.get("input"))
    if loc and loc[-1] == "[key]":
        owner = field_path(loc[:-2])
        called, keys = dict_keys(owner) or (label(owner, loc[:-2]) or owner, ())
        return f"{called} {owner} 的键应为 {'、'.join(keys)} 之一，收到 {show(loc[-2])}"
    path = field_path(loc)
    name = label(path, loc)
    if kind == "extra_forbidden":
        parent = field_path(loc[:-1])
        where = parent_label(parent)
        return phrasing.unknown_key.format(path=path, where=where, keys="、".join(allowed_keys(parent)))
    if kind == "value_error":
        what = str(error.get("ctx", {}).get("error", error["msg"])).removeprefix("Value error, ")
        template = phrasing.line_value_error if name else phrasing.line_unlabelled
        return template.format(path=path, label=name, what=what)
    if kind == "literal_error":
        values = allowed_values(path)
        shown = [str(v) for v in values] if values else _expected(error)
        what = phrasing.enum.format(allowed=phrasing.enum_sep.join(shown))
    elif path in phrasing.ranges and (kind in _BOUNDS or kind in {"int_type", "int_parsing"}):
        what = f"应为{phrasing.ranges[path]}"
    elif kind in _KIND_TEXT:
        what = _KIND_TEXT[kind]
    else:
        what = f"无效（{error['msg']}）"
    if kind not in _NO_INPUT:
        what += f"，收到 {received}"
    template = phrasing.line if name else phrasing.line_unlabelled
    return template.format(path=path, label=name, what=what)
