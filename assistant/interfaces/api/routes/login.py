"""GET/POST /login and POST /logout: the web page's login (see ``web_login`` for who may log in
and the cookie, ``login_guard`` for the cross-site check and the failure throttle).

A valid key opens a server-side login session; the browser gets only its token, in the login
cookie, and is sent to the page (an operator straight to the 运维 tab). A wrong key shows the
form again (401); too many in a row from one address are refused with 429 for a while; a post
from another site is 403. /logout closes the session on the server and clears the cookie. The
key is read from the form body only: never from the URL, never echoed back, never logged.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.errors import StoreUnavailableError
from assistant.interfaces.api import metrics
from assistant.interfaces.api.errors import ApiError
from assistant.interfaces.api.login_guard import FailedLogins, client_address, refuse_other_sites
from assistant.interfaces.api.routes.fallback import MATCHED
from assistant.interfaces.api.web_login import LoginGate, clear_login_cookie, login_token, set_login_cookie
from assistant.service import Login

router = APIRouter(include_in_schema=False)

#: Nothing about a login may be kept by a cache between the browser and us.
NO_STORE = {"Cache-Control": "no-store"}
BAD_KEY = "密钥无效，请检查后重试。"
NOT_HERE = "该密钥是 API 密钥：网页界面无需密钥即可使用，这里只供运维人员用运维密钥登录。"
LOGGED_OUT = "您已退出登录。"
STORE_DOWN = "登录暂时无法完成：会话数据库无法连接，请稍后再试。"

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>登录 · 智能工厂申报助手</title>
<style>body{{font-family:sans-serif;max-width:420px;margin:4rem auto;padding:0 1rem}}
input{{width:100%;padding:.5rem;box-sizing:border-box}}button{{margin-top:.8rem;padding:.5rem 1.2rem}}
.err{{color:#b00020}}.note{{color:#555;font-size:.9em}}</style></head><body><h1>智能工厂申报助手</h1>
{intro}{message}{body}</body></html>"""
INTRO_KEYS = (
    "<p>网页界面需要 API 密钥。请输入管理员发给您的密钥；运维人员请输入运维密钥，登录后可使用“运维”标签。</p>"
)
INTRO_OPEN = (
    '<p>网页界面无需密钥即可使用（<a href="/">返回网页</a>）。运维人员请在此输入运维密钥，'
    "登录后在“运维”标签中使用运维功能。</p>"
)
FORM = """<form method="post" action="/login"><label for="key">密钥</label>
<input id="key" name="key" type="password" autocomplete="off" required autofocus>
<button type="submit" id="login-submit">登录</button></form>
<p class="note">浏览器只保存一个登录凭据，不保存密钥；闲置 {idle} 小时或登录满 {most} 小时后需重新登录。
用完请退出登录。</p>"""
LOGGED_IN = """<p id="logged-in">您已登录（{who}）。<a href="{home}">进入网页</a></p>
<form method="post" action="/logout"><button type="submit" id="logout">退出登录</button></form>"""


def _gate(request: Request) -> LoginGate:
    gate: LoginGate = request.app.state.login_gate
    return gate


def _hours(value: float) -> str:
    return f"{value:g}"


def _page(request: Request, message: str = "", error: bool = False, login: Login | None = None) -> str:
    gate, settings = _gate(request), request.app.state.settings
    if login is not None:
        who = html.escape(login.key_id) + ("，运维" if login.operator else "")
        body = LOGGED_IN.format(who=who, home="/?tab=ops" if login.operator else "/")
    else:
        body = FORM.format(idle=_hours(settings.login_idle_hours), most=_hours(settings.login_max_hours))
    note = f'<p class="{"err" if error else "note"}">{html.escape(message)}</p>' if message else ""
    return PAGE.format(intro=INTRO_KEYS if gate.page_needs_login else INTRO_OPEN, message=note, body=body)


async def _current(request: Request) -> Login | None:
    token = login_token(request)
    if not token:
        return None
    try:
        return await run_in_threadpool(_gate(request).login, token)
    except StoreUnavailableError:
        return None  # the form is shown; a login attempt then says what is wrong


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> Response:
    message = LOGGED_OUT if request.query_params.get("logged_out") else ""
    page = _page(request, message, login=await _current(request))
    return HTMLResponse(page, headers=NO_STORE)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, key: Annotated[str, Form(max_length=512)] = "") -> Response:
    refuse_other_sites(request)
    throttle: FailedLogins = request.app.state.login_throttle
    address = client_address(request)
    throttle.refuse_when_over(address)
    gate = _gate(request)
    found = gate.key(key) if key else None
    if found is None:
        metrics.AUTH_FAILURES.inc()
        if key and gate.is_unneeded_api_key(key):
            return HTMLResponse(_page(request, NOT_HERE, error=True), status_code=401, headers=NO_STORE)
        throttle.failed(address)
        return HTMLResponse(_page(request, BAD_KEY, error=True), status_code=401, headers=NO_STORE)
    key_id, operator = found
    try:
        token = await run_in_threadpool(gate.open, key_id, operator)
        if login_token(request):  # logging in again: the browser's previous session ends
            await run_in_threadpool(gate.close, login_token(request))
    except StoreUnavailableError:
        raise ApiError(503, "store_unavailable", STORE_DOWN, {"Retry-After": "5"}) from None
    request.state.key_id = key_id
    response = RedirectResponse("/?tab=ops" if operator else "/", status_code=303, headers=NO_STORE)
    set_login_cookie(response, request, token)
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    refuse_other_sites(request)
    token = login_token(request)
    if token:
        try:
            await run_in_threadpool(_gate(request).close, token)
        except StoreUnavailableError:
            raise ApiError(503, "store_unavailable", STORE_DOWN, {"Retry-After": "5"}) from None
    response = RedirectResponse("/login?logged_out=1", status_code=303, headers=NO_STORE)
    clear_login_cookie(response, request)
    return response


def _only(*methods: str) -> Callable[[Request], Awaitable[Response]]:
    """Another method on the path is 405 with Allow (a GET /logout from a link logs no one
    out), not the 404 that the UI's mount at "/" would give."""

    async def wrong_method(request: Request) -> Response:
        raise StarletteHTTPException(405, headers={"Allow": ", ".join(methods)})

    return wrong_method


router.add_api_route(
    "/login", _only("GET", "HEAD", "POST"), methods=[m for m in MATCHED if m not in ("GET", "HEAD", "POST")]
)
router.add_api_route("/logout", _only("POST"), methods=[m for m in MATCHED if m != "POST"])
