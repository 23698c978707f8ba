"""Side by side with a generic data platform (Directus 11.3.5 on SQLite, /work/shared/peer):
the same three questions, asked of both servers interleaved in one run.

    .venv/bin/python -m bench.suite_peer [--skip-postgres] [--runs N] [--scale province|city]
                                         [--peer-dir DIR] [--skip-peer]

For each database (a temp SQLite file; a throw-away PostgreSQL database) a worker subprocess
migrates and loads Dudao through the demo generators (province: ≈ 20,000 projects × 60
months ≈ 1.2 M monthly reports), creates a city-wide 督查员 with a personal API token and
times the raw-SQL floor of Dudao's own tables for each question. Then `dudao serve` (gunicorn,
as in production) serves it and, per question, requests go round-robin: Dudao API (Bearer
token), Directus (admin token), Dudao HTML page (session from the real login form), each on
its own keep-alive connection, after a warm-up. The peer (loaded with
`directus_bench.py load` / `load-rows`, see /work/shared/peer/README.md) is started and
stopped by this suite when its directory (--peer-dir, default $PEER_DIR or
~/.cache/dudao-peer) holds an installed Directus; otherwise, or with `--skip-peer`, Dudao is
measured alone (`--require-peer` makes a missing peer an error). Writes
bench/results/peer.md; exits 1 when Dudao is not ahead (p95 below the peer's on every
question, the analysis within 2× its raw floor, each HTML page within 2× its API figure).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import DUDAO, REPO, base_env
from bench.httpclient import HOST, login, wait_for_200
from bench.procs import (
    ProcessGroup,
    cleanup_all,
    forget_cleanup,
    free_port,
    log,
    make_temp_dir,
    on_cleanup,
    remove_temp_dir,
    run_checked,
)
from bench.stats import percentile

PEER_PORT = 18055
PEER_SETUP = Path("/work/shared/peer/directus-setup.sh")
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]
BENCH_PASSWORD = "Bench-peer-2026!"  # noqa: S105 - throw-away benchmark database only
QUESTIONS = ("list", "history", "analysis")
LABELS = {
    "list": "50-row project list, county + category",
    "history": "one project's 60-month history",
    "analysis": "city analysis, year-to-date by county",
}


# --- worker (inside Django): load, user + token, raw floors -----------------------------------


def _timed_ms(func: Any, runs: int, warm: int = 3) -> dict[str, float]:
    for _ in range(warm):
        func()
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        func()
        values.append((time.perf_counter() - started) * 1000)
    values.sort()
    return {"p50": round(percentile(values, 50), 2), "p95": round(percentile(values, 95), 2)}


def _load(scale: str) -> float:
    import random

    from django.db import connection, transaction

    from dudao.demo.platform import platform
    from dudao.demo.registry import DemoContext
    from dudao.parks.demo import parks
    from dudao.projects.demo import project_progress, projects

    ctx = DemoContext(rng=random.Random(2026), scale=scale, seed=2026, log=lambda s: None)
    started = time.perf_counter()
    with transaction.atomic():
        for gen in (platform, parks, projects, project_progress):
            gen(ctx)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # planner statistics, as autovacuum would gather
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


RAW_LIST = (
    "SELECT * FROM projects_project WHERE county_id = %s AND category_id = %s AND is_active "
    "ORDER BY name, id LIMIT 50"
)
RAW_HISTORY = "SELECT * FROM projects_monthlyreport WHERE project_id = %s ORDER BY year, month"


def worker(scale: str, runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
    django.setup()
    from django.db import connection
    from django.db.models import Count

    from bench.suite_projects import RAW_SQL
    from dudao.accounts.models import User
    from dudao.accounts.roles import Role
    from dudao.accounts.services import create_api_token
    from dudao.orgs.models import Organisation
    from dudao.projects import figures
    from dudao.projects.models import MonthlyReport, Project, ProjectCategory
    from dudao.projects.selectors import previous_month, reporting_period

    built = _load(scale)
    city = Organisation.objects.filter(kind=Organisation.Kind.CITY_GOV).order_by("path").first()
    assert city is not None
    user = User.objects.create(
        username="bench_city",
        full_name="基准测试督查员",
        organisation=city,
        roles=int(Role.SUPERVISOR),
    )
    user.set_password(BENCH_PASSWORD)
    user.save(update_fields=["password"])
    _, token = create_api_token(actor=user, name="基准测试")
    industry = ProjectCategory.objects.get(code="industry").pk
    in_city = Project.objects.filter(county__path__startswith=city.path, is_active=True)
    county = (
        in_city.filter(category_id=industry)
        .values_list("county_id")
        .annotate(n=Count("id"))
        .order_by("-n", "county_id")
        .first()
    )
    assert county is not None
    project = (
        MonthlyReport.objects.filter(project__in=in_city.values("pk"))
        .values_list("project_id")
        .annotate(n=Count("id"))
        .order_by("-n", "project_id")
        .first()
    )
    assert project is not None
    year, month = previous_month(*reporting_period())
    counties = list(
        Organisation.objects.filter(
            kind=Organisation.Kind.COUNTY_GOV, path__startswith=city.path
        ).values_list("pk", flat=True)
    )
    analysis_sql = RAW_SQL.replace(
        "WHERE p.is_active",
        f"WHERE p.is_active AND p.county_id IN ({','.join(map(str, counties))})",
    )
    params: Any = {
        "year": year,
        "month": month,
        "elapsed": figures.elapsed_pct(month),
        "red": 30,
    }

    def raw(sql: str, args: Any) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql, args)
                cursor.fetchall()

        return run

    floors = {
        "list": _timed_ms(raw(RAW_LIST, [county[0], industry]), runs),
        "history": _timed_ms(raw(RAW_HISTORY, [project[0]]), runs),
        "analysis": _timed_ms(raw(analysis_sql, params), runs),
    }
    out = {
        "vendor": connection.vendor,
        "build_s": round(built, 1),
        "projects": Project.objects.count(),
        "reports": MonthlyReport.objects.count(),
        "counties": Organisation.objects.filter(kind=Organisation.Kind.COUNTY_GOV).count(),
        "city": city.name,
        "city_counties": len(counties),
        "token": token,
        "county": county[0],
        "county_projects": county[1],
        "category": industry,
        "project": project[0],
        "project_reports": project[1],
        "period": f"{year}-{month:02d}",
        "floors": floors,
    }
    print("RESULT " + json.dumps(out, default=str))


# --- the peer --------------------------------------------------------------------------------


def _peer_floors(db: Path, runs: int) -> dict[str, dict[str, float]]:
    con = sqlite3.connect(db)
    months = ",".join(f"'2026-{m:02d}'" for m in range(1, 7))
    sql = {
        "list": "SELECT * FROM projects WHERE county_code = '410101' AND category = '产业' "
        "ORDER BY name LIMIT 50",
        "history": "SELECT * FROM reports WHERE project_id = 777 ORDER BY period",
        "analysis": "SELECT county_code, SUM(invest_month) FROM reports WHERE county_code >= "  # noqa: S608 - fixed literals
        f"'410100' AND county_code < '410200' AND period IN ({months}) AND status = 'approved' "
        "GROUP BY county_code",
    }
    try:
        return {k: _timed_ms(lambda q=q: con.execute(q).fetchall(), runs) for k, q in sql.items()}
    finally:
        con.close()


def _peer_paths() -> dict[str, str]:
    q = urllib.parse.quote
    filt = {"county_code": {"_eq": "410101"}, "category": {"_eq": "产业"}}
    agg = {
        "_and": [
            {"county_code": {"_starts_with": "4101"}},
            {"period": {"_in": [f"2026-{m:02d}" for m in range(1, 7)]}},
            {"status": {"_eq": "approved"}},
        ]
    }
    return {
        "list": "/items/projects?limit=50&sort=name&filter=" + q(json.dumps(filt)),
        "history": "/items/reports?limit=-1&sort=period&filter="
        + q(json.dumps({"project_id": {"_eq": 777}})),
        "analysis": "/items/reports?aggregate[sum]=invest_month&groupBy[]=county_code&limit=-1"
        "&filter=" + q(json.dumps(agg)),
    }


def _peer_token() -> str:
    body = json.dumps({"email": "admin@example.com", "password": "peer-bench-Admin-1"})
    conn = http.client.HTTPConnection(HOST, PEER_PORT, timeout=30)
    try:
        conn.request("POST", "/auth/login", body, {"content-type": "application/json"})
        resp = conn.getresponse()
        data = json.loads(resp.read())
    finally:
        conn.close()
    return str(data["data"]["access_token"])


def _peer(action: str, peer_dir: Path) -> None:
    env = {**os.environ, "PEER_DIR": str(peer_dir)}
    subprocess.run(["bash", str(PEER_SETUP), action], env=env, check=action == "start", timeout=180)


# --- interleaved timing over HTTP -----------------------------------------------------------


class Conn:
    """One keep-alive connection with fixed headers; GET returns (status, ms)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.port, self.headers = port, headers
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> tuple[int, float]:
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=self.headers)
                resp = self.conn.getresponse()
                resp.read()
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
                continue
            ms = (time.perf_counter() - started) * 1000
            if resp.will_close:
                self.conn.close()
                self.conn = None
            return resp.status, ms
        raise AssertionError("unreachable")


