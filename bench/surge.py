"""The deadline surge (issue 19 item 1): N simulated county reporters (default 300) log in
through the real form, open the monthly grid, save rows and submit some, with think times,
against `dudao serve` (gunicorn, 3 workers × 4 threads) and the job worker, on the embedded
SQLite default and on PostgreSQL + Redis. Loopback only, bounded in users and minutes.

Afterwards tests_system/surge_check.py compares the database and its audit log with the
client's log (0 lost, 0 duplicated, 0 altered writes), and the report goes to
bench/results/surge.md: requests, p50/p95/p99 per request kind, errors by kind.

    python -m bench.surge [--users 300] [--minutes 3] [--db sqlite|postgres|both]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379/13]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import REPO
from bench.httpclient import HOST, LoginBusy, login
from bench.procs import OtherCpu, children_of
from bench.stats import summarise
from tests_system.stack import HERE, production_stack

THINK = (4.0, 12.0)  # seconds a reporter looks at the grid or types between two saves
# Reporters arrive over the first RAMP seconds (--ramp). The afternoon has 300 users
# within the hour; five minutes is twelve times denser than that. One Argon2 check costs a
# quarter of a CPU second (dudao/accounts/hashers.py), so 300 logins in one minute would need
# 75 of the 120 CPU seconds two cores have, before any page or save.
RAMP = 300.0
SUBMIT_SHARE = 0.25  # saves sent with 报送, in the last third of the run (before the deadline)
SUBMIT_FROM = 2 / 3
RETRY_SHARE = 0.1  # saves sent twice with the same request id (a phone on a bad network)
ROW = re.compile(r'<tr id="row-(\d+)"(.*?)</tr>', re.S)
VERSION = re.compile(r'name="version" value="(\d*)"')
PERIOD = re.compile(r'name="period" value="([^"]+)"')
ROW_ERROR = re.compile(r'<div class="row-msg error" role="alert">(.*?)</div>', re.S)
RESULTS = REPO / "bench" / "results" / "surge.md"
# gunicorn's access log line for each request, with the time the worker spent on it (from the
# moment a thread took it up to the response written): the client's time minus this is the
# time the request waited for a thread (listen queue, worker).
ACCESS_FORMAT = "SURGE %(m)s %(U)s %(s)s %(L)s"
ACCESS_LINE = re.compile(r"^SURGE (\S+) (\S+) (\d+) ([\d.]+)$", re.M)


def _server_kind(method: str, path: str) -> str | None:
    """The request kind of an access-log line (the server cannot tell save from submit)."""
    if path == "/login/":
        return "登录页" if method == "GET" else "登录（口令校验）"
    if path == "/api/v1/me":
        return "登录后 /api/v1/me"
    if path == "/projects/grid/" and method == "GET":
        return "打开填报表"
    if path.startswith("/projects/grid/") and method == "POST":
        return "保存/报送（含重发）"
    return None


def server_times(log_text: str) -> dict[str, list[float]]:
    """Seconds the server spent per request kind, from the access log."""
    times: dict[str, list[float]] = defaultdict(list)
    for method, path, _status, seconds in ACCESS_LINE.findall(log_text):
        if kind := _server_kind(method, path):
            times[kind].append(float(seconds))
    return times


@dataclass
class Log:
    """What the client saw: timings per kind, errors per kind, and every write it sent."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    writes: list[dict[str, Any]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)  # the row's error text, by kind
    mismatched_retries: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.timings[kind].append(seconds)
            if error:
                self.errors[f"{kind} {error}"] += 1


def _request(
    port: int, method: str, path: str, cookie: str, body: dict[str, str] | None = None
) -> tuple[int | None, str, float]:
    """One request on its own connection; (status or None when no answer, body, seconds)."""
    headers = {"Cookie": cookie, "HX-Request": "true"}
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-CSRFToken"] = dict(
            p.strip().split("=", 1) for p in cookie.split(";") if "=" in p
        ).get("csrftoken", "")
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        return response.status, text, time.perf_counter() - started
    except OSError:
        return None, "", time.perf_counter() - started
    finally:
        conn.close()


