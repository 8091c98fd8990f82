"""Keeping every worker's index on the corpus the operators changed.

The operator console changes the corpus in one worker; the store's corpus generation tells the
other workers and hosts (docs/operations.md, *Corpus changes*). A class of its own because the
throttling and the "who reloads" rule are subtle and are tested without a service."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from assistant.errors import StoreUnavailableError

log = logging.getLogger("assistant.service")
#: How often, at most, a worker asks the store whether the corpus changed (CorpusFollower).
CORPUS_CHECK_SECONDS = 2.0
#: How long that one indexed single-row read may take before the store counts as unreachable for
#: this round: the request making the check waits no longer (the service bounds the read).
GENERATION_WAIT = 0.25


class CorpusFollower:
    """Keeps one worker's index on the corpus generation recorded in the shared store.

    Every upload, replacement, retirement and re-index moves the generation on (ChangeLog
    .record). `check` runs at the start of each search or question but reads the store at
    most once per `interval` seconds, and reloads when the generation differs from the one the
    index was built at. One caller reloads; concurrent requests keep answering from the index
    they have. A store that cannot be reached is skipped until the next interval.
    """

    def __init__(
        self,
        generation: Callable[[], int],
        reload: Callable[[], object],
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._generation = generation
        self._reload = reload
        self.interval = interval
        self._clock = clock
        self._next = clock() + interval
        self._lock = threading.Lock()
        #: The generation the loaded index reflects (None: unknown, reload at the first check).
        self.seen: int | None = self.read()

    def read(self) -> int | None:
        try:
            return self._generation()
        except StoreUnavailableError:
            return None

    def due(self) -> bool:
        """Whether `check` would read the store now (a clock comparison, nothing more)."""
        return self._clock() >= self._next

    def check(self) -> bool:
        """Reload if the store says the corpus changed since the index was loaded; True if so.

        A reload that fails (Chroma unreachable, a collection gone, the corpus folder half-read)
        is logged and retried at the next check: the request that made the check is answered
        from the index loaded before, never failed for it."""
        if self._clock() < self._next or not self._lock.acquire(blocking=False):
            return False
        try:
            self._next = self._clock() + self.interval
            current = self.read()
            if current is None or current == self.seen:
                return False
            log.info("corpus generation %s → %s: reloading the index", self.seen, current)
            try:
                self._reload()
            except Exception as exc:
                log.warning(
                    "reloading the index for corpus generation %s failed (%s: %s); answering from the "
                    "index loaded before, trying again in %.0f s",
                    current,
                    type(exc).__name__,
                    exc,
                    self.interval,
                )
                return False
            return True
        finally:
            self._lock.release()
