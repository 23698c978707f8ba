"""Benchmark of the problem ledger (问题台账) at province scale: 50,000 problems.

    .venv/bin/python -m bench.suite_problems [--runs 60] [--skip-postgres]

For SQLite (a temp file) and PostgreSQL (a throw-away `dudao_bench_problems_<pid>` database,
dropped afterwards): migrate, `dudao demo --scale province` (20,000 projects, 50,000 problems),
then in a child process with Django set up:

1. the ledger page, first page with three filters (status=未销号, category=用地, overdue=是),
   through the whole Django stack (middleware, policy, scope, template), for the 示范市 督查员
   and for a province-level 督查员 who sees all 50,000 problems — p50/p95 over `--runs` calls;
2. the per-unit statistics selector `unit_statistics` (one aggregate query) for the province
   user, by unit and rolled up to counties, and the statistics page;
3. the Excel export of the filtered ledger (information).

Writes bench/results/problems.md and exits 1 when a target is missed.
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

TARGETS_MS = {"ledger": 200.0, "stats": 500.0}
RESULTS = REPO / "bench" / "results" / "problems.md"
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
    from django.test import Client
    from django.urls import reverse

    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.orgs.models import Organisation
    from dudao.problems.models import Problem, ProblemCategory
    from dudao.problems.selectors import county_choices, unit_statistics

    province = Organisation.objects.get(code="HA")
    province_user, _ = User.objects.get_or_create(
        username="bench_province",
        defaults={
            "full_name": "省督查员（基准）",
            "organisation": province,
            "roles": int(Role.SUPERVISOR),
        },
    )
    city_user = User.objects.get(username="demo_supervisor")
    land = ProblemCategory.objects.get(code="land")
    params = {"status": "open", "category": str(land.pk), "overdue": "1"}
    out: dict[str, Any] = {"problems": Problem.objects.count(), "runs": runs}
    from dudao.problems.selectors import LedgerFilter, list_problems

    for label, user in (("city", city_user), ("province", province_user)):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("problems:list"), params)
        assert response.status_code == 200, response.status_code
        visible = Problem.objects.visible_to(user).count()
        out[f"ledger_{label}"] = {
            **_time(lambda c=client: c.get(reverse("problems:list"), params), runs),
            "visible": visible,
            "matching": list_problems(user, LedgerFilter.from_query(params)).count(),
        }
    counties = list(county_choices(province_user))
    out["stats_units"] = _time(lambda: unit_statistics(province_user), max(10, runs // 3))
    out["stats_units"]["units"] = len(unit_statistics(province_user))
    out["stats_counties"] = _time(
        lambda: unit_statistics(province_user, rollup_to=counties), max(10, runs // 3)
    )
    out["stats_counties"]["units"] = len(counties)
    client = Client()
    client.force_login(province_user)
    out["stats_page"] = _time(
        lambda: client.get(reverse("problems:stats"), {"by": "county"}), max(10, runs // 3)
    )
    t0 = time.perf_counter()
    export = client.get(reverse("problems:export"), {"status": "open"})
    out["export_open"] = {"ms": (time.perf_counter() - t0) * 1000, "bytes": len(export.content)}
    print("RESULT " + json.dumps(out))


# --- the driver -------------------------------------------------------------------------------


def build_and_measure(label: str, data_dir: Path, runs: int, **extra: str) -> dict[str, Any]:
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
    log(f"{label}: demo --scale province")
    t0 = time.perf_counter()
    run_checked([DUDAO, "demo", "--scale", "province"], cwd=REPO, env=env, timeout=1800)
    demo_s = time.perf_counter() - t0
    log(f"{label}: demo took {demo_s:.1f} s; measuring")
    done = run_checked(
        [sys.executable, "-m", "bench.suite_problems", "--inner", "--runs", str(runs)],
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


def report(results: dict[str, dict[str, Any]]) -> tuple[str, bool]:
    lines = [
        "# 问题台账 benchmark (province scale)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {os.cpu_count()} CPUs (shared machine). "
        "`python -m bench.suite_problems`; data from `dudao demo --scale province`.",
        "",
        "| Database | Metric | p50 ms | p95 ms | Target (p95) | Result |",
        "|---|---|---|---|---|---|",
    ]
    ok = True
    for db, r in results.items():
        for key, name, target in (
            ("ledger_city", "Ledger page 1, 3 filters, 示范市督查员", TARGETS_MS["ledger"]),
            ("ledger_province", "Ledger page 1, 3 filters, province user", TARGETS_MS["ledger"]),
            ("stats_units", "unit_statistics() by unit, province", TARGETS_MS["stats"]),
            ("stats_counties", "unit_statistics() rolled up to counties", TARGETS_MS["stats"]),
            ("stats_page", "Statistics page (by county), province", TARGETS_MS["stats"]),
        ):
            m = r[key]
            passed = m["p95"] <= target
            ok = ok and passed
            extra = ""
            if "visible" in m:
                extra = f" ({m['visible']} visible, {m['matching']} match)"
            if "units" in m:
                extra = f" ({m['units']} units)"
            lines.append(
                f"| {db} | {name}{extra} | {m['p50']:.1f} | {m['p95']:.1f} | ≤ {target:.0f} | "
                f"{'PASS' if passed else 'FAIL'} |"
            )
        lines.append(
            f"| {db} | Export of all open problems (info) | {r['export_open']['ms']:.0f} | — | — | "
            f"info ({r['export_open']['bytes'] // 1024} KB) |"
        )
        lines.append(
            f"| {db} | `demo --scale province` (info, {r['problems']} problems) | "
            f"{r['demo_s'] * 1000:.0f} | — | — | info |"
        )
    lines += [
        "",
        f"Each latency is measured in-process through Django's test client (no network), "
        f"{next(iter(results.values()))['runs']} calls after 3 warm-up calls; statistics "
        "selector series use a third as many calls.",
    ]
    return "\n".join(lines) + "\n", ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.runs)
        return 0
    results: dict[str, dict[str, Any]] = {}
    try:
        tmp = make_temp_dir("dudao-bench-problems-")
        try:
            results["SQLite"] = build_and_measure("SQLite", tmp / "var", args.runs)
        finally:
            remove_temp_dir(tmp)
        if not args.skip_postgres:
            name = f"dudao_bench_problems_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            tmp = make_temp_dir("dudao-bench-problems-pg-")
            try:
                results["PostgreSQL"] = build_and_measure(
                    "PostgreSQL",
                    tmp / "var",
                    args.runs,
                    DUDAO_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
                )
            finally:
                remove_temp_dir(tmp)
                drop()
                forget_cleanup(drop)
    finally:
        cleanup_all()
    text, ok = report(results)
    RESULTS.write_text(text, encoding="utf-8")
    print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
