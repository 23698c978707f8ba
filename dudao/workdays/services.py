"""Writes to the calendar data. Only 系统管理员 maintains it; every write is audited once."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import IntegrityError, models, transaction

from dudao.audit.services import record_event
from dudao.core.exceptions import DomainError, full_clean_or_raise
from dudao.core.policies import require_role
from dudao.core.roles import Role
from dudao.core.snapshot import diff, snapshot
from dudao.workdays.calendar import chinese_calendar_knows, format_day
from dudao.workdays.models import CalendarOverride, HolidayYearStatus
from dudao.workdays.signals import holiday_year_confirmed

if TYPE_CHECKING:
    from dudao.accounts.models import User

MIN_YEAR = 2000
MAX_YEAR = 2100


def _validate(instance: models.Model) -> None:
    full_clean_or_raise(instance, exclude=["created_by"], validate_unique=False)


def _save_new(instance: models.Model, message: str) -> None:
    """Insert `instance`; a concurrent insert of the same key becomes a DomainError."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError:
        raise DomainError(message) from None


@transaction.atomic(durable=True)
def set_override(
    *, actor: User, date: dt.date, is_workday: bool, name: str, source: str
) -> CalendarOverride:
    """Create or replace the override of `date` (e.g. 国庆节 休息, 国庆节调休上班 上班)."""
    require_role(actor, Role.SYSADMIN)
    name, source = (name or "").strip(), (source or "").strip()
    if not name:
        raise DomainError("请填写名称，如“国庆节”或“国庆节调休上班”。", field="name")
    if not source:
        raise DomainError("请填写依据，如国务院办公厅通知的名称和文号。", field="source")
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        override = CalendarOverride(
            date=date, is_workday=is_workday, name=name, source=source, created_by=actor
        )
        _validate(override)
        _save_new(override, f"{format_day(date)}的节假日调整刚被他人设置，请刷新后重试。")
        record_event(
            actor=actor, action="calendar.set_override", obj=override, after=snapshot(override)
        )
        _override_changed(actor, date)
        return override
    before = snapshot(override)
    override.is_workday, override.name, override.source = is_workday, name, source
    _validate(override)
    override.save(update_fields=["is_workday", "name", "source"])
    changed_before, changed_after = diff(before, snapshot(override))
    record_event(
        actor=actor,
        action="calendar.set_override",
        obj=override,
        before=changed_before,
        after=changed_after,
    )
    if changed_after:
        _override_changed(actor, date)
    return override


@transaction.atomic(durable=True)
def delete_override(*, actor: User, date: dt.date, reason: str) -> None:
    """Remove the override of `date`; the day falls back to chinese-calendar / weekends."""
    require_role(actor, Role.SYSADMIN)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("请填写删除原因。", field="reason")
    override = CalendarOverride.objects.select_for_update().filter(date=date).first()
    if override is None:
        raise DomainError(f"{format_day(date)}没有节假日调整记录。", field="date")
    record_event(
        actor=actor,
        action="calendar.delete_override",
        obj=override,
        before=snapshot(override),
        reason=reason,
    )
    override.delete()
    _override_changed(actor, date)


@transaction.atomic(durable=True)
def set_year_status(
    *, actor: User, year: int, published: bool, source: str, note: str = ""
) -> HolidayYearStatus:
    """Mark whether `year`'s State Council holiday notice is published and entered.

    A year chinese-calendar does not know can only be marked published once its holidays
    have been entered as overrides; until then its deadlines stay provisional. Marking it
    published sends `holiday_year_confirmed`: the modules recompute their provisional
    deadlines in this transaction (idempotent, each change audited in the actor's name).
    """
    require_role(actor, Role.SYSADMIN)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DomainError(f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间。", field="year")
    source, note = (source or "").strip(), (note or "").strip()
    if published and not source:
        raise DomainError(
            "标记为已发布时须填写依据，如国务院办公厅通知的名称和文号。", field="source"
        )
    if (
        published
        and not chinese_calendar_knows(year)
        and not CalendarOverride.objects.filter(date__year=year).exists()
    ):
        raise DomainError(
            f"{year}年尚未录入任何节假日调整：请先按国务院办公厅通知录入放假和调休上班日期，"
            "再标记为已发布。",
            field="published",
        )
    status = HolidayYearStatus.objects.select_for_update().filter(year=year).first()
    if status is None:
        status = HolidayYearStatus(year=year, published=published, source=source, note=note)
        _validate(status)
        _save_new(status, f"{year}年的状态刚被他人设置，请刷新后重试。")
        record_event(
            actor=actor, action="calendar.set_year_status", obj=status, after=snapshot(status)
        )
        _confirmed(actor, status)
        return status
    before = snapshot(status)
    status.published, status.source, status.note = published, source, note
    _validate(status)
    status.save(update_fields=["published", "source", "note"])
    changed_before, changed_after = diff(before, snapshot(status))
    record_event(
        actor=actor,
        action="calendar.set_year_status",
        obj=status,
        before=changed_before,
        after=changed_after,
    )
    _confirmed(actor, status)
    return status


def _confirmed(actor: User, status: HolidayYearStatus) -> None:
    """Tell the modules holding provisional deadlines that `status.year` is now known."""
    if status.published:
        holiday_year_confirmed.send(sender=HolidayYearStatus, actor=actor, year=status.year)


def _override_changed(actor: User, date: dt.date) -> None:
    """An override entered, changed or removed in a year already confirmed: the modules
    recompute their 暂定 deadlines as on confirmation (a provisional deadline reaching a later,
    unknown year may count days of this one). Same signal, same idempotent, audited receivers;
    a year not yet confirmed waits for its confirmation."""
    if HolidayYearStatus.objects.filter(year=date.year, published=True).exists():
        holiday_year_confirmed.send(sender=CalendarOverride, actor=actor, year=date.year)