def _rows(html: str) -> list[tuple[int, str, str]]:
    """The grid's editable rows: (project id, period, version)."""
    rows = []
    for pk, chunk in ROW.findall(html):
        version, period = VERSION.search(chunk), PERIOD.search(chunk)
        if 'value="submit"' in chunk and version and period:
            rows.append((int(pk), period.group(1), version.group(1)))
    return rows


def _version(html: str) -> str | None:
    match = VERSION.search(html)
    return match.group(1) if match else None


def _save(
    port: int, cookie: str, path: str, form: dict[str, str], *, kind: str, log: Log
) -> tuple[int | None, str]:
    status, html, seconds = _request(port, "POST", path, cookie, form)
    log.timed(kind, seconds, None if status == 200 else str(status))
    if status != 200 and (reason := ROW_ERROR.search(html)):
        with log.lock:
            log.reasons[f"{kind} {status}：{reason.group(1)[:80]}"] += 1
    return status, html


def _current_version(port: int, cookie: str, pk: int, period: str, log: Log) -> str | None:
    """What the reporter does on "请刷新后重试": open the grid again and read the row."""
    status, html, seconds = _request(port, "GET", "/projects/grid/", cookie)
    log.timed("打开填报表", seconds, None if status == 200 else str(status))
    found = [v for p, per, v in _rows(html) if p == pk and per == period] if status == 200 else []
    return found[0] if found else None


def _reporter(
    port: int,
    user: dict[str, Any],
    index: int,
    *,
    password: str,
    start: float,
    end: float,
    ramp: float,
    log: Log,
) -> None:
    rng = random.Random(index)
    submit_from = start + (end - start) * SUBMIT_FROM
    time.sleep(rng.uniform(0, min(ramp, (end - time.monotonic()) / 3)))
    started = time.perf_counter()
    while True:
        attempt = time.perf_counter()
        try:
            cookie = login(port, user["username"], password).cookie_header
        except LoginBusy as busy:  # "请稍候": the reporter clicks 登录 again a little later
            log.timed("登录被请稍候", time.perf_counter() - attempt, None)
            if time.monotonic() + busy.retry_after >= end:
                log.timed("登录", time.perf_counter() - started, "请稍候至结束")
                return
            time.sleep(busy.retry_after + rng.uniform(0, busy.retry_after))
            continue
        except (RuntimeError, OSError) as exc:
            log.timed("登录", time.perf_counter() - started, type(exc).__name__)
            return
        break
    log.timed("登录", time.perf_counter() - started, None)
    while time.monotonic() < end:
        status, html, seconds = _request(port, "GET", "/projects/grid/", cookie)
        log.timed("打开填报表", seconds, None if status == 200 else str(status))
        rows = _rows(html) if status == 200 else []
        # its own rows, by project id: the same rows whatever its colleagues have submitted
        mine = [r for r in rows if r[0] % user["slots"] == user["slot"]]
        for pk, period, version in rng.sample(mine, min(3, len(mine))):
            time.sleep(rng.uniform(*THINK))
            if time.monotonic() >= end:
                return
            # small amounts (万元): the year-to-date must stay under the project's total
            value = f"{rng.randint(1, 50)}.{rng.randint(0, 99):02d}"
            submit = time.monotonic() >= submit_from and rng.random() < SUBMIT_SHARE
            form = {
                "period": period,
                "version": version,
                "request_id": uuid.uuid4().hex,
                "invest_month": value,
                "funds_month": "0",
                # the amounts are made up, so say so: above 40 % of the plan a 说明 is required
                "note": "截止日高峰压力测试（示范数据）",
                "action": "submit" if submit else "save",
            }
            kind = "保存并报送" if submit else "保存"
            path = f"/projects/grid/{pk}/?period={period}"
            status, html = _save(port, cookie, path, form, kind=kind, log=log)
            if status == 409 and (fresh := _current_version(port, cookie, pk, period, log)):
                # "该月报已被他人修改……请刷新后重试": refresh, then save the same figures again
                form = {**form, "version": fresh, "request_id": uuid.uuid4().hex}
                status, html = _save(
                    port, cookie, path, form, kind=f"{kind}（刷新后重试）", log=log
                )
            entry = {
                "project": pk,
                "period": period,
                "request_id": form["request_id"],
                "value": value,
                "version": int(_version(html) or 0) if status == 200 else None,
                "status": status,
                "submit": submit,
                "submit_only": False,
            }
            with log.lock:
                log.writes.append(entry)
            if status == 200 and not submit and rng.random() < RETRY_SHARE:
                again, html2, seconds = _request(port, "POST", path, cookie, form)
                log.timed("重发同一保存", seconds, None if again == 200 else str(again))
                if again == 200 and int(_version(html2) or 0) != entry["version"]:
                    with log.lock:
                        log.mismatched_retries += 1
        time.sleep(rng.uniform(*THINK))


