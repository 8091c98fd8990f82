"""Units collections built beside the live one, the stamp that swaps one in, and the rule that
drops old ones.

A build fills a new collection (``units_<random>``) that no stamp names, so nobody reads it
while it fills. ``DenseBuild.promote`` swaps the stamp (one small collection's metadata) to name
it: from then on every worker and host that loads reads it. ``revert`` puts the stamp back and
drops the new collection, for a corpus change that failed after the swap.

**Which old collections may be dropped** (``collect_garbage``, run after each swap). A units
collection is deleted only when all three hold:

1. the stamp does not name it;
2. it stopped being live more than GRACE_SECONDS (10 minutes) ago — the stamp keeps, under
   ``retired``, when each collection it named before was swapped out;
3. its builder last touched it more than GRACE_SECONDS ago — a build sets ``created`` and
   refreshes ``touched`` every HEARTBEAT_SECONDS (1 minute) while it embeds and adds.

Why this rule: a process reads a collection in two ways only. It *loads* one the stamp named a
moment ago: a worker ranks from its in-memory matrix (knowledge/units.py), so it reads the
collection once, for well under a second (234 units here; 100 times that is seconds), and never
again; ten minutes after the swap nobody is still loading it. Or it *builds* one: the heartbeat
says it is alive, and a build killed mid-way is dropped ten minutes after its last sign of
life. So no process deletes a collection another may still be building or loading, whichever
process runs the collection and however many share the Chroma. The rule the code had before —
drop every other collection at each swap — deleted the collection another worker was building
or loading: its reload failed, users got 503, an operator's applied change answered 503.

Time is each host's wall clock; hosts whose clocks disagree by minutes would shorten the grace.
Two swaps at the same moment may lose one ``retired`` entry (last writer wins on the stamp);
that collection is then protected by rule 3 only, and a worker whose load fails keeps its old
index and tries again at its next corpus check (service/follow.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from assistant.errors import IndexBuildError
from assistant.knowledge.embedding import Embedder
from assistant.knowledge.units import Unit

log = logging.getLogger("assistant.index")

STAMP_COLLECTION = "assistant_index_stamp"
UNITS_PREFIX = "units_"
EMBED_BATCH = 32
ADD_BATCH = 1000
GRACE_SECONDS = 600.0
HEARTBEAT_SECONDS = 60.0

#: progress(done, total) while unit texts are embedded.
Progress = Callable[[int, int], None]


def read_stamp(client: Any, function: Any) -> dict[str, Any]:
    """The stamp's metadata: the live collection (`active`), its corpus hash, model, scheme."""
    from chromadb.errors import NotFoundError

    try:
        return dict(client.get_collection(STAMP_COLLECTION, embedding_function=function).metadata or {})
    except NotFoundError:
        return {}


def _retired(stamp: dict[str, Any], now: float, grace: float) -> dict[str, float]:
    """When each collection the stamp named before was swapped out, the last `grace` seconds."""
    try:
        found = json.loads(str(stamp.get("retired") or "{}"))
    except ValueError:
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float) and now - v < grace}


class _Heartbeat:
    """Refreshes a collection's `touched` while it is being built (rule 3 of the module)."""

    def __init__(self, collection: Any, metadata: dict[str, Any]) -> None:
        self.collection = collection
        self.metadata = metadata
        self.last = time.monotonic()

    def beat(self) -> None:
        if time.monotonic() - self.last < HEARTBEAT_SECONDS:
            return
        self.last = time.monotonic()
        # Without the hnsw key: Chroma refuses any metadata that restates the distance function.
        self.collection.modify(metadata={**self.metadata, "touched": time.time()})


