"""Pure ASGI middleware of the HTTP edge: request id, body size limits, metrics and access log,
the last-resort 500, and CORS with refusals in the one error shape."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.interfaces.api import metrics
from assistant.interfaces.api.errors import BARE_NOT_FOUND, HTTP_MESSAGES, INTERNAL_ERROR, error_response
from assistant.interfaces.api.logging_setup import request_id_var

log = logging.getLogger("assistant.api")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def too_large(limit: int, length: int | None = None) -> str:
    size = f"（{length} 字节）" if length is not None else ""
    return f"请求体过大{size}，上限为 {limit} 字节。"


#: On every response: no MIME sniffing, and no page of ours inside another site's frame
#: (clickjacking the web UI's buttons). Scripts are not restricted by the CSP: Gradio needs its
#: inline ones; framing, plugins and a foreign <base> are.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'; object-src 'none'; base-uri 'self'",
    "Referrer-Policy": "same-origin",
}


class RequestContextMiddleware:
    """Pure ASGI (no per-request task or body buffering, so streaming stays streaming).

    Body limits are enforced here rather than with FastAPI's `max_body_size`, whose refusal is
    plain text: a declared Content-Length over the limit is refused before anything reads the
    body, and a chunked body is counted as it is read. Uploads to /v1/review have their own,
    larger limit. A mounted app's bare `{"detail": "Not Found"}` (the UI owns "/" and whatever
    below it no API route matched) is rewritten into the one error shape. Any exception that
    escapes the app is logged with its traceback and answered with a generic 500 in the error
    shape; the client never sees the traceback.
    """

    def __init__(self, app: ASGIApp, body_limit: int, upload_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        incoming = headers.get("x-request-id", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        held: Message | None = None  # a bare 404/405 of a mounted app (the UI), being rewritten
        held_body: list[bytes] = []

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started, held
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                out = MutableHeaders(scope=message)
                out["X-Request-ID"] = request_id
                for name, value in SECURITY_HEADERS.items():
                    out.setdefault(name, value)
                if status in (404, 405) and out.get("content-type", "").startswith("application/json"):
                    held = message
                    return
            elif message["type"] == "http.response.body" and held is not None:
                held_body.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body, start = b"".join(held_body), held
                held = None
                if body in BARE_NOT_FOUND:
                    allow = MutableHeaders(scope=start).get("allow")
                    headers = {"Allow": allow} if allow else None
                    await error_response(
                        status, f"http_{status}", HTTP_MESSAGES[status], request_id, headers
                    )(scope, receive, send)
                else:
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        method, path = scope["method"], scope["path"]
        if method not in KNOWN_METHODS and not (path.startswith("/v1/") and method in ("TRACE", "CONNECT")):
            # TRACE, CONNECT or an invented method: nothing here serves it (/v1 answers with the
            # exact Allow of the path, see routes/fallback.py).
            await error_response(
                405, "http_405", HTTP_MESSAGES[405], request_id, {"Allow": "GET, HEAD, POST"}
            )(scope, receive, send_with_id)
            return
        uploads = scope["path"].rstrip("/") == "/v1/review" or scope["path"].startswith("/v1/admin/documents")
        limit = self.upload_limit if uploads else self.body_limit
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside the route's body read; FastAPI passes HTTPExceptions through
                    # to the handlers, which answer in the one error shape.
                    raise StarletteHTTPException(413, too_large(limit))
            return message

        try:
            length = headers.get("content-length", "")
            if length.isdigit() and int(length) > limit:
                await error_response(413, "payload_too_large", too_large(limit, int(length)), request_id)(
                    scope, receive, send_with_id
                )
            else:
                await self.app(scope, receive_within_limit, send_with_id)
        except Exception:
            log.exception("unhandled error", extra={"path": scope.get("path")})
            if not response_started:
                await error_response(500, "internal_error", INTERNAL_ERROR, request_id)(
                    scope, receive, send_with_id
                )
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics.observe_request(scope["method"], route, status, seconds)
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "route": route,
                    "status": status,
                    "ms": round(seconds * 1000, 2),
                    "key_id": scope["state"].get("key_id", ""),
                    "client": (scope.get("client") or ("", 0))[0],
                },
            )
            request_id_var.reset(token)


class ChineseCORSMiddleware(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the one error shape."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        what = bytes(response.body).decode(errors="replace").removeprefix("Disallowed CORS ")
        names = {
            "origin": "来源",
            "method": "请求方法",
            "headers": "请求头",
            "private-network": "私有网络访问",
        }
        refused = "、".join(names.get(w.strip(), w.strip()) for w in what.split(","))
        headers = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}
        return error_response(
            400, "cors_rejected", f"跨域请求未被允许：{refused}不在允许范围内。", headers=headers
        )


#: Paths of the API itself: guarded by the API's own rules (keys on /v1), never by the UI's.
API_PATHS = ("/v1", "/healthz", "/readyz", "/metrics", "/docs", "/docs-assets", "/openapi.json", "/login")
UI_UNAUTHORIZED = (
    "网页界面需要 API 密钥：请先在 /login 页面输入密钥，"
    "或在请求头中提供 Authorization: Bearer <密钥>（或 X-API-Key）。"
)


class UIAccessMiddleware:
    """With ASSISTANT_UI_ACCESS=keys, the web UI (every path outside the API's) needs one of the
    API keys: in `Authorization: Bearer`, in `X-API-Key`, or in the `key` cookie that /login
    sets. Otherwise 401 in the one error shape."""

    def __init__(self, app: ASGIApp, identify: Callable[[str], str | None]) -> None:
        self.app = app
        self.identify = identify

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or any(path == p or path.startswith(p + "/") for p in API_PATHS):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        auth = headers.get("authorization", "")
        presented = [
            auth[7:].strip() if auth[:7].lower() == "bearer " else "",
            headers.get("x-api-key", ""),
            Request(scope).cookies.get("key", ""),
        ]
        if any(key and self.identify(key) for key in presented):
            await self.app(scope, receive, send)
            return
        metrics.AUTH_FAILURES.inc()
        await error_response(401, "unauthorized", UI_UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})(
            scope, receive, send
        )
