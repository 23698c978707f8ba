"""Crashes mid-write (issue 19 item 2): SIGKILL at random moments, then an independent check.

A large monthly-report import (ROWS rows, default 20,000, through the web: 试导入 then 确认导入)
and a bulk approval (月报审核's 批量通过, every submitted report of the demo) run against
`dudao serve` + `dudao worker` on a copy of one prepared database; at a random moment one of
the kill points is hit with SIGKILL:

    app     the whole `dudao serve` (gunicorn master and workers) during the import and approval
    worker  `dudao worker` while it runs a job that writes (the daily lights and digests, the
            nightly backup, the hourly housekeeping — in turn)
    db      (PostgreSQL only) the database server, postmaster and backends, during the import
            and approval; on a PRIVATE cluster (initdb + pg_ctl in a temp dir on its own port),
            never the machine's shared server

After each kill the killed part is restarted and tests_system/crash_check.py reads the tables
with plain SQL: the import is all or nothing (0 or ROWS rows), no roll-up disagrees with its
reports, every approval has exactly one audit event and every approval event its approval,
`dudao audit verify` passes, `dudao migrate --check` passes, /readyz answers 200 once the
worker has beaten, a killed job is run again (once) and leaves no duplicate. Then the user's
retry (the same 确认导入 token, the same approval list) must finish the work without any repair.

    python -m bench.crash [--runs 20] [--db sqlite|postgres|both] [--rows 20000]
        [--points app,worker,db] [--pg-port 55432] [--seed 19]

Loopback only, bounded: every wait has a timeout, every process runs in its own process group
and is stopped at the end, the private PostgreSQL cluster is stopped and removed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import DUDAO, REPO, base_env
from bench.crash_pg import PrivatePostgres
from bench.httpclient import HOST, login, wait_for_200
from bench.procs import (
    ProcessGroup,
    cleanup_all,
    free_port,
    log,
    make_temp_dir,
    pids_in_group,
    run_checked,
)
from bench.report import Results

RESULTS = REPO / "bench" / "results" / "crash.md"
CHECK = REPO / "tests_system" / "crash_check.py"
SETUP = REPO / "tests_system" / "crash_setup.py"
JOBS = (
    ("dudao.supervision.tasks", "supervision_daily"),
    ("dudao.ops.tasks", "nightly_backup"),
    ("dudao.core.tasks", "housekeeping"),
)
LIGHTS_EVENTS = (
    "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'supervision.lights_recompute'"
)
TOKEN = re.compile(r'name="token" value="([^"]+)"')
CSRF = re.compile(r"csrftoken=([^;]+)")


@dataclass
class Base:
    """The prepared database (and data directory) every run starts from."""

    db: str
    data: Path
    config: dict[str, Any]
    since: int  # audit chain head of the base
    problems: list[str]
    pg: PrivatePostgres | None = None
    pg_template: str = ""


@dataclass
class Outcome:
    db: str
    point: str
    run: int
    delay: float
    window: float = 0.0  # the calibrated write window the delay was drawn from
    in_flight: bool = False  # the kill came while the write was still running
    import_rows: int | None = None
    partial: list[str] = field(default_factory=list)
    repair: list[str] = field(default_factory=list)
    job: str = ""
    retried: str = ""
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of the run

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            self.phases[name] = self.phases.get(name, 0.0) + time.monotonic() - started


# --- processes ------------------------------------------------------------------------------


class Stack:
    """`dudao serve` and `dudao worker` on one run's database."""

    def __init__(self, work: Path, env: dict[str, str]) -> None:
        self.work = work
        self.env = env
        self.port = int(env["DUDAO_PORT"])
        self.serve: ProcessGroup | None = None
        self.worker: ProcessGroup | None = None
        self.starts = 0

    def _start(self, name: str, argv: list[str]) -> ProcessGroup:
        self.starts += 1
        return ProcessGroup(
            name, argv, cwd=REPO, env=self.env, log_path=self.work / f"{name}-{self.starts}.log"
        )

    def start_serve(self) -> None:
        self.serve = self._start("serve", [DUDAO, "serve"])
        if wait_for_200(self.port, "/healthz", timeout=120, still_running=self.serve.alive) is None:
            raise RuntimeError(f"dudao serve did not start:\n{self.serve.tail(20)}")

    def start_worker(self) -> None:
        self.worker = self._start("worker", [DUDAO, "worker", "--workers", "1"])

    @staticmethod
    def kill(group: ProcessGroup | None) -> None:
        """SIGKILL the whole process group at once (no shutdown handler runs)."""
        if group is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group.pgid, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while pids_in_group(group.pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        group.stop(timeout=5)

    def stop(self) -> None:
        for group in (self.serve, self.worker):
            if group is not None:
                group.stop(timeout=20)


def _together(*tasks: Callable[[], object]) -> None:
    """Run independent steps at once (each one starts its own process and waits for it): the
    checks after a kill read the database only, so they need not queue behind the restart."""
    errors: list[BaseException] = []

    def run(task: Callable[[], object]) -> None:
        try:
            task()
        except BaseException as exc:  # re-raised in the caller's thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,), daemon=True) for t in tasks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


# --- the database, read directly -----------------------------------------------------------


def _scalar(base: Base, env: dict[str, str], sql: str) -> Any:
    """One value straight from the database (no Django): the bench's own eyes."""
    if base.pg is not None:
        import psycopg

        with psycopg.connect(env["DUDAO_DATABASE_URL"], autocommit=True) as conn:
            row = conn.execute(sql).fetchone()
    else:
        path = Path(env["DUDAO_DATA_DIR"]) / "dudao.sqlite3"
        with contextlib.closing(sqlite3.connect(path, timeout=30)) as conn:
            row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _check(env: dict[str, str], work: Path, since: int) -> dict[str, Any]:
    done = run_checked(
        [sys.executable, str(CHECK), str(work / "config.json"), str(since)],
        cwd=REPO,
        env=env,
        timeout=600,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# --- HTTP ----------------------------------------------------------------------------------


def _post(
    port: int, path: str, cookie: str, body: bytes, content_type: str
) -> tuple[int | None, str]:
    csrf = CSRF.search(cookie)
    headers = {
        "Cookie": cookie,
        "Content-Type": content_type,
        "X-CSRFToken": csrf.group(1) if csrf else "",
        "Referer": f"http://{HOST}:{port}{path}",
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=900)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        return None, ""
    finally:
        conn.close()


def _form(fields: list[tuple[str, str]]) -> bytes:
    from urllib.parse import urlencode

    return urlencode(fields).encode()


def _upload(port: int, cookie: str, data: bytes) -> str:
    """试导入: the dry run stages the file and answers the confirm form's token."""
    boundary = uuid.uuid4().hex
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="file"; filename="crash.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    status, html = _post(
        port, "/projects/grid/upload/", cookie, body, f"multipart/form-data; boundary={boundary}"
    )
    match = TOKEN.search(html)
    if status != 200 or not match:
        raise RuntimeError(f"试导入 answered {status} without a token")
    return match.group(1)


def _confirm(port: int, cookie: str, token: str) -> int | None:
    status, _ = _post(
        port,
        "/projects/grid/upload/",
        cookie,
        _form([("token", token)]),
        "application/x-www-form-urlencoded",
    )
    return status


def _approve(port: int, cookie: str, bulk: list[list[int]]) -> int | None:
    fields = [("report", str(pk)) for pk, _ in bulk]
    status, _ = _post(
        port, "/projects/due/approve/", cookie, _form(fields), "application/x-www-form-urlencoded"
    )
    return status


class Writes:
    """The import's confirm and the bulk approval, each in its own thread."""

    def __init__(self, port: int, sessions: dict[str, str], token: str, bulk: list[Any]) -> None:
        self.answers: dict[str, int | None] = {}
        self.threads = [
            threading.Thread(
                target=lambda: self.answers.__setitem__(
                    "import", _confirm(port, sessions["reporter"], token)
                ),
                daemon=True,
            ),
            threading.Thread(
                target=lambda: self.answers.__setitem__(
                    "approve", _approve(port, sessions["reviewer"], bulk)
                ),
                daemon=True,
            ),
        ]
        self.started = time.monotonic()
        for thread in self.threads:
            thread.start()

    def running(self) -> bool:
        return any(t.is_alive() for t in self.threads)

    def join(self, timeout: float) -> float:
        for thread in self.threads:
            thread.join(timeout=timeout)
        return time.monotonic() - self.started


# --- one run -------------------------------------------------------------------------------


def _env(base: Base, work: Path, run_db: str) -> dict[str, str]:
    extra = {
        "DUDAO_PORT": str(free_port()),
        "DUDAO_SECURE_COOKIES": "0",
        "DUDAO_WORKERS": "2",
        "DUDAO_LOG_LEVEL": "WARNING",
    }
    if base.pg is not None:
        extra["DUDAO_DATABASE_URL"] = base.pg.url(run_db)
    return base_env(work / "var", **extra)


def _copy(base: Base, work: Path, run_db: str) -> None:
    shutil.copytree(base.data, work / "var")
    shutil.copy(base.data.parent / "config.json", work / "config.json")
    if base.pg is not None:
        base.pg.create_from(run_db, base.pg_template)


def _sessions(port: int, base: Base) -> dict[str, str]:
    password = base.config["password"]
    return {
        role: login(port, base.config[role], password).cookie_header
        for role in ("reporter", "reviewer")
    }


def _judge(
    out: Outcome, base: Base, env: dict[str, str], work: Path, *, after: str
) -> dict[str, Any]:
    """Independent checks of the state; partial writes and needed repairs go to `out`."""
    seen = _check(env, work, base.since)
    rows, want = seen["import"]["rows"], base.config["rows"]
    if after == "kill":
        out.import_rows = rows
    if rows not in (0, want):
        out.partial.append(f"{after}: import holds {rows} of {want} rows")
    created = [c for c in seen["import"]["created_by_events"] if c]
    if sum(created) != rows or len(created) > 1:
        out.partial.append(f"{after}: import events {created} for {rows} rows")
    bulk = seen["bulk"]
    for key in ("approved_without_event", "event_without_approval", "events_twice"):
        if bulk[key]:
            out.partial.append(f"{after}: approvals {key} {bulk[key][:5]}")
    new = sorted(set(seen["problems"]) - set(base.problems))
    if new:
        out.partial.append(f"{after}: roll-up disagrees: {new[:5]} ({len(new)})")
    if seen["integrity"] not in ("ok", "-"):
        out.partial.append(f"{after}: integrity {seen['integrity']}")
    jobs = seen["jobs"]
    if jobs["light_duplicates"] or jobs["digest_duplicates"]:
        out.partial.append(f"{after}: duplicate lights/digests {jobs}")
    return seen


def _cli_checks(out: Outcome, stack: Stack) -> None:
    """The next start needs no manual step: migrations and the audit chain, as an operator runs
    them (`dudao migrate --check`, `dudao audit verify`; read-only, run side by side)."""

    def one(argv: list[str], what: str) -> None:
        with out.phase(what):
            try:
                run_checked(argv, cwd=REPO, env=stack.env, timeout=600)
            except RuntimeError as exc:
                out.repair.append(f"{what}: {str(exc)[-300:]}")

    _together(
        lambda: one([DUDAO, "migrate", "--check"], "migrate --check"),
        lambda: one([DUDAO, "audit", "verify"], "audit verify"),
    )


def _ready(out: Outcome, stack: Stack) -> None:
    with out.phase("readyz"):
        ready = wait_for_200(stack.port, "/readyz", timeout=150, still_running=lambda: True)
    if ready is None:
        out.repair.append("/readyz not 200 within 150 s")


def _calibrate(base: Base, root: Path) -> float:
    """One run without a kill: how long the import and the approval take together."""
    work = root / "calibrate"
    work.mkdir()
    run_db = "crash_calibrate"
    _copy(base, work, run_db)
    env = _env(base, work, run_db)
    stack = Stack(work, env)
    try:
        stack.start_serve()
        sessions = _sessions(stack.port, base)
        token = _upload(stack.port, sessions["reporter"], _file(base))
        took = Writes(stack.port, sessions, token, base.config["bulk"]).join(timeout=900)
    finally:
        stack.stop()
        _drop(base, run_db)
        shutil.rmtree(work, ignore_errors=True)
    log(f"   {base.db}: import + approval take {took:.1f} s without a kill")
    return took


def _file(base: Base) -> bytes:
    return Path(base.config["file"]).read_bytes()


def _drop(base: Base, run_db: str) -> None:
    if base.pg is not None:
        base.pg.drop(run_db)


def _write_run(out: Outcome, base: Base, stack: Stack, window: float, rng: random.Random) -> None:
    """Kill points app and db: import + approval, SIGKILL, restart, check, retry, check."""
    with out.phase("start"):
        stack.start_worker()  # does not wait: it loads while the app server starts
        stack.start_serve()
    with out.phase("login+upload"):
        sessions = _sessions(stack.port, base)
        token = _upload(stack.port, sessions["reporter"], _file(base))
    writes = Writes(stack.port, sessions, token, base.config["bulk"])
    out.delay = rng.uniform(0.05, 1.0) * window
    out.window = window
    time.sleep(out.delay)
    out.in_flight = writes.running()
    with out.phase("kill"):
        if out.point == "app":
            stack.kill(stack.serve)
        else:
            assert base.pg is not None
            base.pg.crash()
        writes.join(timeout=120)
        if out.point == "db":
            assert base.pg is not None
            base.pg.start()
    # the independent check, the operator's checks and (app) the restart side by side: the
    # checks see the database as the kill left it, before the restarted app touches it
    with out.phase("restart+checks"):
        _together(
            stack.start_serve if out.point == "app" else lambda: None,
            lambda: _judge(out, base, stack.env, stack.work, after="kill"),
            lambda: _cli_checks(out, stack),
        )
    _ready(out, stack)
    # the user's retry: the same confirm token, the same approval list
    with out.phase("retry"):
        sessions = _sessions(stack.port, base)
        status = _confirm(stack.port, sessions["reporter"], token)
        approve = _approve(stack.port, sessions["reviewer"], base.config["bulk"])
    if status not in (200, 302) or approve not in (200, 302):  # 302: done, back to the grid
        out.repair.append(f"retry answered import {status}, approval {approve}")
    with out.phase("check"):
        seen = _judge(out, base, stack.env, stack.work, after="retry")
    if seen["import"]["rows"] != base.config["rows"]:
        out.repair.append(f"after the retry the import holds {seen['import']['rows']} rows")
    if seen["bulk"]["approved"] != len(base.config["bulk"]):
        out.repair.append(f"after the retry {seen['bulk']['approved']} approved")


def _enqueue(env: dict[str, str], module: str, name: str) -> None:
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dudao.settings'); "
        f"django.setup(); from {module} import {name}; {name}()"
    )
    run_checked([sys.executable, "-c", code], cwd=REPO, env=env, timeout=120)


