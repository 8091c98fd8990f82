"""What guards POST /login and /logout: requests from another site are refused, and a client that
keeps presenting wrong keys is made to wait.

- Cross-site: a browser says where a form was posted from (Origin, or at least Referer). One
  that names another site is refused with 403 ``cross_site``: another site's page can neither
  log a visitor in (to a session the attacker owns) nor out. A request naming neither (curl, a
  script) is let through: it carries no one's cookie by surprise.
- Failed logins are counted per client address (IPv6 per /64, which one client usually holds
  whole) in a moving window, with the `limits` library and the storage of the API's rate
  limits (ASSISTANT_RATE_LIMIT_STORAGE: per worker with memory://, shared with redis://). Over
  ASSISTANT_LOGIN_FAILURE_LIMIT, /login answers 429 ``login_throttled`` with Retry-After until
  the window has room again, whatever key is presented.
"""

from __future__ import annotations

import ipaddress
import math
import time
from urllib.parse import urlsplit

from fastapi import Request

from assistant.interfaces.api.errors import ApiError

CROSS_SITE = "拒绝跨站请求：登录和退出登录只接受从本站页面提交的请求。"
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _without_default_port(netloc: str, scheme: str | None = None) -> str:
    """host[:port] in lower case, the port dropped when it is the scheme's default (for a Host
    header, whose scheme a TLS proxy may have hidden, either default)."""
    netloc = netloc.lower()
    host, sep, port = netloc.rpartition(":")
    if not sep or "]" in port:  # no port (an IPv6 literal's colons are inside brackets)
        return netloc
    defaults = {_DEFAULT_PORTS[scheme]} if scheme in _DEFAULT_PORTS else set(_DEFAULT_PORTS.values())
    return host if port in defaults else netloc


def from_another_site(request: Request) -> bool:
    """Whether the request's Origin (or, without one, its Referer) names another host than the
    one the request was sent to. Only host and port are compared: behind a TLS proxy the
    request may arrive as http while the browser's origin is https."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source:
        return False
    if source == "null":  # a sandboxed frame, a file://, a redirect across sites
        return True
    parts = urlsplit(source)
    if parts.scheme not in _DEFAULT_PORTS or not parts.netloc:
        return True
    host = request.headers.get("host", "")
    return _without_default_port(parts.netloc, parts.scheme) != _without_default_port(host)


def refuse_other_sites(request: Request) -> None:
    """403 ``cross_site`` in the one error shape for a request from another site."""
    if from_another_site(request):
        raise ApiError(403, "cross_site", CROSS_SITE)


def client_address(request: Request) -> str:
    """Whom failures are counted for: the client's address (the real one behind a proxy whose
    X-Forwarded-For uvicorn trusts), an IPv6 address by its /64."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class FailedLogins:
    """Wrong keys presented at /login, per client address, in a moving window."""

    NAMESPACE = "login-failures"

    def __init__(self, limit: str, storage_uri: str = "memory://") -> None:
        from limits import parse, storage, strategies

        self.limit = parse(limit) if limit else None
        self._limiter = strategies.MovingWindowRateLimiter(storage.storage_from_string(storage_uri))

    def retry_after(self, who: str) -> int | None:
        """None while `who` may try; otherwise the seconds until the window has room again."""
        if self.limit is None or self._limiter.test(self.limit, self.NAMESPACE, who):
            return None
        reset = self._limiter.get_window_stats(self.limit, self.NAMESPACE, who).reset_time
        return max(1, math.ceil(reset - time.time()))

    def failed(self, who: str) -> None:
        if self.limit is not None:
            self._limiter.hit(self.limit, self.NAMESPACE, who)

    def refuse_when_over(self, who: str) -> None:
        """429 ``login_throttled`` with Retry-After while `who` is over the limit."""
        wait = self.retry_after(who)
        if wait is not None:
            raise ApiError(
                429,
                "login_throttled",
                f"密钥输入错误次数过多，请 {wait} 秒后再试。如忘记密钥，请联系系统管理员。",
                {"Retry-After": str(wait)},
            )
