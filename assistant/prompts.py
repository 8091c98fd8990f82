"""Prompts are versioned Markdown files under prompts/, loaded by name; none live in code.

A prompt file starts with front matter (name, version) and its body may contain ``{placeholders}``
filled by ``Prompt.render``; placeholders not given are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.config import REPO_ROOT
from assistant.errors import AssistantError

PROMPTS_DIR = REPO_ROOT / "prompts"


@dataclass(frozen=True)
class Prompt:
    """A prompt's text and the version recorded with every answer that used it."""

    name: str
    version: int
    text: str

    def render(self, **values: object) -> str:
        text = self.text
        for key, value in values.items():
            text = text.replace("{" + key + "}", str(value))
        return text


@lru_cache(maxsize=32)
def load_prompt(name: str, directory: Path = PROMPTS_DIR) -> Prompt:
    """Load prompts/<name>.md; a missing or malformed file is an error, never a silent default."""
    path = directory / f"{name}.md"
    if not path.is_file():
        raise AssistantError(f"找不到提示词文件：prompts/{name}.md")
    raw = path.read_text(encoding="utf-8")
    if not raw.startswith("---"):
        raise AssistantError(f"提示词 {name} 缺少文件头（name、version）")
    head, _, body = raw[3:].partition("\n---")
    meta = yaml.safe_load(head) or {}
    if meta.get("name") != name or not isinstance(meta.get("version"), int):
        raise AssistantError(f"提示词 {name} 的文件头应包含 name: {name} 和整数 version")
    return Prompt(name=name, version=int(meta["version"]), text=body.strip())
