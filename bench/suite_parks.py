"""Benchmarks of the parks & statistics module (issue 4), on SQLite and PostgreSQL.

    .venv/bin/python -m bench.suite_parks [--repeats 60] [--skip-postgres]

For each database the suite builds the province scale itself — the platform's organisation
tree (the province, 示范市 and every prefecture with ten parks: ~188 parks), the parks
generator and the indicator generator (14 reported indicators + 1 formula indicator, 60 months
of 1–N月 values plus one year of bases, with county, city and province totals) — into a temp
SQLite file or a throw-away PostgreSQL database (dropped afterwards). Then, in one process:

* city summary: `selectors.city_summary` for 示范市 and the latest month, as the city
  supervisor (what the overview page, the API and `dudao stats summary` run);
* park profile: `selectors.park_profile` of a 示范市 park for the latest month (36-month
  series, 同比, share of the city, rank among the city's parks);
* the raw-SQL floor of each: the same rows read with one hand-written SQL aggregate per
  query the selector needs, no ORM, no engine; the ratio is ORM p50 ÷ floor p50.

p50/p95 over `--repeats` runs after 5 warm-ups. Targets: summary p95 ≤ 100 ms, profile p95 ≤
150 ms. Writes bench/results/parks.md; exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results" / "parks.md"
TARGETS_MS = {"city_summary": 100.0, "park_profile": 150.0}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def timed(func: Any, repeats: int) -> list[float]:
    for _ in range(5):
        func()
    out = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        out.append((time.perf_counter() - started) * 1000)
    return out


def worker(repeats: int) -> dict[str, Any]:  # noqa: PLR0915 - one linear script
    """Runs inside the subprocess whose environment points at the database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    import random

    from django.core.management import call_command
    from django.db import connection, transaction

    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.demo.platform import platform
    from dudao.demo.registry import DemoContext
    from dudao.orgs.models import Organisation
    from dudao.parks.demo import parks
    from dudao.parks.models import Park
    from dudao.stats import selectors
    from dudao.stats.demo import indicator_values
    from dudao.stats.models import Indicator, IndicatorValue

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("load_regions", verbosity=0)
    ctx = DemoContext(rng=random.Random(2026), scale="province", seed=2026, log=lambda _: None)
    with transaction.atomic():
        platform(ctx)
        parks(ctx)
        indicator_values(ctx)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    build_s = time.perf_counter() - started
    actor = User.objects.filter(roles=int(Role.SUPERVISOR)).get(username="demo_supervisor")
    city = Organisation.objects.get(code="SFS")
    period = IndicatorValue.objects.filter(organisation=city).order_by("-period").first().period  # type: ignore[union-attr]
    park = Park.objects.get(code="SFS-P01")
    counts = {
        "parks": Park.objects.count(),
        "indicators": Indicator.objects.count(),
        "values": IndicatorValue.objects.count(),
        "months": IndicatorValue.objects.values("period").distinct().count(),
    }

    def summary() -> None:
        result = selectors.city_summary(actor, city, period)
        assert result.rows
        assert result.rows[0].line.sentence

    def profile() -> None:
        result = selectors.park_profile(actor, selectors.get_park(actor, park.pk), period)
        assert result.rows

    in_summary = list(Indicator.objects.filter(in_summary=True).values_list("pk", flat=True))
    park_orgs = [p.organisation_id for p in selectors.city_parks(city)]
    ids = ",".join(str(i) for i in in_summary)
    orgs = ",".join(str(o) for o in park_orgs)
    years = [period.replace(year=period.year - n) for n in (0, 1, 2)]
    dates = ",".join(f"'{d.isoformat()}'" for d in years)
    summary_sql = [
        # the city's published totals of the summary indicators for three years
        f"SELECT indicator_id, period, value, yoy_percent, base FROM stats_indicatorvalue "  # noqa: S608
        f"WHERE organisation_id = {city.pk} AND status = 'approved' AND indicator_id IN ({ids}) "
        f"AND period <= '{period.isoformat()}' "
        f"AND period >= '{years[2].replace(month=1).isoformat()}'",
        # the parks' sums for the same months
        f"SELECT indicator_id, period, SUM(value), COUNT(*) FROM stats_indicatorvalue "  # noqa: S608
        f"WHERE organisation_id IN ({orgs}) AND status = 'approved' AND indicator_id IN ({ids}) "
        f"AND period IN ({dates}) GROUP BY indicator_id, period",
    ]
    first = period.replace(year=period.year - 3)
    profile_sql = [
        f"SELECT indicator_id, period, value, yoy_percent, base FROM stats_indicatorvalue "  # noqa: S608
        f"WHERE organisation_id = {park.organisation_id} AND status = 'approved' "
        f"AND period > '{first.isoformat()}' AND period <= '{period.isoformat()}'",
        f"SELECT organisation_id, indicator_id, value FROM stats_indicatorvalue "  # noqa: S608
        f"WHERE period = '{period.isoformat()}' AND status = 'approved' "
        f"AND organisation_id IN ({orgs},{city.pk})",
    ]

    def floor(statements: list[str]) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        return run

    figures = {}
    for name, func, sql in (
        ("city_summary", summary, summary_sql),
        ("park_profile", profile, profile_sql),
    ):
        orm = timed(func, repeats)
        raw = timed(floor(sql), repeats)
        figures[name] = {
            "p50": percentile(orm, 50),
            "p95": percentile(orm, 95),
            "floor_p50": percentile(raw, 50),
            "floor_p95": percentile(raw, 95),
        }
    return {
        "vendor": connection.vendor,
        "build_s": build_s,
        "counts": counts,
        "period": period.isoformat(),
        "figures": figures,
    }


