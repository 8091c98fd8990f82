"""Issue #25, the page's login: a server-side session whose token (not the key) is the cookie,
idle and absolute expiry, logout on every worker, no login or logout from another site, and
failed logins throttled per client address. The UI is a stand-in (test_api_hardening's
``_fake_ui``): what is tested is the HTTP edge in front of it, over a real SQLite store."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.interfaces.api.app import create_app
from assistant.knowledge.retrieval import Retriever
from assistant.service import LOGIN_COOKIE, AssistantService
from assistant.store import Store
from tests.interfaces.api.test_api import api_settings, assert_error
from tests.interfaces.api.test_api_hardening import _fake_ui

KEY = "k-user-7d1c0e"
OPERATOR = "op-login-9b2f44"
HOUR = 3600.0


def key_id(key: str) -> str:
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def make_service(retriever: Retriever, db: Path, **settings: Any) -> AssistantService:
    """A service over the SQLite file `db`; two of them over one file are two workers."""
    values = {"data_dir": db.parent, "chroma_url": None, "login_cache_seconds": 0, **settings}
    return AssistantService(Settings(_env_file=None, **values), retriever, Store.open(db))  # type: ignore[call-arg]


def client(service: AssistantService, base_url: str = "http://testserver", **api: Any) -> TestClient:
    settings = {"api_keys": KEY, "operator_keys": OPERATOR, "ui_access": "keys", **api}
    app = create_app(api_settings(service.settings, **settings), service=service)
    return TestClient(app, base_url=base_url, raise_server_exceptions=False, follow_redirects=False)


def set_cookies(response: httpx.Response) -> dict[str, SimpleCookie]:
    """Each Set-Cookie header of the response, by cookie name."""
    out = {}
    for header in response.headers.get_list("set-cookie"):
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        out.update({name: cookie for name in cookie})
    return out


def rows(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT token_digest, key_id, operator, created, last_used, expires FROM logins"
        ).fetchall()


@pytest.fixture()
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    _fake_ui(monkeypatch)
    return tmp_path / "s.db"


@pytest.fixture()
def service(sparse_retriever: Retriever, db: Path) -> AssistantService:
    return make_service(sparse_retriever, db)


@pytest.fixture()
def web(service: AssistantService) -> Iterator[TestClient]:
    with client(service) as test_client:
        yield test_client


def test_the_cookie_holds_a_session_token_whose_digest_is_stored_never_the_key(
    web: TestClient, db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        accepted = web.post("/login", data={"key": KEY})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/"
    assert KEY not in str(accepted.headers) and KEY not in accepted.text
    cookie = set_cookies(accepted)[LOGIN_COOKIE][LOGIN_COOKIE]
    token = cookie.value
    assert len(token) >= 43 and token != KEY
    assert cookie["httponly"] and cookie["samesite"].lower() == "strict" and cookie["path"] == "/"
    assert not cookie["secure"]  # plain http: a Secure cookie would never come back
    assert not cookie["max-age"] and not cookie["expires"]  # gone when the browser closes
    ((digest, who, operator, created, last_used, expires),) = rows(db)
    assert digest == hashlib.sha256(token.encode()).hexdigest() and who == key_id(KEY) and not operator
    assert created == last_used and expires == pytest.approx(created + 24 * HOUR)
    assert KEY not in repr(rows(db)) and token not in repr(rows(db))
    for record in caplog.records:  # neither the key nor the token reaches the log
        assert KEY not in str(record.__dict__) and token not in str(record.__dict__)
    assert web.get("/").text == "gradio here"
    web.cookies.clear()
    assert_error(web.get("/", cookies={"key": KEY}), 401)  # the old raw-key cookie opens nothing


def test_over_https_the_cookie_is_secure(service: AssistantService) -> None:
    with client(service, base_url="https://assistant.example.cn") as web:
        accepted = web.post("/login", data={"key": KEY})
        cookie = set_cookies(accepted)[LOGIN_COOKIE][LOGIN_COOKIE]
        assert cookie["secure"] and cookie["httponly"] and cookie["samesite"].lower() == "strict"
        assert web.get("/").text == "gradio here"


@pytest.mark.parametrize(("trusted", "secure"), [("testclient", True), ("127.0.0.1", False)])
def test_behind_a_tls_proxy_uvicorn_trusts_the_cookie_is_secure(
    service: AssistantService, trusted: str, secure: bool
) -> None:
    """`assistant serve` runs uvicorn with proxy headers on: X-Forwarded-Proto from an address
    in FORWARDED_ALLOW_IPS (default 127.0.0.1) makes the request https, hence the cookie Secure;
    from any other address the header is ignored."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    settings = api_settings(service.settings, api_keys=KEY, ui_access="keys")
    app = ProxyHeadersMiddleware(create_app(settings, service=service), trusted_hosts=trusted)
    with TestClient(app, follow_redirects=False) as web:  # type: ignore[arg-type]
        accepted = web.post("/login", data={"key": KEY}, headers={"X-Forwarded-Proto": "https"})
        assert accepted.status_code == 303
        assert bool(set_cookies(accepted)[LOGIN_COOKIE][LOGIN_COOKIE]["secure"]) is secure


