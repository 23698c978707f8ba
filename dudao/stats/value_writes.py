"""The indicator long table's write: the checked values inserted and updated in bulk (value
tuples, not model instances), all or nothing with one audit event; the stored values it reads.
The parsing and the checks are `importers`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from dudao.audit.services import record_event
from dudao.core.bulk import fast_insert, fast_update, fetch_rows
from dudao.core.imports import ImportRejected, ImportReport, RowError
from dudao.orgs.models import Organisation
from dudao.stats.models import Indicator, IndicatorValue
from dudao.stats.services import ValueInput

if TYPE_CHECKING:
    from dudao.accounts.models import User

S = IndicatorValue.Status
# The audit event lists the first this many changed values (the file's hash names the rest).
MAX_CHANGES_AUDITED = 500
INSERT_FIELDS = (
    "organisation",
    "indicator",
    "period",
    "value",
    "yoy_percent",
    "base",
    "source",
    "note",
    "status",
    "return_reason",
    "entered_by",
    "reviewed_by",
    "reviewed_at",
    "created_at",
    "updated_at",
    "version",
)
UPDATE_FIELDS = (
    "value",
    "yoy_percent",
    "base",
    "source",
    "note",
    "status",
    "entered_by",
    "return_reason",
)


class Stored(NamedTuple):
    """What the import reads of a stored value: one values_list row, not a model instance."""

    pk: int
    value: Decimal
    yoy_percent: Decimal | None
    base: Decimal | None
    source: str
    note: str
    status: str
    version: int


@dataclass
class Parsed:
    """One value to import, with the row it came from."""

    row: int
    org: Organisation
    indicator: Indicator
    period: dt.date
    data: ValueInput


def _write_values(
    parsed: list[Parsed],
    existing: dict[tuple[int, int, dt.date], Stored],
    flags: list[RowError],
    *,
    status: str,
    kind: str,
    filename: str,
    actor: User,
    dry_run: bool,
    confirm_reason: str,
    notes: list[RowError] | None,
) -> ImportReport:
    """The checked values written (all or nothing, one audit event) — refused when the
    magnitude checks flagged any and no reason confirms them."""
    reason = (confirm_reason or "").replace("\x00", "").strip()[:200]
    if flags and not dry_run and not reason:
        raise ImportRejected(
            [
                *flags,
                RowError(
                    0,
                    "",
                    f"以上{len(flags)}处数值疑似量级有误，未写入任何数据。请改正后重新导入；"
                    "如核实无误，请在“确认原因”中写明理由后再导入。",
                ),
            ]
        )
    report = ImportReport(kind=kind, rows=len(parsed), dry_run=dry_run)
    report.warnings = [*(notes or []), *flags]
    now = timezone.now()
    # plain tuples for the write (no model instance per row; no per-row signal exists)
    stamp = connection.ops.adapt_datetimefield_value(now)
    reviewer = actor.pk if status == S.APPROVED else None
    reviewed_at = stamp if status == S.APPROVED else None
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    changes: list[dict[str, Any]] = []
    for p in parsed:
        current = existing.get((p.org.pk, p.indicator.pk, p.period))
        if (
            current is not None
            and not _changed(current, p.data)
            and (
                current.status == status or (status == S.SUBMITTED and current.status == S.APPROVED)
            )
        ):
            report.unchanged += 1
            continue
        d = p.data
        if len(changes) < MAX_CHANGES_AUDITED:
            changes.append(
                {
                    "unit": p.org.code,
                    "indicator": p.indicator.code,
                    "period": f"{p.period:%Y-%m}",
                    "before": None if current is None else str(current.value),
                    "after": str(d.value),
                }
            )
        if current is None:
            creates.append(
                (
                    p.org.pk,
                    p.indicator.pk,
                    p.period,
                    d.value,
                    d.yoy_percent,
                    d.base,
                    d.source,
                    d.note,
                    status,
                    "",
                    actor.pk,
                    reviewer,
                    reviewed_at,
                    stamp,
                    stamp,
                    1,
                )
            )
            report.created += 1
        else:
            fixed = (d.value, d.yoy_percent, d.base, d.source, d.note, status, actor.pk, "")
            extra = (reviewer, reviewed_at) if status == S.APPROVED else ()
            updates.append((*fixed, *extra, stamp, current.version + 1, current.pk))
            report.updated += 1
    if dry_run or not (creates or updates):
        return report
    with transaction.atomic():
        fast_insert(IndicatorValue, INSERT_FIELDS, creates)
        fields = [*UPDATE_FIELDS, *(("reviewed_by", "reviewed_at") if status == S.APPROVED else ())]
        fast_update(IndicatorValue, [*fields, "updated_at", "version"], updates)
        record_event(
            actor=actor,
            action="stats.value.import",
            after={
                "file": filename,
                "kind": kind,
                "status": status,
                "created": report.created,
                "updated": report.updated,
                "changes": changes,
                "confirmed_checks": [str(f) for f in flags[:100]],
            },
            object_repr=f"{filename}（{report.changed}条）",
            reason=reason if flags else "",
        )
    return report


def _column(kind: str, p: Parsed, field: str) -> str:
    if kind == "indicator_grid":
        from dudao.stats.grid_import import grid_header

        return grid_header(p.indicator) if field in ("value", "note", "yoy_percent") else "统计期"
    return {"yoy_percent": "yoy", "indicator": "indicator", "period": "period"}.get(field, field)


def _changed(current: Stored, data: ValueInput) -> bool:
    return (
        current.value != data.value
        or current.yoy_percent != data.yoy_percent
        or current.base != data.base
        or current.note != data.note
    )


def _existing(parsed: list[Parsed]) -> dict[tuple[int, int, dt.date], Stored]:
    """The stored values the file's rules read (the same months, the month before, the same
    month a year before), as plain tuples in one query."""
    if not parsed:
        return {}
    periods = (
        {p.period for p in parsed}
        | {p.period.replace(month=p.period.month - 1) for p in parsed if p.period.month > 1}
        | {p.period.replace(year=p.period.year - 1) for p in parsed}
    )
    rows = fetch_rows(
        IndicatorValue.objects.filter(
            organisation__in={p.org.pk for p in parsed},
            indicator__in={p.indicator.pk for p in parsed},
            period__in=periods,
        )
        .order_by()
        .values_list("organisation_id", "indicator_id", "period", *Stored._fields)
    )
    return {(o, i, d): Stored(*rest) for o, i, d, *rest in rows}
