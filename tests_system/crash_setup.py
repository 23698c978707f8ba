"""Run in a subprocess after `dudao demo` (bench/crash.py's setup step, on the crash run's own
database): make the large monthly-report import possible and print the JSON the run needs.

- the demo city has 600 projects and three open months; for an import of ROWS report rows the
  setup adds copies of demo projects (fictional, named 压力测试副本, in the same counties) until
  projects × open months ≥ ROWS, and writes the 月报 workbook with one new draft per row;
- a reporter and a reviewer of the city office (city-wide scope), made as the demo makes its
  own accounts (a benchmark's setup, not an administrator's work);
- the bulk approval's list: every submitted report of the demo, with its version.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dudao.settings")
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from dudao.accounts.models import User  # noqa: E402
from dudao.accounts.roles import Role  # noqa: E402
from dudao.core.xlsx import Column, Sheet, workbook_bytes  # noqa: E402
from dudao.demo.registry import DEMO_PASSWORD  # noqa: E402
from dudao.orgs.models import Organisation  # noqa: E402
from dudao.projects import importers  # noqa: E402
from dudao.projects.models import MonthLock, MonthlyReport, Project  # noqa: E402

COPY_MARK = "（压力测试副本"


def _open_months() -> list[tuple[int, int]]:
    """Months of this year up to the current one that no lock closes."""
    today = timezone.localdate()
    locked = set(
        MonthLock.objects.filter(is_active=True, year=today.year).values_list("year", "month")
    )
    return [(today.year, m) for m in range(1, today.month + 1) if (today.year, m) not in locked]


def _users() -> tuple[User, User]:
    office = Organisation.objects.get(name="示范市发展和改革委员会")
    password = make_password(DEMO_PASSWORD)
    made = []
    for username, role, title in (
        ("crash_reporter", Role.REPORTER, "填报员"),
        ("crash_reviewer", Role.REVIEWER, "审核员"),
    ):
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "full_name": f"故障演练{title}",
                "organisation": office,
                "roles": int(role),
                "title": f"{office.name}{title}（故障演练）",
                "password": password,
                "password_changed_at": timezone.now(),
            },
        )
        made.append(user)
    return made[0], made[1]


def _copies(needed: int) -> list[int]:
    """Ids of `needed` projects without any report in the open months (copies of demo ones)."""
    originals = list(Project.objects.filter(is_active=True).order_by("pk"))
    new = []
    for i in range(needed):
        src = originals[i % len(originals)]
        src.pk = None
        src.id = None
        src.code = None
        src.name = f"{src.name[:90]}{COPY_MARK}{i + 1}）"
        if src.stage != Project.Stage.PREPARATION:
            src.stage = Project.Stage.NEW  # a 续建 copy would need its own 开工 milestone
        new.append(src)
    Project.objects.bulk_create(new, batch_size=1000)
    return list(
        Project.objects.filter(name__contains=COPY_MARK).order_by("pk").values_list("pk", flat=True)
    )


def main(rows: int, out: Path) -> dict[str, object]:
    months = _open_months()
    assert months, "no open month this year"
    with transaction.atomic():
        reporter, reviewer = _users()
        pids = _copies(-(-rows // len(months)))
    body: list[list[object]] = []
    used: set[int] = set()
    for i, (pid, (year, month)) in enumerate((p, m) for p in pids for m in months):
        if i >= rows:
            break
        used.add(pid)
        body.append([pid, "", "", year, month, (i % 50) + 1, (i % 30) + 1, "施工中（故障演练）"])
    headers = [*importers.REPORT_HEADERS, importers.R_FUNDS, importers.R_PROGRESS]
    sheet = Sheet(importers.REPORT_SHEET, [Column(h) for h in headers], body)
    data = workbook_bytes([sheet])
    out.write_bytes(data)
    dry = importers.import_reports(data, filename=out.name, actor=reporter, dry_run=True)
    assert dry.created == len(body), dry.as_dict()
    bulk = list(
        MonthlyReport.objects.filter(status=MonthlyReport.Status.SUBMITTED)
        .order_by("pk")
        .values_list("pk", "version")
    )
    return {
        "password": DEMO_PASSWORD,
        "reporter": reporter.username,
        "reviewer": reviewer.username,
        "file": str(out),
        "rows": len(body),
        "projects": sorted(used),
        "months": months,
        "bulk": bulk,
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]), Path(sys.argv[2]))))