def _ran(stack: Stack, name: str) -> bool:
    """The worker's log says the job finished."""
    output = stack.worker.output() if stack.worker is not None else ""
    return any(name in line and "executed in" in line for line in output.splitlines())


def _job_run(out: Outcome, base: Base, stack: Stack, rng: random.Random) -> None:
    """Kill point worker: a writing job is killed while it runs, then must run again, once."""
    module, name = JOBS[out.run % len(JOBS)]
    out.job = name
    backups = _scalar(base, stack.env, "SELECT COUNT(*) FROM ops_backuprun")
    lights = _scalar(
        base,
        stack.env,
        LIGHTS_EVENTS,
    )
    with out.phase("start"):
        _together(stack.start_serve, lambda: _enqueue(stack.env, module, name))
        stack.start_worker()
    deadline = time.monotonic() + 120
    running = f"SELECT COUNT(*) FROM ops_jobrun WHERE task LIKE '%{name}'"  # noqa: S608
    while not _scalar(base, stack.env, running):
        if _ran(stack, name):  # a quick job (housekeeping) can start and end between two polls
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not start within 120 s")
        time.sleep(0.05)
    out.delay = rng.uniform(0.0, 1.5)
    time.sleep(out.delay)
    out.in_flight = bool(_scalar(base, stack.env, running))
    with out.phase("kill+rerun"):
        stack.kill(stack.worker)
        stack.start_worker()
        deadline = time.monotonic() + 300
        while _scalar(base, stack.env, "SELECT COUNT(*) FROM ops_jobrun"):
            if time.monotonic() > deadline:
                out.repair.append(f"{name} still marked running 300 s after the restart")
                break
            time.sleep(0.25)
    seen: dict[str, Any] = {}
    with out.phase("checks"):
        _together(
            lambda: seen.update(_judge(out, base, stack.env, stack.work, after="kill")),
            lambda: _cli_checks(out, stack),
        )
    jobs = seen["jobs"]
    if jobs["failures"]:
        out.repair.append(f"job failures: {jobs['failures'][:3]}")
    if name == "nightly_backup":
        done = jobs["backups"] - backups
    elif name == "supervision_daily":
        done = int(
            _scalar(
                base,
                stack.env,
                LIGHTS_EVENTS,
            )
        ) - int(lights)
    else:
        done = 1  # housekeeping leaves no row; its run is seen by the ledger emptying
    out.retried = (
        f"{'killed mid-run' if out.in_flight else 'finished before the kill'}; done {done}×"
    )
    if done < 1:
        out.repair.append(f"{name} never completed after the restart")
    _ready(out, stack)


