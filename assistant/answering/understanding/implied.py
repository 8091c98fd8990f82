"""Facts that follow from facts the user stated, said back to them like any other fact.

An independent legal person located in a province of China is registered in China: a Chinese
法人 exists by its registration there. Asking "企业是否在中国境内注册？" of a company that said
"武汉的，独立法人" reads as not listening. The implied fact is echoed with the words it comes from,
so a user can correct it ("我们其实是在香港注册的") like any other; a branch implies nothing.
"""

from __future__ import annotations

from typing import Any

from assistant.answering.understanding.facts import Fact


def implied_facts(profile: dict[str, Any]) -> list[Fact]:
    """The facts `profile` implies that it does not state yet."""
    enterprise = profile.get("enterprise") or {}
    if (
        isinstance(enterprise, dict)
        and enterprise.get("province")
        and enterprise.get("legal_form") == "independent"
        and "registered_in_prc" not in enterprise
    ):
        said = f"{enterprise['province']}的独立法人"
        return [Fact("enterprise.registered_in_prc", True, said)]
    return []
