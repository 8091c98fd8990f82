"""The curated public API: every name in assistant.__all__ resolves, and nothing else is promised."""

import assistant


def test_all_exported_names_resolve() -> None:
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name


def test_public_api_is_pinned() -> None:
    assert set(assistant.__all__) == {
        "__version__",
        "AssistantService",
        "Answer",
        "Citation",
        "Settings",
        "AssistantError",
        "InputError",
        "NotFoundError",
        "CorpusError",
        "IndexBuildError",
        "RetrievalError",
        "LLMError",
        "ProfileError",
        "UnknownEditionError",
        "CheckReport",
        "EnterpriseProfile",
        "Hit",
        "DraftSpec",
        "Draft",
        "ReviewReport",
        "TIERS",
        "LINKS",
    }


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        assistant.not_a_thing  # noqa: B018
    except AttributeError as exc:
        assert "not_a_thing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")
