"""Run in a subprocess after a crash and restart (bench/crash.py): what the database holds,
read with plain SQL over the tables — not through the application's services or selectors —
printed as JSON for the parent to judge.

    python tests_system/crash_check.py CONFIG.json SINCE_SEQ

CONFIG.json is crash_setup.py's output; SINCE_SEQ the audit chain head before the run. The
"problems" lists are sets of keys that break an invariant; the parent compares them with the
same lists taken before the run (the demo's own data is the baseline, only new breaks count).
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.db import connection  # noqa: E402

COPY_MARK = "%（压力测试副本%"


def _rows(sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return list(cursor.fetchall())


def _cents(value: Any) -> int:
    return int((Decimal(str(value or 0)) * 100).quantize(Decimal(1)))


def _import(config: dict[str, Any], since: int) -> dict[str, Any]:
    months = [y * 100 + m for y, m in config["months"]]
    marks = ", ".join(["%s"] * len(months))
    (rows,) = _rows(
        "SELECT COUNT(*) FROM projects_monthlyreport r JOIN projects_project p "  # noqa: S608
        f"ON p.id = r.project_id WHERE p.name LIKE %s AND r.year * 100 + r.month IN ({marks})",
        [COPY_MARK, *months],
    )[0]
    events = _rows(
        "SELECT after FROM audit_auditevent WHERE action = 'project.import' AND seq > %s",
        [since],
    )
    created = []
    for (after,) in events:
        data = json.loads(after) if isinstance(after, str) else after
        created.append(int(data.get("created", 0)))
    return {"rows": rows, "events": len(events), "created_by_events": created}


def _bulk(config: dict[str, Any], since: int) -> dict[str, Any]:
    ids = [pk for pk, _ in config["bulk"]]
    marks = ", ".join(["%s"] * len(ids))
    approved = {
        pk
        for (pk,) in _rows(
            f"SELECT id FROM projects_monthlyreport WHERE id IN ({marks}) "  # noqa: S608
            "AND status = 'approved'",
            ids,
        )
    }
    events: dict[int, int] = defaultdict(int)
    for (object_id,) in _rows(
        "SELECT object_id FROM audit_auditevent WHERE action = 'project.report_approve' "
        "AND seq > %s",
        [since],
    ):
        events[int(object_id)] += 1
    return {
        "approved": len(approved),
        "events": sum(events.values()),
        "approved_without_event": sorted(approved - set(events)),
        "event_without_approval": sorted(set(events) - approved),
        "events_twice": sorted(k for k, n in events.items() if n > 1),
    }


def _stat_problems() -> list[str]:
    """County × category × month roll-up against the approved reports it counts."""
    held = {
        (c, k, y, m): (n, _cents(i), _cents(f))
        for c, k, y, m, n, i, f in _rows(
            "SELECT county_id, category_id, year, month, approved_count, invest, funds "
            "FROM projects_countymonthstat"
        )
    }
    want = {
        (c, k, y, m): (n, _cents(i), _cents(f))
        for c, k, y, m, n, i, f in _rows(
            "SELECT r.county_id, p.category_id, r.year, r.month, COUNT(*), SUM(r.invest_month), "
            "SUM(r.funds_month) FROM projects_monthlyreport r JOIN projects_project p "
            "ON p.id = r.project_id WHERE r.status = 'approved' "
            "GROUP BY r.county_id, p.category_id, r.year, r.month"
        )
    }
    bad = []
    for key in set(held) | set(want):
        if held.get(key, (0, 0, 0)) != want.get(key, (0, 0, 0)):
            bad.append("stat " + "-".join(map(str, key)))
    return bad


def _plan_problems() -> list[str]:
    """The plan's approved year-to-date and last approved month against its approved reports."""
    want = {
        (p, y): (_cents(s), m)
        for p, y, s, m in _rows(
            "SELECT project_id, year, SUM(invest_month), MAX(month) FROM projects_monthlyreport "
            "WHERE status = 'approved' GROUP BY project_id, year"
        )
    }
    bad = []
    for p, y, ytd, month in _rows(
        "SELECT project_id, year, approved_ytd, approved_month FROM projects_projectyearplan"
    ):
        if (_cents(ytd), month) != want.get((p, y), (0, 0)):
            bad.append(f"plan {p}-{y}")
    return bad


def _ytd_problems() -> list[str]:
    """Every report's year-to-date figures against the sum of its year's months so far."""
    running: dict[tuple[int, int], tuple[int, int]] = {}
    bad = []
    for pk, project, year, invest, funds, invest_ytd, funds_ytd in _rows(
        "SELECT id, project_id, year, invest_month, funds_month, invest_ytd, funds_ytd "
        "FROM projects_monthlyreport ORDER BY project_id, year, month"
    ):
        i, f = running.get((project, year), (0, 0))
        i, f = i + _cents(invest), f + _cents(funds)
        running[(project, year)] = (i, f)
        if (i, f) != (_cents(invest_ytd), _cents(funds_ytd)):
            bad.append(f"ytd {pk}")
    return bad


def _jobs(since: int) -> dict[str, Any]:
    today_events = _rows(
        "SELECT COUNT(*) FROM audit_auditevent WHERE action = 'supervision.lights_recompute' "
        "AND seq > %s",
        [since],
    )[0][0]
    return {
        "running": [t for (t,) in _rows("SELECT task FROM ops_jobrun")],
        "failures": [
            f"{t}: {e[:120]}"
            for t, e in _rows("SELECT task, error FROM ops_jobfailure ORDER BY id")
        ],
        "backups": _rows("SELECT COUNT(*) FROM ops_backuprun")[0][0],
        "lights_events": today_events,
        "light_duplicates": _rows(
            "SELECT COUNT(*) FROM (SELECT task_id, cycle_no FROM supervision_lightrecord "
            "GROUP BY task_id, cycle_no HAVING COUNT(*) > 1) d"
        )[0][0],
        "digest_duplicates": _rows(
            "SELECT COUNT(*) FROM (SELECT user_id, digest_date FROM "
            "supervision_notification WHERE kind = 'digest' GROUP BY user_id, digest_date "
            "HAVING COUNT(*) > 1) d"
        )[0][0],
    }


def main(config_path: Path, since: int) -> dict[str, Any]:
    config = json.loads(config_path.read_text())
    integrity = "-"
    if connection.vendor == "sqlite":
        integrity = _rows("PRAGMA integrity_check")[0][0]
    (head,) = _rows("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent")[0]
    return {
        "import": _import(config, since),
        "bulk": _bulk(config, since),
        "problems": sorted(_stat_problems() + _plan_problems() + _ytd_problems()),
        "jobs": _jobs(since),
        "integrity": integrity,
        "audit_head": head,
    }


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), int(sys.argv[2]))))
