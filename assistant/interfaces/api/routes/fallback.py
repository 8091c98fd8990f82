"""Unknown /v1 paths get the error shape even when the web UI owns "/" (a mount there would
otherwise answer them), and a known path with the wrong method — /v1 or the API's own
top-level paths (/healthz, /readyz, /metrics, /openapi.json) — gets 405 with Allow."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

router = APIRouter()

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: Any method gets an answer in the error shape: 405 with Allow on a known path, else 404.
MATCHED = (*METHODS, "TRACE", "CONNECT")


def allowed_methods(request: Request) -> list[str]:
    """The methods some API route (other than this fallback) accepts at the request's path."""
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method}
        for route in request.app.router.routes:
            if (
                getattr(route, "original_router", None) is router
                or getattr(route, "endpoint", None) is v1_not_found
            ):
                continue
            if getattr(route, "endpoint", None) is wrong_method:
                continue
            if isinstance(route, Mount):
                continue  # a mount (the UI, the docs assets) matches every path below it
            match, _ = route.matches(scope)
            if match == Match.FULL:
                allowed.append(method)
                break
    return allowed


@router.api_route("/v1/{rest:path}", methods=list(MATCHED), include_in_schema=False)
async def v1_not_found(request: Request, rest: str) -> Response:
    allowed = allowed_methods(request)
    if allowed:
        raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed)})
    raise StarletteHTTPException(404)


#: The API's own paths outside /v1: a mount at "/" (the UI) would answer a wrong method with 404.
TOP_LEVEL = ("/healthz", "/readyz", "/metrics", "/openapi.json")


async def wrong_method(request: Request) -> Response:
    raise StarletteHTTPException(405, headers={"Allow": ", ".join(allowed_methods(request))})


for _path in TOP_LEVEL:
    router.add_api_route(_path, wrong_method, methods=list(MATCHED), include_in_schema=False)
