"""The server's own data files (``<corpus>/data/*.yaml``): read, and when broken, say which file
and why. A broken data file is the operator's to fix, never the user's, so it is a
CorpusInvalidError (HTTP 500, ``corpus_invalid``), not an input error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from assistant.errors import CorpusInvalidError


def read_yaml(path: Path, *, required: bool = True) -> dict[str, Any]:
    """The mapping in ``path``; ``{}`` for an empty file, or for a missing one when not ``required``."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        if not required:
            return {}
        raise CorpusInvalidError(f"找不到数据文件：{path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusInvalidError(f"数据文件 {path.name} 无法读取（{exc}）") from exc
    except yaml.YAMLError as exc:
        raise CorpusInvalidError(f"数据文件 {path.name} 不是合法的 YAML：{exc}") from exc
    if not isinstance(data, dict):
        raise CorpusInvalidError(f"数据文件 {path.name} 应为键值对，实际为 {type(data).__name__}")
    return data
