"""The monthly report import's commit reuses its dry run's validated plan (issue 18 item 3,
dudao.core.importplans): the same rows, report and audit event as a full import, and any
change between the dry run and the commit — a lock, a report written meanwhile — is seen."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from dudao.audit.models import AuditEvent
from dudao.core import importplans
from dudao.core.columns import read_cells
from dudao.core.imports import ImportRejected
from dudao.projects import importers
from dudao.projects.importers import reports
from dudao.projects.models import MonthlyReport
from dudao.projects.services.locks import lock_month
from dudao.projects.testing import make_project
from dudao.projects.tests.test_import_fast_path import _xlsx
from dudao.testing import World

pytestmark = pytest.mark.django_db
FIELDS = [
    f.attname
    for f in MonthlyReport._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at")
]


def _file(world: World) -> bytes:
    rows = []
    for i in range(3):
        p = make_project(world)
        rows += [
            [p.pk, "", "", 2026, 2, 10 + i, 1, "", None, "开工准备", "否", "", "", ""],
            [p.pk, "", "", 2026, 3, 5, "", "", None, "", "是", "缺资金", "", "说明"],
        ]
    return _xlsx(rows)


def _dry_then_commit(world: World, data: bytes, *, keep: bool) -> tuple[Any, ...]:
    """(report, rows written, audit event) of a dry run then a commit, rolled back after."""
    parses: list[int] = []
    real = reports._parse_report_rows

    def counted(*args: Any) -> Any:
        parses.append(1)
        return real(*args)

    actor = world.county_a_reporter
    sid = transaction.savepoint()
    try:
        reports._parse_report_rows = counted  # type: ignore[assignment]
        importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=True)
        if not keep:
            importplans.forget()
        report = importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=False)
        rows = list(MonthlyReport.objects.order_by("project_id", "year", "month").values(*FIELDS))
        event = AuditEvent.objects.filter(action="project.import").latest("pk")
        return report.as_dict(), rows, event.after, event.object_repr, len(parses)
    finally:
        reports._parse_report_rows = real
        transaction.savepoint_rollback(sid)


def test_the_commit_writes_what_a_full_import_writes(world: World) -> None:
    data = _file(world)
    *kept, kept_parses = _dry_then_commit(world, data, keep=True)
    *full, full_parses = _dry_then_commit(world, data, keep=False)
    assert (kept_parses, full_parses) == (1, 2)  # the kept plan was used, the file read once
    assert kept == full
    assert kept[0]["created"] == 6
    assert not kept[0]["dry_run"]


def test_a_month_locked_after_the_dry_run_is_refused_at_commit(world: World) -> None:
    data = _file(world)
    actor = world.county_a_reporter
    importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=True)
    lock_month(actor=world.city_supervisor, year=2026, month=3, county=world.county_a)
    with pytest.raises(ImportRejected) as exc:
        importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=False)
    assert {str(e).split("：", 1)[1] for e in exc.value.errors} == {"2026年3月已锁定，不能导入。"}
    assert not MonthlyReport.objects.filter(year=2026).exists()


def test_a_report_written_after_the_dry_run_is_seen_at_commit(world: World) -> None:
    data = _file(world)
    actor = world.county_a_reporter
    importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=True)
    # another import of one of the months between the dry run and the commit
    pid = int(
        read_cells(data, sheet=importers.REPORT_SHEET, headers=importers.REPORT_HEADERS).rows[0][1][
            0
        ]
    )
    other = _xlsx([[pid, "", "", 2026, 2, 10, 1, "", None, "开工准备", "否", "", "", ""]])
    importers.import_reports(other, filename="o.xlsx", actor=actor, dry_run=False)
    report = importers.import_reports(data, filename="t.xlsx", actor=actor, dry_run=False)
    assert (report.created, report.unchanged) == (5, 1)
    assert MonthlyReport.objects.filter(year=2026).count() == 6


def test_a_plan_is_the_users_own(world: World) -> None:
    data = _file(world)
    importers.import_reports(data, filename="t.xlsx", actor=world.county_a_reporter, dry_run=True)
    assert importplans.take("reports", world.county_a_reporter.pk + 10_000, data, ()) is None
    assert importplans.take("reports", world.county_a_reporter.pk, data, ()) is not None
    assert importplans.take("reports", world.county_a_reporter.pk, data, ()) is None  # used once
