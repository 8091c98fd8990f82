"""Wiring for the HTTP API: the service, the settings, API keys, rate limits and the review
body as dependencies.

Route handlers declare what they need with the `Annotated` aliases below (`ServiceDep`,
`PrincipalDep`, `ReviewInputDep`); tests swap any of them with
`app.dependency_overrides`. Failures are raised as `ApiError`, which errors.py renders in the
one error shape. The settings are the one `assistant.config.Settings` the app was created with
(the HTTP-edge fields ASSISTANT_API_KEYS, ASSISTANT_RATE_LIMIT … included; docs/operations.md
lists them all).
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from assistant.interfaces.api import metrics
from assistant.interfaces.api.errors import ApiError
from assistant.interfaces.api.models import ReviewRequest
from assistant.keys import KeyRing
from assistant.service import AssistantService

log = logging.getLogger("assistant.api")

# ---------------------------------------------------------------------------------------------
# The service, built once per process
# ---------------------------------------------------------------------------------------------


class ServiceHolder:
    """Builds the service once, on first use, from any thread.

    The lifespan asks for it at start-up (in a worker thread, so the event loop stays free); the
    web UI, which is mounted when the app is created, gets a stand-in that asks the same holder,
    so whichever comes first builds it and nothing builds it twice.
    """

    def __init__(
        self, factory: Callable[[], AssistantService], service: AssistantService | None = None
    ) -> None:
        self._factory = factory
        self._service = service
        self._lock = threading.Lock()

    def peek(self) -> AssistantService | None:
        return self._service

    def get(self) -> AssistantService:
        if self._service is None:
            with self._lock:
                if self._service is None:
                    self._service = self._factory()
        return self._service


class LazyService:
    """Forwards attribute access to the holder's service, building it on first use."""

    def __init__(self, holder: ServiceHolder) -> None:
        self._holder = holder

    def __getattr__(self, name: str) -> object:
        return getattr(self._holder.get(), name)


def get_service(request: Request) -> AssistantService:
    """The loaded service; 503 (with Retry-After) while the index is still loading."""
    service = request.app.state.services.peek()
    if service is None:
        raise ApiError(503, "not_ready", "服务正在加载索引，请稍后再试", {"Retry-After": "5"})
    return service


ServiceDep = Annotated[AssistantService, Depends(get_service)]


# ---------------------------------------------------------------------------------------------
# API keys
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Principal:
    """Who is calling: a key id, or `anonymous` when keys are not configured."""

    key_id: str
    address: str


