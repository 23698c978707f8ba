"""A tiny HTTP client for 127.0.0.1: readiness polling, the real login form, timed GETs."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from bench.stats import Summary, summarise

HOST = "127.0.0.1"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


def wait_for_200(
    port: int,
    path: str,
    *,
    timeout: float,
    still_running: Callable[[], bool],
    on_poll: Callable[[], None] | None = None,
) -> float | None:
    """Poll until GET path answers 200; return the monotonic time it did, None on timeout.

    Stops early (None) when still_running() turns False: the server died. on_poll runs
    before every attempt (the clone benchmark watches files appear with it).
    """
    url = f"http://{HOST}:{port}{path}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if on_poll is not None:
            on_poll()
        try:
            with urllib.request.urlopen(url, timeout=2.0) as resp:
                if resp.status == 200:
                    return time.monotonic()
        except (OSError, http.client.HTTPException):
            pass
        if not still_running():
            return None
        time.sleep(0.2)
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class LoginBusy(RuntimeError):
    """The server answered the login 503 "请稍候" (every login slot taken): try again later."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"登录繁忙，{retry_after:g} 秒后重试")
        self.retry_after = retry_after


@dataclass(frozen=True)
class LoggedIn:
    """A logged-in session: its Cookie header and what /api/v1/me says about it."""

    username: str
    cookie_header: str
    me: dict[str, object]


def login(port: int, username: str, password: str) -> LoggedIn:
    """Log in through the real form: GET /login/ (csrftoken cookie), POST the form with it."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    base = f"http://{HOST}:{port}"
    with opener.open(f"{base}/login/", timeout=10) as resp:
        page = resp.read().decode("utf-8")
    match = CSRF_INPUT.search(page)
    if not match:
        raise RuntimeError("登录页没有 csrfmiddlewaretoken 字段")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
    ).encode()
    request = urllib.request.Request(
        f"{base}/login/",
        data=form,
        headers={"Referer": f"{base}/login/", "Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    try:
        with opener.open(request, timeout=30) as resp:
            status, location = resp.status, resp.headers.get("Location", "")
    except urllib.error.HTTPError as exc:  # the 302 surfaces as an HTTPError without redirects
        status, location = exc.code, exc.headers.get("Location", "")
        if status == 503:
            raise LoginBusy(float(exc.headers.get("Retry-After") or 5)) from exc
    if status != 302:
        raise RuntimeError(f"登录 {username} 失败：POST /login/ 返回 {status}（应为 302）")
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise RuntimeError(f"登录 {username} 后没有 sessionid cookie（Secure cookie 未关闭？）")
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", "/api/v1/me", headers={"Cookie": header})
        resp2 = conn.getresponse()
        body = resp2.read()
    finally:
        conn.close()
    if resp2.status != 200:
        raise RuntimeError(
            f"{username} 登录后 /api/v1/me 返回 {resp2.status}（重定向到 {location}）"
        )
    me = json.loads(body)
    if me.get("username") != username:
        raise RuntimeError(f"/api/v1/me 返回的用户是 {me.get('username')}，不是 {username}")
    return LoggedIn(username=username, cookie_header=header, me=me)


class _Client:
    """One keep-alive connection, reconnecting when the server closes it."""

    def __init__(self, port: int, cookie_header: str) -> None:
        self.port = port
        self.headers = {"Cookie": cookie_header, "Accept": "text/html,application/json"}
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, float]:
        """Return (status, seconds) for one GET, body fully read."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=self.headers)
                resp = self.conn.getresponse()
                resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()  # a keep-alive connection closed under us: retry once on a new one
                if attempt:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if resp.will_close:
                self.close()
            return resp.status, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def measure(port: int, cookie_header: str, path: str, *, total: int, threads: int) -> Summary:
    """GET path `total` times split over `threads` sequential clients; non-200 counts as error."""
    durations: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_thread = [total // threads + (1 if i < total % threads else 0) for i in range(threads)]

    def work(count: int) -> None:
        client = _Client(port, cookie_header)
        mine: list[float] = []
        bad = 0
        try:
            for _ in range(count):
                try:
                    status, seconds = client.get(path)
                except (OSError, http.client.HTTPException):
                    bad += 1
                    continue
                mine.append(seconds)
                bad += status != 200
        finally:
            client.close()
            with lock:
                durations.extend(mine)
                errors[0] += bad

    workers = [threading.Thread(target=work, args=(n,), daemon=True) for n in per_thread]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    wall = time.perf_counter() - started
    return summarise(durations, errors[0], wall)


def warm_up(port: int, cookie_header: str, paths: list[str], count: int) -> None:
    """`count` untimed GETs of every path, each on a new connection so that they spread over
    the gunicorn workers (a keep-alive connection stays with one worker)."""
    client = _Client(port, cookie_header)
    try:
        for _ in range(count):
            for path in paths:
                client.get(path)
                client.close()
    finally:
        client.close()
