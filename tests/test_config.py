"""Settings whose defaults depend on each other."""

from __future__ import annotations

import pytest

from assistant.config import Settings


@pytest.mark.parametrize(
    ("given", "page"),
    [
        ({}, "open"),  # nothing protected: a local, open page
        ({"api_keys": "k-portal"}, "keys"),  # an open page would bypass the keys
        ({"api_keys": "k-portal", "ui_access": "open"}, "open"),  # the operator chose
        ({"api_keys": "k-portal", "ui_access": "off"}, "off"),
    ],
)
def test_the_page_needs_a_key_once_the_api_does(given: dict[str, str], page: str) -> None:
    assert Settings(_env_file=None, **given).ui_access == page  # type: ignore[call-arg]


def test_the_environment_counts_as_the_operators_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_API_KEYS", "k-portal")
    assert Settings(_env_file=None).ui_access == "keys"  # type: ignore[call-arg]
    monkeypatch.setenv("ASSISTANT_UI_ACCESS", "open")
    assert Settings(_env_file=None).ui_access == "open"  # type: ignore[call-arg]


def test_an_unknown_time_zone_is_refused_in_chinese() -> None:
    assert Settings(_env_file=None).timezone == "Asia/Shanghai"  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="未知的时区"):
        Settings(_env_file=None, timezone="Mars/Olympus")  # type: ignore[call-arg]