def one_run(
    base: Base, root: Path, point: str, *, run: int, window: float, rng: random.Random
) -> Outcome:
    out = Outcome(base.db, point, run, 0.0)
    work = root / f"{point}-{run}"
    work.mkdir()
    run_db = f"crash_{point}_{run}"
    started = time.monotonic()
    with out.phase("copy"):
        _copy(base, work, run_db)
    stack = Stack(work, _env(base, work, run_db))
    try:
        if point == "worker":
            _job_run(out, base, stack, rng)
        else:
            _write_run(out, base, stack, window, rng)
    except Exception as exc:  # recorded: a run that cannot finish needs repair by definition
        out.repair.append(f"run failed: {type(exc).__name__}: {str(exc)[-300:]}")
    finally:
        stack.stop()
        _drop(base, run_db)
        if not out.repair and not out.partial:
            shutil.rmtree(work, ignore_errors=True)
    out.seconds = time.monotonic() - started
    log(
        f"   {base.db} {point} #{run}: kill after {out.delay:.1f} s "
        f"({'in flight' if out.in_flight else 'after the answer'}), rows {out.import_rows} "
        f"{out.retried} partial {out.partial or 0} repair {out.repair or 0} ({out.seconds:.0f} s: "
        + ", ".join(f"{k} {v:.1f}" for k, v in out.phases.items())
        + ")"
    )
    return out


