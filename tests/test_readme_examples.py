"""Every input file the README's example commands name is shipped in the repository (or written
by an earlier example command's --out), so a newcomer can paste them as they are."""

import re
import shlex

from assistant.config import REPO_ROOT

SUFFIXES = (".txt", ".xlsx", ".csv", ".json", ".pdf", ".docx", ".md")


def test_readme_example_commands_name_files_that_exist() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    produced: set[str] = set()
    missing = []
    checked = 0
    for line in readme.splitlines():
        if not line.startswith(".venv/bin/assistant "):
            continue
        words = shlex.split(line.split("  #")[0].replace("<id>", "ID"))
        for before, word in zip(["", *words], words, strict=False):
            if not word.endswith(SUFFIXES) or word.startswith("-"):
                continue
            if before == "--out":
                produced.add(word)
                continue
            checked += 1
            if word not in produced and not (REPO_ROOT / word).exists():
                missing.append(word)
    assert checked >= 5
    assert missing == []


def test_examples_are_pointed_at_by_path() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"examples/questions\.txt", readme)
