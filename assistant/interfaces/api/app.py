"""HTTP API (FastAPI): the app factory. Routes live in routes/, one router per group; this module
wires them with the lifespan, the middleware and the error handlers, and mounts the web UI.

What the HTTP edge owns (each in its module):

- one error shape for every 4xx/5xx (errors.py), `{"error": {"code", "message" (Chinese),
  "request_id"}}`, with internal paths scrubbed and no traceback ever sent;
- a request id per request, body size limits, the access log and CORS (middleware.py);
- API keys, per-key rate limits and the review body (deps.py), metrics (metrics.py), JSON logs (logging_setup.py);
- the service built once per process in the lifespan (`assistant serve --workers N` builds one
  per worker), unless a test passes one in.

The web UI (assistant/interfaces/ui, when importable) is mounted at "/" after the API routes;
without it "/" serves a small search page.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import Depends, FastAPI

from assistant.config import Settings
from assistant.errors import AssistantError
from assistant.interfaces.api import metrics
from assistant.interfaces.api.deps import (
    KeyRing,
    LazyService,
    RateLimiter,
    ServiceHolder,
    check_json_body,
    enforce_rate_limit,
)
from assistant.interfaces.api.errors import install_error_handlers
from assistant.interfaces.api.logging_setup import configure_logging
from assistant.interfaces.api.login_guard import FailedLogins
from assistant.interfaces.api.middleware import (
    ChineseCORSMiddleware,
    RequestContextMiddleware,
    UIAccessMiddleware,
)
from assistant.interfaces.api.openapi import DESCRIPTION, ERROR_RESPONSES, TAGS, add_edition_enums
from assistant.interfaces.api.routes import (
    admin,
    ask,
    catalog,
    check,
    drafts,
    fallback,
    feedback,
    home,
    login,
    openai,
    ops,
    search,
)
from assistant.interfaces.api.routes.docs import install_docs
from assistant.interfaces.api.web_login import LoginGate
from assistant.knowledge.corpus import load_corpus
from assistant.knowledge.retrieval import Retriever
from assistant.knowledge.scenarios import load_catalog
from assistant.rules import available_editions
from assistant.service import AssistantService

log = logging.getLogger("assistant.api")

#: The /v1 groups, in the order /docs lists them.
V1_ROUTERS = (ask, check, search, catalog, drafts, feedback, openai)


def create_app(
    settings: Settings | None = None,
    retriever: Retriever | None = None,
    *,
    service: AssistantService | None = None,
    with_ui: bool = True,
) -> FastAPI:
    """Build the app from one `Settings` (read from the environment when not given; a given
    `service`'s own settings when only it is passed). The service is built once in the lifespan
    (around `retriever` when given) unless `service` is passed (tests). `uvicorn --factory`
    calls this once per worker."""
    config = settings or (service.settings if service is not None else Settings())
    configure_logging(config.log_level, json_format=config.log_json)
    holder = ServiceHolder(lambda: AssistantService.from_settings(config, retriever=retriever), service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started = time.perf_counter()
        loaded = await asyncio.to_thread(holder.get)
        metrics.instrument_retriever(loaded.retriever)
        terms = await asyncio.to_thread(loaded.warm)
        log.info(
            "ready",
            extra={
                "seconds": round(time.perf_counter() - started, 2),
                "clauses": len(loaded.corpus.clauses),
                "dense": loaded.retriever.index.has_dense,
                "terms_embedded": terms,
                "llm": loaded.llm is not None,
            },
        )
        yield

    app = FastAPI(
        docs_url=None,  # served from local assets: routes/docs.py
        redoc_url=None,
        title="智能工厂申报助手 API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        responses={422: ERROR_RESPONSES[422], 500: ERROR_RESPONSES[500]},
    )
    app.state.services = holder
    app.state.settings = config
    _list_held_editions(app, config, service)
    app.state.keyring = KeyRing(config.api_keys)
    app.state.operator_keyring = KeyRing(config.operator_keys)
    app.state.limiter = RateLimiter(
        config.rate_limit,
        config.anonymous_rate_limit,
        config.rate_limit_storage,
        timeout=config.rate_limit_storage_timeout,
        retry_seconds=config.rate_limit_retry_seconds,
    )
    _add_login(app, config, holder, with_ui and config.ui_access != "off")
    if config.cors_origin_list:
        app.add_middleware(
            ChineseCORSMiddleware,
            allow_origins=config.cors_origin_list,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    app.add_middleware(
        RequestContextMiddleware, body_limit=config.max_body_bytes, upload_limit=config.max_upload_bytes
    )
    install_error_handlers(app)

    app.include_router(ops.router)
    install_docs(app)
    for group in V1_ROUTERS:  # each router has the /v1 prefix, so metrics see the full route template
        app.include_router(
            group.router,
            dependencies=[Depends(enforce_rate_limit), Depends(check_json_body)],
            responses=ERROR_RESPONSES,
        )
    app.include_router(admin.router, responses=ERROR_RESPONSES)
    app.include_router(fallback.router)
    _mount_ui_or_home(app, holder, with_ui and config.ui_access != "off")
    return app


def _add_login(app: FastAPI, config: Settings, holder: ServiceHolder, with_ui: bool) -> None:
    """The page's login (web_login): /login and /logout whenever someone can log in (API keys
    for a page behind keys, operator keys for the 运维 tab), and the page itself behind a login
    with ASSISTANT_UI_ACCESS=keys."""
    gate = LoginGate(config, lambda: holder.get().logins)
    app.state.login_gate = gate
    app.state.login_throttle = FailedLogins(config.login_failure_limit, config.rate_limit_storage)
    if not with_ui:
        return
    if gate.page_needs_login:
        app.add_middleware(UIAccessMiddleware, gate=gate)
    if gate.enabled:
        app.include_router(login.router)


def _list_held_editions(app: FastAPI, config: Settings, service: AssistantService | None) -> None:
    """Read the held editions now (from the service, or from the corpus folder when the service
    is built later) and list them as enums in the OpenAPI document."""
    try:
        if service is not None:
            corpus, rules, scenarios = service.editions(), service.rule_editions(), service.catalog.editions
        else:
            corpus = load_corpus(config.corpus_dir).editions
            rules = available_editions(config.corpus_dir / "rules")
            scenarios = load_catalog(config.corpus_dir).editions
    except AssistantError as exc:
        log.warning("editions not listed in the OpenAPI document: %s", exc.message)
        return
    held = {"corpus": list(corpus), "rules": list(rules), "scenarios": sorted(scenarios)}

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_edition_enums(FastAPI.openapi(app), held)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _mount_ui_or_home(app: FastAPI, holder: ServiceHolder, with_ui: bool) -> None:
    mount_ui: Callable[[FastAPI, AssistantService], None] | None = None
    if with_ui:
        try:
            from assistant.interfaces.ui.app import mount_ui
        except ImportError as exc:
            log.info("web UI not available, serving the search page at /: %s", exc)
    if mount_ui is not None:
        # The UI gets a stand-in: the real service is built in the lifespan, after this runs.
        mount_ui(app, cast(AssistantService, LazyService(holder)))
        return
    app.include_router(home.router)
