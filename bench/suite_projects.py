"""Benchmarks of 重大项目 at province scale (20,000 projects × 60 months ≈ 1.2 M reports), on a
temp SQLite file and a throw-away PostgreSQL database:

1. project list with 3 filters, first page of 50 (target p95 ≤ 150 ms);
2. a county's monthly grid, ~200 projects: load (≤ 150 ms) and save one row (≤ 100 ms);
3. city analysis for a month, all counties × categories with lights and ranks (≤ 300 ms), and
   its ratio to the same aggregate written as one raw SQL query over the reports;
4. Excel import of 20,000 report rows, dry run + commit (target ≥ 20,000 rows/s), and the
   ratio to a bare python-calamine parse of the same file.

    .venv/bin/python -m bench.suite_projects [--skip-postgres] [--runs N]

Each database is built and measured by a worker subprocess (`--worker`) that prints JSON; the
parent writes bench/results/projects.md and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
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
from bench.stats import percentile

TARGETS = {
    "list_p95": 150.0,
    "grid_load_p95": 150.0,
    "grid_save_p95": 100.0,
    "analysis_p95": 300.0,
    "import_rate": 20_000.0,
}
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
GRID_SIZE = 200
IMPORT_ROWS = 20_000


# --- worker (inside Django) --------------------------------------------------------------------


def _timed(func: Callable[[], Any], runs: int, warm: int = 3) -> dict[str, float]:
    for _ in range(warm):
        func()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        values.append((time.perf_counter() - started) * 1000)
    values.sort()
    return {
        "n": runs,
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
        "max": round(values[-1], 1),
    }


def _build() -> dict[str, Any]:
    """Province-scale data through the real generators (platform, parks, projects, reports),
    then one county enlarged to ~200 projects for the grid."""
    import random

    from django.db import connection, transaction

    from dudao.demo.platform import platform
    from dudao.demo.registry import DemoContext
    from dudao.orgs.models import Organisation
    from dudao.parks.demo import parks
    from dudao.projects.demo import project_progress, projects
    from dudao.projects.models import CountyMonthStat, MonthlyReport, Project, ProjectYearPlan

    ctx = DemoContext(rng=random.Random(2026), scale="province", seed=2026, log=lambda s: None)
    started = time.perf_counter()
    with transaction.atomic():
        for gen in (platform, parks, projects, project_progress):
            gen(ctx)
    built = time.perf_counter() - started
    # enlarge one county to GRID_SIZE projects (moving projects of other counties with their
    # reports and plans), then rebuild the roll-up of the touched counties from the reports
    county = (
        Organisation.objects.filter(kind="county_gov", region__isnull=False)
        .order_by("path")
        .first()
    )
    assert county is not None
    have = Project.objects.filter(county=county).count()
    movers = list(
        Project.objects.exclude(county=county)
        .filter(park__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[: max(0, GRID_SIZE - have)]
    )
    with transaction.atomic():
        Project.objects.filter(pk__in=movers).update(county=county)
        MonthlyReport.objects.filter(project_id__in=movers).update(county=county)
        ProjectYearPlan.objects.filter(project_id__in=movers).update(county=county)
        CountyMonthStat.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO projects_countymonthstat (county_id, category_id, year, month, "
                "approved_count, invest, funds) SELECT r.county_id, p.category_id, r.year, "
                "r.month, COUNT(*), SUM(r.invest_month), SUM(r.funds_month) "
                "FROM projects_monthlyreport r JOIN projects_project p ON p.id = r.project_id "
                "WHERE r.status = 'approved' GROUP BY r.county_id, p.category_id, r.year, r.month"
            )
    if connection.vendor == "postgresql":
        # planner statistics after the bulk load, as autovacuum would gather them in service
        # (without them PostgreSQL estimates one row per filter and nests loops over 400 k rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "build_s": round(built, 1),
        "county": county.pk,
        "projects": Project.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "grid_projects": Project.objects.filter(county=county).count(),
    }


def _existing() -> dict[str, Any]:
    from django.db.models import Count

    from dudao.projects.models import MonthlyReport, Project

    county, n = Project.objects.values_list("county_id").annotate(n=Count("id")).order_by(
        "-n"
    ).first() or (0, 0)
    return {
        "build_s": 0,
        "county": county,
        "projects": Project.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "grid_projects": n,
    }


def _users(county_id: int) -> dict[str, Any]:
    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.orgs.models import Organisation

    root = Organisation.objects.get(code="HA")

    def make(name: str, org: Organisation, role: Role) -> User:
        user, _ = User.objects.get_or_create(
            username=name,
            defaults={"full_name": name, "organisation": org, "roles": int(role)},
        )
        return user

    return {
        "supervisor": make("bench_supervisor", root, Role.SUPERVISOR),
        "province_reporter": make("bench_reporter_all", root, Role.REPORTER),
        "reporter": make("bench_reporter", Organisation.objects.get(pk=county_id), Role.REPORTER),
    }


RAW_SQL = """
SELECT p.county_id, p.category_id, COUNT(*) AS n,
  SUM(COALESCE(pl.planned_investment, 0)) AS plan,
  SUM(COALESCE(done.s, 0)) AS done,
  SUM(CASE WHEN cur.first_submitted_at IS NOT NULL THEN 1 ELSE 0 END) AS reported,
  SUM(CASE WHEN cur.first_submitted_at IS NOT NULL AND NOT cur.is_late THEN 1 ELSE 0 END)
    AS on_time,
  SUM(CASE WHEN cur.status = 'approved' AND pl.planned_investment > 0
           AND %(elapsed)s - ROUND(cur.invest_ytd * 100 / pl.planned_investment, 2) > %(red)s
      THEN 1 ELSE 0 END) AS red
