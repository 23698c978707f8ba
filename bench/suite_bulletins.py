"""Benchmark of 督查通报 at province scale.

    .venv/bin/python -m bench.suite_bulletins [--runs 60] [--skip-postgres] [--scale province]

For SQLite (a temp file) and PostgreSQL (a throw-away `dudao_bench_bulletins_<pid>` database,
dropped afterwards): migrate, `dudao demo --scale province`, then in a child process with
Django set up:

1. for every city of the province, a 督查员 of that city drafts the monthly 重大项目建设进展通报
   for the reporting month and the .docx is rendered — "data to .docx bytes", timed per city
   (target ≤ 2 s each) and for all cities in one run;
2. an archive of a year of issued bulletins per city (the drafts above, signed, then copied to
   the other months with their own numbers), and the archive page (first page, newest first;
   and a full-text search) through the whole Django stack for a city 督查员 and a province
   督查员 — p50/p95 over `--runs` calls (target p95 ≤ 150 ms).

Writes bench/results/bulletins.md and exits 1 when a target is missed.
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

TARGETS_MS = {"draft": 2000.0, "archive": 150.0}
RESULTS = REPO / "bench" / "results" / "bulletins.md"
PG = ["-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c"]


# --- the measuring child (runs inside Django) ----------------------------------------------------


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


def _user(username: str, org: Any, full_name: str) -> Any:
    from dudao.accounts.models import User
    from dudao.accounts.roles import Role

    user, _ = User.objects.get_or_create(
        username=username,
        defaults={"full_name": full_name, "organisation": org, "roles": int(Role.SUPERVISOR)},
    )
    return user


def _archive(drafts: list[Any], months: int) -> int:
    """Sign each city's draft, then copy it to the earlier months as issued bulletins."""
    from django.db import transaction

    from dudao.bulletins import services
    from dudao.bulletins.models import Bulletin, BulletinFigure
    from dudao.core.periods import Period

    leader = _user("bench_leader", drafts[0].issuer_org, "领导（基准）")
    from dudao.accounts.roles import Role

    leader.roles = int(Role.LEADER)
    leader.save(update_fields=["roles"])
    made = 0
    for draft in drafts:
        leader.organisation = draft.scope_org
        leader.save(update_fields=["organisation"])
        b = services.submit(actor=draft.author, bulletin=draft, version=draft.version)
        b = services.approve(actor=leader, bulletin=b, version=b.version)
        figures = list(BulletinFigure.objects.filter(bulletin=b))
        recipients = list(b.recipients.all())
        period = Period.month(b.period.year, b.period.month)
        with transaction.atomic():
            for _ in range(months - 1):
                period = period.previous_month()
                seq = services.next_number(b.kind, period.year)
                copy = Bulletin.objects.get(pk=b.pk)
                copy.pk = None
                copy.period = period.first_day
                copy.year = period.year
                copy.seq = seq
                copy.number_text = f"{b.kind.org_code}〔{period.year}〕{seq}号"
                copy.title = b.title.replace(
                    f"{b.period.year}年{b.period.month}月", f"{period.year}年{period.last_month}月"
                )
                copy.save()
                copy.recipients.set(recipients)
                BulletinFigure.objects.bulk_create(
                    BulletinFigure(**{**_fields(f), "bulletin": copy}) for f in figures
                )
                made += 1
        made += 1
    return made


def _fields(f: Any) -> dict[str, Any]:
    return {
        k.name: getattr(f, k.name)
        for k in f._meta.concrete_fields
        if k.name not in ("id", "bulletin")
    }


def inner(runs: int) -> None:
    import django

    django.setup()
    from django.test import Client
    from django.urls import reverse

    from dudao.bulletins import services
    from dudao.bulletins.models import Bulletin
    from dudao.bulletins.render import render_docx
    from dudao.core.periods import Period
    from dudao.orgs.models import Organisation
    from dudao.projects.selectors import reporting_period

    year, month = reporting_period()
    period = Period.month(year, month)
    cities = list(
        Organisation.objects.filter(kind=Organisation.Kind.CITY_GOV, is_active=True).order_by(
            "path"
        )
    )
    out: dict[str, Any] = {"runs": runs, "cities": len(cities), "period": period.key}
    per_city: list[float] = []
    drafts = []
    docx_bytes = 0
    t_all = time.perf_counter()
    for i, city in enumerate(cities):
        user = _user(f"bench_sup_{i}", city, f"督查员{i}（基准）")
        t0 = time.perf_counter()
        draft = services.make_draft(actor=user, kind="projects", period=period, scope=city)
        data = render_docx(draft)
        per_city.append(time.perf_counter() - t0)
        docx_bytes = max(docx_bytes, len(data))
        drafts.append(draft)
    total = time.perf_counter() - t_all
    summary = summarise(per_city, 0, total)
    out["draft"] = {
        "p50": summary.p50_ms,
        "p95": summary.p95_ms,
        "max": summary.max_ms,
        "total_s": total,
        "docx_kb": docx_bytes // 1024,
        "projects": Bulletin.objects.get(pk=drafts[0].pk).figures.get(key="projects").display,
    }
    out["archive_size"] = _archive(drafts, 12)
    province = Organisation.objects.filter(kind=Organisation.Kind.PROVINCE_GOV).first()
    readers = [("city", drafts[0].author)]
    if province is not None:
        readers.append(("province", _user("bench_province_sup", province, "省督查员（基准）")))
    for label, user in readers:
        client = Client()
        client.force_login(user)
        url = reverse("bulletins:list")
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        out[f"archive_{label}"] = {
            **_time(lambda c=client, u=url: c.get(u), runs),
            "visible": Bulletin.objects.visible_to(user).count(),
        }
        out[f"search_{label}"] = _time(
            lambda c=client, u=url: c.get(u, {"q": "红灯", "kind": "projects"}), runs
        )
    print("RESULT " + json.dumps(out, ensure_ascii=False))


