"""Reading the JSON files users name on the command line, with one set of Chinese errors."""

from __future__ import annotations

import json
from pathlib import Path

from assistant.errors import InputError


def read_json_file(path: Path, what: str) -> object:
    """The parsed JSON of ``path`` (UTF-8, BOM allowed); ``what`` names the file in messages,
    e.g. "画像文件"."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"找不到{what}：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"无法读取{what} {path}（需为 UTF-8 编码的 JSON）：{exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{what} {path} 不是合法的 JSON：第{exc.lineno}行第{exc.colno}列，{exc.msg}"
        ) from None
