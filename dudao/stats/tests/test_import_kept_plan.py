"""The long table's commit reuses its dry run's checked values (issue 18 item 3,
dudao.core.importplans): the same values, report and audit event as a full import; a value
stored between the dry run and the commit is seen; the magnitude checks still need a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from dudao.audit.models import AuditEvent
from dudao.core import importplans
from dudao.core.imports import ImportRejected
from dudao.stats import importers
from dudao.stats.models import Indicator, IndicatorValue
from dudao.testing import World

pytestmark = pytest.mark.django_db
FIELDS = [
    f.attname
    for f in IndicatorValue._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at", "reviewed_at")
]
HEADER = "org_code,period,indicator,value,yoy,base\n"
LINES = [
    "SFS-A-P1,2025-03,fai,125000.5,12.3,",
    "SFS-A-P1,2025-04,fai,160000,,140000",
    "SFS,2025-03,fai,900000,8.1,",
]


def _csv(*lines: str) -> bytes:
    return (HEADER + "\n".join(lines) + "\n").encode()


def _dry_then_commit(world: World, data: bytes, *, keep: bool, reason: str = "") -> Any:
    parses: list[int] = []
    real = importers.parse_long

    def counted(*args: Any, **kwargs: Any) -> Any:
        parses.append(1)
        return real(*args, **kwargs)

    actor = world.city_supervisor
    kwargs: dict[str, Any] = {"filename": "v.csv", "actor": actor, "confirm_reason": reason}
    sid = transaction.savepoint()
    try:
        importers.parse_long = counted
        importers.import_indicators(data, dry_run=True, **kwargs)
        if not keep:
            importplans.forget()
        report = importers.import_indicators(data, dry_run=False, **kwargs)
        rows = list(
            IndicatorValue.objects.order_by("organisation_id", "period", "indicator_id").values(
                *FIELDS
            )
        )
        event = AuditEvent.objects.filter(action="stats.value.import").latest("pk")
        return report.as_dict(), rows, event.after, event.reason, len(parses)
    finally:
        importers.parse_long = real
        transaction.savepoint_rollback(sid)


def test_the_commit_writes_what_a_full_import_writes(world: World) -> None:
    data = _csv(*LINES)
    *kept, kept_parses = _dry_then_commit(world, data, keep=True)
    *full, full_parses = _dry_then_commit(world, data, keep=False)
    assert (kept_parses, full_parses) == (1, 2)
    assert kept == full
    assert kept[0]["created"] == 3


def test_flagged_values_still_need_a_reason_at_commit(world: World) -> None:
    Indicator.objects.filter(code="fai").update(plausible_min_park=Decimal("999999999"))
    data = _csv(*LINES)
    actor = world.city_supervisor
    dry = importers.import_indicators(data, filename="v.csv", actor=actor, dry_run=True)
    assert dry.warnings
    with pytest.raises(ImportRejected, match="疑似量级有误"):
        importers.import_indicators(data, filename="v.csv", actor=actor, dry_run=False)
    assert not IndicatorValue.objects.filter(period__year=2025).exists()
    *kept, _ = _dry_then_commit(world, data, keep=True, reason="已核实")
    *full, _ = _dry_then_commit(world, data, keep=False, reason="已核实")
    assert kept == full
    assert kept[3] == "已核实"


def test_a_value_stored_after_the_dry_run_is_seen_at_commit(world: World) -> None:
    data = _csv(*LINES)
    actor = world.city_supervisor
    importers.import_indicators(data, filename="v.csv", actor=actor, dry_run=True)
    importers.import_indicators(_csv(LINES[2]), filename="o.csv", actor=actor, dry_run=False)
    report = importers.import_indicators(data, filename="v.csv", actor=actor, dry_run=False)
    assert (report.created, report.unchanged) == (2, 1)
    assert IndicatorValue.objects.filter(period=dt.date(2025, 3, 1)).count() == 2