def test_an_old_raw_key_cookie_is_cleared_at_login(web: TestClient) -> None:
    accepted = web.post("/login", data={"key": KEY}, cookies={"key": KEY})
    old = set_cookies(accepted)["key"]["key"]
    assert old.value == "" and old["max-age"] == "0"


def test_logging_in_again_ends_the_previous_session(web: TestClient, db: Path) -> None:
    web.post("/login", data={"key": KEY})
    first = web.cookies[LOGIN_COOKIE]
    web.post("/login", data={"key": OPERATOR})
    assert web.cookies[LOGIN_COOKIE] != first and len(rows(db)) == 1
    web.cookies.clear()
    assert_error(web.get("/", cookies={LOGIN_COOKIE: first}), 401)


def test_an_operator_logs_in_where_api_keys_do_and_lands_on_the_ops_tab(web: TestClient, db: Path) -> None:
    accepted = web.post("/login", data={"key": OPERATOR})
    assert accepted.status_code == 303 and accepted.headers["location"] == "/?tab=ops"
    assert rows(db)[0][1:3] == (key_id(OPERATOR), 1)
    assert web.get("/").text == "gradio here"
    page = web.get("/login")
    assert "您已登录" in page.text and key_id(OPERATOR) in page.text and "运维" in page.text
    assert 'action="/logout"' in page.text and page.headers["Cache-Control"] == "no-store"
    web.cookies.clear()
    assert web.get("/", headers={"X-API-Key": OPERATOR}).text == "gradio here"  # as an API key does


def test_with_an_open_page_only_operators_log_in(sparse_retriever: Retriever, db: Path) -> None:
    service = make_service(sparse_retriever, db)
    with client(service, ui_access="open") as web:
        assert web.get("/").text == "gradio here"  # the page needs no login
        page = web.get("/login")
        assert page.status_code == 200 and "运维密钥" in page.text and "无需密钥" in page.text
        refused = web.post("/login", data={"key": KEY})
        assert (
            refused.status_code == 401
            and "API 密钥" in refused.text
            and LOGIN_COOKIE not in refused.headers.get("set-cookie", "")
        )
        accepted = web.post("/login", data={"key": OPERATOR})
        assert accepted.status_code == 303 and accepted.headers["location"] == "/?tab=ops"
        for _ in range(6):  # a real API key is not a guess: it never counts towards the throttle
            assert web.post("/login", data={"key": KEY}).status_code == 401
    with client(service, ui_access="open", operator_keys="") as web:
        assert web.get("/login").status_code == 404  # nobody can log in: no login page
        assert web.get("/").text == "gradio here"


def _age(db: Path, **columns: float) -> None:
    with sqlite3.connect(db) as conn:
        for column, seconds in columns.items():
            conn.execute(f"UPDATE logins SET {column} = {column} - ?", (seconds,))


def test_an_idle_session_is_refused(web: TestClient, db: Path) -> None:
    web.post("/login", data={"key": KEY})
    assert web.get("/").status_code == 200
    _age(db, last_used=7.9 * HOUR)
    assert web.get("/").status_code == 200  # used again: idle counts from now
    _age(db, last_used=8 * HOUR)
    assert_error(web.get("/"), 401, "unauthorized")
    assert rows(db) == []  # the expired session is gone


def test_a_session_past_its_absolute_lifetime_is_refused_however_busy(web: TestClient, db: Path) -> None:
    web.post("/login", data={"key": KEY})
    _age(db, created=24 * HOUR, expires=24 * HOUR)  # made a day ago, used a minute ago
    assert_error(web.get("/"), 401, "unauthorized")


def test_the_timeouts_are_settings(sparse_retriever: Retriever, db: Path) -> None:
    service = make_service(sparse_retriever, db, login_idle_hours=1, login_max_hours=2)
    with client(service) as web:
        web.post("/login", data={"key": KEY})
        ((_, _, _, created, _, expires),) = rows(db)
        assert expires == pytest.approx(created + 2 * HOUR)
        _age(db, last_used=HOUR)
        assert_error(web.get("/"), 401)