def run_worker(env: dict[str, str], repeats: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.suite_parks", "--worker", "--repeats", str(repeats)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.repeats)))
        return 0
    import tempfile

    base = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="dudao-bench-parks-") as tmp:
        print("SQLite: building the province scale and measuring …", flush=True)
        runs.append(run_worker({**base, "DUDAO_DATA_DIR": tmp}, args.repeats))
        if not args.skip_postgres:
            name = f"dudao_bench_parks_{os.getpid()}"
            psql(f"CREATE DATABASE {name}")
            try:
                print("PostgreSQL: building the province scale and measuring …", flush=True)
                url = f"postgres://postgres@127.0.0.1:5432/{name}"
                runs.append(
                    run_worker(
                        {**base, "DUDAO_DATA_DIR": tmp, "DUDAO_DATABASE_URL": url}, args.repeats
                    )
                )
            finally:
                psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    ok = True
    lines = [
        "# Parks & statistics benchmarks (issue 4)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores "
        f"(shared), {args.repeats} timed runs after 5 warm-ups. Command: "
        "`.venv/bin/python -m bench.suite_parks`.",
        "",
        "| Database | Measure | p50 ms | p95 ms | target (p95) | raw-SQL floor p50 ms "
        "| ratio p50/floor | result |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        for name, fig in run["figures"].items():
            target = TARGETS_MS[name]
            passed = fig["p95"] <= target
            ok = ok and passed
            ratio = fig["p50"] / fig["floor_p50"] if fig["floor_p50"] else float("nan")
            lines.append(
                f"| {run['vendor']} | {name} | {fig['p50']:.1f} | {fig['p95']:.1f} "
                f"| ≤ {target:.0f} "
                f"| {fig['floor_p50']:.2f} | {ratio:.1f}× | {'PASS' if passed else 'FAIL'} |"
            )
    lines += ["", "Data built per database:", ""]
    for run in runs:
        c = run["counts"]
        lines.append(
            f"* {run['vendor']}: {c['parks']} parks, {c['indicators']} indicators, "
            f"{c['values']} values over {c['months']} months (latest {run['period'][:7]}); "
            f"built in {run['build_s']:.1f} s."
        )
    lines += [
        "",
        "The floor reads the same rows with hand-written SQL (the city's totals and the parks' "
        "GROUP BY sums for the summary; the park's 36 months and its peers at the month for the "
        "profile) and does nothing with them; the ORM figure includes scope checks, the engine's "
        "Decimal arithmetic, ranking and the Chinese sentences.",
        "",
    ]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
