"""Import rate at province scale: the monthly report sheet (19,920 rows) and the indicator
value long table (~20,000 rows), dry run + commit, beside a bare python-calamine parse of the
same file (issue 18 item 3: ≥ 20,000 rows/s and within 5× the bare parse).

    .venv/bin/python -m bench.suite_imports [--skip-postgres] [--runs N]
        [--data-dir DIR]   keep the SQLite database there and reuse it on the next call
        [--code DIR]       measure the dudao package found in DIR (a "before" tree)

The province database (20,000 projects × 60 months, five years of indicator values) is built
by the demo generators in a worker subprocess (`--worker`), which prints JSON; the parent
writes bench/results/imports.md and exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import DUDAO, REPO, base_env
from bench.procs import cleanup_all, forget_cleanup, log, on_cleanup, remove_temp_dir, run_checked

TARGET_RATE = 20_000.0
TARGET_RATIO = 5.0
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
INDICATOR_ROWS = 20_000


def _bare(data: bytes, sheet: str | None) -> float:
    """Median seconds of a bare python-calamine parse of `data` (3 runs after one warm-up)."""
    import io

    from python_calamine import CalamineWorkbook

    def parse() -> None:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        (book.get_sheet_by_name(sheet) if sheet else book.get_sheet_by_index(0)).to_python()

    parse()
    times = []
    for _ in range(3):
        t = time.perf_counter()
        parse()
        times.append(time.perf_counter() - t)
    return sorted(times)[1]


def _result(
    rows: int, size: int, dry: float, commit: float, bare: float, *, cpu: tuple[float, float]
) -> dict[str, Any]:
    """`cpu`: this process's CPU seconds of the dry run and the commit (time.process_time;
    the database server's share on PostgreSQL is not in it) — on a loaded machine the wall
    times vary with the other work, the CPU time much less."""
    total = dry + commit
    return {
        "rows": rows,
        "bytes": size,
        "dry_s": round(dry, 3),
        "commit_s": round(commit, 3),
        "rate": round(rows / total),
        "bare_s": round(bare, 3),
        "ratio": round(total / bare, 1),
        "dry_cpu_s": round(cpu[0], 3),
        "commit_cpu_s": round(cpu[1], 3),
        "cpu_rate": round(rows / (cpu[0] + cpu[1])),
    }


def _reports(year: int, month: int) -> dict[str, Any]:
    from bench.suite_projects import IMPORT_ROWS, _users
    from dudao.core.xlsx import Column, Sheet, workbook_bytes
    from dudao.projects import importers
    from dudao.projects.models import MonthlyReport, Project

    county = Project.objects.values_list("county_id", flat=True).first() or 0
    actor = _users(county)["province_reporter"]
    MonthlyReport.objects.filter(year=year, month=month).delete()
    pids = list(Project.objects.order_by("pk").values_list("pk", "code")[:IMPORT_ROWS])
    headers = [*importers.REPORT_HEADERS, importers.R_FUNDS, importers.R_PROGRESS]
    rows = [
        [pk, code, "", year, month, (i % 50) + 1, (i % 30) + 1, "施工中"]
        for i, (pk, code) in enumerate(pids)
    ]
    data = workbook_bytes([Sheet(importers.REPORT_SHEET, [Column(h) for h in headers], rows)])
    bare = _bare(data, importers.REPORT_SHEET)
    c0, t0 = time.process_time(), time.perf_counter()
    dry = importers.import_reports(data, filename="bench.xlsx", actor=actor, dry_run=True)
    c1, t1 = time.process_time(), time.perf_counter()
    done = importers.import_reports(data, filename="bench.xlsx", actor=actor, dry_run=False)
    c2, t2 = time.process_time(), time.perf_counter()
    assert dry.created == len(rows), dry
    assert done.created == len(rows), done
    return _result(len(rows), len(data), t1 - t0, t2 - t1, bare, cpu=(c1 - c0, c2 - c1))


def _indicators() -> dict[str, Any]:
    """The newest ~20,000 stored values as a long table: deleted, then imported again (dry run
    + commit) by a 督查员, so the rows are new and every rule and check sees real figures."""
    from bench.suite_projects import _users
    from dudao.core.xlsx import Column, Sheet, workbook_bytes
    from dudao.projects.models import Project
    from dudao.stats import importers
    from dudao.stats.models import IndicatorValue

    actor = _users(Project.objects.values_list("county_id", flat=True).first() or 0)["supervisor"]
    periods = list(
        IndicatorValue.objects.order_by("-period").values_list("period", flat=True).distinct()
    )
    chosen: list[Any] = []
    count = 0
    for p in periods:
        n = IndicatorValue.objects.filter(period=p).count()
        if count + n > INDICATOR_ROWS and chosen:
            break
        chosen.append(p)
        count += n
    values = list(
        IndicatorValue.objects.filter(period__in=chosen)
        .order_by("period", "organisation__code", "indicator__code")
        .values_list(
            "organisation__code", "period", "indicator__code", "value", "yoy_percent", "base"
        )
    )
    IndicatorValue.objects.filter(period__in=chosen).delete()
    rows = [[o, f"{p:%Y-%m}", i, v, y, b] for o, p, i, v, y, b in values]
    columns = [Column(h) for h in ("单位编码", "统计期", "指标", "数值", "同比增速", "上年同期数")]
    data = workbook_bytes([Sheet("指标", columns, rows)])
    bare = _bare(data, None)
    kwargs = {"filename": "bench.xlsx", "actor": actor, "confirm_reason": "基准测试"}
    c0, t0 = time.process_time(), time.perf_counter()
    dry = importers.import_indicators(data, dry_run=True, **kwargs)
    c1, t1 = time.process_time(), time.perf_counter()
    done = importers.import_indicators(data, dry_run=False, **kwargs)
    c2, t2 = time.process_time(), time.perf_counter()
    assert dry.created == len(rows), dry
    assert done.created == len(rows), done
    return _result(len(rows), len(data), t1 - t0, t2 - t1, bare, cpu=(c1 - c0, c2 - c1))


def worker(runs: int) -> None:
    code = os.environ.get("BENCH_CODE")
    if code:  # a "before" tree: its dudao package ahead of this checkout's (cwd comes first)
        sys.path.insert(0, code)
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    import random

    from django.db import connection, transaction

    import dudao
    from bench.suite_projects import _build
    from dudao.demo.registry import DemoContext
    from dudao.projects.models import Project
    from dudao.projects.selectors import reporting_period
    from dudao.stats.demo import indicator_values
    from dudao.stats.models import IndicatorValue

    out: dict[str, Any] = {"vendor": connection.vendor, "code": str(Path(dudao.__file__).parent)}
    if not Project.objects.exists():
        _build()
    if not IndicatorValue.objects.exists():
        ctx = DemoContext(rng=random.Random(2026), scale="province", seed=2026, log=lambda s: None)
        with transaction.atomic():
            indicator_values(ctx)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    out["projects"] = Project.objects.count()
    year, month = reporting_period()
    out["reports"] = [_reports(year, month) for _ in range(runs)]
    out["indicators"] = [_indicators() for _ in range(runs)]
    print("RESULT " + json.dumps(out, default=str))


def _psql(sql: str) -> None:
    run_checked(
        [shutil.which("psql") or "psql", *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120
    )


def _run(label: str, data_dir: Path, runs: int, code: str, **extra: str) -> dict[str, Any]:
    env = base_env(data_dir, **extra)
    if code:
        env["BENCH_CODE"] = code
    run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
    log(f"import bench on {label} ({code or 'this tree'}) …")
    done = run_checked(
        [sys.executable, "-m", "bench.suite_imports", "--worker", "--runs", str(runs)],
        cwd=REPO,
        env=env,
        timeout=3600,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT ") :]))


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text(encoding="ascii").split()[:3])
    except OSError:
        return "unknown"


def _markdown(results: list[dict[str, Any]], missed: list[str]) -> str:
    lines = [
        "# Import rate (last run of bench.suite_imports)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores shared with other work,"
        f" load average {_load()}.",
        "",
        "| database | import | rows | dry run | commit | rows/s | bare parse | ÷ bare "
        "| CPU dry + commit | rows per CPU s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        for kind, name in (("reports", "月报"), ("indicators", "指标数值长表")):
            for x in r[kind]:
                lines.append(
                    f"| {r['vendor']} | {name} | {x['rows']} | {x['dry_s']} s | "
                    f"{x['commit_s']} s | {x['rate']} | {x['bare_s']} s | {x['ratio']}× | "
                    f"{x.get('dry_cpu_s', '–')} + {x.get('commit_cpu_s', '–')} s | "
                    f"{x.get('cpu_rate', '–')} |"
                )
    lines += ["", "## Verdict", ""]
    lines += [f"- MISSED: {m}" for m in missed] or ["- Every target met."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--pg-name", default="")
    parser.add_argument("--code", default="")
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.runs)
        return 0
    results = []
    try:
        if not args.skip_sqlite:
            keep = bool(args.data_dir)
            data_dir = Path(args.data_dir) if keep else Path(tempfile.gettempdir())
            if not keep:
                data_dir = Path(tempfile.mkdtemp(prefix="dudao-bench-imports-"))
            try:
                results.append(_run("SQLite", data_dir, args.runs, args.code))
            finally:
                if not keep:
                    remove_temp_dir(data_dir)
        if not args.skip_postgres:
            name = args.pg_name or f"dudao_bench_imports_{os.getpid()}"
            if not args.pg_name:
                _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            if not args.pg_name:
                on_cleanup(drop)
            try:
                tmp = Path(tempfile.gettempdir()) / f"dudao-bench-imports-pg-{name}"
                tmp.mkdir(exist_ok=True)
                results.append(
                    _run(
                        "PostgreSQL",
                        tmp,
                        args.runs,
                        args.code,
                        DUDAO_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}",
                    )
                )
            finally:
                if not args.pg_name:
                    drop()
                    forget_cleanup(drop)
    finally:
        cleanup_all()
    missed = [
        f"{r['vendor']} {kind}: {x['rate']} rows/s, {x['ratio']}× bare"
        for r in results
        for kind in ("reports", "indicators")
        for x in r[kind]
        if x["rate"] < TARGET_RATE or x["ratio"] > TARGET_RATIO
    ]
    text = _markdown(results, missed)
    (REPO / "bench" / "results" / "imports.md").write_text(text, encoding="utf-8")
    print(text)
    print("RESULTS " + json.dumps(results))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
