"""Supervision benchmark at province scale (~20,000 tasks, 50,000 problems), both databases.

    .venv/bin/python -m bench.suite_supervision [--skip-postgres] [--repeats N]

For SQLite (a temp file) and PostgreSQL (a throw-away `dudao_bench_sv_<pid>` database, dropped
afterwards) it migrates a fresh database, then runs itself as a worker process that builds the
data (the platform's province organisation tree, the supervision demo generator at province
scale, one 审核员 per county, 50,000 problems by bulk insert) and measures, in-process through
Django's test client (full middleware, policy, scope and template rendering, no network):

* "my tasks" (`/supervision/` and `/api/v1/supervision/my-tasks`) for the county with the most
  tasks: p50/p95 over N requests, and the raw-SQL floor of its query;
* the supervisor overview (`/supervision/overview/`, `/api/v1/supervision/overview`) for a
  province-wide 督查员 who sees every task;
* the daily job: light recompute of every open task plus every digest (first run), then the
  rerun of the same day (which must send nothing).

Targets (issue 5): my tasks p95 ≤ 100 ms; overview p95 ≤ 200 ms; lights + digests ≤ 60 s.
Writes bench/results/supervision.md; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import DUDAO, REPO, base_env
from bench.procs import (
    cleanup_all,
    forget_cleanup,
    log,
    make_temp_dir,
    on_cleanup,
    remove_temp_dir,
    run_checked,
)
from bench.stats import Summary, summarise

RESULTS = Path(__file__).resolve().parent / "results" / "supervision.md"
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
TARGETS = {"my_tasks_p95_ms": 100.0, "overview_p95_ms": 200.0, "daily_s": 60.0}
PROBLEMS = 50_000


# --- worker (runs inside Django) ---------------------------------------------------------------


def _build() -> dict[str, Any]:
    """Province data: organisations, supervision tasks, users per county, problems."""
    import random
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.demo.platform import platform
    from dudao.demo.registry import DemoContext
    from dudao.orgs.models import Organisation
    from dudao.problems.models import Problem, ProblemCategory
    from dudao.supervision.demo import supervision

    rng = random.Random(2026)
    ctx = DemoContext(rng=rng, scale="province", seed=2026, log=lambda _m: None)
    unusable = make_password(None)
    started = time.perf_counter()
    with transaction.atomic():
        platform(ctx)
        counties = list(Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV))
        User.objects.bulk_create(
            User(
                username=f"bench_rev_{c.pk}",
                full_name=f"{c.display_name}审核员",
                organisation=c,
                roles=int(Role.REVIEWER),
                email=f"rev{c.pk}@example.invalid",
                password=unusable,  # these accounts never log in
            )
            for c in counties
        )
        User.objects.create(
            username="bench_province_supervisor",
            full_name="省督查员",
            organisation=ctx.orgs["HA"],
            roles=int(Role.SUPERVISOR),
            password=unusable,
        )
        supervision(ctx)  # also recomputes today's lights once
        category = ProblemCategory.objects.order_by("pk").first() or ProblemCategory.objects.create(
            code="BENCH", name="其他（基准测试）"
        )
        today = timezone.localdate()
        office = ctx.orgs["SFS-DCS"]
        creator = ctx.users["demo_supervisor"]
        statuses = [s.value for s in Problem.Status]
        Problem.objects.bulk_create(
            (
                Problem(
                    code=f"WT-{n:06d}",
                    source=Problem.Source.SUPERVISION,
                    category=category,
                    title=f"基准测试问题 {n}",
                    responsible_org=(unit := counties[n % len(counties)]),
                    county=unit,
                    issuing_org=office,
                    deadline=today + timedelta(days=rng.randint(-60, 60)),
                    status=(status := rng.choice(statuses)),
                    closed_at=timezone.now() if status == "closed" else None,
                    created_by=creator,
                )
                for n in range(PROBLEMS)
            ),
            batch_size=2000,
        )
    from django.db import connection

    from dudao.supervision.models import SupervisionTask

    if connection.vendor == "postgresql":  # what autovacuum would do after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "build_s": round(time.perf_counter() - started, 1),
        "tasks": SupervisionTask.objects.count(),
        "problems": Problem.objects.count(),
        "counties": len(counties),
    }


def _series(client: Any, url: str, repeats: int) -> Summary:
    for _ in range(5):
        response = client.get(url, HTTP_HOST="127.0.0.1")
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code}")
    durations = []
    errors = 0
    wall_start = time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        response = client.get(url, HTTP_HOST="127.0.0.1")
        durations.append(time.perf_counter() - t0)
        errors += response.status_code != 200
    return summarise(durations, errors, time.perf_counter() - wall_start)


def _raw_floor(user: Any, repeats: int) -> float:
    """p95 (ms) of the my-tasks SELECT as raw SQL (the database's own floor)."""
    from django.db import connection

    from dudao.supervision import selectors

    qs = (
        selectors.tasks(user)
        .filter(lead_org_id=user.organisation_id)
        .exclude(status__in=["draft", "closed"])
    )
    sql, params = qs.values_list("id", "code", "title", "deadline", "light").query.sql_with_params()
    durations = []
    with connection.cursor() as cursor:
        for _ in range(repeats):
            t0 = time.perf_counter()
            cursor.execute(sql, params)
            cursor.fetchall()
            durations.append(time.perf_counter() - t0)
    return summarise(durations, 0, sum(durations)).p95_ms


def worker(repeats: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    import django
    from django.conf import settings

    # Pages are rendered without `collectstatic`: plain static URLs, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    django.setup()
    from django.db.models import Count
    from django.test import Client

    from dudao.accounts.models import User
    from dudao.supervision import jobs
    from dudao.supervision.models import Notification, SupervisionTask

    out: dict[str, Any] = _build()
    busiest = (
        SupervisionTask.objects.exclude(status__in=["draft", "closed"])
        .values("lead_org_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    county_user = User.objects.get(username=f"bench_rev_{busiest['lead_org_id']}")
    supervisor = User.objects.get(username="bench_province_supervisor")
    out["my_tasks_rows"] = busiest["n"]
    client = Client()
    client.force_login(county_user)
    out["my_tasks_page"] = _series(client, "/supervision/", repeats).as_dict()
    out["my_tasks_api"] = _series(client, "/api/v1/supervision/my-tasks", repeats).as_dict()
    out["my_tasks_raw_sql_p95_ms"] = round(_raw_floor(county_user, repeats), 2)
    client = Client()
    client.force_login(supervisor)
    out["overview_page"] = _series(client, "/supervision/overview/", repeats).as_dict()
    out["overview_api"] = _series(client, "/api/v1/supervision/overview", repeats).as_dict()

    Notification.objects.filter(kind="digest").delete()  # the demo already sent today's
    t0 = time.perf_counter()
    lights = jobs.recompute_lights()
    lights_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    digests = jobs.send_digests()
    digests_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    jobs.recompute_lights()
    rerun = jobs.send_digests()
    rerun_s = time.perf_counter() - t2
    out["daily"] = {
        "lights_s": round(lights_s, 2),
        "digests_s": round(digests_s, 2),
        "total_s": round(lights_s + digests_s, 2),
        "tasks": lights.tasks,
        "by_light": lights.by_light,
        "digests_sent": digests.sent,
        "emailed": digests.emailed,
        "rerun_s": round(rerun_s, 2),
        "rerun_sent": rerun.sent,
    }
    return out


# --- parent ------------------------------------------------------------------------------------


def _psql(sql: str) -> None:
    psql = shutil.which("psql") or "psql"
    run_checked([psql, *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120)


def run_backend(label: str, repeats: int, database_url: str | None) -> dict[str, Any]:
    tmp = make_temp_dir("dudao-bench-sv-")
    try:
        extra = {"DUDAO_DATABASE_URL": database_url} if database_url else {}
        env = base_env(tmp / "var", **extra)
        log(f"supervision [{label}]: migrate …")
        run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=900)
        log(f"supervision [{label}]: build and measure …")
        done = run_checked(
            [
                sys.executable,
                "-m",
                "bench.suite_supervision",
                "--worker",
                "--repeats",
                str(repeats),
            ],
            cwd=REPO,
            env=env,
            timeout=1200,
        )
        line = [x for x in done.stdout.splitlines() if x.startswith("{")][-1]
        return dict(json.loads(line))
    finally:
        remove_temp_dir(tmp)


def run_postgres(repeats: int) -> dict[str, Any]:
    name = f"dudao_bench_sv_{os.getpid()}"
    _psql(f"CREATE DATABASE {name}")

    def drop() -> None:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    on_cleanup(drop)
    try:
        return run_backend("PostgreSQL", repeats, f"postgres://postgres@127.0.0.1:5432/{name}")
    finally:
        drop()
        forget_cleanup(drop)


def _verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "FAIL"


def report(results: dict[str, dict[str, Any]], repeats: int) -> tuple[str, bool]:
    lines = [
        "# Supervision benchmark (issue 5)",
        "",
        "`.venv/bin/python -m bench.suite_supervision` — province scale, in-process Django test "
        f"client (full middleware, policy, scope, templates; no network), {repeats} timed "
        "requests after 5 warm-up requests per URL. Machine: 2 shared cores.",
        "",
        "| Database | Metric | Value | Target | Verdict |",
        "|---|---|---|---|---|",
    ]
    ok = True
    for db, r in results.items():
        if "error" in r:
            lines.append(f"| {db} | run | {r['error']} | — | FAIL |")
            ok = False
            continue
        p95 = r["my_tasks_page"]["p95_ms"]
        ov = r["overview_page"]["p95_ms"]
        daily = r["daily"]["total_s"]
        checks = [
            (p95, TARGETS["my_tasks_p95_ms"]),
            (r["my_tasks_api"]["p95_ms"], TARGETS["my_tasks_p95_ms"]),
            (ov, TARGETS["overview_p95_ms"]),
            (r["overview_api"]["p95_ms"], TARGETS["overview_p95_ms"]),
            (daily, TARGETS["daily_s"]),
        ]
        ok = ok and all(v <= t for v, t in checks) and r["daily"]["rerun_sent"] == 0
        d = r["daily"]
        rows = [
            ("data", f"{r['tasks']} tasks, {r['problems']} problems, {r['counties']} counties "
                     f"(built in {r['build_s']} s)", "—", "info"),
            (f"my tasks page `/supervision/` ({r['my_tasks_rows']} open tasks)",
             f"p50 {r['my_tasks_page']['p50_ms']} · p95 {p95} ms", "p95 ≤ 100 ms",
             _verdict(p95, 100)),
            ("my tasks API `/api/v1/supervision/my-tasks`",
             f"p50 {r['my_tasks_api']['p50_ms']} · p95 {r['my_tasks_api']['p95_ms']} ms",
             "p95 ≤ 100 ms", _verdict(r["my_tasks_api"]["p95_ms"], 100)),
            ("  raw-SQL floor of the my-tasks SELECT", f"p95 {r['my_tasks_raw_sql_p95_ms']} ms "
             f"(page ÷ floor = {p95 / max(r['my_tasks_raw_sql_p95_ms'], 0.01):.1f}×)", "—", "info"),
            ("supervisor overview page `/supervision/overview/` (all tasks)",
             f"p50 {r['overview_page']['p50_ms']} · p95 {ov} ms", "p95 ≤ 200 ms",
             _verdict(ov, 200)),
            ("supervisor overview API", f"p50 {r['overview_api']['p50_ms']} · p95 "
             f"{r['overview_api']['p95_ms']} ms", "p95 ≤ 200 ms",
             _verdict(r["overview_api"]["p95_ms"], 200)),
            ("daily job: lights + digests", f"{daily} s (lights {d['lights_s']} s for {d['tasks']} "
             f"open tasks {d['by_light']}; digests {d['digests_s']} s, {d['digests_sent']} sent, "
             f"{d['emailed']} emailed)", "≤ 60 s", _verdict(daily, 60)),
            ("  same-day rerun", f"{d['rerun_s']} s, {d['rerun_sent']} digests sent",
             "0 sent", "PASS" if d["rerun_sent"] == 0 else "FAIL"),
        ]  # fmt: skip
        lines.extend(f"| {db} | {m} | {v} | {t} | {verdict} |" for m, v, t, verdict in rows)
    lines.append("")
    return "\n".join(lines), ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.repeats), ensure_ascii=False))
        return 0
    results: dict[str, dict[str, Any]] = {}
    try:
        backends = [("SQLite", None)] + ([] if args.skip_postgres else [("PostgreSQL", "pg")])
        for label, kind in backends:
            try:
                results[label] = (
                    run_postgres(args.repeats) if kind else run_backend(label, args.repeats, None)
                )
            except (RuntimeError, OSError, ValueError) as exc:
                results[label] = {"error": str(exc).splitlines()[-1][:300]}
    finally:
        cleanup_all()
    text, ok = report(results, args.repeats)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