FROM projects_project p
LEFT JOIN projects_projectyearplan pl ON pl.project_id = p.id AND pl.year = %(year)s
LEFT JOIN projects_monthlyreport cur ON cur.project_id = p.id AND cur.year = %(year)s
  AND cur.month = %(month)s
LEFT JOIN (SELECT project_id, SUM(invest_month) AS s FROM projects_monthlyreport
           WHERE year = %(year)s AND month <= %(month)s AND status = 'approved'
           GROUP BY project_id) done ON done.project_id = p.id
WHERE p.is_active
GROUP BY p.county_id, p.category_id
"""


def _analysis(users: dict[str, Any], year: int, month: int, runs: int) -> dict[str, Any]:
    from decimal import Decimal

    from django.db import connection

    from dudao.projects import figures, selectors

    ZERO = Decimal(0)  # noqa: N806
    sup = users["supervisor"]
    orm = _timed(lambda: selectors.city_analysis(sup, year, month), runs)
    params: Any = {
        "year": year,
        "month": month,
        "elapsed": figures.elapsed_pct(month),
        "red": Decimal("30"),
    }

    def raw() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, params)
            return list(cursor.fetchall())

    floor = _timed(raw, runs)
    # the two must agree on counts, plans and approved year-to-date per county × category,
    # and on reporting per county
    a = selectors.city_analysis(sup, year, month)
    rows = {(c, k): r for c, k, *r in raw()}
    cent = Decimal("0.01")
    mismatches = 0
    per_county: dict[int, list[int]] = {}
    for (c, k), (n, plan, done, reported, on_time, _red) in rows.items():
        cell = a.cells.get((c, k))
        got = (cell.projects, cell.plan, cell.done) if cell else (0, ZERO, ZERO)
        want = (n, Decimal(str(plan)).quantize(cent), Decimal(str(done)).quantize(cent))
        mismatches += got != want
        acc = per_county.setdefault(c, [0, 0])
        acc[0] += reported
        acc[1] += on_time
    for unit in a.counties:
        mismatches += [unit.reported, unit.on_time] != per_county.get(unit.key, [0, 0])
    return {
        "orm": orm,
        "raw": floor,
        "ratio": round(orm["p50"] / max(floor["p50"], 0.01), 2),
        "cells": len(a.cells),
        "counties": len(a.counties),
        "mismatches": mismatches,
    }


def _pages(
    users: dict[str, Any], county_id: int, year: int, month: int, runs: int
) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from dudao.projects.models import MonthlyReport, Project, ProjectCategory

    sup = Client(HTTP_HOST="127.0.0.1")
    sup.force_login(users["supervisor"])
    category = ProjectCategory.objects.get(code="industry").pk
    list_url = (
        reverse("projects:list") + f"?period={year}-{month:02d}&category={category}"
        "&stage=continuing&level=city"
    )

    def get_list() -> None:
        assert sup.get(list_url).status_code == 200

    rep = Client(HTTP_HOST="127.0.0.1")
    rep.force_login(users["reporter"])
    grid_url = reverse("projects:grid") + f"?period={year}-{month:02d}"

    def get_grid() -> None:
        assert rep.get(grid_url).status_code == 200

    editable = [
        pk
        for pk in Project.objects.filter(county_id=county_id).values_list("pk", flat=True)
        if not MonthlyReport.objects.filter(project_id=pk, year=year, month=month)
        .exclude(status__in=["draft", "returned"])
        .exists()
    ]
    counter = iter(range(10**6))

    def save_row() -> None:
        n = next(counter)
        pk = editable[n % len(editable)]
        r = rep.post(
            reverse("projects:grid_row", kwargs={"pk": pk}),
            {
                "period": f"{year}-{month:02d}",
                "invest_month": str(n % 7 + 1),
                "progress_text": "主体施工",
                "request_id": f"bench-{n}",
            },
            HTTP_HX_REQUEST="true",
        )
        assert r.status_code == 200, r.content[:300]

    return {
        "list": _timed(get_list, runs),
        "grid_load": _timed(get_grid, runs),
        "grid_save": _timed(save_row, runs),
        "editable_rows": len(editable),
    }


def _import(users: dict[str, Any], year: int, month: int) -> dict[str, Any]:
    import io

    from python_calamine import CalamineWorkbook

    from dudao.core.xlsx import Column, Sheet, workbook_bytes
    from dudao.projects import importers
    from dudao.projects.models import MonthlyReport, Project

    # the month's reports are cleared so that 20,000 projects can be imported as drafts
    MonthlyReport.objects.filter(year=year, month=month).delete()
    pids = list(Project.objects.order_by("pk").values_list("pk", "code")[:IMPORT_ROWS])
    headers = [*importers.REPORT_HEADERS, importers.R_FUNDS, importers.R_PROGRESS]
    rows = [
        [pk, code, "", year, month, (i % 50) + 1, (i % 30) + 1, "施工中"]
        for i, (pk, code) in enumerate(pids)
    ]
    data = workbook_bytes([Sheet(importers.REPORT_SHEET, [Column(h) for h in headers], rows)])
    actor = users["province_reporter"]

    def parse() -> None:
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name(
            importers.REPORT_SHEET
        ).to_python()

    bare = _timed(parse, 3, warm=1)["p50"] / 1000
    t0 = time.perf_counter()
    dry = importers.import_reports(data, filename="bench.xlsx", actor=actor, dry_run=True)
    t1 = time.perf_counter()
    done = importers.import_reports(data, filename="bench.xlsx", actor=actor, dry_run=False)
    t2 = time.perf_counter()
    again = importers.import_reports(data, filename="bench.xlsx", actor=actor, dry_run=False)
    t3 = time.perf_counter()
    assert dry.created == len(rows)
    assert done.created == len(rows)
    assert again.changed == 0
    total = (t1 - t0) + (t2 - t1)
    return {
        "rows": len(rows),
        "bytes": len(data),
        "dry_s": round(t1 - t0, 2),
        "commit_s": round(t2 - t1, 2),
        "again_s": round(t3 - t2, 2),
        "rate": round(len(rows) / total),
        "rate_dry": round(len(rows) / (t1 - t0)),
        "rate_commit": round(len(rows) / (t2 - t1)),
        "bare_parse_s": round(bare, 3),
        "bare_rate": round(len(rows) / bare),
        "ratio_to_bare": round(total / bare, 1),
    }


def worker(runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.db import connection

    from dudao.projects.selectors import previous_month, reporting_period

    out: dict[str, Any] = {"vendor": connection.vendor}
    from dudao.projects.models import Project

    # BENCH_REUSE=1 measures an already built database again (developing the suite)
    if os.environ.get("BENCH_REUSE") and Project.objects.exists():
        out["build"] = _existing()
    else:
        out["build"] = _build()
    users = _users(out["build"]["county"])
    year, month = reporting_period()
    py, pm = previous_month(year, month)
    out["analysis"] = _analysis(users, py, pm, runs)
    out["pages"] = _pages(users, out["build"]["county"], year, month, runs)
    out["import"] = _import(users, year, month)
    print("RESULT " + json.dumps(out, default=str))


# --- parent ------------------------------------------------------------------------------------


def _psql(sql: str) -> None:
    run_checked(
        [shutil.which("psql") or "psql", *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120
    )


def _run_backend(label: str, runs: int, **extra: str) -> dict[str, Any]:
    tmp = make_temp_dir("dudao-bench-projects-")
    try:
        env = base_env(tmp / "var", **extra)
        run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
        run_checked([DUDAO, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
        log(f"projects bench: building and measuring on {label} …")
        done = run_checked(
            [sys.executable, "-m", "bench.suite_projects", "--worker", "--runs", str(runs)],
            cwd=REPO,
            env=env,
            timeout=1800,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        return dict(json.loads(line[len("RESULT ") :]))
    finally:
        remove_temp_dir(tmp)


def _check(r: dict[str, Any]) -> list[str]:
    missed = []
    p = r["pages"]
    for key, value in (
        ("list_p95", p["list"]["p95"]),
        ("grid_load_p95", p["grid_load"]["p95"]),
        ("grid_save_p95", p["grid_save"]["p95"]),
        ("analysis_p95", r["analysis"]["orm"]["p95"]),
    ):
        if value > TARGETS[key]:
            missed.append(f"{r['vendor']}: {key} {value} ms > {TARGETS[key]} ms")
    if r["import"]["rate"] < TARGETS["import_rate"]:
        missed.append(f"{r['vendor']}: import {r['import']['rate']} rows/s < 20000")
    if r["analysis"]["mismatches"]:
        missed.append(
            f"{r['vendor']}: analysis differs from raw SQL in {r['analysis']['mismatches']} cells"
        )
    return missed


def _markdown(results: list[dict[str, Any]], missed: list[str], seconds: float) -> str:
    def ms(d: dict[str, float]) -> str:
        return f"p50 {d['p50']} · p95 {d['p95']} · max {d['max']} ms (n={d['n']})"

    lines = [
        "# 重大项目 benchmarks (province scale)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores shared with other "
        f"work; whole suite {seconds:.0f} s. Measured in-process (Django test client: URL "
        "routing, middleware, policy, view, template; no network).",
        "",
    ]
    for r in results:
        b, p, a, i = r["build"], r["pages"], r["analysis"], r["import"]
        lines += [
            f"## {r['vendor']}",
            "",
            f"Data: {b['projects']} projects, {b['reports']} monthly reports (built in "
            f"{b['build_s']} s by the demo generators); grid county {b['grid_projects']} projects.",
            "",
            "| Measure | Result | Target |",
            "|---|---|---|",
            f"| Project list, 3 filters, first page of 50 | {ms(p['list'])} | p95 ≤ 150 ms |",
            f"| County grid load ({b['grid_projects']} projects) | {ms(p['grid_load'])} | "
            "p95 ≤ 150 ms |",
            f"| Grid: save one row | {ms(p['grid_save'])} | p95 ≤ 100 ms |",
            f"| City analysis ({a['counties']} counties, {a['cells']} county × category cells, "
            f"lights, ranks incl. previous month) | {ms(a['orm'])} | p95 ≤ 300 ms |",
            f"| Same aggregate, one raw SQL over the reports | {ms(a['raw'])} | floor |",
            f"| Ratio analysis / raw SQL (p50) | {a['ratio']}× (cells differing: "
            f"{a['mismatches']}) | information |",
            f"| Excel import {i['rows']} rows ({i['bytes'] // 1024} KB): dry run + commit | "
            f"{i['dry_s']} s + {i['commit_s']} s = **{i['rate']} rows/s** (dry run "
            f"{i['rate_dry']}/s, commit {i['rate_commit']}/s); same file again "
            f"{i['again_s']} s, nothing changed | ≥ 20,000 rows/s |",
            f"| Bare python-calamine parse of the same file | {i['bare_parse_s']} s "
            f"({i['bare_rate']} rows/s); import ÷ bare parse = {i['ratio_to_bare']}× | "
            "information |",
            "",
        ]
    lines += ["## Verdict", ""]
    lines += [f"- MISSED: {m}" for m in missed] or ["- Every target met."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.runs)
        return 0
    started = time.perf_counter()
    results = []
    try:
        results.append(_run_backend("SQLite", args.runs))
        if not args.skip_postgres:
            name = f"dudao_bench_projects_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            try:
                results.append(
                    _run_backend(
                        "PostgreSQL",
                        args.runs,
                        DUDAO_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
                    )
                )
            finally:
                drop()
                forget_cleanup(drop)
    finally:
        cleanup_all()
    missed = [m for r in results for m in _check(r)]
    text = _markdown(results, missed, time.perf_counter() - started)
    out = REPO / "bench" / "results" / "projects.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
