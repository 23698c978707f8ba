"""The production setup, started and smoke-tested over HTTP: `dudao serve` (gunicorn) and
`dudao worker` with the production settings against PostgreSQL (a throw-away database on the
server of DUDAO_DATABASE_URL) and Redis (cache and job queue; DUDAO_TEST_REDIS_URL, default
redis://127.0.0.1:6379/14), DEBUG off, Secure cookies, behind a TLS proxy that says so with
X-Forwarded-Proto (as deploy/nginx.conf does). Skipped on SQLite runs.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests_system.stack import Stack, production_stack

pytestmark = pytest.mark.system

PROXY = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not os.environ.get("DUDAO_DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("生产环境冒烟测试只在 PostgreSQL 上运行（设置 DUDAO_DATABASE_URL）")
    extra = {
        "DUDAO_REDIS_URL": os.environ.get("DUDAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/14"),
        "DUDAO_SECURE_COOKIES": "1",
        "DUDAO_BEHIND_PROXY": "1",
        "DUDAO_DEBUG": "0",
    }
    data = tmp_path_factory.mktemp("production")
    with production_stack(data, "production", ["fuzz_setup.py"], extra_env=extra) as built:
        yield built


def _get(stack: Stack, path: str, headers: dict[str, str] | None = None) -> tuple[int, Any, str]:
    request = urllib.request.Request(stack.base + path, headers={**PROXY, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def test_healthz_and_readyz_answer_the_load_balancer(stack: Stack) -> None:
    status, _, body = _get(stack, "/healthz")
    assert status == 200, body
    deadline = time.monotonic() + 150  # the worker's first beat comes through the Redis queue
    while True:
        status, _, body = _get(stack, "/readyz")
        checks = {c["key"]: c["ok"] for c in json.loads(body)["checks"]}
        if checks.get("worker") or time.monotonic() > deadline:
            break
        time.sleep(3)
    assert status in {200, 503}
    assert checks["database"], body
    assert checks["migrations"], body
    assert checks["worker"], body


def test_the_login_page_sets_secure_cookies_behind_the_proxy(stack: Stack) -> None:
    status, headers, body = _get(stack, "/login/")
    assert status == 200
    assert "登录" in body
    cookies = headers.get_all("Set-Cookie") or []
    csrf = [c for c in cookies if c.startswith("csrftoken=")]
    assert csrf, cookies
    assert "Secure" in csrf[0], cookies
    assert "max-age=" in (headers.get("Strict-Transport-Security") or "")
    assert "default-src 'self'" in (headers.get("Content-Security-Policy") or "")


def test_an_api_call_with_a_token_answers_and_debug_is_off(stack: Stack) -> None:
    token = stack.config["reporter"]
    status, _, body = _get(stack, "/api/v1/me", {"Authorization": f"Bearer {token}"})
    assert status == 200, body
    assert json.loads(body)["username"] == "demo_reporter"
    status, _, body = _get(stack, "/api/v1/me", {"Authorization": "Bearer wrong"})
    assert status == 401
    status, _, body = _get(stack, "/no-such-page/")
    assert status == 404
    assert "Traceback" not in body
    assert "DEBUG = True" not in body
