"""Benchmark 3: wall time of `dudao demo` on a freshly migrated database."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import time
from pathlib import Path

from bench.common import DUDAO, REPO, base_env
from bench.procs import forget_cleanup, log, make_temp_dir, on_cleanup, remove_temp_dir, run_checked
from bench.report import Results

INNER = re.compile(r"演示数据加载完成（([\d.]+) 秒）：(.*)")
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]


def time_demo(data_dir: Path, scale: str, **extra: str) -> tuple[float, float | None, str]:
    """Migrate a fresh database, then time `dudao demo --scale <scale>`.

    Returns (command wall seconds, the command's own load time, its summary line).
    """
    env = base_env(data_dir, **extra)
    run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
    started = time.perf_counter()
    done = run_checked([DUDAO, "demo", "--scale", scale], cwd=REPO, env=env, timeout=1800)
    wall = time.perf_counter() - started
    match = INNER.search(done.stdout)
    return wall, (float(match.group(1)) if match else None), (match.group(2) if match else "")


def _psql(sql: str) -> None:
    psql = shutil.which("psql") or "psql"
    run_checked([psql, *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120)


def run_sqlite(results: Results, *, repeats: int, province: bool) -> None:
    walls: list[float] = []
    inner: list[float] = []
    counts = ""
    for i in range(repeats):
        tmp = make_temp_dir("dudao-bench-demo-")
        try:
            wall, load, counts = time_demo(tmp / "var", "city")
        finally:
            remove_temp_dir(tmp)
        log(f"3. demo --scale city on SQLite, run {i + 1}/{repeats}: {wall:.2f} s (load {load} s)")
        walls.append(wall)
        if load is not None:
            inner.append(load)
    results.add(
        "3",
        f"`dudao demo --scale city`, SQLite, median of {repeats}",
        f"{statistics.median(walls):.2f} s wall (runs {', '.join(f'{w:.2f}' for w in walls)}; "
        f"load itself {statistics.median(inner) if inner else float('nan'):.2f} s; {counts})",
        raw={"wall_s": [round(w, 3) for w in walls], "load_s": inner},
    )
    if province:
        tmp = make_temp_dir("dudao-bench-demo-")
        try:
            wall, load, counts = time_demo(tmp / "var", "province")
        finally:
            remove_temp_dir(tmp)
        log(f"3. demo --scale province on SQLite: {wall:.2f} s (load {load} s)")
        results.add(
            "3",
            "`dudao demo --scale province`, SQLite, once",
            f"{wall:.2f} s wall (load itself {load} s; {counts})",
            raw={"wall_s": round(wall, 3), "load_s": load},
        )


def run_postgres(results: Results) -> None:
    name = f"dudao_bench_{os.getpid()}"
    _psql(f"CREATE DATABASE {name}")

    def drop() -> None:
        _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    on_cleanup(drop)
    tmp = make_temp_dir("dudao-bench-demo-pg-")
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{name}"
        wall, load, counts = time_demo(tmp / "var", "city", DUDAO_DATABASE_URL=url)
    finally:
        remove_temp_dir(tmp)
        drop()
        forget_cleanup(drop)
    log(f"3. demo --scale city on PostgreSQL: {wall:.2f} s (load {load} s)")
    results.add(
        "3",
        "`dudao demo --scale city`, PostgreSQL, once",
        f"{wall:.2f} s wall (load itself {load} s; {counts})",
        raw={"wall_s": round(wall, 3), "load_s": load},
    )
