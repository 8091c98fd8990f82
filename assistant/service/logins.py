"""The web page's login sessions as the interfaces use them: open one for a key id, identify the
token a browser presents, close it (logout).

The sessions live in the store (`store.logins`: only the token's digest), so every worker and
host sees the same ones; this layer adds the timeouts from the settings and a small per-worker
cache. Gradio fetches dozens of assets per page view, each behind the login with
ASSISTANT_UI_ACCESS=keys: the cache spares a database read for each, and holds an answer at most
``login_cache_seconds`` (≤ 10 s), so a logout on another worker takes effect within that time.
A session's last use is written at most once a minute, not on every request.

Which keys may log in, and whether a login still carries operator rights, is the edges' call
(the API's key rings, the console's operator keys): this layer only remembers who logged in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from cachetools import TTLCache

from assistant.config import Settings
from assistant.store import Login, Logins, token_digest

log = logging.getLogger("assistant.service")

#: The cookie that carries a login's token between the browser and every interface of the page.
LOGIN_COOKIE = "assistant_login"
#: A session's `last_used` is written when it is older than this (the idle timeout is hours).
TOUCH_SECONDS = 60.0
#: Sessions one worker remembers at once (a forgotten one costs one database read).
CACHE_SIZE = 4096
HOUR = 3600.0

__all__ = ["LOGIN_COOKIE", "Login", "LoginSessions"]


class LoginSessions:
    """Login sessions with the configured idle timeout, absolute lifetime and cache."""

    def __init__(self, settings: Settings, logins: Logins, clock: Callable[[], float] = time.time) -> None:
        self.logins = logins
        self.idle_seconds = settings.login_idle_hours * HOUR
        self.lifetime_seconds = settings.login_max_hours * HOUR
        self.clock = clock
        ttl = settings.login_cache_seconds
        self._cache: TTLCache[str, Login] | None = TTLCache(CACHE_SIZE, ttl) if ttl > 0 else None
        self._lock = threading.Lock()  # cachetools' caches are not thread-safe

    def open(self, key_id: str, operator: bool) -> str:
        """A new session for the key `key_id` (already checked by the caller); its token, to be
        handed to the browser and never kept. Expired sessions are purged on the way: logins are
        rare, so the table never grows without a cron job."""
        now = self.clock()
        self.logins.purge_expired(self.idle_seconds, now)
        token = self.logins.open(key_id, operator, self.lifetime_seconds, now)
        log.info("login opened", extra={"key_id": key_id, "operator": operator})
        return token

    def identify(self, token: str | None) -> Login | None:
        """The valid session of `token`, or None (no token, unknown, expired, logged out)."""
        if not token:
            return None
        digest, now = token_digest(token), self.clock()
        cached = self._cached(digest)
        if cached is not None and not cached.expired(self.idle_seconds, now):
            return cached
        login = self.logins.identify(token, self.idle_seconds, now)
        if login is not None and now - login.last_used >= TOUCH_SECONDS:
            self.logins.touch(token, now)
            login = replace(login, last_used=now)
        self._remember(digest, login)
        return login

    def close(self, token: str | None) -> bool:
        """End the session (logout): at once on this worker, within ``login_cache_seconds`` on
        the others. Whether there was one."""
        if not token:
            return False
        self._remember(token_digest(token), None)
        closed = self.logins.close(token)
        if closed:
            log.info("login closed")
        return closed

    def purge_expired(self) -> int:
        """Delete every expired session; how many went."""
        return self.logins.purge_expired(self.idle_seconds, self.clock())

    def _cached(self, digest: str) -> Login | None:
        if self._cache is None:
            return None
        with self._lock:
            return self._cache.get(digest)

    def _remember(self, digest: str, login: Login | None) -> None:
        if self._cache is None:
            return
        with self._lock:
            if login is None:
                self._cache.pop(digest, None)
            else:
                self._cache[digest] = login
