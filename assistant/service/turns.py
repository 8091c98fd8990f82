"""What one question brings to the service: the session (read when the question names one,
made in memory when it does not), and the stored, given and stated facts merged into a `Turn`.

Kept apart from the facade because the merging order is a policy of its own (later statements
override earlier ones, a given profile wins, a what-if shapes one answer only) and is easier to
read and test alone."""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field

from assistant.answering import EnterpriseReader, Fact, facts_to_profile, implied_facts, named_tier
from assistant.errors import AssistantError
from assistant.rules import parse_profile
from assistant.store import ANONYMOUS, Sessions, Stored, merge_profiles
from assistant.vocabulary import DEFAULT_TIER, fix_tier_typos

#: Flag on an answer whose new session could not be stored (the database was down or did not
#: answer in time); its `session` is then this prefix and a random suffix, usable for nothing.
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
    #: The session was made in memory for this question: recording the turn creates it.
    new_session: bool = False
    #: Whose session it is (the caller's key id).
    owner: str = ANONYMOUS
    #: The tier under discussion: the one this question names, else the last one asked in the
    #: session (None: none yet, the round's tier is assumed).
    tier: str | None = None
    #: The session's earlier questions, newest first: the round one of them named by year is
    #: the round a later "那截止日期呢" is about.
    earlier_questions: list[str] = Field(default_factory=list)


def start_turn(
    sessions: Sessions,
    reader: EnterpriseReader,
    question: str,
    session: str | None,
    profile: dict[str, Any] | None,
    owner: str = ANONYMOUS,
    wait: float | None = None,
) -> tuple[str, Turn]:
    """Read (or make) the session and merge stored, given and stated facts (given ones validated).

    A question without a session touches no database here: its session is made in memory and
    created when the turn is recorded, so a slow or unreachable store never delays the answer.
    A named session must be read (its profile shapes the answer): within `wait` seconds, else
    StoreUnavailableError. Later statements override earlier ones; an explicitly given profile
    is the most reliable source, so it is applied last. Facts stated as a what-if shape this
    answer only. A session belongs to its `owner` (the caller's key id): another caller's id is
    NotFoundError."""
    if profile:
        parse_profile(profile)  # a bad profile is the caller's error, reported before anything runs
    if session is None:
        session_id, saved = sessions.new_id(), Stored({}, [])
    else:
        session_id, saved = session, sessions.load(session, owner, within=wait)
    stored, earlier_facts = saved.profile, saved.facts
    reading = reader.extract(question)
    tier = discussed_tier(reader, question, reading.facts, saved.questions)
    reading.suppose_links(tier or DEFAULT_TIER)
    stated_facts = reading.stated()
    store = merge_profiles(merge_profiles(stored, facts_to_profile(stated_facts)), profile or {})
    try:
        parse_profile(store)
    except AssistantError:
        stated_facts = []  # a misreading must never block the answer; drop its facts
        store = merge_profiles(stored, profile or {})
    # A profile the caller sends is the record: nothing is implied beside it.
    if not profile and (implied := implied_facts(store)):
        stated_facts = [*stated_facts, *implied]
        store = merge_profiles(store, facts_to_profile(implied))
    what_if = reading.hypothetical()
    current = merge_profiles(store, facts_to_profile(what_if)) if what_if else store
    try:
        parse_profile(current)
    except AssistantError:
        what_if, current = [], store
    earlier = [
        Fact(f["field"], f["value"], f["said"])
        for f in earlier_facts
        # A what-if is shown beside the fact it supposes away ("法人形式：分支机构" stays held).
        if f.get("field") not in {x.field for x in [*stated_facts, *reading.conflicts()]}
    ]
    return session_id, Turn(
        tier=tier,
        earlier_questions=list(saved.questions),
        profile=current,
        store=store,
        new_facts=stated_facts,
        understood=[*earlier, *stated_facts, *reading.conflicts(), *what_if],
        what_if=bool(what_if),
        reading=reading,
        new_session=session is None,
        owner=owner,
    )


def discussed_tier(
    reader: EnterpriseReader, question: str, facts: list[Fact], earlier: tuple[str, ...]
) -> str | None:
    """The tier this question names as its subject, else the one the latest earlier question
    named ("那还差什么" after "能报先进级吗" is about 先进级). A tier inside a stated fact
    ("拿到了先进级") is not a subject."""
    tier = named_tier(question, facts)
    for said in earlier:
        if tier is not None:
            break
        said = fix_tier_typos(said)
        tier = named_tier(said, reader.extract(said).facts)
    return tier