UNAUTHORIZED = (
    "缺少或无效的 API 密钥：请在请求头中提供 Authorization: Bearer <密钥>，或 X-API-Key: <密钥>。"
    "如需开通，请联系系统管理员。"
)

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="Bearer",
    description="Authorization: Bearer <API 密钥>（配置了 ASSISTANT_API_KEYS 时必填）",
)
api_key_scheme = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="ApiKey",
    description="也可用 X-API-Key 请求头传递 API 密钥",
)


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """Require a known key on /v1 when keys are configured; 401 in Chinese otherwise."""
    keyring: KeyRing = request.app.state.keyring
    address = request.client.host if request.client else "unknown"
    if not keyring.enabled:
        return Principal("anonymous", address)
    presented = bearer.credentials if bearer else api_key
    key_id = keyring.identify(presented) if presented else None
    if key_id is None and presented:  # an operator may do whatever a user may
        key_id = request.app.state.operator_keyring.identify(presented)
    if key_id is None:
        metrics.AUTH_FAILURES.inc()
        raise ApiError(401, "unauthorized", UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
    request.state.key_id = key_id
    return Principal(key_id, address)


PrincipalDep = Annotated[Principal, Depends(authenticate)]

ADMIN_DISABLED = "运维接口未启用：服务端没有配置运维密钥（ASSISTANT_OPERATOR_KEYS），请联系系统管理员。"
OPERATOR_UNAUTHORIZED = (
    "缺少或无效的运维密钥：请在请求头中提供 Authorization: Bearer <运维密钥>，或 X-API-Key: <运维密钥>。"
)
NOT_AN_OPERATOR = "该密钥没有运维权限：/v1/admin 下的接口只接受运维密钥（ASSISTANT_OPERATOR_KEYS）。"


async def authenticate_operator(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """Operator routes (/v1/admin/...): 404 when no operator key is configured (the routes are
    off), 401 without a key or with an unknown one, 403 with a user's key."""
    operators: KeyRing = request.app.state.operator_keyring
    if not operators.enabled:
        raise ApiError(404, "admin_disabled", ADMIN_DISABLED)
    presented = bearer.credentials if bearer else api_key
    key_id = operators.identify(presented) if presented else None
    if key_id is None:
        metrics.AUTH_FAILURES.inc()
        if presented and request.app.state.keyring.identify(presented) is not None:
            raise ApiError(403, "forbidden", NOT_AN_OPERATOR)
        raise ApiError(401, "unauthorized", OPERATOR_UNAUTHORIZED, {"WWW-Authenticate": "Bearer"})
    request.state.key_id = key_id
    return Principal(key_id, request.client.host if request.client else "unknown")


OperatorDep = Annotated[Principal, Depends(authenticate_operator)]


# ---------------------------------------------------------------------------------------------
# Rate limits
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorageState:
    """What /readyz reports of the rate-limit storage."""

    status: Literal["ok", "degraded"]
    backend: str  # the storage's scheme: memory, redis …
    detail: str  # Chinese, for the operator reading /readyz


class RateLimiter:
    """Moving-window limits per key (the `limits` library, which slowapi is built on).

    A moving window has no burst at a window boundary, and its reset time gives an exact
    Retry-After. With memory storage each worker counts separately (N workers allow N times the
    rate); point rate_limit_storage at Redis for one shared budget.

    A shared storage that fails (down, refusing, or slower than `timeout`) never fails a
    request: limits are then counted in this worker's memory (per worker, as with memory://),
    one warning is logged per outage and the metrics say so. While it is down one request at
    most every `retry_seconds` tries it again; the first that succeeds switches back.
    """

    def __init__(
        self,
        per_key: str,
        anonymous: str,
        storage_uri: str = "memory://",
        *,
        timeout: float = 0.5,
        retry_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        from limits import parse, strategies
        from limits.errors import StorageError
        from limits.storage import MemoryStorage

        self.per_key = parse(per_key) if per_key else None
        self.anonymous = parse(anonymous) if anonymous else None
        self.backend = storage_uri.split("://", 1)[0] or "memory"
        self.shared = self.backend != "memory"
        self._storage = _storage(storage_uri, timeout)
        self._limiter = strategies.MovingWindowRateLimiter(self._storage)
        self._local = strategies.MovingWindowRateLimiter(MemoryStorage()) if self.shared else self._limiter
        self._errors = (StorageError, OSError)  # what a failing storage raises (wrapped, or a socket's)
        self._retry_seconds = retry_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._retry_at = 0.0

    def retry_after(self, principal: Principal) -> int | None:
        """None when the request may proceed; otherwise seconds to wait."""
        if principal.key_id == "anonymous":
            item, who = self.anonymous, "addr:" + principal.address
        else:
            item, who = self.per_key, principal.key_id
        if item is None:
            return None
        if self._use_shared():
            try:
                wait = _retry_after(self._limiter, item, who)
            except self._errors as exc:
                self._failed(exc)
            else:
                self._answered()
                return wait
        if self.shared:
            metrics.RATE_LIMIT_LOCAL.inc()
        return _retry_after(self._local, item, who)

    @property
    def degraded(self) -> bool:
        """True while the shared storage is down and limits are counted in memory."""
        return self._down_since is not None

    def check(self) -> StorageState:
        """For /readyz: ping the shared storage (bounded by its timeout; while it is down, only
        when a retry is due) and say whether limits are shared or counted in memory."""
        if self._use_shared():
            if self._storage.check():  # limits' check never raises: False when unreachable
                self._answered()
            else:
                self._failed(ConnectionError("ping failed"))
        if not self.shared:
            return StorageState("ok", self.backend, "各工作进程在内存中分别计数")
        if self.degraded:
            return StorageState("degraded", self.backend, "共享存储不可用，暂按各工作进程内存计数")
        return StorageState("ok", self.backend, "共享存储正常")

    def _use_shared(self) -> bool:
        """Whether this request asks the shared storage: always while it answers; while it is
        down, only the first request after each `retry_seconds` (the others count in memory)."""
        if not self.shared:
            return False
        if self._down_since is None:
            return True
        with self._lock:
            now = self._clock()
            if now < self._retry_at:
                return False
            self._retry_at = now + self._retry_seconds
            return True

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            now = self._clock()
            self._retry_at = now + self._retry_seconds
            if self._down_since is not None:
                return
            self._down_since = now
        metrics.RATE_LIMIT_OUTAGES.inc()
        metrics.RATE_LIMIT_DEGRADED.set(1)
        log.warning(
            "rate-limit storage unavailable: counting limits in this worker's memory until it answers",
            extra={"backend": self.backend, "error": type(exc).__name__},
        )

    def _answered(self) -> None:
        if self._down_since is None:
            return
        with self._lock:
            if self._down_since is None:
                return
            seconds = self._clock() - self._down_since
            self._down_since = None
        metrics.RATE_LIMIT_DEGRADED.set(0)
        log.info(
            "rate-limit storage answers again: limits are shared again",
            extra={"backend": self.backend, "outage_seconds": round(seconds, 1)},
        )


def _storage(uri: str, timeout: float) -> Any:
    """The `limits` storage at `uri`. For Redis: socket timeouts of `timeout` (redis-py waits for
    ever by default), one immediate reconnect on a broken connection (a pooled connection
    left over from before a Redis restart) and none of redis-py's default retries with backoff,
    so a failing Redis costs a request at most about `timeout`; errors are wrapped as
    limits.errors.StorageError."""
    from limits import storage

    if not uri.startswith(("redis://", "rediss://", "redis+unix://", "valkey://", "valkeys://")):
        return storage.storage_from_string(uri, wrap_exceptions=True)
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.retry import Retry

    return storage.storage_from_string(
        uri,
        wrap_exceptions=True,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),  # type: ignore[arg-type]
    )


def _retry_after(limiter: Any, item: Any, who: str) -> int | None:
    if limiter.hit(item, who):
        return None
    reset = limiter.get_window_stats(item, who).reset_time
    return max(1, math.ceil(reset - time.time()))


async def enforce_rate_limit(request: Request, principal: PrincipalDep) -> None:
    limiter: RateLimiter = request.app.state.limiter
    if limiter.shared:  # a network round trip (bounded by its timeout): off the event loop
        wait = await run_in_threadpool(limiter.retry_after, principal)
    else:
        wait = limiter.retry_after(principal)
    if wait is not None:
        metrics.RATE_LIMITED.inc()
        raise ApiError(
            429,
            "rate_limited",
            f"请求过于频繁，已超过每个密钥的速率限制，请 {wait} 秒后再试。",
            {"Retry-After": str(wait)},
        )


# ---------------------------------------------------------------------------------------------
# The review body: JSON text or a multipart upload
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewInput:
    """What to review: pasted `text`, or an uploaded file (`filename`, `data`)."""

    tier: str
    edition: str | None
    text: str | None = None
    filename: str = ""
    data: bytes = b""


def _body_errors(exc: ValidationError) -> RequestValidationError:
    return RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)])