def _summary(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "n": len(values),
        "p50": round(percentile(values, 50), 1),
        "p95": round(percentile(values, 95), 1),
    }


def _interleaved(
    sides: dict[str, tuple[Conn, dict[str, str]]], runs: int, warm: int = 5
) -> dict[str, dict[str, dict[str, float]]]:
    """Per question: warm each side up, then `runs` rounds of one request per side, the side
    that goes first rotating every round."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    names = list(sides)
    for question in QUESTIONS:
        times: dict[str, list[float]] = {name: [] for name in names}
        for name, (conn, paths) in sides.items():
            for _ in range(warm):
                status, _ms = conn.get(paths[question])
                if status != 200:
                    raise RuntimeError(f"{name} {paths[question]} answered {status}")
        for i in range(runs):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                conn, paths = sides[name]
                status, ms = conn.get(paths[question])
                if status != 200:
                    raise RuntimeError(f"{name} {paths[question]} answered {status}")
                times[name].append(ms)
        out[question] = {name: _summary(v) for name, v in times.items()}
    return out


def _dudao_paths(w: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    api = {
        "list": f"/api/v1/projects?county={w['county']}&category={w['category']}&limit=50",
        "history": f"/api/v1/projects/{w['project']}/reports",
        "analysis": f"/api/v1/project-analysis?period={w['period']}",
    }
    html = {
        "list": f"/projects/?county={w['county']}&category={w['category']}",
        "history": f"/projects/{w['project']}/",
        "analysis": f"/projects/analysis/?period={w['period']}",
    }
    return api, html


def _run_backend(
    label: str, args: argparse.Namespace, peer: Path | None, **extra: str
) -> dict[str, Any]:
    tmp = make_temp_dir("dudao-bench-peer-")
    try:
        env = base_env(tmp / "var", **extra)
        run_checked([DUDAO, "migrate", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
        run_checked([DUDAO, "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, timeout=600)
        log(f"peer bench: loading Dudao ({args.scale}) on {label} …")
        done = run_checked(
            [
                sys.executable,
                "-m",
                "bench.suite_peer",
                "--worker",
                "--scale",
                args.scale,
                "--runs",
                str(args.runs),
            ],
            cwd=REPO,
            env=env,
            timeout=3600,
        )
        line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
        w: dict[str, Any] = json.loads(line[len("RESULT ") :])
        port = free_port()
        serve_env = {**env, "DUDAO_PORT": str(port), "DUDAO_SECURE_COOKIES": "0"}
        group = ProcessGroup(
            "serve", [DUDAO, "serve"], cwd=REPO, env=serve_env, log_path=tmp / "serve.log"
        )
        try:
            if wait_for_200(port, "/login/", timeout=120, still_running=group.alive) is None:
                raise RuntimeError(f"dudao serve did not answer /login/:\n{group.tail(30)}")
            session = login(port, "bench_city", BENCH_PASSWORD)
            api, html = _dudao_paths(w)
            sides: dict[str, tuple[Conn, dict[str, str]]] = {
                "dudao_api": (Conn(port, {"Authorization": f"Bearer {w['token']}"}), api),
                "dudao_html": (Conn(port, {"Cookie": session.cookie_header}), html),
            }
            if peer is not None:
                tok = _peer_token()
                sides["peer"] = (Conn(PEER_PORT, {"Authorization": f"Bearer {tok}"}), _peer_paths())
            log(f"peer bench: timing {', '.join(sides)} interleaved ({args.runs} rounds) …")
            load_before = os.getloadavg()[0]
            w["http"] = _interleaved(sides, args.runs)
            w["loadavg"] = (round(load_before, 1), round(os.getloadavg()[0], 1))
        finally:
            group.stop(timeout=30.0)
        if peer is not None:
            w["peer_floors"] = _peer_floors(peer / "data.db", args.runs)
        return w
    finally:
        remove_temp_dir(tmp)


# --- results ---------------------------------------------------------------------------------


def _check(r: dict[str, Any]) -> list[str]:
    missed = []
    h, v = r["http"], r["vendor"]
    for q in QUESTIONS:
        api, page = h[q]["dudao_api"]["p95"], h[q]["dudao_html"]["p95"]
        if page > 2 * api:
            missed.append(f"{v}: {q} HTML p95 {page} ms > 2 × API {api} ms")
        if "peer" in h[q] and q != "analysis" and api >= h[q]["peer"]["p95"]:
            missed.append(f"{v}: {q} API p95 {api} ms ≥ peer {h[q]['peer']['p95']} ms")
    floor = r["floors"]["analysis"]["p95"]
    if h["analysis"]["dudao_api"]["p95"] > 2 * floor:
        missed.append(
            f"{v}: analysis API p95 {h['analysis']['dudao_api']['p95']} ms > 2 × raw floor {floor}"
        )
    if (
        "peer" in h["analysis"]
        and h["analysis"]["dudao_api"]["p95"] >= h["analysis"]["peer"]["p95"]
    ):
        missed.append(f"{v}: analysis API p95 not below the peer's")
    return missed


def _markdown(results: list[dict[str, Any]], missed: list[str], seconds: float) -> str:
    def ms(d: dict[str, float] | None) -> str:
        return f"{d['p50']} / {d['p95']}" if d else "—"

    lines = [
        "# Dudao side by side with Directus 11.3.5 (same shape of data, interleaved)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M %Z')}, {os.cpu_count()} cores shared with other "
        f"work; whole suite {seconds:.0f} s. Over HTTP on loopback: `dudao serve` (gunicorn, "
        "its default workers) and Directus (`npx directus start`, SQLite), requests "
        "round-robin per question after 5 warm-up requests each; client-side ms from sending "
        "the request to having read the body (p50 / p95). Raw floor: the same question as one "
        "SQL statement over the server's own tables, in-process.",
        "",
    ]
    for r in results:
        h = r["http"]
        lines += [
            f"## Dudao on {r['vendor']}",
            "",
            f"Dudao: {r['projects']} projects, {r['reports']} monthly reports, {r['counties']} "
            f"counties (demo generators, {r['build_s']} s); a city-wide 督查员 of {r['city']} "
            f"({r['city_counties']} counties) with a Bearer token (API) and a session (pages). "
            f"List: county {r['county']} × 产业 ({r['county_projects']} projects); history: "
            f"project {r['project']} ({r['project_reports']} reports); analysis: "
            f"{r['period']}. Directus (always SQLite): 20,000 projects, 1,200,000 reports, "
            "admin user (no permission filter).",
            "",
            "| question | Dudao API | Directus | Dudao ÷ Directus (p95) | Dudao page | page ÷ API "
            "(p95) | raw floor Dudao | raw floor Directus |",
            "|---|---|---|---|---|---|---|---|",
        ]
        if "loadavg" in r:
            lines[-3:-3] = [
                f"Machine load (1-minute load average, {os.cpu_count()} cores) before / after "
                f"the timed rounds: {r['loadavg'][0]} / {r['loadavg'][1]}.",
                "",
            ]
        for q in QUESTIONS:
            api, page, peer = h[q]["dudao_api"], h[q]["dudao_html"], h[q].get("peer")
            ratio = f"{api['p95'] / peer['p95']:.2f}×" if peer else "—"
            pf = r.get("peer_floors", {}).get(q)
            lines.append(
                f"| {LABELS[q]} | {ms(api)} | {ms(peer)} | {ratio} | {ms(page)} | "
                f"{page['p95'] / api['p95']:.2f}× | {ms(r['floors'][q])} | {ms(pf)} |"
            )
        a, f = h["analysis"]["dudao_api"], r["floors"]["analysis"]
        lines += ["", f"Analysis API ÷ its raw floor (p95): {a['p95'] / f['p95']:.2f}×.", ""]
    lines += ["## Verdict", ""]
    if not any("peer" in r["http"]["list"] for r in results):
        lines += ["- The peer was not installed or was skipped: Dudao's side only."]
    lines += [f"- MISSED: {m}" for m in missed] or ["- Every target met."]
    return "\n".join(lines) + "\n"


def _psql(sql: str) -> None:
    run_checked(
        [shutil.which("psql") or "psql", *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--scale", choices=["province", "city"], default="province")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-peer", action="store_true", help="measure Dudao alone")
    parser.add_argument(
        "--require-peer", action="store_true", help="fail when the peer is not installed"
    )
    parser.add_argument(
        "--peer-dir",
        default=os.environ.get("PEER_DIR", str(Path.home() / ".cache" / "dudao-peer")),
        help="the Directus install loaded by /work/shared/peer/directus_bench.py",
    )
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.scale, args.runs)
        return 0
    peer_dir = Path(args.peer_dir)
    peer = None
    if not args.skip_peer:
        if (peer_dir / "node_modules" / ".bin" / "directus").exists():
            peer = peer_dir
        elif args.require_peer:
            log(f"peer bench: no Directus under {peer_dir} (see /work/shared/peer/README.md)")
            return 1
        else:
            log(f"peer bench: no Directus under {peer_dir}: measuring Dudao alone")
    started = time.perf_counter()
    results = []
    try:
        if peer is not None:
            _peer("start", peer)
            on_cleanup(lambda: _peer("stop", peer_dir))
        results.append(_run_backend("SQLite", args, peer))
        _write(results, started)  # kept should a later database fail
        if not args.skip_postgres:
            name = f"dudao_bench_peer_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            try:
                url = f"postgres://postgres@127.0.0.1:5432/{name}"
                results.append(_run_backend("PostgreSQL", args, peer, DUDAO_DATABASE_URL=url))
            finally:
                drop()
                forget_cleanup(drop)
    finally:
        cleanup_all()
    missed = _write(results, started)
    print((REPO / "bench" / "results" / "peer.md").read_text(encoding="utf-8"))
    return 1 if missed else 0


def _write(results: list[dict[str, Any]], started: float) -> list[str]:
    """Write bench/results/peer.md for the databases measured so far; the targets missed."""
    missed = [m for r in results for m in _check(r)]
    text = _markdown(results, missed, time.perf_counter() - started)
    (REPO / "bench" / "results" / "peer.md").write_text(text, encoding="utf-8")
    return missed


if __name__ == "__main__":
    sys.exit(main())
