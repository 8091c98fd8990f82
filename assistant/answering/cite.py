"""How answers cite: 【clause_id】 after the claim it supports.

One pattern for the grounded composer, the LLM guard and the evals, so what one writes the
others read the same way."""

from __future__ import annotations

import re

#: A citation as answers write it: 【notice#二.(一).1】.
CITATION = re.compile(r"【([^】\s]{1,80})】")


def cited_ids(text: str) -> list[str]:
    """Clause ids in 【】 in order of first appearance, without repeats."""
    return list(dict.fromkeys(CITATION.findall(text)))
