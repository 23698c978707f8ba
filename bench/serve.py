"""Benchmarks 2 and 4: page and API latency under `dudao serve`, then worker peak RSS."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from bench.common import DUDAO, REPO, base_env
from bench.httpclient import LoggedIn, login, measure, wait_for_200, warm_up
from bench.procs import (
    OtherCpu,
    ProcessGroup,
    children_of,
    free_port,
    log,
    make_temp_dir,
    pids_in_group,
    proc_status_kb,
    remove_temp_dir,
    run_checked,
    wait_quiet,
)
from bench.report import Results
from dudao.demo.registry import DEMO_PASSWORD

P95_TARGET_MS = 50.0
PATHS = ["/", "/api/v1/me"]
USERS = [  # (username, scope)
    ("demo_supervisor", "city-wide: 市督查室"),
    ("demo_reporter", "county: 明湖区发改局"),
]


def prepare_data_dir(data_dir: Path) -> None:
    """migrate, demo --scale city, collectstatic into a fresh data dir."""
    env = base_env(data_dir)
    for argv in (
        [DUDAO, "migrate", "--noinput", "-v0"],
        [DUDAO, "demo", "--scale", "city"],
        [DUDAO, "collectstatic", "--noinput", "-v0"],
    ):
        run_checked(argv, cwd=REPO, env=env, timeout=600)


def _hwm_mb(pids: list[int]) -> dict[int, float]:
    """VmHWM (peak resident set) of each pid, in MB."""
    found = {pid: proc_status_kb(pid, "VmHWM") for pid in pids}
    return {pid: kb / 1024 for pid, kb in found.items() if kb is not None}


@dataclass(frozen=True)
class Load:
    """How benchmark 2 loads the server."""

    requests: int = 500
    warmup: int = 20
    threads: int = 4
    workers: int | None = None
    quiet_wait: float = 60.0  # seconds to wait, before each series, for other load to calm
    quiet_limit: float = 15.0  # … until other processes use less than this % of the CPUs


def _measure_user(
    results: Results, port: int, session: LoggedIn, label: str, *, load: Load, ours: OwnPids
) -> None:
    for path in PATHS:
        for clients in (1, load.threads):
            before = wait_quiet(ours, limit_pct=load.quiet_limit, max_wait=load.quiet_wait)
            meter = OtherCpu(ours)
            meter.start()
            summary = measure(
                port, session.cookie_header, path, total=load.requests, threads=clients
            )
            others = meter.percent()
            mode = "sequential" if clients == 1 else f"{clients} threads"
            log(
                f"   {session.username} GET {path} {mode}: {summary.describe()} "
                f"(other processes: {before:.0f}% CPU before, {others:.0f}% during)"
            )
            results.latency.append(
                {
                    "user": session.username,
                    "scope": label,
                    "path": path,
                    "clients": clients,
                    **summary.as_dict(),
                    "other_cpu_pct": round(others, 1),
                }
            )
            results.add(
                "2",
                f"`{path}` p95, {session.username} ({label}), {mode}",
                f"{summary.p95_ms:.1f} ms ({summary.describe()}; "
                f"{summary.errors} errors / {summary.n}; other processes {others:.0f}% CPU)",
                f"≤ {P95_TARGET_MS:.0f} ms, 0 errors",
                summary.p95_ms <= P95_TARGET_MS and summary.errors == 0,
                raw=summary.as_dict(),
            )


class OwnPids:
    """This process and the server's process group: the CPU use that is ours."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid

    def __call__(self) -> list[int]:
        return [os.getpid(), *pids_in_group(self.pgid)]


def _serve_and_measure(results: Results, group: ProcessGroup, port: int, load: Load) -> None:
    if wait_for_200(port, "/login/", timeout=120, still_running=group.alive) is None:
        raise RuntimeError(f"dudao serve did not answer /login/:\n{group.tail(30)}")
    worker_pids = children_of(group.proc.pid)  # `dudao serve` execs gunicorn: pid = master
    default = max(2, (os.cpu_count() or 1) + 1)
    how = (
        f"DUDAO_WORKERS={load.workers}"
        if load.workers
        else f"its default max(2, nproc+1) = {default}"
    )
    results.add("2", "gunicorn workers × threads (gthread)", f"{len(worker_pids)} × 2 ({how})")
    log(f"   gunicorn on port {port}, workers {worker_pids}")
    phases = {"booted": _hwm_mb(worker_pids)}
    sessions = [(login(port, name, DEMO_PASSWORD), label) for name, label in USERS]
    phases["after 2 logins"] = _hwm_mb(worker_pids)
    for session, _ in sessions:
        warm_up(port, session.cookie_header, PATHS, load.warmup)
    phases["after warm-up"] = _hwm_mb(worker_pids)
    ours = OwnPids(group.pgid)
    for session, label in sessions:
        _measure_user(results, port, session, label, load=load, ours=ours)
    phases["after load"] = _hwm_mb(worker_pids)
    _record_rss(results, worker_pids, group.proc.pid, phases)


def run(results: Results, load: Load, *, keep: bool = False) -> None:
    """Serve the demo city with gunicorn, measure, read the workers' VmHWM; add rows."""
    tmp = make_temp_dir("dudao-bench-serve-")
    try:
        log("2. preparing a city-scale data dir (migrate, demo --scale city, collectstatic)")
        prepare_data_dir(tmp / "var")
        port = free_port()
        extra = {"DUDAO_PORT": str(port), "DUDAO_SECURE_COOKIES": "0"}
        if load.workers is not None:
            extra["DUDAO_WORKERS"] = str(load.workers)
        env = base_env(tmp / "var", **extra)
        group = ProcessGroup(
            "serve", [DUDAO, "serve"], cwd=REPO, env=env, log_path=tmp / "serve.log"
        )
        try:
            _serve_and_measure(results, group, port, load)
        finally:
            group.stop(timeout=30.0)
    finally:
        if keep:
            log(f"   kept {tmp}")
        else:
            remove_temp_dir(tmp)


def _record_rss(
    results: Results, workers: list[int], master: int, phases: dict[str, dict[int, float]]
) -> None:
    peak = phases["after load"]
    if not peak:
        results.errors.append(f"4. could not read VmHWM of gunicorn workers {workers}")
        return
    peak_pid = max(peak, key=lambda p: peak[p])
    rss = {pid: (proc_status_kb(pid, "VmRSS") or 0) / 1024 for pid in workers}
    master_mb = (proc_status_kb(master, "VmHWM") or 0) / 1024
    results.add(
        "4",
        "Peak RSS (VmHWM) of one gunicorn worker after the load in 2",
        f"{peak[peak_pid]:.1f} MB (pid {peak_pid}; its VmRSS now {rss.get(peak_pid, 0):.0f} MB; "
        f"master {master_mb:.0f} MB)",
        raw={"phases": {k: {str(p): round(v, 1) for p, v in d.items()} for k, d in phases.items()}},
    )
    timeline = "; ".join(
        f"{phase}: " + "/".join(f"{mb:.0f}" for _, mb in sorted(d.items()))
        for phase, d in phases.items()
    )
    results.add("4", "  VmHWM of each worker (MB) by phase", timeline)