def build_beside(
    client: Any,
    function: Any,
    units: Sequence[Unit],
    wanted: dict[str, Any],
    embedder: Embedder,
    vectors: dict[str, Any],
    progress: Progress,
) -> tuple[str, Any, int]:
    """A new collection with every unit's vector, named by no stamp: (name, collection, texts
    embedded). `vectors` (digest → vector, from the live collection) are reused; the rest are
    embedded, each distinct text once. On failure the new collection is dropped."""
    todo: dict[str, str] = {}
    for unit in units:
        if unit.digest not in vectors:
            todo.setdefault(unit.digest, unit.text)
    name = f"{UNITS_PREFIX}{uuid.uuid4().hex[:16]}"
    metadata = {**wanted, "created": time.time()}
    try:
        collection = client.create_collection(
            name, embedding_function=function, metadata={"hnsw:space": "cosine", **metadata}
        )
        heartbeat = _Heartbeat(collection, metadata)
        pending = list(todo.items())
        progress(0, len(pending))
        for start in range(0, len(pending), EMBED_BATCH):
            batch = pending[start : start + EMBED_BATCH]
            embedded = embedder.passages([text for _, text in batch])
            vectors.update((digest, vector) for (digest, _), vector in zip(batch, embedded, strict=True))
            progress(min(start + EMBED_BATCH, len(pending)), len(pending))
            heartbeat.beat()
        for start in range(0, len(units), ADD_BATCH):
            batch_units = units[start : start + ADD_BATCH]
            collection.add(
                ids=[u.unit_id for u in batch_units],
                documents=[u.text for u in batch_units],
                embeddings=[vectors[u.digest] for u in batch_units],
                metadatas=[u.metadata() for u in batch_units],  # type: ignore[misc]
            )
            heartbeat.beat()
    except Exception as exc:
        with contextlib.suppress(Exception):  # leave no half-built collection behind
            client.delete_collection(name)
        raise IndexBuildError(f"向量索引构建失败（{type(exc).__name__}），原有索引保持不变") from exc
    return name, collection, len(todo)


@dataclass
class DenseBuild:
    """The collection a new index serves from: built beside the live one (`name` set), or the
    live one itself when it is current (`name` None: nothing to swap)."""

    client: Any
    function: Any
    collection: Any
    name: str | None
    #: What the stamp says once this build is promoted (corpus hash, model, scheme, units).
    stamp: dict[str, Any]
    previous: dict[str, Any] | None = None
    promoted: bool = False

    def _holder(self) -> Any:
        return self.client.get_or_create_collection(STAMP_COLLECTION, embedding_function=self.function)

    def promote(self) -> None:
        """Swap the stamp to this build's collection, noting when the one it replaces retired."""
        if self.name is None:
            return
        holder = self._holder()
        previous = dict(holder.metadata or {})
        now = time.time()
        retired = _retired(previous, now, GRACE_SECONDS)
        if previous.get("active") and previous["active"] != self.name:
            retired[str(previous["active"])] = now
        holder.modify(metadata={**self.stamp, "active": self.name, "retired": json.dumps(retired)})
        self.previous, self.promoted = previous, True

    def revert(self) -> None:
        """Undo `promote` if the stamp still names this build, and drop its collection if no
        stamp names it. Best effort: a stamp left naming it is still a valid index of the
        corpus it was built for, and any worker whose corpus differs builds its own."""
        if self.name is None:
            return
        with contextlib.suppress(Exception):
            holder = self._holder()
            if self.promoted and (holder.metadata or {}).get("active") == self.name:
                holder.modify(metadata=self.previous or {"active": ""})
            self.promoted = False
            if (holder.metadata or {}).get("active") != self.name:
                self.client.delete_collection(self.name)

    def settle(self) -> list[str]:
        """After the swap is final: drop the collections no one can still need."""
        return collect_garbage(self.client, self.function)


def _last_sign_of_life(metadata: dict[str, Any]) -> float:
    values = [metadata.get("created"), metadata.get("touched")]
    return max((float(v) for v in values if isinstance(v, int | float)), default=0.0)


def collect_garbage(
    client: Any, function: Any, *, now: float | None = None, grace: float = GRACE_SECONDS
) -> list[str]:
    """Delete the units collections the module's rule allows; the names deleted. Never raises:
    a collection left over is collected at the next swap."""
    now = time.time() if now is None else now
    dropped: list[str] = []
    with contextlib.suppress(Exception):
        stamp = read_stamp(client, function)
        retired = _retired(stamp, now, grace)
        for collection in client.list_collections():
            name = str(getattr(collection, "name", collection))
            if not name.startswith(UNITS_PREFIX) or name == stamp.get("active") or name in retired:
                continue
            if now - _last_sign_of_life(dict(getattr(collection, "metadata", None) or {})) < grace:
                continue
            with contextlib.suppress(Exception):
                client.delete_collection(name)
                dropped.append(name)
    if dropped:
        log.info("dropped %d old index collection(s): %s", len(dropped), ", ".join(dropped))
    return dropped
