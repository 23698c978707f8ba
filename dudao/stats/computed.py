"""Values computed by other modules and written into the statistics engine (亩均效益评价
rollups); re-exported by stats.services, the public surface."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.exceptions import (
    DomainError,
)
from dudao.core.policies import require_role
from dudao.orgs.models import Organisation
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.models import annual_period as annual_period  # noqa: PLC0414 - re-export

if TYPE_CHECKING:
    from dudao.accounts.models import User

from dudao.stats.services import ENTRY_ROLES, UNIT_KINDS, S, ValueInput, value_problem

# --- values computed by other modules (亩均效益评价 rollups) ------------------------------------


@dataclass(frozen=True)
class ComputedValue:
    """One figure another module computed for a unit, in the indicator's unit (a percent
    indicator in percent: 25.3 means 25.3%), unrounded."""

    organisation_id: int
    code: str
    value: Decimal


@dataclass
class ComputedReport:
    """What `write_computed_values` did; ``locked`` names approved figures it left unchanged
    and ``skipped`` catalogue codes that are missing or inactive."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    locked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def stored_computed(value: Decimal) -> Decimal:
    """A computed figure as stored (4 decimals): cut, not rounded, so that rounding it half-up
    to 4 or fewer decimals for display gives the same digits as rounding the exact figure."""
    return value.quantize(Decimal("0.0001"), rounding=ROUND_DOWN)


@transaction.atomic
def write_computed_values(
    *,
    actor: User,
    period: dt.date,
    values: Sequence[ComputedValue],
    origin: str,
    source: str = IndicatorValue.Source.EVALUATION,
) -> ComputedReport:
    """Write figures another module computed (e.g. 亩均税收 and A/B/C/D占比 of the 亩均效益评价)
    into the catalogue's indicators, for the units of the actor's scope.

    Not durable: the calling module's service composes it in its own transaction, so its
    change and these figures commit together. Each figure obeys `value_problem` like an
    entered one. New and changed figures are 已报送 (a reviewer approves them as any other);
    an approved figure is locked and never moves — it is listed in ``report.locked`` (a
    reviewer returns it first if it must change). One audit event lists the changes."""
    require_role(actor, *ENTRY_ROLES)
    period = period.replace(day=1)
    report = ComputedReport()
    indicators = {
        i.code: i
        for i in Indicator.objects.filter(code__in={v.code for v in values}, is_active=True)
    }
    report.skipped = sorted({v.code for v in values} - set(indicators))
    org_ids = {v.organisation_id for v in values}
    units = {
        o.pk: o
        for o in Organisation.objects.visible_to(actor).filter(pk__in=org_ids, kind__in=UNIT_KINDS)
    }
    if org_ids - set(units):
        raise DomainError("汇总单位不存在、不是指标填报单位或不在您的管理范围内。")
    existing = {
        (row.organisation_id, row.indicator_id): row
        for row in IndicatorValue.objects.select_for_update().filter(
            period=period,
            indicator__in=indicators.values(),
            organisation_id__in=org_ids,
        )
    }
    now = timezone.now()
    created: list[IndicatorValue] = []
    updated: list[IndicatorValue] = []
    changes: list[tuple[str, str, str | None, str]] = []
    for item in values:
        ind = indicators.get(item.code)
        if ind is None:
            continue
        number = stored_computed(item.value)
        problem = value_problem(ind, period, ValueInput(number, source=source), None)
        if problem:
            raise DomainError(f"{units[item.organisation_id].name} {ind.name}：{problem[1]}")
        row = existing.get((item.organisation_id, ind.pk))
        if row is None:
            created.append(
                IndicatorValue(
                    organisation_id=item.organisation_id,
                    indicator=ind,
                    period=period,
                    value=number,
                    source=source,
                    note=origin[:200],
                    status=S.SUBMITTED,
                    entered_by=actor,
                    created_at=now,
                    updated_at=now,
                )
            )
            changes.append((units[item.organisation_id].code, ind.code, None, str(number)))
        elif row.value == number:
            report.unchanged += 1
        elif row.status == S.APPROVED:
            report.locked.append(f"{units[item.organisation_id].name} {ind.name}")
        else:
            changes.append(
                (units[item.organisation_id].code, ind.code, str(row.value), str(number))
            )
            row.value, row.source, row.note = number, source, origin[:200]
            row.status, row.return_reason, row.entered_by = S.SUBMITTED, "", actor
            row.version += 1
            row.updated_at = now
            updated.append(row)
    IndicatorValue.objects.bulk_create(created)
    IndicatorValue.objects.bulk_update(
        updated,
        [
            "value",
            "source",
            "note",
            "status",
            "return_reason",
            "entered_by",
            "version",
            "updated_at",
        ],
    )
    report.created, report.updated = len(created), len(updated)
    if changes or report.locked:
        record_event(
            actor=actor,
            action="stats.value.compute",
            object_repr=f"{origin} {period:%Y-%m}",
            after={
                "period": f"{period:%Y-%m}",
                "origin": origin,
                "source": source,
                "created": report.created,
                "updated": report.updated,
                "locked": report.locked,
                "changes": [list(c) for c in changes],
            },
        )
    return report
