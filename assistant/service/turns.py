"""What one question brings to the service: the session opened (or none, when the store is down
and none was asked for), and the stored, given and stated facts merged into a `Turn`.

Kept apart from the facade because the merging order is a policy of its own (later statements
override earlier ones, a given profile wins, a what-if shapes one answer only) and is easier to
read and test alone."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from pydantic import BaseModel, Field

from assistant.answering import EnterpriseReader, Fact, facts_to_profile
from assistant.errors import AssistantError, StoreUnavailableError
from assistant.rules import parse_profile
from assistant.store import ANONYMOUS, Sessions, merge_profiles

log = logging.getLogger("assistant.service")
#: Flag on an answer whose session could not be stored (the database was down, none was asked for).
UNSAVED = "session_unsaved"


class Turn(BaseModel):
    """What one question brings: the profile to check, the profile to keep, the facts read."""

    model_config = {"arbitrary_types_allowed": True}

    profile: dict[str, Any]
    store: dict[str, Any]
    new_facts: list[Any] = Field(default_factory=list)
    understood: list[Any] = Field(default_factory=list)
    what_if: bool = False
    reading: Any = None
    #: perf_counter() when the turn started: the answer log records the latency.
    started: float = Field(default_factory=time.perf_counter)


def start_turn(
    sessions: Sessions,
    reader: EnterpriseReader,
    question: str,
    session: str | None,
    profile: dict[str, Any] | None,
    owner: str = ANONYMOUS,
) -> tuple[str, Turn]:
    """Open the session and merge stored, given and stated facts (given ones validated).

    Later statements override earlier ones; an explicitly given profile is the most reliable
    source, so it is applied last. Facts stated as a what-if shape this answer only. A session
    belongs to its `owner` (the caller's key id): another caller's id is NotFoundError."""
    if profile:
        parse_profile(profile)  # a bad profile is the caller's error, reported before anything runs
    try:
        session_id = sessions.open(session, owner)
        stored = sessions.profile(session_id)
        earlier_facts = sessions.facts(session_id)
    except StoreUnavailableError:
        if session is not None:
            raise  # the caller wants a conversation we can neither read nor continue
        # No session asked for: answer anyway, in a session that is never stored.
        log.warning("session store unavailable; answering without a session")
        session_id, stored, earlier_facts = UNSAVED + "-" + uuid.uuid4().hex, {}, []
    reading = reader.extract(question)
    stated_facts = reading.stated()
    store = merge_profiles(merge_profiles(stored, facts_to_profile(stated_facts)), profile or {})
    try:
        parse_profile(store)
    except AssistantError:
        stated_facts = []  # a misreading must never block the answer; drop its facts
        store = merge_profiles(stored, profile or {})
    what_if = reading.hypothetical()
    current = merge_profiles(store, facts_to_profile(what_if)) if what_if else store
    try:
        parse_profile(current)
    except AssistantError:
        what_if, current = [], store
    earlier = [
        Fact(f["field"], f["value"], f["said"])
        for f in earlier_facts
        if f.get("field") not in {x.field for x in [*stated_facts, *what_if, *reading.conflicts()]}
    ]
    return session_id, Turn(
        profile=current,
        store=store,
        new_facts=stated_facts,
        understood=[*earlier, *stated_facts, *reading.conflicts(), *what_if],
        what_if=bool(what_if),
        reading=reading,
    )