# --- the base -------------------------------------------------------------------------------


def prepare(db: str, root: Path, rows: int, pg_port: int) -> Base:
    data = root / "base" / "var"
    data.parent.mkdir(parents=True)
    extra: dict[str, str] = {}
    pg = None
    if db == "postgres":
        pg = PrivatePostgres(root / "pg", pg_port)
        pg.init()
        pg.start()
        pg.create("crash_base")
        extra["DUDAO_DATABASE_URL"] = pg.url("crash_base")
    env = base_env(data, **extra)
    log(f"crash: preparing the {db} base (migrate, demo, {rows} import rows, backup)")
    for argv in (
        [DUDAO, "migrate", "--noinput", "-v0"],
        [DUDAO, "demo"],
        [DUDAO, "collectstatic", "--noinput", "-v0"],
    ):
        run_checked(argv, cwd=REPO, env=env, timeout=1200)
    done = run_checked(
        [sys.executable, str(SETUP), str(rows), str(root / "base" / "crash.xlsx")],
        cwd=REPO,
        env=env,
        timeout=600,
    )
    config = json.loads(done.stdout.strip().splitlines()[-1])
    (root / "base" / "config.json").write_text(json.dumps(config))
    run_checked([DUDAO, "backup"], cwd=REPO, env=env, timeout=600)  # /readyz wants one
    base = Base(db, data, config, 0, [], pg, "crash_base" if pg else "")
    base.since = int(_scalar(base, env, "SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent"))
    seen = _check(env, root / "base", base.since)
    base.problems = seen["problems"]
    if pg is not None:
        pg.idle("crash_base")  # a template must have no connections
    log(
        f"   base: {config['rows']} import rows, {len(config['bulk'])} reports to approve, "
        f"{len(base.problems)} roll-up breaks already in the demo"
    )
    return base