# --- the driver -------------------------------------------------------------------------------


def build_and_measure(
    label: str, data_dir: Path, runs: int, scale: str, **extra: str
) -> dict[str, Any]:
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
    log(f"{label}: demo --scale {scale}")
    t0 = time.perf_counter()
    run_checked([DUDAO, "demo", "--scale", scale], cwd=REPO, env=env, timeout=1800)
    demo_s = time.perf_counter() - t0
    log(f"{label}: demo took {demo_s:.1f} s; measuring")
    done = run_checked(
        [sys.executable, "-m", "bench.suite_bulletins", "--inner", "--runs", str(runs)],
        cwd=REPO,
        env=env,
        timeout=1800,
    )
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
    result["demo_s"] = demo_s
    result["scale"] = scale
    return result


def _psql(sql: str) -> None:
    import shutil

    run_checked(
        [shutil.which("psql") or "psql", *PG, sql], cwd=REPO, env=dict(os.environ), timeout=120
    )


def report(results: dict[str, dict[str, Any]]) -> tuple[str, bool]:
    first = next(iter(results.values()))
    lines = [
        f"# 督查通报 benchmark ({first['scale']} scale)",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M:%S %Z')} on {os.cpu_count()} CPUs (shared machine). "
        f"`python -m bench.suite_bulletins`; data from `dudao demo --scale {first['scale']}`.",
        "",
        "| Database | Metric | p50 ms | p95 ms | Target (p95) | Result |",
        "|---|---|---|---|---|---|",
    ]
    ok = True
    for db, r in results.items():
        d = r["draft"]
        passed = d["max"] <= TARGETS_MS["draft"]
        ok = ok and passed
        lines.append(
            f"| {db} | Monthly 重大项目 bulletin, data → .docx bytes, per city "
            f"({r['cities']} cities, max {d['max']:.0f} ms, .docx ≤ {d['docx_kb']} KB) | "
            f"{d['p50']:.0f} | {d['p95']:.0f} | ≤ {TARGETS_MS['draft']:.0f} (each) | "
            f"{'PASS' if passed else 'FAIL'} |"
        )
        lines.append(
            f"| {db} | All {r['cities']} cities in one run (info) | "
            f"{d['total_s'] * 1000:.0f} | — | — | info |"
        )
        for key, name in (
            ("archive_city", "Archive page 1, city 督查员"),
            ("archive_province", "Archive page 1, province 督查员"),
            ("search_city", "Archive search (kind + text), city 督查员"),
            ("search_province", "Archive search (kind + text), province 督查员"),
        ):
            if key not in r:
                continue
            m = r[key]
            passed = m["p95"] <= TARGETS_MS["archive"]
            ok = ok and passed
            extra = f" ({m['visible']} visible)" if "visible" in m else ""
            lines.append(
                f"| {db} | {name}{extra} | {m['p50']:.1f} | {m['p95']:.1f} | "
                f"≤ {TARGETS_MS['archive']:.0f} | {'PASS' if passed else 'FAIL'} |"
            )
        lines.append(
            f"| {db} | `demo --scale {r['scale']}` (info; archive {r['archive_size']} bulletins) | "
            f"{r['demo_s'] * 1000:.0f} | — | — | info |"
        )
    lines += [
        "",
        f"Period {first['period']}. Page latencies are measured in-process through Django's "
        f"test client (no network), {first['runs']} calls after 3 warm-up calls.",
    ]
    return "\n".join(lines) + "\n", ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--scale", choices=["city", "province"], default="province")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        inner(args.runs)
        return 0
    results: dict[str, dict[str, Any]] = {}
    try:
        tmp = make_temp_dir("dudao-bench-bulletins-")
        try:
            results["SQLite"] = build_and_measure("SQLite", tmp / "var", args.runs, args.scale)
        finally:
            remove_temp_dir(tmp)
        if not args.skip_postgres:
            name = f"dudao_bench_bulletins_{os.getpid()}"
            _psql(f"CREATE DATABASE {name}")

            def drop() -> None:
                _psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

            on_cleanup(drop)
            tmp = make_temp_dir("dudao-bench-bulletins-pg-")
            try:
                results["PostgreSQL"] = build_and_measure(
                    "PostgreSQL",
                    tmp / "var",
                    args.runs,
                    args.scale,
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
