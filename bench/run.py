"""Run every Dudao benchmark and write bench/results/latest.{md,json}.

    .venv/bin/python -m bench.run [--skip-clone] [--skip-postgres] [--skip-province] …

All traffic stays on 127.0.0.1; every loop is bounded; every process started here runs in its
own process group and is stopped, and every temp dir and PostgreSQL database removed, also when
a benchmark fails or the run is interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from bench import clone, crash, demo_time, serve
from bench.common import REPO
from bench.procs import cleanup_all, log
from bench.report import Results, summary_table, write

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def _sh(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "n/a"
    return done.stdout.strip() or "n/a"


def machine_facts() -> dict[str, str]:
    """What the numbers depend on."""
    import django

    cpu = "n/a"
    mem = "n/a"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError, IndexError):
        pass
    head = _sh(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    dirty = _sh(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"])
    psql = shutil.which("psql")
    pg = (
        _sh([psql, "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"])
        if psql
        else "n/a"
    )
    return {
        "date": datetime.now(tz=UTC).astimezone().isoformat(timespec="seconds"),
        "git HEAD": head + (" (+ uncommitted changes in tracked files)" if dirty != "n/a" else ""),
        "nproc": _sh(["nproc"]),
        "CPU": cpu,
        "memory": mem,
        "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python (bench/.venv)": platform.python_version(),
        "python3 used by `make run` for the clone's venv": _sh(
            ["python3", "-c", "import platform; print(platform.python_version())"]
        ),
        "Django": django.get_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL server": pg,
        "kernel": platform.release(),
        "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE", "unset"),
        "client": "same machine as the server (the load generator competes for the 2 cores)",
    }


def _raise_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--skip-clone", action="store_true", help="skip benchmark 1 (fresh clone → make run)"
    )
    parser.add_argument(
        "--skip-serve", action="store_true", help="skip benchmarks 2 and 4 (latency, RSS)"
    )
    parser.add_argument(
        "--skip-demo", action="store_true", help="skip benchmark 3 (demo load times)"
    )
    parser.add_argument("--skip-postgres", action="store_true", help="skip the PostgreSQL demo run")
    parser.add_argument(
        "--skip-province", action="store_true", help="skip the province-scale demo run"
    )
    parser.add_argument(
        "--requests", type=int, default=500, help="measured requests per series (500)"
    )
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per path (20)")
    parser.add_argument(
        "--threads", type=int, default=4, help="client threads of the concurrent run (4)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="DUDAO_WORKERS for `dudao serve` (default: its own)",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="before each latency series wait up to this many seconds for other load to calm (60)",
    )
    parser.add_argument(
        "--quiet-limit",
        type=float,
        default=15.0,
        help="'calm' = other processes below this %% of all CPUs over 3 s (15)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="SQLite city demo repetitions (3)")
    parser.add_argument(
        "--crash-runs",
        type=int,
        default=0,
        help="SIGKILL-mid-write runs per kill point (bench/crash.py; 0 = skipped, the default: "
        "each run takes about a minute; `make bench CRASH_RUNS=20`)",
    )
    parser.add_argument(
        "--crash-db", choices=("sqlite", "postgres", "both"), default="sqlite", help="(sqlite)"
    )
    parser.add_argument("--keep", action="store_true", help="keep temp dirs (for debugging)")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="results directory")
    args = parser.parse_args(argv)
    if not 0 <= args.crash_runs <= 100:
        parser.error("--crash-runs must be between 0 and 100")
    for name in ("requests", "warmup", "threads", "repeats"):
        if not 0 < getattr(args, name) <= 100_000:
            parser.error(f"--{name} must be between 1 and 100000")
    return args


def _step(results: Results, name: str, func: Callable[[], None]) -> None:
    """Run one benchmark; a failure is recorded and the next benchmark still runs."""
    started = time.monotonic()
    try:
        func()
    except Exception as exc:
        log(f"{name} FAILED: {exc}")
        results.errors.append(f"{name}: {exc}\n{traceback.format_exc(limit=3)}")
    log(f"{name} took {time.monotonic() - started:.0f} s")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_sigterm)
    results = Results(machine=machine_facts())
    results.notes += [
        "Latency is measured client-side over keep-alive HTTP/1.1 connections from the same "
        "machine (server and client share the 2 cores); each request's time includes reading "
        "the whole body. Non-200 answers count as errors.",
        "The fresh clone builds its .venv from scratch; package caches (uv, pip) are whatever "
        "this machine already holds, so the install step is a warm-cache figure.",
        "`make run` in the clone only sees committed work (git clone of HEAD).",
    ]
    try:
        if not args.skip_clone:
            _step(results, "1. fresh clone → make run", lambda: clone.run(results, keep=args.keep))
        if not args.skip_serve:
            _step(
                results,
                "2/4. serve latency and RSS",
                lambda: serve.run(
                    results,
                    serve.Load(
                        requests=args.requests,
                        warmup=args.warmup,
                        threads=args.threads,
                        workers=args.workers,
                        quiet_wait=args.quiet_wait,
                        quiet_limit=args.quiet_limit,
                    ),
                    keep=args.keep,
                ),
            )
        if not args.skip_demo:
            _step(
                results,
                "3. demo on SQLite",
                lambda: demo_time.run_sqlite(
                    results, repeats=args.repeats, province=not args.skip_province
                ),
            )
            if not args.skip_postgres:
                _step(results, "3. demo on PostgreSQL", lambda: demo_time.run_postgres(results))
        if args.crash_runs:
            dbs = ["sqlite", "postgres"] if args.crash_db == "both" else [args.crash_db]
            _step(
                results,
                "crash. SIGKILL mid-write",
                lambda: crash.add_to(results, runs=args.crash_runs, dbs=dbs),
            )
    except BaseException as exc:  # Ctrl-C, SIGTERM: say so in the results, then clean up
        results.errors.append(f"run interrupted ({type(exc).__name__}); results are partial")
        raise
    finally:
        cleanup_all()
        md, js = write(results, args.out)
    print()
    print(summary_table(results))
    print()
    for error in results.errors:
        print(f"ERROR: {error}")
    print(f"Overall: {'FAIL' if results.failed else 'PASS'}  —  written {md} and {js}")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