# --- report ---------------------------------------------------------------------------------


def markdown(outcomes: list[Outcome], args: argparse.Namespace, windows: dict[str, float]) -> str:
    lines = [
        "# 写入中途崩溃（bench/crash.py）",
        "",
        f"每次：{args.rows} 行月报经网页试导入后确认导入，"
        "同时批量审核通过演示数据中全部已报送月报；",
        "在随机时刻用 SIGKILL 杀掉一个部件，重启后用独立 SQL 核对（tests_system/crash_check.py），",
        "再检查无需人工修复（migrate --check、audit verify、/readyz），最后按用户的方式重试。",
        "任务进程：运行中的写入任务（每日亮灯与提醒、夜间备份、定时清理轮流）被杀，"
        "重启后应自动重跑一次。",
        "",
        "| 数据库 | 杀点 | 次数 | 杀时仍在写入 | 导入行数为 0 / 全部 | 部分写入 | 需人工修复 "
        "| 平均秒 |",
        "|---|---|---:|---:|---|---:|---:|---:|",
    ]
    for key in sorted({(o.db, o.point) for o in outcomes}):
        group = [o for o in outcomes if (o.db, o.point) == key]
        zero = sum(1 for o in group if o.import_rows == 0)
        full = sum(1 for o in group if o.import_rows == args.rows)
        rows = f"{zero} / {full}" if key[1] != "worker" else "—"
        lines.append(
            f"| {key[0]} | {key[1]} | {len(group)} | {sum(o.in_flight for o in group)} | {rows} | "
            f"**{sum(1 for o in group if o.partial)}** | **{sum(1 for o in group if o.repair)}** | "
            f"{sum(o.seconds for o in group) / len(group):.0f} |"
        )
    lines += [
        "",
        "不杀时（校准，每批一次）导入 + 批量审核耗时："
        + "，".join(f"{db} {span}" for db, span in _windows(outcomes, windows).items())
        + "；杀的时刻在 0.05–1.0 倍该时长内均匀随机。",
        "",
    ]
    lines += _moments(outcomes, args.rows)
    lines += _jobs_table([o for o in outcomes if o.point == "worker"])
    lines += _phases_table(outcomes)
    bad = [o for o in outcomes if o.partial or o.repair]
    if bad:
        lines += ["问题：", ""]
        for o in bad:
            lines.append(f"- {o.db} {o.point} #{o.run}：{'；'.join(o.partial + o.repair)}")
        lines.append("")
    return "\n".join(lines)