def run_one(
    label: str, users: int, minutes: float, extra: dict[str, str], ramp: float = RAMP
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="dudao-surge-") as tmp:
        data = Path(tmp)
        env = {**extra, "GUNICORN_CMD_ARGS": f"--access-logformat '{ACCESS_FORMAT}'"}
        with production_stack(
            data, "surge", ["surge_setup.py", str(users)], extra_env=env
        ) as stack:
            port = int(stack.env["DUDAO_PORT"])
            log = Log()
            start = time.monotonic()
            end = start + minutes * 60
            threads = [
                threading.Thread(
                    target=_reporter,
                    args=(port, user, i),
                    kwargs={
                        "password": stack.config["password"],
                        "start": start,
                        "end": end,
                        "ramp": ramp,
                        "log": log,
                    },
                    daemon=True,
                )
                for i, user in enumerate(stack.config["users"])
            ]

            def ours() -> list[int]:
                tops = [p.pid for p in stack.processes]
                return [os.getpid(), *tops, *(c for pid in tops for c in children_of(pid))]

            others = OtherCpu(ours)
            others.start()
            wall = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=minutes * 60 + ramp + 180)
            wall = time.perf_counter() - wall
            others_pct = others.percent()
            (data / "client.json").write_text(json.dumps(log.writes))
            check = json.loads(
                stack.run(sys.executable, str(HERE / "surge_check.py"), str(data / "client.json"))
            )
            if os.environ.get("DUDAO_SURGE_KEEP_LOG"):
                Path(os.environ["DUDAO_SURGE_KEEP_LOG"]).write_bytes(stack.server_log.read_bytes())
            server_log = stack.server_log.read_text(errors="replace")
            # Django logs every 5xx as an error, the login's "请稍候" (503) included: counted
            # with the logins, not here.
            server_errors = [
                line
                for line in server_log.splitlines()
                if ("Traceback" in line or "ERROR" in line)
                and "Service Unavailable: /login/" not in line
            ]
            served = server_times(server_log)
    kinds = {
        kind: summarise(
            durations, sum(n for k, n in log.errors.items() if k.split(" ")[0] == kind), wall
        ).as_dict()
        for kind, durations in sorted(log.timings.items())
    }
    service = {kind: summarise(times, 0, wall).as_dict() for kind, times in sorted(served.items())}
    return {
        "label": label,
        "users": users,
        "minutes": minutes,
        "ramp_s": ramp,
        "wall_s": round(wall, 1),
        "others_cpu_pct": round(others_pct),
        "requests": sum(len(v) for v in log.timings.values()),
        "kinds": kinds,
        "service": service,
        "errors": dict(log.errors),
        "reasons": dict(log.reasons),
        "mismatched_retries": log.mismatched_retries,
        "check": check,
        "server_errors": server_errors[:20],
    }


