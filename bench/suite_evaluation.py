"""Benchmark of 省级考评: the province ranking for a year (target ≤ 300 ms) and its ratio to the
raw-SQL floor, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.suite_evaluation [--runs 60] [--skip-postgres]

Each database gets its own child process (a temp SQLite file; a throw-away PostgreSQL database
`dudao_bench_eval_<pid>` on 127.0.0.1:5432, dropped afterwards). The child migrates, builds the
province itself — 18 prefectures × 10 parks plus two of our city's, a regime of 15 indicators
(all six methods and a veto gate), five years of raw values computed into results, published
十先进 lists and star awards — and measures:

* the ranking as served: `GET /api/v1/evaluation/regimes/{code}/results/{year}` through the
  whole Django stack in-process (middleware, policy, selector, serialisation);
* the selector alone (`selectors.province_ranking`: results, parks, cities, titles, stars);
* the raw-SQL floor: one hand-written query returning the same rows (result, park, city,
  titles, star) with a plain DB-API cursor;
* for information, computing one year's results (`services.compute_results`).

Writes bench/results/evaluation.md and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import REPO
from bench.stats import percentile

TARGET_MS = 300.0
YEARS = (2017, 2018, 2019, 2020, 2021)
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
RESULTS = REPO / "bench" / "results" / "evaluation.md"

RAW_SQL = """
SELECT r.id, r.rank, r.score, r.prev_rank, r.rank_gain, r.excluded, r.star_eligible,
       p.code, p.name, reg.name, o.path, s.level
FROM evaluation_result r
JOIN parks_park p ON p.id = r.park_id
LEFT JOIN regions_region reg ON reg.code = p.city_region_id
LEFT JOIN orgs_organisation o ON o.id = p.organisation_id
LEFT JOIN evaluation_staraward s
       ON s.regime_id = r.regime_id AND s.year = r.year AND s.park_id = r.park_id