def _windows(outcomes: list[Outcome], windows: dict[str, float]) -> dict[str, str]:
    """Each database's calibrated write window(s): one per batch, so a range when merged."""
    spans: dict[str, str] = {}
    for db in sorted({o.db for o in outcomes} | set(windows)):
        seen = {round(o.window, 1) for o in outcomes if o.db == db and o.window > 0}
        if db in windows:
            seen.add(round(windows[db], 1))
        if seen:
            low, high = min(seen), max(seen)
            spans[db] = f"{low:.1f} 秒" if low == high else f"{low:.1f}–{high:.1f} 秒"
    return spans


def _moments(outcomes: list[Outcome], rows: int) -> list[str]:
    """Where in the write window the kills landed (app and db), by quarter of the window."""
    writes = [o for o in outcomes if o.point != "worker" and o.window > 0]
    if not writes:
        return []
    edges = (0.05, 0.25, 0.5, 0.75, 1.0)
    lines = [
        "杀的时刻分布（杀在确认导入与批量审核发出后第几秒，按校准时长的比例分段）：",
        "",
        "| 数据库 | 杀点 | 时刻 / 校准时长 | 次数 | 秒（最小–最大） | 杀时仍在写入 "
        "| 导入 0 / 全部 |",
        "|---|---|---|---:|---|---:|---|",
    ]
    for db, point in sorted({(o.db, o.point) for o in writes}):
        group = [o for o in writes if (o.db, o.point) == (db, point)]
        for low, high in itertools.pairwise(edges):
            band = [o for o in group if low <= min(o.delay / o.window, 0.999) < high]
            if not band:
                continue
            zero = sum(1 for o in band if o.import_rows == 0)
            full = sum(1 for o in band if o.import_rows == rows)
            lines.append(
                f"| {db} | {point} | {low:.2f}–{high:.2f} | {len(band)} | "
                f"{min(o.delay for o in band):.1f}–{max(o.delay for o in band):.1f} | "
                f"{sum(o.in_flight for o in band)} | {zero} / {full} |"
            )
    return [*lines, ""]