async def review_input(request: Request) -> ReviewInput:
    """Content negotiation of /v1/review: JSON (`ReviewRequest`) or multipart/form-data (field
    `file`, optional `tier`, `edition`); any other type is 415."""
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form(max_files=1, max_fields=5, max_part_size=64 * 1024)
        upload = form.get("file")
        try:
            options = ReviewRequest.model_validate(
                {"text": "-", **{k: form.get(k) for k in ("tier", "edition") if form.get(k)}}
            )
        except ValidationError as exc:
            raise _body_errors(exc) from None
        if not isinstance(upload, UploadFile):
            raise ApiError(
                422,
                "invalid_request",
                "请求参数不合法：请在字段 file 中上传申报书草稿（.docx、.txt 或 .md）",
            )
        return ReviewInput(
            options.tier, options.edition, filename=upload.filename or "upload.txt", data=await upload.read()
        )
    if content_type.startswith("application/json") or content_type.endswith("+json"):
        try:
            body = ReviewRequest.model_validate_json(await request.body())
        except ValidationError as exc:
            raise _body_errors(exc) from None
        return ReviewInput(body.tier, body.edition, text=body.text)
    raise ApiError(
        415,
        "unsupported_media_type",
        "不支持的请求格式：请以 application/json 提交文字，或以 multipart/form-data 上传文件。",
    )


ReviewInputDep = Annotated[ReviewInput, Depends(review_input)]


# ---------------------------------------------------------------------------------------------
# JSON bodies: the media type, and text that UTF-8 can carry
# ---------------------------------------------------------------------------------------------

UNSUPPORTED_JSON = "不支持的请求格式：该接口只接受 JSON，请设置 Content-Type: application/json。"
LONE_SURROGATE = (
    "请求参数不合法：请求体含有无效的 Unicode 字符（未配对的代理项，如 \\ud800），请检查文字编码。"
)


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _has_lone_surrogate(value: object) -> bool:
    """json.loads joins a valid pair into one character, so any surrogate left is a lone one."""
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


async def check_json_body(request: Request) -> None:
    """For routes that take a JSON body: 415 `unsupported_media_type` for another declared
    type (not a 422 echoing the raw bytes), 422 for a lone surrogate (`"\\ud800"`), which JSON
    allows but UTF-8, SQLite and every response writer refuse."""
    route = request.scope.get("route")
    if getattr(route, "body_field", None) is None:
        return
    content_type = request.headers.get("content-type", "")
    if content_type and not is_json(content_type):
        raise ApiError(415, "unsupported_media_type", UNSUPPORTED_JSON)
    raw = await request.body()
    if b"\\u" not in raw.lower():
        return
    try:
        parsed = json.loads(raw)
    except ValueError:
        return  # malformed JSON is reported by the body validation, with its position
    if _has_lone_surrogate(parsed):
        raise ApiError(422, "invalid_request", LONE_SURROGATE)
