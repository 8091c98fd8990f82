"""GET/POST /login (with ASSISTANT_UI_ACCESS=keys): a small Chinese page where a user enters an
API key; a valid one is kept in a session cookie (`key`, HttpOnly, gone when the browser closes)
that lets the web UI through."""

from __future__ import annotations

import html
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from assistant.keys import KeyRing

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>登录 · 智能工厂申报助手</title>
<style>body{{font-family:sans-serif;max-width:420px;margin:4rem auto;padding:0 1rem}}
input{{width:100%;padding:.5rem;box-sizing:border-box}}button{{margin-top:.8rem;padding:.5rem 1.2rem}}
.err{{color:#b00020}}</style></head><body><h1>智能工厂申报助手</h1>
<p>网页界面需要 API 密钥。请输入管理员发给您的密钥；密钥只保存在本次浏览器会话中。</p>{error}
<form method="post" action="/login"><label for="key">API 密钥</label>
<input id="key" name="key" type="password" autocomplete="current-password" required autofocus>
<button type="submit">进入</button></form></body></html>"""


@router.get("/login", response_class=HTMLResponse)
async def login_page() -> str:
    return PAGE.format(error="")


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, key: Annotated[str, Form(max_length=512)] = "") -> Response:
    keyring: KeyRing = request.app.state.keyring
    if not key or keyring.identify(key) is None:
        message = html.escape("密钥无效，请检查后重试。")
        return HTMLResponse(PAGE.format(error=f'<p class="err">{message}</p>'), status_code=401)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(
        "key", key, httponly=True, samesite="strict", secure=request.url.scheme == "https", path="/"
    )
    return response
