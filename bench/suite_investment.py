"""Benchmark of 招商引资 at province scale: 5,000 deals × 36 months of funds.

    .venv/bin/python -m bench.suite_investment [--runs 60] [--skip-postgres]

For SQLite (a temp file) and PostgreSQL (a throw-away `dudao_bench_investment_<pid>` database,
dropped afterwards): migrate, `dudao demo --scale province`, then in a child process with Django
set up:

1. the pipeline board page (counts and amounts by stage + the first page of deals) through the
   whole Django stack, for the 示范市 督查员 and for a province-level 督查员 — p50/p95;
2. the county assessment for a year (`figures.county_figures` over every county of the
   province), p50/p95, with its ratio to the raw-SQL floor (the same two GROUP BY queries run as
   bare SQL, no Python per row);
3. the import of 20,000 fund rows (`dudao import funds`, all checks, one transaction) in rows/s,
   with its ratio to a bare calamine parse of the same file.

Writes bench/results/investment.md and exits 1 when a target is missed.
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

TARGETS = {"board_ms": 150.0, "assessment_ms": 300.0, "import_rows_s": 20_000.0}
RESULTS = REPO / "bench" / "results" / "investment.md"
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
IMPORT_ROWS = 20_000


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


def _floor_sql(user: Any, year: int, county_ids: list[int]) -> Any:
    """The assessment's two queries as bare SQL (the SQL the ORM emits, rows fetched as tuples,
    no Python per row): the floor any implementation pays."""
    from django.db import connection

    from dudao.investment.figures import assessment_queries

    statements = [q.query.sql_with_params() for q in assessment_queries(user, year, county_ids)]

    def run() -> None:
        with connection.cursor() as cur:
            for sql, params in statements:
                cur.execute(sql, params)
                cur.fetchall()

    return run


def _import_file(user: Any) -> tuple[bytes, int]:
    """20,000 new fund rows: months older than the demo's 36 for the signed deals in scope."""
    import datetime as dt

    from django.utils import timezone

    from dudao.core.xlsx import Column, Sheet, workbook_bytes
    from dudao.investment.models import Deal

    signed = list(
        Deal.objects.visible_to(user)
        .exclude(first_signed_on=None)
        .exclude(stage="terminated")
        .values_list("code", flat=True)
        .order_by("pk")
    )
    first = timezone.localdate().replace(day=1)
    months = []
    m = first
    for _ in range(36):
        m = (m - dt.timedelta(days=1)).replace(day=1)
    for _ in range(IMPORT_ROWS // len(signed) + 1):
        m = (m - dt.timedelta(days=1)).replace(day=1)
        months.append(m.strftime("%Y-%m"))
    rows = [[code, month, 1.5, "银行进账单"] for month in months for code in signed][:IMPORT_ROWS]
    headers = ("项目编号", "月份", "到位资金（万元）", "佐证")
    data = workbook_bytes(
        [Sheet(name="到位资金", columns=[Column(h, 14) for h in headers], rows=rows)]
    )
    return data, len(rows)


def inner(runs: int) -> None:
    import io

    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.investment import figures, selectors
    from dudao.investment.importers import import_funds
    from dudao.investment.models import Deal, DealFunding
    from dudao.orgs.models import Organisation

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
    out: dict[str, Any] = {
        "deals": Deal.objects.count(),
        "funds": DealFunding.objects.count(),
        "runs": runs,
    }
    for label, user in (("city", city_user), ("province", province_user)):
        client = Client()
        client.force_login(user)
        response = client.get(reverse("investment:board"))
        assert response.status_code == 200, response.status_code
        out[f"board_{label}"] = {
            **_time(lambda c=client: c.get(reverse("investment:board")), runs),
            "visible": Deal.objects.visible_to(user).count(),
        }
    year = timezone.localdate().year - 1
    counties = list(selectors.county_choices(province_user))
    rows = figures.county_figures(province_user, year, counties)
    out["assessment"] = {
        **_time(lambda: figures.county_figures(province_user, year, counties), max(10, runs // 3)),
        "counties": len(counties),
        "signed": sum(r.signed for r in rows),
        "year": year,
    }
    floor = _floor_sql(province_user, year, [c.pk for c in counties])
    out["assessment_floor"] = _time(floor, max(10, runs // 3))
    data, n = _import_file(province_user)
    t0 = time.perf_counter()
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    book.get_sheet_by_name(book.sheet_names[0]).to_python()
    parse_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    report = import_funds(data, filename="到位资金.xlsx", actor=province_user, dry_run=False)
    import_s = time.perf_counter() - t0
    assert report.created == n, report.summary()
    out["import"] = {"rows": n, "seconds": import_s, "parse_seconds": parse_s, "bytes": len(data)}
    print("RESULT " + json.dumps(out))


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
    run_checked([DUDAO, "demo", "--scale", "province"], cwd=REPO, env=env, timeout=2400)
    demo_s = time.perf_counter() - t0
    log(f"{label}: demo took {demo_s:.1f} s; measuring")
    done = run_checked(
        [sys.executable, "-m", "bench.suite_investment", "--inner", "--runs", str(runs)],
        cwd=REPO,
        env=env,
        timeout=1200,
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
        "# 招商引资 benchmark (province scale)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {os.cpu_count()} CPUs (shared machine). "
        "`python -m bench.suite_investment`; data from `dudao demo --scale province`.",
        "",
        "| Database | Metric | p50 | p95 | Target | Result |",
        "|---|---|---|---|---|---|",
    ]
    ok = True
    for db, r in results.items():
        for key, name in (
            ("board_city", "Pipeline board page, 示范市督查员"),
            ("board_province", "Pipeline board page, province user"),
        ):
            m = r[key]
            passed = m["p95"] <= TARGETS["board_ms"]
            ok = ok and passed
            lines.append(
                f"| {db} | {name} ({m['visible']} deals visible) | {m['p50']:.1f} ms | "
                f"{m['p95']:.1f} ms | "
                f"≤ {TARGETS['board_ms']:.0f} ms | {'PASS' if passed else 'FAIL'} |"
            )
        a, f = r["assessment"], r["assessment_floor"]
        passed = a["p95"] <= TARGETS["assessment_ms"]
        ok = ok and passed
        lines.append(
            f"| {db} | County assessment {a['year']} ({a['counties']} counties, "
            f"{a['signed']} signed deals) | "
            f"{a['p50']:.1f} ms | {a['p95']:.1f} ms | ≤ {TARGETS['assessment_ms']:.0f} ms | "
            f"{'PASS' if passed else 'FAIL'} |"
        )
        lines.append(
            f"| {db} | Raw-SQL floor of the same two aggregates "
            f"(ratio {a['p50'] / max(f['p50'], 0.001):.1f}×) | "
            f"{f['p50']:.1f} ms | {f['p95']:.1f} ms | — | info |"
        )
        i = r["import"]
        rate = i["rows"] / i["seconds"]
        parse_rate = i["rows"] / i["parse_seconds"]
        passed = rate >= TARGETS["import_rows_s"]
        ok = ok and passed
        lines.append(
            f"| {db} | Import {i['rows']} fund rows (all checks, one transaction) | "
            f"{i['seconds'] * 1000:.0f} ms | {rate:,.0f} rows/s | "
            f"≥ {TARGETS['import_rows_s']:,.0f} rows/s | "
            f"{'PASS' if passed else 'FAIL'} |"
        )
        lines.append(
            f"| {db} | Bare calamine parse of the same file (ratio {parse_rate / rate:.1f}×) | "
            f"{i['parse_seconds'] * 1000:.0f} ms | {parse_rate:,.0f} rows/s | — | info |"
        )
        lines.append(
            f"| {db} | `demo --scale province` (info; {r['deals']} deals, "
            f"{r['funds']} fund rows) | "
            f"{r['demo_s']:.0f} s | — | — | info |"
        )
    lines += [
        "",
        "Latencies in-process through Django's test client (no network), "
        f"{next(iter(results.values()))['runs']} "
        "calls after 3 warm-up calls (assessment series: a third as many).",
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
        tmp = make_temp_dir("dudao-bench-investment-")
        try:
            results["SQLite"] = build_and_measure("SQLite", tmp / "var", args.runs)
        finally:
            remove_temp_dir(tmp)
        if not args.skip_postgres:
            name = f"dudao_bench_investment_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            tmp = make_temp_dir("dudao-bench-investment-pg-")
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
