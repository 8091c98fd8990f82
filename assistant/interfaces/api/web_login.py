"""The web page's login as the HTTP edge sees it: which keys may log in at /login, the cookie that
carries a login's token, and whether the cookie a browser presents is a valid login.

The cookie holds an unguessable token, never a key; the session behind it is kept server-side
(``service.logins``, in the store), so every worker and host knows it and a logout ends it
everywhere. The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's page
sends it), Path=/ and, whenever the request came over https, Secure. It is a session cookie:
gone when the browser closes; the server ends the session after ASSISTANT_LOGIN_IDLE_HOURS idle
and ASSISTANT_LOGIN_MAX_HOURS in all.

Which keys log in is decided here from the app's own settings, and checked again on every use:
a login made with a key since removed from the configuration no longer counts.

- ASSISTANT_UI_ACCESS=keys (with API keys): the page needs a login; API keys and operator keys
  (which work wherever API keys do) may log in.
- ASSISTANT_UI_ACCESS=open: the page needs none; only operator keys log in, to open the 运维 tab.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from assistant.config import Settings
from assistant.keys import KeyRing
from assistant.service import LOGIN_COOKIE, Login, LoginSessions

#: What /login set before login sessions: the raw key. Cleared wherever it is still sent.
LEGACY_KEY_COOKIE = "key"


class LoginGate:
    """Which keys log in, and the login behind a browser's cookie (``sessions``: the service's
    login sessions, asked for only when a request needs them: the service is built in the
    lifespan, after the app)."""

    def __init__(self, settings: Settings, sessions: Callable[[], LoginSessions]) -> None:
        api_keys = KeyRing(settings.api_keys)
        #: The page itself needs a login (otherwise only the 运维 tab does).
        self.page_needs_login = settings.ui_access == "keys" and api_keys.enabled
        self.api_keys = api_keys
        self.users = api_keys if self.page_needs_login else KeyRing("")
        self.operators = KeyRing(settings.operator_keys)
        self._sessions = sessions

    @property
    def enabled(self) -> bool:
        """Whether anyone can log in at all (otherwise /login is not served)."""
        return self.users.enabled or self.operators.enabled

    def key(self, presented: str) -> tuple[str, bool] | None:
        """(key id, is an operator's) for a key that may log in here; None otherwise."""
        operator = self.operators.identify(presented)
        if operator is not None:
            return operator, True
        user = self.users.identify(presented)
        return (user, False) if user is not None else None

    def is_unneeded_api_key(self, presented: str) -> bool:
        """An API key presented where the page needs none (ASSISTANT_UI_ACCESS=open): a real key,
        refused with its own message and not counted as a failed guess."""
        return not self.page_needs_login and self.api_keys.identify(presented) is not None

    def open(self, key_id: str, operator: bool) -> str:
        """A new login session; its token, for the cookie only."""
        return self._sessions().open(key_id, operator)

    def login(self, token: str | None) -> Login | None:
        """The valid login behind `token`: a live session of a key still configured."""
        login = self._sessions().identify(token)
        if login is None or not (self.operators.holds(login.key_id) or self.users.holds(login.key_id)):
            return None
        return login

    def close(self, token: str | None) -> bool:
        return self._sessions().close(token)


def login_token(request: Request) -> str:
    """The token in the request's login cookie ('' without one)."""
    return request.cookies.get(LOGIN_COOKIE, "")


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    """The login cookie, Secure whenever the request came over https (behind a TLS proxy: when
    uvicorn trusts the proxy's X-Forwarded-Proto, see docs/operations.md)."""
    response.set_cookie(
        LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    _clear_legacy(response, request)


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        LOGIN_COOKIE, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    _clear_legacy(response, request)


def _clear_legacy(response: Response, request: Request) -> None:
    """A browser still holding the old raw-key cookie loses it at its next login or logout."""
    if LEGACY_KEY_COOKIE in request.cookies:
        response.delete_cookie(
            LEGACY_KEY_COOKIE,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
            path="/",
        )