def _jobs_table(jobs: list[Outcome]) -> list[str]:
    """Kill point worker per job: killed while running or after it, how often it then ran."""
    if not jobs:
        return []
    lines = [
        "任务进程（杀在任务开始后 0–1.5 秒内随机；“完成次数”含被杀前已提交的一次）：",
        "",
        "| 数据库 | 任务 | 次数 | 杀时仍在运行 | 完成次数分布 | 需人工修复 |",
        "|---|---|---:|---:|---|---:|",
    ]
    for db, job in sorted({(o.db, o.job) for o in jobs}):
        group = [o for o in jobs if (o.db, o.job) == (db, job)]
        done: dict[str, int] = {}
        for o in group:
            match = re.search(r"done (-?\d+)×", o.retried)
            key = f"{match.group(1)}×" if match else "未完成"
            done[key] = done.get(key, 0) + 1
        spread = "，".join(f"{k} {n} 次" for k, n in sorted(done.items()))
        lines.append(
            f"| {db} | {job} | {len(group)} | {sum(o.in_flight for o in group)} | {spread} | "
            f"{sum(1 for o in group if o.repair)} |"
        )
    return [*lines, ""]


def _phases_table(outcomes: list[Outcome]) -> list[str]:
    """Mean seconds per step (steps run side by side overlap; wall time on a shared machine)."""
    timed = [o for o in outcomes if o.phases]
    if not timed:
        return []
    lines = ["每次各步骤平均秒数（并行的步骤时间重叠；共用机器上的墙钟时间，仅供参考）：", ""]
    for db, point in sorted({(o.db, o.point) for o in timed}):
        group = [o for o in timed if (o.db, o.point) == (db, point)]
        names = list(dict.fromkeys(k for o in group for k in o.phases))
        means = "，".join(
            f"{k} {sum(o.phases.get(k, 0.0) for o in group) / len(group):.1f}" for k in names
        )
        lines.append(f"- {db} {point}：{means}")
    return [*lines, ""]


@contextlib.contextmanager
def _cleanup() -> Iterator[None]:
    try:
        yield
    finally:
        cleanup_all()