def test_logout_ends_the_session_on_another_worker_too(sparse_retriever: Retriever, db: Path) -> None:
    """Two workers: two apps, each with its own service and cache, over one SQLite file."""
    one = make_service(sparse_retriever, db, login_cache_seconds=0.5)
    two = make_service(sparse_retriever, db, login_cache_seconds=0.5)
    with client(one) as first, client(two) as second:
        first.post("/login", data={"key": KEY})
        token = first.cookies[LOGIN_COOKIE]
        assert second.get("/", cookies={LOGIN_COOKIE: token}).text == "gradio here"
        out = first.post("/logout")
        assert out.status_code == 303 and out.headers["location"] == "/login?logged_out=1"
        cleared = set_cookies(out)[LOGIN_COOKIE][LOGIN_COOKIE]
        assert cleared.value == "" and cleared["max-age"] == "0"
        assert rows(db) == []
        assert_error(first.get("/", cookies={LOGIN_COOKIE: token}), 401)  # at once on this worker
        time.sleep(0.6)  # the other worker's cache lets go within login_cache_seconds
        assert_error(second.get("/", cookies={LOGIN_COOKIE: token}), 401)
        assert "您已退出登录" in first.get("/login?logged_out=1").text
        refused = first.get("/logout")  # a link cannot log anyone out
        assert_error(refused, 405, "http_405")
        assert refused.headers["Allow"] == "POST"


def test_a_login_of_a_key_since_removed_no_longer_counts(sparse_retriever: Retriever, db: Path) -> None:
    service = make_service(sparse_retriever, db)
    with client(service) as before:
        before.post("/login", data={"key": KEY})
        token = before.cookies[LOGIN_COOKIE]
    with client(service, api_keys="k-another-key") as after:
        assert_error(after.get("/", cookies={LOGIN_COOKIE: token}), 401)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "http://testserver.evil.example"},
        {"Origin": "http://testserver:8443"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/login.html"},
    ],
)
def test_login_and_logout_from_another_site_are_403(
    web: TestClient, db: Path, headers: dict[str, str]
) -> None:
    message = assert_error(web.post("/login", data={"key": KEY}, headers=headers), 403, "cross_site")[
        "message"
    ]
    assert "跨站" in message
    assert rows(db) == [] and LOGIN_COOKIE not in web.cookies
    web.post("/login", data={"key": KEY})
    assert_error(web.post("/logout", headers=headers), 403, "cross_site")
    assert len(rows(db)) == 1 and web.get("/").status_code == 200  # still logged in


@pytest.mark.parametrize(
    "headers",
    [
        {},  # no Origin, no Referer: not a browser's cross-site post
        {"Origin": "http://testserver"},
        {"Origin": "http://TestServer:80"},
        {"Referer": "http://testserver/login"},
    ],
)
def test_login_from_this_site_is_accepted(web: TestClient, headers: dict[str, str]) -> None:
    assert web.post("/login", data={"key": KEY}, headers=headers).status_code == 303


def test_a_sixth_failed_login_within_the_window_is_429_with_retry_after(web: TestClient, db: Path) -> None:
    for _ in range(5):
        refused = web.post("/login", data={"key": "guess"})
        assert refused.status_code == 401 and "密钥无效" in refused.text
    throttled = web.post("/login", data={"key": "guess"})
    message = assert_error(throttled, 429, "login_throttled")["message"]
    wait = int(throttled.headers["Retry-After"])
    assert 0 < wait <= 300 and f"{wait} 秒" in message
    assert_error(web.post("/login", data={"key": KEY}), 429)  # even the right key, from here, for now
    assert rows(db) == []
    with TestClient(web.app, client=("10.0.0.2", 40000), follow_redirects=False) as elsewhere:
        assert elsewhere.post("/login", data={"key": KEY}).status_code == 303  # another address


def test_the_failure_limit_is_a_setting(service: AssistantService) -> None:
    with client(service, login_failure_limit="2/minute") as web:
        for _ in range(2):
            assert web.post("/login", data={"key": "guess"}).status_code == 401
        assert_error(web.post("/login", data={"key": "guess"}), 429, "login_throttled")
    with client(service, login_failure_limit="") as web:
        for _ in range(8):
            assert web.post("/login", data={"key": "guess"}).status_code == 401
