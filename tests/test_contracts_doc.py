"""docs/contracts.md says which top-level keys each command's --json output has; run each command
and compare, so the document cannot drift from the code."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.config import REPO_ROOT, Settings

ROW = re.compile(r"^\| `(?P<command>[^`]+ --json[^`]*)` \| `(?P<keys>[^`]+)` \|$", re.MULTILINE)


def documented() -> list[tuple[str, list[str]]]:
    text = (REPO_ROOT / "docs" / "contracts.md").read_text(encoding="utf-8")
    return [(m["command"], [k.strip() for k in m["keys"].split(",")]) for m in ROW.finditer(text)]


def test_the_document_lists_the_main_commands() -> None:
    commands = {command.split()[0] for command, _ in documented()}
    assert {"search", "ask", "check", "draft", "index"} <= commands


@pytest.mark.parametrize(("command", "keys"), documented(), ids=lambda v: str(v).split()[0])
def test_documented_json_keys_match_the_output(
    command: str, keys: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("ASSISTANT_DENSE_WEIGHT", "0")  # keys do not depend on the dense side
    monkeypatch.chdir(REPO_ROOT)
    from assistant.interfaces.cli import main as cli

    monkeypatch.setattr(cli.state, "settings", Settings())
    result = CliRunner().invoke(cli.app, shlex.split(command))
    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == keys