def run_all(
    *,
    runs: int,
    rows: int,
    dbs: list[str],
    points: list[str],
    pg_port: int,
    seed: int,
    progress: Path | None = None,
) -> tuple[list[Outcome], dict[str, float]]:
    """Every run of every kill point on every database; processes and temp dirs cleaned up."""
    rng = random.Random(seed)
    outcomes: list[Outcome] = []
    windows: dict[str, float] = {}
    with _cleanup():
        for db in dbs:
            root = make_temp_dir(f"dudao-crash-{db}-")
            base = prepare(db, root, rows, pg_port)
            try:
                windows[db] = _calibrate(base, root)
                if progress is not None:
                    progress.with_suffix(".windows.json").write_text(json.dumps(windows))
                for run in range(runs):
                    for point in points:
                        if point == "db" and db != "postgres":
                            continue
                        outcomes.append(
                            one_run(base, root, point, run=run, window=windows[db], rng=rng)
                        )
                        if progress is not None:  # what is done survives an interrupted run
                            progress.write_text(json.dumps([o.__dict__ for o in outcomes]))
            finally:
                if base.pg is not None:
                    base.pg.destroy()
    return outcomes, windows


def add_to(results: Results, *, runs: int, dbs: list[str], out: Path = RESULTS) -> None:
    """`make bench CRASH_RUNS=n` (bench/run.py --crash-runs n): rows for latest.md."""
    outcomes, windows = run_all(
        runs=runs, rows=20_000, dbs=dbs, points=["app", "worker", "db"], pg_port=55432, seed=19
    )
    args = argparse.Namespace(rows=20_000)
    out.write_text(markdown(outcomes, args, windows))
    for db in dbs:
        mine = [o for o in outcomes if o.db == db]
        results.add(
            "crash",
            f"SIGKILL mid-write on {db}: runs × kill points, partial writes / repairs needed",
            f"{len(mine)} runs; partial {sum(1 for o in mine if o.partial)}; "
            f"repair {sum(1 for o in mine if o.repair)} (bench/results/crash.md)",
            "0 / 0",
            not any(o.partial or o.repair for o in mine),
        )


def rerender(paths: list[Path], rows: int, out: Path) -> None:
    """Write crash.md/json again from the JSON of earlier runs (e.g. of both databases run as
    two processes); a retry that answered 302 (the confirm's redirect after importing) is a
    finished retry — the row count after it is what is judged."""
    outcomes = []
    for path in paths:
        for raw in json.loads(path.read_text()):
            o = Outcome(**raw)
            o.repair = [
                r
                for r in o.repair
                if not re.fullmatch(r"retry answered import 302, approval (200|302)", r)
            ]
            outcomes.append(o)
    windows: dict[str, float] = {}
    for path in paths:
        meta = path.with_suffix(".windows.json")
        if meta.exists():
            windows.update(json.loads(meta.read_text()))
    out.write_text(markdown(outcomes, argparse.Namespace(rows=rows), windows))
    out.with_suffix(".json").write_text(
        json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1)
    )


def _raise_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash", description="写入中途崩溃演练")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--points", default="app,worker,db")
    parser.add_argument("--pg-port", type=int, default=55432)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)  # clean up (the private cluster) as on ^C
    if not 1 <= args.runs <= 100 or not 100 <= args.rows <= 50_000:
        parser.error("--runs 1–100, --rows 100–50000")
    if args.pg_port == 5432:
        parser.error("5432 is the machine's shared PostgreSQL: use a private port")
    outcomes, windows = run_all(
        runs=args.runs,
        rows=args.rows,
        dbs=["sqlite", "postgres"] if args.db == "both" else [args.db],
        points=[p for p in args.points.split(",") if p],
        pg_port=args.pg_port,
        seed=args.seed,
        progress=args.out.with_suffix(".partial.json"),
    )
    args.out.write_text(markdown(outcomes, args, windows))
    (args.out.with_suffix(".json")).write_text(
        json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=1)
    )
    partial = sum(1 for o in outcomes if o.partial)
    repair = sum(1 for o in outcomes if o.repair)
    print(f"结果已写入 {args.out}；部分写入 {partial}，需人工修复 {repair}")
    return 1 if partial or repair else 0


if __name__ == "__main__":
    sys.exit(main())
