"""Benchmark of the leaders' cockpit (领导驾驶舱) on the demo data.

    .venv/bin/python -m bench.suite_cockpit [--runs 60] [--scale city|province] [--skip-postgres]

For SQLite (a temp file) and PostgreSQL (a throw-away `dudao_bench_cockpit_<pid>` database,
dropped afterwards): migrate, `dudao demo --scale <scale>`, then in a child process with Django
set up, through the whole Django stack (middleware, policy, scope, template), p50/p95 over
`--runs` calls of:

1. the cockpit page and `/api/v1/cockpit` for the city's 领导 (示范市: every tile and the map);
2. the same for a county's 领导 (明湖区);
3. the city leader's drill-down into one county (`?unit=`, information).

Nothing is cached between calls (the cockpit is fresh the moment a report is approved).
Writes bench/results/cockpit.md and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
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
from bench.stats import summarise

TARGETS_MS = {"city": 200.0, "county": 100.0}
RESULTS = REPO / "bench" / "results" / "cockpit.md"
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]


# --- the measuring child (runs inside Django) ----------------------------------------------------


def _time(func: Any, runs: int) -> dict[str, float]:
    for _ in range(3):
        func()  # warm-up
    durations = []
    started = time.perf_counter()
    for _ in range(runs):
        t0 = time.perf_counter()
        func()
        durations.append(time.perf_counter() - t0)
    summary = summarise(durations, 0, time.perf_counter() - started)
    return {"p50": summary.p50_ms, "p95": summary.p95_ms, "max": summary.max_ms}


def inner(runs: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from dudao.accounts.models import User
    from dudao.orgs.models import Organisation
    from dudao.projects.models import MonthlyReport, Project

    out: dict[str, Any] = {
        "runs": runs,
        "projects": Project.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "counties": Organisation.objects.filter(kind="county_gov").count(),
    }
    county = Organisation.objects.get(code="SFS-MHQ")
    cases: tuple[tuple[str, str, dict[str, str]], ...] = (
        ("city", "demo_leader", {}),
        ("county", "demo_county_leader", {}),
        ("drill", "demo_leader", {"unit": str(county.pk)}),
    )
    for label, username, params in cases:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for kind, url in (("page", reverse("cockpit:home")), ("api", reverse("api:cockpit"))):
            response = client.get(url, params)
            assert response.status_code == 200, (url, response.status_code)
            queries: list[str] = []

            def count(execute: Any, sql: str, *args: Any, q: list[str] = queries) -> Any:
                q.append(sql)
                return execute(sql, *args)

            with connection.execute_wrapper(count):
                client.get(url, params)
            out[f"{label}_{kind}"] = {
                **_time(lambda c=client, u=url, p=params: c.get(u, p), runs),
                "queries": len(queries),
                "bytes": len(response.content),
            }
    print("RESULT " + json.dumps(out))


# --- the driver -------------------------------------------------------------------------------


def build_and_measure(
    label: str, data_dir: Path, runs: int, scale: str, **extra: str
) -> dict[str, Any]:
    env = base_env(
        data_dir,
        DUDAO_ALLOWED_HOSTS="testserver,127.0.0.1",
        DUDAO_SECURE_COOKIES="false",
        DJANGO_SETTINGS_MODULE="dudao.settings",
        **extra,
    )
    log(f"{label}: migrate")
    run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
    run_checked([DUDAO, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
    log(f"{label}: demo --scale {scale}")
    t0 = time.perf_counter()
    run_checked([DUDAO, "demo", "--scale", scale], cwd=REPO, env=env, timeout=1800)
    demo_s = time.perf_counter() - t0
    log(f"{label}: demo took {demo_s:.1f} s; measuring")
    done = run_checked(
        [sys.executable, "-m", "bench.suite_cockpit", "--inner", "--runs", str(runs)],
        cwd=REPO,
        env=env,
        timeout=900,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    result["demo_s"] = demo_s
    return result


def _psql(sql: str) -> None:
    import shutil

    run_checked(
        [shutil.which("psql") or "psql", *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120
    )


def report(results: dict[str, dict[str, Any]], scale: str) -> tuple[str, bool]:
    lines = [
        f"# 领导驾驶舱 benchmark ({scale} scale)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {os.cpu_count()} CPUs (shared machine). "
        f"`python -m bench.suite_cockpit --scale {scale}`; data from `dudao demo --scale {scale}`.",
        "",
        "| Database | Metric | Queries | p50 ms | p95 ms | Target (p95) | Result |",
        "|---|---|---|---|---|---|---|",
    ]
    ok = True
    for db, r in results.items():
        for key, name, target in (
            ("city_page", "Cockpit page, 示范市领导 (all tiles, map)", TARGETS_MS["city"]),
            ("city_api", "`/api/v1/cockpit`, 示范市领导", TARGETS_MS["city"]),
            ("county_page", "Cockpit page, 明湖区领导", TARGETS_MS["county"]),
            ("county_api", "`/api/v1/cockpit`, 明湖区领导", TARGETS_MS["county"]),
            ("drill_page", "City leader's drill-down `?unit=明湖区` (info)", None),
            ("drill_api", "API drill-down `?unit=明湖区` (info)", None),
        ):
            m = r[key]
            passed = target is None or m["p95"] <= target
            ok = ok and passed
            verdict = "info" if target is None else ("PASS" if passed else "FAIL")
            goal = "—" if target is None else f"≤ {target:.0f}"
            lines.append(
                f"| {db} | {name} | {m['queries']} | {m['p50']:.1f} | {m['p95']:.1f} | {goal} | "
                f"{verdict} |"
            )
        lines.append(
            f"| {db} | `demo --scale {scale}` (info: {r['projects']} projects, "
            f"{r['reports']} monthly reports, {r['counties']} counties) | — | "
            f"{r['demo_s'] * 1000:.0f} | — | — | info |"
        )
    lines += [
        "",
        f"Each latency is measured in-process through Django's test client (no network), "
        f"{next(iter(results.values()))['runs']} calls after 3 warm-up calls, with no cache "
        "between calls. The query count is the same whatever the number of units "
        "(dudao/core/tests/test_query_counts.py holds it exactly).",
    ]
    return "\n".join(lines) + "\n", ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--scale", choices=("city", "province"), default="city")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.runs)
        return 0
    results: dict[str, dict[str, Any]] = {}
    try:
        tmp = make_temp_dir("dudao-bench-cockpit-")
        try:
            results["SQLite"] = build_and_measure("SQLite", tmp / "var", args.runs, args.scale)
        finally:
            remove_temp_dir(tmp)
        if not args.skip_postgres:
            name = f"dudao_bench_cockpit_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            tmp = make_temp_dir("dudao-bench-cockpit-pg-")
            try:
                results["PostgreSQL"] = build_and_measure(
                    "PostgreSQL",
                    tmp / "var",
                    args.runs,
                    args.scale,
                    DUDAO_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
                )
            finally:
                remove_temp_dir(tmp)
                drop()
                forget_cleanup(drop)
    finally:
        cleanup_all()
    text, ok = report(results, args.scale)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