WHERE r.regime_id = %s AND r.year = %s
ORDER BY r.rank, p.sort_order, p.code
"""
TITLES_SQL = "SELECT park_id, kind, source FROM evaluation_title WHERE regime_id = %s AND year = %s"


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(s * 1000 for s in samples)
    return {
        "p50": percentile(ordered, 50),
        "p95": percentile(ordered, 95),
        "mean": statistics.fmean(ordered),
    }


# --- Child: runs inside Django against one database -------------------------------------------


def _build(rng: Any) -> tuple[Any, Any]:
    from decimal import Decimal

    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from dudao.evaluation import scoring, services
    from dudao.evaluation.models import InputValue, Method
    from dudao.parks.models import Park
    from dudao.regions.models import Region
    from dudao.testing import build_world

    world = build_world()
    sup = world.city_supervisor
    parks = [
        Park(code=f"OUR-{i}", name=f"本市园区{i}", organisation=org, sort_order=i)
        for i, org in enumerate((world.park_a, world.park_b))
    ]
    for pref in Region.objects.filter(parent_id="410000").order_by("code"):
        parks += [
            Park(
                code=f"B{pref.code}-{n:02d}",
                name=f"{pref.name}第{n}园区（基准测试）",
                city_region=pref,
                sort_order=n,
            )
            for n in range(1, 11)
        ]
    Park.objects.bulk_create(parks)
    parks = list(Park.objects.all())
    regime = services.create_regime(
        actor=sup, code="BENCH", name="基准测试考评体系", first_year=2017
    )
    methods: list[tuple[str, dict[str, Any]]] = [
        (Method.RATIO, {"benchmark": "100"}),
        (Method.COMPLETION, {"target": "100", "cap": "1.2"}),
        (Method.TIERED, {"tiers": [["150", "10"], ["100", "6"], ["0", "2"]]}),
        (Method.RANK, {"top": "100", "step": "1", "floor": "20"}),
        (Method.PERCENTILE, {"bands": [["0.25", "100"], ["0.7", "80"], ["1", "60"]]}),
    ]
    codes = []
    for i in range(14):
        method, params = methods[i % len(methods)]
        code = f"i{i:02d}"
        codes.append(code)
        services.save_indicator(
            actor=sup,
            regime=regime,
            code=code,
            name=f"指标{i}",
            method=method,
            weight=Decimal(7),
            params=scoring.normalise_params(method, params),
        )
    services.save_indicator(
        actor=sup,
        regime=regime,
        code="env",
        name="减分",
        method=Method.EVENTS,
        weight=Decimal(0),
        params={"unit_points": "-0.5", "cap": "3"},
    )
    services.save_gate(actor=sup, regime=regime, code="veto", name="否决", effect="no_awards")
    rows = []
    for year in YEARS:
        for park in parks:
            strength = rng.uniform(0.5, 1.5)
            for code in codes:
                value = Decimal(str(round(strength * rng.uniform(60, 160), 2)))
                rows.append(InputValue(regime=regime, year=year, park=park, code=code, value=value))
            rows.append(
                InputValue(
                    regime=regime,
                    year=year,
                    park=park,
                    code="env",
                    value=Decimal(rng.choice((0, 0, 1, 2))),
                )
            )
    InputValue.objects.bulk_create(rows, batch_size=2000)
    compute_s = []
    for year in YEARS:
        t0 = time.perf_counter()
        services.compute_results(actor=sup, regime=regime, year=year)
        compute_s.append(time.perf_counter() - t0)
    for year in YEARS:
        services.import_titles(
            actor=sup,
            rows=[
                services.TitleRow(regime, year, p, "advanced", "基准")
                for p in rng.sample(parks, 10)
            ],
        )
        services.import_stars(
            actor=sup,
            rows=[
                services.StarRow(regime, year, p, rng.randint(1, 5))
                for p in parks
                if rng.random() < 0.7
            ],
        )
    return world.city_leader, {
        "regime": regime,
        "parks": len(parks),
        "compute_s": compute_s,
        "inputs": len(rows),
    }


def child(runs: int) -> dict[str, Any]:
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client

    from dudao.evaluation import selectors

    call_command("migrate", verbosity=0)
    leader, info = _build(random.Random(2026))
    regime, year = info["regime"], YEARS[-1]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(leader)
    url = f"/api/v1/evaluation/regimes/{regime.code}/results/{year}"
    vendor = connection.vendor
    raw_sql = RAW_SQL
    if vendor == "sqlite":
        raw_sql = raw_sql.replace("%s", "?")
        titles_sql = TITLES_SQL.replace("%s", "?")
    else:
        titles_sql = TITLES_SQL

    def api() -> int:
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        return len(response.json()["rows"])

    def selector() -> int:
        return len(selectors.province_ranking(leader, regime, year))

    def raw() -> int:
        raw_conn = connection.connection
        cur = raw_conn.cursor()
        cur.execute(raw_sql, (regime.pk, year))
        rows = cur.fetchall()
        cur.execute(titles_sql, (regime.pk, year))
        cur.fetchall()
        cur.close()
        return len(rows)

    connection.ensure_connection()
    counts = {"api": api(), "selector": selector(), "raw": raw()}
    assert len(set(counts.values())) == 1, counts
    samples: dict[str, list[float]] = {"api": [], "selector": [], "raw": []}
    for _ in range(5):  # warm-up
        api(), selector(), raw()
    for _ in range(runs):
        for name, func in (("api", api), ("selector", selector), ("raw", raw)):
            reset_queries()
            t0 = time.perf_counter()
            func()
            samples[name].append(time.perf_counter() - t0)
    return {
        "vendor": vendor,
        "rows": counts["api"],
        "parks": info["parks"],
        "inputs": info["inputs"],
        "runs": runs,
        "compute_ms": _ms(info["compute_s"]),
        **{name: _ms(s) for name, s in samples.items()},
    }


# --- Parent: one child per database, then the report ------------------------------------------


def _run_child(db_url: str | None, runs: int, data_dir: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DUDAO_")}
    env["DUDAO_DATA_DIR"] = str(data_dir)
    if db_url:
        env["DUDAO_DATABASE_URL"] = db_url
    proc = subprocess.run(
        [sys.executable, "-m", "bench.suite_evaluation", "--child", "--runs", str(runs)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child failed ({db_url or 'sqlite'}):\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def _pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.runs)))
        return 0
    started = time.monotonic()
    measured: list[dict[str, Any]] = []
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="dudao-bench-eval-") as tmp:
        try:
            measured.append(_run_child(None, args.runs, Path(tmp) / "sqlite"))
        except (RuntimeError, subprocess.TimeoutExpired, ValueError) as exc:
            errors.append(str(exc))
        if not args.skip_postgres:
            name = f"dudao_bench_eval_{os.getpid()}"
            try:
                _pg(f'CREATE DATABASE "{name}"')
                measured.append(
                    _run_child(
                        f"postgres://postgres@127.0.0.1:5432/{name}", args.runs, Path(tmp) / "pg"
                    )
                )
            except Exception as exc:
                errors.append(f"PostgreSQL: {exc}")
            finally:
                try:
                    _pg(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                except Exception as exc:
                    errors.append(f"PostgreSQL clean-up: {exc}")
    failed = bool(errors) or any(m["api"]["p95"] > TARGET_MS for m in measured)
    lines = [
        "# 省级考评 benchmark (`python -m bench.suite_evaluation`)",
        "",
        f"Overall: **{'FAIL' if failed else 'PASS'}** · {time.strftime('%Y-%m-%d %H:%M:%S')} · "
        f"{os.cpu_count()} cores · {args.runs} runs each after 5 warm-up runs · "
        f"wall {time.monotonic() - started:.0f} s",
        "",
        "Province ranking for a year = every park's result with its city, titles and awarded star "
        "(the page `evaluation:results` and the API `evaluation_ranking`).",
        "",
        "| Database | Parks ranked | Measure | p50 ms | p95 ms | Target | Result |",
        "|---|---|---|---|---|---|---|",
    ]
    for m in measured:
        ratio = m["api"]["p50"] / m["raw"]["p50"] if m["raw"]["p50"] else float("nan")
        verdict = "PASS" if m["api"]["p95"] <= TARGET_MS else "FAIL"
        lines += [
            f"| {m['vendor']} | {m['rows']} | API `GET …/results/{{year}}` (whole stack) | "
            f"{m['api']['p50']:.1f} | {m['api']['p95']:.1f} | p95 ≤ {TARGET_MS:.0f} | {verdict} |",
            f"| {m['vendor']} | {m['rows']} | selector `province_ranking` | "
            f"{m['selector']['p50']:.1f} | {m['selector']['p95']:.1f} | — | info |",
            f"| {m['vendor']} | {m['rows']} | raw-SQL floor (2 queries, DB-API cursor) | "
            f"{m['raw']['p50']:.2f} | {m['raw']['p95']:.2f} | — | info |",
            f"| {m['vendor']} | {m['rows']} | ratio API p50 ÷ raw-SQL p50 | {ratio:.1f}× "
            "| | — | info |",
            f"| {m['vendor']} | {m['parks']} | compute one year (`compute_results`, "
            f"{m['inputs'] // len(YEARS)} raw values) | {m['compute_ms']['p50']:.0f} | "
            f"{m['compute_ms']['p95']:.0f} | — | info |",
        ]
    if errors:
        lines += ["", "## Errors", "", *(f"```\n{e}\n```" for e in errors)]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