def _markdown(runs: list[dict[str, Any]]) -> str:
    lines = [
        "# 截止日高峰（bench/surge.py）",
        "",
        "每个模拟填报员：经登录页登录，打开本月填报表，挑自己负责的行（每人 6 行以上，"
        "按项目编号分给同一发改局的填报员，互不重叠）保存；运行的最后三分之一里四分之一的保存"
        "同时报送（截止前报送）；十分之一用同一请求编号重发；遇到“已被他人修改”时刷新填报表，"
        f"再存一次。每两步之间思考 {THINK[0]:g}–{THINK[1]:g} 秒，"
        f"在头 {runs[0]['ramp_s'] if runs else RAMP:g} 秒内陆续上线（见 bench/surge.py 的 RAMP）。",
        "服务：`dudao serve`（gunicorn，3 进程 × 4 线程；每进程至多 2 个登录同时等候口令校验，"
        "再多的登录答 503“请稍候”，模拟填报员等 5–10 秒再点登录）与任务进程，本机回环；"
        "机器 2 核，与其他任务共用。",
        "之后独立核对（tests_system/surge_check.py）：数据库与审计日志对照客户端日志。",
        "",
    ]
    for run in runs:
        check = run["check"]
        lines += [
            f"## {run['label']}",
            "",
            f"- 用户 {run['users']}，时长 {run['minutes']:g} 分钟（实际 {run['wall_s']} 秒），"
            f"请求 {run['requests']}；"
            f"其间其他进程占用全部 CPU 的 {run.get('others_cpu_pct', '?')}%",
            f"- 写入核对：涉及月报 {check['reports']} 份，已确认写入 {check['acknowledged']}，"
            f"未收到答复 {check['unanswered']}；"
            f"**丢失 {len(check['lost'])}，重复 {len(check['duplicated'])}，"
            f"被改动 {len(check['altered'])}**；重发得到不同版本 {run['mismatched_retries']}",
            f"- 服务器日志中的错误行：{len(run['server_errors'])}",
            "",
            "| 请求 | 次数 | 错误 | p50 ms | p95 ms | p99 ms | 最大 ms |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, s in run["kinds"].items():
            lines.append(
                f"| {kind} | {s['n']} | {s['errors']} | {s['p50_ms']} | {s['p95_ms']} | "
                f"{s['p99_ms']} | {s['max_ms']} |"
            )
        lines.append("")
        if run.get("service"):
            lines += [
                "服务端处理时间（gunicorn 访问日志：线程接手到答复写完；"
                "客户端时间减去它即排队等候）：",
                "",
                "| 请求（服务端） | 次数 | p50 ms | p95 ms | p99 ms | 最大 ms |",
                "|---|---:|---:|---:|---:|---:|",
            ]
            for kind, s in run["service"].items():
                lines.append(
                    f"| {kind} | {s['n']} | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | "
                    f"{s['max_ms']} |"
                )
            lines.append("")
        if run["errors"]:
            lines += ["错误（按请求和状态）：", ""]
            lines += [f"- {k}：{n}" for k, n in sorted(run["errors"].items())]
            lines.append("")
        if run.get("reasons"):
            lines += ["拒绝原因（行内提示）：", ""]
            lines += [f"- {k}：{n}" for k, n in sorted(run["reasons"].items())]
            lines.append("")
        for name in ("lost", "duplicated", "altered"):
            lines += [f"- {d}" for d in check[name][:10]]
        lines += [f"    {line}" for line in run["server_errors"][:5]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="截止日高峰压力测试")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--ramp", type=float, default=RAMP, help="头多少秒内陆续上线")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    if not 1 <= args.users <= 1000 or not 0 < args.minutes <= 30 or not 0 <= args.ramp <= 1800:
        parser.error("用户数 1–1000，时长 0–30 分钟，上线时段 0–1800 秒")
    runs = []
    saved = os.environ.pop("DUDAO_DATABASE_URL", None)
    try:
        if args.db in ("sqlite", "both"):
            runs.append(run_one("SQLite（内置默认）", args.users, args.minutes, {}, args.ramp))
            print(json.dumps(runs[-1], ensure_ascii=False)[:2000], flush=True)
        if args.db in ("postgres", "both"):
            os.environ["DUDAO_DATABASE_URL"] = args.postgres
            extra = {"DUDAO_REDIS_URL": args.redis}
            runs.append(run_one("PostgreSQL + Redis", args.users, args.minutes, extra, args.ramp))
            print(json.dumps(runs[-1], ensure_ascii=False)[:2000], flush=True)
    finally:
        os.environ.pop("DUDAO_DATABASE_URL", None)
        if saved is not None:
            os.environ["DUDAO_DATABASE_URL"] = saved
    args.out.write_text(_markdown(runs))
    (args.out.with_suffix(".json")).write_text(json.dumps(runs, ensure_ascii=False, indent=1))
    print(f"结果已写入 {args.out}")


if __name__ == "__main__":
    main()
