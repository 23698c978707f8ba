"""Benchmark 1: fresh `git clone` of HEAD → `make run` → first 200 from /login/."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.common import REPO, base_env
from bench.httpclient import wait_for_200
from bench.procs import (
    ProcessGroup,
    free_port,
    log,
    make_temp_dir,
    pids_in_group,
    port_is_free,
    remove_temp_dir,
    run_checked,
)
from bench.report import Results

TARGET_S = 90.0
HARD_LIMIT_S = 600.0
SECTION = "1"


def uv_cache_state() -> str:
    """Whether uv's cache already held something before the clone was installed."""
    cache = Path.home() / ".cache" / "uv"
    try:
        out = subprocess.run(
            ["du", "-sm", str(cache)], capture_output=True, text=True, timeout=60, check=False
        ).stdout.split()
    except (OSError, subprocess.TimeoutExpired):
        out = []
    if not cache.exists():
        return "cold (no ~/.cache/uv)"
    return f"warm (~/.cache/uv {out[0]} MB before the run)" if out else "warm (~/.cache/uv exists)"


class _Watcher:
    """Notes when each milestone file of `make run` first appears."""

    def __init__(self, repo: Path, data_dir: Path, started: float) -> None:
        self.milestones = {
            "venv created": repo / ".venv/bin/python",
            "uv installed": repo / ".venv/bin/uv",
            "packages installed": repo / ".venv/.runtime",
            "migrate started": data_dir / "dudao.sqlite3",
            "static collected": data_dir / "static/staticfiles.json",
        }
        self.started = started
        self.seen: dict[str, float] = {}

    def __call__(self) -> None:
        for label, path in self.milestones.items():
            if label not in self.seen and path.exists():
                self.seen[label] = time.monotonic() - self.started


def _breakdown(watcher: _Watcher, group: ProcessGroup) -> str:
    marks = dict(watcher.seen)
    for label, needle in (
        ("demo generation started", "生成："),
        ("demo logins printed", "demo_supervisor"),
        ("serve banner", "督导 Dudao 运行于"),
        ("gunicorn listening", "Listening at"),
    ):
        at = group.first_line_time(needle)
        if at is not None:
            marks[label] = at
    ordered = sorted(marks.items(), key=lambda kv: kv[1])
    return "; ".join(f"{label} @{at:.1f}s" for label, at in ordered) or "n/a"


def _make_run(repo: Path, tmp: Path, sha: str) -> tuple[float, ProcessGroup, _Watcher, int]:
    """Start `make run`, wait for /login/ to answer 200, stop it; return the measurements."""
    port = free_port()
    env = base_env(tmp / "var", DUDAO_PORT=str(port))
    log(f"1. fresh clone of {sha}: `make run` in {repo} on port {port}")
    group = ProcessGroup("make-run", ["make", "run"], cwd=repo, env=env, log_path=tmp / "run.log")
    watcher = _Watcher(repo, tmp / "var", group.started)
    try:
        ready_at = wait_for_200(
            port, "/login/", timeout=HARD_LIMIT_S, still_running=group.alive, on_poll=watcher
        )
        if ready_at is None:
            state = "it exited" if not group.alive() else f"no 200 within {HARD_LIMIT_S:.0f} s"
            raise RuntimeError(
                f"`make run` in a fresh clone of {sha} failed ({state}); last output:\n"
                + group.tail(40)
            )
    finally:
        group.stop(timeout=30.0)
    return ready_at - group.started, group, watcher, port


def run(results: Results, *, keep: bool = False) -> None:
    """Clone, `make run`, poll, check, stop, verify the port is free; add rows to results."""
    cache = uv_cache_state()
    tmp = make_temp_dir("dudao-bench-clone-")
    repo = tmp / "repo"
    try:
        env = base_env(tmp)
        run_checked(
            ["git", "clone", "--quiet", str(REPO), str(repo)], cwd=tmp, env=env, timeout=120
        )
        sha = run_checked(
            ["git", "rev-parse", "--short", "HEAD"], cwd=repo, env=env, timeout=30
        ).stdout.strip()
        elapsed, group, watcher, port = _make_run(repo, tmp, sha)
        leftover = pids_in_group(group.pgid)
        time.sleep(0.5)
        free = port_is_free(port)
        printed = "demo_supervisor" in group.output()
        uv_used = (repo / ".venv" / "bin" / "uv").exists()
        log(f"   first 200 after {elapsed:.1f} s; logins printed: {printed}; port free: {free}")
        results.add(
            SECTION,
            f"Fresh clone ({sha}) → `make run` → first 200 on /login/",
            f"{elapsed:.1f} s",
            f"≤ {TARGET_S:.0f} s",
            elapsed <= TARGET_S,
            raw=round(elapsed, 2),
        )
        results.add(
            SECTION, "  timeline (seconds after `make run` started)", _breakdown(watcher, group)
        )
        results.add(
            SECTION,
            "  demo logins printed (`demo_supervisor` in output)",
            "yes" if printed else "no",
            "yes",
            printed,
        )
        gone = "yes" if not leftover else f"no, left: {leftover}"
        results.add(
            SECTION,
            "  after stop: process group gone, port free",
            f"group gone: {gone}; port free: {'yes' if free else 'no'}",
            "yes",
            not leftover and free,
        )
        results.add(
            SECTION,
            "  uv used (.venv/bin/uv in the clone)",
            f"{'yes' if uv_used else 'no (pip fallback)'}; uv cache {cache}",
        )
    finally:
        if keep:
            log(f"   kept {tmp}")
        else:
            remove_temp_dir(tmp)
